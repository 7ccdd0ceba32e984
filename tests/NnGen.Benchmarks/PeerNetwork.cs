using System;
using System.Globalization;

namespace NnGen.Benchmarks;

/// <summary>
/// A dense network as the peer harnesses build it: the sizes, the activations and the seed of
/// <c>../shared/bench/rtneural/rtneural_bench.cpp</c>, whose parameters and input this class reproduces bit for bit
/// (same 64-bit LCG, same order: W[l] row by row, then b[l], layer after layer; each value uniform in
/// [-0.5, 0.5)/sqrt(n[l-1]); the input uniform in [-0.5, 0.5)). NnGen, RTNeural and ONNX Runtime therefore time the
/// same numbers, and their outputs can be compared with each other and with <see cref="Reference"/>.
/// </summary>
public sealed class PeerNetwork
{
    /// <summary>The harness's feedback gain: after each call the next input is x[0] = x0 + Feedback · y.</summary>
    public const float Feedback = 1e-7f;

    /// <summary>[2,4,1] tanh/sigmoid, the harness's workload <c>2_4_1</c> (seed 1).</summary>
    public static readonly PeerNetwork Planar = new("2_4_1", [2, 4, 1], [Activation.Tanh, Activation.Sigmoid], 1);

    /// <summary>[16,64,64,1] ReLU with a linear output, workload <c>16_64_64_1</c> (seed 2).</summary>
    public static readonly PeerNetwork MediumLinear = new("16_64_64_1", [16, 64, 64, 1], [Activation.ReLU, Activation.ReLU, Activation.Linear], 2);

    /// <summary>[16,64,64,1] ReLU with a sigmoid output, workload <c>16_64_64_1_sigmoid</c> (seed 2, so the weights of <see cref="MediumLinear"/>).</summary>
    public static readonly PeerNetwork MediumSigmoid = new("16_64_64_1_sigmoid", [16, 64, 64, 1], [Activation.ReLU, Activation.ReLU, Activation.Sigmoid], 2);

    /// <summary>[12288,20,7,5,1] ReLU/sigmoid, workload <c>12288_20_7_5_1</c> (seed 3).</summary>
    public static readonly PeerNetwork Deep = new("12288_20_7_5_1", [12288, 20, 7, 5, 1], [Activation.ReLU, Activation.ReLU, Activation.ReLU, Activation.Sigmoid], 3);

    /// <summary>
    /// The Fashion-MNIST network [784,256,128,10] with the output activation of <see cref="FashionNet"/> (not a
    /// harness workload; seed 4 continues the harness's numbering).
    /// </summary>
    public static readonly PeerNetwork Fashion = new("784_256_128_10", [784, 256, 128, 10], [Activation.ReLU, Activation.ReLU, FashionOutput.Activation], 4);

    private const ulong InputSeedMix = 0x9E3779B97F4A7C15UL;

    private PeerNetwork(string name, int[] sizes, Activation[] activations, ulong seed)
    {
        Name = name;
        Sizes = sizes;
        Activations = activations;
        Seed = seed;
    }

    /// <summary>The workload's name in the RTNeural harness's CSV (<c>rtneural_&lt;Name&gt;_&lt;backend&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>n[0], n[1], …, n[L].</summary>
    public int[] Sizes { get; }

    /// <summary>g[1] … g[L].</summary>
    public Activation[] Activations { get; }

    /// <summary>The harness's seed for this network's parameters.</summary>
    public ulong Seed { get; }

    /// <summary>n[0].</summary>
    public int InputSize => Sizes[0];

    /// <summary>n[L].</summary>
    public int OutputSize => Sizes[^1];

    /// <summary>The number of parameters: Σ n[l]·n[l-1] + n[l].</summary>
    public int ParameterCount
    {
        get
        {
            int count = 0;
            for (int l = 1; l < Sizes.Length; l++)
            {
                count += (Sizes[l] * Sizes[l - 1]) + Sizes[l];
            }

            return count;
        }
    }

    /// <summary>Writes the harness's parameters into <paramref name="parameters"/>, laid out as NnGen's (W1, b1, W2, b2, …; W row-major).</summary>
    public void FillParameters(Span<float> parameters)
    {
        if (parameters.Length != ParameterCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{Name}: the network has {parameters.Length} parameters, the peer network {ParameterCount}."),
                nameof(parameters));
        }

