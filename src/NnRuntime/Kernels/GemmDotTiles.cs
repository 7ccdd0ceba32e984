using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The dot-product register tiles: both operands run along k, each output's products are summed in
/// <see cref="SumLanes"/> lanes and the lanes reduced once at the end.
/// </summary>
/// <remarks>
/// The order of every sum is that of one 512-bit accumulator, whatever the vector width: element p of a dot product
/// goes to lane p mod 16 (the elements after the last full 16 go, masked, to the top lanes of one more step over
/// the last 16 elements), each lane is one FMA chain in order of p, and the 16 lanes are reduced as a 512-bit vector
/// is (<see cref="HorizontalSums.SumOf16"/>). A 256-bit tile sums lanes 0–7 of every 16-element step in one pass
/// and lanes 8–15 in a second pass over the same chunk of k, a 128-bit tile in four passes, each pass with the
/// register tile of its own width and every lane parked in scratch between passes and chunks; so a product gives the
/// same bits at 128, 256 and 512 bits, with any tile shape. Sums depend on the lane count, not the width: the 512-bit
/// order was kept because the course's figures were reproduced with it.
/// </remarks>
internal static unsafe partial class GemmKernels
{
    /// <summary>Lanes of every dot-product sum at every width: one 512-bit vector's worth.</summary>
    internal const int SumLanes = 16;

    /// <summary>
    /// C = alpha · A · Bᵀ by dot-product tiles over k chunks. Between chunks and passes a tile parks its lane sums in
    /// scratch rather than reducing them: the horizontal sums happen once per output, after the last chunk. With
    /// enough columns to amortize it and more than one pass or chunk, each chunk of A is first copied into aligned
    /// scratch, so the A rows of one chunk no longer sit a whole input row apart in the same L1 sets and each pass reads
    /// whole cache lines of its lanes. Chunks start at multiples of 16 counted from each
    /// row's start, never from an address, so which lane sums which element (and so the result) depends on the inputs
    /// only, wherever the buffers sit. The caller guarantees k ≥ <see cref="SumLanes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        int passes = SumLanes / width;

        // Chunk boundaries do not change any sum (the lanes are parked exactly), so every width takes the same chunks.
        int depthBlock = DotDepthBlock;
        int bodyEnd = k / SumLanes * SumLanes;

        // In one pass over one chunk (512-bit tiles, k up to one depth block) the copy would be A's rows exactly as they
        // lie, so they are read in place: copying W1 (256 × 784) for every 40-example chunk of the Fashion network's
        // PredictBatch cost more than it saved (Zen 5, same run: 4–13 % off the whole 1-thread PredictBatch; same bits).
        bool pack = n >= DotPackMinimumColumns && (passes > 1 || bodyEnd > depthBlock);
        int tail = k - bodyEnd;

