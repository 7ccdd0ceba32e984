using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>
/// A double-precision reference of a network of any layer kinds, written from the definitions (PyTorch's Linear,
/// Dropout, BatchNorm1d, LayerNorm) over examples-by-features matrices and read off the network's
/// <see cref="NetworkArchitecture"/>: the training and inference forward passes, the cost, the true gradient ∂J/∂θ
/// of every parameter, and the running statistics after a training pass. Independent of the generated code and its
/// kernels; only the dropout mask is the runtime's definition (DropoutKernels.Keeps), which the PyTorch fixtures check
/// separately.
/// </summary>
internal sealed class LayerKindReference
{
    private readonly NetworkArchitecture _architecture;
    private readonly double[] _parameters;
    private readonly double[] _state;

    public LayerKindReference(ISerializableNetwork network)
    {
        _architecture = network.Architecture;
        _parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        _state = network.State.ToArray().Select(v => (double)v).ToArray();
    }

    public sealed record Result(double[,] Outputs, double Cost, double[] Gradients, double[] StateAfter);

    /// <summary>The inference forward: dropout is the identity, batch norm uses the running statistics.</summary>
    public double[,] Predict(float[] inputs)
    {
        int m = inputs.Length / _architecture.InputSize;
        var cache = new List<Cached>();
        return Forward(ToMatrix(inputs, m), training: false, stepSeed: 0, cache, _state.ToArray());
    }

    /// <summary>The training forward with <paramref name="stepSeed"/>'s masks, the cost and the backward pass.</summary>
    public Result Train(float[] inputs, float[] labels, ulong stepSeed)
    {
        int m = inputs.Length / _architecture.InputSize;
        var cache = new List<Cached>();
        double[] state = _state.ToArray();
        double[,] a = Forward(ToMatrix(inputs, m), training: true, stepSeed, cache, state);
        double[,] y = ToMatrix(labels, m);
        double cost = Cost(a, y, m);

        var gradients = new double[_parameters.Length];
        int n = a.GetLength(1);
        var g = new double[m, n];
        for (int e = 0; e < m; e++)
        {
            for (int j = 0; j < n; j++)
            {
                // Every supported output and loss pair (and MSE through a linear output) has ∂J/∂Z[L] = (A − Y)/m.
                g[e, j] = (a[e, j] - y[e, j]) / m;
            }
        }

        bool outputDelta = true;
        for (int l = _architecture.Layers.Count - 1; l >= 0; l--)
        {
            g = Backward(_architecture.Layers[l], cache[l], g, gradients, outputDelta);
            outputDelta = false;
        }

        return new Result(a, cost, gradients, state);
    }

    private sealed record Cached(double[,] Input, double[,] Output, double[,]? Normalized, double[]? InverseStd, double[,]? Mask);

    private double[,] Forward(double[,] x, bool training, ulong stepSeed, List<Cached> cache, double[] state)
    {
        foreach (LayerDescription layer in _architecture.Layers)
        {
            int m = x.GetLength(0);
            int n = layer.Units;
            var y = new double[m, n];
            double[,]? normalized = null;
            double[]? inverseStd = null;
            double[,]? mask = null;
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                {
                    LayerTensor w = layer.Tensors[0], b = layer.Tensors[1];
                    for (int e = 0; e < m; e++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            double z = _parameters[b.Offset + j];
                            for (int k = 0; k < layer.Inputs; k++)
                            {
                                z += _parameters[w.Offset + (j * layer.Inputs) + k] * x[e, k];
                            }

                            y[e, j] = z;
                        }

                        Activate(layer.Activation, y, e);
                    }

                    break;
                }

                case LayerKind.Dropout:
                {
                    mask = new double[m, n];
                    ulong key = DropoutKernels.LayerKey(stepSeed, layer.Index);
                    ulong threshold = DropoutKernels.DropThreshold(layer.Rate);
                    double scale = 1f / (1f - layer.Rate);
                    for (int e = 0; e < m; e++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            mask[e, j] = !training ? 1 : DropoutKernels.Keeps(key, ((long)e * n) + j, threshold) ? scale : 0;
                            y[e, j] = x[e, j] * mask[e, j];
                        }
                    }

                    break;
                }

