using System;
using System.Linq;
using NnGen.Data;
using NnGen.Tests.Data;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>A smaller configuration of the Fashion-MNIST sample, for CI: 784 → 64 ReLU → 10-class softmax.</summary>
[Network(Inputs = 784)]
[Layer(64, Activation.ReLU)]
[Layer(10, Activation.Softmax)]
public partial class SmallFashionNet;

/// <summary>A tiny softmax network (the fused small-network path): 4 → 8 ReLU → 3 classes.</summary>
[Network(Inputs = 4)]
[Layer(8, Activation.ReLU)]
[Layer(3, Activation.Softmax)]
public partial class TinySoftmaxNet;

/// <summary>Generated softmax networks trained by the runtime: Fashion-MNIST accuracy, class indices, allocation.</summary>
public class MultiClassTrainingTests
{
    [FashionMnistFact]
    public void Fit_SmallFashionNetWithAdamAndEarlyStopping_ReachesEightyFivePercentTestAccuracy()
    {
        (Dataset train, Dataset test) = FashionMnist.Load(encoding: LabelEncoding.ClassIndex);
        (Dataset fit, Dataset validation) = train.Split(testFraction: 5000.0 / 60000, seed: 0);
        var net = new SmallFashionNet(seed: 1);

        TrainingHistory history = Trainer.Fit(net, fit.Inputs, fit.ClassIndices(), new TrainingOptions
        {
            LearningRate = 2e-3f,
            Iterations = 5,
            BatchSize = 128,
            Seed = 2,
            RecordEvery = 1,
            Optimizer = new Adam(),
            Validation = new ValidationData(validation.Inputs, validation.ClassIndices()),
            EarlyStopping = new EarlyStopping { Patience = 2, Monitor = EarlyStoppingMonitor.ValidationMetric },
        });
        Evaluation result = Trainer.Evaluate(net, test.Inputs, test.ClassIndices());

        Assert.Contains(history.Status, new[] { TrainingStatus.Completed, TrainingStatus.StoppedEarly });
        Assert.True(result.Accuracy >= 0.85, $"test accuracy {result.Accuracy:P2}");
        ConfusionMatrix matrix = Assert.IsType<ConfusionMatrix>(result.ConfusionMatrix);
        Assert.Equal(10_000, matrix.Total);
        Assert.Equal(result.Accuracy, matrix.Accuracy, 1e-12);
        Assert.All(history.Costs, c => Assert.InRange(c.ValidationMetric, 0.7, 1.0));
    }

    [Fact]
    public void Fit_TinySoftmaxNetWithClassIndices_EqualsOneHotRowsAndLearnsThreeClusters()
    {
        (float[] x, int[] classes) = Clusters(150, seed: 3);
        float[] oneHot = new float[classes.Length * 3];
        for (int e = 0; e < classes.Length; e++)
        {
            oneHot[(e * 3) + classes[e]] = 1f;
        }

        var byIndex = new TinySoftmaxNet(seed: 4);
        var byRow = new TinySoftmaxNet(seed: 4);
        var options = new TrainingOptions { LearningRate = 0.01f, Iterations = 60, BatchSize = 25, Optimizer = new Adam() };

        TrainingHistory history = Trainer.Fit(byIndex, x, classes, options);
        byRow.Fit(x, oneHot, options);

        Assert.Equal(byRow.Parameters.ToArray(), byIndex.Parameters.ToArray());
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Evaluation result = byIndex.Evaluate(x, oneHot);
        Assert.True(result.Accuracy >= 0.95, $"accuracy {result.Accuracy:P2}");
        Assert.Equal(result.Accuracy, Trainer.Evaluate(byIndex, x, classes).Accuracy);
        Assert.True(byIndex.GradientCheck(x.AsSpan(0, 40), oneHot.AsSpan(0, 30)) < 1e-3);
    }

    [Fact]
    public void Fit_SoftmaxWithAdam_AllocatesNothingPerBatchOnBothStrategies()
    {
        (float[] x, int[] classes) = Clusters(96, seed: 5);
        float[] oneHot = new float[classes.Length * 3];
        for (int e = 0; e < classes.Length; e++)
        {
            oneHot[(e * 3) + classes[e]] = 1f;
        }

        var tiny = new TinySoftmaxNet(seed: 6);
        AssertPassesAllocateNothing(tiny, x, oneHot);

        var wide = new SmallFashionNet(seed: 7);
        float[] images = TestData.Uniform(64 * SmallFashionNet.InputSize, 8);
        float[] labels = new float[64 * 10];
        for (int e = 0; e < 64; e++)
        {
            labels[(e * 10) + (e % 10)] = 1f;
        }

        AssertPassesAllocateNothing(wide, images, labels);
    }

    private static void AssertPassesAllocateNothing(ITrainableNetwork net, float[] inputs, float[] labels)
    {
        AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(net, inputs, labels, new TrainingOptions { LearningRate = 1e-3f, Iterations = 12, BatchSize = 16, RecordEvery = 1, Optimizer = new Adam(), Progress = progress }),
            $"{net.Name}: 10 passes of softmax + Adam mini-batches");
    }

    /// <summary>Three clusters in four dimensions, class = cluster.</summary>
    private static (float[] Inputs, int[] Classes) Clusters(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[4 * m];
        var classes = new int[m];
        for (int e = 0; e < m; e++)
        {
            int c = e % 3;
            classes[e] = c;
            for (int j = 0; j < 4; j++)
            {
                inputs[(4 * e) + j] = (float)((j == c ? 2.0 : 0.0) + (0.6 * random.NextGaussian()));
            }
        }

        return (inputs, classes);
    }
}
