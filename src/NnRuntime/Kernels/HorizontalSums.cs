using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The runtime's one horizontal reduction: the lanes of a vector are added in pairs, then pairs of pairs, and the
/// 128-bit halves last, ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) for eight lanes; a 512-bit vector first adds
/// its 256-bit halves lane by lane. This is the order of <see cref="Vector256.Sum{T}(Vector256{T})"/> on x64, in
/// which the course's figures were first reproduced, and every fallback (no SSE3/AVX, Arm) writes out the same tree
/// rather than the runtime's software fallback, which adds lanes in sequence.
/// </summary>
/// <remarks>
/// <see cref="SumOf16"/> and <see cref="Sum4Of16"/> reduce 16 lanes parked in memory exactly as a 512-bit vector is
/// reduced, whatever vectors the CPU has: the matrix products sum in 16 lanes at every width so that their results do
/// not depend on it.
/// </remarks>
internal static unsafe class HorizontalSums
{
    /// <summary>Shuffle control [x0, x2, y0, y2] (per 128-bit lane).</summary>
    private const byte EvenLanes = 0b10_00_10_00;

    /// <summary>Shuffle control [x1, x3, y1, y3] (per 128-bit lane).</summary>
    private const byte OddLanes = 0b11_01_11_01;

    /// <summary>The sum of the lanes of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum<TVec>(TVec value)
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<float> v = Unsafe.BitCast<TVec, Vector512<float>>(value);
            return Sum(v.GetLower() + v.GetUpper());
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            return Sum(Unsafe.BitCast<TVec, Vector256<float>>(value));
        }

        return Sum(Unsafe.BitCast<TVec, Vector128<float>>(value));
    }

    /// <summary>The four sums of the lanes of s0 … s3 as one vector: about 20 instructions, where four separate reductions take about 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4<TVec>(TVec s0, TVec s1, TVec s2, TVec s3)
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<float> v0 = Unsafe.BitCast<TVec, Vector512<float>>(s0), v1 = Unsafe.BitCast<TVec, Vector512<float>>(s1);
            Vector512<float> v2 = Unsafe.BitCast<TVec, Vector512<float>>(s2), v3 = Unsafe.BitCast<TVec, Vector512<float>>(s3);
            return Sum4(v0.GetLower() + v0.GetUpper(), v1.GetLower() + v1.GetUpper(), v2.GetLower() + v2.GetUpper(), v3.GetLower() + v3.GetUpper());
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            return Sum4(
                Unsafe.BitCast<TVec, Vector256<float>>(s0), Unsafe.BitCast<TVec, Vector256<float>>(s1),
                Unsafe.BitCast<TVec, Vector256<float>>(s2), Unsafe.BitCast<TVec, Vector256<float>>(s3));
        }

        return Sum4(
            Unsafe.BitCast<TVec, Vector128<float>>(s0), Unsafe.BitCast<TVec, Vector128<float>>(s1),
            Unsafe.BitCast<TVec, Vector128<float>>(s2), Unsafe.BitCast<TVec, Vector128<float>>(s3));
    }

    /// <summary>
    /// <see cref="Sum4{TVec}"/> of r0 … r3 and of s0 … s3: the same additions in the same order, with both rows in each
    /// 512-bit instruction (row r in the low 256 bits, row s in the high), where two separate reductions run each step
    /// at 256 bits, one row at a time: about 31 instructions for the two rows instead of 48. The 6 × 4 register tiles
    /// (three pairs of rows) spent about 8 % of their time reducing one row at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector128<float> First, Vector128<float> Second) Sum4Pair(
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        if (!Avx512F.IsSupported)
        {
            return (Sum4(r0, r1, r2, r3), Sum4(s0, s1, s2, s3));
        }

        // [r.lower + r.upper, s.lower + s.upper]: lanes i and i + 8 of each row, as Sum4 starts.
        Vector512<float> h0 = Halves(r0, s0), h1 = Halves(r1, s1), h2 = Halves(r2, s2), h3 = Halves(r3, s3);

        // Pairs, then pairs of pairs, in every 128-bit block: Sum4's 256-bit tree on both rows at once.
        Vector512<float> ab = Avx512F.Shuffle(h0, h1, EvenLanes) + Avx512F.Shuffle(h0, h1, OddLanes);
        Vector512<float> cd = Avx512F.Shuffle(h2, h3, EvenLanes) + Avx512F.Shuffle(h2, h3, OddLanes);
        Vector512<float> sums = Avx512F.Shuffle(ab, cd, EvenLanes) + Avx512F.Shuffle(ab, cd, OddLanes);

        // Blocks [r.low, s.low, r.high, s.high], then lower + upper: each row's 128-bit halves last, low + high.
        Vector512<float> blocks = Avx512F.Shuffle4x128(sums, sums, 0b11_01_10_00);
        Vector256<float> both = blocks.GetLower() + blocks.GetUpper();
        return (both.GetLower(), both.GetUpper());

        static Vector512<float> Halves(Vector512<float> r, Vector512<float> s) =>
            Avx512F.InsertVector256(r, s.GetLower(), 1) + Avx512F.Shuffle4x128(r, s, 0b11_10_11_10);
    }

    /// <summary>The sum of the 16 floats at <paramref name="lanes"/> in <see cref="Sum{TVec}"/>'s order for a 512-bit vector: lanes i and i + 8 first, then the tree of eight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SumOf16(float* lanes)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            return Sum(Vector256.Load(lanes) + Vector256.Load(lanes + 8));
        }

        return Sum(Vector128.Load(lanes) + Vector128.Load(lanes + 8)) + Sum(Vector128.Load(lanes + 4) + Vector128.Load(lanes + 12));
    }

    /// <summary>The four sums of 16 floats at l0 … l3 as one vector, each in <see cref="SumOf16"/>'s order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4Of16(float* l0, float* l1, float* l2, float* l3)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            return Sum4(
                Vector256.Load(l0) + Vector256.Load(l0 + 8), Vector256.Load(l1) + Vector256.Load(l1 + 8),
                Vector256.Load(l2) + Vector256.Load(l2 + 8), Vector256.Load(l3) + Vector256.Load(l3 + 8));
        }

        // The 256-bit tree written in halves, as its own fallback is: the low four lanes' sums, then the high four's.
        return Sum4(
            Vector128.Load(l0) + Vector128.Load(l0 + 8), Vector128.Load(l1) + Vector128.Load(l1 + 8),
            Vector128.Load(l2) + Vector128.Load(l2 + 8), Vector128.Load(l3) + Vector128.Load(l3 + 8)) +
            Sum4(
                Vector128.Load(l0 + 4) + Vector128.Load(l0 + 12), Vector128.Load(l1 + 4) + Vector128.Load(l1 + 12),
                Vector128.Load(l2 + 4) + Vector128.Load(l2 + 12), Vector128.Load(l3 + 4) + Vector128.Load(l3 + 12));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum(Vector256<float> value)
    {
        if (Avx.IsSupported)
        {
            // Pairs, then pairs of pairs, inside each 128-bit half; the halves last.
            Vector256<float> pairs = Avx.HorizontalAdd(value, value);
            Vector256<float> quads = Avx.HorizontalAdd(pairs, pairs);
            return quads.ToScalar() + quads.GetElement(4);
        }

        return Sum(value.GetLower()) + Sum(value.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum(Vector128<float> value)
    {
        if (Sse3.IsSupported)
        {
            Vector128<float> pairs = Sse3.HorizontalAdd(value, value);
            return Sse3.HorizontalAdd(pairs, pairs).ToScalar();
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            Vector128<float> pairs = AdvSimd.Arm64.AddPairwise(value, value);
            return AdvSimd.Arm64.AddPairwise(pairs, pairs).ToScalar();
        }

        return (value.GetElement(0) + value.GetElement(1)) + (value.GetElement(2) + value.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
    {
        if (Avx.IsSupported)
        {
            // The pairs of horizontal adds, written as even/odd shuffles and adds: the same sums, and on Zen 3 the
            // one-example layers ran about twice as fast as with HorizontalAdd (docs/performance.md).
            Vector256<float> ab = Avx.Shuffle(v0, v1, EvenLanes) + Avx.Shuffle(v0, v1, OddLanes);
            Vector256<float> cd = Avx.Shuffle(v2, v3, EvenLanes) + Avx.Shuffle(v2, v3, OddLanes);
            Vector256<float> sums = Avx.Shuffle(ab, cd, EvenLanes) + Avx.Shuffle(ab, cd, OddLanes);
            return sums.GetLower() + sums.GetUpper();
        }

        return Sum4(v0.GetLower(), v1.GetLower(), v2.GetLower(), v3.GetLower()) + Sum4(v0.GetUpper(), v1.GetUpper(), v2.GetUpper(), v3.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector128<float> w0, Vector128<float> w1, Vector128<float> w2, Vector128<float> w3)
    {
        if (Sse.IsSupported)
        {
            Vector128<float> ab = Sse.Shuffle(w0, w1, EvenLanes) + Sse.Shuffle(w0, w1, OddLanes);
            Vector128<float> cd = Sse.Shuffle(w2, w3, EvenLanes) + Sse.Shuffle(w2, w3, OddLanes);
            return Sse.Shuffle(ab, cd, EvenLanes) + Sse.Shuffle(ab, cd, OddLanes);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(w0, w1), AdvSimd.Arm64.AddPairwise(w2, w3));
        }

        return Vector128.Create(Sum(w0), Sum(w1), Sum(w2), Sum(w3));
    }
}
