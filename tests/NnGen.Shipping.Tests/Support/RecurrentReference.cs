using System;
using System.Collections.Generic;
using System.Linq;

namespace NnGen.Shipping.Tests.Support;

/// <summary>
/// The inference pass of a network with recurrent layers in double precision, written from PyTorch's definitions (the
/// recurrent contract's equations), not from any NnGen kernel: the oracle for the ONNX export of LSTM and GRU. It reads
/// Wih and Whh from the parameters as the layers store them, transposed ((n, G·H) row-major).
/// Inputs are batch-first, m sequences × T steps × n[0] features, row-major; every layer runs at every step until a
/// recurrent layer that returns its last step only, after which the layers see one row per sequence. States start at 0.
/// </summary>
/// <remarks>
/// LSTM, gate blocks i, f, g, o: a = Wih·x + bih + Whh·h + bhh; c' = σ(a_f)∘c + σ(a_i)∘tanh(a_g); h' = σ(a_o)∘tanh(c').
/// GRU, gate blocks r, z, n: r = σ(Wir x + bir + Whr h + bhr), z likewise, n = tanh(Win x + bin + r∘(Whn h + bhn)),
/// h' = (1 − z)∘n + z∘h. Dense, layer norm and batch norm (running statistics) as <see cref="LayerKindsReference"/>
/// computes them, per step; dropout is the identity.
/// </remarks>
internal static class RecurrentReference
{
    /// <summary>The outputs: (m, T, n[L]) when every recurrent layer returns sequences, else (m, n[L]).</summary>
    public static double[] Forward(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state, ReadOnlySpan<float> inputs, int m, int steps)
    {
        // rows[e][t]: the features of sequence e at step t; one "step" per sequence after a last-step-only layer.
        int width = architecture.InputSize;
        var rows = new double[m][][];
        for (int e = 0; e < m; e++)
        {
            rows[e] = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                rows[e][t] = inputs.Slice(((e * steps) + t) * width, width).ToArray().Select(v => (double)v).ToArray();
            }
        }

        float[] p = parameters.ToArray(), s = state.ToArray();
        foreach (LayerDescription layer in architecture.Layers)
        {
            for (int e = 0; e < m; e++)
            {
                rows[e] = layer.IsRecurrent ? Recurrent(layer, p, rows[e]) : rows[e].Select(row => PerStep(layer, p, s, row)).ToArray();
            }
        }

        return rows.SelectMany(sequence => sequence.SelectMany(row => row)).ToArray();
    }

    private static double[][] Recurrent(LayerDescription layer, float[] parameters, double[][] sequence)
    {
        int units = layer.Units, inputs = layer.Inputs, gates = layer.Kind == LayerKind.Lstm ? 4 : 3;
        float[] wIh = Tensor(parameters, layer, TensorRole.InputWeight), wHh = Tensor(parameters, layer, TensorRole.RecurrentWeight);
        float[] bIh = Tensor(parameters, layer, TensorRole.InputBias), bHh = Tensor(parameters, layer, TensorRole.RecurrentBias);
        double[] h = new double[units], c = new double[units];
        var outputs = new List<double[]>();
        foreach (double[] x in sequence)
        {
            double[] input = new double[gates * units], hidden = new double[gates * units];
            for (int row = 0; row < gates * units; row++)
            {
                input[row] = bIh[row];
                for (int k = 0; k < inputs; k++)
                {
                    input[row] += wIh[(k * gates * units) + row] * x[k];
                }

                hidden[row] = bHh[row];
                for (int k = 0; k < units; k++)
                {
                    hidden[row] += wHh[(k * gates * units) + row] * h[k];
                }
            }

            double[] next = new double[units];
            for (int j = 0; j < units; j++)
            {
                if (layer.Kind == LayerKind.Lstm)
                {
                    double i = Sigmoid(input[j] + hidden[j]), f = Sigmoid(input[units + j] + hidden[units + j]);
                    double g = Math.Tanh(input[(2 * units) + j] + hidden[(2 * units) + j]), o = Sigmoid(input[(3 * units) + j] + hidden[(3 * units) + j]);
                    c[j] = (f * c[j]) + (i * g);
                    next[j] = o * Math.Tanh(c[j]);
                }
                else
                {
                    double r = Sigmoid(input[j] + hidden[j]), z = Sigmoid(input[units + j] + hidden[units + j]);
                    double n = Math.Tanh(input[(2 * units) + j] + (r * hidden[(2 * units) + j]));
                    next[j] = ((1 - z) * n) + (z * h[j]);
                }
            }

            h = next;
            outputs.Add(h);
        }

        return layer.ReturnSequences ? outputs.ToArray() : [outputs[^1]];
    }

    private static double[] PerStep(LayerDescription layer, float[] parameters, float[] state, double[] a)
    {
        int units = layer.Units;
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                float[] w = Tensor(parameters, layer, TensorRole.Weight), b = Tensor(parameters, layer, TensorRole.Bias);
                double[] z = new double[units];
                for (int j = 0; j < units; j++)
                {
                    z[j] = b[j];
                    for (int k = 0; k < a.Length; k++)
                    {
                        z[j] += w[(j * a.Length) + k] * a[k];
                    }
                }

                return layer.Activation switch
                {
                    Activation.Sigmoid => z.Select(Sigmoid).ToArray(),
                    Activation.Tanh => z.Select(Math.Tanh).ToArray(),
                    Activation.ReLU => z.Select(v => Math.Max(0, v)).ToArray(),
                    Activation.LeakyReLU => z.Select(v => v < 0 ? 0.01 * v : v).ToArray(),
                    Activation.Softmax => z.Select(v => Math.Exp(v - z.Max())).ToArray() is var exp ? exp.Select(v => v / exp.Sum()).ToArray() : z,
                    _ => z,
                };

            case LayerKind.LayerNorm:
                float[] gamma = Tensor(parameters, layer, TensorRole.Scale), beta = Tensor(parameters, layer, TensorRole.Shift);
                double mean = a.Average(), variance = a.Average(v => (v - mean) * (v - mean));
                return a.Select((v, j) => ((v - mean) / Math.Sqrt(variance + layer.Epsilon) * gamma[j]) + beta[j]).ToArray();

            case LayerKind.BatchNorm:
                float[] scale = Tensor(parameters, layer, TensorRole.Scale), shift = Tensor(parameters, layer, TensorRole.Shift);
                float[] runningMean = Tensor(state, layer, TensorRole.RunningMean), runningVariance = Tensor(state, layer, TensorRole.RunningVariance);
                return a.Select((v, j) => ((v - runningMean[j]) / Math.Sqrt(runningVariance[j] + layer.Epsilon) * scale[j]) + shift[j]).ToArray();

            case LayerKind.Dropout:
                return a;

            default:
                throw new NotSupportedException(layer.Kind.ToString());
        }
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static float[] Tensor(float[] buffer, LayerDescription layer, TensorRole role)
    {
        LayerTensor tensor = layer.Tensors.Single(t => t.Role == role);
        return buffer.AsSpan(tensor.Offset, tensor.Length).ToArray();
    }
}

