using System;
using System.Collections.Generic;
using System.Linq;

namespace NnGen.Tests.Training;

/// <summary>Validation data in Fit, the figures recorded per record point, and early stopping restoring the best parameters.</summary>
public class EarlyStoppingTests
{
    // Training labels follow y = 2x, validation labels y = x: from w = 0, gradient descent walks w towards 2, so the
    // validation cost (w − 1)²·mean(x²)/2 falls until w passes 1 and rises after. The best point is known in closed form.
    private static readonly float[] TrainX = [0.5f, -1f, 1.5f, 2f, -0.5f];
    private static readonly float[] TrainY = TrainX.Select(x => 2 * x).ToArray();
    private static readonly float[] ValidationX = [1f, -1.5f, 0.25f];
    private static readonly float[] ValidationY = ValidationX.ToArray();

    [Fact]
    public void Validation_IsRecordedAtEveryRecordPointWithCostAndMetric()
    {
        var network = new ScalarNetwork("Line", [1, 1], [Activation.Linear]);
        var progress = new List<TrainingProgress>();

        TrainingHistory history = Trainer.Fit(
            network,
            TrainX,
            TrainY,
            new TrainingOptions
            {
                LearningRate = 0.1f,
                Iterations = 7,
                RecordEvery = 3,
                Validation = new ValidationData(ValidationX, ValidationY),
                Progress = new Reporter(progress.Add),
            });

        Assert.Equal([0, 3, 6], history.Costs.Select(c => c.Iteration));

        // Replaying k updates and evaluating gives the recorded validation figures of iteration k: the parameters the
        // recorded training cost was measured with.
        foreach (CostRecord record in history.Costs)
        {
            var replay = new ScalarNetwork("Line", [1, 1], [Activation.Linear]);
            if (record.Iteration > 0)
            {
                Trainer.Fit(replay, TrainX, TrainY, new TrainingOptions { LearningRate = 0.1f, Iterations = record.Iteration });
            }

            Evaluation evaluation = Trainer.Evaluate(replay, ValidationX, ValidationY);
            Assert.Equal(evaluation.Cost, record.ValidationCost, 1e-12);
            Assert.Equal(evaluation.RSquared, record.ValidationMetric, 1e-12);
        }

        Assert.Equal(history.Costs.Select(c => (c.ValidationCost, c.ValidationMetric)), progress.Select(p => (p.ValidationCost, p.ValidationMetric)));
        Assert.NotNull(history.BestIteration);
    }

    [Fact]
    public void WithoutValidation_RecordsHaveNaNValidationFigures()
    {
        TrainingHistory history = Trainer.Fit(new ScalarNetwork("Line", [1, 1], [Activation.Linear]), TrainX, TrainY, new TrainingOptions { LearningRate = 0.1f, Iterations = 3 });

        Assert.All(history.Costs, c => Assert.True(double.IsNaN(c.ValidationCost) && double.IsNaN(c.ValidationMetric)));
        Assert.Null(history.BestIteration);
    }

    [Fact]
    public void EarlyStopping_FullBatch_StopsAfterPatienceAndRestoresTheBestParametersExactly()
    {
        var network = new ScalarNetwork("Line", [1, 1], [Activation.Linear]);

        TrainingHistory history = Trainer.Fit(
            network,
            TrainX,
            TrainY,
            new TrainingOptions
            {
                LearningRate = 0.05f,
                Iterations = 1000,
                RecordEvery = 1,
                Validation = new ValidationData(ValidationX, ValidationY),
                EarlyStopping = new EarlyStopping { Patience = 4 },
            });

        Assert.Equal(TrainingStatus.StoppedEarly, history.Status);
        int best = Assert.IsType<int>(history.BestIteration);
        Assert.Equal(best + 4, history.Costs[^1].Iteration);
        Assert.Equal(best + 5, history.IterationsCompleted);
        double bestCost = history.Costs.Min(c => c.ValidationCost);
        Assert.Equal(bestCost, history.Costs.Single(c => c.Iteration == best).ValidationCost);
        Assert.All(history.Costs.Skip(best + 1), c => Assert.True(c.ValidationCost >= bestCost));

        // The network holds exactly the parameters after `best` updates, and w is near 1 where validation is best.
        var replay = new ScalarNetwork("Line", [1, 1], [Activation.Linear]);
        Trainer.Fit(replay, TrainX, TrainY, new TrainingOptions { LearningRate = 0.05f, Iterations = best });
        Assert.Equal(replay.CopyParameters(), network.CopyParameters());
        Assert.InRange(network.Parameters[0], 0.7f, 1.3f);
        Assert.Equal(Trainer.Evaluate(network, ValidationX, ValidationY).Cost, bestCost, 1e-12);
    }

    [Fact]
    public void EarlyStopping_MiniBatchesAndClassIndices_RestoreTheParametersOfTheBestPass()
    {
        (float[] x, int[] classes) = MetricsAndSoftmaxTests.Clusters(60, seed: 11);
        (float[] vx, int[] vclasses) = MetricsAndSoftmaxTests.Clusters(30, seed: 12);

        // Mislabel the validation set so that, as training fits the true clusters, validation gets worse.
        int[] wrong = vclasses.Select(c => (c + 1) % 3).ToArray();
        var network = new ScalarNetwork("Soft", [2, 4, 3], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 13);
        var snapshots = new Dictionary<int, float[]>();

        TrainingHistory history = Trainer.Fit(
            network,
            x,
            classes,
            new TrainingOptions
            {
                LearningRate = 0.01f,
                Iterations = 200,
                BatchSize = 16,
                RecordEvery = 1,
                Optimizer = new Adam(),
                Validation = new ValidationData(vx, (ReadOnlyMemory<int>)wrong),
                EarlyStopping = new EarlyStopping { Patience = 3, Monitor = EarlyStoppingMonitor.ValidationMetric },
                Progress = new Reporter(p => snapshots[p.Iteration] = network.CopyParameters()),
            });

        // The best validation pass comes before the network has learned anything, so the parameters kept are no better
        // than guessing: the status says so rather than StoppedEarly.
        Assert.Equal(TrainingStatus.NoBetterThanChance, history.Status);
        int best = Assert.IsType<int>(history.BestIteration);
        Assert.True(history.IterationsCompleted < 200);
        Assert.Equal(snapshots[best], network.CopyParameters());
        double bestMetric = history.Costs.Max(c => c.ValidationMetric);
        Assert.Equal(bestMetric, history.Costs.First(c => c.Iteration == best).ValidationMetric);
        Assert.Equal(bestMetric, Trainer.Evaluate(network, vx, wrong).Accuracy, 1e-12);
    }

    [Fact]
    public void EarlyStopping_ThatNeverTriggers_CompletesAndKeepsTheBestParameters()
    {
        var network = new ScalarNetwork("Line", [1, 1], [Activation.Linear]);

        TrainingHistory history = Trainer.Fit(
            network,
            TrainX,
            TrainY,
            new TrainingOptions
            {
                LearningRate = 0.05f,
                Iterations = 30,
                RecordEvery = 1,
                Validation = new ValidationData(ValidationX, ValidationY),
                EarlyStopping = new EarlyStopping { Patience = 1000 },
            });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal(30, history.IterationsCompleted);
        int best = Assert.IsType<int>(history.BestIteration);
        Assert.True(best < 29);
        Assert.Equal(history.Costs.Min(c => c.ValidationCost), Trainer.Evaluate(network, ValidationX, ValidationY).Cost, 1e-12);
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
