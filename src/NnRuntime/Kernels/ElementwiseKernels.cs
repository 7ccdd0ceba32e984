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

    internal static float Sum(float* x, int length, SimdWidth width)
    {
        int i = 0;
        float sum = 0f;
        if (width >= SimdWidth.V512)
        {
            sum += SumVectors<Simd512, Vector512<float>>(x, ref i, length);
        }

        if (width >= SimdWidth.V256)
        {
            sum += SumVectors<Simd256, Vector256<float>>(x, ref i, length);
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
