using System;
using System.Linq;
using NnGen.Data;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>The workspace case: full-batch [10, 1000, 1] on 715,828 examples needs 3001 × 715,828 floats.</summary>
[Network(Inputs = 10)]
[Layer(1000, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class WideNet;

/// <summary>The trainer's options, status and checks on generated networks (the runtime tests use hand-written ones).</summary>
public class TrainingRuntimeTests
{
    [Theory]
    [InlineData(1e6f)]
    [InlineData(1e30f)]
    public void Fit_AbsurdLearningRateOnPlanarNet_IsNotReportedAsCompleted(float learningRate)
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 2);

        TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = learningRate, Iterations = 1000 });

        // Saturated sigmoids keep every value finite: the run is not Diverged but plainly worse than it began.
        Assert.Equal(TrainingStatus.CostIncreased, history.Status);
        Assert.StartsWith("PlanarNet.Fit: the cost ended at ", history.Problem, StringComparison.Ordinal);
        Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void Fit_CourseRun_StaysCompletedWithItsCourseFigures()
    {
        // The defaults reproduce the course: the honest-status checks do not flag a run that works.
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 2);

        TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 1000 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Null(history.Problem);
        Assert.Equal(0.9075, net.Evaluate(data.Inputs, data.Labels).Accuracy, 1e-9);
    }

    [Fact]
    public void Fit_WorkspaceTooLargeForAnArray_NamesNetworkAndBatchAndSuggestsMiniBatches()
    {
        const int Examples = 715_828;
        float[] inputs = new float[Examples * WideNet.InputSize];
        float[] labels = new float[Examples];
        var net = new WideNet(seed: 1);
        float[] before = net.Parameters.ToArray();

        var error = Assert.ThrowsAny<ArgumentException>(() => net.Fit(inputs, labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));

        Assert.StartsWith("WideNet.Fit: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("715828", error.Message, StringComparison.Ordinal);
        Assert.Contains("mini-batches", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void GradientCheck_GeneratedReluAndLeakyReluNetwork_PassesTheDocumentedBound()
    {
        // MixedNet: ReLU then leaky ReLU then sigmoid, the kernel-free tiny path.
        for (int seed = 0; seed < 6; seed++)
        {
            var net = new MixedNet(seed);
            float[] inputs = TestData.Uniform(24 * MixedNet.InputSize, 100 + seed);
            float[] labels = TestData.Binary(24 * MixedNet.OutputSize, 200 + seed);

            GradientCheckResult result = Trainer.CheckGradients(net, inputs, labels);

            Assert.True(result.Difference < 1e-3, $"seed {seed}: {result.Difference} ({result.OneSidedParameters} one-sided)");
        }
    }

    [Fact]
    public void Fit_AdamWithMiniBatchesAndEarlyStopping_OnTheCatNetworkShape_AllocatesNothingPerBatch()
    {
        var net = new MixedNet(seed: 3);
        const int M = 96;
        float[] inputs = TestData.Uniform(M * MixedNet.InputSize, 4);
        float[] labels = TestData.Binary(M * MixedNet.OutputSize, 5);
        float[] validationInputs = TestData.Uniform(32 * MixedNet.InputSize, 6);
        float[] validationLabels = TestData.Binary(32 * MixedNet.OutputSize, 7);
        AllocationAssert.NoAllocationBetweenRecords(
            progress => net.Fit(
                inputs,
                labels,
                new TrainingOptions
                {
                    LearningRate = 1e-3f,
                    Iterations = 60,
                    BatchSize = 16,
                    RecordEvery = 10,
                    Optimizer = new Adam(),
                    Schedule = new StepDecay { Every = 10 },
                    Validation = new ValidationData(validationInputs, validationLabels),
                    EarlyStopping = new EarlyStopping { Patience = 1_000 },
                    Progress = progress,
                }),
            "49 passes of Adam mini-batches with validation");
    }

    [Fact]
    public void Fit_EarlyStoppingOnAValidationSplit_RestoresTheBestGeneratedParameters()
    {
        // Every fourth example is held out (the data set lists one class after the other).
        Dataset data = PlanarDataset.Generate(seed: 1);
        float[] all = data.Inputs.ToArray(), allLabels = data.Labels.ToArray();
        int[] order = Enumerable.Range(0, allLabels.Length).OrderBy(e => e % 4 == 0 ? 1 : 0).ThenBy(e => e).ToArray();
        float[] x = order.SelectMany(e => new[] { all[2 * e], all[(2 * e) + 1] }).ToArray();
        float[] y = order.Select(e => allLabels[e]).ToArray();
        int train = 300;
        var net = new PlanarNet(seed: 2);
        var snapshots = new System.Collections.Generic.Dictionary<int, float[]>();

        TrainingHistory history = net.Fit(
            x.AsSpan(0, train * 2),
            y.AsSpan(0, train),
            new TrainingOptions
            {
                LearningRate = 0.05f,
                Iterations = 3000,
                BatchSize = 32,
                RecordEvery = 1,
                Optimizer = new Adam(),
                Validation = new ValidationData(x.AsMemory(train * 2), y.AsMemory(train)),
                EarlyStopping = new EarlyStopping { Patience = 10 },
                Progress = new Snapshots(net, snapshots),
            });

        int best = Assert.IsType<int>(history.BestIteration);
        Assert.Equal(snapshots[best], net.Parameters.ToArray());
        Assert.Equal(history.Costs.Min(c => c.ValidationCost), Trainer.Evaluate(net, x.AsSpan(train * 2), y.AsSpan(train)).Cost, 1e-9);
        Assert.True(history.Costs.Single(c => c.Iteration == best).ValidationMetric > 0.8);
    }

    private sealed class Snapshots(PlanarNet net, System.Collections.Generic.Dictionary<int, float[]> snapshots) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => snapshots[value.Iteration] = net.Parameters.ToArray();
    }
    [Fact]
    public void Fit_WithL2OnPlanarNet_OneStepIsGradientDescentOnTheRegularizedCost_BiasesUndecayed()
    {
        // Reference: the network's own gradients plus (λ/m)·W on W1 and W2 only, one update in double.
        const float Lambda = 0.7f, Rate = 0.5f;
        Dataset data = PlanarDataset.Generate(seed: 1);
        int m = data.Count;
        var net = new PlanarNet(seed: 2);
        double[] before = net.Parameters.ToArray().Select(p => (double)p).ToArray();
        var gradients = new PlanarNet.Gradients();
        net.ComputeGradients(data.Inputs, data.Labels, gradients);
        double[] expected = new double[before.Length];
        for (int i = 0; i < before.Length; i++)
        {
            bool isWeight = (i >= PlanarNet.W1Offset && i < PlanarNet.b1Offset) || (i >= PlanarNet.W2Offset && i < PlanarNet.b2Offset);
            double decay = isWeight ? Lambda / (double)m * before[i] : 0.0;
            expected[i] = before[i] - (Rate * (gradients.Values[i] + decay));
        }

        TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = Rate, Iterations = 1, L2 = Lambda });

        // One step from randn·0.01 weights leaves the cost at ln 2, the chance level of the balanced planar labels.
        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        float[] after = net.Parameters.ToArray();
        for (int i = 0; i < after.Length; i++)
        {
            Assert.True(Math.Abs(after[i] - expected[i]) <= 1e-6 * (1 + Math.Abs(expected[i])), $"parameter {i}: {after[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void FitAndEvaluate_ClassIndices_EqualOneHotRowsOnAGeneratedSoftmaxNetwork()
    {
        // [4,5,3] softmax: class-index labels are the one-hot rows they stand for, bit for bit.
        var random = new Random(3);
        const int Examples = 60;
        float[] inputs = Enumerable.Range(0, Examples * 4).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        int[] classes = Enumerable.Range(0, Examples).Select(i => i % 3).ToArray();
        float[] oneHot = new float[Examples * 3];
        for (int i = 0; i < Examples; i++)
        {
            oneHot[(i * 3) + classes[i]] = 1f;
        }

        var byIndex = new ClassIndexNet(seed: 1);
        var byRows = new ClassIndexNet(seed: 1);
        var options = new TrainingOptions { LearningRate = 0.1f, Iterations = 20 };
        byIndex.Fit(inputs, classes, options);
        byRows.Fit(inputs, oneHot, options);

        Assert.Equal(byRows.Parameters.ToArray(), byIndex.Parameters.ToArray());
        Assert.Equal(byRows.Evaluate(inputs, oneHot).Accuracy, byIndex.Evaluate(inputs, classes).Accuracy);
        var bad = Assert.ThrowsAny<ArgumentException>(() => byIndex.Evaluate(inputs, classes.Select(c => c == 2 ? 3 : c).ToArray()));
        Assert.Contains("is 3, but the network has 3 classes", bad.Message, StringComparison.Ordinal);
    }
}

/// <summary>A tiny softmax classifier for the class-index overloads.</summary>
[Network(Inputs = 4)]
[Layer(5, Activation.Tanh)]
[Layer(3, Activation.Softmax)]
public partial class ClassIndexNet;
