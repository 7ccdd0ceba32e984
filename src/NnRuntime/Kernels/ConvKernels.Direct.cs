using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The direct forward convolution: no im2col copy, each output computed from the input read in place.
/// </summary>
/// <remarks>
/// In CHWN the input under one kernel tap, for one output position, is a run of m contiguous floats (the examples), so a
/// register tile of <see cref="DirectRows"/> output channels × up to four vectors of examples takes, per tap, one
/// broadcast weight per channel and one load per vector: 16 FMAs for 8 loads, with no copy at all. im2col instead writes
/// every input kh·kw times before the product reads it back. Each output is the im2col product's chain: the taps in
/// (ci, ky, kx) order from zero, a tap in the padding adding nothing (skipped: the product adds w·0), then the bias; every
/// lane sees the same operations at every width, so the direct path and im2col give the same bits (the tests check it).
/// The examples left after the four-vector tiles go through one tile of as many vectors as they need, placed to end at
/// the batch's last example: it recomputes some examples with the same chains (the same values), never a scalar loop.
/// With more than one thread (<see cref="KernelParallelism"/>) each takes an equal share of the output positions; every
/// element is computed by one tile with the same chain whatever the split, so the thread count changes no bit.
/// </remarks>
public static unsafe partial class ConvKernels
{
    /// <summary>
    /// Whether the forward pass runs the direct kernel: any kernel but a pointwise one (read in place by the product
    /// already), from 24 examples on. Below that the tiles are one 512-bit vector wide and the last one recomputes most of
    /// the one before: LeNet-5's conv1 and conv2 at m = 17 took 1.5 and 1.8 times im2col's time per example, at m = 24
    /// about the same and 0.7 times, at m = 32 0.5 and 0.35 times (AMD EPYC Zen 5, 10,000 images, thread CPU time).
    /// </summary>
    private static bool IsDirect(in ConvGeometry g, int batch) => batch >= DirectMinimumBatch && !IsPointwise(g);

    /// <summary>The smallest batch the direct path takes (at least one 512-bit vector, which its last tile needs).</summary>
    internal const int DirectMinimumBatch = 24;

    /// <summary>Output channels per register tile: four channels × four vectors are 16 independent FMA chains.</summary>
    private const int DirectRows = 4;

    /// <summary>
    /// Runs the direct kernel for every output, on the threads the layer's size and the limit allow, with
    /// <paramref name="activation"/> applied as each output is stored, or (tanh, sigmoid: long dependency chains that
    /// would stall the tile's next loads) in one pass over the output after.
    /// </summary>
    private static void DirectForward(in ConvGeometry g, float* input, float* weight, float* bias, float* output, int batch, SimdWidth width, Activation activation)
    {
        var pass = new DirectPass(g, batch, width, input, weight, bias, output);
        ActivationOperators.Visit(activation, ref pass, "ConvKernels.ConvForward", nameof(activation));
    }

    /// <summary>Output positions [part·P/parts, (part + 1)·P/parts) of every channel.</summary>
    private static void DirectForwardPart<TActivation>(void* state, int part, int parts)
        where TActivation : struct, IUnaryOperator
    {
        ref DirectPass pass = ref *(DirectPass*)state;
        int positions = pass.Geometry.OutHeight * pass.Geometry.OutWidth;
        int first = (int)((long)positions * part / parts), end = (int)((long)positions * (part + 1) / parts);
        switch (pass.Width)
        {
            case SimdWidth.V512: pass.Run<Simd512, Vector512<float>, TActivation>(first, end); break;
            case SimdWidth.V256: pass.Run<Simd256, Vector256<float>, TActivation>(first, end); break;
            case SimdWidth.V128: pass.Run<Simd128, Vector128<float>, TActivation>(first, end); break;
            default: pass.RunScalar<TActivation>(first, end); break;
        }
    }

