using System;
using System.Linq;
using NnGen.Kernels;

namespace NnGen.Shipping.Tests.Support;

/// <summary>
/// The inference forward pass of a network with convolution, pooling, global-average-pooling and flatten layers (and
/// dense, dropout and the norms) in double precision, written from PyTorch's definitions and the contract, not from any
/// NnGen kernel: the oracle for the ONNX export and the PyTorch weight files. Data is one example per row, its C·H·W
/// values in PyTorch's NCHW order; parameters and state as <see cref="NetworkArchitecture.Tensors"/> lays them out.
/// </summary>
/// <remarks>
/// Convolution: z[o, y, x] = b[o] + Σ W[o, c', ky, kx]·in[g·Cin/G + c', y·sh − pt + ky·dh, x·sw − pl + kx·dw] over the
/// taps inside the input (zeros outside), g = o / (Cout/G). Max pool: the largest value of each window's taps inside the
/// input (padding is −∞). Average pool: their sum over kh·kw (padding counted; with ceil_mode off and padding at most half
/// the window every window lies inside the padded input, so PyTorch divides by kh·kw too). Global average pooling: each
/// channel's mean. Flatten and dropout (inference): the identity. Norms: per feature, as <see cref="LayerKindsReference"/>.
/// </remarks>
internal static class ConvReference
{
    /// <summary>A[L] for <paramref name="m"/> examples, row-major (m, n[L]).</summary>
    public static double[] Forward(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state, ReadOnlySpan<float> inputs, int m)
    {
        double[] a = inputs.ToArray().Select(v => (double)v).ToArray();
        int width = architecture.InputSize;
        Assert.Equal(m * width, inputs.Length);
        foreach (LayerDescription layer in architecture.Layers)
        {
            int units = layer.Units;
            double[] next = new double[m * units];
            for (int e = 0; e < m; e++)
            {
                ReadOnlySpan<double> x = a.AsSpan(e * width, width);
                Span<double> y = next.AsSpan(e * units, units);
                switch (layer.Kind)
                {
                    case LayerKind.Conv1D or LayerKind.Conv2D:
                        Convolve(layer.ConvolutionGeometry!.Value, Tensor(parameters, layer, TensorRole.Weight), Tensor(parameters, layer, TensorRole.Bias), x, y);
                        Activate(layer.Activation, y);
                        break;
                    case LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D:
                        Pool(layer.Pool!.Value, layer.Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D, x, y);
                        break;
                    case LayerKind.GlobalAvgPool:
                        int positions = width / units;
                        for (int c = 0; c < units; c++)
                        {
                            double sum = 0;
                            for (int p = 0; p < positions; p++)
                            {
                                sum += x[(c * positions) + p];
                            }

                            y[c] = sum / positions;
                        }

                        break;
                    case LayerKind.Flatten or LayerKind.Dropout:
                        x.CopyTo(y);
                        break;
                    case LayerKind.Dense:
                        ReadOnlySpan<float> w = Tensor(parameters, layer, TensorRole.Weight), b = Tensor(parameters, layer, TensorRole.Bias);
                        for (int j = 0; j < units; j++)
                        {
                            double z = b[j];
                            for (int k = 0; k < width; k++)
                            {
                                z += w[(j * width) + k] * x[k];
                            }

                            y[j] = z;
                        }

                        Activate(layer.Activation, y);
                        break;
                    case LayerKind.BatchNorm:
                        ReadOnlySpan<float> gamma = Tensor(parameters, layer, TensorRole.Scale), beta = Tensor(parameters, layer, TensorRole.Shift);
                        int meanAt = layer.Tensors.Single(t => t.Role == TensorRole.RunningMean).Offset, varAt = layer.Tensors.Single(t => t.Role == TensorRole.RunningVariance).Offset;
                        for (int j = 0; j < units; j++)
                        {
                            y[j] = ((x[j] - state[meanAt + j]) / Math.Sqrt(state[varAt + j] + (double)layer.Epsilon) * gamma[j]) + beta[j];
                        }

                        break;
                    case LayerKind.LayerNorm:
                        ReadOnlySpan<float> scale = Tensor(parameters, layer, TensorRole.Scale), shift = Tensor(parameters, layer, TensorRole.Shift);
                        double[] row = x.ToArray();
                        double mean = row.Average(), variance = row.Average(v => (v - mean) * (v - mean));
                        for (int j = 0; j < units; j++)
                        {
                            y[j] = ((row[j] - mean) / Math.Sqrt(variance + layer.Epsilon) * scale[j]) + shift[j];
                        }

                        break;
                    default:
                        throw new NotSupportedException(layer.Kind.ToString());
                }
            }

            a = next;
            width = units;
        }

        return a;
    }

