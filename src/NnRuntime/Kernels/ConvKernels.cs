using System;
using System.Numerics.Tensors;

namespace NnGen.Kernels;

/// <summary>
/// Convolution (PyTorch's <c>Conv1d</c>/<c>Conv2d</c>: stride, asymmetric zero padding, dilation, groups) and pooling
/// over the feature-major CHWN layout of the generated networks: a (C, H, W) tensor of m examples is C·H·W rows of m
/// floats, element (c, y, x) of example j at ((c·H + y)·W + x)·m + j. A 1-D layer is the case height 1. Called by
/// generated code, with <c>batch</c> = m of the call (1 for one example).
/// </summary>
/// <remarks>
/// <para>
/// A convolution is one matrix product per group on the im2col matrix: row (ci, ky, kx) of it holds, for every output
/// position and example, the input under that kernel tap, so Z = W·col + b (Cout × Ho·Wo·m, which is exactly the
/// output's CHWN order), dW = scale·dZ·colᵀ and dcol = Wᵀ·dZ, whose entries col2im adds back to the inputs they came
/// from. In CHWN a row of col is made of runs of m contiguous floats (one per output position; with stride 1 a whole
/// output row's valid positions are one run), copied as blocks, or zero where the tap falls in the padding. A 1×1
/// kernel with stride 1 and no padding needs no im2col: the input is already col.
/// </para>
/// <para>
/// col is built in chunks of at most <see cref="ChunkColumns"/> columns (output positions × examples, a number fixed by the
/// kernel volume alone), so scratch stays within <see cref="ChunkFloats"/> floats however large the batch, and each
/// chunk's product reads its columns of col from cache. Every element of Z is one FMA chain over the kernel in order
/// whatever chunk or tile computes it, so the forward pass gives the same bits for any chunking; dW sums the chunks'
/// products in chunk order and dInput adds chunk after chunk, so the backward pass depends on the shapes alone. Nothing
/// depends on where the buffers sit or on <see cref="KernelParallelism"/>: the products run on the calling thread.
/// </para>
/// </remarks>
public static unsafe partial class ConvKernels
{
    /// <summary>
    /// The most floats of col one chunk holds (1 MiB): half a 2 MiB L2 (1 MiB on the project's older targets), so
    /// the chunk's product reads col from L2 right after im2col wrote it (docs/performance.md, convolution rows).
    /// </summary>
    internal const int ChunkFloats = 256 * 1024;

    /// <summary>Chunks are cut at multiples of 64 columns: whole tiles of every width and tile shape of the products.</summary>
    private const int ChunkAlignment = 64;

    /// <summary>
    /// Columns (output positions × examples) per chunk of col: <see cref="ChunkFloats"/> / the kernel volume, rounded
    /// down to a multiple of 64, at least 64. It depends on the geometry only.
    /// </summary>
    internal static int ChunkColumns(in ConvGeometry g) => Math.Max(ChunkAlignment, ChunkFloats / g.KernelVolume / ChunkAlignment * ChunkAlignment);

    /// <summary>The floats of scratch <see cref="ConvForward(in ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, Span{float})"/> needs for <paramref name="batch"/> examples.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">m, the examples per call.</param>
    /// <returns>The kernel volume × the columns of one chunk (0 for a 1×1 kernel with stride 1 and no padding, which needs none).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static int ConvForwardScratch(in ConvGeometry g, int batch) => ConvForwardScratch(g, batch, ChunkColumns(g));

    /// <summary>The floats of scratch <see cref="ConvBackward(in ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, float, Span{float}, Span{float}, Span{float}, Span{float})"/> needs for <paramref name="batch"/> examples.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">m, the examples per call.</param>
    /// <returns>Two chunks of col (col and dcol; none for a 1×1 kernel with stride 1 and no padding) plus one group's dW.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static int ConvBackwardScratch(in ConvGeometry g, int batch) => ConvBackwardScratch(g, batch, ChunkColumns(g));

