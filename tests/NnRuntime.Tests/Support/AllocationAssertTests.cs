using System;
using NnGen.Tests.Training;
using Xunit.Sdk;

namespace NnGen.Tests.Support;

/// <summary>The training allocation check itself: it catches a per-step allocation and ignores what a run allocates once.</summary>
public class AllocationAssertTests
{
    [Fact]
    public void NoAllocationBetweenRecords_NetworkThatAllocatesPerStep_Fails()
    {
        (float[] x, float[] y) = ToyData.Separable(16, seed: 3);
        var network = new RecordingNetwork(ScalarNetwork.Tiny().Initialize(seed: 4));

        var failure = Assert.Throws<FailException>(() => AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.01f, Iterations = 40, RecordEvery = 10, Progress = progress }),
            "recorded batches"));

        Assert.StartsWith("recorded batches allocated in every one of 4 rounds", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAllocationBetweenRecords_RunWhoseVerdictIsAMessage_Passes()
    {
        // A cost that rises at every call ends above where it started: the history carries a CostIncreased message,
        // allocated once per run, after the last record point.
        var network = new ScriptedNetwork([0f], cost: call => call, gradient: (_, _) => 1e-3f);
        TrainingHistory? last = null;

        AllocationAssert.NoAllocationBetweenRecords(
            progress => last = Trainer.Fit(network, new float[4], new float[4], new TrainingOptions { LearningRate = 0.01f, Iterations = 40, RecordEvery = 10, PriceFinalCost = false, Progress = progress }),
            "a run that ends worse than it started");

        Assert.Equal(TrainingStatus.CostIncreased, last!.Status);
    }

    [Fact]
    public void NoAllocationBetweenRecords_TooFewRecordPoints_SaysSo()
    {
        (float[] x, float[] y) = ToyData.Separable(16, seed: 3);
        var network = ScalarNetwork.Tiny().Initialize(seed: 4);

        var failure = Assert.ThrowsAny<XunitException>(() => AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.01f, Iterations = 40, RecordEvery = 1_000, Progress = progress }),
            "two record points"));

        Assert.Contains("two record points: the run reported 2 record points", failure.Message, StringComparison.Ordinal);
        Assert.Contains("the check needs 3 to 1024.", failure.Message, StringComparison.Ordinal);
    }
}
