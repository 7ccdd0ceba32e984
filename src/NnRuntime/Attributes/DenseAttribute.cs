using System;

namespace NnGen;

/// <summary>
/// One dense layer: Z[l] = W[l]·A[l-1] + b[l], A[l] = g[l](Z[l]). Layers of every kind are taken in source order.
/// <see cref="LayerAttribute"/> is its synonym, kept so networks declared with it compile unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer of <paramref name="units"/> units with the activation <paramref name="activation"/>.</summary>
    /// <param name="units">n[l], at least 1.</param>
    /// <param name="activation">g[l].</param>
    public DenseAttribute(int units, Activation activation)
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
