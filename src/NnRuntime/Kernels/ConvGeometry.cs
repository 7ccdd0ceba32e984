using System;
using System.Globalization;

namespace NnGen.Kernels;

/// <summary>
/// The shape arithmetic of one convolution layer (PyTorch's <c>Conv2d</c>; a <c>Conv1d</c> is the case height 1, kernel
/// height 1, no vertical padding): input (Cin, H, W), weight (Cout, Cin / groups, kh, kw), output (Cout, Ho, Wo) with
/// Ho = ⌊(H + padTop + padBottom − dilationH·(kh − 1) − 1) / strideH⌋ + 1 and Wo likewise. The generator computes the same
/// numbers at compile time; the kernels and the runtime description take them from here.
/// </summary>
/// <remarks>
/// Inside a network the activations are feature-major: a (C, H, W) tensor of m examples is C·H·W rows of m floats, element
/// (c, y, x) of example j at ((c·H + y)·W + x)·m + j. Flattening it gives PyTorch's (C·H·W) order with no copy.
/// </remarks>
public readonly struct ConvGeometry : IEquatable<ConvGeometry>
{
    /// <summary>Checks every size and that the (padded, dilated) kernel fits the input.</summary>
    /// <exception cref="ArgumentException">A size is below 1 (a padding below 0), the channels do not divide by the groups, or no output is left.</exception>
    public ConvGeometry(
        int inChannels, int inHeight, int inWidth, int outChannels, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int padTop, int padBottom, int padLeft, int padRight,
        int dilationHeight, int dilationWidth, int groups)
    {
        Positive(inChannels, nameof(inChannels));
        Positive(inHeight, nameof(inHeight));
        Positive(inWidth, nameof(inWidth));
        Positive(outChannels, nameof(outChannels));
        Positive(kernelHeight, nameof(kernelHeight));
        Positive(kernelWidth, nameof(kernelWidth));
        Positive(strideHeight, nameof(strideHeight));
        Positive(strideWidth, nameof(strideWidth));
        Positive(dilationHeight, nameof(dilationHeight));
        Positive(dilationWidth, nameof(dilationWidth));
        Positive(groups, nameof(groups));
        NotNegative(padTop, nameof(padTop));
        NotNegative(padBottom, nameof(padBottom));
        NotNegative(padLeft, nameof(padLeft));
        NotNegative(padRight, nameof(padRight));
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException(Invariant($"{inChannels} input and {outChannels} output channels must both divide by {groups} groups."), nameof(groups));
        }

        InChannels = inChannels;
        InHeight = inHeight;
        InWidth = inWidth;
        OutChannels = outChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadTop = padTop;
        PadBottom = padBottom;
        PadLeft = padLeft;
        PadRight = padRight;
        DilationHeight = dilationHeight;
        DilationWidth = dilationWidth;
        Groups = groups;
        OutHeight = OutputLength(inHeight, kernelHeight, strideHeight, padTop + padBottom, dilationHeight);
        OutWidth = OutputLength(inWidth, kernelWidth, strideWidth, padLeft + padRight, dilationWidth);
        if (OutHeight < 1 || OutWidth < 1)
        {
            throw new ArgumentException(Invariant(
                $"A kernel {kernelHeight} x {kernelWidth} (dilation {dilationHeight} x {dilationWidth}, stride {strideHeight} x {strideWidth}) on {inHeight} x {inWidth} padded by ({padTop}, {padBottom}, {padLeft}, {padRight}) leaves no output."),
                nameof(kernelWidth));
        }

        long weights = (long)outChannels * (inChannels / groups) * kernelHeight * kernelWidth;
        long inputs = (long)inChannels * inHeight * inWidth;
        long outputs = (long)outChannels * OutHeight * OutWidth;
        if (weights > int.MaxValue || inputs > int.MaxValue || outputs > int.MaxValue)
        {
            throw new ArgumentException("The layer's weights or activations exceed one buffer (2^31 - 1 floats).", nameof(outChannels));
        }
    }

    /// <summary>A 1-D convolution (PyTorch's <c>Conv1d</c>) over (Cin, L): height 1, kernel height 1.</summary>
    /// <exception cref="ArgumentException">As the constructor.</exception>
    public static ConvGeometry OneDimensional(
        int inChannels, int length, int outChannels, int kernel, int stride, int padLeft, int padRight, int dilation, int groups) =>
        new(inChannels, 1, length, outChannels, 1, kernel, 1, stride, 0, 0, padLeft, padRight, 1, dilation, groups);

    /// <summary>⌊(size + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1, or 0 when the dilated kernel exceeds the padded input.</summary>
    public static int OutputLength(int size, int kernel, int stride, int padding, int dilation)
    {
        long span = ((long)dilation * (kernel - 1)) + 1;
        long padded = (long)size + padding;
        return padded < span ? 0 : (int)(((padded - span) / stride) + 1);
    }

    /// <summary>Cin: the input channels.</summary>
    public int InChannels { get; }

    /// <summary>H: the input height (1 for 1-D).</summary>
    public int InHeight { get; }

    /// <summary>W: the input width (L for 1-D).</summary>
    public int InWidth { get; }

    /// <summary>Cout: the output channels.</summary>
    public int OutChannels { get; }

    /// <summary>kh: the kernel height (1 for 1-D).</summary>
    public int KernelHeight { get; }

    /// <summary>kw: the kernel width (the kernel length for 1-D).</summary>
    public int KernelWidth { get; }

    /// <summary>The vertical step between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>The horizontal step between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>Zeros above the input.</summary>
    public int PadTop { get; }

    /// <summary>Zeros below the input.</summary>
    public int PadBottom { get; }

    /// <summary>Zeros before each row (before the sequence, for 1-D).</summary>
    public int PadLeft { get; }

    /// <summary>Zeros after each row (after the sequence, for 1-D).</summary>
    public int PadRight { get; }

    /// <summary>The vertical spacing of kernel taps.</summary>
    public int DilationHeight { get; }

    /// <summary>The horizontal spacing of kernel taps.</summary>
    public int DilationWidth { get; }

    /// <summary>Channel groups: output channel o sees input channels of group o / (Cout / groups) only.</summary>
    public int Groups { get; }

    /// <summary>Ho: the output height.</summary>
    public int OutHeight { get; }

    /// <summary>Wo: the output width.</summary>
    public int OutWidth { get; }

    /// <summary>Cin·H·W: the features of one input example.</summary>
    public int InputFeatures => InChannels * InHeight * InWidth;

    /// <summary>Cout·Ho·Wo: the features of one output example.</summary>
    public int OutputFeatures => OutChannels * OutHeight * OutWidth;

    /// <summary>(Cin / groups)·kh·kw: the length of each output's dot product, a row of the weight.</summary>
    public int KernelVolume => InChannels / Groups * KernelHeight * KernelWidth;

    /// <summary>Cout·(Cin / groups)·kh·kw: the weight's floats, in PyTorch's (Cout, Cin / groups, kh, kw) order.</summary>
    public int WeightCount => OutChannels * KernelVolume;

    /// <inheritdoc/>
    public bool Equals(ConvGeometry other) =>
        InChannels == other.InChannels && InHeight == other.InHeight && InWidth == other.InWidth && OutChannels == other.OutChannels &&
        KernelHeight == other.KernelHeight && KernelWidth == other.KernelWidth && StrideHeight == other.StrideHeight &&
        StrideWidth == other.StrideWidth && PadTop == other.PadTop && PadBottom == other.PadBottom && PadLeft == other.PadLeft &&
        PadRight == other.PadRight && DilationHeight == other.DilationHeight && DilationWidth == other.DilationWidth && Groups == other.Groups;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ConvGeometry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(InChannels, InHeight, InWidth, OutChannels, KernelHeight, KernelWidth, StrideHeight, StrideWidth),
        HashCode.Combine(PadTop, PadBottom, PadLeft, PadRight, DilationHeight, DilationWidth, Groups));

    /// <summary>Whether the two geometries are the same.</summary>
    public static bool operator ==(ConvGeometry left, ConvGeometry right) => left.Equals(right);

    /// <summary>Whether the two geometries differ.</summary>
    public static bool operator !=(ConvGeometry left, ConvGeometry right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Invariant(
        $"({InChannels}, {InHeight}, {InWidth}) -> ({OutChannels}, {OutHeight}, {OutWidth}), kernel {KernelHeight} x {KernelWidth}, stride {StrideHeight} x {StrideWidth}, padding ({PadTop}, {PadBottom}, {PadLeft}, {PadRight}), dilation {DilationHeight} x {DilationWidth}, groups {Groups}");

    internal static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException(Invariant($"{name} must be at least 1; found {value}."), name);
        }
    }

    internal static void NotNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentException(Invariant($"{name} must be at least 0; found {value}."), name);
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
