using System;

namespace NnGen;

/// <summary>
/// A 2-D convolution over (channels, height, width), exactly as PyTorch's <c>nn.Conv2d</c> with a square kernel:
/// Z[l] = W[l] ⋆ A[l-1] + b[l], A[l] = g[l](Z[l]), weight (out, in / groups, kernel, kernel), bias (out). Every output
/// shape is computed at compile time and shown in <c>Summary</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>Declares a 2-D convolution with <paramref name="channels"/> output channels.</summary>
    /// <param name="channels">Output channels, at least 1.</param>
    public Conv2DAttribute(int channels) => Channels = channels;

    /// <summary>The output channels.</summary>
    public int Channels { get; }

    /// <summary>The kernel's height and width; 3 unless set.</summary>
    public int Kernel { get; set; } = 3;

    /// <summary>The step between windows, both ways; 1 unless set.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on every side (with <see cref="PaddingMode.Explicit"/>); 0 unless set.</summary>
    public int Padding { get; set; }

    /// <summary><see cref="PaddingMode.Explicit"/> (the default, <see cref="Padding"/> zeros) or <see cref="PaddingMode.Same"/>.</summary>
    public PaddingMode PaddingMode { get; set; }

    /// <summary>The spacing between kernel taps; 1 unless set.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Channel groups (both channel counts must divide by it); 1 unless set.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>g[l]; <see cref="Activation.Linear"/> unless set.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>This layer's weight initializer; <see cref="Init.Default"/> uses PyTorch's (uniform ±1/√fan-in).</summary>
    public Init Init { get; set; }
}
