using System;
using System.Linq;

namespace NnGen.Shipping.Tests.Support;

/// <summary>
/// The forward pass of a network of any layer kinds in double precision, written from the contract and PyTorch's
/// definitions (not from any NnGen kernel): the oracle for exporters, weight files and generated code. Data is row-major,
/// one example per row; parameters and state are laid out as <see cref="NetworkArchitecture.Tensors"/> says.
/// </summary>
/// <remarks>
/// Dense: A = g(W·A_prev + b). Batch norm, inference: (a − running_mean) / √(running_var + ε)·γ + β; training: the batch's
/// mean and biased variance normalize, and the running statistics move by the momentum towards the batch mean and the
/// unbiased (m/(m−1)) batch variance. Layer norm: each example over its features (biased variance). Dropout: the identity
/// at inference; in training the contract's hash mask and a·(1f/(1f − p)).
/// </remarks>
internal static class LayerKindsReference
{
    /// <summary>A[L] for <paramref name="m"/> examples in inference mode.</summary>
    public static double[] Forward(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state, ReadOnlySpan<float> inputs, int m) =>
        Run(architecture, parameters, state.ToArray().Select(v => (double)v).ToArray(), inputs, m, training: null);

    /// <summary>
    /// A[L] for the <paramref name="m"/> examples of one training step: batch statistics, the dropout mask of
    /// <paramref name="stepSeed"/>; <paramref name="state"/> (the running statistics) is updated as the step updates it.
    /// </summary>
    public static double[] TrainingForward(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, double[] state, ReadOnlySpan<float> inputs, int m, ulong stepSeed) =>
        Run(architecture, parameters, state, inputs, m, stepSeed);

    /// <summary>The cost NnGen trains with, J = −(1/m) Σ Σ [y log a + (1 − y) log(1 − a)] (sigmoid) or −(1/m) Σ Σ y log a (softmax), or ½(1/m) Σ Σ (a − y)² (linear).</summary>
    public static double Cost(Loss loss, ReadOnlySpan<double> outputs, ReadOnlySpan<float> labels, int m)
    {
        double sum = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            double a = outputs[i], y = labels[i];
            sum += loss switch
            {
                Loss.BinaryCrossEntropy => -((y * Math.Log(a)) + ((1 - y) * Math.Log(1 - a))),
                Loss.CategoricalCrossEntropy => -(y * Math.Log(a)),
                Loss.MeanSquaredError => 0.5 * (a - y) * (a - y),
                _ => throw new NotSupportedException(loss.ToString()),
            };
        }

