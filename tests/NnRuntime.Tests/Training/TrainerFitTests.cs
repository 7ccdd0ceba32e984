using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace NnGen.Tests.Training;

public class TrainerFitTests
{
    [Fact]
    public void Fit_LogisticRegressionOnSeparableData_LowersCostAndClassifiesEverything()
    {
        (float[] x, float[] y) = ToyData.Separable(60, seed: 1);
        var network = ScalarNetwork.LogisticRegression(2);
        double before = Trainer.Evaluate(network, x, y).Cost;

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 500 });

        Evaluation after = Trainer.Evaluate(network, x, y);
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal(500, history.IterationsCompleted);
        Assert.Null(history.DivergedAtIteration);
        Assert.True(float.IsNaN(history.DivergedCost));
        Assert.Equal(Math.Log(2), before, 1e-6);
        Assert.True(after.Cost < 0.1, $"cost {after.Cost}");
        Assert.Equal(1.0, after.Accuracy);
        Assert.Equal(60, after.Examples);
        Assert.Equal((float)after.Cost, history.FinalCost, 1e-6f);
        Assert.True(history.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public void Fit_TinyTanhNetworkOnQuadrants_LearnsWhatLogisticRegressionCannot()
    {
        (float[] x, float[] y) = ToyData.Quadrants(80, seed: 2);
        var network = ScalarNetwork.Tiny().Initialize(seed: 3);
        var linear = ScalarNetwork.LogisticRegression(2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 1.2f, Iterations = 3000 });
        Trainer.Fit(linear, x, y, new TrainingOptions { LearningRate = 1.2f, Iterations = 3000 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.True(history.FinalCost < history.Costs[0].Cost / 4, $"{history.Costs[0].Cost} -> {history.FinalCost}");
        Assert.Equal(1.0, Trainer.Evaluate(network, x, y).Accuracy);
        Assert.True(Trainer.Evaluate(linear, x, y).Accuracy < 0.8);
    }

    [Theory]
    [InlineData(1000, 100, new[] { 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999 })]
    [InlineData(10, 5, new[] { 0, 5, 9 })]
    [InlineData(11, 5, new[] { 0, 5, 10 })]
    [InlineData(1, 100, new[] { 0 })]
    [InlineData(3, 1, new[] { 0, 1, 2 })]
    public void Fit_RecordEvery_RecordsIterationZeroEveryKthAndTheLast(int iterations, int recordEvery, int[] expected)
    {
        (float[] x, float[] y) = ToyData.Separable(20, seed: 4);
        var progress = new ListProgress();

        TrainingHistory history = Trainer.Fit(
            ScalarNetwork.LogisticRegression(2),
            x,
            y,
            new TrainingOptions { LearningRate = 0.1f, Iterations = iterations, RecordEvery = recordEvery, Progress = progress });

        Assert.Equal(expected, history.Costs.Select(c => c.Iteration));
        Assert.Equal(history.Costs.Select(c => new TrainingProgress(c.Iteration, iterations, c.Cost)), progress.Reports);
    }

    [Fact]
    public void Fit_DefaultRecordEvery_Is100()
    {
        Assert.Equal(100, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000 }.RecordEvery);
        Assert.Equal(0, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000 }.BatchSize);
    }

    [Fact]
    public void Fit_FullBatchLogisticRegression_MatchesDoublePrecisionReference()
    {
        (float[] x, float[] y) = ToyData.Separable(50, seed: 5);
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([0.3f, -0.2f, 0.1f]);
        const float LearningRate = 0.3f;
        const int Iterations = 400;

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = LearningRate, Iterations = Iterations, RecordEvery = 50 });

        // The course's logistic regression, in double, one example at a time: dw = (1/m) X (A - Y), db = (1/m) Σ (A - Y).
        double[] w = [0.3, -0.2];
        double b = 0.1;
        var referenceCosts = new Dictionary<int, double>();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            double cost = 0, dw0 = 0, dw1 = 0, db = 0;
            for (int e = 0; e < 50; e++)
            {
                double a = 1 / (1 + Math.Exp(-((w[0] * x[2 * e]) + (w[1] * x[(2 * e) + 1]) + b)));
                cost -= (y[e] * Math.Log(a)) + ((1 - y[e]) * Math.Log(1 - a));
                dw0 += (a - y[e]) * x[2 * e];
                dw1 += (a - y[e]) * x[(2 * e) + 1];
                db += a - y[e];
            }

            referenceCosts[iteration] = cost / 50;
            w[0] -= LearningRate * dw0 / 50;
            w[1] -= LearningRate * dw1 / 50;
            b -= LearningRate * db / 50;
        }

        // Float32 training drifts from the double reference by rounding only: after 400 steps it stays within 1e-4.
        float[] actual = network.CopyParameters();
        Assert.Equal(w[0], actual[0], 1e-4);
        Assert.Equal(w[1], actual[1], 1e-4);
        Assert.Equal(b, actual[2], 1e-4);
        foreach (CostRecord record in history.Costs)
        {
            Assert.Equal(referenceCosts[record.Iteration], record.Cost, 1e-5);
        }

        Assert.Equal(9, history.Costs.Count);
    }

    [Fact]
    public void Fit_MiniBatches_VisitEveryExampleOncePerPassInShuffledBatchesWithSmallerLast()
    {
        // The first feature of example e is e, so the batches reveal the order the trainer chose.
        const int Examples = 10;
        var x = new float[2 * Examples];
        var y = new float[Examples];
        for (int e = 0; e < Examples; e++)
        {
            x[2 * e] = e;
            y[e] = e % 2;
        }

        var network = new RecordingNetwork(ScalarNetwork.LogisticRegression(2));

        Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.01f, Iterations = 3, BatchSize = 4, Seed = 7 });

        Assert.Equal([4, 4, 2, 4, 4, 2, 4, 4, 2], network.Batches.Select(b => b.Length));
        var random = new NumPyRandom(7);
        for (int pass = 0; pass < 3; pass++)
        {
            int[] expected = random.Permutation(Examples);
            float[] seen = network.Batches.Skip(3 * pass).Take(3).SelectMany(b => b).ToArray();
            Assert.Equal(expected.Select(e => (float)e), seen);
        }

        Assert.NotEqual(network.Batches[0], network.Batches[3]);
    }

    [Fact]
    public void Fit_MiniBatches_MatchBatchByBatchStepsAndReportPassCost()
    {
        (float[] x, float[] y) = ToyData.Separable(23, seed: 8);
        var network = ScalarNetwork.Tiny().Initialize(seed: 9);
        var reference = ScalarNetwork.Tiny().Initialize(seed: 9);
        const int BatchSize = 5;

        TrainingHistory history = Trainer.Fit(
            network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 4, BatchSize = BatchSize, Seed = 11, RecordEvery = 1 });

        // The same schedule by hand: a fresh permutation per pass, batches of 5, 5, 5, 5, 3, one Step per batch.
        var random = new NumPyRandom(11);
        var gradients = new float[reference.ParameterCount];
        for (int pass = 0; pass < 4; pass++)
        {
            int[] order = random.Permutation(23);
            double weighted = 0;
            for (int start = 0; start < 23; start += BatchSize)
            {
                int[] batch = order.Skip(start).Take(BatchSize).ToArray();
                float[] bx = batch.SelectMany(e => new[] { x[2 * e], x[(2 * e) + 1] }).ToArray();
                float[] by = batch.Select(e => y[e]).ToArray();
                weighted += reference.ComputeGradients(bx, by, gradients, new Workspace()) * (double)batch.Length;
                Trainer.Step(reference, gradients, 0.5f);
            }

            Assert.Equal(pass, history.Costs[pass].Iteration);
            Assert.Equal((float)(weighted / 23), history.Costs[pass].Cost, 1e-6f);
        }

        Assert.Equal(reference.CopyParameters(), network.CopyParameters(), new ToleranceComparer(1e-6f));
        Assert.True(history.FinalCost < history.Costs[0].Cost);
    }

    [Fact]
    public void Fit_BatchSizeAtLeastM_IsFullBatch()
    {
        (float[] x, float[] y) = ToyData.Separable(12, seed: 12);
        var full = ScalarNetwork.Tiny().Initialize(seed: 13);
        var large = ScalarNetwork.Tiny().Initialize(seed: 13);

        TrainingHistory a = Trainer.Fit(full, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 20 });
        TrainingHistory b = Trainer.Fit(large, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 20, BatchSize = 12, Seed = 1 });

        Assert.Equal(full.CopyParameters(), large.CopyParameters());
        Assert.Equal(a.Costs, b.Costs);
    }

    [Fact]
    public void Fit_MiniBatchesOnSeparableData_Converge()
    {
        (float[] x, float[] y) = ToyData.Separable(64, seed: 14);
        var network = ScalarNetwork.LogisticRegression(2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 100, BatchSize = 8, Seed = 3 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.True(history.FinalCost < 0.1f, $"final cost {history.FinalCost}");
        Assert.Equal(1.0, Trainer.Evaluate(network, x, y).Accuracy);
    }

    [Fact]
    public void Fit_HugeLearningRate_ReportsDivergenceWithFiniteParametersOfTheLastFiniteStep()
    {
        (float[] x, float[] y) = ToyData.Linear(30, seed: 15);
        var network = ScalarNetwork.LinearRegression(2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 50f, Iterations = 1000, RecordEvery = 1 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        int at = Assert.NotNull(history.DivergedAtIteration);
        Assert.InRange(at, 2, 999);
        Assert.Equal(at, history.IterationsCompleted);
        Assert.False(float.IsFinite(history.DivergedCost));
        Assert.Equal(at, history.Costs.Count);
        Assert.All(history.Costs, c => Assert.True(float.IsFinite(c.Cost)));
        Assert.All(network.CopyParameters(), p => Assert.True(float.IsFinite(p)));

        // "The last finite state" is exactly the state after `at` updates, as a run of `at` iterations leaves it.
        var replay = ScalarNetwork.LinearRegression(2);
        Trainer.Fit(replay, x, y, new TrainingOptions { LearningRate = 50f, Iterations = at });
        Assert.Equal(replay.CopyParameters(), network.CopyParameters());
    }

    [Fact]
    public void Fit_NonFiniteCost_StopsBeforeThatUpdate()
    {
        var network = new ScriptedNetwork([1f, 2f], cost: call => call == 3 ? float.NaN : 1f, gradient: (_, i) => i + 1);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.5f, Iterations = 10, RecordEvery = 1 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(3, history.DivergedAtIteration);
        Assert.Equal(3, history.IterationsCompleted);
        Assert.True(float.IsNaN(history.DivergedCost));
        Assert.Equal(4, network.Calls);
        Assert.Equal([1f - 1.5f, 2f - 3f], network.Parameters.ToArray());
        Assert.Equal([0, 1, 2], history.Costs.Select(c => c.Iteration));
    }

    [Fact]
    public void Fit_NonFiniteGradient_StopsWithThatStepsCost()
    {
        var network = new ScriptedNetwork(
            [1f, 2f],
            cost: call => 10f - call,
            gradient: (call, i) => call == 2 && i == 1 ? float.PositiveInfinity : 1f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.25f, Iterations = 10 });

        Assert.Equal(2, history.DivergedAtIteration);
        Assert.Equal(8f, history.DivergedCost);
        Assert.Equal([0.5f, 1.5f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_FullBatch_AsksForTheCostOnlyOnRecordedIterations()
    {
        var network = new ScriptedNetwork([0f], cost: call => call, gradient: (_, _) => 1f) { SkipsUnrequestedCost = true };

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 1f, Iterations = 10, RecordEvery = 4 });

        bool[] expected = [true, false, false, false, true, false, false, false, true, true];
        Assert.Equal(expected, network.CostRequests);
        Assert.Equal([new CostRecord(0, 0f), new CostRecord(4, 4f), new CostRecord(8, 8f), new CostRecord(9, 9f)], history.Costs);
        Assert.Equal([-10f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_MiniBatches_AskForTheCostOnlyInRecordedPasses()
    {
        var network = new ScriptedNetwork([0f], cost: _ => 2f, gradient: (_, _) => 1f) { SkipsUnrequestedCost = true };

        TrainingHistory history = Trainer.Fit(network, new float[5], new float[5], new TrainingOptions { LearningRate = 1f, Iterations = 3, BatchSize = 2, RecordEvery = 2 });

        // Three batches a pass; passes 0 and 2 (the last) are recorded.
        Assert.Equal([true, true, true, false, false, false, true, true, true], network.CostRequests);
        Assert.Equal([new CostRecord(0, 2f), new CostRecord(2, 2f)], history.Costs);
    }

    [Fact]
    public void Fit_DivergenceBetweenRecordedIterations_ReportsTheCostOfTheRefusedStep()
    {
        // Call 2 (iteration 2, not recorded, cost skipped) has an infinite gradient; the trainer then prices the
        // parameters that step ran with, which is call 3.
        var network = new ScriptedNetwork(
            [1f, 2f],
            cost: call => call == 3 ? 42f : 1f,
            gradient: (call, i) => call == 2 && i == 1 ? float.PositiveInfinity : 1f) { SkipsUnrequestedCost = true };

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.25f, Iterations = 10 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(2, history.DivergedAtIteration);
        Assert.Equal(42f, history.DivergedCost);
        Assert.Equal([0.5f, 1.5f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_NaNGradient_StopsWithParametersUntouched()
    {
        var network = new ScriptedNetwork([1f, 2f], cost: _ => 1f, gradient: (_, i) => i == 0 ? float.NaN : 1f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.25f, Iterations = 10 });

        Assert.Equal(0, history.DivergedAtIteration);
        Assert.Empty(history.Costs);
        Assert.Equal([1f, 2f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_StepThatWouldOverflow_IsRefusedAndReportedAsDivergence()
    {
        // Each gradient and parameter is finite, but 3e38 − 1·(−1e38) is not a float.
        var network = new ScriptedNetwork([3e38f, 0f], cost: _ => 5f, gradient: (_, i) => i == 0 ? -1e38f : 0f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 1f, Iterations = 10 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(0, history.DivergedAtIteration);
        Assert.Equal(5f, history.DivergedCost);
        Assert.Equal([3e38f, 0f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_LargeButSafeSteps_AreApplied()
    {
        // The overflow guard only refuses steps that could leave the float range: 3e38 − 1·(1e38) is fine.
        var network = new ScriptedNetwork([3e38f, -3e38f], cost: _ => 5f, gradient: (_, i) => i == 0 ? 1e38f : -1e38f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 1f, Iterations = 2 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal([3e38f - 1e38f - 1e38f, -3e38f + 1e38f + 1e38f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_HugeButFiniteGradient_IsNotMistakenForANonFiniteOne()
    {
        // 1e20² overflows a float sum of squares; the gradient itself is finite and the step (1) is harmless.
        var network = new ScriptedNetwork([1f, 2f], cost: _ => 1f, gradient: (_, i) => i == 0 ? 1e20f : 0f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 1e-20f, Iterations = 3 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        float expected = 1f - (1e-20f * 1e20f);
        expected -= 1e-20f * 1e20f;
        expected -= 1e-20f * 1e20f;
        Assert.Equal([expected, 2f], network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_MiniBatchDivergence_KeepsTheLastFiniteBatchUpdate()
    {
        // Calls 0-2 are pass 0 (batches 2, 2, 1), calls 3-5 pass 1; call 4 (the second batch of pass 1) returns NaN.
        var network = new ScriptedNetwork([0f], cost: call => call == 4 ? float.NaN : 1f, gradient: (_, _) => 1f);

        TrainingHistory history = Trainer.Fit(network, new float[5], new float[5], new TrainingOptions { LearningRate = 1f, Iterations = 5, BatchSize = 2 });

        Assert.Equal(1, history.DivergedAtIteration);
        Assert.Equal(1, history.IterationsCompleted);
        Assert.Equal([-4f], network.Parameters.ToArray());
        Assert.Equal([new CostRecord(0, 1f)], history.Costs);
    }

    [Fact]
    public void Fit_CancelledDuringTraining_ThrowsAndKeepsParametersOfTheLastCompletedStep()
    {
        (float[] x, float[] y) = ToyData.Separable(20, seed: 16);
        var network = ScalarNetwork.Tiny().Initialize(seed: 17);
        using var cancellation = new CancellationTokenSource();
        var progress = new ListProgress(report =>
        {
            if (report.Iteration == 50)
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Fit(
            network,
            x,
            y,
            new TrainingOptions { LearningRate = 0.5f, Iterations = 1000, RecordEvery = 10, Progress = progress, CancellationToken = cancellation.Token }));

        // Update 50 completes before its cost is reported, so the network holds the state after 51 updates.
        var replay = ScalarNetwork.Tiny().Initialize(seed: 17);
        Trainer.Fit(replay, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 51 });
        Assert.Equal(replay.CopyParameters(), network.CopyParameters());
        Assert.All(network.CopyParameters(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void Fit_AlreadyCancelled_ThrowsWithParametersUntouched()
    {
        (float[] x, float[] y) = ToyData.Separable(20, seed: 18);
        var network = ScalarNetwork.Tiny().Initialize(seed: 19);
        float[] before = network.CopyParameters();

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Fit(
            network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 10, BatchSize = 4, CancellationToken = new CancellationToken(canceled: true) }));

        Assert.Equal(before, network.CopyParameters());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Fit_SteadyState_AllocatesNothingPerIteration(int batchSize)
    {
        SteadyStateFit.AssertTinyAllocatesNothing(
            progress => new TrainingOptions { LearningRate = 0.01f, Iterations = 200, BatchSize = batchSize, RecordEvery = 50, Progress = progress },
            "149 training iterations");
    }

    private sealed class ListProgress(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
