using System;
using System.Linq;

namespace NnGen.Tests.Training;

/// <summary>
/// Per-example accuracy, the confusion matrix, regression figures, categorical cross-entropy and class-index labels,
/// each against numbers worked out by hand or in double.
/// </summary>
public class MetricsAndSoftmaxTests
{
    [Fact]
    public void Resolve_SoftmaxOutput_DefaultsToCategoricalCrossEntropy()
    {
        Assert.Equal(Loss.CategoricalCrossEntropy, Losses.Resolve(Loss.Default, Activation.Softmax));
        Assert.Equal(Loss.CategoricalCrossEntropy, Losses.Resolve(Loss.CategoricalCrossEntropy, Activation.Softmax));
        Assert.Equal(Loss.BinaryCrossEntropy, Losses.Resolve(Loss.Default, Activation.Sigmoid));
        Assert.Equal(Loss.MeanSquaredError, Losses.Resolve(Loss.Default, Activation.ReLU));
    }

    [Fact]
    public void CategoricalCrossEntropy_MatchesMinusMeanLogOfTheLabelledClassInDouble()
    {
        // Three examples, four classes, including a confidently wrong one (a = 0 for the labelled class).
        float[] a = [0.7f, 0.1f, 0.1f, 0.1f, 0.25f, 0.25f, 0.25f, 0.25f, 1f, 0f, 0f, 0f];
        float[] y = [1f, 0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 1f, 0f, 0f];

        double cost = Losses.CategoricalCrossEntropy(a, y, 3);

        double expected = -(Math.Log(0.7f) + Math.Log(0.25) + Math.Log(1e-7)) / 3;
        Assert.Equal(expected, cost, 1e-12);
        Assert.Equal(cost, Losses.Cost(Loss.CategoricalCrossEntropy, a, y, 3));
    }

    [Fact]
    public void CategoricalCrossEntropy_SoftLabels_WeighEveryClass()
    {
        float[] a = [0.5f, 0.3f, 0.2f];
        float[] y = [0.8f, 0.1f, 0.1f];

        Assert.Equal(-((0.8f * Math.Log(0.5)) + (0.1f * Math.Log(0.3f)) + (0.1f * Math.Log(0.2f))), Losses.CategoricalCrossEntropy(a, y, 1), 1e-7);
    }

