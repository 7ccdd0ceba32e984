using System;
using System.Threading;

namespace NnGen.Tests.Training;

/// <summary>Fit never reports Completed when training plainly failed, and "train until cancelled" works.</summary>
public class HonestStatusTests
{
    [Theory]
    [InlineData(1e6f)]
    [InlineData(1e30f)]
    public void Fit_AbsurdLearningRateOnSigmoidNetwork_IsNotCompleted(float learningRate)
    {
        // Saturated sigmoids keep every value finite, so nothing diverges; the cost ends far above where it started.
        (float[] x, float[] y) = ToyData.Quadrants(60, seed: 1);
        var network = ScalarNetwork.Tiny().Initialize(seed: 2);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = learningRate, Iterations = 200, RecordEvery = 10 });

        Assert.NotEqual(TrainingStatus.Completed, history.Status);
        Assert.NotNull(history.Problem);
        Assert.NotNull(history.ProblemAtIteration);
        Assert.All(network.CopyParameters(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void Fit_CostEndingAboveItsStart_IsCostIncreasedWithTheFirstIterationAboveIt()
    {
        // The cost of the scripted network is its first parameter squared (priced by PredictBatch through a linear
        // output with label 0); a gradient of the wrong sign pushes it up every step.
        var network = new QuadraticNetwork(start: 1f, gradientSign: -1f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.01f, Iterations = 50, RecordEvery = 10 });

        Assert.Equal(TrainingStatus.CostIncreased, history.Status);
        Assert.Equal(10, history.ProblemAtIteration);
        Assert.Contains("above the 0.5 it started at", history.Problem, StringComparison.Ordinal);
        Assert.Equal(50, history.IterationsCompleted);
    }

    [Fact]
    public void Fit_CostRisingAtTheEnd_IsCostRisingFromWhereTheRiseBegan()
    {
        // Falls for 30 iterations, then rises; it ends below its start, but was getting worse every record at the end.
        var network = new ScriptedNetwork([0f], cost: call => call <= 30 ? 10f - (call * 0.3f) : 1f + ((call - 30) * 0.1f), gradient: (_, _) => 0f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.1f, Iterations = 60, RecordEvery = 10 });

        Assert.Equal(TrainingStatus.CostRising, history.Status);
        Assert.Equal(30, history.ProblemAtIteration);
        Assert.Contains("rose at each of the last 3 record points", history.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_CostThatDipsAndRecovers_IsCompleted()
    {
        var network = new ScriptedNetwork([0f], cost: call => call is > 10 and < 40 ? 5f + call : 9f - (call * 0.05f), gradient: (_, _) => 0f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.1f, Iterations = 100, RecordEvery = 10 });

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Null(history.Problem);
        Assert.Null(history.ProblemAtIteration);
    }

    [Fact]
    public void Fit_ParametersGrowingGeometrically_IsParametersGrowing()
    {
        // g = −θ makes every update θ := (1 + α)θ: finite for a long time, but growing without bound.
        float[] parameters = [0.5f, -2f];
        var network = new ScriptedNetwork(parameters, cost: _ => 0f, gradient: (_, i) => -parameters[i]);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 1.5f, Iterations = 40, RecordEvery = 5 });

        Assert.Equal(TrainingStatus.ParametersGrowing, history.Status);
        Assert.Equal(25, history.ProblemAtIteration);
        Assert.Contains("growing without bound", history.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_Divergence_KeepsItsStatusAndNamesTheIteration()
    {
        var network = new ScriptedNetwork([1f], cost: call => call == 4 ? float.PositiveInfinity : 1f, gradient: (_, _) => 1f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.1f, Iterations = 10 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(4, history.ProblemAtIteration);
        Assert.Equal("Scripted.Fit: training diverged at iteration 4: the cost is not finite; the parameters are those before that update.", history.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Fit_IntMaxValueIterations_TrainsUntilCancelledWithoutReservingTheHistory(int batchSize)
    {
        (float[] x, float[] y) = ToyData.Separable(8, seed: 3);
        var network = ScalarNetwork.LogisticRegression(2);
        using var cancellation = new CancellationTokenSource();
        int reports = 0;
        var progress = new Reporter(_ =>
        {
            if (++reports == 50)
            {
                cancellation.Cancel();
            }
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Fit(
            network,
            x,
            y,
            new TrainingOptions { LearningRate = 0.1f, Iterations = int.MaxValue, RecordEvery = 1, BatchSize = batchSize, Progress = progress, CancellationToken = cancellation.Token }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Up front it used to reserve 2^31 records (16 GiB, so OutOfMemoryException); now the history grows as recorded.
        Assert.Equal(50, reports);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes");
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>J(θ) = θ₀²/2 through a linear output with label 0, and a gradient of ±θ₀ as the test chooses.</summary>
    private sealed class QuadraticNetwork(float start, float gradientSign) : ITrainableNetwork
    {
        private readonly float[] _parameters = [start];

        public string Name => "Quadratic";

        public int InputSize => 1;

        public int OutputSize => 1;

        public int ParameterCount => 1;

        public Loss Loss => Loss.MeanSquaredError;

        public Activation OutputActivation => Activation.Linear;

        public Span<float> Parameters => _parameters;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
        {
            gradients[0] = gradientSign * _parameters[0];
            return _parameters[0] * _parameters[0] / 2;
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => y[0] = _parameters[0];

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Fill(_parameters[0]);
    }
}
