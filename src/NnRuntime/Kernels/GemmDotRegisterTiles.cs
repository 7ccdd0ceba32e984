using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The dot-product tiles for the case that dominates batch inference at 512 bits: one vector holds all
/// <see cref="SumLanes"/> lanes of a sum and one chunk covers the whole of k (a dense layer's W·Xᵀ over a chunk of
/// examples), so a tile's sums never leave registers: no parking in scratch, and each row's four outputs are reduced
/// together straight from the accumulators into one 128-bit vector of C.
/// </summary>
/// <remarks>
/// Every sum keeps the order <see cref="DotTiles"/> documents: element p in lane p mod 16, each lane one FMA chain in
/// order of p with the masked step over the last 16 elements last, the lanes reduced as
/// <see cref="HorizontalSums.SumOf16"/> does (<see cref="HorizontalSums.Sum4{TVec}"/> of 512-bit vectors adds the
/// 256-bit halves first, then the same tree; <see cref="HorizontalSums.Sum4Pair"/> runs it on two rows at once). So a product gives the same bits here as through the parked tiles and
/// at every other width, and the rows and columns left over by the 6 × 4 tiles go through <see cref="DotTiles"/>.
/// </remarks>
internal static unsafe partial class GemmKernels
{
    /// <summary>A rows (rows of C) per register-reduced tile.</summary>
    internal const int DotRegisterRows = 6;

    /// <summary>
    /// B rows (columns of C) per register-reduced tile: four, so each row's sums reduce into one 128-bit store. With six
    /// rows a step loads 4 B vectors and 6 A vectors for 24 FMAs, and 24 accumulators + 4 B vectors + 1 A vector (+ the
    /// tail mask) fit the 32 registers.
    /// </summary>
    internal const int DotRegisterColumns = 4;

    /// <summary>
    /// Floats of B per column group (256 KiB): a group's B rows stay in L2 while every row tile of A passes over them,
    /// each row tile's six A rows staying in L1 meanwhile.
    /// </summary>
    private const int DotRegisterGroupFloats = 64 * 1024;

    /// <summary>
    /// Whether <see cref="DotRegisterTiles"/> takes a product: 512-bit vectors (one pass), the wide register file, one
    /// k chunk (as <see cref="DotTiles"/> would cut it), and at least one full tile. Sizes and width only, never the
    /// buffers' addresses.
    /// </summary>
    internal static bool UsesDotRegisterTiles(int width, TileShape tiles, int m, int k, int n) =>
        width == SumLanes && tiles == TileShape.Wide && m >= DotRegisterRows && n >= DotRegisterColumns && k / SumLanes * SumLanes <= DotDepthBlock;

    /// <summary>
    /// C = alpha · A · Bᵀ by 6 × 4 register tiles over the whole of k (k ≥ <see cref="SumLanes"/>), B in column groups
    /// that stay in L2; the leftover columns, then the leftover rows, through <see cref="DotTiles"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRegisterTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int bodyEnd = k / SumLanes * SumLanes;
        var depth = new DotDepth<TVec>(bodyEnd, k - SumLanes, k != bodyEnd, TSimd.LanesFrom(SumLanes - (k - bodyEnd)));
        int rowEnd = m - (m % DotRegisterRows);
        int columnEnd = n - (n % DotRegisterColumns);
        int columnGroup = Math.Max(DotRegisterColumns, DotRegisterGroupFloats / k / DotRegisterColumns * DotRegisterColumns);
        for (int j0 = 0; j0 < columnEnd; j0 += columnGroup)
        {
            int j1 = Math.Min(columnEnd, j0 + columnGroup);
            for (int i = 0; i < rowEnd; i += DotRegisterRows)
            {
                float* aTile = a + (i * lda);
                float* cRow = c + (i * ldc);
                for (int j = j0; j < j1; j += DotRegisterColumns)
                {
                    Dot6x4<TSimd, TVec, TEpilogue>(aTile, lda, b + (j * ldb), ldb, cRow + j, ldc, depth, i, alpha, epilogue);
                }
            }
        }

        if (columnEnd < n)
        {
            DotTiles<TSimd, TVec, TEpilogue>(tiles, a, lda, b + (columnEnd * ldb), ldb, c + columnEnd, ldc, rowEnd, k, n - columnEnd, alpha, epilogue);
        }

