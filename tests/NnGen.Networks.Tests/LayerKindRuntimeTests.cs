using System;
using System.Collections.Generic;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>[784, 256, BatchNorm, Dropout 0.2, 128, LayerNorm, 10]: the Fashion sample's normalized network, with products large enough to split.</summary>
[Network(Inputs = 784)]
[Dense(256, Activation.ReLU)]
[BatchNorm]
[Dropout(0.2)]
[Dense(128, Activation.ReLU)]
[LayerNorm]
[Dense(10, Activation.Softmax)]
public partial class FashionNormShapedNet;

/// <summary>
/// Issue 20, points 1 and 2, for the layer kinds: Predict, PredictBatch and a training step allocate nothing once warm,
/// and a training step is bit-identical at every degree of parallelism (the dropout mask depends on the step seed and
/// the element, never on how the work is split).
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class LayerKindRuntimeTests
{
    private static readonly int[] Degrees = [1, 2, 3, 4, 8, 16];

    [Fact]
    public void Predict_AllKindsNet_AllocatesNothingAfterWarmUp()
    {
        var net = new AllKindsNet(1);
        AllKindsNet.Input x = default;
        x[3] = 0.5f;
        var inputs = TestData.Uniform(40 * AllKindsNet.InputSize, 3);
        var outputs = new float[40 * AllKindsNet.OutputSize];
        AllocationAssert.NoAllocation(
            () =>
            {
                _ = net.Predict(in x);
                net.PredictBatch(inputs, outputs);
            },
            calls: 20,
            "Predict and PredictBatch of a network with batch norm, dropout and layer norm");
    }

    [Fact]
    public void TrainingStep_AllKindsNet_AllocatesNothingPerStep()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = LayerKindTests.Create(nameof(AllKindsNet), examples: 64);
        var typed = (AllKindsNet)net;
        var gradients = new AllKindsNet.Gradients();
        var workspace = new Workspace();
        ulong seed = 0;
        AllocationAssert.NoAllocation(
            () =>
            {
                typed.ComputeGradients(inputs, labels, gradients, workspace, stepSeed: seed++);
                typed.Step(gradients, 1e-4f);
            },
            calls: 5,
            "ComputeGradients + Step with dropout masks and batch statistics");
    }

    [Fact]
    public void Fit_AllKindsNet_SteadyState_AllocatesNothingPerIteration()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = LayerKindTests.Create(nameof(AllKindsNet), examples: 128);
        AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(net, inputs, labels, new TrainingOptions { LearningRate = 1e-3f, Iterations = 25, BatchSize = 32, RecordEvery = 5, Optimizer = new Adam(), Progress = progress }),
            "19 passes of mini-batches through dropout and batch norm");
    }

    [Fact]
    public void Fit_FashionNormShaped_EveryDegree_SameBits()
    {
        const int examples = 300;
        var results = new List<float[]>();
        foreach (int degree in Degrees)
        {
            var net = new FashionNormShapedNet(14);
            float[] labels = new float[examples * FashionNormShapedNet.OutputSize];
            var random = new Random(15);
            for (int i = 0; i < examples; i++)
            {
                labels[(i * FashionNormShapedNet.OutputSize) + random.Next(FashionNormShapedNet.OutputSize)] = 1f;
            }

            TrainingHistory history = net.Fit(TestData.Uniform(examples * FashionNormShapedNet.InputSize, 16), labels, new TrainingOptions
            {
                LearningRate = 1e-3f,
                Iterations = 2,
                BatchSize = 128,
                RecordEvery = 1,
                Seed = 5,
                Optimizer = new Adam(),
                MaxDegreeOfParallelism = degree,
            });
            var result = new float[FashionNormShapedNet.ParameterCount + FashionNormShapedNet.StateCount + 1];
            net.Parameters.CopyTo(result);
            net.State.CopyTo(result.AsSpan(FashionNormShapedNet.ParameterCount));
            result[^1] = history.FinalCost;
            results.Add(result);
        }

        for (int i = 1; i < results.Count; i++)
        {
            Assert.True(results[0].AsSpan().SequenceEqual(results[i]), $"degree {Degrees[i]} differs from degree 1 (parameters, running statistics, final cost)");
        }
    }

    [Fact]
    public void Fit_EarlyStopping_RestoresTheRunningStatisticsWithTheBestParameters()
    {
        (ISerializableNetwork net, float[] inputs, float[] labels) = LayerKindTests.Create(nameof(BatchNormNet), examples: 96);
        var snapshots = new List<(float[] Parameters, float[] State)>();
        TrainingHistory history = Trainer.Fit(net, inputs.AsSpan(0, 64 * net.InputSize), labels.AsSpan(0, 64 * net.OutputSize), new TrainingOptions
        {
            LearningRate = 0.5f,
            Iterations = 30,
            BatchSize = 16,
            RecordEvery = 1,
            Validation = new ValidationData(inputs.AsMemory(64 * net.InputSize), labels.AsMemory(64 * net.OutputSize)),
            EarlyStopping = new EarlyStopping { Patience = 3 },
            Progress = new Recorder(net, snapshots),
        });

        Assert.NotNull(history.BestIteration);
        (float[] parameters, float[] state) = snapshots[history.BestIteration!.Value];
        Assert.Equal(parameters, net.Parameters.ToArray());
        Assert.Equal(state, net.State.ToArray());
    }

    /// <summary>Keeps the parameters and state at every record point, on the training thread.</summary>
    private sealed class Recorder(ITrainableNetwork net, List<(float[] Parameters, float[] State)> snapshots) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => snapshots.Add((net.Parameters.ToArray(), net.State.ToArray()));
    }
}
