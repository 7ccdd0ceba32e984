using System;
using System.Collections.Generic;

namespace NnGen.Tests.Training;

/// <summary>
/// A hand-written dense network with a plain scalar forward and backward pass, one example at a time, in the
/// course's formulas. It stands in for generated code: same parameter layout (W1, b1, W2, b2, … each W row-major
/// [n[l] x n[l-1]]), same data layout (one example per row), float arithmetic, no allocation per call.
/// </summary>
internal sealed class ScalarNetwork : ITrainableNetwork
{
    private readonly int[] _sizes;
    private readonly Activation[] _activations;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;
    private readonly float[] _parameters;
    private readonly float[][] _a;
    private readonly float[][] _dz;
    private readonly Range[] _weightRanges;

    /// <param name="sizes">n[0], n[1], …, n[L].</param>
    /// <param name="activations">
    /// g[1] … g[L]; the output must be sigmoid (trained with cross-entropy), softmax (categorical cross-entropy) or
    /// linear (squared error).
    /// </param>
    /// <param name="dropHiddenDerivative">
    /// A deliberate bug: backpropagates dZ[l] = dA[l] in hidden layers, forgetting the g'(Z[l]) factor.
    /// </param>
    public ScalarNetwork(string name, int[] sizes, Activation[] activations, bool dropHiddenDerivative = false)
    {
        if (activations.Length != sizes.Length - 1)
        {
            throw new ArgumentException("One activation per layer.");
        }

        OutputActivation = activations[^1];
        Loss = OutputActivation switch
        {
            Activation.Sigmoid => Loss.BinaryCrossEntropy,
            Activation.Linear => Loss.MeanSquaredError,
            Activation.Softmax => Loss.CategoricalCrossEntropy,
            _ => throw new ArgumentException("dZ[L] = A[L] - Y needs a sigmoid, softmax or linear output."),
        };

        Name = name;
        DropHiddenDerivative = dropHiddenDerivative;
        _sizes = sizes;
        _activations = activations;
        _weightOffsets = new int[sizes.Length];
        _biasOffsets = new int[sizes.Length];
        int offset = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            _weightOffsets[l] = offset;
            offset += sizes[l] * sizes[l - 1];
            _biasOffsets[l] = offset;
            offset += sizes[l];
        }

        _parameters = new float[offset];
        _weightRanges = new Range[sizes.Length - 1];
        for (int l = 1; l < sizes.Length; l++)
        {
            _weightRanges[l - 1] = new Range(_weightOffsets[l], _biasOffsets[l]);
        }

