using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Element-wise kernels at every supported width against double-precision formulas, over every length up to two
/// unrolled widest-vector steps plus one, so every main-loop/narrower-width/scalar tail combination runs.
/// </summary>
public sealed class ActivationKernelsTests
{
    private const int MaxLength = 2 * ((2 * 16) + 1);
    private const float Sentinel = -12345.5f;

    public static TheoryData<string> Widths() => KernelTestSupport.SupportedWidths();

    public static TheoryData<string, string> ForwardCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string width in KernelTestSupport.SupportedWidths())
        {
            foreach (string activation in new[] { "Sigmoid", "Tanh", "ReLU", "LeakyReLU" })
            {
                data.Add(activation, width);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void Forward_AllLengths_MatchesReference(string activation, string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] z = KernelTestSupport.RandomFloats(MaxLength, seed: 40, scale: 8f);
        z[0] = 0f;
        z[1] = -0f;
        z[2] = 60f;
        z[3] = -60f;
        float[] a = new float[MaxLength + 16];
        for (int length = 0; length <= MaxLength; length++)
        {
            a.AsSpan().Fill(Sentinel);
            Forward(activation, z.AsSpan(0, length), a.AsSpan(0, length), width);
            var expected = new double[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = ForwardReference(activation, z[i]);
            }

            // Absolute 2e-7 plus 1e-6 relative: TensorPrimitives' exp/tanh are within a few ulps.
            string context = $"{activation} {width} length={length}";
            KernelTestSupport.AssertClose(a.AsSpan(0, length), expected, Magnitudes(expected), 1e-6, 2e-7, context);
            KernelTestSupport.AssertUntouched(a, length, Sentinel, context);
        }
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void Forward_InPlace_MatchesOutOfPlace(string activation, string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] z = KernelTestSupport.RandomFloats(MaxLength, seed: 41, scale: 8f);
        float[] expected = new float[MaxLength];
        Forward(activation, z, expected, width);
        Forward(activation, z, z, width);
        Assert.Equal(expected, z);
    }

    public static TheoryData<string, string> BackwardCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string width in KernelTestSupport.SupportedWidths())
        {
            foreach (string activation in new[] { "Sigmoid", "Tanh", "ReLU", "LeakyReLU" })
            {
                data.Add(activation, width);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void Backward_AllLengths_MultiplyByDerivativeOfOutput(string activation, string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] z = KernelTestSupport.RandomFloats(MaxLength, seed: 42, scale: 4f);
        z[0] = 0f;
        float[] activations = new float[MaxLength];
        for (int i = 0; i < MaxLength; i++)
        {
            activations[i] = (float)ForwardReference(activation, z[i]);
        }

        float[] upstream = KernelTestSupport.RandomFloats(MaxLength, seed: 43);
        float[] grad = new float[MaxLength + 16];
        for (int length = 0; length <= MaxLength; length++)
        {
            grad.AsSpan().Fill(Sentinel);
            upstream.AsSpan(0, length).CopyTo(grad);
            Backward(activation, activations.AsSpan(0, length), grad.AsSpan(0, length), width);
            var expected = new double[length];
            for (int i = 0; i < length; i++)
            {
                double a = activations[i];
                double derivative = activation switch
                {
                    "Sigmoid" => a * (1 - a),
                    "Tanh" => 1 - (a * a),
                    "ReLU" => a > 0 ? 1 : 0,
                    _ => a > 0 ? 1 : 0.01,
                };
                expected[i] = upstream[i] * derivative;
            }

            string context = $"{activation}Backward {width} length={length}";
            KernelTestSupport.AssertClose(grad.AsSpan(0, length), expected, Magnitudes(expected), 1e-6, 1e-7, context);
            KernelTestSupport.AssertUntouched(grad, length, Sentinel, context);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SumRows_AllShapes_MatchesReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        const float Alpha = 1f / 7;
        for (int rows = 0; rows <= 3; rows++)
        {
            for (int m = 0; m <= MaxLength; m++)
            {
                float[] dz = KernelTestSupport.RandomFloats(rows * m, seed: 46 + m);
                float[] db = new float[rows + 16];
                db.AsSpan().Fill(Sentinel);
                ActivationKernels.SumRows(dz, db.AsSpan(0, rows), m, Alpha, width);
                var expected = new double[rows];
                var magnitude = new double[rows];
                for (int j = 0; j < rows; j++)
                {
                    for (int i = 0; i < m; i++)
                    {
                        expected[j] += Alpha * (double)dz[(j * m) + i];
                        magnitude[j] += Alpha * Math.Abs((double)dz[(j * m) + i]);
                    }
                }

                string context = $"SumRows {width} rows={rows} m={m}";
                KernelTestSupport.AssertClose(db.AsSpan(0, rows), expected, magnitude, 1e-6, 0, context);
                KernelTestSupport.AssertUntouched(db, rows, Sentinel, context);
            }
        }
    }

    [Fact]
    public void SumRows_WorkloadShape_MatchesReference()
    {
        float[] dz = KernelTestSupport.RandomFloats(20 * 209, seed: 47);
        float[] db = new float[20];
        ActivationKernels.SumRows(dz, db, 209, 1f / 209);
        for (int j = 0; j < 20; j++)
        {
            double sum = 0;
            for (int i = 0; i < 209; i++)
            {
                sum += dz[(j * 209) + i];
            }

            Assert.Equal(sum / 209, db[j], 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ReLUBackward_NonPositiveActivation_ZeroesGradient(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] a = [0f, -0f, 1e-30f, 2f, 0f, 0f, 0f, 0f, 0f];
        float[] grad = [5f, 5f, 5f, 5f, float.PositiveInfinity, 5f, 5f, 5f, 5f];
        ActivationKernels.Backward(Activation.ReLU, a, grad, width);
        Assert.Equal([0f, 0f, 5f, 5f, 0f, 0f, 0f, 0f, 0f], grad);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LeakyReLU_NegativeInput_ScalesByLeakySlope(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] z = [-100f, -1f, 0f, 3f, -2f, -3f, -4f, -5f, 6f];
        float[] a = new float[z.Length];
        ActivationKernels.Forward(Activation.LeakyReLU, z, a, width);
        Assert.Equal(Array.ConvertAll(z, value => value > 0f ? value : 0.01f * value), a);
    }

    internal static void Forward(string activation, ReadOnlySpan<float> z, Span<float> a, SimdWidth width) =>
        ActivationKernels.Forward(Enum.Parse<Activation>(activation), z, a, width);

    internal static void Backward(string activation, ReadOnlySpan<float> a, Span<float> grad, SimdWidth width) =>
        ActivationKernels.Backward(Enum.Parse<Activation>(activation), a, grad, width);

    private static double ForwardReference(string activation, double z) => activation switch
    {
        "Sigmoid" => 1 / (1 + Math.Exp(-z)),
        "Tanh" => Math.Tanh(z),
        "ReLU" => Math.Max(0, z),
        _ => z > 0 ? z : 0.01 * z,
    };

    private static double[] Magnitudes(double[] values) => Array.ConvertAll(values, Math.Abs);
}