        // Scratch holds one row group's copy of an A chunk, then the parked sums of that row group × a column group.
        // Both groupings depend only on m and the width, so every part of a split product sums exactly alike.
        int rowGroup = Math.Min(m, DotRowGroupTiles * tiles.DotRows());
        nint packedFloats = pack ? (nint)rowGroup * (depthBlock + SumLanes) : 0;
        int columnBlock = tiles.DotColumns();
        int columnGroup = Math.Max(columnBlock, (int)((ScratchFloats - packedFloats) / (rowGroup * SumLanes)) / columnBlock * columnBlock);
        float* scratch = Scratch;
        float* partials = scratch + packedFloats;
        bool local = bodyEnd <= depthBlock;
        for (int i0 = 0; i0 < m; i0 += rowGroup)
        {
            int rows = Math.Min(rowGroup, m - i0);
            for (int j0 = 0; j0 < n; j0 += columnGroup)
            {
                int columns = Math.Min(columnGroup, n - j0);

                // With one chunk a tile's sums are reduced as soon as its last pass ends, so every tile parks them in
                // the same small block that stays in L1, instead of writing 16 floats per output out to L2 and back.
                nint partialStride = local ? MaxDotColumns * SumLanes : (nint)columns * SumLanes;
                for (int k0 = 0; k0 < bodyEnd; k0 += depthBlock)
                {
                    int length = Math.Min(depthBlock, bodyEnd - k0);
                    bool hasTail = k0 + length == bodyEnd && tail != 0;
                    nint tailB = k - SumLanes - k0;
                    float* aChunk;
                    nint aStride;
                    nint tailA;
                    nint aStep;
                    nint aPassStride;
                    if (pack)
                    {
                        // Packed row: [pass 0's lanes of the chunk | pass 1's | … | last 16 floats of the row], the tail
                        // only for the chunk that sums it. Each pass then reads whole cache lines of the copy instead
                        // of every line's share of its lanes, and the later passes do not wait on L2 for the rest.
                        aStride = length + SumLanes;
                        aStep = width;
                        aPassStride = length / passes;
                        for (int r = 0; r < rows; r++)
                        {
                            float* source = a + ((i0 + r) * lda) + k0;
                            float* destination = scratch + (r * aStride);
                            for (int h = 0; h < passes; h++)
                            {
                                float* from = source + (h * width);
                                float* to = destination + (h * aPassStride);
                                for (int q = 0; q < aPassStride; q += width)
                                {
                                    TSimd.Store(TSimd.Load(from), to + q);
                                    from += SumLanes;
                                }
                            }

                            if (hasTail)
                            {
                                new ReadOnlySpan<float>(source - k0 + k - SumLanes, SumLanes).CopyTo(new Span<float>(destination + length, SumLanes));
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
                        aStep = SumLanes;
                        aPassStride = width;
                    }

                    var chunk = new DotChunk<TVec>(length, aStep, aPassStride, hasTail, tailA, tailB, SumLanes - tail, TSimd.Zero, first: k0 == 0, partialStride);
                    var output = new DotOutput<TEpilogue>(k0 + length == bodyEnd, local, c + (i0 * ldc) + j0, ldc, i0, alpha, epilogue);
                    DotChunkTiles<TSimd, TVec, TEpilogue>(tiles, aChunk, aStride, b + (j0 * ldb) + k0, ldb, partials, rows, columns, chunk, output);
                }
            }
        }
    }

    /// <summary>
    /// The parked 16-lane sums of one tile's rows × columns outputs reduced into C, four outputs of a row at a time
    /// through the 128-bit epilogue, the rest one by one (the element-wise operators give the same bits either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotReduce<TEpilogue>(float* partials, nint partialStride, float* c, nint ldc, int row0, int rows, int columns, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int r = 0; r < rows; r++)
        {
            float* sums = partials + (r * partialStride);
            float* target = c + (r * ldc);
            int j = 0;
            for (; j <= columns - 4; j += 4)
            {
                float* s = sums + (j * SumLanes);
                Vector128<float> value = HorizontalSums.Sum4Of16(s, s + SumLanes, s + (2 * SumLanes), s + (3 * SumLanes)) * alpha;
                if (!TEpilogue.IsNone)
                {
                    value = epilogue.Apply<Simd128, Vector128<float>>(value, target + j, row0 + r);
                }

                value.Store(target + j);
            }

            for (; j < columns; j++)
            {
                float value = alpha * HorizontalSums.SumOf16(sums + (j * SumLanes));
                target[j] = TEpilogue.IsNone ? value : epilogue.Apply(value, target + j, row0 + r);
            }
        }
    }

