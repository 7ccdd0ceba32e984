using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The register-blocked inner loops behind <see cref="Gemm"/>. Everything here trusts its caller: sizes were checked
/// at the public edge, pointers are pinned, and <c>width</c> is already resolved (never <see cref="SimdWidth.Auto"/>).
/// </summary>
/// <remarks>
/// Two loop shapes cover the three products, chosen by which operand is contiguous along the output row:
/// <list type="bullet">
/// <item><b>Outer-product</b> (NN, TN): B and C are contiguous along n, so a C tile of 4 rows × 3 vectors stays in
/// registers while each step over k broadcasts one A element per row and loads 3 vectors of one B row: 12 FMAs for
/// 3 vector loads + 4 broadcasts, and 12 independent accumulators hide the FMA latency. A is addressed through a row
/// stride and a depth stride, so Aᵀ (TN) needs no transposed copy.</item>
/// <item><b>Dot-product</b> (NT, MatVec): both operands are contiguous along k, so a tile of 4 A rows × 3 B rows keeps
/// 12 vector partial sums and reduces each horizontally once at the end; k is walked in cache-sized chunks.</item>
/// </list>
/// Two cache-driven variants of the outer-product route: large NN/TN products copy B into contiguous depth-blocked
/// panels first (<see cref="OuterPackedTiles"/>), and short NT products (k ≤ 64) transpose B into such panels
/// (<see cref="OuterTransposedTiles"/>) instead of paying a horizontal sum per output. Scratch is one per-thread array
/// reused across calls.
/// Tails: an outer-product column tail recomputes the last full vector of columns over all of k (harmless because C is
/// overwritten, never accumulated: the last write is a complete result); a dot-product depth tail loads the last full
/// vector and masks the lanes already counted to zero, the identity of the sum. Problems narrower than one vector
/// drop to the next narrower width, down to the scalar loops, which double as the reference implementation.
/// </remarks>
internal static unsafe class GemmKernels
{
    /// <summary>Rows of C per outer-product tile.</summary>
    internal const int OuterRowBlock = 4;

    /// <summary>Vectors of C columns per outer-product tile.</summary>
    internal const int OuterVectorBlock = 3;

    /// <summary>Rows of A per dot-product tile.</summary>
    internal const int DotRowBlock = 4;

    /// <summary>Rows of B (columns of C) per dot-product tile.</summary>
    internal const int DotColumnBlock = 3;

    /// <summary>
    /// Floats of k per dot-product pass: 3 B rows of this length (12 KiB) stay in L1 while every A row block streams
    /// past them, and all of A's rows for one chunk (20 rows: 80 KiB) stay in L2 while the B blocks change.
    /// </summary>
    internal const int DotDepthBlock = 1024;

    /// <summary>
    /// Packing scratch per thread, in floats (512 KiB): half the 1 MiB L2 of the target CPUs, so a packed column
    /// block stays in L2 next to A and the C tiles.
    /// </summary>
    private const int PackBufferFloats = 128 * 1024;

    /// <summary>
    /// Depth of one packed panel: 128 × 48 floats (24 KiB at 512 bits) stays in the 32 KiB L1 while every row block of
    /// A streams past it, and bounds the scratch for any k; the price is one read-modify-write of C per extra depth
    /// block.
    /// </summary>
    private const int PackedDepthBlock = 128;

    /// <summary>Longest k for which NT goes through transposed panels rather than dot-product tiles.</summary>
    private const int MaxTransposedDepth = 64;

    /// <summary>
    /// Below this span of B (k · ldb floats, 64 KiB) the unpacked panel already sits in L1/L2 and packing would only
    /// add a copy.
    /// </summary>
    private const long PackMinimumFloats = 16 * 1024;

