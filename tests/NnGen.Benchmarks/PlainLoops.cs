using System;

namespace NnGen.Benchmarks;

/// <summary>
/// The baseline every workload is compared with: the same network written the way a .NET user would without NnGen,
/// plain nested loops over float arrays and MathF, one example at a time. It is also what the ratios are measured against.
/// </summary>
public sealed class PlainLoops
{
    private readonly int[] _sizes;
    private readonly Activation[] _activations;
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly float[][] _activationsCache;
    private readonly float[][] _deltas;
    private readonly float[][] _weightGradients;
    private readonly float[][] _biasGradients;

    public PlainLoops(ReadOnlySpan<float> parameters, int[] sizes, Activation[] activations)
    {
        _sizes = sizes;
        _activations = activations;
        int layers = sizes.Length - 1;
        _weights = new float[layers][];
        _biases = new float[layers][];
        _weightGradients = new float[layers][];
        _biasGradients = new float[layers][];
        int offset = 0;
        for (int l = 0; l < layers; l++)
        {
            _weights[l] = parameters.Slice(offset, sizes[l + 1] * sizes[l]).ToArray();
            offset += sizes[l + 1] * sizes[l];
            _biases[l] = parameters.Slice(offset, sizes[l + 1]).ToArray();
            offset += sizes[l + 1];
            _weightGradients[l] = new float[_weights[l].Length];
            _biasGradients[l] = new float[_biases[l].Length];
        }

        _activationsCache = new float[layers + 1][];
        _deltas = new float[layers + 1][];
        for (int l = 0; l <= layers; l++)
        {
            _activationsCache[l] = new float[sizes[l]];
            _deltas[l] = new float[sizes[l]];
        }
    }

    /// <summary>One example through every layer; returns the first output.</summary>
    public float Predict(ReadOnlySpan<float> x)
    {
        x.CopyTo(_activationsCache[0]);
        for (int l = 0; l < _weights.Length; l++)
        {
            Forward(l);
        }

        return _activationsCache[^1][0];
    }

    /// <summary>One full-batch gradient-descent iteration over m examples (one per row), example by example.</summary>
    public float TrainIteration(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, float learningRate)
    {
        int n0 = _sizes[0];
        int m = inputs.Length / n0;
        for (int l = 0; l < _weights.Length; l++)
        {
            Array.Clear(_weightGradients[l]);
            Array.Clear(_biasGradients[l]);
        }

        float cost = 0;
        for (int i = 0; i < m; i++)
        {
            float a = Predict(inputs.Slice(i * n0, n0));
            float y = labels[i];
            cost -= (y * MathF.Log(a)) + ((1 - y) * MathF.Log(1 - a));
            int last = _weights.Length;
            _deltas[last][0] = a - y;
            for (int l = last - 1; l >= 0; l--)
            {
                float[] w = _weights[l];
                float[] delta = _deltas[l + 1];
                float[] previous = _activationsCache[l];
                int inputsCount = _sizes[l];
                for (int j = 0; j < delta.Length; j++)
                {
                    _biasGradients[l][j] += delta[j];
                    for (int k = 0; k < inputsCount; k++)
                    {
                        _weightGradients[l][(j * inputsCount) + k] += delta[j] * previous[k];
                    }
                }

                if (l > 0)
                {
                    for (int k = 0; k < inputsCount; k++)
                    {
                        float sum = 0;
                        for (int j = 0; j < delta.Length; j++)
                        {
                            sum += w[(j * inputsCount) + k] * delta[j];
                        }

                        float ak = previous[k];
                        _deltas[l][k] = sum * Derivative(_activations[l - 1], ak);
                    }
                }
            }
        }

        float scale = learningRate / m;
        for (int l = 0; l < _weights.Length; l++)
        {
            for (int i = 0; i < _weights[l].Length; i++)
            {
                _weights[l][i] -= scale * _weightGradients[l][i];
            }

            for (int i = 0; i < _biases[l].Length; i++)
            {
                _biases[l][i] -= scale * _biasGradients[l][i];
            }
        }

        return cost / m;
    }

    private void Forward(int l)
    {
        float[] w = _weights[l];
        float[] input = _activationsCache[l];
        float[] output = _activationsCache[l + 1];
        int inputsCount = input.Length;
        for (int j = 0; j < output.Length; j++)
        {
            float z = _biases[l][j];
            for (int k = 0; k < inputsCount; k++)
            {
                z += w[(j * inputsCount) + k] * input[k];
            }

            output[j] = Apply(_activations[l], z);
        }
    }

    private static float Apply(Activation activation, float z) => activation switch
    {
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-z)),
        Activation.Tanh => MathF.Tanh(z),
        Activation.ReLU => MathF.Max(0f, z),
        Activation.LeakyReLU => z > 0 ? z : 0.01f * z,
        _ => z,
    };

    private static float Derivative(Activation activation, float a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.ReLU => a > 0 ? 1 : 0,
        Activation.LeakyReLU => a > 0 ? 1 : 0.01f,
        _ => 1,
    };
}