        _a = new float[sizes.Length][];
        _dz = new float[sizes.Length][];
        for (int l = 0; l < sizes.Length; l++)
        {
            _a[l] = new float[sizes[l]];
            _dz[l] = new float[sizes[l]];
        }
    }

    public string Name { get; }

    public int InputSize => _sizes[0];

    public int OutputSize => _sizes[^1];

    public int ParameterCount => _parameters.Length;

    public Loss Loss { get; }

    public Activation OutputActivation { get; }

    public bool DropHiddenDerivative { get; }

    public Span<float> Parameters => _parameters;

    /// <summary>Whether <see cref="ITrainableNetwork.WeightRanges"/> lists the weights (true) or keeps the interface's empty default.</summary>
    public bool ListsWeights { get; init; } = true;

    ReadOnlySpan<Range> ITrainableNetwork.WeightRanges => ListsWeights ? _weightRanges : default;

    /// <summary>Logistic regression: n inputs, one sigmoid unit, cross-entropy.</summary>
    public static ScalarNetwork LogisticRegression(int inputs) => new("LogReg", [inputs, 1], [Activation.Sigmoid]);

    /// <summary>Linear regression: n inputs, one linear unit, squared error.</summary>
    public static ScalarNetwork LinearRegression(int inputs) => new("LinReg", [inputs, 1], [Activation.Linear]);

    /// <summary>The course's shallow network shape at its smallest: 2 inputs, 3 tanh units, 1 sigmoid output.</summary>
    public static ScalarNetwork Tiny(bool dropHiddenDerivative = false) =>
        new(dropHiddenDerivative ? "BrokenTiny" : "Tiny", [2, 3, 1], [Activation.Tanh, Activation.Sigmoid], dropHiddenDerivative);

    /// <summary>Fills the weights with seeded N(0, scale²) values and the biases with small seeded values.</summary>
    public ScalarNetwork Initialize(int seed, double scale = 0.5)
    {
        var random = new NumPyRandom(seed);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i] = (float)(random.NextGaussian() * scale);
        }

        return this;
    }

    public float[] CopyParameters() => (float[])_parameters.Clone();

    public void SetParameters(ReadOnlySpan<float> values) => values.CopyTo(_parameters);

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
    {
        int m = Guard.ExampleCount(Name, nameof(ComputeGradients), inputs.Length, InputSize);
        Guard.PerExample(Name, nameof(ComputeGradients), nameof(labels), labels.Length, m, OutputSize, "OutputSize");
        Guard.Length(Name, nameof(ComputeGradients), nameof(gradients), gradients.Length, ParameterCount, "ParameterCount");
        gradients.Clear();
        int last = _sizes.Length - 1;
        double cost = 0;
        for (int e = 0; e < m; e++)
        {
            Forward(inputs.Slice(e * InputSize, InputSize));
            ReadOnlySpan<float> y = labels.Slice(e * OutputSize, OutputSize);
            for (int j = 0; j < OutputSize; j++)
            {
                double a = _a[last][j];
                if (Loss == Loss.BinaryCrossEntropy)
                {
                    double clamped = Math.Clamp(a, 1e-7, 1 - 1e-7);
                    cost -= (y[j] * Math.Log(clamped)) + ((1 - y[j]) * Math.Log(1 - clamped));
                }
                else if (Loss == Loss.CategoricalCrossEntropy)
                {
                    cost -= y[j] * Math.Log(Math.Max(a, 1e-7));
                }
                else
                {
                    cost += 0.5 * (a - y[j]) * (a - y[j]);
                }

                _dz[last][j] = _a[last][j] - y[j];
            }

            for (int l = last; l >= 1; l--)
            {
                float[] dz = _dz[l], aPrev = _a[l - 1];
                int w = _weightOffsets[l], b = _biasOffsets[l];
                for (int j = 0; j < _sizes[l]; j++)
                {
                    for (int k = 0; k < _sizes[l - 1]; k++)
                    {
                        gradients[w + (j * _sizes[l - 1]) + k] += dz[j] * aPrev[k] / m;
                    }

                    gradients[b + j] += dz[j] / m;
                }

                if (l > 1)
                {
                    for (int k = 0; k < _sizes[l - 1]; k++)
                    {
                        float da = 0;
                        for (int j = 0; j < _sizes[l]; j++)
                        {
                            da += _parameters[w + (j * _sizes[l - 1]) + k] * dz[j];
                        }

                        _dz[l - 1][k] = DropHiddenDerivative ? da : da * Derivative(_activations[l - 2], aPrev[k]);
                    }
                }
            }
        }

        return (float)(cost / m);
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(Name, nameof(Predict), nameof(x), x.Length, InputSize, "InputSize");
        Guard.Length(Name, nameof(Predict), nameof(y), y.Length, OutputSize, "OutputSize");
        Forward(x);
        _a[^1].CopyTo(y);
    }

    public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int m = Guard.ExampleCount(Name, nameof(PredictBatch), inputs.Length, InputSize);
        Guard.PerExample(Name, nameof(PredictBatch), nameof(outputs), outputs.Length, m, OutputSize, "OutputSize");
        for (int e = 0; e < m; e++)
        {
            Forward(inputs.Slice(e * InputSize, InputSize));
            _a[^1].CopyTo(outputs.Slice(e * OutputSize, OutputSize));
        }
    }

    private void Forward(ReadOnlySpan<float> x)
    {
        x.CopyTo(_a[0]);
        for (int l = 1; l < _sizes.Length; l++)
        {
            int w = _weightOffsets[l], b = _biasOffsets[l];
            for (int j = 0; j < _sizes[l]; j++)
            {
                float z = _parameters[b + j];
                for (int k = 0; k < _sizes[l - 1]; k++)
                {
                    z += _parameters[w + (j * _sizes[l - 1]) + k] * _a[l - 1][k];
                }

                _a[l][j] = Apply(_activations[l - 1], z);
            }

            if (_activations[l - 1] == Activation.Softmax)
            {
                // The stable softmax: the Z row (held in A) shifted by its max before the exponentials.
                float[] a = _a[l];
                float max = a[0];
                foreach (float z in a)
                {
                    max = MathF.Max(max, z);
                }

                float sum = 0;
                for (int j = 0; j < a.Length; j++)
                {
                    a[j] = MathF.Exp(a[j] - max);
                    sum += a[j];
                }

                for (int j = 0; j < a.Length; j++)
                {
                    a[j] /= sum;
                }
            }
        }
    }

    private static float Apply(Activation g, float z) => g switch
    {
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-z)),
        Activation.Tanh => MathF.Tanh(z),
        Activation.ReLU => MathF.Max(0f, z),
        Activation.LeakyReLU => z > 0f ? z : 0.01f * z,
        Activation.Linear or Activation.Softmax => z,
        _ => throw new NotSupportedException(g.ToString()),
    };

    private static float Derivative(Activation g, float a) => g switch
    {
        Activation.Sigmoid => a * (1f - a),
        Activation.Tanh => 1f - (a * a),
        Activation.ReLU => a > 0f ? 1f : 0f,
        Activation.LeakyReLU => a > 0f ? 1f : 0.01f,
        Activation.Linear => 1f,
        _ => throw new NotSupportedException(g.ToString()),
    };
}

