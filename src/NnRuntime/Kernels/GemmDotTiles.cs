using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>The dot-product register tiles: both operands run along k, partial sums are reduced once per chunk.</summary>
internal static unsafe partial class GemmKernels
{
    /// <summary>
    /// C = alpha · A · Bᵀ by dot-product tiles over k chunks of <see cref="DotDepthBlock"/>. Between chunks a tile parks
    /// its vector sums in scratch rather than reducing them: the horizontal sums happen once per output instead of once
    /// per chunk, and C is written once, final. With enough columns to amortize it, each chunk of A is first copied
    /// into aligned scratch, so the A rows of one chunk no longer sit a whole input row apart in the same L1 sets.
    /// Chunks start at multiples of the vector width counted from each row's start, never from an address, so which
    /// lane sums which element (and so the result) depends on the inputs only, wherever the buffers sit. The elements
    /// after the last full vector are summed as one masked vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        bool pack = n >= DotPackMinimumColumns;
        int bodyEnd = k / width * width;
        int tail = k - bodyEnd;
        TVec tailMask = TSimd.LanesFrom(width - tail);

        // Scratch holds one row group's copy of an A chunk, then the parked sums of that row group × a column group.
        // Both groupings depend only on m and the width, so every part of a split product sums exactly alike.
        int rowGroup = Math.Min(m, DotRowGroupTiles * tiles.DotRows());
        nint packedFloats = pack ? (nint)rowGroup * (DotDepthBlock + width) : 0;
        int columnBlock = tiles.DotColumns();
        int columnGroup = Math.Max(columnBlock, (int)((ScratchFloats - packedFloats) / (rowGroup * width)) / columnBlock * columnBlock);
        float* scratch = Scratch;
        float* partials = scratch + packedFloats;
        for (int i0 = 0; i0 < m; i0 += rowGroup)
        {
            int rows = Math.Min(rowGroup, m - i0);
            for (int j0 = 0; j0 < n; j0 += columnGroup)
            {
                int columns = Math.Min(columnGroup, n - j0);
                nint partialStride = (nint)columns * width;
                for (int k0 = 0; k0 < bodyEnd || k0 == 0; k0 += DotDepthBlock)
                {
                    int length = Math.Min(DotDepthBlock, bodyEnd - k0);
                    bool last = k0 + length == bodyEnd;
                    bool hasTail = last && tail != 0;
                    nint tailB = k - width - k0;
                    float* aChunk;
                    nint aStride;
                    nint tailA;
                    if (pack)
                    {
                        // Packed row: [the chunk | last vector of the row]; the tail vector only for the chunk that sums it.
                        aStride = length + width;
                        for (int r = 0; r < rows; r++)
                        {
                            float* source = a + ((i0 + r) * lda);
                            float* destination = scratch + (r * aStride);
                            new ReadOnlySpan<float>(source + k0, length).CopyTo(new Span<float>(destination, length));
                            if (hasTail)
                            {
                                new ReadOnlySpan<float>(source + k - width, width).CopyTo(new Span<float>(destination + length, width));
                            }
                        }

                        aChunk = scratch;
                        tailA = length;
                    }
                    else
                    {
                        aStride = lda;
                        aChunk = a + (i0 * lda) + k0;
                        tailA = tailB;
                    }

                    var chunk = new DotChunk<TVec>(length, hasTail, tailA, tailB, tailMask, alpha, first: k0 == 0, last, partialStride);
                    DotChunkTiles<TSimd, TVec, TEpilogue>(
                        tiles, aChunk, aStride, b + (j0 * ldb) + k0, ldb, c + (i0 * ldc) + j0, ldc, partials, i0, rows, columns, chunk, epilogue);
                }
            }
        }
    }

    /// <summary>All tiles of one k chunk: rows [row0, row0 + rows) of C by every column of the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotChunkTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float* partials, int row0, int rows, int n, in DotChunk<TVec> chunk,
        TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        nint ps = chunk.PartialStride;
        bool wide = tiles == TileShape.Wide;
        int rowBlock = tiles.DotRows();
        int columnBlock = tiles.DotColumns();
        int j = 0;
        for (; j <= n - columnBlock; j += columnBlock)
        {
            float* bj = b + (j * ldb);

            // The row tiles pull the next column group's B rows into L2, one row each, while this group computes:
            // the first tile of every group then finds its rows in cache instead of waiting on memory.
            float* next = j + (2 * columnBlock) <= n ? bj + (columnBlock * ldb) : bj;
            int i = 0;
            for (int r = 0; i <= rows - rowBlock; i += rowBlock, r++)
            {
                float* prefetch = next + ((r % columnBlock) * ldb);
                float* tilePartials = partials + (i * ps) + (j * width);
                if (wide)
                {
                    Dot4x5<TSimd, TVec, TEpilogue>(a + (i * lda), lda, bj, ldb, c + (i * ldc) + j, ldc, tilePartials, chunk, row0 + i, epilogue, prefetch);
                }
                else
                {
                    Dot3x4<TSimd, TVec, TEpilogue>(a + (i * lda), lda, bj, ldb, c + (i * ldc) + j, ldc, tilePartials, chunk, row0 + i, epilogue, prefetch);
                }
            }

            for (; i < rows; i++)
            {
                float* tilePartials = partials + (i * ps) + (j * width);
                if (wide)
                {
                    Dot1x5<TSimd, TVec, TEpilogue>(a + (i * lda), bj, ldb, c + (i * ldc) + j, tilePartials, chunk, row0 + i, epilogue);
                }
                else
                {
                    Dot1x4<TSimd, TVec, TEpilogue>(a + (i * lda), bj, ldb, c + (i * ldc) + j, tilePartials, chunk, row0 + i, epilogue);
                }
            }
        }

        for (; j < n; j++)
        {
            float* bj = b + (j * ldb);
            int i = 0;
            for (; i <= rows - rowBlock; i += rowBlock)
            {
                float* tilePartials = partials + (i * ps) + (j * width);
                if (wide)
                {
                    Dot4x1<TSimd, TVec, TEpilogue>(a + (i * lda), lda, bj, c + (i * ldc) + j, ldc, tilePartials, chunk, row0 + i, epilogue);
                }
                else
                {
                    Dot3x1<TSimd, TVec, TEpilogue>(a + (i * lda), lda, bj, c + (i * ldc) + j, ldc, tilePartials, chunk, row0 + i, epilogue);
                }
            }

            for (; i < rows; i++)
            {
                Dot1x1<TSimd, TVec, TEpilogue>(a + (i * lda), bj, c + (i * ldc) + j, partials + (i * ps) + (j * width), chunk, row0 + i, epilogue);
            }
        }
    }

    /// <summary>
    /// What a dot-product tile needs to know about the k chunk it sums. Offsets are relative to the tile's A and B
    /// pointers and the same for every row, because rows differ only by their strides.
    /// </summary>
    private readonly struct DotChunk<TVec>(
        int length, bool hasTail, nint tailA, nint tailB, TVec tailMask, float alpha, bool first, bool last, nint partialStride)
        where TVec : struct
    {
        /// <summary>Floats summed with full vectors, a multiple of the vector width (possibly 0).</summary>
        public readonly int Length = length;

        /// <summary>Whether this chunk also sums the masked vector of the elements after the row's last full vector.</summary>
        public readonly bool HasTail = hasTail;

        public readonly nint TailA = tailA;

        public readonly nint TailB = tailB;

        /// <summary>Keeps only the lanes after the last full vector.</summary>
        public readonly TVec TailMask = tailMask;

        public readonly float Alpha = alpha;

        /// <summary>The first chunk starts its sums from zero; later ones from the sums the previous chunk parked.</summary>
        public readonly bool First = first;

        /// <summary>The last chunk reduces its sums into C, through the epilogue; earlier ones park them.</summary>
        public readonly bool Last = last;

        /// <summary>Floats between the parked sums of consecutive rows: a vector per column of the column group.</summary>
        public readonly nint PartialStride = partialStride;
    }

    /// <summary>Four row-contiguous final values of C: scaled, then through the epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDot<TVec, TEpilogue>(float* c, Vector128<float> sums, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        Vector128<float> value = sums * chunk.Alpha;
        if (!TEpilogue.IsNone)
        {
            value = epilogue.Apply<Simd128, Vector128<float>>(value, c, row);
        }

        value.Store(c);
    }

    /// <summary>One final value of C: scaled, then through the epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDot<TVec, TEpilogue>(float* c, float sum, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        float value = chunk.Alpha * sum;
        if (!TEpilogue.IsNone)
        {
            value = epilogue.Apply(value, c, row);
        }

        *c = value;
    }

    // prefetch: a B row of the next column group to pull into L2, one line per step (the tile's own first B row when
    // there is no next group: an unconditional prefetch costs less than testing for one in every step).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x5<TSimd, TVec, TEpilogue>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue, float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero, s04 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero, s14 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero, s24 = TSimd.Zero;
        TVec s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero, s33 = TSimd.Zero, s34 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + width);
            s02 = TSimd.Load(partials + (2 * width));
            s03 = TSimd.Load(partials + (3 * width));
            s04 = TSimd.Load(partials + (4 * width));
            s10 = TSimd.Load(partials + ps);
            s11 = TSimd.Load(partials + ps + width);
            s12 = TSimd.Load(partials + ps + (2 * width));
            s13 = TSimd.Load(partials + ps + (3 * width));
            s14 = TSimd.Load(partials + ps + (4 * width));
            s20 = TSimd.Load(partials + (2 * ps));
            s21 = TSimd.Load(partials + (2 * ps) + width);
            s22 = TSimd.Load(partials + (2 * ps) + (2 * width));
            s23 = TSimd.Load(partials + (2 * ps) + (3 * width));
            s24 = TSimd.Load(partials + (2 * ps) + (4 * width));
            s30 = TSimd.Load(partials + (3 * ps));
            s31 = TSimd.Load(partials + (3 * ps) + width);
            s32 = TSimd.Load(partials + (3 * ps) + (2 * width));
            s33 = TSimd.Load(partials + (3 * ps) + (3 * width));
            s34 = TSimd.Load(partials + (3 * ps) + (4 * width));
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        float* b4 = b3 + ldb;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            Prefetch(prefetch);
            prefetch += width;

            TVec y0 = TSimd.Load(b0 + p), y1 = TSimd.Load(b1 + p), y2 = TSimd.Load(b2 + p), y3 = TSimd.Load(b3 + p), y4 = TSimd.Load(b4 + p);
            TVec x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            s04 = TSimd.MultiplyAdd(x, y4, s04);
            x = TSimd.Load(a1 + p);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            s13 = TSimd.MultiplyAdd(x, y3, s13);
            s14 = TSimd.MultiplyAdd(x, y4, s14);
            x = TSimd.Load(a2 + p);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            s23 = TSimd.MultiplyAdd(x, y3, s23);
            s24 = TSimd.MultiplyAdd(x, y4, s24);
            x = TSimd.Load(a3 + p);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
            s33 = TSimd.MultiplyAdd(x, y3, s33);
            s34 = TSimd.MultiplyAdd(x, y4, s34);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            TVec y0 = TSimd.And(TSimd.Load(b0 + eb), mask), y1 = TSimd.And(TSimd.Load(b1 + eb), mask), y2 = TSimd.And(TSimd.Load(b2 + eb), mask), y3 = TSimd.And(TSimd.Load(b3 + eb), mask), y4 = TSimd.And(TSimd.Load(b4 + eb), mask);
            TVec x = TSimd.And(TSimd.Load(a0 + ea), mask);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            s04 = TSimd.MultiplyAdd(x, y4, s04);
            x = TSimd.And(TSimd.Load(a1 + ea), mask);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            s13 = TSimd.MultiplyAdd(x, y3, s13);
            s14 = TSimd.MultiplyAdd(x, y4, s14);
            x = TSimd.And(TSimd.Load(a2 + ea), mask);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            s23 = TSimd.MultiplyAdd(x, y3, s23);
            s24 = TSimd.MultiplyAdd(x, y4, s24);
            x = TSimd.And(TSimd.Load(a3 + ea), mask);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
            s33 = TSimd.MultiplyAdd(x, y3, s33);
            s34 = TSimd.MultiplyAdd(x, y4, s34);
        }

        if (!chunk.Last)
        {
            TSimd.Store(s00, partials);
            TSimd.Store(s01, partials + width);
            TSimd.Store(s02, partials + (2 * width));
            TSimd.Store(s03, partials + (3 * width));
            TSimd.Store(s04, partials + (4 * width));
            TSimd.Store(s10, partials + ps);
            TSimd.Store(s11, partials + ps + width);
            TSimd.Store(s12, partials + ps + (2 * width));
            TSimd.Store(s13, partials + ps + (3 * width));
            TSimd.Store(s14, partials + ps + (4 * width));
            TSimd.Store(s20, partials + (2 * ps));
            TSimd.Store(s21, partials + (2 * ps) + width);
            TSimd.Store(s22, partials + (2 * ps) + (2 * width));
            TSimd.Store(s23, partials + (2 * ps) + (3 * width));
            TSimd.Store(s24, partials + (2 * ps) + (4 * width));
            TSimd.Store(s30, partials + (3 * ps));
            TSimd.Store(s31, partials + (3 * ps) + width);
            TSimd.Store(s32, partials + (3 * ps) + (2 * width));
            TSimd.Store(s33, partials + (3 * ps) + (3 * width));
            TSimd.Store(s34, partials + (3 * ps) + (4 * width));
            return;
        }

        WriteDot(c, HorizontalSums.Sum4(s00, s01, s02, s03), chunk, row, epilogue);
        WriteDot(c + 4, TSimd.Sum(s04), chunk, row, epilogue);
        WriteDot(c + ldc, HorizontalSums.Sum4(s10, s11, s12, s13), chunk, row + 1, epilogue);
        WriteDot(c + ldc + 4, TSimd.Sum(s14), chunk, row + 1, epilogue);
        WriteDot(c + (2 * ldc), HorizontalSums.Sum4(s20, s21, s22, s23), chunk, row + 2, epilogue);
        WriteDot(c + (2 * ldc) + 4, TSimd.Sum(s24), chunk, row + 2, epilogue);
        WriteDot(c + (3 * ldc), HorizontalSums.Sum4(s30, s31, s32, s33), chunk, row + 3, epilogue);
        WriteDot(c + (3 * ldc) + 4, TSimd.Sum(s34), chunk, row + 3, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x5<TSimd, TVec, TEpilogue>(
        float* a, float* b, nint ldb, float* c, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero, s04 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + width);
            s02 = TSimd.Load(partials + (2 * width));
            s03 = TSimd.Load(partials + (3 * width));
            s04 = TSimd.Load(partials + (4 * width));
        }

        float* a0 = a;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        float* b4 = b3 + ldb;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            TVec y0 = TSimd.Load(b0 + p), y1 = TSimd.Load(b1 + p), y2 = TSimd.Load(b2 + p), y3 = TSimd.Load(b3 + p), y4 = TSimd.Load(b4 + p);
            TVec x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            s04 = TSimd.MultiplyAdd(x, y4, s04);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            TVec y0 = TSimd.And(TSimd.Load(b0 + eb), mask), y1 = TSimd.And(TSimd.Load(b1 + eb), mask), y2 = TSimd.And(TSimd.Load(b2 + eb), mask), y3 = TSimd.And(TSimd.Load(b3 + eb), mask), y4 = TSimd.And(TSimd.Load(b4 + eb), mask);
            TVec x = TSimd.And(TSimd.Load(a0 + ea), mask);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            s04 = TSimd.MultiplyAdd(x, y4, s04);
        }

        if (!chunk.Last)
        {
            TSimd.Store(s00, partials);
            TSimd.Store(s01, partials + width);
            TSimd.Store(s02, partials + (2 * width));
            TSimd.Store(s03, partials + (3 * width));
            TSimd.Store(s04, partials + (4 * width));
            return;
        }

        WriteDot(c, HorizontalSums.Sum4(s00, s01, s02, s03), chunk, row, epilogue);
        WriteDot(c + 4, TSimd.Sum(s04), chunk, row, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x1<TSimd, TVec, TEpilogue>(
        float* a, nint lda, float* b, float* c, nint ldc, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero;
        TVec s10 = TSimd.Zero;
        TVec s20 = TSimd.Zero;
        TVec s30 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s10 = TSimd.Load(partials + ps);
            s20 = TSimd.Load(partials + (2 * ps));
            s30 = TSimd.Load(partials + (3 * ps));
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* b0 = b;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            TVec y0 = TSimd.Load(b0 + p);
            TVec x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            x = TSimd.Load(a1 + p);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            x = TSimd.Load(a2 + p);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            x = TSimd.Load(a3 + p);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            TVec y0 = TSimd.And(TSimd.Load(b0 + eb), mask);
            TVec x = TSimd.And(TSimd.Load(a0 + ea), mask);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            x = TSimd.And(TSimd.Load(a1 + ea), mask);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            x = TSimd.And(TSimd.Load(a2 + ea), mask);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            x = TSimd.And(TSimd.Load(a3 + ea), mask);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
        }

        if (!chunk.Last)
        {
            TSimd.Store(s00, partials);
            TSimd.Store(s10, partials + ps);
            TSimd.Store(s20, partials + (2 * ps));
            TSimd.Store(s30, partials + (3 * ps));
            return;
        }

        Vector128<float> sums = HorizontalSums.Sum4(s00, s10, s20, s30);
        WriteDot(c, sums.GetElement(0), chunk, row, epilogue);
        WriteDot(c + ldc, sums.GetElement(1), chunk, row + 1, epilogue);
        WriteDot(c + (2 * ldc), sums.GetElement(2), chunk, row + 2, epilogue);
        WriteDot(c + (3 * ldc), sums.GetElement(3), chunk, row + 3, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x1<TSimd, TVec, TEpilogue>(float* a, float* b, float* c, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        // Two accumulators so consecutive FMAs do not wait on each other's latency; they are parked as one.
        int width = TSimd.Count;
        TVec even = chunk.First ? TSimd.Zero : TSimd.Load(partials), odd = TSimd.Zero;
        int length = chunk.Length;
        int p = 0;
        for (; p <= length - (2 * width); p += 2 * width)
        {
            even = TSimd.MultiplyAdd(TSimd.Load(a + p), TSimd.Load(b + p), even);
            odd = TSimd.MultiplyAdd(TSimd.Load(a + p + width), TSimd.Load(b + p + width), odd);
        }

        if (p < length)
        {
            even = TSimd.MultiplyAdd(TSimd.Load(a + p), TSimd.Load(b + p), even);
        }

        if (chunk.HasTail)
        {
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            odd = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a + ea), mask), TSimd.And(TSimd.Load(b + eb), mask), odd);
        }

        TVec sum = TSimd.Add(even, odd);
        if (!chunk.Last)
        {
            TSimd.Store(sum, partials);
            return;
        }

        WriteDot(c, TSimd.Sum(sum), chunk, row, epilogue);
    }

    // The narrow shape's tiles (16 vector registers): 3 A rows × 4 B rows keep 12 sums, 3 A vectors and one B vector
    // live, and each row's four sums reduce into one 128-bit vector of C.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x4<TSimd, TVec, TEpilogue>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue, float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        Dot3x4Sums<TSimd, TVec>(a, lda, b, ldb, partials, chunk, prefetch);
        if (!chunk.Last)
        {
            return;
        }

        int width = TSimd.Count;
        nint ps = chunk.PartialStride;
        for (int r = 0; r < 3; r++)
        {
            float* sums = partials + (r * ps);
            TVec s0 = TSimd.Load(sums), s1 = TSimd.Load(sums + width), s2 = TSimd.Load(sums + (2 * width)), s3 = TSimd.Load(sums + (3 * width));
            WriteDot(c + (r * ldc), HorizontalSums.Sum4(s0, s1, s2, s3), chunk, row + r, epilogue);
        }
    }

    /// <summary>
    /// The sums of a <see cref="Dot3x4{TSimd, TVec, TEpilogue}"/> tile, always parked in <paramref name="partials"/>.
    /// Compiled apart from the epilogue on purpose: the loop keeps all 16 registers busy, and with an activation's
    /// temporaries in the same method the JIT spilled one sum to the stack inside the loop (a store and reload on
    /// every step).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x4Sums<TSimd, TVec>(float* a, nint lda, float* b, nint ldb, float* partials, in DotChunk<TVec> chunk, float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + width);
            s02 = TSimd.Load(partials + (2 * width));
            s03 = TSimd.Load(partials + (3 * width));
            s10 = TSimd.Load(partials + ps);
            s11 = TSimd.Load(partials + ps + width);
            s12 = TSimd.Load(partials + ps + (2 * width));
            s13 = TSimd.Load(partials + ps + (3 * width));
            s20 = TSimd.Load(partials + (2 * ps));
            s21 = TSimd.Load(partials + (2 * ps) + width);
            s22 = TSimd.Load(partials + (2 * ps) + (2 * width));
            s23 = TSimd.Load(partials + (2 * ps) + (3 * width));
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            Prefetch(prefetch);
            prefetch += width;

            TVec x0 = TSimd.Load(a0 + p), x1 = TSimd.Load(a1 + p), x2 = TSimd.Load(a2 + p);
            TVec y = TSimd.Load(b0 + p);
            s00 = TSimd.MultiplyAdd(x0, y, s00);
            s10 = TSimd.MultiplyAdd(x1, y, s10);
            s20 = TSimd.MultiplyAdd(x2, y, s20);
            y = TSimd.Load(b1 + p);
            s01 = TSimd.MultiplyAdd(x0, y, s01);
            s11 = TSimd.MultiplyAdd(x1, y, s11);
            s21 = TSimd.MultiplyAdd(x2, y, s21);
            y = TSimd.Load(b2 + p);
            s02 = TSimd.MultiplyAdd(x0, y, s02);
            s12 = TSimd.MultiplyAdd(x1, y, s12);
            s22 = TSimd.MultiplyAdd(x2, y, s22);
            y = TSimd.Load(b3 + p);
            s03 = TSimd.MultiplyAdd(x0, y, s03);
            s13 = TSimd.MultiplyAdd(x1, y, s13);
            s23 = TSimd.MultiplyAdd(x2, y, s23);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            // One A vector at a time and B reloaded per row: with the mask live, holding all of them as the main loop
            // does would take 17 registers, and the spill the JIT then places lands inside the main loop.
            TVec x = TSimd.And(TSimd.Load(a0 + ea), mask);
            s00 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b0 + eb), mask), s00);
            s01 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b1 + eb), mask), s01);
            s02 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b2 + eb), mask), s02);
            s03 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b3 + eb), mask), s03);
            x = TSimd.And(TSimd.Load(a1 + ea), mask);
            s10 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b0 + eb), mask), s10);
            s11 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b1 + eb), mask), s11);
            s12 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b2 + eb), mask), s12);
            s13 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b3 + eb), mask), s13);
            x = TSimd.And(TSimd.Load(a2 + ea), mask);
            s20 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b0 + eb), mask), s20);
            s21 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b1 + eb), mask), s21);
            s22 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b2 + eb), mask), s22);
            s23 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b3 + eb), mask), s23);
        }

        TSimd.Store(s00, partials);
        TSimd.Store(s01, partials + width);
        TSimd.Store(s02, partials + (2 * width));
        TSimd.Store(s03, partials + (3 * width));
        TSimd.Store(s10, partials + ps);
        TSimd.Store(s11, partials + ps + width);
        TSimd.Store(s12, partials + ps + (2 * width));
        TSimd.Store(s13, partials + ps + (3 * width));
        TSimd.Store(s20, partials + (2 * ps));
        TSimd.Store(s21, partials + (2 * ps) + width);
        TSimd.Store(s22, partials + (2 * ps) + (2 * width));
        TSimd.Store(s23, partials + (2 * ps) + (3 * width));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<TSimd, TVec, TEpilogue>(
        float* a, float* b, nint ldb, float* c, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + width);
            s02 = TSimd.Load(partials + (2 * width));
            s03 = TSimd.Load(partials + (3 * width));
        }

        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            TVec x = TSimd.Load(a + p);
            s00 = TSimd.MultiplyAdd(x, TSimd.Load(b0 + p), s00);
            s01 = TSimd.MultiplyAdd(x, TSimd.Load(b1 + p), s01);
            s02 = TSimd.MultiplyAdd(x, TSimd.Load(b2 + p), s02);
            s03 = TSimd.MultiplyAdd(x, TSimd.Load(b3 + p), s03);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            TVec x = TSimd.And(TSimd.Load(a + ea), mask);
            s00 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b0 + eb), mask), s00);
            s01 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b1 + eb), mask), s01);
            s02 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b2 + eb), mask), s02);
            s03 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b3 + eb), mask), s03);
        }

        if (!chunk.Last)
        {
            TSimd.Store(s00, partials);
            TSimd.Store(s01, partials + width);
            TSimd.Store(s02, partials + (2 * width));
            TSimd.Store(s03, partials + (3 * width));
            return;
        }

        WriteDot(c, HorizontalSums.Sum4(s00, s01, s02, s03), chunk, row, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x1<TSimd, TVec, TEpilogue>(
        float* a, nint lda, float* b, float* c, nint ldc, float* partials, in DotChunk<TVec> chunk, int row, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero;
        TVec s10 = TSimd.Zero;
        TVec s20 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s10 = TSimd.Load(partials + ps);
            s20 = TSimd.Load(partials + (2 * ps));
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        nint length = chunk.Length;
        for (nint p = 0; p < length; p += width)
        {
            TVec y = TSimd.Load(b + p);
            s00 = TSimd.MultiplyAdd(TSimd.Load(a0 + p), y, s00);
            s10 = TSimd.MultiplyAdd(TSimd.Load(a1 + p), y, s10);
            s20 = TSimd.MultiplyAdd(TSimd.Load(a2 + p), y, s20);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in a lane summed elsewhere cannot leak in as 0 · Inf.
            nint ea = chunk.TailA;
            nint eb = chunk.TailB;
            TVec mask = chunk.TailMask;
            TVec y = TSimd.And(TSimd.Load(b + eb), mask);
            s00 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a0 + ea), mask), y, s00);
            s10 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a1 + ea), mask), y, s10);
            s20 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a2 + ea), mask), y, s20);
        }

        if (!chunk.Last)
        {
            TSimd.Store(s00, partials);
            TSimd.Store(s10, partials + ps);
            TSimd.Store(s20, partials + (2 * ps));
            return;
        }

        // The reduction tree keeps its four inputs apart, so the fourth (a repeat) changes nothing in the other three.
        Vector128<float> sums = HorizontalSums.Sum4(s00, s10, s20, s20);
        WriteDot(c, sums.GetElement(0), chunk, row, epilogue);
        WriteDot(c + ldc, sums.GetElement(1), chunk, row + 1, epilogue);
        WriteDot(c + (2 * ldc), sums.GetElement(2), chunk, row + 2, epilogue);
    }
}