    /// <summary>
    /// Z = W ∗ input + b for <paramref name="batch"/> examples in CHWN: output (co, oy, ox) of example j is
    /// b[co] + Σ W[co, ci, ky, kx]·input(group's ci, oy·sh + ky·dh − top, ox·sw + kx·dw − left, j), zero outside the input.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1], (Cin·H·W) × m.</param>
    /// <param name="weight">W, (Cout, Cin / groups, kh, kw) row-major: PyTorch's layout.</param>
    /// <param name="bias">b, Cout floats.</param>
    /// <param name="output">Z, (Cout·Ho·Wo) × m, before the activation; overwritten. Must not overlap the other spans.</param>
    /// <param name="batch">m, the examples.</param>
    /// <param name="scratch">At least <see cref="ConvForwardScratch(in ConvGeometry, int)"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch (the message names the
    /// span, the expected and the actual length), or <paramref name="output"/> overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void ConvForward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int batch, Span<float> scratch) =>
        ConvForward(g, input, weight, bias, output, batch, scratch, SimdWidth.Auto, ChunkColumns(g));

    /// <summary>
    /// The gradients of a convolution from dZ: dW = scale·Σ dZ·input patch, db = scale·Σ dZ over positions and examples,
    /// and dInput = the unscaled sum of W·dZ over every output that read each input.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1] of the forward pass, (Cin·H·W) × m.</param>
    /// <param name="weight">W, (Cout, Cin / groups, kh, kw).</param>
    /// <param name="deltaZ">dZ, (Cout·Ho·Wo) × m.</param>
    /// <param name="batch">m, the examples.</param>
    /// <param name="scale">The factor on dW and db (the caller's 1/m).</param>
    /// <param name="dWeight">dW, as long as <paramref name="weight"/>; overwritten.</param>
    /// <param name="dBias">db, Cout floats; overwritten.</param>
    /// <param name="dInput">dA[l-1], (Cin·H·W) × m, overwritten; empty to skip it (the first layer).</param>
    /// <param name="scratch">At least <see cref="ConvBackwardScratch(in ConvGeometry, int)"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch (the message names the
    /// span, the expected and the actual length), or an output span overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void ConvBackward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, int batch, float scale,
        Span<float> dWeight, Span<float> dBias, Span<float> dInput, Span<float> scratch) =>
        ConvBackward(g, input, weight, deltaZ, batch, scale, dWeight, dBias, dInput, scratch, SimdWidth.Auto, ChunkColumns(g));

    internal static int ConvForwardScratch(in ConvGeometry g, int batch, int chunkColumns)
    {
        KernelGuard.NonNegative(batch, "ConvKernels.ConvForwardScratch", nameof(batch));
        return IsPointwise(g) ? 0 : Floats((long)g.KernelVolume * Math.Min(Columns(g, batch), chunkColumns));
    }

    internal static int ConvBackwardScratch(in ConvGeometry g, int batch, int chunkColumns)
    {
        KernelGuard.NonNegative(batch, "ConvKernels.ConvBackwardScratch", nameof(batch));
        long columns = IsPointwise(g) ? 0 : Math.Min(Columns(g, batch), chunkColumns);
        return Floats((2L * g.KernelVolume * columns) + ((long)g.OutChannels / g.Groups * g.KernelVolume));
    }

    internal static void ConvForward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int batch,
        Span<float> scratch, SimdWidth width, int chunkColumns)
    {
        const string Kernel = "ConvKernels.ConvForward";
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        KernelGuard.MatrixLength(input.Length, g.InputFeatures, batch, Kernel, nameof(input), "Cin·H·W", nameof(batch));
        KernelGuard.VectorLength(weight.Length, g.WeightCount, Kernel, nameof(weight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.VectorLength(bias.Length, g.OutChannels, Kernel, nameof(bias), "Cout");
        KernelGuard.MatrixLength(output.Length, g.OutputFeatures, batch, Kernel, nameof(output), "Cout·Ho·Wo", nameof(batch));
        AtLeast(scratch.Length, ConvForwardScratch(g, batch, chunkColumns), Kernel, nameof(scratch), "ConvForwardScratch");
        KernelGuard.NoOverlap(output, input, Kernel, nameof(output), nameof(input));
        KernelGuard.NoOverlap(output, weight, Kernel, nameof(output), nameof(weight));
        KernelGuard.NoOverlap(output, bias, Kernel, nameof(output), nameof(bias));
        KernelGuard.NoOverlap(output, scratch, Kernel, nameof(output), nameof(scratch));
        KernelGuard.NoOverlap(scratch, input, Kernel, nameof(scratch), nameof(input));
        KernelGuard.NoOverlap(scratch, weight, Kernel, nameof(scratch), nameof(weight));
        KernelGuard.NoOverlap(scratch, bias, Kernel, nameof(scratch), nameof(bias));
        if (output.IsEmpty)
        {
            return;
        }

        SimdWidth resolved = SimdWidths.Resolve(width);
        TileShape tiles = TileShapes.Current;
        int columns = (int)Columns(g, batch);
        int volume = g.KernelVolume, groupOut = g.OutChannels / g.Groups, groupIn = g.InChannels / g.Groups;
        fixed (float* px = input)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        fixed (float* pz = output)
        fixed (float* pcol = scratch)
        {
            if (IsPointwise(g))
            {
                for (int group = 0; group < g.Groups; group++)
                {
                    GemmKernels.Outer(
                        resolved, tiles, pw + ((nint)group * groupOut * volume), volume, 1, px + ((nint)group * groupIn * columns), columns,
                        pz + ((nint)group * groupOut * columns), columns, groupOut, volume, columns, 1f,
                        new BiasActivationEpilogue<LinearOperator>(pb + (group * groupOut)));
                }

                return;
            }

            for (int start = 0; start < columns; start += chunkColumns)
            {
                // A last chunk narrower than a vector would run the products' scalar loop, whose sums are not fused; it
                // starts earlier instead, recomputing some columns with the same chains, so the bits never depend on the chunking.
                int first = columns - start < ChunkAlignment && start > 0 ? Math.Max(0, columns - ChunkAlignment) : start;
                int count = Math.Min(chunkColumns, columns - first);
                for (int group = 0; group < g.Groups; group++)
                {
                    Im2Col(g, px, group, batch, first, count, pcol);
                    GemmKernels.Outer(
                        resolved, tiles, pw + ((nint)group * groupOut * volume), volume, 1, pcol, count,
                        pz + ((nint)group * groupOut * columns) + first, columns, groupOut, volume, count, 1f,
                        new BiasActivationEpilogue<LinearOperator>(pb + (group * groupOut)));
                }
            }
        }
    }

    internal static void ConvBackward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, int batch, float scale,
        Span<float> dWeight, Span<float> dBias, Span<float> dInput, Span<float> scratch, SimdWidth width, int chunkColumns)
    {
        const string Kernel = "ConvKernels.ConvBackward";
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        KernelGuard.MatrixLength(input.Length, g.InputFeatures, batch, Kernel, nameof(input), "Cin·H·W", nameof(batch));
        KernelGuard.VectorLength(weight.Length, g.WeightCount, Kernel, nameof(weight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.MatrixLength(deltaZ.Length, g.OutputFeatures, batch, Kernel, nameof(deltaZ), "Cout·Ho·Wo", nameof(batch));
        KernelGuard.VectorLength(dWeight.Length, g.WeightCount, Kernel, nameof(dWeight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.VectorLength(dBias.Length, g.OutChannels, Kernel, nameof(dBias), "Cout");
        if (!dInput.IsEmpty)
        {
            KernelGuard.MatrixLength(dInput.Length, g.InputFeatures, batch, Kernel, nameof(dInput), "Cin·H·W", nameof(batch));
        }

        AtLeast(scratch.Length, ConvBackwardScratch(g, batch, chunkColumns), Kernel, nameof(scratch), "ConvBackwardScratch");
        NoOverlapWithInputs(dWeight, nameof(dWeight), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(dBias, nameof(dBias), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(dInput, nameof(dInput), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(scratch, nameof(scratch), input, weight, deltaZ, Kernel);
        KernelGuard.NoOverlap(dWeight, dBias, Kernel, nameof(dWeight), nameof(dBias));
        KernelGuard.NoOverlap(dWeight, dInput, Kernel, nameof(dWeight), nameof(dInput));
        KernelGuard.NoOverlap(dWeight, scratch, Kernel, nameof(dWeight), nameof(scratch));
        KernelGuard.NoOverlap(dBias, dInput, Kernel, nameof(dBias), nameof(dInput));
        KernelGuard.NoOverlap(dBias, scratch, Kernel, nameof(dBias), nameof(scratch));
        KernelGuard.NoOverlap(dInput, scratch, Kernel, nameof(dInput), nameof(scratch));

        SimdWidth resolved = SimdWidths.Resolve(width);
        int columns = (int)Columns(g, batch);
        ActivationKernels.SumRows(deltaZ, dBias, columns, scale, resolved);
        dInput.Clear();
        if (columns == 0)
        {
            dWeight.Clear();
            return;
        }

        TileShape tiles = TileShapes.Current;
        int volume = g.KernelVolume, groupOut = g.OutChannels / g.Groups, groupIn = g.InChannels / g.Groups;
        bool pointwise = IsPointwise(g);
        int chunk = pointwise ? columns : Math.Min(columns, chunkColumns);
        fixed (float* px = input)
        fixed (float* pw = weight)
        fixed (float* pdz = deltaZ)
        fixed (float* pdw = dWeight)
        fixed (float* pdx = dInput)
        fixed (float* pscratch = scratch)
        {
            float* col = pscratch;
            float* dcol = pscratch + ((nint)volume * (pointwise ? 0 : chunk));
            float* partial = dcol + ((nint)volume * (pointwise ? 0 : chunk));
            for (int start = 0; start < columns; start += chunk)
            {
                int count = Math.Min(chunk, columns - start);
                for (int group = 0; group < g.Groups; group++)
                {
                    float* w = pw + ((nint)group * groupOut * volume);
                    float* dw = pdw + ((nint)group * groupOut * volume);
                    float* dz = pdz + ((nint)group * groupOut * columns) + start;
                    float* x = pointwise ? px + ((nint)group * groupIn * columns) : col;
                    nint ldx = pointwise ? columns : count;
                    if (!pointwise)
                    {
                        Im2Col(g, px, group, batch, start, count, col);
                    }

                    // dW = scale·dZ·colᵀ: the first chunk writes it, later ones add their own product.
                    GemmKernels.Dot(resolved, tiles, dz, columns, x, ldx, start == 0 ? dw : partial, volume, groupOut, count, volume, scale, null);
                    if (start > 0)
                    {
                        TensorPrimitives.Add(new ReadOnlySpan<float>(dw, groupOut * volume), new ReadOnlySpan<float>(partial, groupOut * volume), new Span<float>(dw, groupOut * volume));
                    }

                    if (pdx == null)
                    {
                        continue;
                    }

                    // dcol = Wᵀ·dZ: Wᵀ(i, p) = w[p·volume + i], read in place through the depth stride.
                    float* dx = pointwise ? pdx + ((nint)group * groupIn * columns) : dcol;
                    GemmKernels.Outer(resolved, tiles, w, 1, volume, dz, columns, dx, ldx, volume, groupOut, count, 1f);
                    if (!pointwise)
                    {
                        Col2Im(g, pdx, group, batch, start, count, dcol);
                    }
                }
            }
        }
    }

    /// <summary>A 1×1 kernel with stride 1 and no padding reads each input once, in place: the input is its own im2col matrix.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1 &&
        g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0;

    /// <summary>Ho·Wo·m: the columns of col and of Z.</summary>
    private static long Columns(in ConvGeometry g, int batch) => (long)g.OutHeight * g.OutWidth * batch;

    private static int Floats(long floats) =>
        floats <= int.MaxValue ? (int)floats : throw new ArgumentException("The convolution's scratch exceeds one buffer (2^31 - 1 floats).");

    /// <summary>
    /// Columns [first, first + count) of group <paramref name="group"/>'s im2col matrix into <paramref name="col"/>
    /// (kernel volume rows × count): row (ci, ky, kx), column (oy·Wo + ox)·m + j holds input(ci, y, x, j) for
    /// y = oy·sh + ky·dh − top, x = ox·sw + kx·dw − left, or zero in the padding.
    /// </summary>
    private static void Im2Col(in ConvGeometry g, float* input, int group, int batch, long first, int count, float* col)
    {
        var taps = new TapWalk(g, batch, first, count);
        int groupIn = g.InChannels / g.Groups;
        int row = 0;
        for (int ci = 0; ci < groupIn; ci++)
        {
            float* plane = input + ((nint)(group * groupIn + ci) * g.InHeight * g.InWidth * batch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++, row++)
                {
                    // Indexed by the absolute column, so every run below is clipped against the chunk the same way.
                    float* target = col + ((nint)row * count) - first;
                    taps.Start(ky, kx);
                    for (int oy = taps.FirstRow; oy <= taps.LastRow; oy++)
                    {
                        long rowStart = oy * taps.RowColumns;
                        int y = taps.InputRow(oy);
                        if (y < 0)
                        {
                            taps.Zero(target, rowStart, rowStart + taps.RowColumns);
                            continue;
                        }

                        float* source = plane + ((nint)y * g.InWidth * batch);
                        taps.Zero(target, rowStart, rowStart + (taps.Low * (long)batch));
                        if (g.StrideWidth == 1)
                        {
                            // Stride 1: the valid positions of the output row read one contiguous stretch of the input row.
                            taps.Copy(target, rowStart + (taps.Low * (long)batch), rowStart + (taps.High * (long)batch), source + ((nint)taps.InputColumn(taps.Low) * batch));
                        }
                        else
                        {
                            for (int ox = taps.Low; ox < taps.High; ox++)
                            {
                                long run = rowStart + ((long)ox * batch);
                                taps.Copy(target, run, run + batch, source + ((nint)taps.InputColumn(ox) * batch));
                            }
                        }

                        taps.Zero(target, rowStart + (taps.High * (long)batch), rowStart + taps.RowColumns);
                    }
                }
            }
        }
    }

    /// <summary>The inverse of <see cref="Im2Col"/>: adds every entry of <paramref name="dcol"/> to the input it was copied from.</summary>
    private static void Col2Im(in ConvGeometry g, float* dInput, int group, int batch, long first, int count, float* dcol)
    {
        var taps = new TapWalk(g, batch, first, count);
        int groupIn = g.InChannels / g.Groups;
        int row = 0;
        for (int ci = 0; ci < groupIn; ci++)
        {
            float* plane = dInput + ((nint)(group * groupIn + ci) * g.InHeight * g.InWidth * batch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++, row++)
                {
                    float* source = dcol + ((nint)row * count) - first;
                    taps.Start(ky, kx);
                    for (int oy = taps.FirstRow; oy <= taps.LastRow; oy++)
                    {
                        int y = taps.InputRow(oy);
                        if (y < 0)
                        {
                            continue;
                        }

                        long rowStart = oy * taps.RowColumns;
                        float* target = plane + ((nint)y * g.InWidth * batch);
                        if (g.StrideWidth == 1)
                        {
                            taps.AddTo(source, rowStart + (taps.Low * (long)batch), rowStart + (taps.High * (long)batch), target + ((nint)taps.InputColumn(taps.Low) * batch));
                        }
                        else
                        {
                            for (int ox = taps.Low; ox < taps.High; ox++)
                            {
                                long run = rowStart + ((long)ox * batch);
                                taps.AddTo(source, run, run + batch, target + ((nint)taps.InputColumn(ox) * batch));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The positions one kernel tap reads, for a chunk of columns [first, end): the output rows the chunk touches, the
    /// input row of each (negative in the padding), and the output columns [Low, High) whose input column is inside
    /// the input; runs are clipped to the chunk.
    /// </summary>
    private struct TapWalk
    {
        private readonly int _inHeight, _inWidth, _outWidth, _strideHeight, _strideWidth, _dilationHeight, _dilationWidth, _padTop, _padLeft;
        private readonly long _first, _end;
        private int _rowOffset, _columnOffset;

        public TapWalk(in ConvGeometry g, int batch, long first, int count)
        {
            _inHeight = g.InHeight;
            _inWidth = g.InWidth;
            _outWidth = g.OutWidth;
            _strideHeight = g.StrideHeight;
            _strideWidth = g.StrideWidth;
            _dilationHeight = g.DilationHeight;
            _dilationWidth = g.DilationWidth;
            _padTop = g.PadTop;
            _padLeft = g.PadLeft;
            _first = first;
            _end = first + count;
            RowColumns = (long)g.OutWidth * batch;
            FirstRow = (int)(first / RowColumns);
            LastRow = (int)((_end - 1) / RowColumns);
        }

        /// <summary>Wo·m: the columns of one output row.</summary>
        public long RowColumns { get; }

        /// <summary>The first output row the chunk touches.</summary>
        public int FirstRow { get; }

        /// <summary>The last output row the chunk touches.</summary>
        public int LastRow { get; }

        /// <summary>The first output column whose input column lies inside the input.</summary>
        public int Low { get; private set; }

        /// <summary>One past the last such output column (at least <see cref="Low"/>).</summary>
        public int High { get; private set; }

        public void Start(int ky, int kx)
        {
            _rowOffset = (ky * _dilationHeight) - _padTop;
            _columnOffset = (kx * _dilationWidth) - _padLeft;

            // ox·sw + offset ∈ [0, W): ox ≥ ⌈−offset / sw⌉ and ox ≤ ⌊(W − 1 − offset) / sw⌋.
            int low = _columnOffset >= 0 ? 0 : (-_columnOffset + _strideWidth - 1) / _strideWidth;
            int last = _inWidth - 1 - _columnOffset;
            int high = last < 0 ? 0 : Math.Min(_outWidth, (last / _strideWidth) + 1);
            Low = Math.Min(low, _outWidth);
            High = Math.Max(high, Low);
        }

        /// <summary>The input row output row <paramref name="oy"/> reads with this tap, or −1 in the padding.</summary>
        public readonly int InputRow(int oy)
        {
            int y = (oy * _strideHeight) + _rowOffset;
            return y >= 0 && y < _inHeight ? y : -1;
        }

        /// <summary>The input column output column <paramref name="ox"/> reads with this tap.</summary>
        public readonly int InputColumn(int ox) => (ox * _strideWidth) + _columnOffset;

        /// <summary>Zeros target[start, end) within the chunk.</summary>
        public readonly void Zero(float* target, long start, long end)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                new Span<float>(target + from, (int)(to - from)).Clear();
            }
        }

        /// <summary>target[start, end) = source[0, end − start) within the chunk.</summary>
        public readonly void Copy(float* target, long start, long end, float* source)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                new ReadOnlySpan<float>(source + (from - start), (int)(to - from)).CopyTo(new Span<float>(target + from, (int)(to - from)));
            }
        }

        /// <summary>target[0, end − start) += source[start, end) within the chunk.</summary>
        public readonly void AddTo(float* source, long start, long end, float* target)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                var sum = new Span<float>(target + (from - start), (int)(to - from));
                TensorPrimitives.Add(sum, new ReadOnlySpan<float>(source + from, (int)(to - from)), sum);
            }
        }
    }

    private static void NoOverlapWithInputs(
        ReadOnlySpan<float> output, string name, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, string kernel)
    {
        KernelGuard.NoOverlap(output, input, kernel, name, nameof(input));
        KernelGuard.NoOverlap(output, weight, kernel, name, nameof(weight));
        KernelGuard.NoOverlap(output, deltaZ, kernel, name, nameof(deltaZ));
    }

    private static void AtLeast(int actual, int expected, string kernel, string parameter, string sizeName)
    {
        if (actual < expected)
        {
            throw new ArgumentException(
                ConvGeometry.Invariant($"{kernel}: {parameter} has {actual} floats, expected at least {expected} ({sizeName})."), parameter);
        }
    }
}
