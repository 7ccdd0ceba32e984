using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The register-blocked loops behind <see cref="Gemm"/>. Everything here trusts its caller: sizes were checked at the
/// public edge, pointers are pinned, and <c>width</c> is already resolved (never <see cref="SimdWidth.Auto"/>).
/// </summary>
/// <remarks>
/// Two loop shapes cover the three products, chosen by which operand is contiguous along the output row:
/// <list type="bullet">
/// <item><b>Outer-product</b> (NN, TN): B and C are contiguous along n, so a C tile of 5 rows × v vectors stays in
/// registers while each step over k broadcasts one A element per row and loads v vectors of one B row. With 32 vector
/// registers (<see cref="TileShape.Wide"/>: AVX-512, whose EVEX encoding gives 256-bit code the same 32) v = 4: 20 FMAs
/// for 4 loads + 5 broadcasts, 25 registers in use; with 16 (<see cref="TileShape.Narrow"/>: AVX2) v = 2: 10 FMAs,
/// 13 registers. A is addressed through a row stride and a depth stride, so Aᵀ (TN) needs no transposed copy.</item>
/// <item><b>Dot-product</b> (NT, MatVec): both operands are contiguous along k, so a tile of r A rows × c B rows keeps
/// r·c vector partial sums, parks them in scratch between chunks of k, and at the end reduces them four outputs at a
/// time into one 128-bit vector of C (see <see cref="HorizontalSums.Sum4Of16"/>). Wide tiles are 4 × 5 and narrow ones
/// 3 × 4, each the fastest shape measured for its register file (docs/performance.md). At 512 bits with the wide
/// register file, a product whose k is one chunk (a dense layer's W·Xᵀ over a chunk of examples) goes through 6 × 4
/// tiles that reduce their sums straight from registers instead (<see cref="DotRegisterTiles"/>): 24 FMAs per 10
/// loads, nothing parked.</item>
/// </list>
/// Cache-driven variants: large NN/TN products copy B into contiguous depth-blocked panels
/// (<see cref="OuterPackedTiles"/>); NT products with several B rows copy each k chunk of A into aligned scratch
/// (<see cref="DotTiles"/>); short NT products (k ≤ 64) transpose B into scratch (<see cref="OuterTransposed"/>)
/// instead of paying a horizontal sum per output. Scratch is one pinned, 64-byte-aligned array per thread, reused.
/// <para>
/// Results do not depend on the vector width or the tile shape, only on the inputs, so the course's figures come out
/// the same on every CPU: an outer-product element is one FMA chain over k in order, scaled once at the end, whichever
/// tile, tail vector or depth block computes it (see <c>OuterBlock</c>); a dot-product element is summed in
/// <see cref="SumLanes"/> lanes, the order of one 512-bit vector, at every width (see <see cref="DotTiles"/>); which of
/// the two an NT product takes depends on its sizes only. Tails: an outer-product column tail recomputes the last full
/// vector of columns, or the last full tile when it spans two vectors or more, over all of k (harmless because the
/// chain is the same: the last write is a complete result), and rows left by the five-row tiles may do the same with a
/// four-row tile (see <see cref="OuterFourRowTiles"/>); a dot-product depth edge loads the last 16 elements and masks
/// the lanes that belong elsewhere to zero, the identity of the sum. Outer products narrower than one vector drop to the next narrower width, down to the scalar loops
/// (n &lt; 4 at every width), which double as the reference implementation and keep their own, sequential order.
/// </para>
/// Epilogues (<see cref="IGemmEpilogue"/>) run on each value once it is final, inside the tile's store.
/// The loops are compiled fully optimized on first call (<see cref="MethodImplOptions.AggressiveOptimization"/>): each
/// generic instantiation is a separate method that tiered compilation would run unoptimized (every vector operation an
/// actual call) for its first 30 calls and then some, which slows a training run's first iterations many times over.
/// </remarks>
internal static unsafe partial class GemmKernels
{
    /// <summary>Rows of C per outer-product tile, in either <see cref="TileShape"/>; the vectors per row are the shape's.</summary>
    internal const int OuterRowBlock = 5;

    /// <summary>The most vectors of C columns an outer-product tile spans (<see cref="TileShape.Wide"/>).</summary>
    internal const int MaxOuterVectors = 4;

    /// <summary>The most A rows a dot-product tile spans (<see cref="TileShape.Wide"/>).</summary>
    internal const int MaxDotRows = 4;