    /// <summary>
    /// PyTorch's default initialization, U(−1/√fan_in, 1/√fan_in) for every weight and bias (fan_in = (Cin/groups)·kh·kw for
    /// a convolution, the inputs for a dense layer); γ near 1, β, running means around 0 and variances in [0.5, 1.5) for the norms.
    /// </summary>
    public static (float[] Parameters, float[] State) Randomize(NetworkArchitecture architecture, int seed)
    {
        var random = new Random(seed);
        float[] parameters = new float[architecture.ParameterCount];
        float[] state = new float[architecture.StateCount];
        foreach (LayerDescription layer in architecture.Layers)
        {
            double bound = 1 / Math.Sqrt(layer.ConvolutionGeometry?.KernelVolume ?? layer.Inputs);
            foreach (LayerTensor tensor in layer.Tensors)
            {
                Span<float> values = (tensor.IsState ? state : parameters).AsSpan(tensor.Offset, tensor.Length);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(tensor.Role switch
                    {
                        TensorRole.Weight or TensorRole.Bias => bound * ((2 * random.NextDouble()) - 1),
                        TensorRole.Scale => 1 + (0.3 * ((2 * random.NextDouble()) - 1)),
                        TensorRole.Shift => 0.2 * ((2 * random.NextDouble()) - 1),
                        TensorRole.RunningMean => 0.5 * ((2 * random.NextDouble()) - 1),
                        TensorRole.RunningVariance => 0.5 + random.NextDouble(),
                        _ => throw new NotSupportedException(tensor.Role.ToString()),
                    });
                }
            }
        }