        if (rowEnd < m)
        {
            DotTiles<TSimd, TVec, Gemm.RowOffsetEpilogue<TEpilogue>>(
                tiles, a + (rowEnd * lda), lda, b, ldb, c + (rowEnd * ldc), ldc, m - rowEnd, k, n, alpha, new Gemm.RowOffsetEpilogue<TEpilogue>(epilogue, rowEnd));
        }
    }

    /// <summary>The whole of k as a register tile sums it: full 16-element steps, then the masked step over the last 16 elements.</summary>
    private readonly struct DotDepth<TVec>(nint length, nint tail, bool hasTail, TVec tailMask)
        where TVec : struct
    {
        /// <summary>Floats summed in full 16-element steps.</summary>
        public readonly nint Length = length;

        /// <summary>Where the masked step starts, k − 16, in A's and B's rows alike.</summary>
        public readonly nint Tail = tail;

        public readonly bool HasTail = hasTail;

        /// <summary>Keeps the lanes of the masked step that hold elements after the last full step.</summary>
        public readonly TVec TailMask = tailMask;
    }

    /// <summary>
    /// Six A rows × four B rows over the whole of k, reduced two rows at a time into C[row .. row + 6, 0 .. 4) through the
    /// epilogue (<paramref name="row"/>: the tile's first row of C, for the epilogue).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot6x4<TSimd, TVec, TEpilogue>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, in DotDepth<TVec> depth, int row, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero;
        TVec s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero, s33 = TSimd.Zero;
        TVec s40 = TSimd.Zero, s41 = TSimd.Zero, s42 = TSimd.Zero, s43 = TSimd.Zero;
        TVec s50 = TSimd.Zero, s51 = TSimd.Zero, s52 = TSimd.Zero, s53 = TSimd.Zero;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        nint length = depth.Length;
        for (nint p = 0; p < length; p += SumLanes)
        {
            TVec y0 = TSimd.Load(b0 + p), y1 = TSimd.Load(b1 + p), y2 = TSimd.Load(b2 + p), y3 = TSimd.Load(b3 + p);
            TVec x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            x = TSimd.Load(a1 + p);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            s13 = TSimd.MultiplyAdd(x, y3, s13);
            x = TSimd.Load(a2 + p);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            s23 = TSimd.MultiplyAdd(x, y3, s23);
            x = TSimd.Load(a3 + p);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
            s33 = TSimd.MultiplyAdd(x, y3, s33);
            x = TSimd.Load(a4 + p);
            s40 = TSimd.MultiplyAdd(x, y0, s40);
            s41 = TSimd.MultiplyAdd(x, y1, s41);
            s42 = TSimd.MultiplyAdd(x, y2, s42);
            s43 = TSimd.MultiplyAdd(x, y3, s43);
            x = TSimd.Load(a5 + p);
            s50 = TSimd.MultiplyAdd(x, y0, s50);
            s51 = TSimd.MultiplyAdd(x, y1, s51);
            s52 = TSimd.MultiplyAdd(x, y2, s52);
            s53 = TSimd.MultiplyAdd(x, y3, s53);
        }

        if (depth.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint e = depth.Tail;
            TVec mask = depth.TailMask;
            TVec y0 = TSimd.And(TSimd.Load(b0 + e), mask), y1 = TSimd.And(TSimd.Load(b1 + e), mask);
            TVec y2 = TSimd.And(TSimd.Load(b2 + e), mask), y3 = TSimd.And(TSimd.Load(b3 + e), mask);
            TVec x = TSimd.And(TSimd.Load(a0 + e), mask);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            x = TSimd.And(TSimd.Load(a1 + e), mask);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            s13 = TSimd.MultiplyAdd(x, y3, s13);
            x = TSimd.And(TSimd.Load(a2 + e), mask);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            s23 = TSimd.MultiplyAdd(x, y3, s23);
            x = TSimd.And(TSimd.Load(a3 + e), mask);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
            s33 = TSimd.MultiplyAdd(x, y3, s33);
            x = TSimd.And(TSimd.Load(a4 + e), mask);
            s40 = TSimd.MultiplyAdd(x, y0, s40);
            s41 = TSimd.MultiplyAdd(x, y1, s41);
            s42 = TSimd.MultiplyAdd(x, y2, s42);
            s43 = TSimd.MultiplyAdd(x, y3, s43);
            x = TSimd.And(TSimd.Load(a5 + e), mask);
            s50 = TSimd.MultiplyAdd(x, y0, s50);
            s51 = TSimd.MultiplyAdd(x, y1, s51);
            s52 = TSimd.MultiplyAdd(x, y2, s52);
            s53 = TSimd.MultiplyAdd(x, y3, s53);
        }

        StoreRows<TVec, TEpilogue>(s00, s01, s02, s03, s10, s11, s12, s13, c, ldc, row, alpha, epilogue);
        StoreRows<TVec, TEpilogue>(s20, s21, s22, s23, s30, s31, s32, s33, c + (2 * ldc), ldc, row + 2, alpha, epilogue);
        StoreRows<TVec, TEpilogue>(s40, s41, s42, s43, s50, s51, s52, s53, c + (4 * ldc), ldc, row + 4, alpha, epilogue);
    }

    /// <summary>Two rows' four sums each (<paramref name="r0"/>… for row <paramref name="row"/>, <paramref name="s0"/>… for the next) reduced, scaled and through the epilogue into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows<TVec, TEpilogue>(TVec r0, TVec r1, TVec r2, TVec r3, TVec s0, TVec s1, TVec s2, TVec s3, float* c, nint ldc, int row, float alpha, TEpilogue epilogue)
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        // Only 512-bit vectors reach the register tiles (UsesDotRegisterTiles).
        (Vector128<float> first, Vector128<float> second) = HorizontalSums.Sum4Pair(
            Unsafe.BitCast<TVec, Vector512<float>>(r0), Unsafe.BitCast<TVec, Vector512<float>>(r1), Unsafe.BitCast<TVec, Vector512<float>>(r2), Unsafe.BitCast<TVec, Vector512<float>>(r3),
            Unsafe.BitCast<TVec, Vector512<float>>(s0), Unsafe.BitCast<TVec, Vector512<float>>(s1), Unsafe.BitCast<TVec, Vector512<float>>(s2), Unsafe.BitCast<TVec, Vector512<float>>(s3));
        StoreRow<TEpilogue>(first, c, row, alpha, epilogue);
        StoreRow<TEpilogue>(second, c + ldc, row + 1, alpha, epilogue);
    }

    /// <summary>Four reduced sums of one row scaled and through the epilogue into C, as <see cref="DotReduce"/> stores them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TEpilogue>(Vector128<float> sums, float* target, int row, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        Vector128<float> value = sums * alpha;
        if (!TEpilogue.IsNone)
        {
            value = epilogue.Apply<Simd128, Vector128<float>>(value, target, row);
        }

        value.Store(target);
    }
}
