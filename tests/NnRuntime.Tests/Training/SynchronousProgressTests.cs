using System;
using System.Collections.Generic;

namespace NnGen.Tests.Training;

public class SynchronousProgressTests
{
    [Fact]
    public void Fit_WithSynchronousProgress_ReportsEveryRecordInOrderOnTheTrainingThreadBeforeReturning()
    {
        (float[] x, float[] y) = ToyData.Separable(20, seed: 4);
        var reports = new List<(int Iteration, int Thread)>();
        var progress = new SynchronousProgress<TrainingProgress>(p => reports.Add((p.Iteration, Environment.CurrentManagedThreadId)));

        TrainingHistory history = Trainer.Fit(
            ScalarNetwork.LogisticRegression(2),
            x,
            y,
            new TrainingOptions { LearningRate = 0.1f, Iterations = 1000, RecordEvery = 100, Progress = progress });

        // Read straight after Fit: a report still queued on the thread pool (what Progress<T> does) would be missing here.
        Assert.Equal([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999], reports.ConvertAll(r => r.Iteration));
        Assert.All(reports, r => Assert.Equal(Environment.CurrentManagedThreadId, r.Thread));
        Assert.Equal(history.Costs.Count, reports.Count);
    }

    [Fact]
    public void Report_HandlerThrows_TheExceptionReachesTheReporter()
    {
        var progress = new SynchronousProgress<int>(value => throw new InvalidOperationException($"report {value}"));

        var exception = Assert.Throws<InvalidOperationException>(() => progress.Report(3));

        Assert.Equal("report 3", exception.Message);
    }

    [Fact]
    public void Constructor_NullHandler_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => new SynchronousProgress<int>(null!));

        Assert.Equal("handler", exception.ParamName);
    }
}
