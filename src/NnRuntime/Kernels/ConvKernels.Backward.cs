using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The input gradient of a convolution as a transposed convolution, gathered straight from dZ in CHWN:
/// dInput(ci, y, x, j) = Σ over the taps (ky, kx) in row-major order, then over the group's output channels co in order,
/// of W[co, ci, ky, kx]·dZ(co, oy, ox, j), for the taps with y = oy·sh + ky·dh − top and x = ox·sw + kx·dw − left inside
/// the output.
/// </summary>
/// <remarks>
/// Each element is one FMA chain from zero in that order, per example lane, whichever block, thread or vector width
/// computes it, and the scalar loop (the reference) fuses its multiply-adds as the vectors do: the bits depend on the
/// inputs alone. Every element is written once (an input under no tap gets zero), so nothing is cleared first and
/// nothing is scattered. Against im2col's dcol = Wᵀ·dZ followed by col2im, it writes no kernel-volume-sized matrix and
/// shares its (input channel block, input row) items over the threads, where col2im's additions ran on the calling
/// thread alone: on LeNet-5's conv2 at m = 128 the backward call measured faster on one thread and no longer serial
/// on two (tests/NnGen.Benchmarks/ConvolutionWorkloads.cs, <c>LeNet5Conv2Backward128</c>).
/// </remarks>
public static unsafe partial class ConvKernels
{
    /// <summary>Input channels one block accumulates at once: four channels × two vectors of examples are eight independent chains.</summary>
    private const int InputGradientChannels = 4;

    /// <summary>dInput of a non-pointwise layer, shared over the threads by items when the product is large enough.</summary>
    private static void InputGradient(in ConvGeometry g, float* weight, float* deltaZ, float* dInput, int batch, SimdWidth width)
    {
        var pass = new TransposedPass(g, batch, width, weight, deltaZ, dInput);
        long flops = 2L * g.WeightCount * g.OutHeight * g.OutWidth * batch;
        int parts = flops >= KernelParallelism.MinimumParallelFlops ? Math.Min(KernelParallelism.Current, pass.Items) : 1;
        if (parts > 1)
        {
            KernelWorkers.Run(&InputGradientPart, &pass, parts);
        }
        else
        {
            InputGradientPart(&pass, 0, 1);
        }
    }

    /// <summary>Items [part·items/parts, (part + 1)·items/parts) of the transposed convolution.</summary>
    private static void InputGradientPart(void* state, int part, int parts)
    {
        ref TransposedPass pass = ref *(TransposedPass*)state;
        int first = (int)((long)pass.Items * part / parts), end = (int)((long)pass.Items * (part + 1) / parts);
        switch (pass.Width)
        {
            case SimdWidth.V512: pass.Run<Simd512, Vector512<float>>(first, end, vectors: true); break;
            case SimdWidth.V256: pass.Run<Simd256, Vector256<float>>(first, end, vectors: true); break;
            case SimdWidth.V128: pass.Run<Simd128, Vector128<float>>(first, end, vectors: true); break;
            default: pass.Run<Simd128, Vector128<float>>(first, end, vectors: false); break;
        }
    }