        var random = new Lcg(Seed);
        int offset = 0;
        for (int l = 1; l < Sizes.Length; l++)
        {
            float scale = 1f / MathF.Sqrt(Sizes[l - 1]);
            int count = (Sizes[l] * Sizes[l - 1]) + Sizes[l];
            for (int i = 0; i < count; i++)
            {
                parameters[offset + i] = random.Centered() * scale;
            }

            offset += count;
        }
    }

    /// <summary>The harness's input example: n[0] values uniform in [-0.5, 0.5).</summary>
    public float[] Input()
    {
        var random = new Lcg(Seed ^ InputSeedMix);
        var x = new float[InputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.Centered();
        }

        return x;
    }

    /// <summary><paramref name="count"/> values uniform in [0, 1) (batch inputs, pixel-like), from the harness's generator.</summary>
    public static float[] Uniform01(int count, ulong seed)
    {
        var random = new Lcg(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Uniform01();
        }

        return values;
    }

    /// <summary>A plain double-precision forward pass of one example: the oracle every peer's output is checked against.</summary>
    public double[] Reference(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x)
    {
        double[] a = new double[InputSize];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = x[i];
        }

        int offset = 0;
        for (int l = 1; l < Sizes.Length; l++)
        {
            int units = Sizes[l], inputs = Sizes[l - 1];
            ReadOnlySpan<float> w = parameters.Slice(offset, units * inputs);
            ReadOnlySpan<float> b = parameters.Slice(offset + (units * inputs), units);
            offset += (units * inputs) + units;
            var z = new double[units];
            for (int j = 0; j < units; j++)
            {
                double sum = b[j];
                for (int k = 0; k < inputs; k++)
                {
                    sum += (double)w[(j * inputs) + k] * a[k];
                }

                z[j] = sum;
            }

            a = Activate(Activations[l - 1], z);
        }

        return a;
    }

    /// <summary>
    /// Throws unless <paramref name="actual"/> agrees with <paramref name="expected"/> within the harness's tolerance,
    /// 1e-5 + 1e-4·|expected|, element by element; the message names the peer, the element and both values.
    /// </summary>
    public static void Check(string what, ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double absolute = 1e-5, double relative = 1e-4)
    {
        if (actual.Length != expected.Length)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: {actual.Length} outputs, expected {expected.Length}."));
        }

        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= absolute + (relative * Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{what}: output {i} is {actual[i]:R}, the reference {expected[i]:R} (|error| {error:G3} > {absolute:G3} + {relative:G3}·|reference|)."));
            }
        }
    }

    private static double[] Activate(Activation activation, double[] z)
    {
        var a = new double[z.Length];
        switch (activation)
        {
            case Activation.Softmax:
                double max = double.NegativeInfinity;
                foreach (double value in z)
                {
                    max = Math.Max(max, value);
                }

                double total = 0;
                for (int i = 0; i < z.Length; i++)
                {
                    a[i] = Math.Exp(z[i] - max);
                    total += a[i];
                }

                for (int i = 0; i < z.Length; i++)
                {
                    a[i] /= total;
                }

                return a;
            case Activation.ReLU:
                for (int i = 0; i < z.Length; i++)
                {
                    a[i] = Math.Max(z[i], 0);
                }

                return a;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++)
                {
                    a[i] = Math.Tanh(z[i]);
                }

                return a;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++)
                {
                    a[i] = 1 / (1 + Math.Exp(-z[i]));
                }

                return a;
            case Activation.Linear:
                return z;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "The peer networks use ReLU, tanh, sigmoid, softmax or linear layers.");
        }
    }

    /// <summary>The harness's 64-bit LCG (Knuth's MMIX constants), its top 24 bits as a float in [0, 1).</summary>
    private struct Lcg(ulong seed)
    {
        private ulong _state = seed;

        public float Uniform01()
        {
            _state = unchecked((_state * 6364136223846793005UL) + 1442695040888963407UL);
            return (_state >> 40) * (1f / 16777216f);
        }

        public float Centered() => Uniform01() - 0.5f;
    }
}
