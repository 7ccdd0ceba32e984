using System;
using System.Collections.Generic;
using System.Linq;

namespace NnGen.Networks.Tests;

/// <summary>
/// A recurrent network in double precision, written from PyTorch's equations one scalar at a time and independent of
/// the generated code: each sequence from zero states, every layer at every step until one returns only its last step.
/// Parameters are read from the network's runtime description (name, offset, shape), so a test can perturb any of them.
/// </summary>
internal sealed class RecurrentNetworkReference
{
    private readonly NetworkArchitecture _architecture;

    public RecurrentNetworkReference(NetworkArchitecture architecture) => _architecture = architecture;

    /// <summary>The outputs of m sequences of <paramref name="steps"/> steps: (m, T, n[L]) or (m, n[L]) after a last-step-only layer.</summary>
    public double[] Forward(double[] parameters, float[] inputs, int steps)
    {
        int features = _architecture.InputSize;
        int m = inputs.Length / (steps * features);
        var outputs = new List<double>();
        for (int i = 0; i < m; i++)
        {
            // Every layer's output at every step of this sequence, layer by layer.
            List<double[]> sequence = Enumerable.Range(0, steps)
                .Select(t => inputs.Skip(((i * steps) + t) * features).Take(features).Select(v => (double)v).ToArray())
                .ToList();
            foreach (LayerDescription layer in _architecture.Layers)
            {
                sequence = layer.Kind switch
                {
                    LayerKind.Lstm => Lstm(parameters, layer, sequence),
                    LayerKind.Gru => Gru(parameters, layer, sequence),
                    _ => sequence.Select(x => Dense(parameters, layer, x)).ToList(),
                };
                if (layer.Kind is LayerKind.Lstm or LayerKind.Gru && !layer.ReturnSequences)
                {
                    sequence = new List<double[]> { sequence[^1] };
                }
            }

            foreach (double[] row in sequence)
            {
                outputs.AddRange(row);
            }
        }

        return outputs.ToArray();
    }

    /// <summary>J over the counted rows (steps from <paramref name="warmUp"/> on, or every sequence), as Losses defines it.</summary>
    public double Cost(double[] parameters, float[] inputs, int steps, float[] labels, int warmUp)
    {
        double[] a = Forward(parameters, inputs, steps);
        int n = _architecture.Layers[^1].Units;
        int rowsPerSequence = a.Length / n / (inputs.Length / (steps * _architecture.InputSize));
        double sum = 0;
        int counted = 0;
        for (int row = 0; row < a.Length / n; row++)
        {
            if (row % rowsPerSequence < (rowsPerSequence == steps ? warmUp : 0))
            {
                continue;
            }

            counted++;
            for (int k = 0; k < n; k++)
            {
                double ak = a[(row * n) + k], yk = labels[(row * n) + k];
                sum += _architecture.Loss switch
                {
                    Loss.MeanSquaredError => 0.5 * (ak - yk) * (ak - yk),
                    Loss.BinaryCrossEntropy => -((yk * Math.Log(ak)) + ((1 - yk) * Math.Log(1 - ak))),
                    _ => -yk * Math.Log(ak),
                };
            }
        }

        return sum / counted;
    }

    private static double[] Dense(double[] p, LayerDescription layer, double[] x)
    {
        LayerTensor w = layer.Tensors[0], b = layer.Tensors[1];
        var z = new double[layer.Units];
        for (int j = 0; j < layer.Units; j++)
        {
            z[j] = p[b.Offset + j];
            for (int k = 0; k < layer.Inputs; k++)
            {
                z[j] += p[w.Offset + (j * layer.Inputs) + k] * x[k];
            }
        }

        return Activate(layer.Activation, z);
    }

    private static double[] Activate(Activation activation, double[] z)
    {
        if (activation == Activation.Softmax)
        {
            double max = z.Max();
            double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
            double total = e.Sum();
            return e.Select(v => v / total).ToArray();
        }

        return z.Select(v => activation switch
        {
            Activation.Sigmoid => Sigmoid(v),
            Activation.Tanh => Math.Tanh(v),
            Activation.ReLU => Math.Max(v, 0),
            Activation.LeakyReLU => v > 0 ? v : 0.01 * v,
            _ => v,
        }).ToArray();
    }

    /// <summary>
    /// Wx + b_ih and Wh + b_hh for every gate row: the two products PyTorch's equations keep apart (GRU's n needs them so).
    /// Wih and Whh are read as the parameters hold them, transposed ((n, G·H) row-major).
    /// </summary>
    private static (double[] Input, double[] Hidden) Gates(double[] p, LayerDescription layer, double[] x, double[] h)
    {
        LayerTensor wih = layer.Tensors[0], whh = layer.Tensors[1], bih = layer.Tensors[2], bhh = layer.Tensors[3];
        int rows = wih.Shape[0];
        var gi = new double[rows];
        var gh = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            gi[r] = p[bih.Offset + r];
            gh[r] = p[bhh.Offset + r];
            for (int k = 0; k < layer.Inputs; k++)
            {
                gi[r] += p[wih.Offset + (k * rows) + r] * x[k];
            }

            for (int k = 0; k < layer.Units; k++)
            {
                gh[r] += p[whh.Offset + (k * rows) + r] * h[k];
            }
        }

        return (gi, gh);
    }

    private static List<double[]> Lstm(double[] p, LayerDescription layer, List<double[]> xs)
    {
        int n = layer.Units;
        var h = new double[n];
        var c = new double[n];
        var outputs = new List<double[]>();
        foreach (double[] x in xs)
        {
            (double[] gi, double[] gh) = Gates(p, layer, x, h);
            var next = new double[n];
            for (int j = 0; j < n; j++)
            {
                double i = Sigmoid(gi[j] + gh[j]);
                double f = Sigmoid(gi[n + j] + gh[n + j]);
                double g = Math.Tanh(gi[(2 * n) + j] + gh[(2 * n) + j]);
                double o = Sigmoid(gi[(3 * n) + j] + gh[(3 * n) + j]);
                c[j] = (f * c[j]) + (i * g);
                next[j] = o * Math.Tanh(c[j]);
            }

            h = next;
            outputs.Add(h);
        }

        return outputs;
    }

    private static List<double[]> Gru(double[] p, LayerDescription layer, List<double[]> xs)
    {
        int n = layer.Units;
        var h = new double[n];
        var outputs = new List<double[]>();
        foreach (double[] x in xs)
        {
            (double[] gi, double[] gh) = Gates(p, layer, x, h);
            var next = new double[n];
            for (int j = 0; j < n; j++)
            {
                double r = Sigmoid(gi[j] + gh[j]);
                double z = Sigmoid(gi[n + j] + gh[n + j]);
                double candidate = Math.Tanh(gi[(2 * n) + j] + (r * gh[(2 * n) + j]));
                next[j] = ((1 - z) * candidate) + (z * h[j]);
            }

            h = next;
            outputs.Add(h);
        }

        return outputs;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
