using System;

namespace NnGen;

/// <summary>
/// Marks a <c>partial</c> class as a fully connected network whose layers are the <see cref="LayerAttribute"/>s
/// on the same declaration, in source order. The NnGen source generator emits its parameters, forward and backward passes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>
    /// n[0]: the number of input features of one example (of one time step, in a recurrent network). Required unless
    /// <see cref="Input"/> gives a shape, at least 1.
    /// </summary>
    public int Inputs { get; set; }

    /// <summary>
    /// The shape of one example for a convolutional network: (channels, length) for 1-D layers, (channels, height,
    /// width) for 2-D ones, PyTorch's order. An example is still one row of C·L or C·H·W floats (NCL / NCHW flattened);
    /// set this or <see cref="Inputs"/>, not both.
    /// </summary>
    public int[]? Input { get; set; }

    /// <summary>The cost to train with; <see cref="Loss.Default"/> follows the output activation.</summary>
    public Loss Loss { get; set; }

    /// <summary>The weight initializer of every layer that does not choose its own.</summary>
    public Init Init { get; set; }

    /// <summary>
    /// A safetensors file (as written by <c>SaveWeights</c>, or exported from PyTorch) to bake into the assembly at
    /// build time, e.g. <c>"planar.safetensors"</c>; <see langword="null"/> (the default) bakes nothing.
    /// </summary>
    /// <remarks>
    /// The name is matched against the project's <c>AdditionalFiles</c> items by file name or by path suffix
    /// (<c>"Models/planar.safetensors"</c>), so the file must be one: <c>&lt;AdditionalFiles Include="planar.safetensors" /&gt;</c>.
    /// At build time the generator checks every tensor against the declared architecture (names, F32, shapes, finite
    /// values, the architecture in the metadata) and reports any problem as an error at this argument (NNG0024–NNG0028);
    /// files larger than 4 MiB are refused. The values are compiled into the assembly's data: the parameterless constructor
    /// starts from them and <c>ResetToBakedWeights()</c> restores them, with no file to ship or read at run time. The
    /// seeded constructor still draws random weights. The tensors saved beside the weights are baked too: the generated
    /// <c>BakedExtra(name)</c> returns each one's values, and <c>BakedStandardizer</c> the standardizer saved with
    /// <c>Standardizer.ToTensors()</c>, checked at build time like the weights. See docs/shipping.md.
    /// </remarks>
    public string? Weights { get; set; }
}