        return sum / m;
    }

    /// <summary>The contract's dropout mask: whether unit <c>j</c> of example <c>e</c> is kept, at <c>[e * units + j]</c>.</summary>
    public static bool[] DropoutKeep(ulong stepSeed, int layerIndex, float rate, int m, int units)
    {
        ulong key = Mix(unchecked(stepSeed + ((ulong)layerIndex * 0xD1B54A32D192ED03UL)));
        ulong threshold = (ulong)Math.Round(rate * 16777216.0, MidpointRounding.AwayFromZero);
        var keep = new bool[m * units];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = (Mix(key ^ (ulong)i) >> 40) >= threshold;
        }

        return keep;
    }

    /// <summary>Seeded values for every tensor: dense weights and biases Gaussian, γ near 1, β, running means around 0, running variances in [0.5, 1.5), recurrent tensors U(−1/√H, 1/√H).</summary>
    public static (float[] Parameters, float[] State) Randomize(NetworkArchitecture architecture, int seed)
    {
        var random = new NumPyRandom(seed);
        float[] parameters = new float[architecture.ParameterCount];
        float[] state = new float[architecture.StateCount];
        foreach (LayerDescription layer in architecture.Layers)
        foreach (LayerTensor tensor in layer.Tensors)
        {
            Span<float> values = (tensor.IsState ? state : parameters).AsSpan(tensor.Offset, tensor.Length);
            int layerUnits = layer.Units;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(tensor.Role switch
                {
                    TensorRole.Weight => random.NextGaussian() / Math.Sqrt(tensor.Shape[1]),
                    TensorRole.Bias => 0.3 * random.NextGaussian(),
                    TensorRole.Scale => 1 + (0.3 * random.NextGaussian()),
                    TensorRole.Shift => 0.2 * random.NextGaussian(),
                    TensorRole.RunningMean => 0.5 * random.NextGaussian(),
                    TensorRole.RunningVariance => 0.5 + random.NextDouble(),

                    // PyTorch's recurrent initialization, U(−1/√H, 1/√H), with H = Whh's columns; the biases at the same scale.
                    _ => ((2 * random.NextDouble()) - 1) / Math.Sqrt(layerUnits),
                });
            }
        }

        return (parameters, state);
    }

    private static double[] Run(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, double[] state, ReadOnlySpan<float> inputs, int m, ulong? training)
    {
        int width = architecture.InputSize;
        double[] a = inputs.ToArray().Select(v => (double)v).ToArray();
        foreach (LayerDescription layer in architecture.Layers)
        {
            int units = layer.Units;
            double[] next = new double[m * units];
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    ReadOnlySpan<float> w = Tensor(parameters, layer, TensorRole.Weight), b = Tensor(parameters, layer, TensorRole.Bias);
                    for (int e = 0; e < m; e++)
                    {
                        double[] z = new double[units];
                        for (int j = 0; j < units; j++)
                        {
                            z[j] = b[j];
                            for (int k = 0; k < width; k++)
                            {
                                z[j] += w[(j * width) + k] * a[(e * width) + k];
                            }
                        }

                        Activate(layer.Activation, z).CopyTo(next, e * units);
                    }

                    break;

                case LayerKind.BatchNorm:
                    ReadOnlySpan<float> gamma = Tensor(parameters, layer, TensorRole.Scale), beta = Tensor(parameters, layer, TensorRole.Shift);
                    int meanAt = layer.Tensors.Single(t => t.Role == TensorRole.RunningMean).Offset, varAt = layer.Tensors.Single(t => t.Role == TensorRole.RunningVariance).Offset;
                    for (int j = 0; j < units; j++)
                    {
                        double mean = state[meanAt + j], variance = state[varAt + j];
                        if (training is not null)
                        {
                            mean = Enumerable.Range(0, m).Average(e => a[(e * units) + j]);
                            variance = Enumerable.Range(0, m).Average(e => (a[(e * units) + j] - mean) * (a[(e * units) + j] - mean));
                            double momentum = layer.Momentum;
                            state[meanAt + j] = ((1 - momentum) * state[meanAt + j]) + (momentum * mean);
                            state[varAt + j] = ((1 - momentum) * state[varAt + j]) + (momentum * variance * m / (m - 1));
                        }

                        for (int e = 0; e < m; e++)
                        {
                            next[(e * units) + j] = ((a[(e * units) + j] - mean) / Math.Sqrt(variance + layer.Epsilon) * gamma[j]) + beta[j];
                        }
                    }

                    break;

                case LayerKind.LayerNorm:
                    ReadOnlySpan<float> scale = Tensor(parameters, layer, TensorRole.Scale), shift = Tensor(parameters, layer, TensorRole.Shift);
                    for (int e = 0; e < m; e++)
                    {
                        double[] row = a.AsSpan(e * units, units).ToArray();
                        double mean = row.Average(), variance = row.Average(v => (v - mean) * (v - mean));
                        for (int j = 0; j < units; j++)
                        {
                            next[(e * units) + j] = ((row[j] - mean) / Math.Sqrt(variance + layer.Epsilon) * scale[j]) + shift[j];
                        }
                    }

                    break;

                case LayerKind.Dropout:
                    if (training is not ulong seed)
                    {
                        next = a;
                        break;
                    }

                    bool[] keep = DropoutKeep(seed, layer.Index, layer.Rate, m, units);
                    double kept = 1f / (1f - layer.Rate);
                    for (int i = 0; i < next.Length; i++)
                    {
                        next[i] = keep[i] ? a[i] * kept : 0;
                    }

                    break;

                default:
                    throw new NotSupportedException(layer.Kind.ToString());
            }

            a = next;
            width = units;
        }

        return a;
    }

    private static ReadOnlySpan<float> Tensor(ReadOnlySpan<float> parameters, LayerDescription layer, TensorRole role)
    {
        LayerTensor tensor = layer.Tensors.Single(t => t.Role == role);
        return parameters.Slice(tensor.Offset, tensor.Length);
    }

    private static double[] Activate(Activation activation, double[] z) => activation switch
    {
        Activation.Sigmoid => z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(),
        Activation.Tanh => z.Select(Math.Tanh).ToArray(),
        Activation.ReLU => z.Select(v => Math.Max(0, v)).ToArray(),
        Activation.LeakyReLU => z.Select(v => v < 0 ? 0.01 * v : v).ToArray(),
        Activation.Linear => z,
        Activation.Softmax => z.Select(v => Math.Exp(v - z.Max())).ToArray() is var e ? e.Select(v => v / e.Sum()).ToArray() : z,
        _ => throw new NotSupportedException(activation.ToString()),
    };

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

