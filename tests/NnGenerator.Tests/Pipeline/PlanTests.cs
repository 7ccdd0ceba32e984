using System.Linq;
using NnGen.Generator.Planning;
using NnGen.Generator.Model;

namespace NnGen.Generator.Tests.Pipeline;

/// <summary>
/// <see cref="NetworkPlan"/> directly: parameter and cache offsets, buffer sizes, and the strategy chosen on each side
/// of every threshold (<see cref="StrategyPolicy.UnrolledWeightLimit"/>, <see cref="StrategyPolicy.UnrolledFanInLimit"/>,
/// <see cref="StrategyPolicy.TinyParameterLimit"/>).
/// </summary>
public sealed class PlanTests
{
    [Fact]
    public void Create_Planar_OffsetsFollowW1b1W2b2()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(2, 4, 1));

        Assert.Equal(17, plan.ParameterCount);
        Assert.Equal((0, 8, 0), (plan.Layers[0].WeightOffset, plan.Layers[0].BiasOffset, plan.Layers[0].CacheOffset));
        Assert.Equal((12, 16, 4), (plan.Layers[1].WeightOffset, plan.Layers[1].BiasOffset, plan.Layers[1].CacheOffset));
        Assert.Equal(5, plan.Layers[0].WeightIndex(2, 1));
        Assert.Equal(14, plan.Layers[1].WeightIndex(0, 2));
        Assert.Equal((2, 1, 4, 5, 4), (plan.InputSize, plan.OutputSize, plan.HiddenUnits, plan.ActivationUnits, plan.MaxUnits));
    }

    [Fact]
    public void Create_Planar_TinyWorkspaceHoldsXAndYTransposedAndEveryLayersActivations()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(2, 4, 1));

        Assert.True(plan.Strategy == ComputeStrategy.Tiny);
        Assert.Equal(2 + 1 + 4 + 1, plan.WorkspacePerExample);
        Assert.Equal(NetworkPlan.MaxBatchChunk, plan.BatchChunk);
        Assert.Equal(NetworkPlan.MaxBatchChunk * 3, plan.BatchScratch);
    }

    [Fact]
    public void Create_DeepCatNetwork_KernelWorkspaceIsCacheAndTwoDeltaBuffers()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Dense(12288, (20, ActivationKind.ReLU), (7, ActivationKind.ReLU), (5, ActivationKind.ReLU), (1, ActivationKind.Sigmoid)));

        Assert.False(plan.Strategy == ComputeStrategy.Tiny);
        Assert.Equal((12288 * 20) + 20 + (20 * 7) + 7 + (7 * 5) + 5 + 5 + 1, plan.ParameterCount);
        Assert.Equal(new[] { 0, 20, 27, 32 }, plan.Layers.Select(layer => layer.CacheOffset));
        Assert.Equal(new[] { 0, 245780, 245927, 245967 }, plan.Layers.Select(layer => layer.WeightOffset));
        Assert.Equal(33, plan.ActivationUnits);
        Assert.Equal(0, plan.LabelTransposeUnits);
        Assert.Equal(33 + (2 * 20), plan.WorkspacePerExample);
        Assert.Equal(256, plan.BatchChunk);
        Assert.Equal(256 * 33, plan.BatchScratch);
        Assert.Equal(new[] { false, false, true, true }, plan.Layers.Select(layer => layer.IsUnrolled));
    }

    [Fact]
    public void Create_MultiOutputKernelNetwork_ReservesTransposedLabels()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(10, 20, 3));

        Assert.False(plan.Strategy == ComputeStrategy.Tiny);
        Assert.Equal(3, plan.LabelTransposeUnits);
        Assert.Equal(23 + (2 * 20) + 3, plan.WorkspacePerExample);
    }

    [Fact]
    public void Create_ChunkLargerThanChunkBudget_ShrinksToWholeTilesThatFit()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(16, 64, 64, 1));

        Assert.Equal(129, plan.ActivationUnits);
        Assert.Equal(192, plan.BatchChunk); // 254 fit, rounded down to whole 64-example tiles
        Assert.Equal(plan.BatchChunk * 129, plan.BatchScratch);
        Assert.True(plan.BatchScratch <= NetworkPlan.DenseChunkFloats);
    }

    [Fact]
    public void Create_FashionNetwork_ChunkOfOneWideTile()
    {
        // 81 examples' activations (394 units + 10 transposed labels) fit the budget; 64 fill layer 2's and layer 3's
        // 512-bit outer tiles exactly, where the stack-sized chunk of 40 left a two-vector tile and a recomputed tail.
        NetworkPlan plan = NetworkPlan.Create(Specs.Dense(784, (256, ActivationKind.ReLU), (128, ActivationKind.ReLU), (10, ActivationKind.Softmax)));

        Assert.Equal(ComputeStrategy.Kernel, plan.Strategy);
        Assert.Equal(64, plan.BatchChunk);
        Assert.Equal(64 * 404, plan.BatchScratch);
    }

    [Theory]
    [InlineData(129, 192)] // 254 fit: whole tiles of 64
    [InlineData(512, 64)] // exactly one tile
    [InlineData(513, 48)] // 63 fit: whole vectors of 16
    [InlineData(2048, 16)] // exactly one vector
    [InlineData(2049, 15)] // fewer than a vector: as many as fit
    [InlineData(40_000, 1)] // not even one fits: one example
    [InlineData(1, 256)] // MaxBatchChunk
    public void DenseBatchChunk_RoundsTheExamplesThatFitDownToTilesThenVectors(int chunkFloats, int expected)
    {
        Assert.Equal(32 * 1024, NetworkPlan.DenseChunkFloats);
        Assert.Equal(expected, NetworkPlan.DenseBatchChunk(chunkFloats));
    }

    [Fact]
    public void Create_LayerWiderThanStackScratch_ChunkOfOneExample()
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(3, 16_500, 1));

        Assert.Equal(1, plan.BatchChunk);
        Assert.Equal(16_501, plan.BatchScratch);
    }

    [Theory]
    [InlineData(16, 4, true, true)] // 64 weights, 16 inputs: both limits met exactly
    [InlineData(8, 8, true, true)]
    [InlineData(13, 5, false, false)] // 65 weights
    [InlineData(17, 3, true, false)] // 51 weights, but 17 inputs
    [InlineData(64, 1, true, false)] // 64 weights from 64 inputs: small, too wide to unroll
    [InlineData(65, 1, false, false)]
    public void LayerPlan_AtWeightAndFanInLimits_SmallAndUnrolledAsDocumented(int inputs, int units, bool small, bool unrolled)
    {
        LayerPlan layer = NetworkPlan.Create(Specs.Sizes(inputs, units)).Layers[0];

        Assert.Equal(small, layer.IsSmall);
        Assert.Equal(unrolled, layer.IsUnrolled);
        Assert.Equal(StrategyPolicy.UnrolledWeightLimit, 64);
        Assert.Equal(StrategyPolicy.UnrolledFanInLimit, 16);
    }

    [Theory]
    [InlineData(new[] { 9, 7, 5, 3 }, 128, true)] // every layer small, exactly the parameter limit
    [InlineData(new[] { 8, 8, 5, 2 }, 129, false)] // every layer small, one parameter over
    [InlineData(new[] { 13, 5, 1 }, 76, false)] // few parameters, but layer 1 has 65 weights
    [InlineData(new[] { 20, 3, 1 }, 67, true)] // wide fan-in is no obstacle to the tiny batch pass
    public void Create_AtTinyParameterLimit_TinyOnlyWithinIt(int[] sizes, int parameters, bool tiny)
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Sizes(sizes));

        Assert.Equal(parameters, plan.ParameterCount);
        Assert.Equal(tiny, plan.Strategy == ComputeStrategy.Tiny);
        Assert.Equal(128, StrategyPolicy.TinyParameterLimit);
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Loss.Default, true)]
    [InlineData(Activation.Linear, Loss.Default, true)]
    [InlineData(Activation.Tanh, Loss.MeanSquaredError, true)]
    [InlineData(Activation.Sigmoid, Loss.MeanSquaredError, true)]
    [InlineData(Activation.ReLU, Loss.BinaryCrossEntropy, false)] // cross-entropy after a non-sigmoid: kernel path
    public void Create_SmallNetwork_TinyUnlessTheOutputDeltaNeedsTheKernelPath(Activation output, Loss loss, bool tiny)
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Dense(2, (LossKind)loss, (3, ActivationKind.Tanh), (1, (ActivationKind)output)));

        Assert.Equal(tiny, plan.Strategy == ComputeStrategy.Tiny);
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Loss.Default, Loss.BinaryCrossEntropy)]
    [InlineData(Activation.Tanh, Loss.Default, Loss.MeanSquaredError)]
    [InlineData(Activation.Linear, Loss.Default, Loss.MeanSquaredError)]
    [InlineData(Activation.Sigmoid, Loss.MeanSquaredError, Loss.MeanSquaredError)]
    public void Create_Loss_ResolvedFromOutputActivation(Activation output, Loss declared, Loss resolved)
    {
        Assert.Equal((LossKind)resolved, NetworkPlan.Create(Specs.Dense(2, (LossKind)declared, (1, (ActivationKind)output))).Loss);
    }

    [Fact]
    public void Create_SameSpecTwice_EqualPlans()
    {
        NetworkPlan first = NetworkPlan.Create(Specs.Sizes(5, 8, 8, 1));
        NetworkPlan second = NetworkPlan.Create(Specs.Sizes(5, 8, 8, 1));

        Assert.Equal(first.Layers, second.Layers);
        Assert.Equal((first.WorkspacePerExample, first.BatchChunk, first.Strategy), (second.WorkspacePerExample, second.BatchChunk, second.Strategy));
    }

    [Theory]
    [InlineData(new[] { 4, 5, 3 }, ComputeStrategyValue.Tiny)]
    [InlineData(new[] { 20, 32, 10 }, ComputeStrategyValue.Kernel)]
    public void Create_SoftmaxOutput_CategoricalCrossEntropyWithDeltaAMinusY(int[] sizes, ComputeStrategyValue strategy)
    {
        NetworkPlan plan = NetworkPlan.Create(Specs.Dense(sizes[0], (sizes[1], ActivationKind.Tanh), (sizes[2], ActivationKind.Softmax)));

        Assert.Equal(LossKind.CategoricalCrossEntropy, plan.Loss);
        Assert.Equal(OutputDelta.ActivationMinusLabel, plan.OutputDelta);
        Assert.Equal((int)strategy, (int)plan.Strategy);
    }

    [Theory]
    [InlineData(Activation.Softmax, 3, Loss.Default, true)]
    [InlineData(Activation.Softmax, 3, Loss.CategoricalCrossEntropy, true)]
    [InlineData(Activation.Softmax, 1, Loss.Default, false)] // one unit: softmax is the constant 1
    [InlineData(Activation.Softmax, 3, Loss.MeanSquaredError, false)]
    [InlineData(Activation.Softmax, 3, Loss.BinaryCrossEntropy, false)]
    [InlineData(Activation.Sigmoid, 3, Loss.CategoricalCrossEntropy, false)]
    [InlineData(Activation.Sigmoid, 3, Loss.Default, true)]
    public void EmissionSupport_SoftmaxAndCategoricalCrossEntropy_OnlyTogetherOnSeveralOutputUnits(Activation output, int units, Loss loss, bool emits)
    {
        Assert.Equal(emits, EmissionSupport.CanEmit(Specs.Dense(2, (LossKind)loss, (4, ActivationKind.Tanh), (units, (ActivationKind)output))));
    }

    [Fact]
    public void EmissionSupport_HiddenSoftmax_NotEmitted()
    {
        Assert.False(EmissionSupport.CanEmit(Specs.Dense(2, (4, ActivationKind.Softmax), (3, ActivationKind.Softmax))));
    }

    /// <summary>The public mirror of <see cref="ComputeStrategy"/> for theory data.</summary>
    public enum ComputeStrategyValue
    {
        Tiny = (int)ComputeStrategy.Tiny,
        Kernel = (int)ComputeStrategy.Kernel,
    }
}
