using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Issue 25, point 3: the causal Conv1D kernels against PyTorch. tools/pytorch/causal_conv_fixtures.py runs nn.Conv1d on
/// F.pad(x, (d(K−1), 0)) for RTNeural's rows (8 → 8 K 7; the stack's 1 → 8 K 3 d 1, 8 → 8 K 3 d 2, 8 → 8 K 3 d 4) and
/// grouped, depthwise, pointwise and wide layers, and writes to tests/Fixtures/causal-conv one stream of 200 steps after
/// some previous inputs, and a batch of 3 × 25 steps after previous inputs with the gradients of Σ y∘r with respect to
/// the weight, the bias and the window's x. The kernels take the previous inputs through the step (so the history is
/// nonzero and each stream at its own phase) and must agree with every tensor within 1e-5 of its largest value.
/// </summary>
public sealed class CausalConvPyTorchTests
{
    private const double Tolerance = 1e-5;

    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    public static TheoryData<string> Fixtures() => new()
    {
        "conv_8_8_k7", "stack1_1_8_k3_d1", "stack2_8_8_k3_d2", "stack3_8_8_k3_d4", "grouped_6_4_k3_d2_g2", "depthwise_4_4_k2_d3_g4",
        "pointwise_3_5_k1", "wide_12_20_k5_d1",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Stream_TwoHundredStepsFromNonzeroHistory_MatchPyTorch_EveryWidth(string fixture)
    {
        Layer layer = Layer.Load(fixture);
        JsonElement json = layer.Json.GetProperty("long");
        Assert.Equal(200, json.GetProperty("steps").GetInt32());
        float[] previous = Floats(json, "previous"), x = Floats(json, "x"), expected = Floats(json, "y");
        foreach (SimdWidth width in AllWidths)
        {
            float[] history = new float[layer.HistoryLength];
            layer.Stream(previous, history, width);
            AssertClose(expected, layer.Stream(x, history, width), $"{fixture} at {width}: every step's y");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Batch_OutputsAndGradientsOfEveryTensor_MatchPyTorch(string fixture)
    {
        Layer layer = Layer.Load(fixture);
        JsonElement json = layer.Json.GetProperty("batch");
        int m = json.GetProperty("m").GetInt32(), steps = json.GetProperty("steps").GetInt32(), past = json.GetProperty("previous_steps").GetInt32();
        int cin = layer.InChannels, cout = layer.OutChannels;
        float[] previous = Floats(json, "previous");
        float[] x = TimeMajor(Floats(json, "x"), m, steps, cin);
        float[] histories = new float[m * layer.HistoryLength];
        for (int j = 0; j < m; j++)
        {
            layer.Stream(previous.AsSpan(j * past * cin, past * cin), histories.AsSpan(j * layer.HistoryLength, layer.HistoryLength), SimdWidth.Auto);
        }

        float[] before = (float[])histories.Clone();
        float[] y = new float[steps * m * cout];
        CausalConvKernels.Forward(
            layer.Weight, layer.Bias, x, histories, y, steps, m, cin, cout, layer.Kernel, layer.Dilation, layer.Groups,
            new float[CausalConvKernels.ForwardScratch(steps, m, cin, layer.Kernel, layer.Dilation)]);
        AssertClose(Floats(json, "y"), BatchFirst(y, m, steps, cout), $"{fixture}: y of the batch");

        float[] r = Floats(json, "r");
        float[] batchFirstY = BatchFirst(y, m, steps, cout);
        double loss = 0;
        for (int i = 0; i < r.Length; i++)
        {
            loss += (double)batchFirstY[i] * r[i];
        }

        double expectedLoss = json.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(loss - expectedLoss) <= Tolerance * Math.Max(1, Math.Abs(expectedLoss)), $"{fixture}: loss {loss} against PyTorch's {expectedLoss}");

        float[] dWeight = new float[layer.Weight.Length], dBias = new float[cout], dx = new float[x.Length];
        CausalConvKernels.Backward(
            layer.Weight, x, before, TimeMajor(r, m, steps, cout), steps, m, cin, cout, layer.Kernel, layer.Dilation, layer.Groups, dWeight, dBias, dx,
            new float[CausalConvKernels.BackwardScratch(steps, m, cin, cout, layer.Kernel, layer.Dilation, layer.Groups)]);
        JsonElement gradients = json.GetProperty("gradients");
        Assert.Equal(["bias", "weight", "x"], gradients.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        AssertClose(Floats(gradients, "weight"), dWeight, $"{fixture}: dweight");
        AssertClose(Floats(gradients, "bias"), dBias, $"{fixture}: dbias");
        AssertClose(Floats(gradients, "x"), BatchFirst(dx, m, steps, cin), $"{fixture}: dx");
    }

    private static float[] TimeMajor(float[] batchFirst, int batch, int steps, int features)
    {
        var timeMajor = new float[batchFirst.Length];
        SequenceLayout.ToTimeMajor(batchFirst, timeMajor, batch, steps, features);
        return timeMajor;
    }

    private static float[] BatchFirst(float[] timeMajor, int batch, int steps, int features)
    {
        var batchFirst = new float[timeMajor.Length];
        SequenceLayout.FromTimeMajor(timeMajor, batchFirst, batch, steps, features);
        return batchFirst;
    }

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(value => value.GetSingle()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(value => Math.Abs((double)value));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= Tolerance * scale, $"{what}[{i}]: {actual[i]} against PyTorch's {expected[i]} (error {error:G3}, {error / scale:G3} of the tensor's largest value)");
        }
    }

    /// <summary>A fixture's layer: its sizes and state_dict tensors (checked against the sizes), with the step on them.</summary>
    private sealed class Layer
    {
        private Layer(JsonElement json)
        {
            Json = json;
            InChannels = json.GetProperty("in_channels").GetInt32();
            OutChannels = json.GetProperty("out_channels").GetInt32();
            Kernel = json.GetProperty("kernel").GetInt32();
            Dilation = json.GetProperty("dilation").GetInt32();
            Groups = json.GetProperty("groups").GetInt32();
            JsonElement parameters = json.GetProperty("parameters");
            Weight = Floats(parameters, "weight");
            Bias = Floats(parameters, "bias");
            Assert.Equal(OutChannels * (InChannels / Groups) * Kernel, Weight.Length);
            Assert.Equal(OutChannels, Bias.Length);
            HistoryLength = CausalConvKernels.HistoryLength(InChannels, Kernel, Dilation);
        }

        public JsonElement Json { get; }

        public int InChannels { get; }

        public int OutChannels { get; }

        public int Kernel { get; }

        public int Dilation { get; }

        public int Groups { get; }

        public float[] Weight { get; }

        public float[] Bias { get; }

        public int HistoryLength { get; }

        public static Layer Load(string fixture, [CallerFilePath] string here = "")
        {
            string path = Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "Fixtures", "causal-conv", fixture + ".json");
            return new Layer(JsonDocument.Parse(File.ReadAllText(path)).RootElement);
        }

        /// <summary>Every sample (Cin floats each) through the step: the outputs, Cout floats per sample.</summary>
        public float[] Stream(ReadOnlySpan<float> inputs, Span<float> history, SimdWidth width)
        {
            int steps = inputs.Length / InChannels;
            float[] y = new float[steps * OutChannels];
            for (int t = 0; t < steps; t++)
            {
                CausalConvKernels.Step(
                    Weight, Bias, inputs.Slice(t * InChannels, InChannels), history, y.AsSpan(t * OutChannels, OutChannels),
                    InChannels, OutChannels, Kernel, Dilation, Groups, width);
            }

            return y;
        }
    }
}
