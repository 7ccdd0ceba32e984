using System;
using System.Collections.Generic;

namespace NnGen.Networks.Tests;

/// <summary>The [16, 64, 64, 1] ReLU network of the repeated-Fit report: batch products through the GEMM kernels.</summary>
[Network(Inputs = 16)]
[Layer(64, Activation.ReLU)]
[Layer(64, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class MediumReLUNet;

/// <summary>
/// Same inputs, same options, same seed → bit-identical <c>PredictBatch</c>, <c>ComputeGradients</c>, <c>Evaluate</c>
/// and <c>Fit</c>, wherever the buffers sit and however many threads run. Buffers are shifted through every alignment
/// class of a 64-byte vector (0..15 floats into a larger array, each buffer by a different amount), <c>Fit</c> is
/// repeated in one process (each run gets freshly allocated workspaces at new addresses), and training runs on one
/// thread and on two. Networks cover both code paths: the fused tiny pass (planar, mixed) and the matrix kernels
/// (the cat network's 12288-wide first layer, the medium ReLU network).
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class DeterminismTests
{
    private const int MaxShift = 15;

    public static TheoryData<string> NetworkNames() => ["Planar", "Mixed", "DeepCat", "MediumReLU"];

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void PredictBatch_BuffersAtEveryAlignment_SameBits(string name)
    {
        Subject net = Subject.Create(name, seed: 3);
        (float[] inputs, _) = net.Data(seed: 31);
        float[] expected = net.PredictBatch(Place(inputs, 0), 0);
        for (int shift = 1; shift <= MaxShift; shift++)
        {
            AssertBitIdentical(expected, net.PredictBatch(Place(inputs, shift), (shift * 7) % 16), $"{name}.PredictBatch, shift {shift}");
        }
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void ComputeGradients_BuffersAtEveryAlignment_SameBits(string name)
    {
        Subject net = Subject.Create(name, seed: 4);
        (float[] inputs, float[] labels) = net.Data(seed: 32);
        (float[] expected, float expectedCost) = net.Gradients(Place(inputs, 0), Place(labels, 0), 0);
        for (int shift = 1; shift <= MaxShift; shift++)
        {
            (float[] actual, float cost) = net.Gradients(Place(inputs, shift), Place(labels, (shift * 3) % 16), (shift * 5) % 16);
            AssertBitIdentical(expected, actual, $"{name}.ComputeGradients, shift {shift}");
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedCost), BitConverter.SingleToInt32Bits(cost));
        }
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Evaluate_BuffersAtEveryAlignment_SameResult(string name)
    {
        Subject net = Subject.Create(name, seed: 5);
        (float[] inputs, float[] labels) = net.Data(seed: 33);
        Evaluation expected = Trainer.Evaluate(net.Network, Place(inputs, 0), Place(labels, 0));
        for (int shift = 1; shift <= MaxShift; shift++)
        {
            Evaluation actual = Trainer.Evaluate(net.Network, Place(inputs, shift), Place(labels, (shift * 11) % 16));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Cost), BitConverter.DoubleToInt64Bits(actual.Cost));
            Assert.Equal(expected.Accuracy, actual.Accuracy);
        }
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Fit_RepeatedInOneProcessWithShiftedData_SameWeights(string name)
    {
        var results = new List<float[]>();
        for (int run = 0; run < 4; run++)
        {
            Subject net = Subject.Create(name, seed: 6);
            (float[] inputs, float[] labels) = net.Data(seed: 34);
            int shift = (run * 5) % 16;
            Trainer.Fit(net.Network, Place(inputs, shift), Place(labels, (shift * 3) % 16), new TrainingOptions { LearningRate = 0.05f, Iterations = net.Iterations, RecordEvery = 1 });
            results.Add(net.Network.Parameters.ToArray());
        }

        for (int run = 1; run < results.Count; run++)
        {
            AssertBitIdentical(results[0], results[run], $"{name}.Fit, run {run} against run 0");
        }
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Fit_OneThreadAndTwo_SameWeights(string name)
    {
        float[] Train(int threads)
        {
            Subject net = Subject.Create(name, seed: 7);
            (float[] inputs, float[] labels) = net.Data(seed: 35);
            Trainer.Fit(net.Network, inputs, labels, new TrainingOptions { LearningRate = 0.05f, Iterations = net.Iterations, MaxDegreeOfParallelism = threads });
            return net.Network.Parameters.ToArray();
        }

        AssertBitIdentical(Train(1), Train(2), $"{name}.Fit, 2 threads against 1");
    }

    [Fact]
    public void PredictBatchAndComputeGradients_ProcessWideKernelParallelism_SameBitsForOneAndTwoThreads()
    {
        Subject net = Subject.Create("DeepCat", seed: 8);
        (float[] inputs, float[] labels) = net.Data(seed: 36);
        int saved = Kernels.KernelParallelism.MaxDegreeOfParallelism;
        try
        {
            Kernels.KernelParallelism.MaxDegreeOfParallelism = 1;
            float[] predictedOne = net.PredictBatch(inputs, 0);
            (float[] gradientsOne, float costOne) = net.Gradients(inputs, labels, 0);
            Kernels.KernelParallelism.MaxDegreeOfParallelism = 2;
            float[] predictedTwo = net.PredictBatch(inputs, 0);
            (float[] gradientsTwo, float costTwo) = net.Gradients(inputs, labels, 0);
            AssertBitIdentical(predictedOne, predictedTwo, "DeepCat.PredictBatch, 2 threads against 1");
            AssertBitIdentical(gradientsOne, gradientsTwo, "DeepCat.ComputeGradients, 2 threads against 1");
            Assert.Equal(costOne, costTwo);
        }
        finally
        {
            Kernels.KernelParallelism.MaxDegreeOfParallelism = saved;
        }
    }

    internal static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}.");
            }
        }
    }

    /// <summary>The values placed <paramref name="shift"/> floats into a larger, NaN-filled array.</summary>
    private static ArraySegment<float> Place(float[] values, int shift)
    {
        var buffer = new float[values.Length + MaxShift + 1];
        Array.Fill(buffer, float.NaN);
        values.CopyTo(buffer, shift);
        return new ArraySegment<float>(buffer, shift, values.Length);
    }

    /// <summary>One generated network behind the calls these tests make, with data of its shape.</summary>
    private sealed class Subject(ITrainableNetwork network, int examples, int iterations)
    {
        public ITrainableNetwork Network { get; } = network;

        public int Iterations { get; } = iterations;

        public static Subject Create(string name, int seed) => name switch
        {
            // 209 examples: the cat training set's size, a partial tiny-pass step and a partial column tile.
            "Planar" => new(new PlanarNet(seed), 400, 300),
            "Mixed" => new(new MixedNet(seed), 209, 300),
            "DeepCat" => new(new DeepCatNet(seed), 209, 6),
            "MediumReLU" => new(new MediumReLUNet(seed), 301, 40),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test network."),
        };

        public (float[] Inputs, float[] Labels) Data(int seed) =>
            (TestData.Uniform(examples * Network.InputSize, seed), TestData.Binary(examples * Network.OutputSize, seed + 1));

        public float[] PredictBatch(ArraySegment<float> inputs, int outputShift)
        {
            ArraySegment<float> outputs = Place(new float[examples * Network.OutputSize], outputShift);
            Network.PredictBatch(inputs, outputs);
            return outputs.ToArray();
        }

        public (float[] Gradients, float Cost) Gradients(ArraySegment<float> inputs, ArraySegment<float> labels, int gradientShift)
        {
            ArraySegment<float> gradients = Place(new float[Network.ParameterCount], gradientShift);
            float cost = Network.ComputeGradients(inputs, labels, gradients, new Workspace());
            return (gradients.ToArray(), cost);
        }

    }
}

/// <summary>Tests that change <see cref="Kernels.KernelParallelism.MaxDegreeOfParallelism"/> run one at a time.</summary>
[CollectionDefinition(nameof(KernelParallelismSetting), DisableParallelization = true)]
public sealed class KernelParallelismSetting;