    /// <summary>
    /// The most B rows (columns of C) a dot-product tile spans: five in <see cref="TileShape.Wide"/>, so each step
    /// loads 4 A vectors (from L2, the copied chunk) for 20 FMAs where 5 × 4 tiles load 5; four in
    /// <see cref="TileShape.Narrow"/>. A row's first four sums reduce into one 128-bit vector of C.
    /// </summary>
    internal const int MaxDotColumns = 5;

    /// <summary>
    /// Floats of k per dot-product chunk. The copied chunk of A (20 rows: 80 KiB) stays in L2 and the 5 B rows of a tile
    /// (20 KiB) in L1 while the 5 row blocks of A stream past them; shorter chunks park and reload the tile's sums more
    /// often. The optimum measured flat from 384 to 2048; 1024 also keeps the B rows in page-long runs for the
    /// prefetcher. At narrower widths a tile sums its chunk in two or four passes back to back, the later ones reading
    /// the tile's B rows from L1.
    /// </summary>
    internal const int DotDepthBlock = 1024;

    /// <summary>
    /// Dot-product tiles per row group: a group's chunk of A is copied once per chunk and its sums parked in scratch
    /// between chunks; 40 rows (wide tiles) × 1056 floats of A leave room for the sums of 40 × 135 outputs at 512 bits.
    /// </summary>
    private const int DotRowGroupTiles = 10;

    /// <summary>
    /// Scratch per thread, in floats (512 KiB): half the 1 MiB L2 of the target CPUs, so a packed block stays in L2
    /// next to the other operand and the C tiles.
    /// </summary>
    private const int ScratchFloats = 128 * 1024;

    /// <summary>
    /// Floats in one packed outer-product panel (16 KiB: 64 deep at 512 bits, 128 at 256): it stays in the 32 KiB L1
    /// with the A rows and C tiles while every row block of A streams past it; the price is one read-modify-write of
    /// C per extra depth block.
    /// </summary>
    private const int PackedPanelFloats = 4096;

    /// <summary>
    /// Columns of B per packed block: one 4 KiB page of each row, so a block (64 rows at 512 bits, 256 KiB) and the
    /// next one being prefetched share the L2.
    /// </summary>
    private const int PackedBlockColumns = 1024;

    /// <summary>Floats per 64-byte cache line: the stride of the packed path's prefetches.</summary>
    private const int CacheLineFloats = 16;

    /// <summary>Longest k for which NT goes through transposed panels rather than dot-product tiles.</summary>
    internal const int MaxTransposedDepth = 64;

    /// <summary>
    /// Below this span of B (k · ldb floats, 64 KiB) the unpacked panel already sits in L1/L2 and packing would only
    /// add a copy.
    /// </summary>
    private const long PackMinimumFloats = 16 * 1024;

