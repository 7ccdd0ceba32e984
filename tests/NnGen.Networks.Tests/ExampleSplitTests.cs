using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>
/// The SimpleChains.jl workload of the performance issue: [4, 32 tanh, 16 tanh, 4 linear], trained with squared error
/// (SimpleChains' README: TurboDense tanh 32, tanh 16, identity 4, SquaredLoss).
/// </summary>
[Network(Inputs = 4)]
[Layer(32, Activation.Tanh)]
[Layer(16, Activation.Tanh)]
[Layer(4, Activation.Linear)]
public partial class SimpleChainsNet;

/// <summary>
/// Batches of twice a network's <see cref="ExampleChunks.MinimumExamplesOf"/> or more train in example chunks
/// (<see cref="ExampleChunks"/>): on generated networks of both strategies the parameters after several Adam steps are
/// bit-identical on every thread count from 1 to 16, a step is the chunks' gradients reduced in chunk order weighted by
/// their sizes, steps allocate nothing, the chunk and thread counts per degree follow from the batch and the network
/// alone, and networks whose training couples examples or reads sequences keep the whole batch.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class ExampleSplitTests
{
    private static readonly int[] Degrees = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    public static TheoryData<string> NetworkNames() =>
        ["Planar", "Mixed", "Regression", "MediumReLU", "SimpleChains", "DeepCat", "FashionShaped", "LeNetSmall", "OneDimensional"];

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Fit_AdamFullBatch_Degrees1To16_SameBits(string name)
    {
        var results = new List<float[]>();
        foreach (int degree in Degrees)
        {
            Subject subject = Subject.Create(name);
            Assert.True(ExampleChunks.For(subject.Examples, subject.Network.ParameterCount, ExampleChunks.MinimumExamplesOf(subject.Network)).Count > 1, $"{name}: the batch must be split for this test to mean anything");
            TrainingHistory history = Trainer.Fit(subject.Network, subject.Inputs, subject.Labels, new TrainingOptions
            {
                LearningRate = 1e-3f,
                Iterations = 4,
                RecordEvery = 1,
                Optimizer = new Adam(),
                MaxDegreeOfParallelism = degree,
            });
            float[] result = new float[subject.Network.ParameterCount + history.Costs.Count + 1];
            subject.Network.Parameters.CopyTo(result);
            for (int i = 0; i < history.Costs.Count; i++)
            {
                result[subject.Network.ParameterCount + i] = history.Costs[i].Cost;
            }

            result[^1] = history.FinalCost;
            results.Add(result);
        }

        for (int i = 1; i < results.Count; i++)
        {
            DeterminismTests.AssertBitIdentical(results[0], results[i], $"{name}.Fit, {Degrees[i]} threads against 1 (the last elements are the costs)");
        }
    }

    /// <summary>
    /// One gradient-descent step of Fit is θ − α·Σ (m_c / m)·g_c with g_c each chunk's own ComputeGradients, summed in
    /// chunk order: what makes the split independent of the threads (a whole-batch gradient rounds differently).
    /// </summary>
    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Fit_OneStep_IsTheChunkGradientsWeightedBySizeInChunkOrder(string name)
    {
        const float rate = 0.05f;
        Subject reference = Subject.Create(name);
        ITrainableNetwork network = reference.Network;
        ExampleChunks chunks = ExampleChunks.For(reference.Examples, network.ParameterCount, ExampleChunks.MinimumExamplesOf(network));
        int n0 = network.InputSize, nL = network.OutputSize;
        var chunkGradients = new float[network.ParameterCount];
        var mean = new float[network.ParameterCount];
        for (int c = 0; c < chunks.Count; c++)
        {
            (int start, int count) = chunks.Chunk(c);
            network.ComputeGradients(reference.Inputs.AsSpan(start * n0, count * n0), reference.Labels.AsSpan(start * nL, count * nL), chunkGradients, new Workspace());
            float weight = (float)(count / (double)reference.Examples);
            if (c == 0)
            {
                TensorPrimitives.Multiply(chunkGradients, weight, mean);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(chunkGradients, weight, mean, mean);
            }
        }

        float[] expected = network.Parameters.ToArray();
        TensorPrimitives.MultiplyAdd(mean, -rate, expected, expected);

        Subject trained = Subject.Create(name);
        Trainer.Fit(trained.Network, trained.Inputs, trained.Labels, new TrainingOptions { LearningRate = rate, Iterations = 1, MaxDegreeOfParallelism = 2 });
        DeterminismTests.AssertBitIdentical(expected, trained.Network.Parameters.ToArray(), $"{name}: one Fit step against the chunk mean");
    }

    /// <summary>
    /// Fit allocates its buffers (the chunks' among them) once per call; more steps add no byte. On one thread the
    /// calling thread runs every chunk, so all of a step's code is counted.
    /// </summary>
    [Fact]
    public void Fit_ChunkedSteps_AllocateNothingPerStep()
    {
        Subject subject = Subject.Create("SimpleChains");
        AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(
                subject.Network,
                subject.Inputs,
                subject.Labels,
                new TrainingOptions { LearningRate = 1e-3f, Iterations = 30, RecordEvery = 10, Optimizer = new Adam(), MaxDegreeOfParallelism = 1, PriceFinalCost = false, Progress = progress }),
            "19 chunked Adam steps");
    }

    /// <summary>
    /// The chunks' buffers stay with the network between Fit calls: a second Fit on the same instance allocates only its
    /// session's own small buffers (gradients, optimizer state, the history), not the chunks' workspaces again (4.9 MB
    /// for these 10,000 examples, whose first allocation also costs page faults on every call).
    /// </summary>
    [Fact]
    public void Fit_SecondCall_ReusesTheChunkWorkspaces()
    {
        Subject subject = Subject.Create("SimpleChains");
        long Measure()
        {
            var options = new TrainingOptions { LearningRate = 1e-3f, Iterations = 2, RecordEvery = 1000, Optimizer = new Adam(), MaxDegreeOfParallelism = 1, PriceFinalCost = false };
            long start = GC.GetAllocatedBytesForCurrentThread();
            Trainer.Fit(subject.Network, subject.Inputs, subject.Labels, options);
            return GC.GetAllocatedBytesForCurrentThread() - start;
        }

        long first = Measure();
        long second = Measure();
        long chunkScratch = (long)subject.Examples * (32 + 16 + 4) * sizeof(float);
        Assert.True(first > chunkScratch, $"the first Fit allocates the chunks' workspaces (at least A1, A2, A3 of every example: {chunkScratch} B); it allocated {first} B");
        Assert.True(second < 64 * 1024, $"a second Fit on the same network allocated {second} B (the first {first} B); it must reuse the chunks' workspaces");
    }

    /// <summary>
    /// Batches whose chunks need more scratch than <see cref="ChunkedGradients.MaxKeptScratchFloats"/> are not kept with
    /// the network after the Fit that sized them: the next Fit allocates them afresh instead of the network holding them
    /// for its lifetime.
    /// </summary>
    [Fact]
    public void ChunkedGradients_Of_LargeScratchIsNotKept()
    {
        ITrainableNetwork network = new SimpleChainsNet(3);
        int examples = (int)(ChunkedGradients.MaxKeptScratchFloats / (32 + 16 + 4)) + 16;
        float[] inputs = TestData.Uniform(examples * network.InputSize, 5);
        float[] labels = TestData.Uniform(examples * network.OutputSize, 6);
        ExampleChunks chunks = ExampleChunks.For(examples, network.ParameterCount, ExampleChunks.MinimumExamplesOf(network));
        var gradients = new float[network.ParameterCount];
        ChunkedGradients kept = ChunkedGradients.Of(network);
        Assert.Same(kept, ChunkedGradients.Of(network));

        kept.Compute(network, inputs.AsSpan(0, 1024 * network.InputSize), labels.AsSpan(0, 1024 * network.OutputSize), gradients, ExampleChunks.For(1024, network.ParameterCount, ExampleChunks.MinimumExamplesOf(network)), computeCost: false, stepSeed: 0, degree: 1);
        Assert.Same(kept, ChunkedGradients.Of(network));

        kept.Compute(network, inputs, labels, gradients, chunks, computeCost: false, stepSeed: 0, degree: 1);
        Assert.NotSame(kept, ChunkedGradients.Of(network));
    }

    /// <summary>
    /// On several threads a chunk's first run grows its workspace on whichever thread claims it, so a whole Fit cannot be
    /// measured per thread; after one step every chunk's buffers exist and no step allocates, on the calling thread,
    /// which claims chunks like any worker.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public void ChunkedGradients_SteadyState_AllocatesNothing(int degree)
    {
        Subject subject = Subject.Create("SimpleChains");
        ExampleChunks chunks = ExampleChunks.For(subject.Examples, subject.Network.ParameterCount, ExampleChunks.MinimumExamplesOf(subject.Network));
        var chunked = new ChunkedGradients();
        var gradients = new float[subject.Network.ParameterCount];
        AllocationAssert.NoAllocation(
            () => chunked.Compute(subject.Network, subject.Inputs, subject.Labels, gradients, chunks, computeCost: true, stepSeed: 0, degree),
            calls: 20,
            $"ChunkedGradients.Compute on {degree} threads");
    }

    [Fact]
    public void SplitsExamples_ByNetwork_OnlyIndependentGeneratedNetworks()
    {
        Assert.True(ExampleChunks.SplitsExamples(new SimpleChainsNet(1)));
        Assert.True(ExampleChunks.SplitsExamples(new PlanarNet(1)));
        Assert.True(ExampleChunks.SplitsExamples(new DeepCatNet(1)));
        Assert.True(ExampleChunks.SplitsExamples(new LayerNormNet(1)));

        // Batch statistics and per-position dropout masks couple a batch's examples; a recurrent example is a sequence.
        Assert.False(ExampleChunks.SplitsExamples(new BatchNormNet(1)));
        Assert.False(ExampleChunks.SplitsExamples(new DropoutNet(1)));
        Assert.False(ExampleChunks.SplitsExamples(new TinyAmpNet(1)));
    }

    /// <summary>
    /// The fewest examples a chunk takes: 64 for networks whose examples cost about one multiply-add per parameter (the
    /// dense ones: one outer-product tile of columns, own costs 1/64 of the work), for convolutional ones 64·P over the
    /// multiply-adds per example, in whole vectors of 16 and at least 48; and never less than the examples whose training
    /// takes <see cref="ProductSplit.MinimumPartFlops"/> (six flops per forward multiply-add), which is what keeps tiny
    /// networks' batches whole.
    /// </summary>
    [Fact]
    public void MinimumExamplesOf_DenseConvolutionalAndTinyNetworks()
    {
        // Dense: P = 235,146 for 234,752 multiply-adds per example (Fashion), 245,973 for 245,960 (the deep cat).
        Assert.Equal(ExampleChunks.MinimumChunkExamples, ExampleChunks.MinimumExamplesOf(new FashionShapedNet(1)));
        Assert.Equal(64, ExampleChunks.MinimumExamplesOf(new DeepCatNet(1)));
        Assert.Equal(64, ExampleChunks.MinimumExamplesOf(new TwoLayerCatNet(1)));
        Assert.Equal(64, ExampleChunks.MinimumExamplesOf(new CatLogisticRegression()));

        // A thread's worth of work, 2^19 flops over 6 per multiply-add: [4,32,16,4] does 704 per example, 124.1 → 128;
        // planar [2,4,1] 12, 7,281.8 → 7,296; [5,6,LayerNorm,1] 36, 2,427.3 → 2,432.
        Assert.Equal(128, ExampleChunks.MinimumExamplesOf(new SimpleChainsNet(1)));
        Assert.Equal(7296, ExampleChunks.MinimumExamplesOf(new PlanarNet(1)));
        Assert.Equal(2432, ExampleChunks.MinimumExamplesOf(new LayerNormNet(1)));

        // LeNetSmall: 4·12·12·9 + 6·4·4·36 + 24·10 + 10·3 = 8,910 multiply-adds per example for 545 parameters: 64·545 / 8,910 = 3.9 → 48.
        Assert.Equal(48, ExampleChunks.MinimumExamplesOf(new LeNetSmall(1)));
    }

    /// <summary>
    /// The part counts per degree for the batches these networks train on: the chunks depend on the batch and the
    /// network only; the threads are the degree up to the chunks. Fashion-MNIST's mini-batch of 128 is two chunks of 64,
    /// one per thread; the course's cat batch of 209 three; the course's planar batch of 400 stays whole (its figures
    /// are the course's, to six decimals); the SimpleChains batch of 10,000 sixteen.
    /// </summary>
    [Fact]
    public void Chunks_CourseFashionAndSimpleChainsBatches_CountsPerDegree1To16()
    {
        var cases = new (string Name, ITrainableNetwork Network, int Examples, int Chunks, int[] Threads)[]
        {
            ("Fashion [784,256,128,10], m = 128", new FashionShapedNet(1), 128, 2, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            ("Fashion [784,256,128,10], last batch m = 96", new FashionShapedNet(1), 96, 1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("cat [12288,20,7,5,1], m = 209", new DeepCatNet(1), 209, 3, [1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]),
            ("cat [12288,7,1], m = 209", new TwoLayerCatNet(1), 209, 3, [1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]),
            ("planar [2,4,1], m = 400", new PlanarNet(1), 400, 1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("SimpleChains [4,32,16,4], m = 10,000", new SimpleChainsNet(1), 10_000, 16, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
            ("LeNetSmall, m = 128", new LeNetSmall(1), 128, 2, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
        };

        foreach ((string name, ITrainableNetwork network, int examples, int count, int[] threads) in cases)
        {
            ExampleChunks chunks = ExampleChunks.For(examples, network.ParameterCount, ExampleChunks.MinimumExamplesOf(network));
            Assert.True(count == chunks.Count, $"{name}: {chunks.Count} chunks, expected {count}");
            Assert.Equal(threads, Degrees.Select(chunks.Threads).ToArray());
        }

        // Fashion's two chunks are 64 examples each, one outer-product tile of columns.
        ExampleChunks fashion = ExampleChunks.For(128, FashionShapedNet.ParameterCount, ExampleChunks.MinimumExamplesOf(new FashionShapedNet(1)));
        Assert.Equal((0, 64), fashion.Chunk(0));
        Assert.Equal((64, 64), fashion.Chunk(1));
    }

    /// <summary>
    /// A fresh network (seeded) and a batch large enough to be split: tiny networks 4,096–16,384 examples (a chunk of
    /// theirs needs thousands), 1,024–10,000 for larger ones, 600 of the cat's width, 128 for Fashion's shape and the
    /// convolutional ones.
    /// </summary>
    private sealed record Subject(ITrainableNetwork Network, int Examples, float[] Inputs, float[] Labels)
    {
        public static Subject Create(string name)
        {
            (ITrainableNetwork network, int examples, bool regression) = name switch
            {
                "Planar" => ((ITrainableNetwork)new PlanarNet(21), 16_384, false),
                "Mixed" => (new MixedNet(22), 4096, false),
                "Regression" => (new RegressionNet(23), 10_000, true),
                "MediumReLU" => (new MediumReLUNet(24), 1024, false),
                "SimpleChains" => (new SimpleChainsNet(25), 10_000, true),
                "DeepCat" => (new DeepCatNet(26), 600, false),

                // Fashion-MNIST's mini-batch: two chunks of 64.
                "FashionShaped" => (new FashionShapedNet(29), 128, false),

                // Convolutional networks split batches of Fashion-MNIST's size too, in chunks of 32.
                "LeNetSmall" => (new LeNetSmall(27), 128, false),
                "OneDimensional" => (new OneDimensionalNet(28), 128, false),
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test network."),
            };

            float[] inputs = TestData.Uniform(examples * network.InputSize, 40);
            float[] labels = regression ? TestData.Uniform(examples * network.OutputSize, 41)
                : network.OutputSize > 1 ? OneHot(examples, network.OutputSize)
                : TestData.Binary(examples * network.OutputSize, 41);
            return new Subject(network, examples, inputs, labels);
        }

        // Softmax outputs train on one-hot rows (the loss checks that every row sums to 1): class j·7 mod n for example j.
        private static float[] OneHot(int examples, int classes)
        {
            float[] labels = new float[examples * classes];
            for (int j = 0; j < examples; j++)
            {
                labels[(j * classes) + (j * 7 % classes)] = 1f;
            }

            return labels;
        }
    }
}
