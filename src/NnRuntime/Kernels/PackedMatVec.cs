using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NnGen.Kernels;

/// <summary>
/// A dense layer's W packed once for one-example products, for a network's frozen form (<c>Freeze()</c>):
/// <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> gives <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>'s
/// bits on the same W, faster where that product transpose-reduces blocks of rows.
/// </summary>
/// <remarks>
/// Where <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// reduces blocks of 16 (8) rows at 512 (256) bits, the copy holds W lane-major for those blocks and the same sums
/// come from vertical adds instead of shuffles (the layout and the order: <c>LaneMajorMatVec</c>'s remarks). Packed
/// for the vector width the process computes at when it is built; at any other width (or for shapes the row blocks
/// do not take) <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> runs <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// on the row-major W it is given, so it always gives that method's bits. Immutable; thread-safe.
/// </remarks>
public sealed unsafe class PackedMatVec
{
    private readonly AlignedBuffer? _packed;

    /// <summary>The first packed float: the buffer is on the pinned object heap and lives as long as this object.</summary>
    private readonly float* _packedData;

    /// <summary>The kernel for the layout and the activation, or null when nothing is packed.</summary>
    private readonly delegate*<float*, float*, float*, float*, int, int, void> _kernel;

    /// <summary>The width the copy was packed for, resolved: a call at the same width runs the packed copy.</summary>
    private readonly SimdWidth _packedFor;

    private readonly Activation _activation;

    /// <summary>Packs a copy of W for the current vector width.</summary>
    /// <param name="w">W, <paramref name="rows"/> × <paramref name="cols"/> row-major.</param>
    /// <param name="rows">Rows of W: the layer's output units.</param>
    /// <param name="cols">Columns of W: the layer's inputs.</param>
    /// <param name="activation">g, applied element-wise to W·x + b by every <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or <paramref name="activation"/> is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is not rows × cols floats, or <paramref name="activation"/> is not element-wise (softmax).</exception>
    public PackedMatVec(ReadOnlySpan<float> w, int rows, int cols, Activation activation)
        : this(w, rows, cols, activation, SimdWidth.Auto)
    {
    }

    /// <summary>Packs a copy of W for calls at <paramref name="width"/> (tests pack for each width in turn).</summary>
    internal PackedMatVec(ReadOnlySpan<float> w, int rows, int cols, Activation activation, SimdWidth width)
    {
        const string Kernel = "PackedMatVec";
        KernelGuard.NonNegative(rows, Kernel, nameof(rows));
        KernelGuard.NonNegative(cols, Kernel, nameof(cols));
        KernelGuard.MatrixLength(w.Length, rows, cols, Kernel, nameof(w), nameof(rows), nameof(cols));
        var choice = new KernelChoice(LaneMajorMatVec.LayoutFor(SimdWidths.Resolve(width), rows, cols));
        ActivationOperators.Visit(activation, ref choice, Kernel, nameof(activation));
        Rows = rows;
        Cols = cols;
        _activation = activation;
        _packedFor = SimdWidths.Resolve(width);
        int length = LaneMajorMatVec.PackedLength(choice.Layout, rows, cols);
        if (length > 0)
        {
            _packed = new AlignedBuffer(length);
            LaneMajorMatVec.Pack(choice.Layout, w, rows, cols, _packed.Span);
            _packedData = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(_packed.Span));
            _kernel = choice.Kernel;
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
    /// on <paramref name="w"/> and the activation given at construction, from the packed copy when the current width
    /// is the one it was packed for.
    /// </summary>
    /// <param name="w">The row-major W this copy was packed from (read at other widths and shapes).</param>
    /// <param name="x">x, <see cref="Cols"/> floats.</param>
    /// <param name="bias">b, <see cref="Rows"/> floats.</param>
    /// <param name="y">y, <see cref="Rows"/> floats; overwritten. Must not overlap the inputs.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match the shape, or y overlaps an input; <paramref name="y"/> is then left untouched.</exception>
    public void Forward(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y) =>
        Forward(w, x, bias, y, SimdWidth.Auto);

    /// <summary><see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> at <paramref name="width"/>.</summary>
    internal void Forward(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, SimdWidth width)
    {
        int rows = Rows, cols = Cols;

        // One combined test on the way in, as Gemm.MatVec's: the precise message only when it fails.
        if (w.Length != rows * cols || x.Length != cols || bias.Length != rows || y.Length != rows ||
            y.Overlaps(w) || y.Overlaps(x) || y.Overlaps(bias))
        {
            ThrowArguments(w, x, bias, y);
        }

        fixed (float* pw = w)
        fixed (float* px = x)
        fixed (float* pbias = bias)
        fixed (float* py = y)
        {
            if (_kernel != null && SimdWidths.Resolve(width) == _packedFor)
            {
                _kernel(_packedData, px, pbias, py, rows, cols);
            }
            else
            {
                MatVecKernels.Forward(width, pw, px, pbias, py, rows, cols, _activation);
            }
        }
    }

    [DoesNotReturn]
    private void ThrowArguments(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, ReadOnlySpan<float> y)
    {
        const string Kernel = "PackedMatVec.Forward";
        KernelGuard.MatrixLength(w.Length, Rows, Cols, Kernel, nameof(w), nameof(Rows), nameof(Cols));
        KernelGuard.VectorLength(x.Length, Cols, Kernel, nameof(x), nameof(Cols));
        KernelGuard.VectorLength(bias.Length, Rows, Kernel, nameof(bias), nameof(Rows));
        KernelGuard.VectorLength(y.Length, Rows, Kernel, nameof(y), nameof(Rows));
        KernelGuard.NoOverlap(y, w, Kernel, nameof(y), nameof(w));
        KernelGuard.NoOverlap(y, x, Kernel, nameof(y), nameof(x));
        KernelGuard.NoOverlap(y, bias, Kernel, nameof(y), nameof(bias));
        throw new UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    /// <summary>The layout's kernel for the activation, found once by visiting its operators.</summary>
    private struct KernelChoice(LaneMajorLayout layout) : IActivationVisitor
    {
        public LaneMajorLayout Layout { get; } = layout;

        public delegate*<float*, float*, float*, float*, int, int, void> Kernel { get; private set; }

        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator
        {
            if (Layout != LaneMajorLayout.None)
            {
                Kernel = LaneMajorMatVec.KernelFor<TActivation>(Layout);
            }
        }
    }
}