    /// <summary>
    /// NT copies A only when at least this many columns of C reuse each copied chunk; a matrix-vector product (one
    /// column) reads A exactly once and a copy would double its memory traffic.
    /// </summary>
    private const int DotPackMinimumColumns = 2 * MaxDotColumns;

    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>
    /// This thread's scratch, <see cref="ScratchFloats"/> floats starting on a 64-byte boundary so packed panels never
    /// split a vector across cache lines. Allocated pinned on first use, then reused: no allocation per call.
    /// </summary>
    private static float* Scratch
    {
        get
        {
            float[] buffer = t_scratch ??= GC.AllocateUninitializedArray<float>(ScratchFloats + 16, pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
            return (float*)((start + 63) & ~(nint)63);
        }
    }

    /// <summary>
    /// C[m×n] = alpha · A · B where A(i, p) = a[i·aRowStride + p·aDepthStride], B is k×n with row stride ldb and C has
    /// row stride ldc.
    /// </summary>
    internal static void Outer(
        SimdWidth width, TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc,
        int m, int k, int n, float alpha) =>
        Outer(width, tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, default(NoEpilogue));

    /// <summary>As <see cref="Outer(SimdWidth, TileShape, float*, nint, nint, float*, nint, float*, nint, int, int, int, float)"/>, each final value through <paramref name="epilogue"/>.</summary>
    internal static void Outer<TEpilogue>(
        SimdWidth width, TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc,
        int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        switch (width)
        {
            case SimdWidth.V512:
                OuterVector<Simd512, Vector512<float>, TEpilogue>(tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            case SimdWidth.V256:
                OuterVector<Simd256, Vector256<float>, TEpilogue>(tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            case SimdWidth.V128:
                OuterVector<Simd128, Vector128<float>, TEpilogue>(tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            default:
                OuterScalar(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
        }
    }

    /// <summary>
    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ (+ bias[i] on row i when <paramref name="bias"/> is not null), A and B
    /// contiguous along k with row strides lda and ldb.
    /// </summary>
    internal static void Dot(
        SimdWidth width, TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, float* bias)
    {
        if (bias == null)
        {
            Dot(width, tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, default(NoEpilogue));
        }
        else
        {
            Dot(width, tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, new BiasActivationEpilogue<LinearOperator>(bias));
        }
    }

    /// <summary>As <see cref="Dot(SimdWidth, TileShape, float*, nint, float*, nint, float*, nint, int, int, int, float, float*)"/>, each final value through <paramref name="epilogue"/>.</summary>
    internal static void Dot<TEpilogue>(
        SimdWidth width, TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        switch (width)
        {
            case SimdWidth.V512:
                DotVector<Simd512, Vector512<float>, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            case SimdWidth.V256:
                DotVector<Simd256, Vector256<float>, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            case SimdWidth.V128:
                DotVector<Simd128, Vector128<float>, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
            default:
                DotScalar(a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void OuterScalar<TEpilogue>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int i = 0; i < m; i++)
        {
            float* cRow = c + (i * ldc);
            new Span<float>(cRow, n).Clear();
            float* aRow = a + (i * aRowStride);
            for (int p = 0; p < k; p++)
            {
                float aip = aRow[p * aDepthStride];
                float* bRow = b + (p * ldb);
                for (int j = 0; j < n; j++)
                {
                    cRow[j] += aip * bRow[j];
                }
            }

            for (int j = 0; j < n; j++)
            {
                cRow[j] = epilogue.Apply(cRow[j] * alpha, cRow + j, i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DotScalar<TEpilogue>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int i = 0; i < m; i++)
        {
            float* aRow = a + (i * lda);
            for (int j = 0; j < n; j++)
            {
                float* bRow = b + (j * ldb);
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += aRow[p] * bRow[p];
                }

                float* target = c + (i * ldc) + j;
                *target = epilogue.Apply(alpha * sum, target, i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterVector<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        if (n < width)
        {
            if (TEpilogue.IsNone && aDepthStride == 1 && n >= NarrowGroupColumns && m >= width && k > 0)
            {
                OuterNarrowColumns<TSimd, TVec>(a, aRowStride, b, ldb, c, ldc, m, k, n, alpha);
                return;
            }

            Outer(TSimd.Narrower, tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha, epilogue);
            return;
        }

        // Fewer columns than one wide tile (a 40-example chunk's layer 2 at 512 bits): two-vector tiles load 7 operands
        // per 10 FMAs where the single-vector tiles that would take every column load 11. Same chains, same bits.
        if (tiles == TileShape.Wide && n < TileShape.Wide.OuterVectors() * width && n >= TileShape.Narrow.OuterVectors() * width)
        {
            tiles = TileShape.Narrow;
        }

        int tileColumns = tiles.OuterVectors() * width;
        int fullTileColumns = n - (n % tileColumns);
        int j = 0;
        if (m > OuterRowBlock && fullTileColumns > 0 && (long)k * ldb >= PackMinimumFloats)
        {
            OuterPackedTiles<TSimd, TVec, TEpilogue>(tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, fullTileColumns, alpha, epilogue);
            j = fullTileColumns;
        }

        var block = new OuterBlock(alpha, accumulate: false, last: true);
        for (; j <= n - tileColumns; j += tileColumns)
        {
            OuterTileColumn<TSimd, TVec, TEpilogue>(tiles, a, aRowStride, aDepthStride, b + j, ldb, c + j, ldc, m, k, block, epilogue);
        }

        if (j < n && j >= tileColumns && OverlapLastTile(tiles, (n - j + width - 1) / width))
        {
            // One full tile over the last columns, recomputing some of the previous tile's (same chains, same values).
            OuterTileColumn<TSimd, TVec, TEpilogue>(tiles, a, aRowStride, aDepthStride, b + n - tileColumns, ldb, c + n - tileColumns, ldc, m, k, block, epilogue);
            j = n;
        }

        for (; j < n; j += width)
        {
            // The last partial vector is recomputed over the final full vector's columns.
            int column = Math.Min(j, n - width);
            int i = 0;
            for (; i <= m - (2 * OuterRowBlock); i += 2 * OuterRowBlock)
            {
                Outer10x1<TSimd, TVec, TEpilogue>(a + (i * aRowStride), aRowStride, aDepthStride, b + column, ldb, c + (i * ldc) + column, ldc, k, block, i, epilogue);
            }

            for (; i <= m - OuterRowBlock; i += OuterRowBlock)
            {
                Outer5x1<TSimd, TVec, TEpilogue>(a + (i * aRowStride), aRowStride, aDepthStride, b + column, ldb, c + (i * ldc) + column, ldc, k, block, i, epilogue);
            }

            for (; i < m; i++)
            {
                Outer1x1<TSimd, TVec, TEpilogue>(a + (i * aRowStride), aDepthStride, b + column, ldb, c + (i * ldc) + column, k, block, i, epilogue);
            }
        }
    }

    /// <summary>
    /// Whether the last <paramref name="vectors"/> vectors of columns go through one full tile placed over C's last
    /// columns rather than one single-vector tile each. A single-vector tile waits on its FMA chains' latency (5 chains,
    /// 4 cycles each: about one step per 4 cycles) while a full tile keeps both FMA pipes busy, so a full tile of two
    /// vectors costs about what one single-vector tile does, and one of four about what two and a half do.
    /// </summary>
    private static bool OverlapLastTile(TileShape tiles, int vectors) => vectors >= Math.Max(2, tiles.OuterVectors() - 1);

    /// <summary>
    /// All m rows of one tile-wide column strip: 5-row tiles, then the rest (<see cref="OuterFourRowTiles"/>). With a
    /// <paramref name="prefetch"/> block, the strip's 5-row tiles pull in its rows from <paramref name="prefetchRow"/>
    /// on, one row per tile and one line per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterTileColumn<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int depth, in OuterBlock block, TEpilogue epilogue,
        in PrefetchBlock prefetch = default, int prefetchRow = 0)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        bool wide = tiles == TileShape.Wide;
        int i = 0;
        int fiveRowEnd = FiveRowEnd(m);
        for (; i < fiveRowEnd; i += OuterRowBlock, prefetchRow++)
        {
            float* line = prefetch.Row(prefetchRow);
            float* rowA = a + (i * aRowStride);
            float* rowC = c + (i * ldc);
            if (wide)
            {
                Outer5x4<TSimd, TVec, TEpilogue>(rowA, aRowStride, aDepthStride, b, ldb, rowC, ldc, depth, block, i, epilogue, line == null ? b : line);
            }
            else
            {
                Outer5x2<TSimd, TVec, TEpilogue>(rowA, aRowStride, aDepthStride, b, ldb, rowC, ldc, depth, block, i, epilogue, line == null ? b : line);
            }
        }

        OuterFourRowTiles<TSimd, TVec, TEpilogue>(tiles, a, aRowStride, aDepthStride, b, ldb, c, ldc, i, m, depth, block, epilogue);
    }

    /// <summary>Rows of B that a packed block's tiles pull into L2 for the next block; default: none.</summary>
    private readonly struct PrefetchBlock(float* start, nint ldb, int rows)
    {
        private readonly float* _start = start;
        private readonly nint _ldb = ldb;
        private readonly int _rows = rows;

        public float* Row(int index) => _start == null ? null : _start + ((index % _rows) * _ldb);
    }

    /// <summary>
    /// The full tiles of C columns [0, columns) with B copied, a column block at a time, into contiguous depth × tile
    /// panels. Unpacked, each step over k jumps a whole B row (48 KiB for a 12288-wide input): every load lands on a
    /// different page, the prefetchers cannot follow, and the rows of one tile collide in the same L1 sets. Packed, a
    /// panel is one sequential stream that every row block of A reuses from L1, and B is read from memory once, row by
    /// row, in runs long enough for the hardware prefetcher.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterPackedTiles<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int columns, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int width = TSimd.Count;
        int tileColumns = tiles.OuterVectors() * width;
        int depthBlock = PackedPanelFloats / tileColumns;
        int blockColumns = Math.Max(tileColumns, Math.Min(PackedBlockColumns, ScratchFloats / depthBlock) / tileColumns * tileColumns);
        float* packed = Scratch;
        for (int j0 = 0; j0 < columns; j0 += blockColumns)
        {
            int tileCount = Math.Min(blockColumns, columns - j0) / tileColumns;
            for (int k0 = 0; k0 < k; k0 += depthBlock)
            {
                int depth = Math.Min(depthBlock, k - k0);
                nint panelFloats = (nint)depth * tileColumns;

                // Row by row so the source is read sequentially; each row's tiles go to their own panels.
                for (int p = 0; p < depth; p++)
                {
                    float* source = b + ((k0 + p) * ldb) + j0;
                    float* destination = packed + ((nint)p * tileColumns);
                    for (int t = 0; t < tileCount; t++)
                    {
                        for (int v = 0; v < tileColumns; v += width)
                        {
                            TSimd.Store(TSimd.Load(source + v), destination + v);
                        }

                        source += tileColumns;
                        destination += panelFloats;
                    }
                }

                // While this block computes, its tiles pull the next block's rows of B into L2, so the next copy reads
                // from cache instead of waiting on memory (a net gain although the prefetches slow the arithmetic).
                int nextRow = k0 + depth < k ? k0 + depth : 0;
                int nextColumn = k0 + depth < k ? j0 : j0 + blockColumns;
                var prefetch = nextColumn < columns
                    ? new PrefetchBlock(b + (nextRow * ldb) + nextColumn, ldb, Math.Min(depthBlock, k - nextRow))
                    : default;
                var block = new OuterBlock(alpha, accumulate: k0 != 0, last: k0 + depth == k);
                float* aBlock = a + (k0 * aDepthStride);
                int rowBlocks = FiveRowEnd(m) / OuterRowBlock;
                for (int t = 0; t < tileCount; t++)
                {
                    OuterTileColumn<TSimd, TVec, TEpilogue>(
                        tiles, aBlock, aRowStride, aDepthStride, packed + (t * panelFloats), tileColumns, c + j0 + (t * tileColumns), ldc, m, depth, block, epilogue,
                        prefetch, t * rowBlocks);
                }
            }
        }
    }

    /// <summary>
    /// C = alpha · A · Bᵀ by the outer-product kernel on blocks of Bᵀ transposed into scratch (k × columns). For short
    /// dot products (k up to <see cref="MaxTransposedDepth"/>, e.g. a 4-input first layer) the dot-product tiles spend
    /// most of their time in horizontal sums; this path has none, and the transpose (<see cref="BlockTranspose"/>) is
    /// cheap next to m·k·n FMAs when A has two row blocks or more to reuse each block. For long k the transpose
    /// (page-hopping across B rows) costs more than it saves, so the dot-product tiles keep it. A block is at most one L1-sized panel
    /// (<see cref="PackedPanelFloats"/>, so the outer product never packs it again into the same scratch), a whole
    /// number of 64-column tiles since k ≤ 64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTransposed<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        int maxColumns = PackedPanelFloats / Math.Max(k, 1) / 64 * 64;
        float* panel = Scratch;
        for (int j0 = 0; j0 < n; j0 += maxColumns)
        {
            int columns = Math.Min(maxColumns, n - j0);

            // panel[p, jj] = B[j0 + jj, p].
            BlockTranspose.Transpose(b + (j0 * ldb), ldb, panel, columns, columns, k);

            OuterVector<TSimd, TVec, TEpilogue>(tiles, a, lda, 1, panel, columns, c + j0, ldc, m, k, columns, alpha, epilogue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotVector<TSimd, TVec, TEpilogue>(
        TileShape tiles, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TEpilogue : struct, IGemmEpilogue
    {
        // Both choices depend on the sizes only, never on the width, so every width sums each element alike.
        if (m >= 2 * OuterRowBlock && n >= SumLanes && k <= MaxTransposedDepth)
        {
            OuterTransposed<TSimd, TVec, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
            return;
        }

        if (k < SumLanes)
        {
            DotShort(a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
            return;
        }

        if (UsesDotRegisterTiles(TSimd.Count, tiles, m, k, n))
        {
            DotRegisterTiles<TSimd, TVec, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
            return;
        }

        DotTiles<TSimd, TVec, TEpilogue>(tiles, a, lda, b, ldb, c, ldc, m, k, n, alpha, epilogue);
    }
}
