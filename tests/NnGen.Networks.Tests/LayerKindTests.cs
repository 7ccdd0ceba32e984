using System;
using System.Linq;

namespace NnGen.Networks.Tests;

/// <summary>
/// Dropout, batch norm and layer norm in generated networks, against the double-precision reference
/// (<see cref="LayerKindReference"/>): inference outputs, the training forward's cost, every parameter gradient and the
/// running statistics after a step, plus the finite-difference gradient check of the training-mode cost (one mask).
/// </summary>
public partial class LayerKindTests
{
    private const int Examples = 16;
    private const ulong StepSeed = 0xC0FFEE;

    // float32 against double: a forward pass is good to a few ulps of its largest terms.
    private const double OutputTolerance = 2e-5;

    // Gradients sum products over the examples and pass through a normalization's differences of similar terms.
    private const double GradientTolerance = 2e-4;

    public static TheoryData<string> Networks => new() { nameof(BatchNormNet), nameof(LayerNormNet), nameof(DropoutNet), nameof(AllKindsNet), nameof(InputNormNet) };

    [Theory]
    [MemberData(nameof(Networks))]
    public void PredictBatch_MatchesDoubleReference_InInferenceMode(string name)
    {
        (ISerializableNetwork net, float[] inputs, _) = Create(name);
        var outputs = new float[Examples * net.OutputSize];
        net.PredictBatch(inputs, outputs);

        double[,] expected = new LayerKindReference(net).Predict(inputs);

        AssertClose(Flatten(expected), outputs, OutputTolerance, "PredictBatch");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Predict_OneExample_MatchesDoubleReference(string name)
    {
        (ISerializableNetwork net, float[] inputs, _) = Create(name);
        double[] expected = Flatten(new LayerKindReference(net).Predict(inputs));
        var y = new float[net.OutputSize];
        for (int e = 0; e < Examples; e++)
        {
            net.Predict(inputs.AsSpan(e * net.InputSize, net.InputSize), y);
            AssertClose(expected.AsSpan(e * net.OutputSize, net.OutputSize).ToArray(), y, OutputTolerance, $"Predict of example {e}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void ComputeGradients_MatchDoubleReference_InTrainingMode(string name)
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(name);
        LayerKindReference.Result expected = new LayerKindReference(net).Train(inputs, labels, StepSeed);

        var gradients = new float[net.ParameterCount];
        float cost = net.ComputeGradients(inputs, labels, gradients, new Workspace(), computeCost: true, StepSeed)!.Value;

        Assert.True(Math.Abs(cost - expected.Cost) <= OutputTolerance * Math.Max(1, expected.Cost), $"cost {cost} against {expected.Cost}");
        AssertClose(expected.Gradients, gradients, GradientTolerance, "gradients");
        AssertClose(expected.StateAfter, net.State.ToArray(), OutputTolerance, "running statistics after the step");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientCheck_TrainingModeCost_IsBelowOneThousandth(string name)
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(name);
        float[] state = net.State.ToArray();

        double difference = Trainer.GradientCheck(net, inputs, labels);

        Assert.True(difference < 1e-3, $"{name}: {difference}");
        Assert.Equal(state, net.State.ToArray());
    }

    [Fact]
    public void GradientCheck_DropoutMaskDroppedFromBackward_IsDetected()
    {
        // With a different mask in the backward pass than in the cost, the check must fail: the masks are what it sees.
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(nameof(DropoutNet));
        var wrongMask = new SeedShiftingNetwork(net);

        Assert.True(Trainer.GradientCheck(net, inputs, labels) < 1e-3);
        Assert.True(Trainer.GradientCheck(wrongMask, inputs, labels) > 1e-2);
    }

    [Fact]
    public void Dropout_SameStepSeed_SameBits_DifferentSeed_DifferentMask()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(nameof(DropoutNet));
        float[] Run(ulong seed)
        {
            var gradients = new float[net.ParameterCount];
            net.ComputeGradients(inputs, labels, gradients, new Workspace(), computeCost: true, seed);
            return gradients;
        }

        // Two separate runs with one seed: the mask depends on the seed alone.
        float[] first = Run(7), again = Run(7), other = Run(8);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void BatchNorm_Predict_UsesRunningStatistics_TrainingUpdatesThem()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(nameof(BatchNormNet));
        var before = new float[Examples * net.OutputSize];
        net.PredictBatch(inputs, before);
        float[] state = net.State.ToArray();

        net.ComputeGradients(inputs, labels, new float[net.ParameterCount], new Workspace(), computeCost: false, StepSeed);

        Assert.NotEqual(state, net.State.ToArray());
        var after = new float[before.Length];
        net.PredictBatch(inputs, after);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Summary_ShowsEveryKindWithParameterAndStateCounts()
    {
        string[] lines = AllKindsNet.Summary.Split('\n');

        Assert.Contains(lines, line => line.StartsWith("BatchNorm 2", StringComparison.Ordinal) && line.Contains("γ (10)") && System.Text.RegularExpressions.Regex.IsMatch(line, @"\s20\s+20$"));
        Assert.Contains(lines, line => line.StartsWith("Dropout 3", StringComparison.Ordinal) && line.Contains("p = 0.2"));
        Assert.Contains(lines, line => line.StartsWith("LayerNorm 5", StringComparison.Ordinal) && line.Contains("β (8)"));
        // PyTorch counts 130 + 20 + 88 + 16 + 36 = 290 parameters and 20 buffer floats (num_batches_tracked aside).
        Assert.Contains("Total parameters: 290", AllKindsNet.Summary);
        Assert.Contains("Total state (running statistics, not trained): 20", AllKindsNet.Summary);
        Assert.Equal(290, AllKindsNet.ParameterCount);
        Assert.Equal(20, AllKindsNet.StateCount);
    }

    [Fact]
    public void NewNetwork_StartsAsPyTorch_GammaOnes_BetaZeros_RunningVarianceOnes()
    {
        var net = new AllKindsNet(seed: 1);

        Assert.All(net.gamma2.ToArray(), value => Assert.Equal(1f, value));
        Assert.All(net.beta2.ToArray(), value => Assert.Equal(0f, value));
        Assert.All(net.RunningMean2.ToArray(), value => Assert.Equal(0f, value));
        Assert.All(net.RunningVariance2.ToArray(), value => Assert.Equal(1f, value));
        Assert.All(net.gamma5.ToArray(), value => Assert.Equal(1f, value));
    }

    [Fact]
    public void DenseWeights_DrawTheSameStream_AsTheDenseOnlyNetwork()
    {
        // Layers without weights draw nothing, so W1 and W4 of [Dense 6, Dropout, Dense 2] are those of [Dense 6, Dense 2].
        var withDropout = new DropoutNet(seed: 4);
        var dense = new DenseOnlyTwin(seed: 4);

        Assert.Equal(dense.W1.ToArray(), withDropout.W1.ToArray());
        Assert.Equal(dense.W2.ToArray(), withDropout.W3.ToArray());
    }

    [Fact]
    public void LayerSynonym_DenseAndLayer_GenerateTheSameNetwork()
    {
        var synonym = new SynonymNet(seed: 2);
        Assert.Equal(4 * 3 + 4 + 4 + 1, SynonymNet.ParameterCount);
        Assert.Equal(2, SynonymNet.LayerCount);
        Assert.False(((ITrainableNetwork)synonym).HasTrainingMode);
    }

    [Fact]
    public void Fit_AllKindsNet_LearnsAndKeepsStateFinite()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = Create(nameof(AllKindsNet), examples: 256);
        var typed = (AllKindsNet)net;
        double before = typed.Evaluate(inputs, labels).Cost;

        TrainingHistory history = typed.Fit(inputs, labels, new TrainingOptions { LearningRate = 0.01f, Iterations = 40, BatchSize = 32, Seed = 3, Optimizer = new Adam() });

        Assert.NotEqual(TrainingStatus.Diverged, history.Status);
        Assert.True(typed.Evaluate(inputs, labels).Cost < before);
        Assert.All(net.State.ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    internal static (ISerializableNetwork Net, float[] Inputs, float[] Labels) Create(string name, int examples = Examples)
    {
        ISerializableNetwork net = name switch
        {
            nameof(BatchNormNet) => new BatchNormNet(seed: 11),
            nameof(LayerNormNet) => new LayerNormNet(seed: 12),
            nameof(DropoutNet) => new DropoutNet(seed: 13),
            nameof(AllKindsNet) => new AllKindsNet(seed: 14),
            nameof(InputNormNet) => new InputNormNet(seed: 15),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        // Move γ, β and the running statistics off their starting values, so every term of every formula shows.
        float[] shift = TestData.Uniform(net.ParameterCount, 21, 0.2f);
        Span<float> parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] += shift[i];
        }

        float[] state = TestData.Uniform(net.State.Length, 22, 0.4f);
        foreach (LayerTensor tensor in net.Architecture.Tensors.Where(tensor => tensor.IsState))
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                net.State[tensor.Offset + i] = tensor.Role == TensorRole.RunningVariance ? 1f + state[tensor.Offset + i] : state[tensor.Offset + i];
            }
        }

        float[] inputs = TestData.Uniform(examples * net.InputSize, 23, 2f);
        float[] labels = new float[examples * net.OutputSize];
        var random = new Random(24);
        for (int e = 0; e < examples; e++)
        {
            if (net.Architecture.Loss == Loss.CategoricalCrossEntropy)
            {
                labels[(e * net.OutputSize) + random.Next(net.OutputSize)] = 1f;
            }
            else
            {
                for (int j = 0; j < net.OutputSize; j++)
                {
                    labels[(e * net.OutputSize) + j] = net.Architecture.Loss == Loss.BinaryCrossEntropy ? random.Next(2) : (float)random.NextDouble();
                }
            }
        }

        return (net, inputs, labels);
    }

    private static double[] Flatten(double[,] matrix) => matrix.Cast<double>().ToArray();

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= tolerance * Math.Max(Math.Abs(expected[i]), 1e-2 * Math.Max(scale, 1e-3)),
                $"{what}[{i}]: {actual[i]} against {expected[i]} (error {error:G3}, tolerance {tolerance} relative)");
        }
    }

    /// <summary>DropoutNet's weights with [Dense 6, Dense 2]: the initialization stream is the same.</summary>
    [Network(Inputs = 5)]
    [Dense(6, Activation.ReLU)]
    [Dense(2, Activation.Sigmoid)]
    private sealed partial class DenseOnlyTwin;

    /// <summary>A network whose backward pass runs with another step's mask than the one it is asked for.</summary>
    private sealed class SeedShiftingNetwork(ISerializableNetwork inner) : ITrainableNetwork
    {
        public string Name => inner.Name;

        public int InputSize => inner.InputSize;

        public int OutputSize => inner.OutputSize;

        public int ParameterCount => inner.ParameterCount;

        public Loss Loss => inner.Loss;

        public Activation OutputActivation => inner.OutputActivation;

        public Span<float> Parameters => inner.Parameters;

        public bool HasTrainingMode => true;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
            inner.ComputeGradients(inputs, labels, gradients, workspace);

        public float? ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace, bool computeCost, ulong stepSeed)
        {
            // The cost comes from the asked-for mask, the gradients from the next step's.
            float? cost = inner.ComputeGradients(inputs, labels, gradients, workspace, computeCost, stepSeed);
            inner.ComputeGradients(inputs, labels, gradients, workspace, computeCost: false, stepSeed + 1);
            return cost;
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => inner.Predict(x, y);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => inner.PredictBatch(inputs, outputs);
    }
}