    [Fact]
    public void Evaluate_Softmax_CountsArgmaxPerExampleAndBuildsTheConfusionMatrix()
    {
        var network = new FixedOutputs(Activation.Softmax, 3, [
            0.7f, 0.2f, 0.1f,   // predicted 0, label 0: right
            0.1f, 0.3f, 0.6f,   // predicted 2, label 1: wrong
            0.2f, 0.5f, 0.3f,   // predicted 1, label 1: right
            0.4f, 0.4f, 0.2f,   // tie: the first index (0), label 2: wrong
        ]);

        Evaluation result = Trainer.Evaluate(network, new float[4], new[] { 0, 1, 1, 2 });

        Assert.Equal(0.5, result.Accuracy);
        Assert.True(double.IsNaN(result.LabelAccuracy));
        ConfusionMatrix matrix = Assert.IsType<ConfusionMatrix>(result.ConfusionMatrix);
        Assert.Equal(3, matrix.Classes);
        Assert.Equal(4, matrix.Total);
        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(1, matrix[2, 0]);
        Assert.Equal(0.5, matrix.Accuracy);
        Assert.Equal(0.5, matrix.Recall(1));
        Assert.Equal(0.5, matrix.Precision(0));
        double expectedCost = -(Math.Log(0.7f) + Math.Log(0.3f) + Math.Log(0.5f) + Math.Log(0.2f)) / 4;
        Assert.Equal(expectedCost, result.Cost, 1e-12);
        Assert.Contains("actual \\ predicted", matrix.ToString(), StringComparison.Ordinal);
        Assert.Contains("Coat", matrix.ToString(["Shirt", "Coat", "Bag"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MultiLabelSigmoid_CountsAnExampleOnlyWhenEveryLabelIsRight()
    {
        // The 10-class case in small: one-hot labels through several sigmoids used to be scored per value.
        var network = new FixedOutputs(Activation.Sigmoid, 3, [
            0.9f, 0.1f, 0.2f,   // all right
            0.6f, 0.7f, 0.1f,   // first wrong (label 0), second right
            0.1f, 0.2f, 0.3f,   // third wrong (label 1)
            0.2f, 0.1f, 0.8f,   // all right
        ]);
        float[] labels = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1];

        Evaluation result = Trainer.Evaluate(network, new float[4], labels);

        Assert.Equal(2.0 / 4, result.Accuracy);
        Assert.Equal(10.0 / 12, result.LabelAccuracy);
        Assert.Null(result.ConfusionMatrix);
    }

    [Fact]
    public void Evaluate_SingleSigmoid_HasATwoByTwoConfusionMatrix()
    {
        var network = new FixedOutputs(Activation.Sigmoid, 1, [0.9f, 0.2f, 0.7f, 0.4f, 0.6f]);

        Evaluation result = Trainer.Evaluate(network, new float[5], new float[] { 1, 0, 0, 1, 1 });

        ConfusionMatrix matrix = Assert.IsType<ConfusionMatrix>(result.ConfusionMatrix);
        Assert.Equal([1, 1, 1, 2], new[] { matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1] });
        Assert.Equal(0.6, result.Accuracy);
        Assert.Equal(result.Accuracy, result.LabelAccuracy);
    }

    [Fact]
    public void Evaluate_LinearOutput_ReportsMseMaeAndRSquaredInsteadOfOnlyNaN()
    {
        var network = new FixedOutputs(Activation.Linear, 2, [1f, 10f, 2f, 20f, 4f, 30f]);
        float[] labels = [1.5f, 10f, 2f, 18f, 3f, 33f];

        Evaluation result = Trainer.Evaluate(network, new float[3], labels);

        Assert.True(double.IsNaN(result.Accuracy));
        Assert.Null(result.ConfusionMatrix);
        double[] errors = [-0.5, 0, 0, 2, 1, -3];
        Assert.Equal(errors.Sum(e => e * e) / 6, result.MeanSquaredError, 1e-12);
        Assert.Equal(errors.Sum(Math.Abs) / 6, result.MeanAbsoluteError, 1e-12);
        double r0 = 1 - ((0.25 + 0 + 1) / Variance(1.5, 2, 3));
        double r1 = 1 - ((0 + 4 + 9) / Variance(10, 18, 33));
        Assert.Equal((r0 + r1) / 2, result.RSquared, 1e-12);
        Assert.Equal(errors.Sum(e => e * e) / (2 * 3), result.Cost, 1e-12);
    }

    [Fact]
    public void Evaluate_ConstantLabelsPredictedExactly_HaveRSquaredOne()
    {
        var network = new FixedOutputs(Activation.Linear, 1, [2f, 2f]);

        Assert.Equal(1.0, Trainer.Evaluate(network, new float[2], new float[] { 2f, 2f }).RSquared);
    }

    [Fact]
    public void ClassIndices_OutOfRange_NameTheIndexTheValueAndTheClassCount()
    {
        var network = new ScalarNetwork("Fashion", [2, 10], [Activation.Softmax]);
        int[] labels = Enumerable.Range(0, 20).Select(i => i % 10).ToArray();
        labels[17] = 12;

        var fit = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, new float[40], labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));
        var evaluate = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(network, new float[40], labels));

