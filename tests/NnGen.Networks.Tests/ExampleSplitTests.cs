using System;
using System.Collections.Generic;
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
/// Batches of 512 examples or more train in example chunks (<see cref="ExampleChunks"/>): on generated networks of
/// both strategies the parameters after several Adam steps are bit-identical on 1, 2, 3 and 16 threads, a step is the
/// chunks' gradients reduced in chunk order weighted by their sizes, steps allocate nothing, and networks whose
/// training couples examples or reads sequences keep the whole batch.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class ExampleSplitTests
{
    private static readonly int[] Degrees = [1, 2, 3, 16];

    public static TheoryData<string> NetworkNames() => ["Planar", "Mixed", "Regression", "MediumReLU", "SimpleChains", "DeepCat", "LeNetSmall", "OneDimensional"];

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
        long Measure(int iterations)
        {
            var options = new TrainingOptions { LearningRate = 1e-3f, Iterations = iterations, RecordEvery = 1000, Optimizer = new Adam(), MaxDegreeOfParallelism = 1, PriceFinalCost = false };
            long start = GC.GetAllocatedBytesForCurrentThread();
            Trainer.Fit(subject.Network, subject.Inputs, subject.Labels, options);
            return GC.GetAllocatedBytesForCurrentThread() - start;
        }

        Measure(10);
        AllocationAssert.NoAllocation(() => Measure(30) - Measure(10), "20 extra chunked Adam steps");
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
    /// The fewest examples a chunk takes: 256 for networks whose examples cost about one multiply-add per parameter (the
    /// dense ones, so their batches below 512 keep the whole batch and their results); for convolutional ones 256·P over
    /// the multiply-adds per example, in whole vectors of 16 and at least 32.
    /// </summary>
    [Fact]
    public void MinimumExamplesOf_DenseAndConvolutionalNetworks()
    {
        Assert.Equal(ExampleChunks.MinimumChunkExamples, ExampleChunks.MinimumExamplesOf(new SimpleChainsNet(1)));
        Assert.Equal(ExampleChunks.MinimumChunkExamples, ExampleChunks.MinimumExamplesOf(new DeepCatNet(1)));
        Assert.Equal(ExampleChunks.MinimumChunkExamples, ExampleChunks.MinimumExamplesOf(new LayerNormNet(1)));

        // LeNetSmall: 4·12·12·9 + 6·4·4·36 + 24·10 + 10·3 = 8,910 multiply-adds per example for 545 parameters: 256·545 / 8,910 = 15.7 → 32.
        Assert.Equal(ExampleChunks.SmallestChunkExamples, ExampleChunks.MinimumExamplesOf(new LeNetSmall(1)));

        // Fashion-MNIST's mini-batches of 128 become four chunks of 32 for it, two for LeNet-5 (the benchmark's, 48 examples at least).
        Assert.Equal(4, ExampleChunks.For(128, LeNetSmall.ParameterCount, ExampleChunks.MinimumExamplesOf(new LeNetSmall(1))).Count);
        Assert.Equal(1, ExampleChunks.For(128, SimpleChainsNet.ParameterCount, ExampleChunks.MinimumExamplesOf(new SimpleChainsNet(1))).Count);
    }

    /// <summary>A fresh network (seeded) and a batch large enough to be split: 1,000–10,000 examples, 600 of the cat's width, 128 convolutional.</summary>
    private sealed record Subject(ITrainableNetwork Network, int Examples, float[] Inputs, float[] Labels)
    {
        public static Subject Create(string name)
        {
            (ITrainableNetwork network, int examples, bool regression) = name switch
            {
                "Planar" => ((ITrainableNetwork)new PlanarNet(21), 1000, false),
                "Mixed" => (new MixedNet(22), 1000, false),
                "Regression" => (new RegressionNet(23), 2048, true),
                "MediumReLU" => (new MediumReLUNet(24), 1024, false),
                "SimpleChains" => (new SimpleChainsNet(25), 10_000, true),
                "DeepCat" => (new DeepCatNet(26), 600, false),

                // Convolutional networks split batches of Fashion-MNIST's size: their examples cost many multiply-adds per parameter.
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
