using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>The outer-product register tiles: C tile = Σ_p A(:, p) · B(p, :), one broadcast per row and step.</summary>
internal static unsafe partial class GemmKernels
{
    /// <summary>
    /// What an outer-product tile needs to know about the depth block it sums: the scale, whether C holds the earlier
    /// blocks' sums (packed products), and whether this block is the last, so values are final and go through the
    /// epilogue.
    /// </summary>
    /// <remarks>
    /// Every element of C is one FMA chain over p = 0 … k−1 in order, scaled once at the end. A later depth block
    /// continues the chain from the unscaled sum the previous block left in C, so where the depth blocks fall (their
    /// length depends on the vector width and tile shape), whether B was packed at all, and whether a column is
    /// computed by a full tile or by a tail vector change nothing: the result is the same at every width.
    /// </remarks>
    private readonly struct OuterBlock(float alpha, bool accumulate, bool last)
    {
        public readonly float Alpha = alpha;

        public readonly bool Accumulate = accumulate;

        public readonly bool Last = last;
    }

    /// <summary>A hint to bring the line at <paramref name="address"/> into L2; nothing where there is no such instruction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(float* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch1(address);
        }
    }

    /// <summary>The sum a tile starts a depth block from: zero, or the unscaled sum the previous block left in C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec StartOuter<TSimd, TVec>(float* c, in OuterBlock block)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => block.Accumulate ? TSimd.Load(c) : TSimd.Zero;

    /// <summary>After the last depth block C = scale · sum, through the epilogue; after an earlier one the unscaled sum, for the next block to continue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOuter<TSimd, TVec, TEpilogue>(TVec tile, TVec scale, float* c, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        if (!block.Last)
        {
            TSimd.Store(tile, c);
            return;
        }

        TVec value = TSimd.Multiply(tile, scale);
        if (!TEpilogue.IsNone)
        {
            value = epilogue.Apply<TSimd, TVec>(value, c, row);
        }

        TSimd.Store(value, c);
    }

    // prefetch: the first of the lines to pull into L2, one per step: the packed path streams the next block of B in
    // while this one computes; other callers pass b (an unconditional prefetch costs less than a test in every step). The five A rows advance by one shared offset, not five pointers: the loop's
    // scalar bookkeeping otherwise ran out of registers and spilled, and its instructions kept the front end busier
    // than the 20 FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer5x4<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue,
        float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec c00 = StartOuter<TSimd, TVec>(c, block), c01 = StartOuter<TSimd, TVec>(c + width, block);
        TVec c02 = StartOuter<TSimd, TVec>(c + (2 * width), block), c03 = StartOuter<TSimd, TVec>(c + (3 * width), block);
        TVec c10 = StartOuter<TSimd, TVec>(c + ldc, block), c11 = StartOuter<TSimd, TVec>(c + ldc + width, block);
        TVec c12 = StartOuter<TSimd, TVec>(c + ldc + (2 * width), block), c13 = StartOuter<TSimd, TVec>(c + ldc + (3 * width), block);
        TVec c20 = StartOuter<TSimd, TVec>(c + (2 * ldc), block), c21 = StartOuter<TSimd, TVec>(c + (2 * ldc) + width, block);
        TVec c22 = StartOuter<TSimd, TVec>(c + (2 * ldc) + (2 * width), block), c23 = StartOuter<TSimd, TVec>(c + (2 * ldc) + (3 * width), block);
        TVec c30 = StartOuter<TSimd, TVec>(c + (3 * ldc), block), c31 = StartOuter<TSimd, TVec>(c + (3 * ldc) + width, block);
        TVec c32 = StartOuter<TSimd, TVec>(c + (3 * ldc) + (2 * width), block), c33 = StartOuter<TSimd, TVec>(c + (3 * ldc) + (3 * width), block);
        TVec c40 = StartOuter<TSimd, TVec>(c + (4 * ldc), block), c41 = StartOuter<TSimd, TVec>(c + (4 * ldc) + width, block);
        TVec c42 = StartOuter<TSimd, TVec>(c + (4 * ldc) + (2 * width), block), c43 = StartOuter<TSimd, TVec>(c + (4 * ldc) + (3 * width), block);
        float* a0 = a;
        float* a1 = a0 + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        float* a4 = a3 + aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Prefetch(prefetch);
            prefetch += CacheLineFloats;

            TVec b0 = TSimd.Load(b);
            TVec b1 = TSimd.Load(b + width);
            TVec b2 = TSimd.Load(b + (2 * width));
            TVec b3 = TSimd.Load(b + (3 * width));

            TVec x = TSimd.Broadcast(a0[offset]);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            c02 = TSimd.MultiplyAdd(x, b2, c02);
            c03 = TSimd.MultiplyAdd(x, b3, c03);

            x = TSimd.Broadcast(a1[offset]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            c12 = TSimd.MultiplyAdd(x, b2, c12);
            c13 = TSimd.MultiplyAdd(x, b3, c13);

            x = TSimd.Broadcast(a2[offset]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            c22 = TSimd.MultiplyAdd(x, b2, c22);
            c23 = TSimd.MultiplyAdd(x, b3, c23);

            x = TSimd.Broadcast(a3[offset]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
            c32 = TSimd.MultiplyAdd(x, b2, c32);
            c33 = TSimd.MultiplyAdd(x, b3, c33);

            x = TSimd.Broadcast(a4[offset]);
            c40 = TSimd.MultiplyAdd(x, b0, c40);
            c41 = TSimd.MultiplyAdd(x, b1, c41);
            c42 = TSimd.MultiplyAdd(x, b2, c42);
            c43 = TSimd.MultiplyAdd(x, b3, c43);

            offset += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c00, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c01, scale, c + width, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c02, scale, c + (2 * width), block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c03, scale, c + (3 * width), block, row, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c10, scale, c, block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c11, scale, c + width, block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c12, scale, c + (2 * width), block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c13, scale, c + (3 * width), block, row + 1, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c20, scale, c, block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c21, scale, c + width, block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c22, scale, c + (2 * width), block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c23, scale, c + (3 * width), block, row + 2, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c30, scale, c, block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c31, scale, c + width, block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c32, scale, c + (2 * width), block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c33, scale, c + (3 * width), block, row + 3, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c40, scale, c, block, row + 4, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c41, scale, c + width, block, row + 4, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c42, scale, c + (2 * width), block, row + 4, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c43, scale, c + (3 * width), block, row + 4, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer1x4<TSimd, TVec, TEpilogue>(
        float* a, nint aDepthStride, float* b, nint ldb, float* c, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec c0 = StartOuter<TSimd, TVec>(c, block), c1 = StartOuter<TSimd, TVec>(c + width, block);
        TVec c2 = StartOuter<TSimd, TVec>(c + (2 * width), block), c3 = StartOuter<TSimd, TVec>(c + (3 * width), block);
        for (int p = 0; p < k; p++)
        {
            TVec x = TSimd.Broadcast(*a);
            c0 = TSimd.MultiplyAdd(x, TSimd.Load(b), c0);
            c1 = TSimd.MultiplyAdd(x, TSimd.Load(b + width), c1);
            c2 = TSimd.MultiplyAdd(x, TSimd.Load(b + (2 * width)), c2);
            c3 = TSimd.MultiplyAdd(x, TSimd.Load(b + (3 * width)), c3);
            a += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c0, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c1, scale, c + width, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c2, scale, c + (2 * width), block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c3, scale, c + (3 * width), block, row, epilogue);
    }

    // Columns narrower than a tile (a weight gradient of 4 inputs, dW1 = dZ1·X) in ten FMA chains: five wait on the
    // FMA latency (about one step per 4 cycles), ten keep both pipes busy. Each element is still one chain over k.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer10x1<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        TVec c0 = StartOuter<TSimd, TVec>(c, block), c1 = StartOuter<TSimd, TVec>(c + ldc, block);
        TVec c2 = StartOuter<TSimd, TVec>(c + (2 * ldc), block), c3 = StartOuter<TSimd, TVec>(c + (3 * ldc), block);
        TVec c4 = StartOuter<TSimd, TVec>(c + (4 * ldc), block), c5 = StartOuter<TSimd, TVec>(c + (5 * ldc), block);
        TVec c6 = StartOuter<TSimd, TVec>(c + (6 * ldc), block), c7 = StartOuter<TSimd, TVec>(c + (7 * ldc), block);
        TVec c8 = StartOuter<TSimd, TVec>(c + (8 * ldc), block), c9 = StartOuter<TSimd, TVec>(c + (9 * ldc), block);
        float* a0 = a;
        float* a5 = a + (5 * aRowStride);
        nint r1 = aRowStride, r2 = 2 * aRowStride, r3 = 3 * aRowStride, r4 = 4 * aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVec y = TSimd.Load(b);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset]), y, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset + r1]), y, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset + r2]), y, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset + r3]), y, c3);
            c4 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset + r4]), y, c4);
            c5 = TSimd.MultiplyAdd(TSimd.Broadcast(a5[offset]), y, c5);
            c6 = TSimd.MultiplyAdd(TSimd.Broadcast(a5[offset + r1]), y, c6);
            c7 = TSimd.MultiplyAdd(TSimd.Broadcast(a5[offset + r2]), y, c7);
            c8 = TSimd.MultiplyAdd(TSimd.Broadcast(a5[offset + r3]), y, c8);
            c9 = TSimd.MultiplyAdd(TSimd.Broadcast(a5[offset + r4]), y, c9);
            offset += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c0, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c1, scale, c + ldc, block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c2, scale, c + (2 * ldc), block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c3, scale, c + (3 * ldc), block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c4, scale, c + (4 * ldc), block, row + 4, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c5, scale, c + (5 * ldc), block, row + 5, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c6, scale, c + (6 * ldc), block, row + 6, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c7, scale, c + (7 * ldc), block, row + 7, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c8, scale, c + (8 * ldc), block, row + 8, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c9, scale, c + (9 * ldc), block, row + 9, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer5x1<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        TVec c0 = StartOuter<TSimd, TVec>(c, block), c1 = StartOuter<TSimd, TVec>(c + ldc, block);
        TVec c2 = StartOuter<TSimd, TVec>(c + (2 * ldc), block), c3 = StartOuter<TSimd, TVec>(c + (3 * ldc), block);
        TVec c4 = StartOuter<TSimd, TVec>(c + (4 * ldc), block);
        float* a0 = a;
        float* a1 = a0 + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        float* a4 = a3 + aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVec y = TSimd.Load(b);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(a0[offset]), y, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(a1[offset]), y, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(a2[offset]), y, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(a3[offset]), y, c3);
            c4 = TSimd.MultiplyAdd(TSimd.Broadcast(a4[offset]), y, c4);
            offset += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c0, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c1, scale, c + ldc, block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c2, scale, c + (2 * ldc), block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c3, scale, c + (3 * ldc), block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c4, scale, c + (4 * ldc), block, row + 4, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer1x1<TSimd, TVec, TEpilogue>(
        float* a, nint aDepthStride, float* b, nint ldb, float* c, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        // One chain, like every other tile's element: a second accumulator would hide FMA latency but sum this
        // element in another order than the tile that computes it at a different width.
        TVec sum = StartOuter<TSimd, TVec>(c, block);
        for (int p = 0; p < k; p++)
        {
            sum = TSimd.MultiplyAdd(TSimd.Broadcast(*a), TSimd.Load(b), sum);
            a += aDepthStride;
            b += ldb;
        }

        StoreOuter<TSimd, TVec, TEpilogue>(sum, TSimd.Broadcast(block.Alpha), c, block, row, epilogue);
    }

    // The narrow shape's tiles (16 vector registers): 5 rows × 2 vectors keep 10 sums, 2 B vectors and one broadcast
    // live, and 10 independent FMA chains still cover the FMA latency on two pipes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer5x2<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue,
        float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec c00 = StartOuter<TSimd, TVec>(c, block), c01 = StartOuter<TSimd, TVec>(c + width, block);
        TVec c10 = StartOuter<TSimd, TVec>(c + ldc, block), c11 = StartOuter<TSimd, TVec>(c + ldc + width, block);
        TVec c20 = StartOuter<TSimd, TVec>(c + (2 * ldc), block), c21 = StartOuter<TSimd, TVec>(c + (2 * ldc) + width, block);
        TVec c30 = StartOuter<TSimd, TVec>(c + (3 * ldc), block), c31 = StartOuter<TSimd, TVec>(c + (3 * ldc) + width, block);
        TVec c40 = StartOuter<TSimd, TVec>(c + (4 * ldc), block), c41 = StartOuter<TSimd, TVec>(c + (4 * ldc) + width, block);
        float* a0 = a;
        float* a1 = a0 + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        float* a4 = a3 + aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Prefetch(prefetch);
            prefetch += CacheLineFloats;

            TVec b0 = TSimd.Load(b);
            TVec b1 = TSimd.Load(b + width);

            TVec x = TSimd.Broadcast(a0[offset]);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);

            x = TSimd.Broadcast(a1[offset]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);

            x = TSimd.Broadcast(a2[offset]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);

            x = TSimd.Broadcast(a3[offset]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);

            x = TSimd.Broadcast(a4[offset]);
            c40 = TSimd.MultiplyAdd(x, b0, c40);
            c41 = TSimd.MultiplyAdd(x, b1, c41);

            offset += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c00, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c01, scale, c + width, block, row, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c10, scale, c, block, row + 1, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c11, scale, c + width, block, row + 1, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c20, scale, c, block, row + 2, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c21, scale, c + width, block, row + 2, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c30, scale, c, block, row + 3, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c31, scale, c + width, block, row + 3, epilogue);
        c += ldc;
        StoreOuter<TSimd, TVec, TEpilogue>(c40, scale, c, block, row + 4, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c41, scale, c + width, block, row + 4, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer1x2<TSimd, TVec, TEpilogue>(
        float* a, nint aDepthStride, float* b, nint ldb, float* c, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec c0 = StartOuter<TSimd, TVec>(c, block), c1 = StartOuter<TSimd, TVec>(c + width, block);
        for (int p = 0; p < k; p++)
        {
            TVec x = TSimd.Broadcast(*a);
            c0 = TSimd.MultiplyAdd(x, TSimd.Load(b), c0);
            c1 = TSimd.MultiplyAdd(x, TSimd.Load(b + width), c1);
            a += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(block.Alpha);
        StoreOuter<TSimd, TVec, TEpilogue>(c0, scale, c, block, row, epilogue);
        StoreOuter<TSimd, TVec, TEpilogue>(c1, scale, c + width, block, row, epilogue);
    }

    /// <summary>
    /// C[m×n] = alpha · A[m×k] · B[k×n] for C narrower than one vector but at least 4 columns wide (a dense layer's
    /// weight gradient dW1 = (1/m)·dZ1·X over few inputs), A contiguous along k and at least one vector of rows.
    /// </summary>
    /// <remarks>
    /// The general path drops to 128-bit vectors of C's 4 to 15 columns, so a 512-bit core spends a whole FMA on 4
    /// outputs. Here the vectors run along C's rows instead, over blocks of A transposed into scratch: C[i, j..j+3] for
    /// one or two vectors of i at a time, up to 8 chains, each step one or two loads and 4 broadcasts, every lane an
    /// output. Each element is still one FMA chain over p in order from zero, continued across depth blocks from its
    /// unscaled sum, and scaled once at the end: the bits of the general path (see <see cref="OuterBlock"/>) at every
    /// width. The last rows and columns are recomputed by a block placed over C's last ones (same chains, same values).
    /// The panels start past <see cref="PackedPanelFloats"/> of the scratch, which <see cref="OuterTransposed"/> may hold
    /// as this product's B.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterNarrowColumns<TSimd, TVec>(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        int rows = m >= 2 * width ? 2 * width : width;
        int depthBlock = (ScratchFloats - PackedPanelFloats) / rows;
        float* panel = Scratch + PackedPanelFloats;

        // Each column group's unscaled sums between depth blocks, and its final values on their way into C's rows.
        float* sums = stackalloc float[NarrowColumnGroups * NarrowGroupColumns * 2 * Simd512.Count];
        for (int i = 0; ; i += rows)
        {
            i = Math.Min(i, m - rows);
            for (int p0 = 0; p0 < k; p0 += depthBlock)
            {
                int depth = Math.Min(depthBlock, k - p0);

                // panel[p, r] = A[i + r, p0 + p].
                BlockTranspose.Transpose(a + (i * lda) + p0, lda, panel, rows, rows, depth);
                for (int j = 0, group = 0; ; j += NarrowGroupColumns, group++)
                {
                    j = Math.Min(j, n - NarrowGroupColumns);
                    var block = new OuterBlock(alpha, accumulate: p0 != 0, last: p0 + depth == k);
                    float* groupSums = sums + (group * NarrowGroupColumns * rows);
                    if (rows == width)
                    {
                        OuterNarrow1<TSimd, TVec>(panel, b + (p0 * ldb) + j, ldb, groupSums, depth, block);
                    }
                    else
                    {
                        OuterNarrow2<TSimd, TVec>(panel, b + (p0 * ldb) + j, ldb, groupSums, depth, block);
                    }

                    if (block.Last)
                    {
                        for (int jj = 0; jj < NarrowGroupColumns; jj++)
                        {
                            for (int r = 0; r < rows; r++)
                            {
                                c[((i + r) * ldc) + j + jj] = groupSums[(jj * rows) + r];
                            }
                        }
                    }

                    if (j == n - NarrowGroupColumns)
                    {
                        break;
                    }
                }
            }

            if (i == m - rows)
            {
                break;
            }
        }
    }

    /// <summary>Columns of C per narrow-column tile: one broadcast of B each, four chains per vector of rows.</summary>
    private const int NarrowGroupColumns = 4;

    /// <summary>Column groups of a C narrower than the widest vector: ⌈15 / 4⌉.</summary>
    private const int NarrowColumnGroups = 4;

    /// <summary>
    /// Four columns × two vectors of rows of <see cref="OuterNarrowColumns{TSimd, TVec}"/>: panel holds A's rows along
    /// each line (2·width floats per step), sums the columns' unscaled (or, after the last block, final) values, column by column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterNarrow2<TSimd, TVec>(float* panel, float* b, nint ldb, float* sums, int k, in OuterBlock block)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        int rows = 2 * width;
        TVec c00 = block.Accumulate ? TSimd.Load(sums) : TSimd.Zero, c01 = block.Accumulate ? TSimd.Load(sums + width) : TSimd.Zero;
        TVec c10 = block.Accumulate ? TSimd.Load(sums + rows) : TSimd.Zero, c11 = block.Accumulate ? TSimd.Load(sums + rows + width) : TSimd.Zero;
        TVec c20 = block.Accumulate ? TSimd.Load(sums + (2 * rows)) : TSimd.Zero, c21 = block.Accumulate ? TSimd.Load(sums + (2 * rows) + width) : TSimd.Zero;
        TVec c30 = block.Accumulate ? TSimd.Load(sums + (3 * rows)) : TSimd.Zero, c31 = block.Accumulate ? TSimd.Load(sums + (3 * rows) + width) : TSimd.Zero;
        for (int p = 0; p < k; p++)
        {
            TVec a0 = TSimd.Load(panel);
            TVec a1 = TSimd.Load(panel + width);

            TVec x = TSimd.Broadcast(b[0]);
            c00 = TSimd.MultiplyAdd(x, a0, c00);
            c01 = TSimd.MultiplyAdd(x, a1, c01);

            x = TSimd.Broadcast(b[1]);
            c10 = TSimd.MultiplyAdd(x, a0, c10);
            c11 = TSimd.MultiplyAdd(x, a1, c11);

            x = TSimd.Broadcast(b[2]);
            c20 = TSimd.MultiplyAdd(x, a0, c20);
            c21 = TSimd.MultiplyAdd(x, a1, c21);

            x = TSimd.Broadcast(b[3]);
            c30 = TSimd.MultiplyAdd(x, a0, c30);
            c31 = TSimd.MultiplyAdd(x, a1, c31);

            panel += rows;
            b += ldb;
        }

        TVec scale = block.Last ? TSimd.Broadcast(block.Alpha) : default;
        StoreNarrow<TSimd, TVec>(c00, scale, sums, block);
        StoreNarrow<TSimd, TVec>(c01, scale, sums + width, block);
        StoreNarrow<TSimd, TVec>(c10, scale, sums + rows, block);
        StoreNarrow<TSimd, TVec>(c11, scale, sums + rows + width, block);
        StoreNarrow<TSimd, TVec>(c20, scale, sums + (2 * rows), block);
        StoreNarrow<TSimd, TVec>(c21, scale, sums + (2 * rows) + width, block);
        StoreNarrow<TSimd, TVec>(c30, scale, sums + (3 * rows), block);
        StoreNarrow<TSimd, TVec>(c31, scale, sums + (3 * rows) + width, block);
    }

    /// <summary>As <see cref="OuterNarrow2{TSimd, TVec}"/> over one vector of rows (C has fewer than two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterNarrow1<TSimd, TVec>(float* panel, float* b, nint ldb, float* sums, int k, in OuterBlock block)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int rows = TSimd.Count;
        TVec c0 = block.Accumulate ? TSimd.Load(sums) : TSimd.Zero, c1 = block.Accumulate ? TSimd.Load(sums + rows) : TSimd.Zero;
        TVec c2 = block.Accumulate ? TSimd.Load(sums + (2 * rows)) : TSimd.Zero, c3 = block.Accumulate ? TSimd.Load(sums + (3 * rows)) : TSimd.Zero;
        for (int p = 0; p < k; p++)
        {
            TVec a0 = TSimd.Load(panel);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(b[0]), a0, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(b[1]), a0, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(b[2]), a0, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(b[3]), a0, c3);
            panel += rows;
            b += ldb;
        }

        TVec scale = block.Last ? TSimd.Broadcast(block.Alpha) : default;
        StoreNarrow<TSimd, TVec>(c0, scale, sums, block);
        StoreNarrow<TSimd, TVec>(c1, scale, sums + rows, block);
        StoreNarrow<TSimd, TVec>(c2, scale, sums + (2 * rows), block);
        StoreNarrow<TSimd, TVec>(c3, scale, sums + (3 * rows), block);
    }

    /// <summary>After the last depth block the scaled value, after an earlier one the unscaled sum for the next block to continue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow<TSimd, TVec>(TVec sum, TVec scale, float* destination, in OuterBlock block)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TSimd.Store(block.Last ? TSimd.Multiply(sum, scale) : sum, destination);
}
