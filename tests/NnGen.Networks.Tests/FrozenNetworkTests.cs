using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>A tiny network with a softmax output: the tiny pass's softmax in the frozen form.</summary>
[Network(Inputs = 4)]
[Layer(5, Activation.Tanh)]
[Layer(3, Activation.Softmax)]
public partial class FrozenTinySoftmaxNet;

/// <summary>The kernel strategy with unrolled layers after a MatVec layer, and a softmax output.</summary>
[Network(Inputs = 40)]
[Layer(8, Activation.LeakyReLU)]
[Layer(8, Activation.Tanh)]
[Layer(3, Activation.Softmax)]
public partial class FrozenKernelMixedNet;

/// <summary>
/// Dense layers whose frozen products run from packed copies (PackedMatVec) in each of its layouts: one-vector rows
/// (64 × 16: Sum4's tree at 512 bits), 16-row blocks in a group of three (40 × 64, tanh after), 8-row blocks at 512 bits
/// (12 × 40, the last block overlapping), and a layer too small to pack before the softmax.
/// </summary>
[Network(Inputs = 16)]
[Layer(64, Activation.ReLU)]
[Layer(40, Activation.Tanh)]
[Layer(12, Activation.Sigmoid)]
[Layer(3, Activation.Softmax)]
public partial class FrozenPackedNet;

