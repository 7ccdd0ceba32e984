using System;
using System.Linq;

namespace NnGen.Networks.Tests;

/// <summary>
/// Bad training data is rejected by the generated entry points before anything is written; validation data and early
/// stopping leave the network holding the best validated parameters.
/// </summary>
public class TrainingValidationTests
{
    [Fact]
    public void ComputeGradients_LabelOutsideZeroOneForCrossEntropy_ThrowsAndWritesNothing()
    {
        var net = new PlanarNet(2);
        float[] inputs = TestData.Uniform(3 * PlanarNet.InputSize, 1);
        float[] labels = [0f, 1.5f, 1f];
        var gradients = new PlanarNet.Gradients();
        gradients.Values.Fill(42f);

        var exception = Assert.Throws<ArgumentException>(() => net.ComputeGradients(inputs, labels, gradients));

        Assert.Contains("PlanarNet.ComputeGradients", exception.Message, StringComparison.Ordinal);
        Assert.Contains("labels[1] is 1.5", exception.Message, StringComparison.Ordinal);
        Assert.All(gradients.Values.ToArray(), value => Assert.Equal(42f, value));
    }

    [Fact]
    public void ComputeGradients_LabelsOfWrongLength_ThrowsWithBothSizes()
    {
        var net = new MixedNet(2);
        float[] inputs = TestData.Uniform(4 * MixedNet.InputSize, 1);
        // Built at run time: with a constant length the analyzer (NNG0014) already rejects this call at compile time.
        float[] labels = TestData.Binary(7, 3);

        var exception = Assert.Throws<ArgumentException>(() => net.ComputeGradients(inputs, labels, new MixedNet.Gradients()));

        Assert.Contains("MixedNet.ComputeGradients: labels has 7 floats, expected 8 (4 examples x OutputSize 2)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NoExamples_ThrowsBeforeAnyUpdate()
    {
        var net = new PlanarNet(2);
        float[] before = net.Parameters.ToArray();

        var exception = Assert.Throws<ArgumentException>(() => net.Fit(TestData.Uniform(0, 1), TestData.Binary(0, 1), new TrainingOptions { LearningRate = 1f, Iterations = 1 }));

        Assert.Contains("inputs is empty", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void EarlyStopping_FullBatchWithTheBestAtTheLastRecordPoint_LeavesExactlyThoseParameters()
    {
        // Validating on the training data with a small step: the validation cost falls at every record point, so the best
        // is the last one. A full-batch record point validates the parameters its update starts from, so the network
        // then holds one update more unless the best is put back.
        var net = new PlanarNet(2);
        float[] inputs = TestData.Uniform(40 * PlanarNet.InputSize, 6);
        float[] labels = TestData.Binary(40, 7);

        TrainingHistory history = net.Fit(inputs, labels, new TrainingOptions
        {
            LearningRate = 0.05f,
            Iterations = 12,
            RecordEvery = 1,
            Validation = new ValidationData(inputs, labels),
            EarlyStopping = new EarlyStopping { Patience = 20 },
        });

        Assert.Equal(11, history.BestIteration);
        // Random labels: the run ends normally, at or near chance level, which Fit reports as such.
        Assert.True(history.Status is TrainingStatus.Completed or TrainingStatus.NoBetterThanChance, history.Status.ToString());
        double best = history.Costs[^1].ValidationCost;
        Assert.Equal(best, history.Costs.Min(record => record.ValidationCost));
        Assert.Equal(best, net.Evaluate(inputs, labels).Cost);
    }
}
