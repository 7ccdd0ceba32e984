using System;
using System.Collections.Generic;
using System.Linq;

namespace NnGen.Tests.Training;

/// <summary>A classifier that ends no better than guessing the class frequencies is not reported as Completed.</summary>
public class ChanceLevelTests
{
    private const int Classes = 10;
    private const int Features = 16;

    [Fact]
    public void Fit_TwelveSigmoidLayersOnDigits_IsNoBetterThanChanceWithTheFigures()
    {
        // The run: a deep sigmoid stack passes no gradient back, so only the output bias learns the class
        // frequencies; the cost falls steadily to the entropy and stays there.
        (float[] x, float[] y) = Digits(200, seed: 1);
        var network = DeepSigmoid().Initialize(seed: 2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 60, RecordEvery = 10 });

        double chance = Entropy(y, Classes);
        Assert.True(history.Costs.Select(c => c.Cost).SequenceEqual(history.Costs.Select(c => c.Cost).OrderDescending()), "the cost fell at every record point");
        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        Assert.Equal(59, history.ProblemAtIteration);
        Assert.Contains($"no better than the {chance:G6} of always guessing the class frequencies (the entropy of the 10 class frequencies, 9.0 % to 13.0 % of the training labels; ln 10 = 2.303 when balanced)", history.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"Deep.Fit: the cost ended at {history.FinalCost:G6}, ", history.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_SoftmaxEndingAboveLn10ButBelowItsStart_IsNoBetterThanChance()
    {
        // The other run, its costs scripted: a softmax network at α = 1e6 falls from a saturated start to 2.456,
        // above ln 10 = 2.303 for ten balanced classes, so no other check fires.
        var y = new float[20 * Classes];
        for (int e = 0; e < 20; e++)
        {
            y[(e * Classes) + (e % Classes)] = 1f;
        }

        var network = new ScriptedSoftmax(call => 2.9f - (0.444f * Math.Min(call, 10) / 10));

        TrainingHistory history = Trainer.Fit(network, new float[20], y, new TrainingOptions { LearningRate = 1e6f, Iterations = 11, RecordEvery = 1, PriceFinalCost = false });

        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        Assert.Equal(
            "ScriptedSoftmax.Fit: the cost ended at 2.456, no better than the 2.30259 of always guessing the class frequencies (the entropy of 10 equally frequent classes, ln 10): the network learned nothing usable (check the learning rate, the depth and activations, and the input scaling).",
            history.Problem);
    }

    [Fact]
    public void Fit_ShallowNetworkOnDigits_LearnsAndIsCompleted()
    {
        (float[] x, float[] y) = Digits(200, seed: 1);
        var network = new ScalarNetwork("Shallow", [Features, 16, Classes], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 200, RecordEvery = 50 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.True(history.FinalCost < 0.5 * Entropy(y, Classes), $"final cost {history.FinalCost}");
        Assert.Null(history.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void Fit_LogisticRegressionOnNoise_IsNoBetterThanTheLabelsEntropy(int batchSize)
    {
        // Labels unrelated to the inputs, 30 % ones: the best the model can do is predict 0.3 everywhere, H(0.3) = 0.611
        // (fitting the noise of 1000 examples gains about 3 / 2000, well inside the margin).
        (float[] x, float[] y) = Noise(1000, seed: 3);
        var network = ScalarNetwork.LogisticRegression(2).Initialize(seed: 4);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.1f, Iterations = 100, RecordEvery = 10, BatchSize = batchSize });

        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        Assert.Contains("(the entropy of the labels' share of 1s, 30.0 %; ln 2 = 0.6931 when balanced)", history.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_BatchSourceOnNoise_CountsTheLabelsOfTheFirstPass()
    {
        (float[] x, float[] y) = Noise(1000, seed: 3);
        var network = ScalarNetwork.LogisticRegression(2).Initialize(seed: 4);
        IEnumerable<(ReadOnlyMemory<float>, ReadOnlyMemory<float>)> batches = Enumerable.Range(0, 5)
            .Select(b => ((ReadOnlyMemory<float>)x.AsMemory(b * 400, 400), (ReadOnlyMemory<float>)y.AsMemory(b * 200, 200)));

        TrainingHistory history = Trainer.Fit(network, batches, new TrainingOptions { LearningRate = 0.1f, Iterations = 50, RecordEvery = 10 });

        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        Assert.Contains("30.0 %", history.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_SeparableData_IsCompletedWellBelowChance()
    {
        (float[] x, float[] y) = ToyData.Separable(100, seed: 5);
        var network = ScalarNetwork.LogisticRegression(2).Initialize(seed: 6);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 200 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
    }

    [Fact]
    public void Fit_RegressionNearItsStart_IsNotJudgedAgainstChance()
    {
        // Chance is a classification notion; a regression that barely moved is not flagged by it.
        (float[] x, float[] y) = ToyData.Linear(50, seed: 7);
        var network = ScalarNetwork.LinearRegression(2).Initialize(seed: 8);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 1e-4f, Iterations = 3 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
    }

    /// <summary>A one-input, ten-class softmax "network" whose n-th cost is scripted; its gradients are zero.</summary>
    private sealed class ScriptedSoftmax(Func<int, float> cost) : ITrainableNetwork
    {
        private readonly float[] _parameters = [0f];
        private int _calls;

        public string Name => "ScriptedSoftmax";

        public int InputSize => 1;

        public int OutputSize => Classes;

        public int ParameterCount => 1;

        public Loss Loss => Loss.CategoricalCrossEntropy;

        public Activation OutputActivation => Activation.Softmax;

        public Span<float> Parameters => _parameters;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
        {
            gradients.Clear();
            return cost(_calls++);
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => y.Fill(1f / Classes);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Fill(1f / Classes);
    }

    private static ScalarNetwork DeepSigmoid()
    {
        int[] sizes = [Features, .. Enumerable.Repeat(8, 12), Classes];
        Activation[] activations = [.. Enumerable.Repeat(Activation.Sigmoid, 12), Activation.Softmax];
        return new ScalarNetwork("Deep", sizes, activations);
    }

    /// <summary>Ten well-separated clusters in 16 dimensions, one-hot labels; class sizes 18 to 26 of 200.</summary>
    private static (float[] Inputs, float[] Labels) Digits(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var centres = new float[Classes * Features];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)((4 * random.NextDouble()) - 2);
        }

        var inputs = new float[m * Features];
        var labels = new float[m * Classes];
        for (int e = 0; e < m; e++)
        {
            // Unbalanced a little, so the entropy is not exactly ln 10.
            int c = e < 8 ? 0 : e < 16 ? 1 : e % Classes;
            for (int f = 0; f < Features; f++)
            {
                inputs[(e * Features) + f] = centres[(c * Features) + f] + (float)(0.3 * ((2 * random.NextDouble()) - 1));
            }

            labels[(e * Classes) + c] = 1f;
        }

        return (inputs, labels);
    }

    private static (float[] Inputs, float[] Labels) Noise(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[2 * m];
        var labels = new float[m];
        for (int e = 0; e < m; e++)
        {
            inputs[2 * e] = (float)((2 * random.NextDouble()) - 1);
            inputs[(2 * e) + 1] = (float)((2 * random.NextDouble()) - 1);
            labels[e] = e % 10 < 3 ? 1f : 0f;
        }

        return (inputs, labels);
    }

    private static double Entropy(float[] oneHot, int classes)
    {
        int m = oneHot.Length / classes;
        double entropy = 0;
        for (int c = 0; c < classes; c++)
        {
            double p = Enumerable.Range(0, m).Count(e => oneHot[(e * classes) + c] == 1f) / (double)m;
            entropy -= p > 0 ? p * Math.Log(p) : 0;
        }

        return entropy;
    }
}