/// <summary>
/// A hand-written <see cref="ISerializableNetwork"/> of any layer kinds whose predictions are <see cref="LayerKindsReference"/>'s
/// inference pass, so weight files and exporters can be tested on kinds the generator does not emit yet. Inference only.
/// </summary>
internal sealed class LayerKindsNetwork : ISerializableNetwork
{
    private readonly float[] _parameters;
    private readonly float[] _state;

    public LayerKindsNetwork(NetworkArchitecture architecture, int seed)
    {
        Architecture = architecture;
        (_parameters, _state) = LayerKindsReference.Randomize(architecture, seed);
    }

    public NetworkArchitecture Architecture { get; }

    public string Name => Architecture.Name;

    public int InputSize => Architecture.InputSize;

    public int OutputSize => Architecture.OutputSize;

    public int ParameterCount => _parameters.Length;

    public Loss Loss => Architecture.Loss;

    public Activation OutputActivation => Architecture.Activations[^1];

    public Span<float> Parameters => _parameters;

    public Span<float> State => _state;

    /// <summary>The networks the layer-kind tests share, by the PyTorch fixtures' names.</summary>
    public static NetworkArchitecture ArchitectureOf(string name) => name switch
    {
        "bn" => new(
            "BatchNormNet",
            5,
            [LayerDescription.Dense(1, 5, 6, Activation.ReLU, 0), LayerDescription.BatchNorm(2, 6, 1e-5f, 0.1f, 36, 0), LayerDescription.Dense(3, 6, 3, Activation.Softmax, 48)],
            Loss.CategoricalCrossEntropy),
        "ln" => new(
            "LayerNormNet",
            5,
            [LayerDescription.Dense(1, 5, 6, Activation.Tanh, 0), LayerDescription.LayerNorm(2, 6, 1e-5f, 36), LayerDescription.Dense(3, 6, 1, Activation.Sigmoid, 48)],
            Loss.BinaryCrossEntropy),
        "dropout" => new(
            "DropoutNet",
            5,
            [LayerDescription.Dense(1, 5, 6, Activation.ReLU, 0), LayerDescription.Dropout(2, 6, 0.25f), LayerDescription.Dense(3, 6, 2, Activation.Sigmoid, 36)],
            Loss.BinaryCrossEntropy),
        "fashion" => new(
            "FashionKindsNet",
            12,
            [
                LayerDescription.Dense(1, 12, 10, Activation.ReLU, 0),
                LayerDescription.BatchNorm(2, 10, 1e-5f, 0.1f, 130, 0),
                LayerDescription.Dropout(3, 10, 0.2f),
                LayerDescription.Dense(4, 10, 8, Activation.ReLU, 150),
                LayerDescription.LayerNorm(5, 8, 1e-5f, 238),
                LayerDescription.Dense(6, 8, 4, Activation.Softmax, 254),
            ],
            Loss.CategoricalCrossEntropy),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
        throw new NotSupportedException("Inference only.");

    public void Predict(ReadOnlySpan<float> x, Span<float> y) => PredictBatch(x, y);

    public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        double[] a = LayerKindsReference.Forward(Architecture, _parameters, _state, inputs, inputs.Length / InputSize);
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = (float)a[i];
        }
    }
}
