using System;
using NnGen.Tests.Support;

namespace NnGen.Tests.Training;

/// <summary>
/// What <see cref="TrainingHistory.FinalCost"/> is: the priced cost of the final parameters with full batches (the
/// course's figure) or on request; the last pass's mean batch cost with mini-batches, which needs no extra pass; priced
/// again whenever the parameters left are not the last pass's. And Fit allocates nothing per mini-batch pass.
/// </summary>
public class FinalCostTests
{
    [Fact]
    public void Fit_FullBatch_PricesTheFinalParameters()
    {
        (float[] x, float[] y) = ToyData.Separable(40, seed: 21);
        var network = ScalarNetwork.Tiny().Initialize(seed: 22);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 20 });

        Assert.True(history.FinalCostIsPriced);
        Assert.Equal((float)Trainer.Evaluate(network, x, y).Cost, history.FinalCost, 1e-6f);
        Assert.NotEqual(history.Costs[^1].Cost, history.FinalCost);
    }

    [Fact]
    public void Fit_MiniBatches_FinalCostIsTheLastPassesMeanBatchCost()
    {
        (float[] x, float[] y) = ToyData.Separable(41, seed: 23);
        var network = ScalarNetwork.Tiny().Initialize(seed: 24);
        var reference = ScalarNetwork.Tiny().Initialize(seed: 24);
        var options = new TrainingOptions { LearningRate = 0.5f, Iterations = 3, BatchSize = 8, Seed = 25 };

        TrainingHistory history = Trainer.Fit(network, x, y, options);
        TrainingHistory priced = Trainer.Fit(reference, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 3, BatchSize = 8, Seed = 25, PriceFinalCost = true });

        Assert.False(history.FinalCostIsPriced);
        Assert.Equal(history.Costs[^1].Cost, history.FinalCost);
        Assert.True(priced.FinalCostIsPriced);
        Assert.Equal(network.CopyParameters(), reference.CopyParameters());
        Assert.Equal((float)Trainer.Evaluate(reference, x, y).Cost, priced.FinalCost, 1e-6f);
        Assert.NotEqual(history.FinalCost, priced.FinalCost);
    }

    [Fact]
    public void Fit_FullBatchWithoutPricing_ReportsTheLastRecord()
    {
        (float[] x, float[] y) = ToyData.Separable(40, seed: 26);
        var network = ScalarNetwork.Tiny().Initialize(seed: 27);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.5f, Iterations = 20, PriceFinalCost = false });

        Assert.False(history.FinalCostIsPriced);
        Assert.Equal(history.Costs[^1].Cost, history.FinalCost);
    }

    /// <summary>Validation labels opposite to the training labels get worse as training improves: the best point is pass 0.</summary>
    [Fact]
    public void Fit_MiniBatchesWithRestoredBestPoint_PricesTheRestoredParameters()
    {
        (float[] x, float[] y) = ToyData.Separable(48, seed: 28);
        float[] flipped = Array.ConvertAll(y, label => 1f - label);
        var network = ScalarNetwork.Tiny().Initialize(seed: 29);

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions
        {
            LearningRate = 0.5f,
            Iterations = 6,
            BatchSize = 8,
            RecordEvery = 1,
            PriceFinalCost = false,
            Validation = new ValidationData(x, flipped),
            EarlyStopping = new EarlyStopping { Patience = 10 },
        });

        Assert.Equal(0, history.BestIteration);
        Assert.True(history.FinalCostIsPriced);
        Assert.Equal((float)Trainer.Evaluate(network, x, y).Cost, history.FinalCost, 1e-6f);
    }

    [Fact]
    public void Fit_MiniBatchesWithAdam_AllocatesNothingPerPass()
    {
        (float[] x, float[] y) = ToyData.Separable(300, seed: 30);
        var network = ScalarNetwork.Tiny().Initialize(seed: 31);
        AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 1e-3f, Iterations = 12, BatchSize = 32, Seed = 32, RecordEvery = 1, Optimizer = new Adam(), Progress = progress }),
            "10 passes of shuffled Adam mini-batches");
    }
}
