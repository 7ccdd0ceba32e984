using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Issue 24, point 1: the recurrent kernels against PyTorch. tools/pytorch/recurrent_fixtures.py runs nn.LSTM and nn.GRU
/// (batch_first; I = 1 and 3, H = 8 and 16, and num_layers = 2) and writes, per module, its state_dict, one sequence of
/// 1,000 steps with every step's h and the final states, and a batch of 3 × 25 steps with the gradients of
/// Σ hs∘r with respect to every parameter and to x, to tests/Fixtures/recurrent. The kernels run on the same tensors
/// (the state_dict's layout is the kernels', names converted only) and every tensor must agree within 1e-5 of its own
/// magnitude (its largest absolute value), as the layer-kind fixtures do: float32 sums in another order and another
/// tanh differ by a few ulps of the largest terms.
/// </summary>
public sealed class RecurrentPyTorchTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures() => new()
    {
        "lstm_i1_h8", "lstm_i1_h16", "lstm_i3_h8", "lstm_i3_h16", "gru_i1_h8", "gru_i1_h16", "gru_i3_h8", "gru_i3_h16", "lstm_stacked", "gru_stacked",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void LongSequence_EveryStepAndFinalState_MatchPyTorch(string fixture)
    {
        Module module = Module.Load(fixture);
        JsonElement json = module.Json.GetProperty("long");
        int steps = json.GetProperty("steps").GetInt32();
        Assert.Equal(1000, steps);
        float[] sequence = Floats(json, "x");
        float[] h0 = Floats(json, "h0"), c0 = module.IsLstm ? Floats(json, "c0") : [];
        float[] hN = Floats(json, "h_n"), cN = module.IsLstm ? Floats(json, "c_n") : [];
        int units = module.Units;
        for (int k = 0; k < module.Layers; k++)
        {
            // One sequence: batch-first and time-major are the same layout.
            float[] h = h0.AsSpan(k * units, units).ToArray();
            float[] c = module.IsLstm ? c0.AsSpan(k * units, units).ToArray() : [];
            float[] hs = module.Forward(k, sequence, steps, batch: 1, h, c);
            AssertClose(hN.AsSpan(k * units, units).ToArray(), h, $"{fixture}: h_n of layer {k}");
            if (module.IsLstm)
            {
                AssertClose(cN.AsSpan(k * units, units).ToArray(), c, $"{fixture}: c_n of layer {k}");
            }

            sequence = hs;
        }

        AssertClose(Floats(json, "hs"), sequence, $"{fixture}: h_t of the last layer at all {steps} steps");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Batch_OutputsAndGradientsOfEveryTensor_MatchPyTorch(string fixture)
    {
        Module module = Module.Load(fixture);
        JsonElement json = module.Json.GetProperty("batch");
        int m = json.GetProperty("m").GetInt32(), steps = json.GetProperty("steps").GetInt32(), units = module.Units, layers = module.Layers;
        float[] h0 = Floats(json, "h0"), c0 = module.IsLstm ? Floats(json, "c0") : [];
        float[] x = TimeMajor(Floats(json, "x"), m, steps, module.Inputs);

        // Forward, layer by layer, keeping what each backward pass reads.
        var inputs = new float[layers][];
        var outputs = new float[layers][];
        var caches = new float[layers][];
        float[] sequence = x;
        for (int k = 0; k < layers; k++)
        {
            inputs[k] = sequence;
            float[] h = h0.AsSpan(k * m * units, m * units).ToArray();
            float[] c = module.IsLstm ? c0.AsSpan(k * m * units, m * units).ToArray() : [];
            (outputs[k], caches[k]) = module.ForwardTraining(k, sequence, steps, m, h, c);
            sequence = outputs[k];
        }

        AssertClose(Floats(json, "hs"), BatchFirst(sequence, m, steps, units), $"{fixture}: hs of the batch");
        float[] r = Floats(json, "r");
        double loss = 0;
        float[] batchFirstHs = BatchFirst(sequence, m, steps, units);
        for (int i = 0; i < r.Length; i++)
        {
            loss += (double)batchFirstHs[i] * r[i];
        }

        double expectedLoss = json.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(loss - expectedLoss) <= Tolerance * Math.Max(1, Math.Abs(expectedLoss)), $"{fixture}: loss {loss} against PyTorch's {expectedLoss}");

        // Backward from the top: each layer's dx is the dhs of the layer below.
        JsonElement expected = json.GetProperty("gradients");
        float[] dhs = TimeMajor(r, m, steps, units);
        var names = new List<string>();
        for (int k = layers - 1; k >= 0; k--)
        {
            float[] h = h0.AsSpan(k * m * units, m * units).ToArray();
            float[] c = module.IsLstm ? c0.AsSpan(k * m * units, m * units).ToArray() : [];
            RecurrentGradients<float> gradients = module.Backward(k, inputs[k], h, c, outputs[k], caches[k], dhs, steps, m);
            int gh = gradients.BIh.Length;
            Compare($"weight_ih_l{k}", Transposed(gradients.WIh, module.LayerInputs(k), gh));
            Compare($"weight_hh_l{k}", Transposed(gradients.WHh, units, gh));
            Compare($"bias_ih_l{k}", gradients.BIh);
            Compare($"bias_hh_l{k}", gradients.BHh);
            dhs = gradients.X;
        }

        Compare("x", BatchFirst(dhs, m, steps, module.Inputs));

        // Every gradient PyTorch wrote was compared, so a renamed or missing tensor cannot pass unnoticed.
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));

        void Compare(string name, float[] actual)
        {
            names.Add(name);
            AssertClose(Floats(expected, name), actual, $"{fixture}: d{name}");
        }
    }

    /// <summary>A (rows × cols) row-major matrix transposed.</summary>
    private static float[] Transposed(float[] matrix, int rows, int cols)
    {
        var transposed = new float[matrix.Length];
        Layout.Transpose(matrix, transposed, rows, cols);
        return transposed;
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

    /// <summary>A fixture's module: its sizes and, per layer k, the state_dict tensors, with the kernel calls on them.</summary>
    private sealed class Module
    {
        private Module(JsonElement json)
        {
            Json = json;
            IsLstm = json.GetProperty("kind").GetString() == "lstm";
            Inputs = json.GetProperty("inputs").GetInt32();
            Units = json.GetProperty("units").GetInt32();
            Layers = json.GetProperty("layers").GetInt32();
            JsonElement parameters = json.GetProperty("parameters");
            Assert.Equal(4 * Layers, parameters.EnumerateObject().Count());
            int gh = (IsLstm ? RecurrentKernels.LstmGateCount : RecurrentKernels.GruGateCount) * Units;
            for (int k = 0; k < Layers; k++)
            {
                // PyTorch's (G·H, I) and (G·H, H), stored transposed as the kernels take them.
                Weights.Add((
                    Transposed(Shaped(parameters, $"weight_ih_l{k}", gh * LayerInputs(k)), gh, LayerInputs(k)),
                    Transposed(Shaped(parameters, $"weight_hh_l{k}", gh * Units), gh, Units),
                    Shaped(parameters, $"bias_ih_l{k}", gh),
                    Shaped(parameters, $"bias_hh_l{k}", gh)));
            }
        }

        public JsonElement Json { get; }

        public bool IsLstm { get; }

        public int Inputs { get; }

        public int Units { get; }

        public int Layers { get; }

        private List<(float[] WIh, float[] WHh, float[] BIh, float[] BHh)> Weights { get; } = [];

        public static Module Load(string fixture, [CallerFilePath] string here = "")
        {
            string path = Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "Fixtures", "recurrent", fixture + ".json");
            return new Module(JsonDocument.Parse(File.ReadAllText(path)).RootElement);
        }

        public int LayerInputs(int k) => k == 0 ? Inputs : Units;

        /// <summary>Inference through layer k; h and c receive the final states.</summary>
        public float[] Forward(int k, float[] x, int steps, int batch, float[] h, float[] c)
        {
            (float[] wIh, float[] wHh, float[] bIh, float[] bHh) = Weights[k];
            var hs = new float[steps * batch * Units];
            if (IsLstm)
            {
                RecurrentKernels.LstmForward(wIh, wHh, bIh, bHh, x, steps, batch, LayerInputs(k), Units, h, c, hs, new float[RecurrentKernels.LstmForwardScratch(steps, batch, Units)]);
            }
            else
            {
                RecurrentKernels.GruForward(wIh, wHh, bIh, bHh, x, steps, batch, LayerInputs(k), Units, h, hs, new float[RecurrentKernels.GruForwardScratch(steps, batch, Units)]);
            }

            return hs;
        }

        public (float[] Hs, float[] Cache) ForwardTraining(int k, float[] x, int steps, int batch, float[] h, float[] c)
        {
            (float[] wIh, float[] wHh, float[] bIh, float[] bHh) = Weights[k];
            var hs = new float[steps * batch * Units];
            float[] cache;
            if (IsLstm)
            {
                cache = new float[RecurrentKernels.LstmCacheLength(steps, batch, Units)];
                RecurrentKernels.LstmForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, LayerInputs(k), Units, h, c, hs, cache);
            }
            else
            {
                cache = new float[RecurrentKernels.GruCacheLength(steps, batch, Units)];
                RecurrentKernels.GruForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, LayerInputs(k), Units, h, hs, cache);
            }

            return (hs, cache);
        }

        public RecurrentGradients<float> Backward(int k, float[] x, float[] h0, float[] c0, float[] hs, float[] cache, float[] dhs, int steps, int batch)
        {
            (float[] wIh, float[] wHh, float[] bIh, float[] bHh) = Weights[k];
            int inputs = LayerInputs(k);
            var g = new RecurrentGradients<float>(new float[wIh.Length], new float[wHh.Length], new float[bIh.Length], new float[bHh.Length], new float[x.Length]);
            if (IsLstm)
            {
                RecurrentKernels.LstmBackward(
                    wIh, wHh, bIh, bHh, x, h0, c0, hs, cache, dhs, steps, batch, inputs, Units, g.WIh, g.WHh, g.BIh, g.BHh, g.X,
                    new float[RecurrentKernels.LstmBackwardScratch(steps, batch, inputs, Units)]);
            }
            else
            {
                RecurrentKernels.GruBackward(
                    wIh, wHh, bIh, bHh, x, h0, hs, cache, dhs, steps, batch, inputs, Units, g.WIh, g.WHh, g.BIh, g.BHh, g.X,
                    new float[RecurrentKernels.GruBackwardScratch(steps, batch, inputs, Units)]);
            }

            return g;
        }

        /// <summary>A state_dict tensor, whose length must be the layer's: the gate count and both sizes are checked here.</summary>
        private static float[] Shaped(JsonElement parameters, string name, int length)
        {
            float[] values = Floats(parameters, name);
            Assert.True(values.Length == length, $"{name} has {values.Length} floats, the layer needs {length}");
            return values;
        }
    }
}
