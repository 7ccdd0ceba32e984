using System;

namespace NnGen;

/// <summary>One dense layer: Z[l] = W[l]·A[l-1] + b[l], A[l] = g[l](Z[l]). Layers are taken in source order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerAttribute : Attribute
{
    /// <summary>Declares a layer of <paramref name="units"/> units with the activation <paramref name="activation"/>.</summary>
    /// <param name="units">n[l], at least 1.</param>
    /// <param name="activation">g[l].</param>
    public LayerAttribute(int units, Activation activation)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>n[l]: the number of units.</summary>
    public int Units { get; }

    /// <summary>g[l]: the activation.</summary>
    public Activation Activation { get; }

    /// <summary>This layer's weight initializer; <see cref="Init.Default"/> uses the network's.</summary>
    public Init Init { get; set; }
}
