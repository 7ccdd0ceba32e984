using System;
using System.Runtime.Intrinsics;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The vector ReLU (a native max and an added +0) gives the bits of the scalar <c>MathF.Max(x, 0)</c> at every width,
/// on the values where a native max and the IEEE max part ways: NaN, -0, +0, infinities and subnormals.
/// </summary>
public sealed class ReLUOperatorTests
{
    private static readonly float[] Values =
    [
        float.NaN, -float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
        1e-40f, -1e-40f, 1f, -1f, float.MaxValue, float.MinValue, 0.5f, -3.25f,
    ];

    [Fact]
    public void Invoke_EveryWidth_IsTheScalarMax()
    {
        for (int i = 0; i < Values.Length; i += 4)
        {
            Vector128<float> v128 = Vector128.Create(Values.AsSpan(i, 4));
            Check(ReLUOperator.Invoke<Simd128, Vector128<float>>(v128), i, "128");
        }

        for (int i = 0; i < Values.Length; i += 8)
        {
            Vector256<float> v256 = Vector256.Create(Values.AsSpan(i, 8));
            Check(ReLUOperator.Invoke<Simd256, Vector256<float>>(v256), i, "256");
        }

        Vector512<float> v512 = Vector512.Create(Values.AsSpan(0, 16));
        Check(ReLUOperator.Invoke<Simd512, Vector512<float>>(v512), 0, "512");
    }

    private static void Check<TVec>(TVec result, int start, string width)
        where TVec : struct
    {
        Span<float> lanes = stackalloc float[16];
        switch (result)
        {
            case Vector128<float> v: v.CopyTo(lanes); break;
            case Vector256<float> v: v.CopyTo(lanes); break;
            case Vector512<float> v: v.CopyTo(lanes); break;
        }

        int count = System.Runtime.CompilerServices.Unsafe.SizeOf<TVec>() / sizeof(float);
        for (int lane = 0; lane < count; lane++)
        {
            float x = Values[start + lane];
            float expected = MathF.Max(x, 0f);
            float actual = lanes[lane];
            Assert.True(
                float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                $"{width}-bit ReLU({x:R}) is {actual:R} (bits {BitConverter.SingleToInt32Bits(actual):X8}), expected {expected:R}.");
        }
    }
}