    /// <summary>
    /// C[m×n] = alpha · A · B where A(i, p) = a[i·aRowStride + p·aDepthStride], B is k×n with row stride ldb and C has
    /// row stride ldc.
    /// </summary>
    internal static void Outer(
        SimdWidth width, float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc,
        int m, int k, int n, float alpha)
    {
        switch (width)
        {
            case SimdWidth.V512:
                OuterVector<Simd512, Vector512<float>>(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha);
                break;
            case SimdWidth.V256:
                OuterVector<Simd256, Vector256<float>>(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha);
                break;
            case SimdWidth.V128:
                OuterVector<Simd128, Vector128<float>>(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha);
                break;
            default:
                OuterScalar(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha);
                break;
        }
    }

    /// <summary>
    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ (+ bias[i] on row i when <paramref name="bias"/> is not null), A and B
    /// contiguous along k with row strides lda and ldb.
    /// </summary>
    internal static void Dot(
        SimdWidth width, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, float* bias)
    {
        switch (width)
        {
            case SimdWidth.V512:
                DotVector<Simd512, Vector512<float>>(a, lda, b, ldb, c, ldc, m, k, n, alpha, bias);
                break;
            case SimdWidth.V256:
                DotVector<Simd256, Vector256<float>>(a, lda, b, ldb, c, ldc, m, k, n, alpha, bias);
                break;
            case SimdWidth.V128:
                DotVector<Simd128, Vector128<float>>(a, lda, b, ldb, c, ldc, m, k, n, alpha, bias);
                break;
            default:
                DotScalar(a, lda, b, ldb, c, ldc, m, k, n, alpha, bias);
                break;
        }
    }

