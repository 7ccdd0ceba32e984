using System;

namespace NnGen;

/// <summary>
/// Marks a <c>partial</c> class as a fully connected network whose layers are the <see cref="LayerAttribute"/>s
/// on the same declaration, in source order. The NnGen source generator emits its parameters, forward and backward passes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>n[0]: the number of input features of one example. Required, at least 1.</summary>
    public int Inputs { get; set; }

    /// <summary>The cost to train with; <see cref="Loss.Default"/> follows the output activation.</summary>
    public Loss Loss { get; set; }

    /// <summary>The weight initializer of every layer that does not choose its own.</summary>
    public Init Init { get; set; }
}
