using System;
using System.Numerics;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>The helpers of the fused tiny-network pass against their scalar definitions and the runtime's losses.</summary>
public sealed class TinyKernelsTests
{
    /// <summary>One input (a copy), two (the vectorized even/odd split, with a scalar tail) and three (the general loop).</summary>
    public static TheoryData<int, int> TransposeShapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 3 })
        {
            foreach (int m in new[] { 0, 1, 7, 8, 9, 16, 400, 401 })
            {
                data.Add(m, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TransposeShapes))]
    public void TransposePadded_ExampleMajor_FeatureMajorWithZeroPadding(int m, int n)
    {
        int padded = TinyKernels.PaddedCount(m);
        Assert.Equal(0, padded % TinyKernels.StepExamples);
        Assert.InRange(padded - m, 0, TinyKernels.StepExamples - 1);
        float[] source = KernelTestSupport.RandomFloats(m * n, seed: 3);
        float[] destination = new float[n * padded];
        destination.AsSpan().Fill(float.NaN);

        TinyKernels.TransposePadded(source, destination, m, n, padded);

        for (int k = 0; k < n; k++)
        {
            for (int i = 0; i < padded; i++)
            {
                Assert.Equal(i < m ? source[(i * n) + k] : 0f, destination[(k * padded) + i]);
            }
        }
    }

    [Fact]
    public void TransposePadded_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => TinyKernels.TransposePadded(new float[6], new float[8], 3, 2, 3));

    [Fact]
    public void ExampleMask_PartialBlock_OnlyRealExamples()
    {
        Vector<float> mask = TinyKernels.ExampleMask(16, 19);
        for (int lane = 0; lane < Vector<float>.Count; lane++)
        {
            Assert.Equal(lane < 3, BitConverter.SingleToInt32Bits(mask[lane]) == -1);
        }

        Assert.Equal(Vector<int>.AllBitsSet, Vector.AsVectorInt32(TinyKernels.ExampleMask(0, 1000)));
    }

    [Fact]
    public void AddCrossEntropy_MatchesLossesIncludingSaturatedOutputs()
    {
        float[] a = [0.3f, 0.9f, 1e-9f, 1f, 0f, 0.5f, 0.999f, 0.01f, 0.2f, 0.7f, 0.4f, 0.6f, 0.05f, 0.95f, 0.33f, 0.66f];
        float[] y = [1f, 0f, 1f, 0f, 0f, 1f, 1f, 0f, 0.5f, 1f, 0f, 1f, 0f, 1f, 1f, 0f];
        double expected = 0, actualSum = 0;
        for (int start = 0; start < a.Length; start += Vector<float>.Count)
        {
            int count = Math.Min(Vector<float>.Count, a.Length - start);
            Vector<double> sum = default;
            var av = new Vector<float>(Pad(a, start));
            var yv = new Vector<float>(Pad(y, start));
            TinyKernels.AddCrossEntropy(ref sum, av, yv, TinyKernels.ExampleMask(0, count));
            actualSum += TinyKernels.Total(sum);
            expected += Losses.BinaryCrossEntropy(a.AsSpan(start, count), y.AsSpan(start, count), 1);
        }

        Assert.Equal(expected, actualSum, 1e-5 * Math.Abs(expected));
    }

    [Fact]
    public void AddCrossEntropy_NaNPrediction_MakesCostNaN()
    {
        Vector<double> sum = default;
        TinyKernels.AddCrossEntropy(ref sum, new Vector<float>(float.NaN), Vector<float>.One, TinyKernels.ExampleMask(0, 1));
        Assert.True(double.IsNaN(TinyKernels.Total(sum)));
    }

    [Fact]
    public void AddSquaredError_MatchesLosses()
    {
        float[] a = KernelTestSupport.RandomFloats(Vector<float>.Count, seed: 5, scale: 3f);
        float[] y = KernelTestSupport.RandomFloats(Vector<float>.Count, seed: 6, scale: 3f);
        Vector<double> sum = default;
        TinyKernels.AddSquaredError(ref sum, new Vector<float>(a), new Vector<float>(y), TinyKernels.ExampleMask(0, a.Length - 1));
        double expected = 2 * Losses.MeanSquaredError(a.AsSpan(0, a.Length - 1), y.AsSpan(0, a.Length - 1), 1);
        Assert.Equal(expected, TinyKernels.Total(sum), 1e-12);
    }

    [Fact]
    public void VectorActivations_MatchSpanKernels()
    {
        float[] z = KernelTestSupport.RandomFloats(Vector<float>.Count, seed: 7, scale: 4f);
        float[] g = KernelTestSupport.RandomFloats(Vector<float>.Count, seed: 8);
        var zv = new Vector<float>(z);
        var gv = new Vector<float>(g);
        float[] expected = new float[z.Length];
        ActivationKernels.Forward(Activation.ReLU, z, expected);
        Assert.Equal(expected, ToArray(ActivationKernels.ReLU(zv)));
        ActivationKernels.Forward(Activation.LeakyReLU, z, expected);
        Assert.Equal(expected, ToArray(ActivationKernels.LeakyReLU(zv)));
        foreach (string kind in new[] { "Sigmoid", "Tanh", "ReLU", "LeakyReLU" })
        {
            float[] grad = (float[])g.Clone();
            Vector<float> actual;
            switch (kind)
            {
                case "Sigmoid":
                    ActivationKernels.SigmoidBackward(z, grad);
                    actual = ActivationKernels.SigmoidBackward(zv, gv);
                    break;
                case "Tanh":
                    ActivationKernels.TanhBackward(z, grad);
                    actual = ActivationKernels.TanhBackward(zv, gv);
                    break;
                case "ReLU":
                    ActivationKernels.ReLUBackward(z, grad);
                    actual = ActivationKernels.ReLUBackward(zv, gv);
                    break;
                default:
                    ActivationKernels.LeakyReLUBackward(z, grad);
                    actual = ActivationKernels.LeakyReLUBackward(zv, gv);
                    break;
            }

            float[] got = ToArray(actual);
            for (int i = 0; i < grad.Length; i++)
            {
                Assert.True(Math.Abs(grad[i] - got[i]) <= 1e-6f * (1 + Math.Abs(grad[i])), $"{kind}Backward lane {i}: {got[i]} vs {grad[i]}");
            }
        }
    }

    private static float[] Pad(float[] values, int start)
    {
        var lanes = new float[Vector<float>.Count];
        values.AsSpan(start, Math.Min(lanes.Length, values.Length - start)).CopyTo(lanes);
        return lanes;
    }

    private static float[] ToArray(Vector<float> vector)
    {
        var values = new float[Vector<float>.Count];
        vector.CopyTo(values);
        return values;
    }
}