/// <summary>
/// Issue 22 point 1: <c>Freeze()</c> on every network without recurrent layers gives an immutable copy whose Predict and
/// PredictBatch have the network's bits at every vector width and thread count, that later changes to the network
/// never reach, that many threads may share, and that allocates nothing per call.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class FrozenNetworkTests
{
    private static readonly SimdWidth[] Widths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512];

    private delegate void SpanPredict(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>One network of every layer kind and strategy, each with its state (if any) set away from its start.</summary>
    private static IEnumerable<Subject> Subjects()
    {
        // Tiny strategy: unrolled layers, every activation, a softmax output.
        yield return Make(new PlanarNet(1), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new MixedNet(2), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new RegressionNet(3), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new FrozenTinySoftmaxNet(4), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);

        // Kernel strategy: MatVec and unrolled layers mixed, MatVec only, a kernel softmax.
        yield return Make(new DeepCatNet(5), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new FashionShapedNet(6), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new FrozenKernelMixedNet(7), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new FrozenPackedNet(17), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);

        // Every other layer kind: batch norm, layer norm, dropout, all of them, input normalization.
        yield return Make(new BatchNormNet(8), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new LayerNormNet(9), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new DropoutNet(10), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new AllKindsNet(11), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new InputNormNet(12), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);

        // Convolutions: Conv2D with pools and flatten, Conv1D (causal and not) with 1-D pools and global pooling, strides
        // and groups, a pool first with dropout.
        yield return Make(new LeNetSmall(13), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new OneDimensionalNet(14), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new StridedNet(15), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
        yield return Make(new PoolFirstNet(16), n => n.Freeze(), f => f.Predict, f => f.PredictBatch);
    }

    [Fact]
    public void Frozen_EveryKindStrategyWidthAndThreadCount_GivesTheNetworksBits()
    {
        foreach (Subject subject in Subjects())
        {
            // Enough examples to run more than one inference chunk where that stays cheap.
            int m = Math.Min(subject.BatchChunk + 5, Math.Max(3, 2_000_000 / subject.Network.InputSize));
            float[] inputs = TestData.Uniform(m * subject.Network.InputSize, subject.Network.InputSize);
            foreach (SimdWidth width in Widths)
            {
                foreach (int degree in new[] { 1, 2 })
                {
                    using (SimdWidths.ForceForTesting(width))
                    using (KernelParallelism.Override(degree))
                    {
                        string where = $"{subject.Name} at {width}, {degree} thread(s)";
                        float[] network = Batch(subject.Network.PredictBatch, inputs, subject.Network.InputSize, subject.Network.OutputSize);
                        float[] frozen = Batch(subject.FrozenBatch, inputs, subject.Network.InputSize, subject.Network.OutputSize);
                        Assert.True(network.Any(value => value != 0), $"{where}: the outputs are all zero");
                        AssertSameBits(network, frozen, $"{where}: Frozen.PredictBatch of {m}");

                        float[] single = Singles(subject.Network.Predict, inputs, subject.Network.InputSize, subject.Network.OutputSize, 7);
                        AssertSameBits(single, Singles(subject.FrozenPredict, inputs, subject.Network.InputSize, subject.Network.OutputSize, 7), $"{where}: Frozen.Predict");

                        // Frozen at this width, its dense products run from copies packed for it (the one above, frozen
                        // at the machine's width, runs them row-major at the other widths).
                        AssertSameBits(single, Singles(subject.FreezeAgain(), inputs, subject.Network.InputSize, subject.Network.OutputSize, 7), $"{where}: Predict of a network frozen at {width}");
                    }
                }
            }
        }
    }

    [Fact]
    public void FrozenTypedPredict_IsTheNetworksTypedPredict()
    {
        var planar = new PlanarNet(20);
        PlanarNet.Input x = default;
        x[0] = 0.3f;
        x[1] = -1.7f;
        Assert.Equal(BitConverter.SingleToInt32Bits(planar.Predict(x)[0]), BitConverter.SingleToInt32Bits(planar.Freeze().Predict(x)[0]));

        var allKinds = new AllKindsNet(21);
        Randomize(allKinds.State, 22);
        AllKindsNet.Input example = default;
        for (int i = 0; i < AllKindsNet.InputSize; i++)
        {
            example[i] = (i * 0.37f) - 2f;
        }

        AllKindsNet.Output expected = allKinds.Predict(example);
        AllKindsNet.Output actual = allKinds.Freeze().Predict(example);
        for (int j = 0; j < AllKindsNet.OutputSize; j++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[j]), BitConverter.SingleToInt32Bits(actual[j]));
        }

        Assert.Equal(AllKindsNet.InputSize, AllKindsNet.Frozen.InputSize);
        Assert.Equal(AllKindsNet.OutputSize, AllKindsNet.Frozen.OutputSize);
    }

    [Fact]
    public void Frozen_DoesNotSeeLaterChangesToParametersStateTrainingOrLoad()
    {
        var net = new BatchNormNet(30);
        Randomize(net.State, 31);
        BatchNormNet.Frozen frozen = net.Freeze();
        float[] inputs = TestData.Uniform(40 * BatchNormNet.InputSize, 32);
        float[] before = Batch(frozen.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize);
        float[] singlesBefore = Singles(frozen.Predict, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize, 40);
        float[] networkBefore = Batch(net.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize);
        AssertSameBits(networkBefore, before, "BatchNormNet before any change");

        // Writes through the public spans: the running statistics alone, then the parameters.
        net.RunningMean2.Fill(0.9f);
        float[] afterState = Batch(net.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize);
        Assert.False(TestData.Bits(afterState).SequenceEqual(TestData.Bits(networkBefore)), "the network ignored its new running mean");
        AssertSameBits(before, Batch(frozen.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize), "Frozen after a write to the network's State");
        net.W1.Fill(0.01f);
        AssertSameBits(before, Batch(frozen.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize), "Frozen after a write to the network's W1");

        // Training (which moves the parameters and the running statistics), then loading other weights.
        float[] labels = Enumerable.Range(0, 40).SelectMany(i => Enumerable.Range(0, 3).Select(k => k == i % 3 ? 1f : 0f)).ToArray();
        net.Fit(inputs, labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, RecordEvery = 5 });
        AssertSameBits(before, Batch(frozen.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize), "Frozen after Fit on the network");
        using var file = new System.IO.MemoryStream();
        new BatchNormNet(33).SaveWeights(file);
        file.Position = 0;
        net.LoadWeights(file);
        float[] loaded = Batch(net.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize);
        Assert.False(TestData.Bits(loaded).SequenceEqual(TestData.Bits(networkBefore)), "the network ignored the weights it loaded");
        AssertSameBits(before, Batch(frozen.PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize), "Frozen after LoadWeights on the network");
        AssertSameBits(singlesBefore, Singles(frozen.Predict, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize, 40), "Frozen.Predict after every change");

        // A second freeze takes the network as it is now.
        AssertSameBits(loaded, Batch(net.Freeze().PredictBatch, inputs, BatchNormNet.InputSize, BatchNormNet.OutputSize), "a new Freeze after LoadWeights");
    }

    [Fact]
    public void Frozen_ManyThreadsOnOneInstance_GiveTheSingleThreadBits()
    {
        foreach (Subject subject in Subjects().Where(subject => subject.Name is "PlanarNet" or "FashionShapedNet" or "AllKindsNet" or "LeNetSmall"))
        {
            int m = Math.Min(subject.BatchChunk + 5, 300);
            float[] inputs = TestData.Uniform(m * subject.Network.InputSize, 40);
            float[] batch = Batch(subject.FrozenBatch, inputs, subject.Network.InputSize, subject.Network.OutputSize);
            float[] single = Singles(subject.FrozenPredict, inputs, subject.Network.InputSize, subject.Network.OutputSize, m);
            Assert.Equal(batch.Length, single.Length);
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
            {
                for (int round = 0; round < 4; round++)
                {
                    if (!TestData.Bits(Batch(subject.FrozenBatch, inputs, subject.Network.InputSize, subject.Network.OutputSize)).SequenceEqual(TestData.Bits(batch)))
                    {
                        failures.Add($"{subject.Name}: PredictBatch on thread {thread}, round {round}");
                    }

                    if (!TestData.Bits(Singles(subject.FrozenPredict, inputs, subject.Network.InputSize, subject.Network.OutputSize, m)).SequenceEqual(TestData.Bits(single)))
                    {
                        failures.Add($"{subject.Name}: Predict on thread {thread}, round {round}");
                    }
                }
            });
            Assert.Empty(failures);
        }
    }

    [Fact]
    public void Frozen_AllocatesNothingPerCall_IncludingChunkedPredictBatch()
    {
        foreach (Subject subject in Subjects().Where(subject => subject.Name is "PlanarNet" or "DeepCatNet" or "FashionShapedNet" or "AllKindsNet" or "LeNetSmall"))
        {
            // Past one chunk, so PredictBatch runs its chunk loop (and rents its scratch where that is large).
            int m = (2 * subject.BatchChunk) + 3;
            float[] inputs = TestData.Uniform(m * subject.Network.InputSize, 50);
            var outputs = new float[m * subject.Network.OutputSize];
            float[] x = inputs.AsSpan(0, subject.Network.InputSize).ToArray();
            var y = new float[subject.Network.OutputSize];
            foreach (int degree in new[] { 1, 2 })
            {
                using (KernelParallelism.Override(degree))
                {
                    AllocationAssert.NoAllocation(() => subject.FrozenPredict(x, y), 100, $"{subject.Name}: Frozen.Predict, {degree} thread(s)");
                    AllocationAssert.NoAllocation(() => subject.FrozenBatch(inputs, outputs), 3, $"{subject.Name}: Frozen.PredictBatch of {m}, {degree} thread(s)");
                }
            }
        }

        var planar = new PlanarNet(51).Freeze();
        PlanarNet.Input typed = default;
        typed[0] = 0.5f;
        AllocationAssert.NoAllocation(() => Assert.True(float.IsFinite(planar.Predict(typed)[0])), 100, "PlanarNet: typed Frozen.Predict");
    }

    [Fact]
    public void Frozen_BadLengths_ThrowNamingFrozenAndLeaveOutputsUntouched()
    {
        BatchNormNet.Frozen frozen = new BatchNormNet(60).Freeze();
        // Built at run time: with a constant length the analyzer (NNG0014) already rejects these calls at compile time.
        static float[] Floats(int count) => TestData.Uniform(count, 1);
        var y = new float[BatchNormNet.OutputSize];
        y.AsSpan().Fill(7f);
        var error = Assert.Throws<ArgumentException>(() => frozen.Predict(Floats(BatchNormNet.InputSize + 1), y));
        Assert.Contains("Frozen.Predict", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => frozen.Predict(new float[BatchNormNet.InputSize], Floats(BatchNormNet.OutputSize + 1)));
        Assert.Contains("Frozen.Predict", error.Message, StringComparison.Ordinal);

        float[] outputs = Floats(2 * BatchNormNet.OutputSize);
        outputs.AsSpan().Fill(7f);
        error = Assert.Throws<ArgumentException>(() => frozen.PredictBatch(Floats((3 * BatchNormNet.InputSize) - 1), outputs));
        Assert.Contains("Frozen.PredictBatch", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => frozen.PredictBatch(new float[3 * BatchNormNet.InputSize], outputs));
        Assert.Contains("Frozen.PredictBatch", error.Message, StringComparison.Ordinal);
        Assert.All(y, value => Assert.Equal(7f, value));
        Assert.All(outputs, value => Assert.Equal(7f, value));

        // The same checks as the network's: only the method's name differs.
        float[] threeExamples = TestData.Uniform(3 * BatchNormNet.InputSize, 61);
        var network = Assert.Throws<ArgumentException>(() => new BatchNormNet(60).PredictBatch(threeExamples, outputs));
        Assert.Equal(network.Message.Replace("PredictBatch", "Frozen.PredictBatch", StringComparison.Ordinal), error.Message);
    }

    private static Subject Make<TNet, TFrozen>(TNet net, Func<TNet, TFrozen> freeze, Func<TFrozen, SpanPredict> predict, Func<TFrozen, SpanPredict> batch)
        where TNet : ITrainableNetwork
    {
        Randomize(net.State, net.ParameterCount);
        TFrozen frozen = freeze(net);
        int chunk = (int)typeof(TNet).GetField("BatchChunk", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        return new Subject(typeof(TNet).Name, net, predict(frozen), batch(frozen), chunk, () => predict(freeze(net)));
    }

    /// <summary>Running statistics away from their start (means 0, variances 1), all positive so they are valid variances.</summary>
    private static void Randomize(Span<float> state, int seed)
    {
        float[] values = TestData.Uniform(state.Length, seed);
        for (int i = 0; i < state.Length; i++)
        {
            state[i] = 1f + (0.5f * values[i]);
        }
    }

    private static float[] Batch(SpanPredict predictBatch, float[] inputs, int inputSize, int outputSize)
    {
        var outputs = new float[inputs.Length / inputSize * outputSize];
        predictBatch(inputs, outputs);
        return outputs;
    }

    private static float[] Singles(SpanPredict predict, float[] inputs, int inputSize, int outputSize, int count)
    {
        count = Math.Min(count, inputs.Length / inputSize);
        var outputs = new float[count * outputSize];
        for (int i = 0; i < count; i++)
        {
            predict(inputs.AsSpan(i * inputSize, inputSize), outputs.AsSpan(i * outputSize, outputSize));
        }

        return outputs;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the network's is {expected[i]:R}");
            }
        }
    }

    private sealed record Subject(string Name, ITrainableNetwork Network, SpanPredict FrozenPredict, SpanPredict FrozenBatch, int BatchChunk, Func<SpanPredict> FreezeAgain);
}