        Assert.Equal("Fashion.Fit: labels[17] is 12, but the network has 10 classes (0 to 9). (Parameter 'labels')", fit.Message);
        Assert.StartsWith("Fashion.Evaluate: labels[17] is 12, but the network has 10 classes", evaluate.Message, StringComparison.Ordinal);
        Assert.All(network.CopyParameters(), p => Assert.Equal(0f, p));
    }

    [Fact]
    public void ClassIndices_WrongCountOrRegressionOutput_AreRefused()
    {
        var softmax = new ScalarNetwork("Soft", [2, 3], [Activation.Softmax]);
        var error = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(softmax, new float[6], new[] { 0, 1 }));
        Assert.StartsWith("Soft.Evaluate: labels has 2 class indices, expected 3 (one per example).", error.Message, StringComparison.Ordinal);

        var error2 = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(ScalarNetwork.LinearRegression(2), new float[4], new[] { 0, 1 }));
        Assert.Contains("class indices need a Softmax or Sigmoid output", error2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneHotRows_ThatDoNotSumToOne_AreRefusedForCategoricalCrossEntropy()
    {
        var network = new ScalarNetwork("Soft", [2, 3], [Activation.Softmax]);
        float[] labels = [1, 0, 0, 0, 1, 1];

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, new float[4], labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));

        Assert.Equal(
            "Soft.Fit: labels row 1 (values 3 to 5) sums to 2, but CategoricalCrossEntropy needs each example's labels to sum to 1 (one-hot rows, or pass class indices). (Parameter 'labels')",
            error.Message);
    }

    [Fact]
    public void Fit_SoftmaxWithClassIndices_EqualsFitWithOneHotRowsAndSeparatesThreeClusters()
    {
        (float[] x, int[] classes) = Clusters(90, seed: 5);
        float[] oneHot = new float[90 * 3];
        for (int e = 0; e < 90; e++)
        {
            oneHot[(e * 3) + classes[e]] = 1f;
        }

        var byIndex = new ScalarNetwork("Soft", [2, 4, 3], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 6);
        var byRow = new ScalarNetwork("Soft", [2, 4, 3], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 6);
        var options = new TrainingOptions { LearningRate = 0.5f, Iterations = 300, Optimizer = new Momentum() };

        TrainingHistory history = Trainer.Fit(byIndex, x, classes, options);
        Trainer.Fit(byRow, x, oneHot, options);

        Assert.Equal(byRow.CopyParameters(), byIndex.CopyParameters());
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal(Math.Log(3), history.Costs[0].Cost, 0.3);
        Evaluation result = Trainer.Evaluate(byIndex, x, classes);
        Assert.True(result.Accuracy >= 0.95, $"accuracy {result.Accuracy}");
        Assert.Equal(result.Accuracy, result.ConfusionMatrix!.Accuracy);
        Assert.Equal((float)result.Cost, history.FinalCost, 1e-6f);
    }

    [Fact]
    public void GradientCheck_SoftmaxCrossEntropy_IsFarBelowOneThousandth()
    {
        (float[] x, int[] classes) = Clusters(12, seed: 7);
        float[] oneHot = new float[12 * 3];
        for (int e = 0; e < 12; e++)
        {
            oneHot[(e * 3) + classes[e]] = 1f;
        }

        var network = new ScalarNetwork("Soft", [2, 5, 3], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 8, scale: 1);

        Assert.InRange(Trainer.GradientCheck(network, x, oneHot), 0, 1e-4);
    }

    private static double Variance(params double[] values)
    {
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean));
    }

    /// <summary>Three Gaussian clusters around (−2, 0), (2, 0) and (0, 2.5), class = cluster.</summary>
    internal static (float[] Inputs, int[] Classes) Clusters(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        (double X, double Y)[] centres = [(-2, 0), (2, 0), (0, 2.5)];
        var inputs = new float[2 * m];
        var classes = new int[m];
        for (int e = 0; e < m; e++)
        {
            int c = e % 3;
            classes[e] = c;
            inputs[2 * e] = (float)(centres[c].X + (0.5 * random.NextGaussian()));
            inputs[(2 * e) + 1] = (float)(centres[c].Y + (0.5 * random.NextGaussian()));
        }

        return (inputs, classes);
    }

    /// <summary>A network whose batch predictions are fixed rows, to test the metrics alone.</summary>
    private sealed class FixedOutputs(Activation output, int outputs, float[] predictions) : ITrainableNetwork
    {
        public string Name => "Fixed";

        public int InputSize => 1;

        public int OutputSize => outputs;

        public int ParameterCount => 1;

        public Loss Loss => Loss.Default;

        public Activation OutputActivation => output;

        public Span<float> Parameters => new float[1];

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) => 0f;

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException("batch only");

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputsSpan) => predictions.CopyTo(outputsSpan);
    }
}
