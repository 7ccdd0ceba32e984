using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// Copies a row-major block into its transpose in square register blocks: 8 × 8 with AVX (eight row loads, 24
/// shuffles, eight row stores), 4 × 4 with SSE, one float at a time elsewhere. The short-depth NT product
/// (Z1 = W1·Xᵀ with few inputs) transposes the examples it multiplies on every call, and one float at a time, every
/// store landing in a different panel row, that copy costs as much as the product's arithmetic.
/// </summary>
/// <remarks>
/// A transpose only moves floats, so the result is the same whichever path runs. The edges reuse the last full block:
/// a block that overlaps the one before it writes the same values twice, which leaves only sources narrower or shorter
/// than one block to the scalar loop. Trusts its caller: sizes checked, buffers pinned and not overlapping.
/// </remarks>
internal static unsafe class BlockTranspose
{
    /// <summary>destination[c·ldd + r] = source[r·lds + c] for r &lt; rows, c &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose(float* source, nint lds, float* destination, nint ldd, int rows, int cols)
    {
        if (Avx.IsSupported && rows >= 8 && cols >= 8)
        {
            Blocks8(source, lds, destination, ldd, rows, cols);
        }
        else if (Sse.IsSupported && rows >= 4 && cols >= 4)
        {
            Blocks4(source, lds, destination, ldd, rows, cols);
        }
        else
        {
            Scalar(source, lds, destination, ldd, rows, cols);
        }
    }

    /// <summary>The reference: one float at a time.</summary>
    internal static void Scalar(float* source, nint lds, float* destination, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = source + (r * lds);
            for (int c = 0; c < cols; c++)
            {
                destination[(c * ldd) + r] = row[c];
            }
        }
    }

    private static void Blocks8(float* source, nint lds, float* destination, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r += 8)
        {
            int r0 = r <= rows - 8 ? r : rows - 8;
            for (int c = 0; c < cols; c += 8)
            {
                int c0 = c <= cols - 8 ? c : cols - 8;
                Block8(source + (r0 * lds) + c0, lds, destination + (c0 * ldd) + r0, ldd);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(float* s, nint lds, float* d, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(s);
        Vector256<float> r1 = Avx.LoadVector256(s + lds);
        Vector256<float> r2 = Avx.LoadVector256(s + (2 * lds));
        Vector256<float> r3 = Avx.LoadVector256(s + (3 * lds));
        Vector256<float> r4 = Avx.LoadVector256(s + (4 * lds));
        Vector256<float> r5 = Avx.LoadVector256(s + (5 * lds));
        Vector256<float> r6 = Avx.LoadVector256(s + (6 * lds));
        Vector256<float> r7 = Avx.LoadVector256(s + (7 * lds));

        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves: lane q of output row c is row q's c.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + (2 * ldd), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + (3 * ldd), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + (4 * ldd), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + (5 * ldd), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + (6 * ldd), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + (7 * ldd), Avx.Permute2x128(u3, u7, 0x31));
    }

    private static void Blocks4(float* source, nint lds, float* destination, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r += 4)
        {
            int r0 = r <= rows - 4 ? r : rows - 4;
            for (int c = 0; c < cols; c += 4)
            {
                int c0 = c <= cols - 4 ? c : cols - 4;
                float* s = source + (r0 * lds) + c0;
                float* d = destination + (c0 * ldd) + r0;
                Vector128<float> a = Sse.LoadVector128(s);
                Vector128<float> b = Sse.LoadVector128(s + lds);
                Vector128<float> e = Sse.LoadVector128(s + (2 * lds));
                Vector128<float> f = Sse.LoadVector128(s + (3 * lds));
                Vector128<float> t0 = Sse.UnpackLow(a, b), t1 = Sse.UnpackHigh(a, b);
                Vector128<float> t2 = Sse.UnpackLow(e, f), t3 = Sse.UnpackHigh(e, f);
                Sse.Store(d, Sse.MoveLowToHigh(t0, t2));
                Sse.Store(d + ldd, Sse.MoveHighToLow(t2, t0));
                Sse.Store(d + (2 * ldd), Sse.MoveLowToHigh(t1, t3));
                Sse.Store(d + (3 * ldd), Sse.MoveHighToLow(t3, t1));
            }
        }
    }
}