    /// <summary>One direct convolution call's operands, shared (on the caller's stack) by the threads that run its parts.</summary>
    private readonly struct DirectPass : IActivationVisitor
    {
        public readonly ConvGeometry Geometry;
        public readonly SimdWidth Width;
        private readonly int _batch, _groupIn, _groupOut, _volume;
        private readonly nint _rowFloats, _planeFloats, _outputPlaneFloats;
        private readonly float* _input, _weight, _bias, _output;

        public DirectPass(in ConvGeometry g, int batch, SimdWidth width, float* input, float* weight, float* bias, float* output)
        {
            Geometry = g;
            Width = width;
            _batch = batch;
            _groupIn = g.InChannels / g.Groups;
            _groupOut = g.OutChannels / g.Groups;
            _volume = g.KernelVolume;
            _rowFloats = (nint)g.InWidth * batch;
            _planeFloats = g.InHeight * _rowFloats;
            _outputPlaneFloats = (nint)g.OutHeight * g.OutWidth * batch;
            _input = input;
            _weight = weight;
            _bias = bias;
            _output = output;
        }

        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator
        {
            if (TActivation.IsTranscendental)
            {
                Launch<LinearOperator>();
                ElementwiseKernels.Map<TActivation>(_output, _output, Geometry.OutputFeatures * _batch, Width);
            }
            else
            {
                Launch<TActivation>();
            }
        }

        private void Launch<TActivation>()
            where TActivation : struct, IUnaryOperator
        {
            ConvGeometry g = Geometry;
            long flops = 2L * g.WeightCount * g.OutHeight * g.OutWidth * _batch;
            int parts = flops >= KernelParallelism.MinimumParallelFlops ? Math.Min(KernelParallelism.Current, g.OutHeight * g.OutWidth) : 1;
            // The pass lives on DirectForward's stack (Visit runs on it by reference), so its address is stable.
            void* self = Unsafe.AsPointer(ref Unsafe.AsRef(in this));
            if (parts > 1)
            {
                KernelWorkers.Run(&DirectForwardPart<TActivation>, self, parts);
            }
            else
            {
                DirectForwardPart<TActivation>(self, 0, 1);
            }
        }

        /// <summary>
        /// Per output position: its window's taps inside the input, then for each block of examples every channel tile,
        /// so the window's rows of that block stay in L1 while every output channel reads them.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TSimd, TVec, TActivation>(int first, int end)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TActivation : struct, IUnaryOperator
        {
            int lanes = TSimd.Count, block = 4 * lanes, batch = _batch;
            for (int position = first; position < end; position++)
            {
                TapWindow window = WindowAt(position);
                int j = 0;
                while (j < batch)
                {
                    int rest = batch - j;
                    if (rest >= block)
                    {
                        Channels<TSimd, TVec, TActivation, Four>(window, position, j);
                        j += block;
                        continue;
                    }

                    // The last examples: one tile of as many vectors as they need, ending at the batch's end (it
                    // recomputes a few examples of the previous tile with the same chains). Only a batch below that
                    // many vectors (j = 0) starts with its whole vectors and leaves the rest to a one-vector tile.
                    int vectors = (rest + lanes - 1) / lanes;
                    int start = batch - (vectors * lanes);
                    if (start < 0)
                    {
                        vectors--;
                        start = j;
                    }

                    switch (vectors)
                    {
                        case 1: Channels<TSimd, TVec, TActivation, One>(window, position, start); break;
                        case 2: Channels<TSimd, TVec, TActivation, Two>(window, position, start); break;
                        case 3: Channels<TSimd, TVec, TActivation, Three>(window, position, start); break;
                        default: Channels<TSimd, TVec, TActivation, Four>(window, position, start); break;
                    }

                    j = start + (vectors * lanes);
                }
            }
        }

        /// <summary>The scalar width: each example's chain one by one, with the vectors' fused multiply-adds.</summary>
        public void RunScalar<TActivation>(int first, int end)
            where TActivation : struct, IUnaryOperator
        {
            ConvGeometry g = Geometry;
            for (int position = first; position < end; position++)
            {
                TapWindow window = WindowAt(position);
                for (int co = 0; co < g.OutChannels; co++)
                {
                    float* plane = _input + ((nint)(co / _groupOut * _groupIn) * _planeFloats);
                    float* target = _output + (co * _outputPlaneFloats) + ((nint)position * _batch);
                    for (int j = 0; j < _batch; j++)
                    {
                        float sum = 0;
                        float* w = _weight + ((nint)co * _volume);
                        for (int ci = 0; ci < _groupIn; ci++, w += g.KernelHeight * g.KernelWidth)
                        {
                            for (int ky = window.KyFirst; ky < window.KyEnd; ky++)
                            {
                                float* row = plane + (ci * _planeFloats) + window.Offset(ky, window.KxFirst) + j;
                                for (int kx = window.KxFirst; kx < window.KxEnd; kx++, row += window.TapStep)
                                {
                                    sum = MathF.FusedMultiplyAdd(w[(ky * g.KernelWidth) + kx], *row, sum);
                                }
                            }
                        }

                        target[j] = TActivation.Invoke(sum + _bias[co]);
                    }
                }
            }
        }

        /// <summary>Every output channel at one position for the examples [j, j + TVectors·lanes): tiles of four channels, then one of the rest.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Channels<TSimd, TVec, TActivation, TVectors>(in TapWindow window, int position, int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TActivation : struct, IUnaryOperator
            where TVectors : struct, ICount
        {
            for (int group = 0; group < Geometry.Groups; group++)
            {
                int co = group * _groupOut, groupEnd = co + _groupOut;
                for (; co <= groupEnd - DirectRows; co += DirectRows)
                {
                    Tile<TSimd, TVec, TActivation, Four, TVectors>(window, group, co, position, j);
                }

                switch (groupEnd - co)
                {
                    case 1: Tile<TSimd, TVec, TActivation, One, TVectors>(window, group, co, position, j); break;
                    case 2: Tile<TSimd, TVec, TActivation, Two, TVectors>(window, group, co, position, j); break;
                    case 3: Tile<TSimd, TVec, TActivation, Three, TVectors>(window, group, co, position, j); break;
                }
            }
        }

        /// <summary>
        /// TRows output channels from <paramref name="co"/> × TVectors vectors of examples from <paramref name="j"/> at
        /// one output position: one accumulator per pair, every tap of the window in order, then the bias.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile<TSimd, TVec, TActivation, TRows, TVectors>(in TapWindow window, int group, int co, int position, int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TActivation : struct, IUnaryOperator
            where TRows : struct, ICount
            where TVectors : struct, ICount
        {
            int rows = TRows.Value, vectors = TVectors.Value, lanes = TSimd.Count;
            nint volume = _volume, step = window.TapStep;
            int kernelWidth = Geometry.KernelWidth, taps = Geometry.KernelHeight * kernelWidth;
            TVec a00 = TSimd.Zero, a01 = TSimd.Zero, a02 = TSimd.Zero, a03 = TSimd.Zero;
            TVec a10 = TSimd.Zero, a11 = TSimd.Zero, a12 = TSimd.Zero, a13 = TSimd.Zero;
            TVec a20 = TSimd.Zero, a21 = TSimd.Zero, a22 = TSimd.Zero, a23 = TSimd.Zero;
            TVec a30 = TSimd.Zero, a31 = TSimd.Zero, a32 = TSimd.Zero, a33 = TSimd.Zero;
            float* plane = _input + ((nint)(group * _groupIn) * _planeFloats) + j;
            float* channelWeights = _weight + ((nint)co * volume);
            for (int ci = 0; ci < _groupIn; ci++, plane += _planeFloats, channelWeights += taps)
            {
                for (int ky = window.KyFirst; ky < window.KyEnd; ky++)
                {
                    float* x = plane + window.Offset(ky, window.KxFirst);
                    float* w = channelWeights + (ky * kernelWidth) + window.KxFirst;
                    float* wEnd = channelWeights + (ky * kernelWidth) + window.KxEnd;
                    for (; w < wEnd; w++, x += step)
                    {
                        TVec x0 = TSimd.Load(x);
                        TVec x1 = vectors > 1 ? TSimd.Load(x + lanes) : default;
                        TVec x2 = vectors > 2 ? TSimd.Load(x + (2 * lanes)) : default;
                        TVec x3 = vectors > 3 ? TSimd.Load(x + (3 * lanes)) : default;
                        TVec w0 = TSimd.Broadcast(w[0]);
                        a00 = TSimd.MultiplyAdd(w0, x0, a00);
                        if (vectors > 1) { a01 = TSimd.MultiplyAdd(w0, x1, a01); }
                        if (vectors > 2) { a02 = TSimd.MultiplyAdd(w0, x2, a02); }
                        if (vectors > 3) { a03 = TSimd.MultiplyAdd(w0, x3, a03); }
                        if (rows > 1)
                        {
                            TVec w1 = TSimd.Broadcast(w[volume]);
                            a10 = TSimd.MultiplyAdd(w1, x0, a10);
                            if (vectors > 1) { a11 = TSimd.MultiplyAdd(w1, x1, a11); }
                            if (vectors > 2) { a12 = TSimd.MultiplyAdd(w1, x2, a12); }
                            if (vectors > 3) { a13 = TSimd.MultiplyAdd(w1, x3, a13); }
                        }

                        if (rows > 2)
                        {
                            TVec w2 = TSimd.Broadcast(w[2 * volume]);
                            a20 = TSimd.MultiplyAdd(w2, x0, a20);
                            if (vectors > 1) { a21 = TSimd.MultiplyAdd(w2, x1, a21); }
                            if (vectors > 2) { a22 = TSimd.MultiplyAdd(w2, x2, a22); }
                            if (vectors > 3) { a23 = TSimd.MultiplyAdd(w2, x3, a23); }
                        }

                        if (rows > 3)
                        {
                            TVec w3 = TSimd.Broadcast(w[3 * volume]);
                            a30 = TSimd.MultiplyAdd(w3, x0, a30);
                            if (vectors > 1) { a31 = TSimd.MultiplyAdd(w3, x1, a31); }
                            if (vectors > 2) { a32 = TSimd.MultiplyAdd(w3, x2, a32); }
                            if (vectors > 3) { a33 = TSimd.MultiplyAdd(w3, x3, a33); }
                        }
                    }
                }
            }

            float* target = _output + (co * _outputPlaneFloats) + ((nint)position * _batch) + j;
            StoreRow<TSimd, TVec, TActivation, TVectors>(target, _bias[co], a00, a01, a02, a03);
            if (rows > 1) { StoreRow<TSimd, TVec, TActivation, TVectors>(target + _outputPlaneFloats, _bias[co + 1], a10, a11, a12, a13); }
            if (rows > 2) { StoreRow<TSimd, TVec, TActivation, TVectors>(target + (2 * _outputPlaneFloats), _bias[co + 2], a20, a21, a22, a23); }
            if (rows > 3) { StoreRow<TSimd, TVec, TActivation, TVectors>(target + (3 * _outputPlaneFloats), _bias[co + 3], a30, a31, a32, a33); }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow<TSimd, TVec, TActivation, TVectors>(float* target, float bias, TVec a0, TVec a1, TVec a2, TVec a3)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TActivation : struct, IUnaryOperator
            where TVectors : struct, ICount
        {
            int lanes = TSimd.Count;
            TVec b = TSimd.Broadcast(bias);
            TSimd.Store(TActivation.Invoke<TSimd, TVec>(TSimd.Add(a0, b)), target);
            if (TVectors.Value > 1) { TSimd.Store(TActivation.Invoke<TSimd, TVec>(TSimd.Add(a1, b)), target + lanes); }
            if (TVectors.Value > 2) { TSimd.Store(TActivation.Invoke<TSimd, TVec>(TSimd.Add(a2, b)), target + (2 * lanes)); }
            if (TVectors.Value > 3) { TSimd.Store(TActivation.Invoke<TSimd, TVec>(TSimd.Add(a3, b)), target + (3 * lanes)); }
        }

        /// <summary>The taps of output position <paramref name="position"/> that fall inside the input.</summary>
        private TapWindow WindowAt(int position)
        {
            ConvGeometry g = Geometry;
            (int oy, int ox) = Math.DivRem(position, g.OutWidth);
            int top = (oy * g.StrideHeight) - g.PadTop, left = (ox * g.StrideWidth) - g.PadLeft;
            (int kyFirst, int kyEnd) = Inside(top, g.DilationHeight, g.KernelHeight, g.InHeight);
            (int kxFirst, int kxEnd) = Inside(left, g.DilationWidth, g.KernelWidth, g.InWidth);
            return new TapWindow(top, left, kyFirst, kyEnd, kxFirst, kxEnd, g.DilationHeight * _rowFloats, g.DilationWidth * (nint)_batch, _rowFloats, _batch);
        }

        /// <summary>The taps k in [first, end) with start + k·dilation in [0, size); empty when there are none.</summary>
        private static (int First, int End) Inside(int start, int dilation, int kernel, int size)
        {
            // start + k·d ≥ 0 ⇔ k ≥ ⌈−start / d⌉; start + k·d ≤ size − 1 ⇔ k ≤ ⌊(size − 1 − start) / d⌋.
            int first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
            int last = size - 1 - start;
            int end = last < 0 ? 0 : Math.Min(kernel, (last / dilation) + 1);
            first = Math.Min(first, kernel);
            return (first, Math.Max(end, first));
        }
    }

    /// <summary>
    /// One output position's window: its top-left input corner, the kernel rows [KyFirst, KyEnd) and columns
    /// [KxFirst, KxEnd) inside the input, and the float steps between taps along a row and between kernel rows.
    /// </summary>
    private readonly record struct TapWindow(int Top, int Left, int KyFirst, int KyEnd, int KxFirst, int KxEnd, nint RowStep, nint TapStep, nint RowFloats, int Batch)
    {
        /// <summary>The input of tap (ky, kx), relative to its channel's plane and the first example.</summary>
        public nint Offset(int ky, int kx) => ((Top * RowFloats) + (ky * RowStep)) + ((Left * (nint)Batch) + (kx * TapStep));
    }
}
