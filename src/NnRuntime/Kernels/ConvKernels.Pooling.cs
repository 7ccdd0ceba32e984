using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>Max, average and global average pooling in CHWN, vectorized along the examples of each (c, y, x) row.</summary>
/// <remarks>
/// Each lane is one example and sees exactly the scalar arithmetic (a max, or a sum over the window in row-major order
/// divided by the window's size), so every width gives the same bits, and so does the scalar loop that takes the lanes
/// no vector takes (in the forward kernels, only a batch smaller than one vector: their last vector ends at the batch's
/// end, overlapping the one before). Windows follow PyTorch with <c>ceil_mode=False</c>: the padding (at most half the
/// window) is −∞ for max, whose windows therefore always hold an input, and zeros counted in the average
/// (<c>count_include_pad=True</c>), so an average always divides by kh·kw.
/// </remarks>
public static unsafe partial class ConvKernels
{
    /// <summary>
    /// Each output is the largest input of its window; a NaN in the window is the result (PyTorch's rule: a later value
    /// replaces the maximum when it is greater or NaN).
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1], (C·H·W) × m.</param>
    /// <param name="output">A[l], (C·Ho·Wo) × m; overwritten. Must not overlap <paramref name="input"/>.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void MaxPoolForward(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int batch) =>
        MaxPoolForward(g, input, output, batch, SimdWidth.Auto);

    /// <summary>
    /// Routes each output's gradient to the input its window's maximum came from, recomputed from the input: the first
    /// maximum in row-major window order (the last NaN where there is one), as PyTorch's CPU kernel picks it. Inputs
    /// in several windows add up their gradients; inputs in none get zero.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1] of the forward pass, (C·H·W) × m.</param>
    /// <param name="deltaOut">dA[l], (C·Ho·Wo) × m.</param>
    /// <param name="dInput">dA[l-1], (C·H·W) × m; overwritten. Must not overlap the other spans.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch, or <paramref name="dInput"/> overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void MaxPoolBackward(in PoolGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch) =>
        MaxPoolBackward(g, input, deltaOut, dInput, batch, SimdWidth.Auto);

    /// <summary>Each output is the sum of its window's inputs divided by kh·kw, the padding counting as zeros.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1], (C·H·W) × m.</param>
    /// <param name="output">A[l], (C·Ho·Wo) × m; overwritten. Must not overlap <paramref name="input"/>.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void AvgPoolForward(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int batch) =>
        AvgPoolForward(g, input, output, batch, SimdWidth.Auto);

    /// <summary>Each input gets the sum, over the windows it lies in, of the window's output gradient divided by kh·kw.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="deltaOut">dA[l], (C·Ho·Wo) × m.</param>
    /// <param name="dInput">dA[l-1], (C·H·W) × m; overwritten. Must not overlap <paramref name="deltaOut"/>.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void AvgPoolBackward(in PoolGeometry g, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch) =>
        AvgPoolBackward(g, deltaOut, dInput, batch, SimdWidth.Auto);

    /// <summary>output[c, j] = Σ_p input[c, p, j] / positions: the mean of each channel over its positions (PyTorch's <c>AdaptiveAvgPool(1)</c>).</summary>
    /// <param name="channels">C.</param>
    /// <param name="positions">P: H·W, or L for 1-D.</param>
    /// <param name="input">A[l-1], (C·P) × m.</param>
    /// <param name="output">A[l], C × m; overwritten. Must not overlap <paramref name="input"/>.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or <paramref name="positions"/> is 0.</exception>
    public static void GlobalAvgPoolForward(int channels, int positions, ReadOnlySpan<float> input, Span<float> output, int batch) =>
        GlobalAvgPoolForward(channels, positions, input, output, batch, SimdWidth.Auto);

    /// <summary>dInput[c, p, j] = deltaOut[c, j] / positions.</summary>
    /// <param name="channels">C.</param>
    /// <param name="positions">P: H·W, or L for 1-D.</param>
    /// <param name="deltaOut">dA[l], C × m.</param>
    /// <param name="dInput">dA[l-1], (C·P) × m; overwritten. Must not overlap <paramref name="deltaOut"/>.</param>
    /// <param name="batch">m, the examples.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or <paramref name="positions"/> is 0.</exception>
    public static void GlobalAvgPoolBackward(int channels, int positions, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch) =>
        GlobalAvgPoolBackward(channels, positions, deltaOut, dInput, batch, SimdWidth.Auto);

    internal static void MaxPoolForward(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.MaxPoolForward";
        CheckPool(g, input, nameof(input), g.InputFeatures, "C·H·W", output, nameof(output), g.OutputFeatures, "C·Ho·Wo", batch, Kernel);
        fixed (float* px = input)
        fixed (float* pz = output)
        {
            var pool = new Pool(g, batch);
            switch (SimdWidths.Resolve(width))
            {
                case SimdWidth.V512: MaxForward<Simd512, Vector512<float>>(pool, px, pz, vectors: true); break;
                case SimdWidth.V256: MaxForward<Simd256, Vector256<float>>(pool, px, pz, vectors: true); break;
                case SimdWidth.V128: MaxForward<Simd128, Vector128<float>>(pool, px, pz, vectors: true); break;
                default: MaxForward<Simd128, Vector128<float>>(pool, px, pz, vectors: false); break;
            }
        }
    }

    internal static void MaxPoolBackward(in PoolGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.MaxPoolBackward";
        CheckPool(g, deltaOut, nameof(deltaOut), g.OutputFeatures, "C·Ho·Wo", dInput, nameof(dInput), g.InputFeatures, "C·H·W", batch, Kernel);
        KernelGuard.MatrixLength(input.Length, g.InputFeatures, batch, Kernel, nameof(input), "C·H·W", nameof(batch));
        KernelGuard.NoOverlap(dInput, input, Kernel, nameof(dInput), nameof(input));
        if (dInput.IsEmpty)
        {
            return;
        }

        fixed (float* px = input)
        fixed (float* pdz = deltaOut)
        fixed (float* pdx = dInput)
        {
            var pass = new MaxBackwardPass(new Pool(g, batch), g, SimdWidths.Resolve(width), px, pdz, pdx);
            int parts = (long)g.InputFeatures * batch >= MinimumParallelPoolFloats ? Math.Min(KernelParallelism.Current, g.Channels) : 1;
            if (parts > 1)
            {
                KernelWorkers.Run(&MaxBackwardPart, &pass, parts);
            }
            else
            {
                MaxBackwardPart(&pass, 0, 1);
            }
        }
    }

    /// <summary>
    /// The fewest input floats (C·H·W·m) whose pooling backward is shared over threads: 64K floats take about 15 µs on one
    /// thread (LeNet-5's second pool, 205K floats at m = 128, measured 50 µs on a Zen 5), well above a hand-off to the
    /// workers.
    /// </summary>
    private const long MinimumParallelPoolFloats = 1L << 16;

    /// <summary>Channels [part·C/parts, (part + 1)·C/parts) of a max-pool backward pass: each thread owns its channels' inputs.</summary>
    private static void MaxBackwardPart(void* state, int part, int parts)
    {
        ref MaxBackwardPass pass = ref *(MaxBackwardPass*)state;
        int channels = pass.Pool.Channels;
        int first = channels * part / parts, end = channels * (part + 1) / parts;
        switch (pass.Width)
        {
            case SimdWidth.V512: MaxBackward<Simd512, Vector512<float>>(pass, first, end, vectors: true); break;
            case SimdWidth.V256: MaxBackward<Simd256, Vector256<float>>(pass, first, end, vectors: true); break;
            case SimdWidth.V128: MaxBackward<Simd128, Vector128<float>>(pass, first, end, vectors: true); break;
            default: MaxBackward<Simd128, Vector128<float>>(pass, first, end, vectors: false); break;
        }
    }

    /// <summary>
    /// One max-pool backward call's operands, shared by the threads that take its channels. <see cref="Disjoint"/>: no
    /// input lies in two windows (stride ≥ window in both directions), so each window stores its gradients instead of
    /// adding them; <see cref="Covering"/>: also every input lies in a window, so nothing needs clearing first.
    /// </summary>
    private readonly struct MaxBackwardPass(in Pool pool, in PoolGeometry g, SimdWidth width, float* input, float* deltaOut, float* dInput)
    {
        public readonly Pool Pool = pool;
        public readonly SimdWidth Width = width;
        public readonly float* Input = input, DeltaOut = deltaOut, DInput = dInput;
        public readonly bool Disjoint = g.StrideHeight >= g.KernelHeight && g.StrideWidth >= g.KernelWidth;

        // With stride = window the last window ends at Ho·k − pad; the first starts at −pad, never past the first input.
        public readonly bool Covering =
            g.StrideHeight == g.KernelHeight && g.StrideWidth == g.KernelWidth &&
            ((long)g.OutHeight * g.KernelHeight) - g.PadHeight >= g.InHeight && ((long)g.OutWidth * g.KernelWidth) - g.PadWidth >= g.InWidth;
    }

    internal static void AvgPoolForward(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.AvgPoolForward";
        CheckPool(g, input, nameof(input), g.InputFeatures, "C·H·W", output, nameof(output), g.OutputFeatures, "C·Ho·Wo", batch, Kernel);
        fixed (float* px = input)
        fixed (float* pz = output)
        {
            var pool = new Pool(g, batch);
            switch (SimdWidths.Resolve(width))
            {
                case SimdWidth.V512: AvgForward<Simd512, Vector512<float>>(pool, px, pz, vectors: true); break;
                case SimdWidth.V256: AvgForward<Simd256, Vector256<float>>(pool, px, pz, vectors: true); break;
                case SimdWidth.V128: AvgForward<Simd128, Vector128<float>>(pool, px, pz, vectors: true); break;
                default: AvgForward<Simd128, Vector128<float>>(pool, px, pz, vectors: false); break;
            }
        }
    }

    internal static void AvgPoolBackward(in PoolGeometry g, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.AvgPoolBackward";
        CheckPool(g, deltaOut, nameof(deltaOut), g.OutputFeatures, "C·Ho·Wo", dInput, nameof(dInput), g.InputFeatures, "C·H·W", batch, Kernel);
        dInput.Clear();
        fixed (float* pdz = deltaOut)
        fixed (float* pdx = dInput)
        {
            var pool = new Pool(g, batch);
            switch (SimdWidths.Resolve(width))
            {
                case SimdWidth.V512: AvgBackward<Simd512, Vector512<float>>(pool, pdz, pdx, vectors: true); break;
                case SimdWidth.V256: AvgBackward<Simd256, Vector256<float>>(pool, pdz, pdx, vectors: true); break;
                case SimdWidth.V128: AvgBackward<Simd128, Vector128<float>>(pool, pdz, pdx, vectors: true); break;
                default: AvgBackward<Simd128, Vector128<float>>(pool, pdz, pdx, vectors: false); break;
            }
        }
    }

    internal static void GlobalAvgPoolForward(int channels, int positions, ReadOnlySpan<float> input, Span<float> output, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.GlobalAvgPoolForward";
        CheckGlobal(channels, positions, input, nameof(input), output, nameof(output), batch, Kernel);
        fixed (float* px = input)
        fixed (float* pz = output)
        {
            switch (SimdWidths.Resolve(width))
            {
                case SimdWidth.V512: GlobalForward<Simd512, Vector512<float>>(channels, positions, px, pz, batch, vectors: true); break;
                case SimdWidth.V256: GlobalForward<Simd256, Vector256<float>>(channels, positions, px, pz, batch, vectors: true); break;
                case SimdWidth.V128: GlobalForward<Simd128, Vector128<float>>(channels, positions, px, pz, batch, vectors: true); break;
                default: GlobalForward<Simd128, Vector128<float>>(channels, positions, px, pz, batch, vectors: false); break;
            }
        }
    }

    internal static void GlobalAvgPoolBackward(int channels, int positions, ReadOnlySpan<float> deltaOut, Span<float> dInput, int batch, SimdWidth width)
    {
        const string Kernel = "ConvKernels.GlobalAvgPoolBackward";
        CheckGlobal(channels, positions, dInput, nameof(dInput), deltaOut, nameof(deltaOut), batch, Kernel);
        fixed (float* pdz = deltaOut)
        fixed (float* pdx = dInput)
        {
            switch (SimdWidths.Resolve(width))
            {
                case SimdWidth.V512: GlobalBackward<Simd512, Vector512<float>>(channels, positions, pdz, pdx, batch, vectors: true); break;
                case SimdWidth.V256: GlobalBackward<Simd256, Vector256<float>>(channels, positions, pdz, pdx, batch, vectors: true); break;
                case SimdWidth.V128: GlobalBackward<Simd128, Vector128<float>>(channels, positions, pdz, pdx, batch, vectors: true); break;
                default: GlobalBackward<Simd128, Vector128<float>>(channels, positions, pdz, pdx, batch, vectors: false); break;
            }
        }
    }

    /// <summary>
    /// One pass over every window; <paramref name="vectors"/> false leaves every lane to the scalar loop (the scalar
    /// width), which computes exactly what a vector lane does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForward<TSimd, TVec>(in Pool pool, float* input, float* output, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int batch = pool.Batch, lanes = vectors ? TSimd.Count : int.MaxValue;
        int vectorEnd = VectorEnd(batch, lanes);
        for (int window = 0; window < pool.Windows; window++)
        {
            Window w = pool.At(window);
            float* first = input + w.Plane;
            float* target = output + ((nint)window * batch);
            int j = 0;
            for (; j < vectorEnd; j += lanes)
            {
                int at = Math.Min(j, batch - lanes);
                TVec best = TSimd.Broadcast(float.NegativeInfinity);
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        TVec value = TSimd.Load(first + pool.Offset(y, x) + at);
                        best = TSimd.Select(TSimd.LessThan(best, value), value, best);
                        best = TSimd.Select(TSimd.IsNaN(value), value, best);
                    }
                }

                TSimd.Store(best, target + at);
            }

            for (; j < batch; j++)
            {
                float best = float.NegativeInfinity;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        float value = first[pool.Offset(y, x) + j];
                        if (value > best || float.IsNaN(value))
                        {
                            best = value;
                        }
                    }
                }

                target[j] = best;
            }
        }
    }

    /// <summary>
    /// Channels [firstChannel, endChannel): per lane, the window's tap that PyTorch picks (its number in row-major window
    /// order, kept as a float: windows are far below 2^24 taps), then a second pass over the taps gives the gradient to
    /// the matching tap: stored where windows are disjoint (zero to the others), added where they overlap (onto a
    /// cleared plane). Either way each input's gradient is the sum of its windows' in window order, on the one thread
    /// that owns its channel, so the bits are the same for any width or thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxBackward<TSimd, TVec>(in MaxBackwardPass pass, int firstChannel, int endChannel, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        Pool pool = pass.Pool;
        int batch = pool.Batch, lanes = vectors ? TSimd.Count : int.MaxValue;
        bool disjoint = pass.Disjoint;
        if (!pass.Covering)
        {
            new Span<float>(pass.DInput + (firstChannel * pool.PlaneFloats), (int)((endChannel - firstChannel) * pool.PlaneFloats)).Clear();
        }

        int windowsPerChannel = pool.Windows / pool.Channels;
        for (int window = firstChannel * windowsPerChannel; window < endChannel * windowsPerChannel; window++)
        {
            Window w = pool.At(window);
            float* first = pass.Input + w.Plane;
            float* gradientFirst = pass.DInput + w.Plane;
            float* source = pass.DeltaOut + ((nint)window * batch);
            int j = 0;
            for (; j <= batch - lanes; j += lanes)
            {
                TVec best = TSimd.Broadcast(float.NegativeInfinity);
                TVec chosen = TSimd.Zero;
                float tap = 0;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++, tap++)
                    {
                        TVec value = TSimd.Load(first + pool.Offset(y, x) + j);
                        TVec take = TSimd.LessThan(best, value);
                        best = TSimd.Select(take, value, best);
                        chosen = TSimd.Select(take, TSimd.Broadcast(tap), chosen);
                        TVec nan = TSimd.IsNaN(value);
                        best = TSimd.Select(nan, value, best);
                        chosen = TSimd.Select(nan, TSimd.Broadcast(tap), chosen);
                    }
                }

                TVec gradient = TSimd.Load(source + j);
                tap = 0;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++, tap++)
                    {
                        TVec here = TSimd.And(TSimd.GreaterThanOrEqual(chosen, TSimd.Broadcast(tap)), TSimd.LessThan(chosen, TSimd.Broadcast(tap + 1)));
                        float* target = gradientFirst + pool.Offset(y, x) + j;
                        TVec routed = TSimd.And(gradient, here);
                        TSimd.Store(disjoint ? routed : TSimd.Add(TSimd.Load(target), routed), target);
                    }
                }
            }

            for (; j < batch; j++)
            {
                // The window's first tap holds until something beats −∞ (all −∞: PyTorch also keeps the first).
                float best = float.NegativeInfinity;
                nint chosen = pool.Offset(w.Top, w.Left);
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        float value = first[pool.Offset(y, x) + j];
                        if (value > best || float.IsNaN(value))
                        {
                            best = value;
                            chosen = pool.Offset(y, x);
                        }
                    }
                }

                if (disjoint)
                {
                    for (int y = w.Top; y < w.Bottom; y++)
                    {
                        for (int x = w.Left; x < w.Right; x++)
                        {
                            gradientFirst[pool.Offset(y, x) + j] = 0f;
                        }
                    }

                    gradientFirst[chosen + j] = source[j];
                }
                else
                {
                    gradientFirst[chosen + j] += source[j];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AvgForward<TSimd, TVec>(in Pool pool, float* input, float* output, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int batch = pool.Batch, lanes = vectors ? TSimd.Count : int.MaxValue;
        int vectorEnd = VectorEnd(batch, lanes);
        float size = pool.WindowSize;
        TVec sizes = TSimd.Broadcast(size);
        for (int window = 0; window < pool.Windows; window++)
        {
            Window w = pool.At(window);
            float* first = input + w.Plane;
            float* target = output + ((nint)window * batch);
            int j = 0;
            for (; j < vectorEnd; j += lanes)
            {
                int at = Math.Min(j, batch - lanes);
                TVec sum = TSimd.Zero;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        sum = TSimd.Add(sum, TSimd.Load(first + pool.Offset(y, x) + at));
                    }
                }

                TSimd.Store(TSimd.Divide(sum, sizes), target + at);
            }

            for (; j < batch; j++)
            {
                float sum = 0;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        sum += first[pool.Offset(y, x) + j];
                    }
                }

                target[j] = sum / size;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AvgBackward<TSimd, TVec>(in Pool pool, float* deltaOut, float* dInput, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int batch = pool.Batch, lanes = vectors ? TSimd.Count : int.MaxValue;
        float size = pool.WindowSize;
        TVec sizes = TSimd.Broadcast(size);
        for (int window = 0; window < pool.Windows; window++)
        {
            Window w = pool.At(window);
            float* gradientFirst = dInput + w.Plane;
            float* source = deltaOut + ((nint)window * batch);
            int j = 0;
            for (; j <= batch - lanes; j += lanes)
            {
                TVec share = TSimd.Divide(TSimd.Load(source + j), sizes);
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        float* target = gradientFirst + pool.Offset(y, x) + j;
                        TSimd.Store(TSimd.Add(TSimd.Load(target), share), target);
                    }
                }
            }

            for (; j < batch; j++)
            {
                float share = source[j] / size;
                for (int y = w.Top; y < w.Bottom; y++)
                {
                    for (int x = w.Left; x < w.Right; x++)
                    {
                        gradientFirst[pool.Offset(y, x) + j] += share;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GlobalForward<TSimd, TVec>(int channels, int positions, float* input, float* output, int batch, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int lanes = vectors ? TSimd.Count : int.MaxValue;
        int vectorEnd = VectorEnd(batch, lanes);
        float count = positions;
        TVec counts = TSimd.Broadcast(count);
        for (int c = 0; c < channels; c++)
        {
            float* plane = input + ((nint)c * positions * batch);
            float* target = output + ((nint)c * batch);
            int j = 0;
            for (; j < vectorEnd; j += lanes)
            {
                int at = Math.Min(j, batch - lanes);
                TVec sum = TSimd.Zero;
                for (int p = 0; p < positions; p++)
                {
                    sum = TSimd.Add(sum, TSimd.Load(plane + ((nint)p * batch) + at));
                }

                TSimd.Store(TSimd.Divide(sum, counts), target + at);
            }

            for (; j < batch; j++)
            {
                float sum = 0;
                for (int p = 0; p < positions; p++)
                {
                    sum += plane[((nint)p * batch) + j];
                }

                target[j] = sum / count;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GlobalBackward<TSimd, TVec>(int channels, int positions, float* deltaOut, float* dInput, int batch, bool vectors)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int lanes = vectors ? TSimd.Count : int.MaxValue;
        float count = positions;
        TVec counts = TSimd.Broadcast(count);
        for (int c = 0; c < channels; c++)
        {
            float* source = deltaOut + ((nint)c * batch);
            float* plane = dInput + ((nint)c * positions * batch);
            int j = 0;
            for (; j <= batch - lanes; j += lanes)
            {
                TVec share = TSimd.Divide(TSimd.Load(source + j), counts);
                for (int p = 0; p < positions; p++)
                {
                    TSimd.Store(share, plane + ((nint)p * batch) + j);
                }
            }

            for (; j < batch; j++)
            {
                float share = source[j] / count;
                for (int p = 0; p < positions; p++)
                {
                    plane[((nint)p * batch) + j] = share;
                }
            }
        }
    }

    /// <summary>
    /// Where the forward kernels' vector loop over the examples stops: the whole batch when it holds a vector (the last
    /// vector then ends at the batch's end, recomputing a few lanes of the one before with the same arithmetic, instead
    /// of leaving up to a vector's worth of lanes to the scalar loop), else 0.
    /// </summary>
    private static int VectorEnd(int batch, int lanes) => batch >= lanes ? batch : 0;

    private static void CheckPool(
        in PoolGeometry g, ReadOnlySpan<float> read, string readName, int readFeatures, string readShape,
        ReadOnlySpan<float> written, string writtenName, int writtenFeatures, string writtenShape, int batch, string kernel)
    {
        KernelGuard.NonNegative(batch, kernel, nameof(batch));
        KernelGuard.MatrixLength(read.Length, readFeatures, batch, kernel, readName, readShape, nameof(batch));
        KernelGuard.MatrixLength(written.Length, writtenFeatures, batch, kernel, writtenName, writtenShape, nameof(batch));
        KernelGuard.NoOverlap(written, read, kernel, writtenName, readName);
    }

    /// <summary>Checks (C·P) × m <paramref name="full"/> against C × m <paramref name="pooled"/>.</summary>
    private static void CheckGlobal(
        int channels, int positions, ReadOnlySpan<float> full, string fullName, ReadOnlySpan<float> pooled, string pooledName, int batch, string kernel)
    {
        KernelGuard.NonNegative(channels, kernel, nameof(channels));
        KernelGuard.NonNegative(positions, kernel, nameof(positions));
        KernelGuard.NonNegative(batch, kernel, nameof(batch));
        if (positions == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(positions), positions, $"{kernel}: positions is 0; an average needs at least one position.");
        }

        KernelGuard.MatrixLength(full.Length, channels * positions, batch, kernel, fullName, "C·P", nameof(batch));
        KernelGuard.MatrixLength(pooled.Length, channels, batch, kernel, pooledName, "C", nameof(batch));
        KernelGuard.NoOverlap(full, pooled, kernel, fullName, pooledName);
    }

    /// <summary>One output's window: its channel's first input row and the input rows and columns inside the input.</summary>
    private readonly record struct Window(nint Plane, int Top, int Bottom, int Left, int Right);

    /// <summary>The windows of a pooling layer in output order, (c, oy, ox); an input (c, y, x) sits at ((c·H + y)·W + x)·m.</summary>
    private readonly struct Pool(in PoolGeometry g, int batch)
    {
        private readonly int _channels = g.Channels, _inHeight = g.InHeight, _inWidth = g.InWidth, _outHeight = g.OutHeight, _outWidth = g.OutWidth;
        private readonly int _kernelHeight = g.KernelHeight, _kernelWidth = g.KernelWidth, _strideHeight = g.StrideHeight, _strideWidth = g.StrideWidth;
        private readonly int _padHeight = g.PadHeight, _padWidth = g.PadWidth;

        public int Batch { get; } = batch;

        public int Channels => _channels;

        /// <summary>H·W·m: the floats of one channel's input.</summary>
        public nint PlaneFloats => (nint)_inHeight * _inWidth * Batch;

        public int Windows => _channels * _outHeight * _outWidth;

        /// <summary>kh·kw, the divisor of every average (the padding counts).</summary>
        public float WindowSize => _kernelHeight * _kernelWidth;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Offset(int y, int x) => ((nint)y * _inWidth + x) * Batch;

        public Window At(int window)
        {
            (int rest, int ox) = Math.DivRem(window, _outWidth);
            (int c, int oy) = Math.DivRem(rest, _outHeight);
            int top = (oy * _strideHeight) - _padHeight, left = (ox * _strideWidth) - _padWidth;
            return new Window(
                (nint)c * _inHeight * _inWidth * Batch,
                Math.Max(top, 0), Math.Min(top + _kernelHeight, _inHeight), Math.Max(left, 0), Math.Min(left + _kernelWidth, _inWidth));
        }
    }
}
