using System;

namespace NnGen.Kernels;

/// <summary>
/// The shape arithmetic of one pooling layer (PyTorch's <c>MaxPool2d</c>/<c>AvgPool2d</c> with <c>ceil_mode=False</c>; the
/// 1-D kinds are the case height 1, window height 1): input (C, H, W), output (C, Ho, Wo) with
/// Ho = ⌊(H + 2·padH − kh) / strideH⌋ + 1. Padding is implicit −∞ for max and zeros counted in the average
/// (PyTorch's <c>count_include_pad=True</c>); as in PyTorch it may be at most half the window.
/// </summary>
public readonly struct PoolGeometry : IEquatable<PoolGeometry>
{
    /// <summary>Checks every size, the padding against the window, and that an output is left.</summary>
    /// <exception cref="ArgumentException">A size is below 1 (a padding below 0 or above half the window), or no output is left.</exception>
    public PoolGeometry(int channels, int inHeight, int inWidth, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int padHeight, int padWidth)
    {
        ConvGeometry.Positive(channels, nameof(channels));
        ConvGeometry.Positive(inHeight, nameof(inHeight));
        ConvGeometry.Positive(inWidth, nameof(inWidth));
        ConvGeometry.Positive(kernelHeight, nameof(kernelHeight));
        ConvGeometry.Positive(kernelWidth, nameof(kernelWidth));
        ConvGeometry.Positive(strideHeight, nameof(strideHeight));
        ConvGeometry.Positive(strideWidth, nameof(strideWidth));
        ConvGeometry.NotNegative(padHeight, nameof(padHeight));
        ConvGeometry.NotNegative(padWidth, nameof(padWidth));
        if (2 * padHeight > kernelHeight || 2 * padWidth > kernelWidth)
        {
            throw new ArgumentException(ConvGeometry.Invariant(
                $"Padding {padHeight} x {padWidth} must be at most half the window {kernelHeight} x {kernelWidth}."), nameof(padWidth));
        }

        Channels = channels;
        InHeight = inHeight;
        InWidth = inWidth;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadHeight = padHeight;
        PadWidth = padWidth;
        OutHeight = ConvGeometry.OutputLength(inHeight, kernelHeight, strideHeight, 2 * padHeight, 1);
        OutWidth = ConvGeometry.OutputLength(inWidth, kernelWidth, strideWidth, 2 * padWidth, 1);
        if (OutHeight < 1 || OutWidth < 1)
        {
            throw new ArgumentException(ConvGeometry.Invariant(
                $"A window {kernelHeight} x {kernelWidth} (stride {strideHeight} x {strideWidth}, padding {padHeight} x {padWidth}) on {inHeight} x {inWidth} leaves no output."),
                nameof(kernelWidth));
        }

        if ((long)channels * inHeight * inWidth > int.MaxValue)
        {
            throw new ArgumentException("The layer's activations exceed one buffer (2^31 - 1 floats).", nameof(channels));
        }
    }

    /// <summary>A 1-D pool over (C, L): height 1, window height 1.</summary>
    /// <exception cref="ArgumentException">As the constructor.</exception>
    public static PoolGeometry OneDimensional(int channels, int length, int kernel, int stride, int padding) =>
        new(channels, 1, length, 1, kernel, 1, stride, 0, padding);

    /// <summary>C: the channels, the same in and out.</summary>
    public int Channels { get; }

    /// <summary>H: the input height (1 for 1-D).</summary>
    public int InHeight { get; }

    /// <summary>W: the input width (L for 1-D).</summary>
    public int InWidth { get; }

    /// <summary>kh: the kernel height (1 for 1-D).</summary>
    public int KernelHeight { get; }

    /// <summary>kw: the kernel width (the kernel length for 1-D).</summary>
    public int KernelWidth { get; }

    /// <summary>The vertical step between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>The horizontal step between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>Padding above and below.</summary>
    public int PadHeight { get; }

    /// <summary>Padding before and after each row.</summary>
    public int PadWidth { get; }

    /// <summary>Ho: the output height.</summary>
    public int OutHeight { get; }

    /// <summary>Wo: the output width.</summary>
    public int OutWidth { get; }

    /// <summary>C·H·W: the features of one input example.</summary>
    public int InputFeatures => Channels * InHeight * InWidth;

    /// <summary>C·Ho·Wo: the features of one output example.</summary>
    public int OutputFeatures => Channels * OutHeight * OutWidth;

    /// <inheritdoc/>
    public bool Equals(PoolGeometry other) =>
        Channels == other.Channels && InHeight == other.InHeight && InWidth == other.InWidth && KernelHeight == other.KernelHeight &&
        KernelWidth == other.KernelWidth && StrideHeight == other.StrideHeight && StrideWidth == other.StrideWidth &&
        PadHeight == other.PadHeight && PadWidth == other.PadWidth;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PoolGeometry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Channels, InHeight, InWidth, HashCode.Combine(KernelHeight, KernelWidth, StrideHeight, StrideWidth, PadHeight, PadWidth));

    /// <summary>Whether the two geometries are the same.</summary>
    public static bool operator ==(PoolGeometry left, PoolGeometry right) => left.Equals(right);

    /// <summary>Whether the two geometries differ.</summary>
    public static bool operator !=(PoolGeometry left, PoolGeometry right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => ConvGeometry.Invariant(
        $"({Channels}, {InHeight}, {InWidth}) -> ({Channels}, {OutHeight}, {OutWidth}), window {KernelHeight} x {KernelWidth}, stride {StrideHeight} x {StrideWidth}, padding {PadHeight} x {PadWidth}");
}
