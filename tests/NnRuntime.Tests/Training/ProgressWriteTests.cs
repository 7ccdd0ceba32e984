using System;

namespace NnGen.Tests.Training;

/// <summary>
/// A Progress callback runs on the training thread between updates and may change the parameters; the trainer's bound
/// on max|θ|, which lets an update skip the overflow check, must then describe the values the callback left.
/// </summary>
public class ProgressWriteTests
{
    [Fact]
    public void ProgressCallbackRaisesAParameter_NextUpdateThatWouldOverflow_IsRefusedAndNothingInfiniteIsWritten()
    {
        // θ = 1 and every gradient −1e38 at α = 1: the first update makes θ ≈ 1e38. The callback then sets θ = 3e38, so
        // the second update would reach 4e38 > float.MaxValue; a bound that still believed max|θ| ≈ 1e38 let it through.
        var network = new ScriptedNetwork([1f], cost: _ => 1f, gradient: (_, _) => -1e38f);
        var options = new TrainingOptions
        {
            LearningRate = 1f,
            Iterations = 3,
            RecordEvery = 1,
            Progress = new Reporter(progress =>
            {
                if (progress.Iteration == 0)
                {
                    network.Parameters[0] = 3e38f;
                }
            }),
        };

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], options);

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(1, history.DivergedAtIteration);
        Assert.Equal([3e38f], network.Parameters.ToArray());
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
