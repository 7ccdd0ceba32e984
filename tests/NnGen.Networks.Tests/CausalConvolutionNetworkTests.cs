using System;
using System.Linq;
using NnGen.Data;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>
/// Issue 25 point 3: causal Conv1D layers in networks over time steps stream one sample at a time. Step against a
/// double-precision reference written here (direct loops over the causally padded sequence, PyTorch's definition);
/// Process, PredictSequences, windows carried through their states and Freeze() all give Step's bits; backpropagation
/// through time agrees with central differences; 0 bytes per step.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class CausalConvolutionNetworkTests
{
    [Fact]
    public void Step_MatchesTheDoubleReference_Over300Samples_AtEveryWidth()
    {
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 })
        {
            using (SimdWidths.ForceForTesting(width))
            {
                var net = new CausalStackNet(seed: 1);
                float[] input = Signal(300, seed: 2);
                CausalStackNet.State state = default;
                float[] streamed = input.Select(x => net.Step(x, ref state)).ToArray();
                double[] expected = Reference(net, input);
                double scale = expected.Max(Math.Abs);
                for (int t = 0; t < input.Length; t++)
                {
                    Assert.True(Math.Abs(streamed[t] - expected[t]) <= 1e-5 * scale, $"{width}, step {t}: {streamed[t]} against {expected[t]}");
                }
            }
        }
    }

    [Fact]
    public void ProcessPredictSequencesWindowsAndFreeze_AllGiveStepsBits()
    {
        var net = new CausalStackNet(seed: 3);
        float[] input = Signal(240, seed: 4);
        CausalStackNet.State stepState = default;
        float[] stepped = input.Select(x => net.Step(x, ref stepState)).ToArray();

        CausalStackNet.State blockState = default;
        var processed = new float[input.Length];
        net.Process(input, processed, ref blockState);
        Assert.Equal(TestData.Bits(stepped), TestData.Bits(processed));

        var whole = new float[input.Length];
        net.PredictSequences(input, input.Length, whole);
        Assert.Equal(TestData.Bits(stepped), TestData.Bits(whole));

        // Two windows of 100 and 140 steps, the state carried from the first to the second.
        var states = new float[CausalStackNet.StateFloats];
        var windows = new float[input.Length];
        net.PredictSequences(input.AsSpan(0, 100), 100, windows.AsSpan(0, 100), states);
        net.PredictSequences(input.AsSpan(100), 140, windows.AsSpan(100), states);
        Assert.Equal(TestData.Bits(stepped), TestData.Bits(windows));

        CausalStackNet.Frozen frozen = net.Freeze();
        CausalStackNet.State frozenState = default;
        Assert.Equal(TestData.Bits(stepped), TestData.Bits(input.Select(x => frozen.Step(x, ref frozenState)).ToArray()));
    }

    [Fact]
    public void GradientCheck_ThroughTime_AgreesWithCentralDifferences()
    {
        float[] inputs = Enumerable.Range(0, 4 * 20 * 1).Select(i => MathF.Sin(i * 0.31f) * 0.8f).ToArray();
        float[] labels = inputs.Select((x, i) => 0.5f * x + 0.1f * MathF.Cos(i * 0.7f)).ToArray();
        Assert.True(new CausalStackNet(seed: 5).GradientCheck(SequenceDataset.PerStep(inputs, labels, steps: 20, features: 1, outputs: 1, warmUp: 3)) < 1e-3);

        float[] mixedInputs = Enumerable.Range(0, 3 * 15 * 2).Select(i => MathF.Sin(i * 0.23f)).ToArray();
        float[] mixedLabels = Enumerable.Range(0, 3 * 15 * 2).Select(i => MathF.Cos(i * 0.19f) * 0.5f).ToArray();
        Assert.True(new CausalMixedNet(seed: 6).GradientCheck(SequenceDataset.PerStep(mixedInputs, mixedLabels, steps: 15, features: 2, outputs: 2)) < 1e-3);
    }

    [Fact]
    public void Training_ReducesTheCost_OfADelayedEcho()
    {
        // y_t = 0.5·x_{t−3}: within the stack's receptive field, so a few Adam passes must lower the cost clearly.
        float[] series = Signal(4000, seed: 7);
        float[] targets = series.Select((_, t) => t >= 3 ? 0.5f * series[t - 3] : 0f).ToArray();
        SequenceDataset data = SequenceDataset.FromSeries(series, targets, features: 1, outputs: 1, sequenceSteps: 200, warmUp: 16);
        var net = new CausalStackNet(seed: 8);
        double before = net.Evaluate(data).Cost;
        net.Fit(data, new TrainingOptions { LearningRate = 3e-3f, Iterations = 30, BatchSize = 5, Seed = 1, Optimizer = new Adam() });
        double after = net.Evaluate(data).Cost;
        Assert.True(after < before / 4, $"cost {before} -> {after}");
    }

    [Fact]
    public void Step_AllocatesNothing()
    {
        var net = new CausalStackNet(seed: 9);
        CausalStackNet.Frozen frozen = net.Freeze();
        CausalStackNet.State state = default;
        float sum = 0f;
        int i = 0;

        AllocationAssert.NoAllocation(() => sum += net.Step(0.001f * i, ref state) + frozen.Step(0.002f * i++, ref state), 1000, "CausalStackNet.Step and its Frozen.Step");
        Assert.True(float.IsFinite(sum));
    }

    /// <summary>The stack in doubles: each causal layer y_t = tanh(b + Σ_k W[:, :, k]·x_{t−(K−1−k)d}), zeros before t = 0, then the dense readout.</summary>
    private static double[] Reference(CausalStackNet net, float[] input)
    {
        double[][] signal = input.Select(x => new double[] { x }).ToArray();
        foreach ((Func<CausalStackNet, Span<float>> weight, Func<CausalStackNet, Span<float>> bias, int dilation) in new (Func<CausalStackNet, Span<float>>, Func<CausalStackNet, Span<float>>, int)[]
        {
            (n => n.W1, n => n.b1, 1), (n => n.W2, n => n.b2, 2), (n => n.W3, n => n.b3, 4),
        })
        {
            float[] w = weight(net).ToArray(), b = bias(net).ToArray();
            int cout = b.Length, cin = signal[0].Length, k = w.Length / (cout * cin);
            var next = new double[signal.Length][];
            for (int t = 0; t < signal.Length; t++)
            {
                next[t] = new double[cout];
                for (int o = 0; o < cout; o++)
                {
                    double sum = b[o];
                    for (int c = 0; c < cin; c++)
                    {
                        for (int tap = 0; tap < k; tap++)
                        {
                            int source = t - ((k - 1 - tap) * dilation);
                            sum += source < 0 ? 0 : w[(((o * cin) + c) * k) + tap] * signal[source][c];
                        }
                    }

                    next[t][o] = Math.Tanh(sum);
                }
            }

            signal = next;
        }

        float[] w4 = net.W4.ToArray();
        double b4 = net.b4[0];
        return signal.Select(h => b4 + h.Select((value, c) => value * w4[c]).Sum()).ToArray();
    }

    private static float[] Signal(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (MathF.Sin(i * 0.045f) * 0.7f) + (float)((random.NextDouble() - 0.5) * 0.3)).ToArray();
    }
}