                case LayerKind.BatchNorm:
                {
                    LayerTensor gamma = layer.Tensors[0], beta = layer.Tensors[1], mean = layer.Tensors[2], variance = layer.Tensors[3];
                    normalized = new double[m, n];
                    inverseStd = new double[n];
                    for (int j = 0; j < n; j++)
                    {
                        double mu, sigma2;
                        if (training)
                        {
                            mu = Enumerable.Range(0, m).Sum(e => x[e, j]) / m;
                            double squares = Enumerable.Range(0, m).Sum(e => (x[e, j] - mu) * (x[e, j] - mu));
                            sigma2 = squares / m;
                            double unbiased = m > 1 ? squares / (m - 1) : state[variance.Offset + j];
                            state[mean.Offset + j] = ((1 - layer.Momentum) * state[mean.Offset + j]) + (layer.Momentum * mu);
                            state[variance.Offset + j] = ((1 - layer.Momentum) * state[variance.Offset + j]) + (layer.Momentum * unbiased);
                        }
                        else
                        {
                            mu = state[mean.Offset + j];
                            sigma2 = state[variance.Offset + j];
                        }

                        double r = 1 / Math.Sqrt(sigma2 + layer.Epsilon);
                        inverseStd[j] = r;
                        for (int e = 0; e < m; e++)
                        {
                            normalized[e, j] = (x[e, j] - mu) * r;
                            y[e, j] = (_parameters[gamma.Offset + j] * normalized[e, j]) + _parameters[beta.Offset + j];
                        }
                    }

                    break;
                }