        return (parameters, state);
    }

    /// <summary>Seeded inputs in [−2, 2), m rows of n[0].</summary>
    public static float[] Inputs(NetworkArchitecture architecture, int m, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, m * architecture.InputSize).Select(_ => (float)((4 * random.NextDouble()) - 2)).ToArray();
    }

    private static void Convolve(ConvGeometry g, ReadOnlySpan<float> w, ReadOnlySpan<float> b, ReadOnlySpan<double> x, Span<double> z)
    {
        int perGroupIn = g.InChannels / g.Groups, perGroupOut = g.OutChannels / g.Groups;
        for (int o = 0; o < g.OutChannels; o++)
        {
            int group = o / perGroupOut;
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double sum = b[o];
                    for (int ci = 0; ci < perGroupIn; ci++)
                    {
                        int c = (group * perGroupIn) + ci;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadTop + (ky * g.DilationHeight);
                            if (iy < 0 || iy >= g.InHeight)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = (ox * g.StrideWidth) - g.PadLeft + (kx * g.DilationWidth);
                                if (ix >= 0 && ix < g.InWidth)
                                {
                                    sum += w[(((o * perGroupIn) + ci) * g.KernelHeight * g.KernelWidth) + (ky * g.KernelWidth) + kx] * x[(((c * g.InHeight) + iy) * g.InWidth) + ix];
                                }
                            }
                        }
                    }

                    z[(((o * g.OutHeight) + oy) * g.OutWidth) + ox] = sum;
                }
            }
        }
    }

    private static void Pool(PoolGeometry g, bool max, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int c = 0; c < g.Channels; c++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double result = max ? double.NegativeInfinity : 0;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadHeight + ky, ix = (ox * g.StrideWidth) - g.PadWidth + kx;
                            if (iy >= 0 && iy < g.InHeight && ix >= 0 && ix < g.InWidth)
                            {
                                double value = x[(((c * g.InHeight) + iy) * g.InWidth) + ix];
                                result = max ? Math.Max(result, value) : result + value;
                            }
                        }
                    }

                    y[(((c * g.OutHeight) + oy) * g.OutWidth) + ox] = max ? result : result / (g.KernelHeight * g.KernelWidth);
                }
            }
        }
    }

    private static ReadOnlySpan<float> Tensor(ReadOnlySpan<float> parameters, LayerDescription layer, TensorRole role)
    {
        LayerTensor tensor = layer.Tensors.Single(t => t.Role == role);
        return parameters.Slice(tensor.Offset, tensor.Length);
    }

    private static void Activate(Activation activation, Span<double> z)
    {
        double largest = double.NegativeInfinity, total = 0;
        foreach (double v in z)
        {
            largest = Math.Max(largest, v);
        }

        for (int i = 0; i < z.Length; i++)
        {
            z[i] = activation switch
            {
                Activation.Sigmoid => 1 / (1 + Math.Exp(-z[i])),
                Activation.Tanh => Math.Tanh(z[i]),
                Activation.ReLU => Math.Max(0, z[i]),
                Activation.LeakyReLU => z[i] < 0 ? 0.01 * z[i] : z[i],
                Activation.Linear => z[i],
                Activation.Softmax => Math.Exp(z[i] - largest),
                _ => throw new NotSupportedException(activation.ToString()),
            };
            total += z[i];
        }

        if (activation == Activation.Softmax)
        {
            for (int i = 0; i < z.Length; i++)
            {
                z[i] /= total;
            }
        }
    }
}

/// <summary>
/// A hand-built <see cref="ISerializableNetwork"/> with convolution layers whose predictions are <see cref="ConvReference"/>'s,
/// so weight files and the ONNX export can be tested without a generated network. Inference only.
/// </summary>
internal sealed class ConvNetwork : ISerializableNetwork
{
    private readonly float[] _parameters;
    private readonly float[] _state;

    public ConvNetwork(NetworkArchitecture architecture, int seed)
    {
        Architecture = architecture;
        (_parameters, _state) = ConvReference.Randomize(architecture, seed);
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

    /// <summary>
    /// The convolutional networks the shipping tests share: LeNet-5 as the issue writes it; a 2-D net with stride,
    /// dilation, groups, uneven (same) padding, padded pools and norms between convolutions; two 1-D nets (causal and
    /// strided convolutions, pools, global average pooling; flatten).
    /// </summary>
    public static NetworkArchitecture ArchitectureOf(string name) => name switch
    {
        "lenet5" => new(
            "LeNet5",
            new[] { 1, 28, 28 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv2D, new ConvGeometry(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1), Activation.ReLU, 0),
                LayerDescription.Pooling(2, LayerKind.MaxPool2D, new PoolGeometry(6, 28, 28, 2, 2, 2, 2, 0, 0)),
                LayerDescription.Convolution(3, LayerKind.Conv2D, new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1), Activation.ReLU, 156),
                LayerDescription.Pooling(4, LayerKind.AvgPool2D, new PoolGeometry(16, 10, 10, 2, 2, 2, 2, 0, 0)),
                LayerDescription.Flatten(5, 16, 5, 5),
                LayerDescription.Dense(6, 400, 120, Activation.ReLU, 2572),
                LayerDescription.Dense(7, 120, 84, Activation.ReLU, 2572 + 48120),
                LayerDescription.Dense(8, 84, 10, Activation.Softmax, 2572 + 48120 + 10164),
            ],
            Loss.CategoricalCrossEntropy),

