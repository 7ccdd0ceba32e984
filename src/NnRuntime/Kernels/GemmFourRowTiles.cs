using System;
using System.Runtime.CompilerServices;

namespace NnGen.Kernels;

/// <summary>
/// Four-row outer-product tiles for the rows the five-row tiles leave over. A single-row tile keeps only two (narrow) or
/// four (wide) FMA chains in flight and waits on their latency, about 4 cycles a step for 2 or 4 FMAs; a four-row tile
/// keeps 8 or 16 and runs near the FMA pipes' rate. A layer of 16 units (rows 5 + 5 + 5 + 1 before) runs as 4 + 4 + 4 + 4.
/// </summary>
/// <remarks>
/// Every element is still one FMA chain over k in order, scaled once (see <c>OuterBlock</c>), so which tile computes a
/// row changes no bit. A four-row tile may start inside the last five-row tile (rows recomputed, same values written
/// again) only when C holds no earlier depth block's sum, which a second pass would add twice.
/// </remarks>
internal static unsafe partial class GemmKernels
{
    /// <summary>Rows per leftover tile.</summary>
    private const int FourRowBlock = 4;

    /// <summary>
    /// Where the five-row tiles of an m-row strip stop; the rows from there to m go through four-row tiles
    /// (<see cref="OuterFourRowTiles"/>). Wherever m is 5·f + 4·g (every m from 12 on), the most five-row tiles that
    /// leave a whole number of four-row ones, so no row is computed twice: 16 rows run as 4 + 4 + 4 + 4 (16 steps' worth
    /// of FMA time against 19 for three five-row tiles and a single row), 32 as four fives and three fours (32 against
    /// 34 for six fives and a four-row tile laid over the last two rows, which also ran their epilogue twice).
    /// </summary>
    internal static int FiveRowEnd(int m)
    {
        int fives = m / OuterRowBlock;
        for (int f = fives; f >= Math.Max(0, fives - (FourRowBlock - 1)); f--)
        {
            if ((m - (f * OuterRowBlock)) % FourRowBlock == 0)
            {
                return f * OuterRowBlock;
            }
        }

        return fives * OuterRowBlock;
    }

    /// <summary>
    /// The rows [start, m) of one tile-wide column strip after its five-row tiles: four-row tiles, the last one laid
    /// over the final four rows when fewer remain and <paramref name="block"/> may write a row twice; then single rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterFourRowTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int start, int m, int depth, in OuterBlock block,
        TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        bool wide = tiles == TileShape.Wide;
        int i = start;
        for (; i <= m - FourRowBlock; i += FourRowBlock)
        {
            OuterFourRows<TSimd, TVec, TEpilogue>(wide, a, aRowStride, aDepthStride, b, ldb, c, ldc, i, depth, block, epilogue);
        }

        // Two or three rows left: one tile over the last four costs what one single row does.
        if (m - i >= 2 && m >= FourRowBlock && !block.Accumulate)
        {
            OuterFourRows<TSimd, TVec, TEpilogue>(wide, a, aRowStride, aDepthStride, b, ldb, c, ldc, m - FourRowBlock, depth, block, epilogue);
            i = m;
        }

        for (; i < m; i++)
        {
            if (wide)
            {
                Outer1x4<TSimd, TVec, TEpilogue>(a + (i * aRowStride), aDepthStride, b, ldb, c + (i * ldc), depth, block, i, epilogue);
            }
            else
            {
                Outer1x2<TSimd, TVec, TEpilogue>(a + (i * aRowStride), aDepthStride, b, ldb, c + (i * ldc), depth, block, i, epilogue);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterFourRows<TSimd, TVec, TEpilogue>(
        bool wide, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int row, int depth, in OuterBlock block, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        if (wide)
        {
            Outer4x4<TSimd, TVec, TEpilogue>(a + (row * aRowStride), aRowStride, aDepthStride, b, ldb, c + (row * ldc), ldc, depth, block, row, epilogue);
        }
        else
        {
            Outer4x2<TSimd, TVec, TEpilogue>(a + (row * aRowStride), aRowStride, aDepthStride, b, ldb, c + (row * ldc), ldc, depth, block, row, epilogue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer4x2<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec c00 = StartOuter<TSimd, TVec>(c, block), c01 = StartOuter<TSimd, TVec>(c + width, block);
        TVec c10 = StartOuter<TSimd, TVec>(c + ldc, block), c11 = StartOuter<TSimd, TVec>(c + ldc + width, block);
        TVec c20 = StartOuter<TSimd, TVec>(c + (2 * ldc), block), c21 = StartOuter<TSimd, TVec>(c + (2 * ldc) + width, block);
        TVec c30 = StartOuter<TSimd, TVec>(c + (3 * ldc), block), c31 = StartOuter<TSimd, TVec>(c + (3 * ldc) + width, block);
        float* a0 = a;
        float* a1 = a0 + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Outer4x4<TSimd, TVec, TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, in OuterBlock block, int row, TEpilogue epilogue)
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
        float* a0 = a;
        float* a1 = a0 + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
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
    }
}