/// <summary>The recurrent networks the weight-file and ONNX tests share, laid out with contiguous offsets.</summary>
internal static class RecurrentNetworks
{
    public static TheoryData<string> All => new() { "lstm", "lstm-last", "gru", "gru-last", "lstm2", "lstm2-last", "gru2", "gru2-last", "mixed" };

    public static NetworkArchitecture ArchitectureOf(string name) => name switch
    {
        "lstm" => Build("LstmNet", 3, Loss.MeanSquaredError, ("lstm", 5), ("tanh", 2)),
        "lstm-last" => Build("LstmLastNet", 3, Loss.MeanSquaredError, ("lstm-last", 5), ("tanh", 2)),
        "gru" => Build("GruNet", 3, Loss.MeanSquaredError, ("gru", 4), ("linear", 2)),
        "gru-last" => Build("GruLastNet", 3, Loss.MeanSquaredError, ("gru-last", 4), ("linear", 2)),
        "lstm2" => Build("StackedLstmNet", 2, Loss.MeanSquaredError, ("lstm", 4), ("lstm", 3), ("linear", 1)),
        "lstm2-last" => Build("StackedLstmLastNet", 2, Loss.CategoricalCrossEntropy, ("lstm", 4), ("lstm-last", 3), ("softmax", 3)),
        "gru2" => Build("StackedGruNet", 2, Loss.BinaryCrossEntropy, ("gru", 4), ("gru", 3), ("sigmoid", 1)),
        "gru2-last" => Build("StackedGruLastNet", 2, Loss.BinaryCrossEntropy, ("gru", 4), ("gru-last", 3), ("sigmoid", 1)),
        "mixed" => Build("MixedSequenceNet", 2, Loss.MeanSquaredError, ("relu", 6), ("gru", 4), ("batch_norm", 4), ("layer_norm", 4), ("lstm-last", 3), ("linear", 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Layers from (kind, units): lstm, lstm-last, gru, gru-last, batch_norm, layer_norm, or a dense layer's activation.</summary>
    public static NetworkArchitecture Build(string name, int inputs, Loss loss, params (string Kind, int Units)[] specs)
    {
        var layers = new List<LayerDescription>();
        int previous = inputs, offset = 0, stateOffset = 0;
        foreach ((string kind, int units) in specs)
        {
            int l = layers.Count + 1;
            LayerDescription layer = kind switch
            {
                "lstm" or "lstm-last" => LayerDescription.Lstm(l, previous, units, !kind.EndsWith("-last", StringComparison.Ordinal), offset),
                "gru" or "gru-last" => LayerDescription.Gru(l, previous, units, !kind.EndsWith("-last", StringComparison.Ordinal), offset),
                "batch_norm" => LayerDescription.BatchNorm(l, units, 1e-5f, 0.1f, offset, stateOffset),
                "layer_norm" => LayerDescription.LayerNorm(l, units, 1e-5f, offset),
                _ => LayerDescription.Dense(l, previous, units, NetworkArchitecture.TryParseActivation(kind, out Activation activation) ? activation : throw new ArgumentException(kind), offset),
            };
            offset += layer.Tensors.Where(t => !t.IsState).Sum(t => t.Length);
            stateOffset += layer.Tensors.Where(t => t.IsState).Sum(t => t.Length);
            previous = units;
            layers.Add(layer);
        }

        return new NetworkArchitecture(name, inputs, layers, loss);
    }

    /// <summary>Whether the outputs are per step (no recurrent layer returns only its last step).</summary>
    public static bool PerStep(NetworkArchitecture architecture) => architecture.Layers.All(layer => !layer.IsRecurrent || layer.ReturnSequences);
}
