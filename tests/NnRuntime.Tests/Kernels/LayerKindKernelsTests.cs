using System;
using System.Linq;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The dropout and normalization kernels at shapes that exercise their vector loops and tails: the dropout mask equals
/// its scalar definition bit for bit at every length, and batch and layer norm (also in place) match double-precision
/// formulas. The networks' tests (NnGen.Networks.Tests) check the same kernels inside generated code and against PyTorch.
/// </summary>
public class LayerKindKernelsTests
{
    public static TheoryData<int, int> Shapes => new() { { 5, 1 }, { 3, 7 }, { 4, 8 }, { 6, 9 }, { 2, 31 }, { 7, 33 }, { 1, 130 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DropoutMask_EveryElement_IsTheScalarDefinition(int units, int examples)
    {
        const ulong seed = 0xFEED;
        const float rate = 0.3f;
        float[] x = Enumerable.Range(0, units * examples).Select(i => 1f + i).ToArray();
        var y = new float[x.Length];
        var mask = new float[x.Length];

        DropoutKernels.Forward(x, y, mask, units, examples, rate, seed, layer: 4);

        ulong key = DropoutKernels.LayerKey(seed, 4);
        ulong threshold = DropoutKernels.DropThreshold(rate);
        for (int j = 0; j < units; j++)
        {
            for (int e = 0; e < examples; e++)
            {
                float expected = DropoutKernels.Keeps(key, ((long)e * units) + j, threshold) ? 1f / (1f - rate) : 0f;
                Assert.Equal(expected, mask[(j * examples) + e]);
                Assert.Equal(x[(j * examples) + e] * expected, y[(j * examples) + e]);
            }
        }
    }

    [Fact]
    public void DropoutMask_KeepsAboutOneMinusTheRate()
    {
        const int units = 64, examples = 1000;
        var mask = new float[units * examples];
        DropoutKernels.Forward(new float[mask.Length], new float[mask.Length], mask, units, examples, 0.2f, stepSeed: 9, layer: 1);

        double kept = mask.Count(value => value != 0) / (double)mask.Length;
        Assert.InRange(kept, 0.79, 0.81);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchNorm_TrainingInferenceBackward_MatchDoubleFormulas(int features, int examples)
    {
        float[] x = Values(features * examples, 1);
        float[] gamma = Values(features, 2).Select(v => 1f + v).ToArray();
        float[] beta = Values(features, 3);
        float[] runningMean = Values(features, 4);
        float[] runningVariance = Values(features, 5).Select(v => 1.5f + v).ToArray();
        var y = new float[x.Length];
        var xhat = new float[x.Length];
        var inverseStd = new float[features];
        float[] meanAfter = runningMean.ToArray(), varianceAfter = runningVariance.ToArray();

        NormalizationKernels.BatchNormTraining(x, y, xhat, inverseStd, gamma, beta, meanAfter, varianceAfter, features, examples, 1e-5f, 0.1f);

        float[] dy = Values(x.Length, 6);
        var dGamma = new float[features];
        var dBeta = new float[features];
        var dx = new float[x.Length];
        NormalizationKernels.BatchNormBackward(dy, xhat, inverseStd, gamma, dGamma, dBeta, dx, features, examples, 1f / examples);

        for (int i = 0; i < features; i++)
        {
            double[] row = Enumerable.Range(0, examples).Select(e => (double)x[(i * examples) + e]).ToArray();
            double mean = row.Average();
            double variance = row.Sum(v => (v - mean) * (v - mean)) / examples;
            double r = 1 / Math.Sqrt(variance + 1e-5);
            double[] h = row.Select(v => (v - mean) * r).ToArray();
            double[] d = Enumerable.Range(0, examples).Select(e => (double)dy[(i * examples) + e]).ToArray();
            double sum = d.Sum(), dot = d.Zip(h, (a, b) => a * b).Sum();
            for (int e = 0; e < examples; e++)
            {
                Close((gamma[i] * h[e]) + beta[i], y[(i * examples) + e], "y");
                Close(gamma[i] * r * (d[e] - (sum / examples) - (h[e] * dot / examples)), dx[(i * examples) + e], "dx");
            }

            Close(dot / examples, dGamma[i], "dγ");
            Close(sum / examples, dBeta[i], "dβ");
            Close((0.9 * runningMean[i]) + (0.1 * mean), meanAfter[i], "running mean");
            Close((0.9 * runningVariance[i]) + (0.1 * (examples > 1 ? variance * examples / (examples - 1) : runningVariance[i])), varianceAfter[i], "running variance");
        }

        // Inference with the running statistics, in place (the first layer of a network works on its own output).
        float[] inPlace = x.ToArray();
        NormalizationKernels.BatchNormInference(inPlace, inPlace, gamma, beta, runningMean, runningVariance, features, examples, 1e-5f);
        for (int i = 0; i < features; i++)
        {
            for (int e = 0; e < examples; e++)
            {
                Close((gamma[i] * (x[(i * examples) + e] - (double)runningMean[i]) / Math.Sqrt(runningVariance[i] + 1e-5)) + beta[i], inPlace[(i * examples) + e], "inference");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LayerNorm_ForwardInPlaceAndBackward_MatchDoubleFormulas(int features, int examples)
    {
        float[] x = Values(features * examples, 7);
        float[] gamma = Values(features, 8).Select(v => 1f + v).ToArray();
        float[] beta = Values(features, 9);
        var y = new float[x.Length];
        var xhat = new float[x.Length];
        var inverseStd = new float[examples];
        NormalizationKernels.LayerNorm(x, y, xhat, inverseStd, gamma, beta, features, examples, 1e-5f);

        float[] inPlace = x.ToArray();
        NormalizationKernels.LayerNorm(inPlace, inPlace, default, default, gamma, beta, features, examples, 1e-5f);
        Assert.Equal(y, inPlace);

        float[] dy = Values(x.Length, 10);
        var dGamma = new float[features];
        var dBeta = new float[features];
        var dx = new float[x.Length];
        NormalizationKernels.LayerNormBackward(dy, xhat, inverseStd, gamma, dGamma, dBeta, dx, features, examples, 1f / examples);

        var expectedDGamma = new double[features];
        var expectedDBeta = new double[features];
        for (int e = 0; e < examples; e++)
        {
            double[] column = Enumerable.Range(0, features).Select(i => (double)x[(i * examples) + e]).ToArray();
            double mean = column.Average();
            double r = 1 / Math.Sqrt((column.Sum(v => (v - mean) * (v - mean)) / features) + 1e-5);
            double[] h = column.Select(v => (v - mean) * r).ToArray();
            double[] g = Enumerable.Range(0, features).Select(i => gamma[i] * (double)dy[(i * examples) + e]).ToArray();
            double meanG = g.Average(), meanGX = g.Zip(h, (a, b) => a * b).Average();
            for (int i = 0; i < features; i++)
            {
                Close((gamma[i] * h[i]) + beta[i], y[(i * examples) + e], "y");
                // dX subtracts means of similar terms and multiplies by r, so its float error grows with r (large when an
                // example's few features lie close together).
                Close(r * (g[i] - meanG - (h[i] * meanGX)), dx[(i * examples) + e], "dx", r);
                expectedDGamma[i] += dy[(i * examples) + e] * h[i] / examples;
                expectedDBeta[i] += dy[(i * examples) + e] / (double)examples;
            }
        }

        for (int i = 0; i < features; i++)
        {
            Close(expectedDGamma[i], dGamma[i], "dγ");
            Close(expectedDBeta[i], dBeta[i], "dβ");
        }
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    // float32 kernels against double formulas: a few ulps of the terms involved (x̂ and the gradients are O(1) here).
    private static void Close(double expected, float actual, string what, double sensitivity = 1) =>
        Assert.True(Math.Abs(actual - expected) <= 2e-5 * Math.Max(1, sensitivity) * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} against {expected}");
}