    /// <summary>
    /// One transposed convolution's operands. An item is one input row of a block of up to four input channels of one
    /// group: (group, block, y), in that order.
    /// </summary>
    private readonly struct TransposedPass
    {
        private readonly ConvGeometry _g;
        private readonly int _batch, _groupIn, _groupOut, _blocks, _taps;
        private readonly float* _weight, _deltaZ, _dInput;

        public TransposedPass(in ConvGeometry g, int batch, SimdWidth width, float* weight, float* deltaZ, float* dInput)
        {
            _g = g;
            _batch = batch;
            _groupIn = g.InChannels / g.Groups;
            _groupOut = g.OutChannels / g.Groups;
            _blocks = (_groupIn + InputGradientChannels - 1) / InputGradientChannels;
            _taps = g.KernelHeight * g.KernelWidth;
            _weight = weight;
            _deltaZ = deltaZ;
            _dInput = dInput;
            Width = width;
            Items = g.Groups * _blocks * g.InHeight;
        }

        public SimdWidth Width { get; }

        public int Items { get; }

        /// <summary>
        /// Items [first, end): per input column, blocks of two vectors of examples, then one vector, then the lanes left
        /// one by one. A block of fewer than four channels repeats its last channel in the spare accumulators and stores
        /// only its own (the chains are independent, so the repeats change nothing).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TSimd, TVec>(int first, int end, bool vectors)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            ConvGeometry g = _g;
            int batch = _batch, lanes = TSimd.Count, inHeight = g.InHeight;

            // Without vectors (the scalar width) both vector loops are skipped: no batch reaches int.MaxValue.
            int pairEnd = vectors ? batch - (2 * lanes) : -1, vectorEnd = vectors ? batch - lanes : -1;
            nint outPlane = (nint)g.OutHeight * g.OutWidth * batch, inPlane = (nint)inHeight * g.InWidth * batch;
            nint volume = g.KernelVolume;
            for (int item = first; item < end; item++)
            {
                (int rest, int y) = Math.DivRem(item, inHeight);
                (int group, int block) = Math.DivRem(rest, _blocks);
                int ci0 = block * InputGradientChannels, channels = Math.Min(InputGradientChannels, _groupIn - ci0);

                // The four channels' offsets into a row of W; spare accumulators repeat the block's last channel.
                nint w0 = (nint)ci0 * _taps, w1 = (nint)Math.Min(ci0 + 1, _groupIn - 1) * _taps;
                nint w2 = (nint)Math.Min(ci0 + 2, _groupIn - 1) * _taps, w3 = (nint)Math.Min(ci0 + 3, _groupIn - 1) * _taps;
                float* weights = _weight + ((nint)group * _groupOut * volume);
                float* deltas = _deltaZ + ((nint)group * _groupOut * outPlane);
                float* target = _dInput + ((((nint)group * _groupIn) + ci0) * inPlane) + ((nint)y * g.InWidth * batch);
                for (int x = 0; x < g.InWidth; x++, target += batch)
                {
                    int j = 0;
                    for (; j <= pairEnd; j += 2 * lanes)
                    {
                        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
                        TVec b0 = TSimd.Zero, b1 = TSimd.Zero, b2 = TSimd.Zero, b3 = TSimd.Zero;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int oy = OutputIndex(y, ky, g.DilationHeight, g.PadTop, g.StrideHeight, g.OutHeight);
                            if (oy < 0)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ox = OutputIndex(x, kx, g.DilationWidth, g.PadLeft, g.StrideWidth, g.OutWidth);
                                if (ox < 0)
                                {
                                    continue;
                                }

                                float* dz = deltas + ((((nint)oy * g.OutWidth) + ox) * batch) + j;
                                float* w = weights + (ky * g.KernelWidth) + kx;
                                for (int co = 0; co < _groupOut; co++, dz += outPlane, w += volume)
                                {
                                    TVec d0 = TSimd.Load(dz), d1 = TSimd.Load(dz + lanes);
                                    TVec v = TSimd.Broadcast(w[w0]);
                                    a0 = TSimd.MultiplyAdd(v, d0, a0);
                                    b0 = TSimd.MultiplyAdd(v, d1, b0);
                                    v = TSimd.Broadcast(w[w1]);
                                    a1 = TSimd.MultiplyAdd(v, d0, a1);
                                    b1 = TSimd.MultiplyAdd(v, d1, b1);
                                    v = TSimd.Broadcast(w[w2]);
                                    a2 = TSimd.MultiplyAdd(v, d0, a2);
                                    b2 = TSimd.MultiplyAdd(v, d1, b2);
                                    v = TSimd.Broadcast(w[w3]);
                                    a3 = TSimd.MultiplyAdd(v, d0, a3);
                                    b3 = TSimd.MultiplyAdd(v, d1, b3);
                                }
                            }
                        }

                        TSimd.Store(a0, target + j);
                        TSimd.Store(b0, target + j + lanes);
                        if (channels > 1)
                        {
                            TSimd.Store(a1, target + inPlane + j);
                            TSimd.Store(b1, target + inPlane + j + lanes);
                        }

                        if (channels > 2)
                        {
                            TSimd.Store(a2, target + (2 * inPlane) + j);
                            TSimd.Store(b2, target + (2 * inPlane) + j + lanes);
                        }

                        if (channels > 3)
                        {
                            TSimd.Store(a3, target + (3 * inPlane) + j);
                            TSimd.Store(b3, target + (3 * inPlane) + j + lanes);
                        }
                    }

                    for (; j <= vectorEnd; j += lanes)
                    {
                        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int oy = OutputIndex(y, ky, g.DilationHeight, g.PadTop, g.StrideHeight, g.OutHeight);
                            if (oy < 0)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ox = OutputIndex(x, kx, g.DilationWidth, g.PadLeft, g.StrideWidth, g.OutWidth);
                                if (ox < 0)
                                {
                                    continue;
                                }

                                float* dz = deltas + ((((nint)oy * g.OutWidth) + ox) * batch) + j;
                                float* w = weights + (ky * g.KernelWidth) + kx;
                                for (int co = 0; co < _groupOut; co++, dz += outPlane, w += volume)
                                {
                                    TVec d = TSimd.Load(dz);
                                    a0 = TSimd.MultiplyAdd(TSimd.Broadcast(w[w0]), d, a0);
                                    a1 = TSimd.MultiplyAdd(TSimd.Broadcast(w[w1]), d, a1);
                                    a2 = TSimd.MultiplyAdd(TSimd.Broadcast(w[w2]), d, a2);
                                    a3 = TSimd.MultiplyAdd(TSimd.Broadcast(w[w3]), d, a3);
                                }
                            }
                        }