        // (3, 11, 10) -> conv 6 k3 s2 d(1,2) g3 tanh -> avg 3 s1 p1 -> dropout -> batch norm -> conv 4 k2 same (pads 0/1)
        // leaky -> layer norm -> max 2 s1 p1 -> global avg -> 2 sigmoid.
        "mixed2d" => new(
            "Mixed2D",
            new[] { 3, 11, 10 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv2D, new ConvGeometry(3, 11, 10, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 3), Activation.Tanh, 0),
                LayerDescription.Pooling(2, LayerKind.AvgPool2D, new PoolGeometry(6, 6, 4, 3, 3, 1, 1, 1, 1)),
                LayerDescription.Dropout(3, 144, 0.3f),
                LayerDescription.BatchNorm(4, 144, 1e-5f, 0.1f, 60, 0),
                LayerDescription.Convolution(5, LayerKind.Conv2D, new ConvGeometry(6, 6, 4, 4, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1, 1), Activation.LeakyReLU, 60 + 288),
                LayerDescription.LayerNorm(6, 96, 1e-5f, 60 + 288 + 100),
                LayerDescription.Pooling(7, LayerKind.MaxPool2D, new PoolGeometry(4, 6, 4, 2, 2, 1, 1, 1, 1)),
                LayerDescription.GlobalAvgPool(8, 4, 7, 5),
                LayerDescription.Dense(9, 4, 2, Activation.Sigmoid, 60 + 288 + 100 + 192),
            ],
            Loss.BinaryCrossEntropy),

        // (4, 50) -> causal conv1d 8 k3 d2 relu -> max 2 -> conv1d 6 k3 s2 p1 g2 tanh -> avg 2 -> global avg -> 3 softmax.
        "signal" => new(
            "Signal",
            new[] { 4, 50 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(4, 50, 8, 3, 1, 4, 0, 2, 1), Activation.ReLU, 0),
                LayerDescription.Pooling(2, LayerKind.MaxPool1D, PoolGeometry.OneDimensional(8, 50, 2, 2, 0)),
                LayerDescription.Convolution(3, LayerKind.Conv1D, ConvGeometry.OneDimensional(8, 25, 6, 3, 2, 1, 1, 1, 2), Activation.Tanh, 104),
                LayerDescription.Pooling(4, LayerKind.AvgPool1D, PoolGeometry.OneDimensional(6, 13, 2, 2, 0)),
                LayerDescription.GlobalAvgPool(5, 6, 1, 6),
                LayerDescription.Dense(6, 6, 3, Activation.Softmax, 104 + 78),
            ],
            Loss.CategoricalCrossEntropy),

        // (2, 16) -> conv1d 4 k5 same (pads 2/2) sigmoid -> avg 3 s1 p1 -> flatten -> 5 relu -> 1 linear.
        "flat1d" => new(
            "Flat1D",
            new[] { 2, 16 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(2, 16, 4, 5, 1, 2, 2, 1, 1), Activation.Sigmoid, 0),
                LayerDescription.Pooling(2, LayerKind.AvgPool1D, PoolGeometry.OneDimensional(4, 16, 3, 1, 1)),
                LayerDescription.Flatten(3, 4, 1, 16),
                LayerDescription.Dense(4, 64, 5, Activation.ReLU, 44),
                LayerDescription.Dense(5, 5, 1, Activation.Linear, 44 + 325),
            ],
            Loss.MeanSquaredError),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
        throw new NotSupportedException("Inference only.");

    public void Predict(ReadOnlySpan<float> x, Span<float> y) => PredictBatch(x, y);

    public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        double[] a = ConvReference.Forward(Architecture, _parameters, _state, inputs, inputs.Length / InputSize);
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = (float)a[i];
        }
    }
}
