using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace NnGen.Kernels;

/// <summary>
/// A dense layer's W packed once for one-example products, for a network's frozen form (<c>Freeze()</c>):
/// <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Activation)"/> gives <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>'s
/// bits on the same W, faster where that product transpose-reduces blocks of rows.
/// </summary>
/// <remarks>
/// Where <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// reduces blocks of 16 (8) rows at 512 (256) bits, the copy holds W lane-major for those blocks and the same sums
/// come from vertical adds instead of shuffles (the layout and the order: <c>LaneMajorMatVec</c>'s remarks). Packed
/// for the vector width the process computes at when it is built; at any other width (or for shapes the row blocks
/// do not take) <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Activation)"/> runs <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// on the row-major W it is given, so it always gives that method's bits. Immutable; thread-safe.
/// </remarks>
public sealed class PackedMatVec
{
    private readonly AlignedBuffer? _packed;
    private readonly LaneMajorLayout _layout;

    /// <summary>The width the copy was packed for, resolved: a call at the same width runs the packed copy.</summary>
    private readonly SimdWidth _packedFor;

    /// <summary>Packs a copy of W for the current vector width.</summary>
    /// <param name="w">W, <paramref name="rows"/> × <paramref name="cols"/> row-major.</param>
    /// <param name="rows">Rows of W: the layer's output units.</param>
    /// <param name="cols">Columns of W: the layer's inputs.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is not rows × cols floats.</exception>
    public PackedMatVec(ReadOnlySpan<float> w, int rows, int cols)
        : this(w, rows, cols, SimdWidth.Auto)
    {
    }

    /// <summary>Packs a copy of W for calls at <paramref name="width"/> (tests pack for each width in turn).</summary>
    internal PackedMatVec(ReadOnlySpan<float> w, int rows, int cols, SimdWidth width)
    {
        const string Kernel = "PackedMatVec";
        KernelGuard.NonNegative(rows, Kernel, nameof(rows));
        KernelGuard.NonNegative(cols, Kernel, nameof(cols));
        KernelGuard.MatrixLength(w.Length, rows, cols, Kernel, nameof(w), nameof(rows), nameof(cols));
        Rows = rows;
        Cols = cols;
        _packedFor = SimdWidths.Resolve(width);
        _layout = LaneMajorMatVec.LayoutFor(_packedFor, rows, cols);
        int length = LaneMajorMatVec.PackedLength(_layout, rows, cols);
        if (length > 0)
        {
            _packed = new AlignedBuffer(length);
            LaneMajorMatVec.Pack(_layout, w, rows, cols, _packed.Span);
        }
    }

    /// <summary>Rows of W: the layer's output units.</summary>
    public int Rows { get; }

    /// <summary>Columns of W: the layer's inputs.</summary>
    public int Cols { get; }

    /// <summary>Whether a packed copy exists: at the width it was built for, the product of this shape has a lane-major form.</summary>
    public bool IsPacked => _packed is not null;

    /// <summary>
    /// y = g(W·x + bias) with the bits of <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
    /// on <paramref name="w"/>, from the packed copy when the current width is the one it was packed for.
    /// </summary>
    /// <param name="w">The row-major W this copy was packed from (used at other widths and shapes).</param>
    /// <param name="x">x, <see cref="Cols"/> floats.</param>
    /// <param name="bias">b, <see cref="Rows"/> floats.</param>
    /// <param name="y">y, <see cref="Rows"/> floats; overwritten. Must not overlap the inputs.</param>
    /// <param name="activation">g, applied element-wise last.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match the shape, or y overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not defined.</exception>
    public void Forward(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, Activation activation) =>
        Forward(w, x, bias, y, activation, SimdWidth.Auto);

    /// <summary><see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Activation)"/> at <paramref name="width"/>.</summary>
    internal unsafe void Forward(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, Activation activation, SimdWidth width)
    {
        int rows = Rows, cols = Cols;

        // One combined test on the way in, as Gemm.MatVec's: the precise message only when it fails.
        if (w.Length != rows * cols || x.Length != cols || bias.Length != rows || y.Length != rows ||
            y.Overlaps(w) || y.Overlaps(x) || y.Overlaps(bias))
        {
            ThrowArguments(w, x, bias, y, activation);
        }

        fixed (float* pw = w)
        fixed (float* px = x)
        fixed (float* pbias = bias)
        fixed (float* py = y)
        {
            if (_packed is null || SimdWidths.Resolve(width) != _packedFor)
            {
                MatVecKernels.Forward(width, pw, px, pbias, py, rows, cols, activation);
                return;
            }

            fixed (float* packed = _packed.Span)
            {
                var layer = new Layer(_layout, packed, px, pbias, py, rows, cols);
                ActivationOperators.Visit(activation, ref layer, "PackedMatVec.Forward", nameof(activation));
            }
        }
    }

    [DoesNotReturn]
    private void ThrowArguments(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, ReadOnlySpan<float> y, Activation activation)
    {
        const string Kernel = "PackedMatVec.Forward";
        KernelGuard.MatrixLength(w.Length, Rows, Cols, Kernel, nameof(w), nameof(Rows), nameof(Cols));
        KernelGuard.VectorLength(x.Length, Cols, Kernel, nameof(x), nameof(Cols));
        KernelGuard.VectorLength(bias.Length, Rows, Kernel, nameof(bias), nameof(Rows));
        KernelGuard.VectorLength(y.Length, Rows, Kernel, nameof(y), nameof(Rows));
        KernelGuard.NoOverlap(y, w, Kernel, nameof(y), nameof(w));
        KernelGuard.NoOverlap(y, x, Kernel, nameof(y), nameof(x));
        KernelGuard.NoOverlap(y, bias, Kernel, nameof(y), nameof(bias));
        ActivationOperators.Check(activation, Kernel, nameof(activation));
        throw new UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    private readonly unsafe struct Layer(LaneMajorLayout layout, float* packed, float* x, float* bias, float* y, int rows, int cols) : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator =>
            LaneMajorMatVec.Forward<TActivation>(layout, packed, x, bias, y, rows, cols);
    }
}
