using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Loop drivers for element-wise kernels. The widest enabled width takes every full vector, then each narrower
/// width takes at most one more, then scalars finish: tails are explicit and no element is processed twice, which
/// matters because the gradient kernels update in place.
/// </summary>
internal static unsafe class ElementwiseKernels
{
    internal static void Map<TOperator>(float* x, float* y, int length, SimdWidth width)
        where TOperator : IUnaryOperator
    {
        int i = 0;
        if (width >= SimdWidth.V512)
        {
            i = MapVectors<TOperator, Simd512, Vector512<float>>(x, y, i, length);
        }

        if (width >= SimdWidth.V256)
        {
            i = MapVectors<TOperator, Simd256, Vector256<float>>(x, y, i, length);
        }

        if (width >= SimdWidth.V128)
        {
            i = MapVectors<TOperator, Simd128, Vector128<float>>(x, y, i, length);
        }

        for (; i < length; i++)
        {
            y[i] = TOperator.Invoke(x[i]);
        }
    }

    internal static void ScaleGradient<TOperator>(float* activation, float* gradient, int length, SimdWidth width)
        where TOperator : IGradientOperator
    {
        int i = 0;
        if (width >= SimdWidth.V512)
        {
            i = ScaleGradientVectors<TOperator, Simd512, Vector512<float>>(activation, gradient, i, length);
        }

        if (width >= SimdWidth.V256)
        {
            i = ScaleGradientVectors<TOperator, Simd256, Vector256<float>>(activation, gradient, i, length);
        }

        if (width >= SimdWidth.V128)
        {
            i = ScaleGradientVectors<TOperator, Simd128, Vector128<float>>(activation, gradient, i, length);
        }

        for (; i < length; i++)
        {
            gradient[i] = TOperator.Invoke(activation[i], gradient[i]);
        }
    }

