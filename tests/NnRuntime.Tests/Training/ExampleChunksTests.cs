using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Kernels;

namespace NnGen.Tests.Training;

/// <summary>
/// The example split of a training step: how many chunks a batch gets (from its size and the network alone), how many
/// threads share them at every degree up to 16, that the chunks tile the batch, which networks keep the whole batch,
/// and that <see cref="ChunkedGradients"/> runs each chunk's products on one thread and reduces the chunks' means
/// weighted by their sizes.
/// </summary>
public sealed class ExampleChunksTests
{
    // [4,32,16,4]: the SimpleChains workload's parameter count.
    private const int SmallParameters = (4 * 32) + 32 + (32 * 16) + 16 + (16 * 4) + 4;

    // A chunk floor that cuts 1,000 examples into three chunks, for the tests of how chunks run.
    private const int ThreeChunksOf1000 = 256;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(96, 1)]
    [InlineData(127, 1)]
    [InlineData(128, 2)]
    [InlineData(209, 3)]
    [InlineData(400, 6)]
    [InlineData(1000, 15)]
    [InlineData(1023, 15)]
    [InlineData(1024, 16)]
    [InlineData(10_000, 16)]
    [InlineData(60_000, 16)]
    public void For_BatchSizes_ChunkCountFromTheBatchAlone(int examples, int expected) =>
        Assert.Equal(expected, ExampleChunks.For(examples, SmallParameters).Count);

    [Theory]
    [InlineData(1 << 20, 16)]
    [InlineData((1 << 22) + 1, 3)]
    [InlineData(1 << 23, 2)]
    [InlineData((1 << 23) + 1, 1)]
    public void For_LargeNetworks_ChunkGradientsStayWithinTheirBound(int parameters, int expected)
    {
        ExampleChunks chunks = ExampleChunks.For(60_000, parameters);
        Assert.Equal(expected, chunks.Count);
        Assert.True((long)chunks.Count * parameters <= ExampleChunks.MaxChunkGradientFloats || chunks.Count == 1);
    }

    /// <summary>
    /// The part counts per degree, as the product split's tests show them: the chunks never change with the degree;
    /// the threads are the degree up to the chunk count.
    /// </summary>
    [Fact]
    public void Threads_EveryDegreeUpTo16_ChunksFixedThreadsUpToChunks()
    {
        int[] batches = [96, 128, 209, 512, 10_000];
        var expected = new Dictionary<int, (int Chunks, int[] Threads)>
        {
            [96] = (1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            [128] = (2, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            [209] = (3, [1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]),
            [512] = (8, [1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8]),
            [10_000] = (16, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
        };
        foreach (int examples in batches)
        {
            ExampleChunks chunks = ExampleChunks.For(examples, SmallParameters);
            int[] threads = Enumerable.Range(1, 16).Select(chunks.Threads).ToArray();
            Assert.Equal(expected[examples].Chunks, chunks.Count);
            Assert.Equal(expected[examples].Threads, threads);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(512)]
    [InlineData(1000)]
    [InlineData(4097)]
    [InlineData(10_000)]
    [InlineData(65_535)]
    public void Chunk_EveryBatch_TilesItInOrderOnVectorBoundaries(int examples)
    {
        ExampleChunks chunks = ExampleChunks.For(examples, SmallParameters);
        int next = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            (int start, int count) = chunks.Chunk(c);
            Assert.Equal(next, start);
            Assert.Equal(0, start % 16);
            Assert.True(chunks.Count == 1 || count >= ExampleChunks.MinimumChunkExamples, $"chunk {c} of {examples} has {count} examples");
            next = start + count;
        }

        Assert.Equal(examples, next);
    }

    [Fact]
    public void SplitsExamples_HandWrittenNetwork_KeepsTheWholeBatch()
    {
        // Nothing says a hand-written network's ComputeGradients may run on several threads at once (this one keeps
        // its activations in fields), so only generated classes are split.
        Assert.False(ExampleChunks.SplitsExamples(ScalarNetwork.Tiny()));
    }

    [Fact]
    public void Fit_HandWrittenNetworkLargeBatch_OneCallPerStep()
    {
        var network = new CountingNetwork();
        Trainer.Fit(network, new float[1024], new float[1024], new TrainingOptions { LearningRate = 0.1f, Iterations = 3, MaxDegreeOfParallelism = 2, PriceFinalCost = false });
        Assert.Equal(new[] { 1024, 1024, 1024 }, network.Calls.Select(call => call.Examples));
    }

    /// <summary>
    /// Every chunk runs whole on one thread with the kernels held to that thread, each chunk once; the result is the
    /// chunks' means weighted by their sizes: here the mean of all inputs, whatever the degree.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public void Compute_EveryDegree_ChunksOnOneThreadEachAndTheirWeightedMean(int degree)
    {
        const int examples = 1000;
        float[] inputs = Enumerable.Range(0, examples).Select(i => (float)i).ToArray();
        var network = new CountingNetwork();
        ExampleChunks chunks = ExampleChunks.For(examples, network.ParameterCount, ThreeChunksOf1000);
        var gradients = new float[1];
        float? cost = new ChunkedGradients().Compute(network, inputs, new float[examples], gradients, chunks, computeCost: true, stepSeed: 0, degree);

        Assert.Equal(3, chunks.Count);
        Assert.Equal(chunks.Count, network.Calls.Count);
        Assert.Equal(
            Enumerable.Range(0, chunks.Count).Select(c => chunks.Chunk(c)).Select(chunk => (chunk.Start, chunk.Count)),
            network.Calls.Select(call => ((int)call.First, call.Examples)).OrderBy(call => call.Item1));
        Assert.All(network.Calls, call => Assert.Equal(1, call.Degree));
        Assert.True(network.Calls.Select(call => call.Thread).Distinct().Count() <= chunks.Threads(degree));
        Assert.Equal((examples - 1) / 2.0, gradients[0], 3);
        Assert.Equal((examples - 1) / 2.0, cost!.Value, 3);
    }

    /// <summary>
    /// A gradient of several of the reduction's parts: each element is Σ (m_c / m)·g_c in chunk order, each product
    /// rounded and then added, which the scalar reference here computes one element at a time; every degree (and so
    /// every split of the parts among the threads) gives its bits.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public void Compute_GradientOfSeveralParts_EveryDegreeGivesTheScalarWeightedSumsBits(int degree)
    {
        const int examples = 1000;
        int parameters = (3 * OptimizerUpdate.PartLength) + 123;
        float[] inputs = Enumerable.Range(0, examples).Select(i => (float)Math.Sin(i)).ToArray();
        var network = new CountingNetwork { ParameterCount = parameters };
        ExampleChunks chunks = ExampleChunks.For(examples, parameters, ThreeChunksOf1000);
        var gradients = new float[parameters];
        new ChunkedGradients().Compute(network, inputs, new float[examples], gradients, chunks, computeCost: false, stepSeed: 0, degree);

        Assert.Equal(3, chunks.Count);
        var expected = new float[parameters];
        var chunkGradient = new float[parameters];
        for (int c = 0; c < chunks.Count; c++)
        {
            (int start, int count) = chunks.Chunk(c);
            CountingNetwork.Gradients(inputs.AsSpan(start, count), chunkGradient);
            float weight = (float)(count / (double)examples);
            for (int p = 0; p < parameters; p++)
            {
                expected[p] = c == 0 ? chunkGradient[p] * weight : (chunkGradient[p] * weight) + expected[p];
            }
        }

        KernelTestSupport.AssertBitIdentical(expected, gradients, parameters, $"the chunks' weighted sum at degree {degree} against the scalar reference");
    }

    [Fact]
    public void Compute_ChunkThrows_TheChunksOwnExceptionReachesTheCaller()
    {
        var network = new CountingNetwork() { ThrowAt = 320 };
        ExampleChunks chunks = ExampleChunks.For(1000, network.ParameterCount, ThreeChunksOf1000);
        Assert.Equal(320, chunks.Chunk(1).Start);
        float[] inputs = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        var failure = Assert.Throws<InvalidOperationException>(() =>
            new ChunkedGradients().Compute(network, inputs, new float[1000], new float[1], chunks, computeCost: true, stepSeed: 0, degree: 2));
        Assert.Equal("chunk at 320", failure.Message);
        Assert.Equal(3, network.Calls.Count);
    }

    /// <summary>
    /// Parameters (one unless set) whose gradients are the mean of the batch's inputs, times 1 to 7 by position (the
    /// cost is the mean); records what each call saw: its first input, its example count, the kernels' degree and the thread.
    /// </summary>
    private sealed class CountingNetwork : ITrainableNetwork
    {
        private readonly object _gate = new();
        private float[]? _parameters;

        public List<(float First, int Start, int Examples, int Degree, int Thread)> Calls { get; } = [];

        public int ThrowAt { get; init; } = -1;

        public string Name => "Counting";

        public int InputSize => 1;

        public int OutputSize => 1;

        public int ParameterCount { get; init; } = 1;

        public Loss Loss => Loss.MeanSquaredError;

        public Activation OutputActivation => Activation.Linear;

        public Span<float> Parameters => _parameters ??= new float[ParameterCount];

        /// <summary>The gradients a call on <paramref name="inputs"/> writes.</summary>
        public static float Gradients(ReadOnlySpan<float> inputs, Span<float> gradients)
        {
            double sum = 0;
            foreach (float x in inputs)
            {
                sum += x;
            }

            float mean = (float)(sum / inputs.Length);
            for (int p = 0; p < gradients.Length; p++)
            {
                gradients[p] = mean * (1 + (p % 7));
            }

            return mean;
        }

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
        {
            float first = inputs.IsEmpty ? 0 : inputs[0];
            lock (_gate)
            {
                Calls.Add((first, (int)first, inputs.Length, KernelParallelism.Current, Environment.CurrentManagedThreadId));
            }

            if ((int)first == ThrowAt && ThrowAt >= 0)
            {
                throw new InvalidOperationException($"chunk at {ThrowAt}");
            }

            return Gradients(inputs, gradients);
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => y.Clear();

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Clear();
    }
}