    /// <summary>
    /// C = alpha · A · Bᵀ for k &lt; <see cref="SumLanes"/>, where the one (masked) 16-lane step would start before the
    /// rows: element p sits in lane 16 − k + p as it would in that step, and the lanes are reduced in the same tree, in
    /// scalar code because such products are rare and small (a mini-batch of a few examples).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotShort<TEpilogue>(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        float* lanes = stackalloc float[SumLanes];
        int first = SumLanes - k;
        for (int i = 0; i < m; i++)
        {
            float* aRow = a + (i * lda);
            for (int j = 0; j < n; j++)
            {
                float* bRow = b + (j * ldb);
                for (int l = 0; l < SumLanes; l++)
                {
                    // The fused multiply-add onto zero, as the vector step computes it (its sign of zero included).
                    lanes[l] = l < first ? 0f : MathF.FusedMultiplyAdd(aRow[l - first], bRow[l - first], 0f);
                }

                float value = alpha * HorizontalSums.SumOf16(lanes);
                float* target = c + (i * ldc) + j;
                *target = TEpilogue.IsNone ? value : epilogue.Apply(value, target, i);
            }
        }
    }

    /// <summary>
    /// All tiles of one k chunk: rows [0, rows) of the group by every column of it. Each tile runs its passes back to
    /// back (pass h sums lanes [h·width, (h + 1)·width) of every 16-element step, operands and parked sums offset by
    /// h·width), so the second pass finds the tile's rows of A and B still in L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotChunkTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* partials, int rows, int n, in DotChunk<TVec> chunk, in DotOutput<TEpilogue> output)
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
                float* tilePartials = output.Local ? partials : partials + (i * ps) + (j * SumLanes);
                if (wide)
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot4x5<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), lda, bj + offset, ldb, tilePartials + offset, chunk.Pass<TSimd>(pass, offset), prefetch);
                    }
                }
                else
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot3x4<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), lda, bj + offset, ldb, tilePartials + offset, chunk.Pass<TSimd>(pass, offset), prefetch);
                    }
                }

                output.Reduce(tilePartials, ps, i, j, rowBlock, columnBlock);
            }

            for (; i < rows; i++)
            {
                float* tilePartials = output.Local ? partials : partials + (i * ps) + (j * SumLanes);
                if (wide)
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot1x5<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), bj + offset, ldb, tilePartials + offset, chunk.Pass<TSimd>(pass, offset));
                    }
                }
                else
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot1x4<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), bj + offset, ldb, tilePartials + offset, chunk.Pass<TSimd>(pass, offset));
                    }
                }

                output.Reduce(tilePartials, ps, i, j, 1, columnBlock);
            }
        }

        for (; j < n; j++)
        {
            float* bj = b + (j * ldb);
            int i = 0;
            for (; i <= rows - rowBlock; i += rowBlock)
            {
                float* tilePartials = output.Local ? partials : partials + (i * ps) + (j * SumLanes);
                if (wide)
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot4x1<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), lda, bj + offset, tilePartials + offset, chunk.Pass<TSimd>(pass, offset));
                    }
                }
                else
                {
                    for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                    {
                        Dot3x1<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), lda, bj + offset, tilePartials + offset, chunk.Pass<TSimd>(pass, offset));
                    }
                }

                output.Reduce(tilePartials, ps, i, j, rowBlock, 1);
            }

            for (; i < rows; i++)
            {
                float* tilePartials = output.Local ? partials : partials + (i * ps) + (j * SumLanes);
                for (int pass = 0, offset = 0; offset < SumLanes; pass++, offset += width)
                {
                    Dot1x1<TSimd, TVec>(a + (i * lda) + chunk.AOffset(pass), bj + offset, tilePartials + offset, chunk.Pass<TSimd>(pass, offset));
                }

                output.Reduce(tilePartials, ps, i, j, 1, 1);
            }
        }
    }

    /// <summary>Where a chunk's tiles put their outputs: C and the epilogue, used only by the last chunk.</summary>
    private readonly struct DotOutput<TEpilogue>(bool last, bool local, float* c, nint ldc, int row0, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        /// <summary>Whether this is the last chunk, after which a tile reduces its sums into C.</summary>
        public readonly bool Last = last;

        /// <summary>Whether every tile parks in the same block (one chunk only: nothing is kept between tiles).</summary>
        public readonly bool Local = local;

        private readonly float* _c = c;
        private readonly nint _ldc = ldc;
        private readonly int _row0 = row0;
        private readonly float _alpha = alpha;
        private readonly TEpilogue _epilogue = epilogue;

        /// <summary>After the last chunk, the tile at rows [i, i + rows) and columns [j, j + columns) of the group into C.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Reduce(float* tilePartials, nint partialStride, int i, int j, int rows, int columns)
        {
            if (Last)
            {
                DotReduce(tilePartials, partialStride, _c + (i * _ldc) + j, _ldc, _row0 + i, rows, columns, _alpha, _epilogue);
            }
        }
    }

    /// <summary>
    /// What a dot-product tile needs to know about the k chunk and pass it sums. Offsets are relative to the tile's A
    /// and B pointers and the same for every row, because rows differ only by their strides.
    /// </summary>
    private readonly struct DotChunk<TVec>(int length, nint aStep, nint aPassStride, bool hasTail, nint tailA, nint tailB, int tailFirstLane, TVec tailMask, bool first, nint partialStride)
        where TVec : struct
    {
        /// <summary>Floats summed in full 16-element steps, a multiple of <see cref="SumLanes"/>.</summary>
        public readonly int Length = length;

        /// <summary>
        /// Floats of A per 16-element step within one pass: 16 where A is read in place, the vector width where the
        /// copied chunk holds each pass's lanes contiguously.
        /// </summary>
        public readonly nint AStep = aStep;

        /// <summary>Floats between the starts of consecutive passes' lanes in A.</summary>
        public readonly nint APassStride = aPassStride;

        /// <summary>Whether this chunk also sums the masked step over the row's last 16 elements.</summary>
        public readonly bool HasTail = hasTail;

        public readonly nint TailA = tailA;

        public readonly nint TailB = tailB;

        /// <summary>The first of the 16 lanes the masked step sums: the elements after the last full step go to the top lanes.</summary>
        public readonly int TailFirstLane = tailFirstLane;

        /// <summary>Keeps only this pass's lanes among those of the masked step (set by <see cref="Pass{TSimd}"/>).</summary>
        public readonly TVec TailMask = tailMask;

        /// <summary>The first chunk starts its sums from zero; later ones from the sums parked before.</summary>
        public readonly bool First = first;

        /// <summary>Floats between the parked sums of consecutive rows: 16 lanes per column of the column group.</summary>
        public readonly nint PartialStride = partialStride;

        /// <summary>Where pass <paramref name="pass"/> starts in a row of A.</summary>
        public nint AOffset(int pass) => pass * APassStride;

        /// <summary>
        /// This chunk for pass <paramref name="pass"/>, whose lanes start at <paramref name="offset"/> of the 16: A's
        /// tail offset is relative to the pass's start in A, and the mask keeps the pass's lanes of the masked step.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public DotChunk<TVec> Pass<TSimd>(int pass, int offset)
            where TSimd : struct, ISimdOps<TVec> =>
            new(Length, AStep, APassStride, HasTail, TailA + offset - AOffset(pass), TailB, TailFirstLane, TSimd.LanesFrom(TailFirstLane - offset), First, PartialStride);
    }

    // prefetch: a B row of the next column group to pull into L2, one line per step (the tile's own first B row when
    // there is no next group: an unconditional prefetch costs less than testing for one in every step).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x5<TSimd, TVec>(
        float* a, nint lda, float* b, nint ldb, float* partials, in DotChunk<TVec> chunk, float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero, s04 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero, s14 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero, s24 = TSimd.Zero;
        TVec s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero, s33 = TSimd.Zero, s34 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + SumLanes);
            s02 = TSimd.Load(partials + (2 * SumLanes));
            s03 = TSimd.Load(partials + (3 * SumLanes));
            s04 = TSimd.Load(partials + (4 * SumLanes));
            s10 = TSimd.Load(partials + ps);
            s11 = TSimd.Load(partials + ps + SumLanes);
            s12 = TSimd.Load(partials + ps + (2 * SumLanes));
            s13 = TSimd.Load(partials + ps + (3 * SumLanes));
            s14 = TSimd.Load(partials + ps + (4 * SumLanes));
            s20 = TSimd.Load(partials + (2 * ps));
            s21 = TSimd.Load(partials + (2 * ps) + SumLanes);
            s22 = TSimd.Load(partials + (2 * ps) + (2 * SumLanes));
            s23 = TSimd.Load(partials + (2 * ps) + (3 * SumLanes));
            s24 = TSimd.Load(partials + (2 * ps) + (4 * SumLanes));
            s30 = TSimd.Load(partials + (3 * ps));
            s31 = TSimd.Load(partials + (3 * ps) + SumLanes);
            s32 = TSimd.Load(partials + (3 * ps) + (2 * SumLanes));
            s33 = TSimd.Load(partials + (3 * ps) + (3 * SumLanes));
            s34 = TSimd.Load(partials + (3 * ps) + (4 * SumLanes));
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
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            Prefetch(prefetch);
            prefetch += SumLanes;

            TVec y0 = TSimd.Load(b0 + p), y1 = TSimd.Load(b1 + p), y2 = TSimd.Load(b2 + p), y3 = TSimd.Load(b3 + p), y4 = TSimd.Load(b4 + p);
            TVec x = TSimd.Load(a0 + q);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            s03 = TSimd.MultiplyAdd(x, y3, s03);
            s04 = TSimd.MultiplyAdd(x, y4, s04);
            x = TSimd.Load(a1 + q);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            s13 = TSimd.MultiplyAdd(x, y3, s13);
            s14 = TSimd.MultiplyAdd(x, y4, s14);
            x = TSimd.Load(a2 + q);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            s23 = TSimd.MultiplyAdd(x, y3, s23);
            s24 = TSimd.MultiplyAdd(x, y4, s24);
            x = TSimd.Load(a3 + q);
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

        TSimd.Store(s00, partials);
        TSimd.Store(s01, partials + SumLanes);
        TSimd.Store(s02, partials + (2 * SumLanes));
        TSimd.Store(s03, partials + (3 * SumLanes));
        TSimd.Store(s04, partials + (4 * SumLanes));
        TSimd.Store(s10, partials + ps);
        TSimd.Store(s11, partials + ps + SumLanes);
        TSimd.Store(s12, partials + ps + (2 * SumLanes));
        TSimd.Store(s13, partials + ps + (3 * SumLanes));
        TSimd.Store(s14, partials + ps + (4 * SumLanes));
        TSimd.Store(s20, partials + (2 * ps));
        TSimd.Store(s21, partials + (2 * ps) + SumLanes);
        TSimd.Store(s22, partials + (2 * ps) + (2 * SumLanes));
        TSimd.Store(s23, partials + (2 * ps) + (3 * SumLanes));
        TSimd.Store(s24, partials + (2 * ps) + (4 * SumLanes));
        TSimd.Store(s30, partials + (3 * ps));
        TSimd.Store(s31, partials + (3 * ps) + SumLanes);
        TSimd.Store(s32, partials + (3 * ps) + (2 * SumLanes));
        TSimd.Store(s33, partials + (3 * ps) + (3 * SumLanes));
        TSimd.Store(s34, partials + (3 * ps) + (4 * SumLanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x5<TSimd, TVec>(
        float* a, float* b, nint ldb, float* partials, in DotChunk<TVec> chunk)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero, s04 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + SumLanes);
            s02 = TSimd.Load(partials + (2 * SumLanes));
            s03 = TSimd.Load(partials + (3 * SumLanes));
            s04 = TSimd.Load(partials + (4 * SumLanes));
        }

        float* a0 = a;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        float* b4 = b3 + ldb;
        nint length = chunk.Length;
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            TVec y0 = TSimd.Load(b0 + p), y1 = TSimd.Load(b1 + p), y2 = TSimd.Load(b2 + p), y3 = TSimd.Load(b3 + p), y4 = TSimd.Load(b4 + p);
            TVec x = TSimd.Load(a0 + q);
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

        TSimd.Store(s00, partials);
        TSimd.Store(s01, partials + SumLanes);
        TSimd.Store(s02, partials + (2 * SumLanes));
        TSimd.Store(s03, partials + (3 * SumLanes));
        TSimd.Store(s04, partials + (4 * SumLanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x1<TSimd, TVec>(
        float* a, nint lda, float* b, float* partials, in DotChunk<TVec> chunk)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
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
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            TVec y0 = TSimd.Load(b0 + p);
            TVec x = TSimd.Load(a0 + q);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            x = TSimd.Load(a1 + q);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            x = TSimd.Load(a2 + q);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            x = TSimd.Load(a3 + q);
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

        TSimd.Store(s00, partials);
        TSimd.Store(s10, partials + ps);
        TSimd.Store(s20, partials + (2 * ps));
        TSimd.Store(s30, partials + (3 * ps));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x1<TSimd, TVec>(float* a, float* b, float* partials, in DotChunk<TVec> chunk)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        // One chain per lane like every other tile: a second accumulator would hide FMA latency but give this
        // element another order than the tile shape that covers it with a wider tile.
        TVec sum = chunk.First ? TSimd.Zero : TSimd.Load(partials);
        nint length = chunk.Length;
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            sum = TSimd.MultiplyAdd(TSimd.Load(a + q), TSimd.Load(b + p), sum);
        }

        if (chunk.HasTail)
        {
            TVec mask = chunk.TailMask;
            sum = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a + chunk.TailA), mask), TSimd.And(TSimd.Load(b + chunk.TailB), mask), sum);
        }

        TSimd.Store(sum, partials);
    }

    // The narrow shape's tiles (16 vector registers): 3 A rows × 4 B rows keep 12 sums, 3 A vectors and one B vector
    // live.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x4<TSimd, TVec>(float* a, nint lda, float* b, nint ldb, float* partials, in DotChunk<TVec> chunk, float* prefetch)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero;
        nint ps = chunk.PartialStride;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + SumLanes);
            s02 = TSimd.Load(partials + (2 * SumLanes));
            s03 = TSimd.Load(partials + (3 * SumLanes));
            s10 = TSimd.Load(partials + ps);
            s11 = TSimd.Load(partials + ps + SumLanes);
            s12 = TSimd.Load(partials + ps + (2 * SumLanes));
            s13 = TSimd.Load(partials + ps + (3 * SumLanes));
            s20 = TSimd.Load(partials + (2 * ps));
            s21 = TSimd.Load(partials + (2 * ps) + SumLanes);
            s22 = TSimd.Load(partials + (2 * ps) + (2 * SumLanes));
            s23 = TSimd.Load(partials + (2 * ps) + (3 * SumLanes));
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        nint length = chunk.Length;
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            Prefetch(prefetch);
            prefetch += SumLanes;

            TVec x0 = TSimd.Load(a0 + q), x1 = TSimd.Load(a1 + q), x2 = TSimd.Load(a2 + q);
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
        TSimd.Store(s01, partials + SumLanes);
        TSimd.Store(s02, partials + (2 * SumLanes));
        TSimd.Store(s03, partials + (3 * SumLanes));
        TSimd.Store(s10, partials + ps);
        TSimd.Store(s11, partials + ps + SumLanes);
        TSimd.Store(s12, partials + ps + (2 * SumLanes));
        TSimd.Store(s13, partials + ps + (3 * SumLanes));
        TSimd.Store(s20, partials + (2 * ps));
        TSimd.Store(s21, partials + (2 * ps) + SumLanes);
        TSimd.Store(s22, partials + (2 * ps) + (2 * SumLanes));
        TSimd.Store(s23, partials + (2 * ps) + (3 * SumLanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<TSimd, TVec>(
        float* a, float* b, nint ldb, float* partials, in DotChunk<TVec> chunk)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        if (!chunk.First)
        {
            s00 = TSimd.Load(partials);
            s01 = TSimd.Load(partials + SumLanes);
            s02 = TSimd.Load(partials + (2 * SumLanes));
            s03 = TSimd.Load(partials + (3 * SumLanes));
        }

        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        float* b3 = b2 + ldb;
        nint length = chunk.Length;
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            TVec x = TSimd.Load(a + q);
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

        TSimd.Store(s00, partials);
        TSimd.Store(s01, partials + SumLanes);
        TSimd.Store(s02, partials + (2 * SumLanes));
        TSimd.Store(s03, partials + (3 * SumLanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x1<TSimd, TVec>(
        float* a, nint lda, float* b, float* partials, in DotChunk<TVec> chunk)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
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
        nint aStep = chunk.AStep;
        for (nint p = 0, q = 0; p < length; p += SumLanes, q += aStep)
        {
            TVec y = TSimd.Load(b + p);
            s00 = TSimd.MultiplyAdd(TSimd.Load(a0 + q), y, s00);
            s10 = TSimd.MultiplyAdd(TSimd.Load(a1 + q), y, s10);
            s20 = TSimd.MultiplyAdd(TSimd.Load(a2 + q), y, s20);
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

        TSimd.Store(s00, partials);
        TSimd.Store(s10, partials + ps);
        TSimd.Store(s20, partials + (2 * ps));
    }
}
