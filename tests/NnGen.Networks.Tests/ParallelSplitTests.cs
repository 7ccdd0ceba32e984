using System;
using System.Collections.Generic;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>The Fashion-MNIST benchmark's network, [784, 256, 128, 10] with a softmax: products large enough to split at batch 128.</summary>
[Network(Inputs = 784)]
[Layer(256, Activation.ReLU)]
[Layer(128, Activation.ReLU)]
[Layer(10, Activation.Softmax)]
public partial class FashionShapedNet;

/// <summary>
/// Generated networks give bit-identical <c>PredictBatch</c>, <c>ComputeGradients</c> and <c>Fit</c> results at every
/// degree of parallelism from 1 to 16, more threads than this machine has cores: however the products and the optimizer
/// update are split, every output element is computed whole by one thread.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class ParallelSplitTests
{
    private static readonly int[] Degrees = [1, 2, 3, 4, 8, 16];

    public static TheoryData<string> NetworkNames() => ["DeepCat", "Fashion"];

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void PredictBatch_EveryDegree_SameBits(string name)
    {
        (ITrainableNetwork net, float[] inputs, _, _) = Subject(name);
        var results = new List<float[]>();
        foreach (int degree in Degrees)
        {
            var outputs = new float[inputs.Length / net.InputSize * net.OutputSize];
            using (KernelParallelism.Override(degree))
            {
                net.PredictBatch(inputs, outputs);
            }

            results.Add(outputs);
        }

        AssertAllLikeFirst(results, $"{name}.PredictBatch");
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void ComputeGradients_EveryDegree_SameBits(string name)
    {
        (ITrainableNetwork net, float[] inputs, float[] labels, _) = Subject(name);
        var results = new List<float[]>();
        foreach (int degree in Degrees)
        {
            var gradients = new float[net.ParameterCount + 1];
            using (KernelParallelism.Override(degree))
            {
                gradients[^1] = net.ComputeGradients(inputs, labels, gradients.AsSpan(0, net.ParameterCount), new Workspace());
            }

            results.Add(gradients);
        }

        AssertAllLikeFirst(results, $"{name}.ComputeGradients (the last element is the cost)");
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Fit_EveryDegree_SameWeightsAndCosts(string name)
    {
        var results = new List<float[]>();
        foreach (int degree in Degrees)
        {
            (ITrainableNetwork net, float[] inputs, float[] labels, int batchSize) = Subject(name);
            TrainingHistory history = Trainer.Fit(net, inputs, labels, new TrainingOptions
            {
                LearningRate = 1e-3f,
                Iterations = 2,
                BatchSize = batchSize,
                RecordEvery = 1,
                Optimizer = new Adam(),
                MaxDegreeOfParallelism = degree,
            });
            float[] result = new float[net.ParameterCount + 2];
            net.Parameters.CopyTo(result);
            result[^2] = history.Costs[0].Cost;
            result[^1] = history.FinalCost;
            results.Add(result);
        }

        AssertAllLikeFirst(results, $"{name}.Fit (the last two elements are the costs)");
    }

    /// <summary>A fresh network and its data: the cat set's 209 examples in one batch, or 300 Fashion-sized examples in batches of 128.</summary>
    private static (ITrainableNetwork Network, float[] Inputs, float[] Labels, int BatchSize) Subject(string name)
    {
        switch (name)
        {
            case "DeepCat":
            {
                var net = new DeepCatNet(11);
                return (net, TestData.Uniform(209 * DeepCatNet.InputSize, 12), TestData.Binary(209, 13), 0);
            }

            default:
            {
                const int examples = 300;
                var net = new FashionShapedNet(14);
                float[] labels = new float[examples * FashionShapedNet.OutputSize];
                var random = new Random(15);
                for (int i = 0; i < examples; i++)
                {
                    labels[(i * FashionShapedNet.OutputSize) + random.Next(FashionShapedNet.OutputSize)] = 1f;
                }

                return (net, TestData.Uniform(examples * FashionShapedNet.InputSize, 16), labels, 128);
            }
        }
    }

    private static void AssertAllLikeFirst(List<float[]> results, string what)
    {
        for (int i = 1; i < results.Count; i++)
        {
            DeterminismTests.AssertBitIdentical(results[0], results[i], $"{what}, {Degrees[i]} threads against 1");
        }
    }
}
