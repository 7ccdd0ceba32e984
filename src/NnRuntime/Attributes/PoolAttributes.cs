using System;

namespace NnGen;

/// <summary>
/// 2-D max pooling (PyTorch's <c>nn.MaxPool2d</c>, <c>ceil_mode=False</c>): the largest value of each window, per channel.
/// Padding counts as −∞. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Attribute
{
    /// <summary>Declares a max pool over <paramref name="kernel"/> x <paramref name="kernel"/> windows.</summary>
    /// <param name="kernel">The window's height and width, at least 1.</param>
    public MaxPool2DAttribute(int kernel) => Kernel = kernel;

    /// <summary>The window's height and width.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the window size unless set (PyTorch's default).</summary>
    public int Stride { get; set; }

    /// <summary>Padding on every side, at most half the window; 0 unless set.</summary>
    public int Padding { get; set; }
}

/// <summary>
/// 2-D average pooling (PyTorch's <c>nn.AvgPool2d</c>, <c>ceil_mode=False</c>, <c>count_include_pad=True</c>): the mean
/// of each window, per channel. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Attribute
{
    /// <summary>Declares an average pool over <paramref name="kernel"/> x <paramref name="kernel"/> windows.</summary>
    /// <param name="kernel">The window's height and width, at least 1.</param>
    public AvgPool2DAttribute(int kernel) => Kernel = kernel;

    /// <summary>The window's height and width.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the window size unless set (PyTorch's default).</summary>
    public int Stride { get; set; }

    /// <summary>Zero padding on every side, counted in the mean, at most half the window; 0 unless set.</summary>
    public int Padding { get; set; }
}

/// <summary>1-D max pooling (PyTorch's <c>nn.MaxPool1d</c>, <c>ceil_mode=False</c>) over (channels, length). No parameters.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : Attribute
{
    /// <summary>Declares a max pool over windows of <paramref name="kernel"/> steps.</summary>
    /// <param name="kernel">The window's length, at least 1.</param>
    public MaxPool1DAttribute(int kernel) => Kernel = kernel;

    /// <summary>The window's length.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the window size unless set (PyTorch's default).</summary>
    public int Stride { get; set; }

    /// <summary>Padding on each side, at most half the window; 0 unless set.</summary>
    public int Padding { get; set; }
}

/// <summary>
/// 1-D average pooling (PyTorch's <c>nn.AvgPool1d</c>, <c>ceil_mode=False</c>, <c>count_include_pad=True</c>) over
/// (channels, length). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : Attribute
{
    /// <summary>Declares an average pool over windows of <paramref name="kernel"/> steps.</summary>
    /// <param name="kernel">The window's length, at least 1.</param>
    public AvgPool1DAttribute(int kernel) => Kernel = kernel;

    /// <summary>The window's length.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the window size unless set (PyTorch's default).</summary>
    public int Stride { get; set; }

    /// <summary>Zero padding on each side, counted in the mean, at most half the window; 0 unless set.</summary>
    public int Padding { get; set; }
}

/// <summary>
/// Global average pooling (PyTorch's <c>nn.AdaptiveAvgPool2d(1)</c> or <c>AdaptiveAvgPool1d(1)</c> followed by a flatten):
/// (C, H, W) or (C, L) becomes the C channel means. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : Attribute
{
}

/// <summary>
/// Flattens (C, H, W) or (C, L) into C·H·W features in PyTorch's order (<c>nn.Flatten</c>), so dense layers can follow.
/// Inside a network this is free: the activations are already laid out that way. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}
