using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The fast tanh, sigmoid, exp and log of <see cref="VectorMath"/>: their maximum error over the whole float range
/// against double-precision references (within the documented ulps), and every vector width agreeing bit for bit
/// with the scalar formula, which is the reference the generated code's vectors are held to.
/// </summary>
public sealed class VectorMathTests
{
    /// <summary>
    /// Every 61st bit pattern: 70 million floats spread evenly over every binade of both signs (61 is prime, so the
    /// samples do not line up with the mantissa bits).
    /// </summary>
    private const int Stride = 61;

    public static TheoryData<string> Functions() => new() { "Tanh", "Sigmoid", "Exp", "Log" };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Scalar_WholeFloatRange_WithinDocumentedUlps(string function)
    {
        int limit = function switch
        {
            "Tanh" => VectorMath.TanhMaxUlp,
            "Sigmoid" => VectorMath.SigmoidMaxUlp,
            "Exp" => VectorMath.ExpMaxUlp,
            _ => VectorMath.LogMaxUlp,
        };

        object gate = new();
        double worstUlps = 0;
        float worstInput = 0;
        Parallel.For(0, 256, chunk =>
        {
            double localUlps = 0;
            float localInput = 0;
            for (long bits = (long)chunk << 24; bits < ((long)chunk + 1) << 24; bits += Stride)
            {
                float x = BitConverter.Int32BitsToSingle((int)(uint)bits);
                if (!InDomain(function, x))
                {
                    continue;
                }

                double exact = Reference(function, x);
                if (Math.Abs(exact) < 1.1754943508222875e-38)
                {
                    continue; // subnormal results are flushed to 0 by design (documented)
                }

                double ulps = Math.Abs(Scalar(function, x) - exact) / Ulp(exact);
                if (ulps > localUlps)
                {
                    (localUlps, localInput) = (ulps, x);
                }
            }

            lock (gate)
            {
                if (localUlps > worstUlps)
                {
                    (worstUlps, worstInput) = (localUlps, localInput);
                }
            }
        });

        Assert.True(worstUlps <= limit, $"{function}: {worstUlps:F3} ulps at x = {worstInput:R}, documented {limit}");
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryWidth_SpecialAndRandomInputs_MatchesScalarBitForBit(string function)
    {
        float[] inputs = [
            0f, -0f, 1e-30f, -1e-30f, 0.0003f, -0.0004f, 0.5f, -0.5f, 1f, -1f, 7.99f, -8f, 9f, -9f, 20f, -20f,
            87f, -87f, 87.5f, -87.5f, 88f, -88.5f, 100f, -100f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, 1.17549435e-38f];
        float[] random = KernelTestSupport.RandomFloats(4096, seed: 90, scale: 30f);
        foreach (float[] set in new[] { inputs, random })
        {
            foreach (float x in set)
            {
                if (function == "Log" && !InDomain("Log", x))
                {
                    continue;
                }

                float expected = Scalar(function, x);
                AssertSameFloat(expected, Pick(function, Vector128.Create(x)).GetElement(2), function, x, "Vector128");
                AssertSameFloat(expected, Pick(function, Vector256.Create(x)).GetElement(5), function, x, "Vector256");
                AssertSameFloat(expected, Pick(function, Vector512.Create(x)).GetElement(11), function, x, "Vector512");
                AssertSameFloat(expected, Pick(function, new Vector<float>(x))[Vector<float>.Count - 1], function, x, "Vector<T>");
            }
        }
    }

    [Theory]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    public void Pair_SpecialAndRandomInputs_MatchesScalarBitForBitInBothOutputs(string function)
    {
        float[] inputs = [
            0f, -0f, 1e-30f, 0.0003f, 0.0004f, -0.0004f, 0.5f, -1f, 7.99f, -8f, 20f, -87.5f, 88f, -100f, float.MaxValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, 1.17549435e-38f];
        float[] random = KernelTestSupport.RandomFloats(4096, seed: 91, scale: 30f);
        foreach (float[] set in new[] { inputs, random })
        {
            for (int i = 0; i < set.Length; i++)
            {
                // Different values in the two vectors and in their lanes, so a mixed-up output or lane shows.
                float x = set[i], y = set[(i * 7 + 3) % set.Length];
                Vector<float> first = Vector.ConditionalSelect(Vector.Equals(Vector<int>.Indices, Vector<int>.Zero), new Vector<float>(y), new Vector<float>(x));
                Vector<float> second = new(y);
                Vector<float> firstOut, secondOut;
                Vector512<float> wideFirstOut, wideSecondOut;
                if (function == "Tanh")
                {
                    VectorMath.Tanh(first, second, out firstOut, out secondOut);
                    VectorMath.Tanh(Vector512.Create(x), Vector512.Create(y), out wideFirstOut, out wideSecondOut);
                }
                else
                {
                    VectorMath.Sigmoid(first, second, out firstOut, out secondOut);
                    VectorMath.Sigmoid(Vector512.Create(x), Vector512.Create(y), out wideFirstOut, out wideSecondOut);
                }

                AssertSameFloat(Scalar(function, y), firstOut[0], function, y, "pair Vector<T> lane 0");
                AssertSameFloat(Scalar(function, x), firstOut[Vector<float>.Count - 1], function, x, "pair Vector<T> first");
                AssertSameFloat(Scalar(function, y), secondOut[Vector<float>.Count - 1], function, y, "pair Vector<T> second");
                AssertSameFloat(Scalar(function, x), wideFirstOut.GetElement(13), function, x, "pair Vector512 first");
                AssertSameFloat(Scalar(function, y), wideSecondOut.GetElement(2), function, y, "pair Vector512 second");
            }
        }
    }

    [Fact]
    public void NaN_PropagatesThroughTanhSigmoidAndExp()
    {
        Assert.True(float.IsNaN(VectorMath.Tanh(float.NaN)));
        Assert.True(float.IsNaN(VectorMath.Sigmoid(float.NaN)));
        Assert.True(float.IsNaN(VectorMath.Exp(float.NaN)));
        Assert.True(float.IsNaN(VectorMath.Tanh(Vector256.Create(float.NaN)).GetElement(0)));
    }

    [Fact]
    public void Limits_SaturateToTheExactValues()
    {
        Assert.Equal(1f, VectorMath.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, VectorMath.Tanh(-50f));
        Assert.Equal(1f, VectorMath.Sigmoid(100f));
        Assert.Equal(0f, VectorMath.Sigmoid(-100f));
        Assert.Equal(0.5f, VectorMath.Sigmoid(0f));
        Assert.Equal(0f, VectorMath.Exp(float.NegativeInfinity));
        Assert.Equal(1f, VectorMath.Exp(0f));
        Assert.Equal(0f, VectorMath.Log(1f));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(VectorMath.Tanh(-0f)));
    }

