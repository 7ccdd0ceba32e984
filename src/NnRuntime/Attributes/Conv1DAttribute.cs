using System;

namespace NnGen;

/// <summary>
/// A 1-D convolution over (channels, length), exactly as PyTorch's <c>nn.Conv1d</c>:
/// Z[l] = W[l] ⋆ A[l-1] + b[l], A[l] = g[l](Z[l]), weight (out, in / groups, kernel), bias (out). Every output
/// shape is computed at compile time and shown in <c>Summary</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : Attribute
{
    /// <summary>Declares a 2-D convolution with <paramref name="channels"/> output channels.</summary>
    /// <param name="channels">Output channels, at least 1.</param>
    public Conv1DAttribute(int channels) => Channels = channels;

    /// <summary>The output channels.</summary>
    public int Channels { get; }

    /// <summary>The kernel length; 3 unless set.</summary>
    public int Kernel { get; set; } = 3;

    /// <summary>The step between windows; 1 unless set.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on each side (with <see cref="PaddingMode.Explicit"/>); 0 unless set.</summary>
    public int Padding { get; set; }

    /// <summary><see cref="PaddingMode.Explicit"/> (the default, <see cref="Padding"/> zeros), <see cref="PaddingMode.Same"/> or <see cref="PaddingMode.Causal"/>.</summary>
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