                case LayerKind.LayerNorm:
                {
                    LayerTensor gamma = layer.Tensors[0], beta = layer.Tensors[1];
                    normalized = new double[m, n];
                    inverseStd = new double[m];
                    for (int e = 0; e < m; e++)
                    {
                        double mu = Enumerable.Range(0, n).Sum(j => x[e, j]) / n;
                        double sigma2 = Enumerable.Range(0, n).Sum(j => (x[e, j] - mu) * (x[e, j] - mu)) / n;
                        double r = 1 / Math.Sqrt(sigma2 + layer.Epsilon);
                        inverseStd[e] = r;
                        for (int j = 0; j < n; j++)
                        {
                            normalized[e, j] = (x[e, j] - mu) * r;
                            y[e, j] = (_parameters[gamma.Offset + j] * normalized[e, j]) + _parameters[beta.Offset + j];
                        }
                    }

                    break;
                }
            }

            cache.Add(new Cached(x, y, normalized, inverseStd, mask));
            x = y;
        }

        return x;
    }

    /// <summary>∂J/∂A[l-1] from ∂J/∂A[l] (or ∂J/∂Z[L] for the output layer), adding the layer's parameter gradients.</summary>
    private double[,] Backward(LayerDescription layer, Cached cached, double[,] g, double[] gradients, bool outputDelta)
    {
        int m = g.GetLength(0);
        int n = layer.Units;
        var previous = new double[m, layer.Inputs];
        switch (layer.Kind)
        {
            case LayerKind.Dense:
            {
                LayerTensor w = layer.Tensors[0], b = layer.Tensors[1];
                for (int e = 0; e < m; e++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double dz = outputDelta ? g[e, j] : g[e, j] * Derivative(layer.Activation, cached.Output[e, j]);
                        gradients[b.Offset + j] += dz;
                        for (int k = 0; k < layer.Inputs; k++)
                        {
                            gradients[w.Offset + (j * layer.Inputs) + k] += dz * cached.Input[e, k];
                            previous[e, k] += dz * _parameters[w.Offset + (j * layer.Inputs) + k];
                        }
                    }
                }

                break;
            }

            case LayerKind.Dropout:
                for (int e = 0; e < m; e++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        previous[e, j] = g[e, j] * cached.Mask![e, j];
                    }
                }

                break;

            case LayerKind.BatchNorm:
            {
                LayerTensor gamma = layer.Tensors[0], beta = layer.Tensors[1];
                for (int j = 0; j < n; j++)
                {
                    double sum = 0, dot = 0;
                    for (int e = 0; e < m; e++)
                    {
                        sum += g[e, j];
                        dot += g[e, j] * cached.Normalized![e, j];
                    }

                    gradients[gamma.Offset + j] += dot;
                    gradients[beta.Offset + j] += sum;
                    double scale = _parameters[gamma.Offset + j] * cached.InverseStd![j] / m;
                    for (int e = 0; e < m; e++)
                    {
                        previous[e, j] = scale * ((m * g[e, j]) - sum - (cached.Normalized![e, j] * dot));
                    }
                }

                break;
            }

            case LayerKind.LayerNorm:
            {
                LayerTensor gamma = layer.Tensors[0], beta = layer.Tensors[1];
                for (int e = 0; e < m; e++)
                {
                    double sum = 0, dot = 0;
                    for (int j = 0; j < n; j++)
                    {
                        gradients[gamma.Offset + j] += g[e, j] * cached.Normalized![e, j];
                        gradients[beta.Offset + j] += g[e, j];
                        double scaled = _parameters[gamma.Offset + j] * g[e, j];
                        sum += scaled;
                        dot += scaled * cached.Normalized![e, j];
                    }

                    for (int j = 0; j < n; j++)
                    {
                        double scaled = _parameters[gamma.Offset + j] * g[e, j];
                        previous[e, j] = cached.InverseStd![e] * (scaled - (sum / n) - (cached.Normalized![e, j] * dot / n));
                    }
                }

                break;
            }
        }

        return previous;
    }

    private double Cost(double[,] a, double[,] y, int m)
    {
        double sum = 0;
        for (int e = 0; e < m; e++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                sum += _architecture.Loss switch
                {
                    Loss.BinaryCrossEntropy => -((y[e, j] * Math.Log(a[e, j])) + ((1 - y[e, j]) * Math.Log(1 - a[e, j]))),
                    Loss.CategoricalCrossEntropy => -(y[e, j] * Math.Log(a[e, j])),
                    _ => 0.5 * (a[e, j] - y[e, j]) * (a[e, j] - y[e, j]),
                };
            }
        }

        return sum / m;
    }

    private static void Activate(Activation activation, double[,] z, int e)
    {
        int n = z.GetLength(1);
        if (activation == Activation.Softmax)
        {
            double max = Enumerable.Range(0, n).Max(j => z[e, j]);
            double total = Enumerable.Range(0, n).Sum(j => Math.Exp(z[e, j] - max));
            for (int j = 0; j < n; j++)
            {
                z[e, j] = Math.Exp(z[e, j] - max) / total;
            }

            return;
        }

        for (int j = 0; j < n; j++)
        {
            double v = z[e, j];
            z[e, j] = activation switch
            {
                Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
                Activation.Tanh => Math.Tanh(v),
                Activation.ReLU => Math.Max(0, v),
                Activation.LeakyReLU => v > 0 ? v : ActivationKernels.LeakySlope * v,
                _ => v,
            };
        }
    }

    private static double Derivative(Activation activation, double a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.ReLU => a > 0 ? 1 : 0,
        Activation.LeakyReLU => a > 0 ? 1 : ActivationKernels.LeakySlope,
        _ => 1,
    };

    private double[,] ToMatrix(float[] values, int m)
    {
        int n = values.Length / m;
        var matrix = new double[m, n];
        for (int e = 0; e < m; e++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[e, j] = values[(e * n) + j];
            }
        }

        return matrix;
    }
}
