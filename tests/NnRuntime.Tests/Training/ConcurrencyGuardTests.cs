using System;
using System.Threading;
using System.Threading.Tasks;

namespace NnGen.Tests.Training;

/// <summary>A second Fit (or gradient check) on an instance that is training fails loudly instead of interleaving.</summary>
public class ConcurrencyGuardTests
{
    [Fact]
    public async Task SecondFitOnTheSameInstance_ThrowsWhileTheFirstRuns_AndTheFirstIsUnaffected()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var network = new ScriptedNetwork([1f], cost: _ => 1f, gradient: (call, _) =>
        {
            if (call == 0)
            {
                entered.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return 1f;
        });
        var options = new TrainingOptions { LearningRate = 0.5f, Iterations = 4 };

        Task<TrainingHistory> first = Task.Run(() => Trainer.Fit(network, [0f], [0f], options));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));

        var second = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(network, [0f], [0f], options));
        var check = Assert.Throws<InvalidOperationException>(() => Trainer.GradientCheck(network, [0f], [0f]));
        release.Set();
        TrainingHistory history = await first;

        Assert.StartsWith("Scripted.Fit: this instance is already training", second.Message, StringComparison.Ordinal);
        Assert.StartsWith("Scripted.GradientCheck: this instance is already training", check.Message, StringComparison.Ordinal);
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal([1f - (4 * 0.5f)], network.Parameters.ToArray());

        // Once the first run is over the instance trains again, and a failed run releases it too.
        Trainer.Fit(network, [0f], [0f], options);
        Assert.Throws<ArgumentException>(() => Trainer.Fit(network, [0f], [2f, 3f], options));
        Trainer.Fit(network, [0f], [0f], options);
    }

    [Fact]
    public void FitOnDifferentInstances_RunsConcurrently()
    {
        (float[] x, float[] y) = ToyData.Separable(40, seed: 1);
        ScalarNetwork[] networks = [ScalarNetwork.Tiny().Initialize(2), ScalarNetwork.Tiny().Initialize(2)];

        Parallel.For(0, 2, i => Trainer.Fit(networks[i], x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 300 }));

        Assert.Equal(networks[0].CopyParameters(), networks[1].CopyParameters());
    }
}