    internal static void OuterScalar(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha)
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
                cRow[j] *= alpha;
            }
        }
    }

    internal static void DotScalar(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, float* bias)
    {
        for (int i = 0; i < m; i++)
        {
            float* aRow = a + (i * lda);
            float rowBias = bias == null ? 0f : bias[i];
            for (int j = 0; j < n; j++)
            {
                float* bRow = b + (j * ldb);
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += aRow[p] * bRow[p];
                }

                c[(i * ldc) + j] = (alpha * sum) + rowBias;
            }
        }
    }

    private static void OuterVector<TSimd, TVec>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        if (n < width)
        {
            Outer(TSimd.Narrower, a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, n, alpha);
            return;
        }

        int tileColumns = OuterVectorBlock * width;
        int fullTileColumns = n - (n % tileColumns);
        int j = 0;
        if (m > OuterRowBlock && fullTileColumns > 0 && (long)k * ldb >= PackMinimumFloats)
        {
            OuterPackedTiles<TSimd, TVec>(a, aRowStride, aDepthStride, b, ldb, c, ldc, m, k, fullTileColumns, alpha);
            j = fullTileColumns;
        }

        for (; j <= n - tileColumns; j += tileColumns)
        {
            int i = 0;
            for (; i <= m - OuterRowBlock; i += OuterRowBlock)
            {
                Outer4x3<TSimd, TVec>(a + (i * aRowStride), aRowStride, aDepthStride, b + j, ldb, c + (i * ldc) + j, ldc, k, alpha);
            }

            for (; i < m; i++)
            {
                Outer1x3<TSimd, TVec>(a + (i * aRowStride), aDepthStride, b + j, ldb, c + (i * ldc) + j, k, alpha);
            }
        }

        for (; j < n; j += width)
        {
            // The last partial vector is recomputed over the final full vector's columns.
            int column = Math.Min(j, n - width);
            int i = 0;
            for (; i <= m - OuterRowBlock; i += OuterRowBlock)
            {
                Outer4x1<TSimd, TVec>(a + (i * aRowStride), aRowStride, aDepthStride, b + column, ldb, c + (i * ldc) + column, ldc, k, alpha);
            }

            for (; i < m; i++)
            {
                Outer1x1<TSimd, TVec>(a + (i * aRowStride), aDepthStride, b + column, ldb, c + (i * ldc) + column, k, alpha);
            }
        }
    }

    /// <summary>
    /// The full tiles of C columns [0, columns) with B copied, a column block at a time, into contiguous k × tile
    /// panels. Unpacked, each step over k jumps a whole B row (48 KiB for a 12288-wide input): every load lands on a
    /// different page, the prefetchers cannot follow, and the rows of one tile collide in the same L1 sets. Packed, a
    /// panel is one sequential stream that every row block of A reuses from L1/L2, and B is read from memory once.
    /// </summary>
    private static void OuterPackedTiles<TSimd, TVec>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int columns, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        int tileColumns = OuterVectorBlock * width;
        int blockColumns = Math.Max(tileColumns, PackBufferFloats / PackedDepthBlock / tileColumns * tileColumns);
        float[] buffer = PackBuffer;
        fixed (float* packed = buffer)
        {
            for (int j0 = 0; j0 < columns; j0 += blockColumns)
            {
                int tiles = Math.Min(blockColumns, columns - j0) / tileColumns;
                for (int k0 = 0; k0 < k; k0 += PackedDepthBlock)
                {
                    int depth = Math.Min(PackedDepthBlock, k - k0);
                    nint panelFloats = (nint)depth * tileColumns;

                    // Row by row so the source is read sequentially; each row's tiles go to their own panels.
                    for (int p = 0; p < depth; p++)
                    {
                        float* source = b + ((k0 + p) * ldb) + j0;
                        float* destination = packed + ((nint)p * tileColumns);
                        for (int t = 0; t < tiles; t++)
                        {
                            TSimd.Store(TSimd.Load(source), destination);
                            TSimd.Store(TSimd.Load(source + width), destination + width);
                            TSimd.Store(TSimd.Load(source + (2 * width)), destination + (2 * width));
                            source += tileColumns;
                            destination += panelFloats;
                        }
                    }

                    float* aBlock = a + (k0 * aDepthStride);
                    bool accumulate = k0 != 0;
                    for (int t = 0; t < tiles; t++)
                    {
                        float* panel = packed + (t * panelFloats);
                        float* cTile = c + j0 + (t * tileColumns);
                        int i = 0;
                        for (; i <= m - OuterRowBlock; i += OuterRowBlock)
                        {
                            Outer4x3<TSimd, TVec>(
                                aBlock + (i * aRowStride), aRowStride, aDepthStride, panel, tileColumns, cTile + (i * ldc), ldc, depth, alpha, accumulate);
                        }

                        for (; i < m; i++)
                        {
                            Outer1x3<TSimd, TVec>(aBlock + (i * aRowStride), aDepthStride, panel, tileColumns, cTile + (i * ldc), depth, alpha, accumulate);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// C = alpha · A · Bᵀ for the full tiles of C columns [0, columns), by the outer-product kernel on panels of Bᵀ
    /// transposed into scratch (depth block × tile). For short dot products (k up to
    /// <see cref="MaxTransposedDepth"/>, e.g. a 4-input first layer) the dot-product tiles spend most of their time in
    /// horizontal sums; this path has none, and the scalar transpose is cheap next to m·k·n FMAs when A has two row
    /// blocks or more to reuse each panel. For long k the transpose (scalar, page-hopping across 48 B rows) costs
    /// more than it saves, measured 15 vs 36 GFLOP/s on 20 × 12288 · (209 × 12288)ᵀ, so the dot-product tiles keep it.
    /// </summary>
    private static void OuterTransposedTiles<TSimd, TVec>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int columns, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        int tileColumns = OuterVectorBlock * width;
        float[] buffer = PackBuffer;
        fixed (float* panel = buffer)
        {
            for (int j0 = 0; j0 < columns; j0 += tileColumns)
            {
                float* cTile = c + j0;
                for (int k0 = 0; k0 < k || k0 == 0; k0 += PackedDepthBlock)
                {
                    int depth = Math.Min(PackedDepthBlock, k - k0);

                    // panel[p, jj] = B[j0 + jj, k0 + p]: reads run along B's rows, writes stay inside the L1-sized panel.
                    for (int jj = 0; jj < tileColumns; jj++)
                    {
                        float* source = b + ((j0 + jj) * ldb) + k0;
                        float* destination = panel + jj;
                        for (int p = 0; p < depth; p++)
                        {
                            destination[p * tileColumns] = source[p];
                        }
                    }

                    float* aBlock = a + k0;
                    bool accumulate = k0 != 0;
                    int i = 0;
                    for (; i <= m - OuterRowBlock; i += OuterRowBlock)
                    {
                        Outer4x3<TSimd, TVec>(aBlock + (i * lda), lda, 1, panel, tileColumns, cTile + (i * ldc), ldc, depth, alpha, accumulate);
                    }

                    for (; i < m; i++)
                    {
                        Outer1x3<TSimd, TVec>(aBlock + (i * lda), 1, panel, tileColumns, cTile + (i * ldc), depth, alpha, accumulate);
                    }
                }
            }
        }
    }

    /// <summary>C = scale · tile, or C += scale · tile for the second and later depth blocks of a packed product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaled<TSimd, TVec>(TVec tile, TVec scale, float* c, bool accumulate)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TSimd.Store(accumulate ? TSimd.MultiplyAdd(tile, scale, TSimd.Load(c)) : TSimd.Multiply(tile, scale), c);
    }

    /// <summary>This thread's packing scratch, allocated on first use and then reused: no allocation per call.</summary>
    private static float[] PackBuffer => t_packBuffer ??= GC.AllocateUninitializedArray<float>(PackBufferFloats);

    [ThreadStatic]
    private static float[]? t_packBuffer;

    private static void Outer4x3<TSimd, TVec>(
        float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, float alpha, bool accumulate = false)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero;
        float* a0 = a;
        float* a1 = a + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        for (int p = 0; p < k; p++)
        {
            TVec b0 = TSimd.Load(b);
            TVec b1 = TSimd.Load(b + width);
            TVec b2 = TSimd.Load(b + (2 * width));

            TVec x = TSimd.Broadcast(*a0);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            c02 = TSimd.MultiplyAdd(x, b2, c02);
            x = TSimd.Broadcast(*a1);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            c12 = TSimd.MultiplyAdd(x, b2, c12);
            x = TSimd.Broadcast(*a2);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            c22 = TSimd.MultiplyAdd(x, b2, c22);
            x = TSimd.Broadcast(*a3);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
            c32 = TSimd.MultiplyAdd(x, b2, c32);

            a0 += aDepthStride;
            a1 += aDepthStride;
            a2 += aDepthStride;
            a3 += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(alpha);
        StoreScaled<TSimd, TVec>(c00, scale, c, accumulate);
        StoreScaled<TSimd, TVec>(c01, scale, c + width, accumulate);
        StoreScaled<TSimd, TVec>(c02, scale, c + (2 * width), accumulate);
        c += ldc;
        StoreScaled<TSimd, TVec>(c10, scale, c, accumulate);
        StoreScaled<TSimd, TVec>(c11, scale, c + width, accumulate);
        StoreScaled<TSimd, TVec>(c12, scale, c + (2 * width), accumulate);
        c += ldc;
        StoreScaled<TSimd, TVec>(c20, scale, c, accumulate);
        StoreScaled<TSimd, TVec>(c21, scale, c + width, accumulate);
        StoreScaled<TSimd, TVec>(c22, scale, c + (2 * width), accumulate);
        c += ldc;
        StoreScaled<TSimd, TVec>(c30, scale, c, accumulate);
        StoreScaled<TSimd, TVec>(c31, scale, c + width, accumulate);
        StoreScaled<TSimd, TVec>(c32, scale, c + (2 * width), accumulate);
    }

    private static void Outer1x3<TSimd, TVec>(float* a, nint aDepthStride, float* b, nint ldb, float* c, int k, float alpha, bool accumulate = false)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero;
        for (int p = 0; p < k; p++)
        {
            TVec x = TSimd.Broadcast(*a);
            c0 = TSimd.MultiplyAdd(x, TSimd.Load(b), c0);
            c1 = TSimd.MultiplyAdd(x, TSimd.Load(b + width), c1);
            c2 = TSimd.MultiplyAdd(x, TSimd.Load(b + (2 * width)), c2);
            a += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(alpha);
        StoreScaled<TSimd, TVec>(c0, scale, c, accumulate);
        StoreScaled<TSimd, TVec>(c1, scale, c + width, accumulate);
        StoreScaled<TSimd, TVec>(c2, scale, c + (2 * width), accumulate);
    }

    private static void Outer4x1<TSimd, TVec>(float* a, nint aRowStride, nint aDepthStride, float* b, nint ldb, float* c, nint ldc, int k, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        float* a0 = a;
        float* a1 = a + aRowStride;
        float* a2 = a1 + aRowStride;
        float* a3 = a2 + aRowStride;
        for (int p = 0; p < k; p++)
        {
            TVec y = TSimd.Load(b);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(*a0), y, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(*a1), y, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(*a2), y, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(*a3), y, c3);
            a0 += aDepthStride;
            a1 += aDepthStride;
            a2 += aDepthStride;
            a3 += aDepthStride;
            b += ldb;
        }

        TVec scale = TSimd.Broadcast(alpha);
        TSimd.Store(TSimd.Multiply(c0, scale), c);
        TSimd.Store(TSimd.Multiply(c1, scale), c + ldc);
        TSimd.Store(TSimd.Multiply(c2, scale), c + (2 * ldc));
        TSimd.Store(TSimd.Multiply(c3, scale), c + (3 * ldc));
    }

    private static void Outer1x1<TSimd, TVec>(float* a, nint aDepthStride, float* b, nint ldb, float* c, int k, float alpha)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        // Two accumulators so consecutive FMAs do not wait on each other's latency.
        TVec even = TSimd.Zero, odd = TSimd.Zero;
        int p = 0;
        for (; p <= k - 2; p += 2)
        {
            even = TSimd.MultiplyAdd(TSimd.Broadcast(*a), TSimd.Load(b), even);
            odd = TSimd.MultiplyAdd(TSimd.Broadcast(a[aDepthStride]), TSimd.Load(b + ldb), odd);
            a += 2 * aDepthStride;
            b += 2 * ldb;
        }

        if (p < k)
        {
            even = TSimd.MultiplyAdd(TSimd.Broadcast(*a), TSimd.Load(b), even);
        }

        TSimd.Store(TSimd.Multiply(TSimd.Add(even, odd), TSimd.Broadcast(alpha)), c);
    }

    private static void DotVector<TSimd, TVec>(
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int k, int n, float alpha, float* bias)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        int tileColumns = OuterVectorBlock * width;
        if (m >= 2 * OuterRowBlock && n >= tileColumns && k <= MaxTransposedDepth && bias == null)
        {
            int fullTileColumns = n - (n % tileColumns);
            OuterTransposedTiles<TSimd, TVec>(a, lda, b, ldb, c, ldc, m, k, fullTileColumns, alpha);
            if (fullTileColumns < n)
            {
                Dot(TSimd.Width, a, lda, b + (fullTileColumns * ldb), ldb, c + fullTileColumns, ldc, m, k, n - fullTileColumns, alpha, bias);
            }

            return;
        }

        if (k < width)
        {
            Dot(TSimd.Narrower, a, lda, b, ldb, c, ldc, m, k, n, alpha, bias);
            return;
        }

        int tail = k % width;
        int fullEnd = k - tail;
        TVec tailMask = TSimd.LanesFrom(width - tail);
        for (int k0 = 0; k0 < fullEnd; k0 += DotDepthBlock)
        {
            int length = Math.Min(DotDepthBlock, fullEnd - k0);
            var chunk = new DotChunk<TVec>(
                length,
                hasTail: tail != 0 && k0 + length == fullEnd,
                tailOffset: k - width - k0,
                tailMask,
                alpha,
                accumulate: k0 != 0);
            float* aChunk = a + k0;
            float* bChunk = b + k0;

            int j = 0;
            for (; j <= n - DotColumnBlock; j += DotColumnBlock)
            {
                int i = 0;
                for (; i <= m - DotRowBlock; i += DotRowBlock)
                {
                    Dot4x3<TSimd, TVec>(aChunk + (i * lda), lda, bChunk + (j * ldb), ldb, c + (i * ldc) + j, ldc, chunk, bias == null ? null : bias + i);
                }

                for (; i < m; i++)
                {
                    Dot1x3<TSimd, TVec>(aChunk + (i * lda), bChunk + (j * ldb), ldb, c + (i * ldc) + j, chunk, bias == null ? null : bias + i);
                }
            }

            for (; j < n; j++)
            {
                int i = 0;
                for (; i <= m - DotRowBlock; i += DotRowBlock)
                {
                    Dot4x1<TSimd, TVec>(aChunk + (i * lda), lda, bChunk + (j * ldb), c + (i * ldc) + j, ldc, chunk, bias == null ? null : bias + i);
                }

                for (; i < m; i++)
                {
                    Dot1x1<TSimd, TVec>(aChunk + (i * lda), bChunk + (j * ldb), c + (i * ldc) + j, chunk, bias == null ? null : bias + i);
                }
            }
        }
    }

    /// <summary>What a dot-product tile needs to know about the k chunk it is summing.</summary>
    private readonly struct DotChunk<TVec>(int length, bool hasTail, nint tailOffset, TVec tailMask, float alpha, bool accumulate)
        where TVec : struct
    {
        /// <summary>Floats summed with full vectors, a multiple of the vector width.</summary>
        public readonly int Length = length;

        /// <summary>Whether the masked last vector of the row belongs to this chunk.</summary>
        public readonly bool HasTail = hasTail;

        /// <summary>Where the last full vector of the row starts, relative to the chunk.</summary>
        public readonly nint TailOffset = tailOffset;

        /// <summary>Keeps only the lanes not already covered by <see cref="Length"/>.</summary>
        public readonly TVec TailMask = tailMask;

        public readonly float Alpha = alpha;

        /// <summary>Later chunks add to C; the first overwrites it (and adds the bias).</summary>
        public readonly bool Accumulate = accumulate;

        public void Write(float* c, float sum, float* bias, int row)
        {
            float value = Alpha * sum;
            if (Accumulate)
            {
                *c += value;
            }
            else
            {
                *c = bias == null ? value : value + bias[row];
            }
        }
    }

    private static void Dot4x3<TSimd, TVec>(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, in DotChunk<TVec> chunk, float* bias)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero;
        TVec s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero;
        TVec s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero;
        TVec s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        int length = chunk.Length;
        for (int p = 0; p < length; p += width)
        {
            TVec y0 = TSimd.Load(b0 + p);
            TVec y1 = TSimd.Load(b1 + p);
            TVec y2 = TSimd.Load(b2 + p);
            TVec x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            x = TSimd.Load(a1 + p);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            x = TSimd.Load(a2 + p);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            x = TSimd.Load(a3 + p);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
        }

        if (chunk.HasTail)
        {
            // Both operands are masked so an Inf or NaN in an already-counted lane cannot leak in as 0 · Inf.
            nint t = chunk.TailOffset;
            TVec mask = chunk.TailMask;
            TVec y0 = TSimd.And(TSimd.Load(b0 + t), mask);
            TVec y1 = TSimd.And(TSimd.Load(b1 + t), mask);
            TVec y2 = TSimd.And(TSimd.Load(b2 + t), mask);
            TVec x = TSimd.And(TSimd.Load(a0 + t), mask);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            x = TSimd.And(TSimd.Load(a1 + t), mask);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            x = TSimd.And(TSimd.Load(a2 + t), mask);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            x = TSimd.And(TSimd.Load(a3 + t), mask);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
        }

        chunk.Write(c, TSimd.Sum(s00), bias, 0);
        chunk.Write(c + 1, TSimd.Sum(s01), bias, 0);
        chunk.Write(c + 2, TSimd.Sum(s02), bias, 0);
        c += ldc;
        chunk.Write(c, TSimd.Sum(s10), bias, 1);
        chunk.Write(c + 1, TSimd.Sum(s11), bias, 1);
        chunk.Write(c + 2, TSimd.Sum(s12), bias, 1);
        c += ldc;
        chunk.Write(c, TSimd.Sum(s20), bias, 2);
        chunk.Write(c + 1, TSimd.Sum(s21), bias, 2);
        chunk.Write(c + 2, TSimd.Sum(s22), bias, 2);
        c += ldc;
        chunk.Write(c, TSimd.Sum(s30), bias, 3);
        chunk.Write(c + 1, TSimd.Sum(s31), bias, 3);
        chunk.Write(c + 2, TSimd.Sum(s32), bias, 3);
    }

    private static void Dot1x3<TSimd, TVec>(float* a, float* b, nint ldb, float* c, in DotChunk<TVec> chunk, float* bias)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero;
        float* b0 = b;
        float* b1 = b0 + ldb;
        float* b2 = b1 + ldb;
        int length = chunk.Length;
        for (int p = 0; p < length; p += width)
        {
            TVec x = TSimd.Load(a + p);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(b0 + p), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(b1 + p), s1);
            s2 = TSimd.MultiplyAdd(x, TSimd.Load(b2 + p), s2);
        }

        if (chunk.HasTail)
        {
            nint t = chunk.TailOffset;
            TVec mask = chunk.TailMask;
            TVec x = TSimd.And(TSimd.Load(a + t), mask);
            s0 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b0 + t), mask), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b1 + t), mask), s1);
            s2 = TSimd.MultiplyAdd(x, TSimd.And(TSimd.Load(b2 + t), mask), s2);
        }

        chunk.Write(c, TSimd.Sum(s0), bias, 0);
        chunk.Write(c + 1, TSimd.Sum(s1), bias, 0);
        chunk.Write(c + 2, TSimd.Sum(s2), bias, 0);
    }

    private static void Dot4x1<TSimd, TVec>(float* a, nint lda, float* b, float* c, nint ldc, in DotChunk<TVec> chunk, float* bias)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        TVec s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero;
        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        int length = chunk.Length;
        for (int p = 0; p < length; p += width)
        {
            TVec y = TSimd.Load(b + p);
            s0 = TSimd.MultiplyAdd(TSimd.Load(a0 + p), y, s0);
            s1 = TSimd.MultiplyAdd(TSimd.Load(a1 + p), y, s1);
            s2 = TSimd.MultiplyAdd(TSimd.Load(a2 + p), y, s2);
            s3 = TSimd.MultiplyAdd(TSimd.Load(a3 + p), y, s3);
        }

        if (chunk.HasTail)
        {
            nint t = chunk.TailOffset;
            TVec mask = chunk.TailMask;
            TVec y = TSimd.And(TSimd.Load(b + t), mask);
            s0 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a0 + t), mask), y, s0);
            s1 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a1 + t), mask), y, s1);
            s2 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a2 + t), mask), y, s2);
            s3 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a3 + t), mask), y, s3);
        }

        chunk.Write(c, TSimd.Sum(s0), bias, 0);
        chunk.Write(c + ldc, TSimd.Sum(s1), bias, 1);
        chunk.Write(c + (2 * ldc), TSimd.Sum(s2), bias, 2);
        chunk.Write(c + (3 * ldc), TSimd.Sum(s3), bias, 3);
    }

    private static void Dot1x1<TSimd, TVec>(float* a, float* b, float* c, in DotChunk<TVec> chunk, float* bias)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        // Two accumulators so consecutive FMAs do not wait on each other's latency.
        int width = TSimd.Count;
        TVec even = TSimd.Zero, odd = TSimd.Zero;
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
            nint t = chunk.TailOffset;
            TVec mask = chunk.TailMask;
            odd = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(a + t), mask), TSimd.And(TSimd.Load(b + t), mask), odd);
        }

        chunk.Write(c, TSimd.Sum(TSimd.Add(even, odd)), bias, 0);
    }
}
