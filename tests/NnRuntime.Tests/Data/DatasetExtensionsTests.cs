using System;
using System.Linq;
using NnGen.Data;
using NnGen.Tests.Training;

namespace NnGen.Tests.Data;

/// <summary>Fit, Evaluate and class predictions taking a Dataset, as a Keras or scikit-learn user expects.</summary>
public class DatasetExtensionsTests
{
    [Fact]
    public void Fit_DatasetOfClassIndices_TrainsExactlyAsOneHotRows()
    {
        Dataset data = Wine(90, seed: 1);
        var byDataset = Softmax().Initialize(seed: 2);
        var byRows = Softmax().Initialize(seed: 2);
        var options = new TrainingOptions { LearningRate = 0.3f, Iterations = 50, RecordEvery = 10 };

        TrainingHistory history = byDataset.Fit(data, options);
        TrainingHistory reference = Trainer.Fit(byRows, data.Inputs, data.ToOneHot().Labels, options);

        Assert.Equal(reference.Costs, history.Costs);
        Assert.Equal(byRows.CopyParameters(), byDataset.CopyParameters());
    }

    [Fact]
    public void Evaluate_Dataset_EqualsTheSpanOverloadForBothLabelLayouts()
    {
        Dataset data = Wine(60, seed: 3);
        var network = Softmax().Initialize(seed: 4);

        Evaluation reference = Trainer.Evaluate(network, data.Inputs, data.ToOneHot().Labels);

        Assert.Equal(reference.Cost, network.Evaluate(data).Cost);
        Assert.Equal(reference.Accuracy, network.Evaluate(data).Accuracy);
        Assert.Equal(reference.Cost, network.Evaluate(data.ToOneHot()).Cost);
    }

    [Fact]
    public void Fit_DatasetThatDoesNotFit_ThrowsNamingBothSizes()
    {
        var network = Softmax();
        var wide = new Dataset(new float[10], 5, new float[2], 1);

        var exception = Assert.Throws<ArgumentException>(() => network.Fit(wide, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));

        Assert.Contains("inputs has 10 floats, which is not a multiple of InputSize 4", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_DatasetWithFractionalLabelsOnAClassifier_ThrowsSayingTheyMustBeClasses()
    {
        var network = Softmax();
        var data = new Dataset(new float[8], 4, [0f, 1.5f], 1);

        var exception = Assert.Throws<ArgumentException>(() => network.Fit(data, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));

        Assert.StartsWith("Wine.Fit: the data set has one label per example and the network 3 outputs, so the labels must be class indices, but ClassIndices: labels[1] is 1.5", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictClasses_Softmax_IsTheArgMaxOfPredictBatchAndPredictClassAgrees()
    {
        Dataset data = Wine(30, seed: 5);
        var network = Softmax().Initialize(seed: 6);
        var outputs = new float[data.Count * 3];
        network.PredictBatch(data.Inputs, outputs);

        int[] classes = network.PredictClasses(data);

        Assert.Equal(Enumerable.Range(0, data.Count).Select(e => Array.IndexOf(outputs, outputs.Skip(e * 3).Take(3).Max(), e * 3) - (e * 3)), classes);
        Assert.Contains(classes, c => c != classes[0]);
        for (int e = 0; e < data.Count; e++)
        {
            Assert.Equal(classes[e], network.PredictClass(data.Inputs.AsSpan(e * 4, 4)));
        }
    }

    [Fact]
    public void PredictClasses_SingleSigmoid_IsOneAboveOneHalf()
    {
        (float[] x, _) = ToyData.Separable(40, seed: 7);
        var network = ScalarNetwork.LogisticRegression(2).Initialize(seed: 8, scale: 2);
        var outputs = new float[40];
        network.PredictBatch(x, outputs);

        int[] classes = network.PredictClasses(x);

        Assert.Equal(outputs.Select(a => a > 0.5f ? 1 : 0), classes);
        Assert.Contains(0, classes);
        Assert.Contains(1, classes);
    }

    [Fact]
    public void PredictClasses_RegressionNetwork_ThrowsSayingItPredictsValues()
    {
        var network = ScalarNetwork.LinearRegression(2);

        var exception = Assert.Throws<InvalidOperationException>(() => network.PredictClasses(new float[4]));

        Assert.Equal("LinReg.PredictClasses: the output activation is Linear, so the network predicts values, not classes; classes need a Softmax or Sigmoid output.", exception.Message);
        Assert.Throws<ArgumentException>(() => Softmax().PredictClass(new float[3]));
    }

    [Fact]
    public void Fit_ClassIndicesAsLabelRows_NamesTheRemedies()
    {
        Dataset data = Wine(12, seed: 9);
        var network = Softmax();

        var exception = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, data.Inputs, data.Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));

        Assert.Equal(
            "Wine.Fit: labels has 12 floats, one per example, but the network has 3 outputs, so it needs 36 (12 examples x OutputSize 3): these look like class indices. Turn them into one-hot rows (Dataset.ToOneHot(), OneHot.Encode), or pass them as class indices (the overload taking ReadOnlySpan<int>, or Fit/Evaluate with the Dataset itself). (Parameter 'labels')",
            exception.Message);
        Assert.Contains("Dataset.ToOneHot()", Assert.Throws<ArgumentException>(() => Trainer.Evaluate(network, data.Inputs, data.Labels)).Message, StringComparison.Ordinal);
    }

    private static ScalarNetwork Softmax() => new("Wine", [4, 6, 3], [Activation.Tanh, Activation.Softmax]);

    /// <summary>Three classes of four features around separate centres, labels as class indices with names.</summary>
    internal static Dataset Wine(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[m * 4];
        var labels = new float[m];
        for (int e = 0; e < m; e++)
        {
            int c = e % 3;
            labels[e] = c;
            for (int f = 0; f < 4; f++)
            {
                inputs[(e * 4) + f] = (c == f ? 1.5f : 0f) + (float)((random.NextDouble() - 0.5) * 0.8);
            }
        }

        return new Dataset(inputs, 4, labels, 1, ["class_0", "class_1", "class_2"]);
    }
}
