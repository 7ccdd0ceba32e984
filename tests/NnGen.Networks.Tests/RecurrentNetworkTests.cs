using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>
/// Generated recurrent networks end to end: the streaming surface against PyTorch over 1,000 steps, block = step bits,
/// batch inference = streaming, gradients against finite differences of a double-precision reference, 0 bytes per call,
/// one instance shared by threads each with its own state, and weights saved and loaded.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class RecurrentNetworkTests
{
    [Theory]
    [InlineData("lstm_i3_h8")]
    [InlineData("gru_i3_h8")]
    public void Step_OverAThousandSteps_MatchesPyTorch(string fixture)
    {
        JsonElement json = Fixture(fixture);
        ISerializableNetwork net = fixture.StartsWith("lstm", StringComparison.Ordinal) ? new LstmProbeNet() : new GruProbeNet();
        JsonElement parameters = json.GetProperty("parameters");
        string[] names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"];
        LayerTensor[] recurrent = net.Architecture.Layers[0].Tensors.ToArray();
        for (int t = 0; t < names.Length; t++)
        {
            float[] values = Floats(parameters.GetProperty(names[t]));
            Assert.Equal(recurrent[t].Length, values.Length);
            Span<float> destination = net.Parameters.Slice(recurrent[t].Offset, values.Length);
            if (recurrent[t].IsStoredTransposed)
            {
                // PyTorch's (G·H, n) into the (n, G·H) the parameters hold.
                Layout.Transpose(values, destination, recurrent[t].Shape[0], recurrent[t].Shape[1]);
            }
            else
            {
                values.CopyTo(destination);
            }
        }

        // The readout is the identity, so each step's outputs are h.
        LayerDescription readout = net.Architecture.Layers[1];
        Span<float> w = net.Parameters.Slice(readout.Tensors[0].Offset, 64);
        w.Clear();
        for (int j = 0; j < 8; j++)
        {
            w[(j * 8) + j] = 1f;
        }

        net.Parameters.Slice(readout.Tensors[1].Offset, 8).Clear();

        JsonElement run = json.GetProperty("long");
        float[] x = Floats(run.GetProperty("x"));
        float[] expected = Floats(run.GetProperty("hs"));
        int steps = run.GetProperty("steps").GetInt32();
        // At every width the runtime can choose (a width the CPU lacks runs in software): CI may be a Zen 3 or a Zen 4.
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 })
        {
            var actual = new float[steps * 8];
            using (SimdWidths.ForceForTesting(width))
            {
                if (net is LstmProbeNet lstm)
                {
                    LstmProbeNet.State state = default;
                    Span<float> s = state;
                    Floats(run.GetProperty("h0")).CopyTo(s);
                    Floats(run.GetProperty("c0")).CopyTo(s[8..]);
                    lstm.Process(x, actual, ref state);
                }
                else
                {
                    var gru = (GruProbeNet)net;
                    GruProbeNet.State state = default;
                    Floats(run.GetProperty("h0")).CopyTo((Span<float>)state);
                    gru.Process(x, actual, ref state);
                }
            }

            // Within 1e-5 of the tensor's magnitude over all 1,000 steps (float against PyTorch's float).
            double scale = expected.Max(v => Math.Abs(v));
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * scale, $"{fixture} at {width}: step {i / 8}, unit {i % 8}: {actual[i]} vs PyTorch {expected[i]}");
            }
        }
    }

    [Fact]
    public void Seed_RecurrentWeights_PyTorchOrderDrawsHeldTransposed()
    {
        // The same seed draws the same value for the same PyTorch element as PyTorch's (G·H, n) order would; the
        // parameters hold Wih and Whh transposed, so element [r, k] sits at k·G·H + r.
        const int Seed = 7, Units = 8, Inputs = 3, Rows = 4 * Units;
        var network = new LstmProbeNet(seed: Seed);
        var random = new NumPyRandom(Seed);
        float[] wih = new float[Rows * Inputs], whh = new float[Rows * Units], bih = new float[Rows], bhh = new float[Rows];
        foreach (float[] tensor in new[] { wih, whh, bih, bhh })
        {
            ParameterInitializer.FillRecurrent(tensor, Units, random);
        }

        for (int r = 0; r < Rows; r++)
        {
            for (int k = 0; k < Inputs; k++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(wih[(r * Inputs) + k]), BitConverter.SingleToInt32Bits(network.Wih1[(k * Rows) + r]));
            }

            for (int k = 0; k < Units; k++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(whh[(r * Units) + k]), BitConverter.SingleToInt32Bits(network.Whh1[(k * Rows) + r]));
            }
        }

        Assert.Equal(bih, network.bih1.ToArray());
        Assert.Equal(bhh, network.bhh1.ToArray());
    }

    [Fact]
    public void Process_BlockOfSteps_GivesExactlyTheBitsOfStep()
    {
        var net = new TinyAmpNet(seed: 3);
        float[] input = Enumerable.Range(0, 500).Select(i => MathF.Sin(i * 0.07f) * 0.8f).ToArray();

        TinyAmpNet.State streamed = default;
        float[] stepped = input.Select(x => net.Step(x, ref streamed)).ToArray();

        TinyAmpNet.State block = default;
        var processed = new float[input.Length];
        net.Process(input, processed, ref block);

        Assert.Equal(TestData.Bits(stepped), TestData.Bits(processed));
        Assert.Equal(TestData.Bits(((ReadOnlySpan<float>)streamed).ToArray()), TestData.Bits(((ReadOnlySpan<float>)block).ToArray()));
        Assert.Contains(stepped, y => y != 0);
    }

    [Fact]
    public void PredictSequences_EverySequence_IsProcessFromTheZeroState()
    {
        var net = new DenseFirstNet(seed: 5);
        const int M = 4, T = 9;
        float[] inputs = Uniform(M * T * DenseFirstNet.InputSize, seed: 11);
        var outputs = new float[M * T * DenseFirstNet.OutputSize];
        net.PredictSequences(inputs, T, outputs);

        for (int i = 0; i < M; i++)
        {
            DenseFirstNet.State state = default;
            var expected = new float[T * DenseFirstNet.OutputSize];
            net.Process(inputs.AsSpan(i * T * DenseFirstNet.InputSize, T * DenseFirstNet.InputSize), expected, ref state);
            Assert.Equal(TestData.Bits(expected), TestData.Bits(outputs.AsSpan(i * expected.Length, expected.Length).ToArray()));
        }
    }

    [Fact]
    public void PredictSequences_MatchesTheDoubleReference_PerStepAndLastStep()
    {
        AssertMatchesReference(new DenseFirstNet(seed: 2), steps: 7);
        AssertMatchesReference(new SequenceClassifierNet(seed: 2), steps: 7);
        AssertMatchesReference(new TinyAmpNet(seed: 2), steps: 30);
    }

    [Theory]
    [InlineData(nameof(TinyAmpNet), 0)]
    [InlineData(nameof(TinyAmpNet), 3)]
    [InlineData(nameof(SequenceClassifierNet), 0)]
    [InlineData(nameof(DenseFirstNet), 2)]
    public void ComputeGradients_EveryParameter_MatchesCentralDifferencesOfTheDoubleReference(string network, int warmUp)
    {
        (ISerializableNetwork net, Func<float[], int, float[], float[], int, float> gradients) = Create(network);
        const int M = 3, T = 6;
        int outputsPerSequence = net.Architecture.Layers.Any(layer => layer.Kind is LayerKind.Lstm or LayerKind.Gru && !layer.ReturnSequences) ? 1 : T;
        float[] inputs = Uniform(M * T * net.InputSize, seed: 21);
        float[] labels = Labels(net, M * outputsPerSequence, seed: 22);

        var g = new float[net.ParameterCount];
        float cost = gradients(inputs, T, labels, g, warmUp);

        var reference = new RecurrentNetworkReference(net.Architecture);
        double[] theta = net.Parameters.ToArray().Select(v => (double)v).ToArray();
        Assert.Equal(reference.Cost(theta, inputs, T, labels, warmUp), cost, 1e-4);

        double largest = 0, worst = 0;
        string where = string.Empty;
        const double H = 1e-4;
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            theta[i] = saved + H;
            double plus = reference.Cost(theta, inputs, T, labels, warmUp);
            theta[i] = saved - H;
            double minus = reference.Cost(theta, inputs, T, labels, warmUp);
            theta[i] = saved;
            double numeric = (plus - minus) / (2 * H);
            largest = Math.Max(largest, Math.Abs(numeric));
            if (Math.Abs(numeric - g[i]) > worst)
            {
                worst = Math.Abs(numeric - g[i]);
                where = $"parameter {i}: analytic {g[i]}, numeric {numeric}";
            }
        }

        // Float BPTT against double differences: within 1e-3 of the largest gradient.
        Assert.True(largest > 0);
        Assert.True(worst <= 1e-3 * largest, $"{network}: worst difference {worst} of largest {largest} at {where}");
    }

    [Fact]
    public void ComputeGradients_WarmUpSteps_AreLeftOutOfTheCost()
    {
        var net = new TinyAmpNet(seed: 4);
        const int M = 2, T = 8;
        float[] inputs = Uniform(M * T, seed: 31);
        float[] labels = Uniform(M * T, seed: 32);
        var g = new float[TinyAmpNet.ParameterCount];
        float all = net.ComputeGradients(inputs, T, labels, g, warmUp: 0);

        // Labels of the warm-up steps changed wildly: a run that skips them is unchanged by it.
        float[] noisy = (float[])labels.Clone();
        for (int i = 0; i < M; i++)
        {
            noisy[i * T] += 100f;
            noisy[(i * T) + 1] -= 100f;
        }

        var g1 = new float[g.Length];
        var g2 = new float[g.Length];
        float skipped = net.ComputeGradients(inputs, T, labels, g1, warmUp: 2);
        float skippedNoisy = net.ComputeGradients(inputs, T, noisy, g2, warmUp: 2);
        Assert.Equal(skipped, skippedNoisy);
        Assert.Equal(TestData.Bits(g1), TestData.Bits(g2));
        Assert.NotEqual(all, skipped);
    }

    [Fact]
    public void StepProcessPredictAndTrain_AfterWarmUp_AllocateNothing()
    {
        var net = new TinyAmpNet(seed: 1);
        float[] block = Uniform(256, seed: 41);
        var output = new float[256];
        float[] labels = Uniform(256, seed: 42);
        var g = new float[TinyAmpNet.ParameterCount];
        var workspace = new Workspace();
        TinyAmpNet.State state = default;

        void Round()
        {
            net.Step(0.25f, ref state);
            net.Process(block, output, ref state);
            net.PredictSequences(block, 64, output);
            net.ComputeGradients(block, 64, labels, g, workspace);
        }

        NnGen.Tests.Support.AllocationAssert.NoAllocation(Round, 20, "Step, Process, PredictSequences and ComputeGradients");
    }

    [Fact]
    public void Step_ManyStreamsOnManyThreads_OneInstance_SameBitsAsOneAtATime()
    {
        var net = new SequenceClassifierNet(seed: 8);
        const int Streams = 8, T = 300;
        float[][] inputs = Enumerable.Range(0, Streams).Select(i => Uniform(T * SequenceClassifierNet.InputSize, seed: 100 + i)).ToArray();

        float[] Run(int stream)
        {
            SequenceClassifierNet.State state = default;
            var outputs = new float[T * SequenceClassifierNet.OutputSize];
            net.Process(inputs[stream], outputs, ref state);
            return outputs;
        }

        TestData.AssertStreamsIndependent(Streams, Run);
    }

    [Fact]
    public void SaveWeights_LoadWeights_RoundTrip_SameOutputs()
    {
        var trained = new SequenceClassifierNet(seed: 12);
        var fresh = new SequenceClassifierNet(seed: 13);
        string path = Path.Combine(Path.GetTempPath(), $"nngen-recurrent-{Guid.NewGuid():N}.safetensors");
        try
        {
            trained.SaveWeights(path);
            fresh.LoadWeights(path);
        }
        finally
        {
            File.Delete(path);
        }

        float[] inputs = Uniform(5 * 4 * SequenceClassifierNet.InputSize, seed: 51);
        var a = new float[5 * SequenceClassifierNet.OutputSize];
        var b = new float[a.Length];
        trained.PredictSequences(inputs, 4, a);
        fresh.PredictSequences(inputs, 4, b);
        Assert.Equal(TestData.Bits(a), TestData.Bits(b));
    }

    [Fact]
    public void Summary_ShowsEveryRecurrentLayerWithItsGateShapesAndCounts()
    {
        string summary = SequenceClassifierNet.Summary;
        Assert.Contains("Gru 1", summary, StringComparison.Ordinal);
        Assert.Contains("Lstm 2", summary, StringComparison.Ordinal);
        // PyTorch counts: GRU 3·6·(3 + 6 + 2) = 198, LSTM 4·5·(6 + 5 + 2) = 260.
        Assert.Contains("198", summary, StringComparison.Ordinal);
        Assert.Contains("260", summary, StringComparison.Ordinal);
        Assert.Contains("(5, m)", summary, StringComparison.Ordinal);
        Assert.Contains("(6, T·m)", summary, StringComparison.Ordinal);
        Assert.Equal(198 + 260 + ((4 * 5) + 4) + ((2 * 4) + 2), SequenceClassifierNet.ParameterCount);
    }

    private static void AssertMatchesReference(ISerializableNetwork net, int steps)
    {
        const int M = 3;
        float[] inputs = Uniform(M * steps * net.InputSize, seed: 61);
        var reference = new RecurrentNetworkReference(net.Architecture);
        double[] expected = reference.Forward(net.Parameters.ToArray().Select(v => (double)v).ToArray(), inputs, steps);
        var actual = new float[expected.Length];
        switch (net)
        {
            case DenseFirstNet d: d.PredictSequences(inputs, steps, actual); break;
            case SequenceClassifierNet s: s.PredictSequences(inputs, steps, actual); break;
            case TinyAmpNet t: t.PredictSequences(inputs, steps, actual); break;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{net.Name}[{i}]: {actual[i]} vs {expected[i]}");
        }
    }

    private static (ISerializableNetwork, Func<float[], int, float[], float[], int, float>) Create(string network) => network switch
    {
        nameof(TinyAmpNet) => Bind(new TinyAmpNet(seed: 6), static (n, x, t, y, g, w) => n.ComputeGradients(x, t, y, g, null, w)),
        nameof(SequenceClassifierNet) => Bind(new SequenceClassifierNet(seed: 6), static (n, x, t, y, g, w) => n.ComputeGradients(x, t, y, g, null, w)),
        _ => Bind(new DenseFirstNet(seed: 6), static (n, x, t, y, g, w) => n.ComputeGradients(x, t, y, g, null, w)),
    };

    private static (ISerializableNetwork, Func<float[], int, float[], float[], int, float>) Bind<T>(T net, Func<T, float[], int, float[], float[], int, float> call)
        where T : ISerializableNetwork =>
        (net, (x, t, y, g, w) => call(net, x, t, y, g, w));

    /// <summary>Labels the network's loss accepts: one-hot rows for softmax, values in (0, 1) otherwise.</summary>
    private static float[] Labels(ISerializableNetwork net, int rows, int seed)
    {
        int n = net.OutputSize;
        float[] values = Uniform(rows * n, seed);
        if (net.Architecture.Layers[^1].Activation != Activation.Softmax)
        {
            return values.Select(v => 0.5f + (0.4f * v)).ToArray();
        }

        var oneHot = new float[rows * n];
        for (int r = 0; r < rows; r++)
        {
            oneHot[(r * n) + (int)((values[r * n] + 1f) * 0.5f * (n - 0.001f))] = 1f;
        }

        return oneHot;
    }

    private static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(value => value.GetSingle()).ToArray();

    private static JsonElement Fixture(string name, [CallerFilePath] string here = "") =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "recurrent", name + ".json"))).RootElement;
}