                        TSimd.Store(a0, target + j);
                        if (channels > 1)
                        {
                            TSimd.Store(a1, target + inPlane + j);
                        }

                        if (channels > 2)
                        {
                            TSimd.Store(a2, target + (2 * inPlane) + j);
                        }

                        if (channels > 3)
                        {
                            TSimd.Store(a3, target + (3 * inPlane) + j);
                        }
                    }

                    for (; j < batch; j++)
                    {
                        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int oy = OutputIndex(y, ky, g.DilationHeight, g.PadTop, g.StrideHeight, g.OutHeight);
                            if (oy < 0)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ox = OutputIndex(x, kx, g.DilationWidth, g.PadLeft, g.StrideWidth, g.OutWidth);
                                if (ox < 0)
                                {
                                    continue;
                                }

                                float* dz = deltas + ((((nint)oy * g.OutWidth) + ox) * batch) + j;
                                float* w = weights + (ky * g.KernelWidth) + kx;
                                for (int co = 0; co < _groupOut; co++, dz += outPlane, w += volume)
                                {
                                    float d = *dz;
                                    a0 = MathF.FusedMultiplyAdd(w[w0], d, a0);
                                    a1 = MathF.FusedMultiplyAdd(w[w1], d, a1);
                                    a2 = MathF.FusedMultiplyAdd(w[w2], d, a2);
                                    a3 = MathF.FusedMultiplyAdd(w[w3], d, a3);
                                }
                            }
                        }

                        target[j] = a0;
                        if (channels > 1)
                        {
                            target[inPlane + j] = a1;
                        }

                        if (channels > 2)
                        {
                            target[(2 * inPlane) + j] = a2;
                        }

                        if (channels > 3)
                        {
                            target[(3 * inPlane) + j] = a3;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The output index whose window reads input index <paramref name="input"/> through tap <paramref name="tap"/>:
        /// (input + pad − tap·dilation) / stride when that divides exactly and lies in [0, outputs); −1 otherwise.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int OutputIndex(int input, int tap, int dilation, int pad, int stride, int outputs)
        {
            int offset = input + pad - (tap * dilation);
            if (offset < 0)
            {
                return -1;
            }

            (int output, int remainder) = Math.DivRem(offset, stride);
            return remainder == 0 && output < outputs ? output : -1;
        }
    }
}