    private static bool InDomain(string function, float x) => function switch
    {
        "Log" => x >= 1.17549435e-38f && x <= float.MaxValue,
        "Exp" => !float.IsNaN(x) && x <= 88f,
        _ => !float.IsNaN(x),
    };

    private static double Reference(string function, float x) => function switch
    {
        "Tanh" => Math.Tanh(x),
        "Sigmoid" => 1.0 / (1.0 + Math.Exp(-(double)x)),
        "Exp" => Math.Exp(x),
        _ => Math.Log(x),
    };

    /// <summary>The spacing of floats at the exact result's magnitude (its ulp as a float).</summary>
    private static double Ulp(double exact)
    {
        float magnitude = (float)Math.Abs(exact);
        return float.IsPositiveInfinity(magnitude) ? Math.Pow(2, 104) : (double)MathF.BitIncrement(magnitude) - magnitude;
    }

    private static float Scalar(string function, float x) => function switch
    {
        "Tanh" => VectorMath.Tanh(x),
        "Sigmoid" => VectorMath.Sigmoid(x),
        "Exp" => VectorMath.Exp(x),
        _ => VectorMath.Log(x),
    };

    private static Vector128<float> Pick(string function, Vector128<float> x) => function switch
    {
        "Tanh" => VectorMath.Tanh(x),
        "Sigmoid" => VectorMath.Sigmoid(x),
        "Exp" => VectorMath.Exp(x),
        _ => VectorMath.Log(x),
    };

    private static Vector256<float> Pick(string function, Vector256<float> x) => function switch
    {
        "Tanh" => VectorMath.Tanh(x),
        "Sigmoid" => VectorMath.Sigmoid(x),
        "Exp" => VectorMath.Exp(x),
        _ => VectorMath.Log(x),
    };

    private static Vector512<float> Pick(string function, Vector512<float> x) => function switch
    {
        "Tanh" => VectorMath.Tanh(x),
        "Sigmoid" => VectorMath.Sigmoid(x),
        "Exp" => VectorMath.Exp(x),
        _ => VectorMath.Log(x),
    };

    private static Vector<float> Pick(string function, Vector<float> x) => function switch
    {
        "Tanh" => VectorMath.Tanh(x),
        "Sigmoid" => VectorMath.Sigmoid(x),
        "Exp" => VectorMath.Exp(x),
        _ => VectorMath.Log(x),
    };

    private static void AssertSameFloat(float expected, float actual, string function, float x, string width) =>
        Assert.True(
            BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual)),
            $"{function}({x:R}) at {width}: {actual:R}, scalar {expected:R}");
}