    /// <summary>
    /// The sum of x[0 .. length) in the order of the 512-bit path at every vector width, so a layer's db does not
    /// depend on the width: two 16-lane sums over 32-float steps (and one more 16-float step) reduced as one 512-bit
    /// vector, then at most one 8-float and one 4-float step, each reduced as its own vector, then the last floats one
    /// by one. Narrower widths hold a 16-lane sum in two or four vectors. The scalar width adds in sequence.
    /// </summary>
    internal static float Sum(float* x, int length, SimdWidth width)
    {
        int i = 0;
        float sum = 0f;
        if (width == SimdWidth.V512)
        {
            sum += SumVectors<Simd512, Vector512<float>>(x, ref i, length);
        }
        else if (width == SimdWidth.V256)
        {
            sum += Sum16Lanes256(x, ref i, length);
        }
        else if (width == SimdWidth.V128)
        {
            sum += Sum16Lanes128(x, ref i, length);
        }

        if (width >= SimdWidth.V256)
        {
            sum += SumVectors<Simd256, Vector256<float>>(x, ref i, length);
        }
        else if (width == SimdWidth.V128)
        {
            // One 8-float step as a 256-bit vector would take it: (0 + v) + 0 per lane, then the tree by halves.
            Vector128<float> lo = Vector128<float>.Zero, hi = Vector128<float>.Zero;
            if (i <= length - 8)
            {
                lo += Vector128.Load(x + i);
                hi += Vector128.Load(x + i + 4);
                i += 8;
            }

            sum += HorizontalSums.Sum(lo + Vector128<float>.Zero) + HorizontalSums.Sum(hi + Vector128<float>.Zero);
        }

        if (width >= SimdWidth.V128)
        {
            sum += SumVectors<Simd128, Vector128<float>>(x, ref i, length);
        }

        for (; i < length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    /// <summary><see cref="SumVectors{TSimd, TVec}"/> at 512 bits, each 16-lane sum held as two 256-bit halves.</summary>
    private static float Sum16Lanes256(float* x, ref int i, int length)
    {
        Vector256<float> even0 = Vector256<float>.Zero, even1 = Vector256<float>.Zero, odd0 = Vector256<float>.Zero, odd1 = Vector256<float>.Zero;
        for (; i <= length - 32; i += 32)
        {
            even0 += Vector256.Load(x + i);
            even1 += Vector256.Load(x + i + 8);
            odd0 += Vector256.Load(x + i + 16);
            odd1 += Vector256.Load(x + i + 24);
        }

        if (i <= length - 16)
        {
            even0 += Vector256.Load(x + i);
            even1 += Vector256.Load(x + i + 8);
            i += 16;
        }

        // A 512-bit vector's sum: its halves added lane by lane, then the tree of eight.
        return HorizontalSums.Sum((even0 + odd0) + (even1 + odd1));
    }

    /// <summary><see cref="SumVectors{TSimd, TVec}"/> at 512 bits, each 16-lane sum held as four 128-bit quarters.</summary>
    private static float Sum16Lanes128(float* x, ref int i, int length)
    {
        Vector128<float> even0 = Vector128<float>.Zero, even1 = Vector128<float>.Zero, even2 = Vector128<float>.Zero, even3 = Vector128<float>.Zero;
        Vector128<float> odd0 = Vector128<float>.Zero, odd1 = Vector128<float>.Zero, odd2 = Vector128<float>.Zero, odd3 = Vector128<float>.Zero;
        for (; i <= length - 32; i += 32)
        {
            even0 += Vector128.Load(x + i);
            even1 += Vector128.Load(x + i + 4);
            even2 += Vector128.Load(x + i + 8);
            even3 += Vector128.Load(x + i + 12);
            odd0 += Vector128.Load(x + i + 16);
            odd1 += Vector128.Load(x + i + 20);
            odd2 += Vector128.Load(x + i + 24);
            odd3 += Vector128.Load(x + i + 28);
        }

        if (i <= length - 16)
        {
            even0 += Vector128.Load(x + i);
            even1 += Vector128.Load(x + i + 4);
            even2 += Vector128.Load(x + i + 8);
            even3 += Vector128.Load(x + i + 12);
            i += 16;
        }

        // Lanes 0-3 and 8-11 make the low half of the eight, 4-7 and 12-15 the high half.
        return HorizontalSums.Sum((even0 + odd0) + (even2 + odd2)) + HorizontalSums.Sum((even1 + odd1) + (even3 + odd3));
    }

    private static int MapVectors<TOperator, TSimd, TVec>(float* x, float* y, int i, int length)
        where TOperator : IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        for (; i <= length - (2 * width); i += 2 * width)
        {
            TVec first = TSimd.Load(x + i);
            TVec second = TSimd.Load(x + i + width);
            TSimd.Store(TOperator.Invoke<TSimd, TVec>(first), y + i);
            TSimd.Store(TOperator.Invoke<TSimd, TVec>(second), y + i + width);
        }

        for (; i <= length - width; i += width)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVec>(TSimd.Load(x + i)), y + i);
        }

        return i;
    }

    private static int ScaleGradientVectors<TOperator, TSimd, TVec>(float* activation, float* gradient, int i, int length)
        where TOperator : IGradientOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int width = TSimd.Count;
        for (; i <= length - (2 * width); i += 2 * width)
        {
            TVec first = TOperator.Invoke<TSimd, TVec>(TSimd.Load(activation + i), TSimd.Load(gradient + i));
            TVec second = TOperator.Invoke<TSimd, TVec>(TSimd.Load(activation + i + width), TSimd.Load(gradient + i + width));
            TSimd.Store(first, gradient + i);
            TSimd.Store(second, gradient + i + width);
        }

        for (; i <= length - width; i += width)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVec>(TSimd.Load(activation + i), TSimd.Load(gradient + i)), gradient + i);
        }

        return i;
    }

    private static float SumVectors<TSimd, TVec>(float* x, ref int i, int length)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        // Two accumulators so consecutive adds do not wait on each other's latency.
        int width = TSimd.Count;
        TVec even = TSimd.Zero, odd = TSimd.Zero;
        for (; i <= length - (2 * width); i += 2 * width)
        {
            even = TSimd.Add(even, TSimd.Load(x + i));
            odd = TSimd.Add(odd, TSimd.Load(x + i + width));
        }

        if (i <= length - width)
        {
            even = TSimd.Add(even, TSimd.Load(x + i));
            i += width;
        }

        return TSimd.Sum(TSimd.Add(even, odd));
    }
}
