using System;
using System.Linq;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// An independent scalar forward and backward pass in double precision: plain loops over the course's formulas, one
/// example at a time, sharing no code with NnRuntime's kernels. The generated float code is compared with this.
/// Parameters use the generated layout: W1 (n1 x n0) row-major, b1, W2, b2, … contiguous.
/// </summary>
internal sealed class ReferenceNetwork
{
    /// <summary>The clamp of the cross-entropy, as the course's formula is written: a in [1e-7, 1 - 1e-7].</summary>
    public const double ProbabilityFloor = 1e-7;

    private readonly TestArchitecture _architecture;
    private readonly int[] _sizes;

    public ReferenceNetwork(TestArchitecture architecture, double[] parameters)
    {
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new ArgumentException($"Expected {architecture.ParameterCount} parameters, got {parameters.Length}.", nameof(parameters));
        }

        _architecture = architecture;
        _sizes = architecture.Sizes;
        Parameters = parameters;
    }

    /// <summary>The parameters in use; finite differences perturb these in place.</summary>
    public double[] Parameters { get; }

    private int LayerCount => _sizes.Length - 1;

    /// <summary>A[L] for one example.</summary>
    public double[] Predict(ReadOnlySpan<float> x) => Forward(x)[LayerCount];

    /// <summary>A[0] = x, A[1], …, A[L] for one example.</summary>
    public double[][] Forward(ReadOnlySpan<float> x)
    {
        var activations = new double[LayerCount + 1][];
        activations[0] = new double[_sizes[0]];
        for (int k = 0; k < _sizes[0]; k++)
        {
            activations[0][k] = x[k];
        }

        for (int l = 1; l <= LayerCount; l++)
        {
            int units = _sizes[l];
            int inputs = _sizes[l - 1];
            int w = _architecture.WeightOffset(l);
            int b = _architecture.BiasOffset(l);
            double[] previous = activations[l - 1];
            var a = new double[units];
            for (int j = 0; j < units; j++)
            {
                double z = Parameters[b + j];
                for (int k = 0; k < inputs; k++)
                {
                    z += Parameters[w + (j * inputs) + k] * previous[k];
                }

                a[j] = Activate(_architecture.Layers[l - 1].Activation, z);
            }

            if (_architecture.Layers[l - 1].Activation == Activation.Softmax)
            {
                Softmax(a);
            }

            activations[l] = a;
        }

        return activations;
    }

    /// <summary>J over m examples (one per row of <paramref name="inputs"/> and <paramref name="labels"/>).</summary>
    public double Cost(float[] inputs, float[] labels)
    {
        int m = inputs.Length / _sizes[0];
        int outputs = _sizes[LayerCount];
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double[] a = Predict(inputs.AsSpan(i * _sizes[0], _sizes[0]));
            for (int j = 0; j < outputs; j++)
            {
                sum += Loss(a[j], labels[(i * outputs) + j]);
            }
        }

        return sum / m;
    }

    /// <summary>J and dJ/dθ (laid out like the parameters) by backpropagation, one example at a time.</summary>
    public (double Cost, double[] Gradients) Backward(float[] inputs, float[] labels)
    {
        int m = inputs.Length / _sizes[0];
        int outputs = _sizes[LayerCount];
        var gradients = new double[Parameters.Length];
        double cost = 0;
        for (int i = 0; i < m; i++)
        {
            double[][] a = Forward(inputs.AsSpan(i * _sizes[0], _sizes[0]));

            // dZ[L] from dJ/dA[L] (per example; the 1/m comes at the end).
            Activation outputActivation = _architecture.Layers[LayerCount - 1].Activation;
            var dZ = new double[outputs];
            for (int j = 0; j < outputs; j++)
            {
                double y = labels[(i * outputs) + j];
                double aj = a[LayerCount][j];
                cost += Loss(aj, y);
                if (outputActivation == Activation.Softmax)
                {
                    // Softmax with categorical cross-entropy: ∂J/∂z_j = a_j − y_j for labels summing to 1.
                    dZ[j] = aj - y;
                    continue;
                }

                double dA = _architecture.ResolvedLoss == NnGen.Loss.BinaryCrossEntropy
                    ? -((y / Clamp(aj)) - ((1 - y) / (1 - Clamp(aj))))
                    : aj - y;
                dZ[j] = dA * Derivative(outputActivation, aj);
            }

            for (int l = LayerCount; l >= 1; l--)
            {
                int units = _sizes[l];
                int fanIn = _sizes[l - 1];
                int w = _architecture.WeightOffset(l);
                int b = _architecture.BiasOffset(l);
                double[] previous = a[l - 1];
                for (int j = 0; j < units; j++)
                {
                    gradients[b + j] += dZ[j];
                    for (int k = 0; k < fanIn; k++)
                    {
                        gradients[w + (j * fanIn) + k] += dZ[j] * previous[k];
                    }
                }

                if (l == 1)
                {
                    break;
                }

                Activation previousActivation = _architecture.Layers[l - 2].Activation;
                var dZPrevious = new double[fanIn];
                for (int k = 0; k < fanIn; k++)
                {
                    double dA = 0;
                    for (int j = 0; j < units; j++)
                    {
                        dA += Parameters[w + (j * fanIn) + k] * dZ[j];
                    }

                    dZPrevious[k] = dA * Derivative(previousActivation, previous[k]);
                }

                dZ = dZPrevious;
            }
        }

        for (int p = 0; p < gradients.Length; p++)
        {
            gradients[p] /= m;
        }

        return (cost / m, gradients);
    }

    /// <summary>Central differences of <see cref="Cost"/> over every parameter, in double.</summary>
    public double[] FiniteDifferences(float[] inputs, float[] labels, double step)
    {
        var gradients = new double[Parameters.Length];
        for (int p = 0; p < Parameters.Length; p++)
        {
            double saved = Parameters[p];
            Parameters[p] = saved + step;
            double plus = Cost(inputs, labels);
            Parameters[p] = saved - step;
            double minus = Cost(inputs, labels);
            Parameters[p] = saved;
            gradients[p] = (plus - minus) / (2 * step);
        }

        return gradients;
    }

    private double Loss(double a, double y) => _architecture.ResolvedLoss switch
    {
        NnGen.Loss.BinaryCrossEntropy => -((y * Math.Log(Clamp(a))) + ((1 - y) * Math.Log(1 - Clamp(a)))),
        NnGen.Loss.CategoricalCrossEntropy => -y * Math.Log(Math.Max(a, ProbabilityFloor)),
        _ => 0.5 * (a - y) * (a - y),
    };

    /// <summary>a := softmax(a) in double, with the largest value subtracted first.</summary>
    private static void Softmax(double[] a)
    {
        double max = a.Max();
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            a[j] = Math.Exp(a[j] - max);
            sum += a[j];
        }

        for (int j = 0; j < a.Length; j++)
        {
            a[j] /= sum;
        }
    }

    private static double Clamp(double a) => Math.Clamp(a, ProbabilityFloor, 1 - ProbabilityFloor);

    private static double Activate(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.ReLU => Math.Max(0, z),
        Activation.LeakyReLU => Math.Max(0.01 * z, z),
        Activation.Linear or Activation.Softmax => z,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>g'(z) written in terms of a = g(z).</summary>
    private static double Derivative(Activation activation, double a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.ReLU => a > 0 ? 1 : 0,
        Activation.LeakyReLU => a > 0 ? 1 : 0.01,
        Activation.Linear => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