/// <summary>
/// A network whose cost and gradients are dictated by the test, to drive the trainer into each divergence branch.
/// Linear output and squared error; its predictions are always zero.
/// </summary>
internal sealed class ScriptedNetwork : ITrainableNetwork
{
    private readonly float[] _parameters;
    private readonly Func<int, float> _cost;
    private readonly Func<int, int, float> _gradient;

    /// <param name="cost">The cost returned by the n-th call of ComputeGradients.</param>
    /// <param name="gradient">The i-th gradient of the n-th call.</param>
    public ScriptedNetwork(float[] parameters, Func<int, float> cost, Func<int, int, float> gradient)
    {
        _parameters = parameters;
        _cost = cost;
        _gradient = gradient;
    }

    public int Calls { get; private set; }

    /// <summary>Whether the overload that may skip the cost does so (returns null) when the caller does not ask for it.</summary>
    public bool SkipsUnrequestedCost { get; init; }

    /// <summary>computeCost of every call through the overload that takes it, in order.</summary>
    public List<bool> CostRequests { get; } = [];

    /// <summary>The ranges reported as weights (the rest are biases); none by default.</summary>
    public Range[] Weights { get; init; } = [];

    ReadOnlySpan<Range> ITrainableNetwork.WeightRanges => Weights;

    public string Name => "Scripted";

    public int InputSize => 1;

    public int OutputSize => 1;

    public int ParameterCount => _parameters.Length;

    public Loss Loss => Loss.MeanSquaredError;

    public Activation OutputActivation => Activation.Linear;

    public Span<float> Parameters => _parameters;

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
    {
        int call = Calls++;
        for (int i = 0; i < gradients.Length; i++)
        {
            gradients[i] = _gradient(call, i);
        }

        return _cost(call);
    }

    float? ITrainableNetwork.ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace, bool computeCost)
    {
        CostRequests.Add(computeCost);
        float cost = ComputeGradients(inputs, labels, gradients, workspace);
        return computeCost || !SkipsUnrequestedCost ? cost : null;
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> y) => y.Clear();

    public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Clear();
}

/// <summary>Passes everything to another network and remembers which examples each ComputeGradients call saw.</summary>
internal sealed class RecordingNetwork(ITrainableNetwork inner) : ITrainableNetwork
{
    /// <summary>Per call, the first input feature of every example in the batch, in order.</summary>
    public List<float[]> Batches { get; } = [];

