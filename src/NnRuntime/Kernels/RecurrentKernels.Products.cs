using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The per-step recurrent products of the batch kernels when the batch is small: h (m × H) · W_hhᵀ forward and
/// dA (m × G·H) · W_hh backward, a few thousand multiply-adds each, too small for <see cref="Gemm"/>'s packed kernels to
/// pay for their packing and dispatch thousands of times a window.
/// </summary>
/// <remarks>
/// C (m × N) = A (m × K) · B (K × N), B row-major: every element is one chain of fused multiply-adds over k in order
/// from +0, vectorized across N in register tiles of four rows by four vectors (16 accumulators; each k loads four
/// vectors of B and broadcasts four elements of A). The chain is lane-wise, so every width, the scalar one included,
/// and every tiling give the same bits, and a sequence gives the same bits alone or in any batch up to
/// <see cref="SmallBatchRows"/>. Forward, B is W_hhᵀ as the layer stores it; backward, B is W_hh, transposed back once per
/// call.
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    /// <summary>Batches up to this many sequences take the register-tiled per-step products; larger ones <see cref="Gemm"/>'s, which share out over threads.</summary>
    internal const int SmallBatchRows = 64;

    /// <summary>C (m × n) = A (m × k, rows <paramref name="lda"/> apart) · B (k × n row-major): per element an FMA chain over k in order.</summary>
    internal static void SmallProduct(float* a, int lda, float* b, float* c, int m, int k, int n, SimdWidth width)
    {
        int j = 0;
        if (width >= SimdWidth.V512)
        {
            j = SmallProductColumns<Simd512, Vector512<float>>(a, lda, b, c, m, k, n, j);
        }

        if (width >= SimdWidth.V256)
        {
            j = SmallProductColumns<Simd256, Vector256<float>>(a, lda, b, c, m, k, n, j);
        }

        if (width >= SimdWidth.V128)
        {
            j = SmallProductColumns<Simd128, Vector128<float>>(a, lda, b, c, m, k, n, j);
        }

        for (; j < n; j++)
        {
            for (int e = 0; e < m; e++)
            {
                float sum = 0f;
                float* row = a + ((nint)e * lda);
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(row[p], b[((nint)p * n) + j], sum);
                }

                c[((nint)e * n) + j] = sum;
            }
        }
    }

    /// <summary>Columns from <paramref name="j"/> in whole vectors, four vectors at a time then one; returns the first column left.</summary>
    private static int SmallProductColumns<TSimd, TVec>(float* a, int lda, float* b, float* c, int m, int k, int n, int j)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        for (; j + (4 * count) <= n; j += 4 * count)
        {
            int e = 0;
            for (; e + 4 <= m; e += 4)
            {
                Tile4<TSimd, TVec, Four>(a + ((nint)e * lda), lda, b + j, c + ((nint)e * n) + j, k, n);
            }

            for (; e < m; e++)
            {
                Tile1<TSimd, TVec, Four>(a + ((nint)e * lda), b + j, c + ((nint)e * n) + j, k, n);
            }
        }

        for (; j + count <= n; j += count)
        {
            int e = 0;
            for (; e + 4 <= m; e += 4)
            {
                Tile4<TSimd, TVec, One>(a + ((nint)e * lda), lda, b + j, c + ((nint)e * n) + j, k, n);
            }

            for (; e < m; e++)
            {
                Tile1<TSimd, TVec, One>(a + ((nint)e * lda), b + j, c + ((nint)e * n) + j, k, n);
            }
        }

        return j;
    }

    /// <summary>How many vectors a tile spans across the columns: four or one (unused accumulators fold away).</summary>
    private interface IVectors
    {
        static abstract int Count { get; }
    }

    private readonly struct Four : IVectors
    {
        public static int Count => 4;
    }

    private readonly struct One : IVectors
    {
        public static int Count => 1;
    }

    /// <summary>Four rows of C by <typeparamref name="TVectors"/> vectors.</summary>
    private static void Tile4<TSimd, TVec, TVectors>(float* a, int lda, float* b, float* c, int k, int n)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TVectors : struct, IVectors
    {
        int count = TSimd.Count;
        bool four = TVectors.Count == 4;
        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero, c03 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero, c13 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero, c23 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero, c33 = TSimd.Zero;
        nint stride = lda;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + ((nint)p * n);
            TVec b0 = TSimd.Load(bp);
            TVec a0 = TSimd.Broadcast(a[p]), a1 = TSimd.Broadcast(a[stride + p]), a2 = TSimd.Broadcast(a[(2 * stride) + p]), a3 = TSimd.Broadcast(a[(3 * stride) + p]);
            c00 = TSimd.MultiplyAdd(a0, b0, c00);
            c10 = TSimd.MultiplyAdd(a1, b0, c10);
            c20 = TSimd.MultiplyAdd(a2, b0, c20);
            c30 = TSimd.MultiplyAdd(a3, b0, c30);
            if (four)
            {
                TVec b1 = TSimd.Load(bp + count), b2 = TSimd.Load(bp + (2 * count)), b3 = TSimd.Load(bp + (3 * count));
                c01 = TSimd.MultiplyAdd(a0, b1, c01);
                c02 = TSimd.MultiplyAdd(a0, b2, c02);
                c03 = TSimd.MultiplyAdd(a0, b3, c03);
                c11 = TSimd.MultiplyAdd(a1, b1, c11);
                c12 = TSimd.MultiplyAdd(a1, b2, c12);
                c13 = TSimd.MultiplyAdd(a1, b3, c13);
                c21 = TSimd.MultiplyAdd(a2, b1, c21);
                c22 = TSimd.MultiplyAdd(a2, b2, c22);
                c23 = TSimd.MultiplyAdd(a2, b3, c23);
                c31 = TSimd.MultiplyAdd(a3, b1, c31);
                c32 = TSimd.MultiplyAdd(a3, b2, c32);
                c33 = TSimd.MultiplyAdd(a3, b3, c33);
            }
        }

        nint rowStride = n;
        StoreRow<TSimd, TVec>(c, count, four, c00, c01, c02, c03);
        StoreRow<TSimd, TVec>(c + rowStride, count, four, c10, c11, c12, c13);
        StoreRow<TSimd, TVec>(c + (2 * rowStride), count, four, c20, c21, c22, c23);
        StoreRow<TSimd, TVec>(c + (3 * rowStride), count, four, c30, c31, c32, c33);
    }

    /// <summary>One row of C by <typeparamref name="TVectors"/> vectors.</summary>
    private static void Tile1<TSimd, TVec, TVectors>(float* a, float* b, float* c, int k, int n)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TVectors : struct, IVectors
    {
        int count = TSimd.Count;
        bool four = TVectors.Count == 4;
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + ((nint)p * n);
            TVec ap = TSimd.Broadcast(a[p]);
            c0 = TSimd.MultiplyAdd(ap, TSimd.Load(bp), c0);
            if (four)
            {
                c1 = TSimd.MultiplyAdd(ap, TSimd.Load(bp + count), c1);
                c2 = TSimd.MultiplyAdd(ap, TSimd.Load(bp + (2 * count)), c2);
                c3 = TSimd.MultiplyAdd(ap, TSimd.Load(bp + (3 * count)), c3);
            }
        }

        StoreRow<TSimd, TVec>(c, count, four, c0, c1, c2, c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVec>(float* c, int count, bool four, TVec v0, TVec v1, TVec v2, TVec v3)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TSimd.Store(v0, c);
        if (four)
        {
            TSimd.Store(v1, c + count);
            TSimd.Store(v2, c + (2 * count));
            TSimd.Store(v3, c + (3 * count));
        }
    }
}