    public string Name => inner.Name;

    public int InputSize => inner.InputSize;

    public int OutputSize => inner.OutputSize;

    public int ParameterCount => inner.ParameterCount;

    public Loss Loss => inner.Loss;

    public Activation OutputActivation => inner.OutputActivation;

    public Span<float> Parameters => inner.Parameters;

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
    {
        var firstFeatures = new float[inputs.Length / InputSize];
        for (int e = 0; e < firstFeatures.Length; e++)
        {
            firstFeatures[e] = inputs[e * InputSize];
        }

        Batches.Add(firstFeatures);
        return inner.ComputeGradients(inputs, labels, gradients, workspace);
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> y) => inner.Predict(x, y);

    public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => inner.PredictBatch(inputs, outputs);
}

/// <summary>Small seeded data sets, one example per row.</summary>
internal static class ToyData
{
    /// <summary>
    /// m points in the square [-2, 2]², labelled 1 when x0 + x1 &gt; 0, with no point closer than 0.3 to the
    /// boundary: linearly separable with a margin.
    /// </summary>
    public static (float[] Inputs, float[] Labels) Separable(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[2 * m];
        var labels = new float[m];
        for (int e = 0; e < m;)
        {
            float x0 = (float)((4 * random.NextDouble()) - 2);
            float x1 = (float)((4 * random.NextDouble()) - 2);
            if (Math.Abs(x0 + x1) / Math.Sqrt(2) < 0.3)
            {
                continue;
            }

            inputs[2 * e] = x0;
            inputs[(2 * e) + 1] = x1;
            labels[e] = x0 + x1 > 0 ? 1f : 0f;
            e++;
        }

        return (inputs, labels);
    }

    /// <summary>XOR of the quadrants: label 1 when x0 and x1 have the same sign; not linearly separable.</summary>
    public static (float[] Inputs, float[] Labels) Quadrants(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[2 * m];
        var labels = new float[m];
        for (int e = 0; e < m;)
        {
            float x0 = (float)((2 * random.NextDouble()) - 1);
            float x1 = (float)((2 * random.NextDouble()) - 1);
            if (Math.Abs(x0) < 0.2 || Math.Abs(x1) < 0.2)
            {
                continue;
            }

            inputs[2 * e] = x0;
            inputs[(2 * e) + 1] = x1;
            labels[e] = x0 * x1 > 0 ? 1f : 0f;
            e++;
        }

        return (inputs, labels);
    }

    /// <summary>y = 2·x0 − 3·x1 + 0.5 at m seeded points in [-1, 1]².</summary>
    public static (float[] Inputs, float[] Labels) Linear(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[2 * m];
        var labels = new float[m];
        for (int e = 0; e < m; e++)
        {
            float x0 = (float)((2 * random.NextDouble()) - 1);
            float x1 = (float)((2 * random.NextDouble()) - 1);
            inputs[2 * e] = x0;
            inputs[(2 * e) + 1] = x1;
            labels[e] = (2 * x0) - (3 * x1) + 0.5f;
        }

        return (inputs, labels);
    }
}

/// <summary>The steady-state allocation check of <c>Fit</c> on the tiny network and its separable data, which each option's tests share.</summary>
internal static class SteadyStateFit
{
    /// <summary>
    /// Trains <see cref="ScalarNetwork.Tiny"/> on 32 separable examples with the options <paramref name="options"/> makes
    /// around the recorder it is given, and fails unless a run allocates nothing between its record points.
    /// </summary>
    public static void AssertTinyAllocatesNothing(Func<IProgress<TrainingProgress>, TrainingOptions> options, string what)
    {
        (float[] x, float[] y) = ToyData.Separable(32, seed: 20);
        var network = ScalarNetwork.Tiny().Initialize(seed: 21);
        NnGen.Tests.Support.AllocationAssert.NoAllocationBetweenRecords(progress => Trainer.Fit(network, x, y, options(progress)), what);
    }
}
