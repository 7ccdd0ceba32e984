using System;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>After warm-up, inference allocates nothing: not per call, not per batch, for every architecture.</summary>
public class AllocationTests
{
    private const int Calls = 50;

    [Fact]
    public void Predict_PlanarNet_AllocatesNothingAfterWarmUp()
    {
        var net = new PlanarNet(1);
        AssertInferenceAllocatesNothing(net, PlanarNet.InputSize, PlanarNet.OutputSize);
        PlanarNet.Input x = default;
        x[0] = 0.5f;
        AssertAllocatesNothing(() => net.Predict(in x)[0]);
    }

    [Fact]
    public void Predict_LogisticRegression_AllocatesNothingAfterWarmUp()
    {
        var net = new LogisticRegression(1);
        AssertInferenceAllocatesNothing(net, LogisticRegression.InputSize, LogisticRegression.OutputSize);
        LogisticRegression.Input x = default;
        x[1] = 0.5f;
        AssertAllocatesNothing(() => net.Predict(in x)[0]);
    }

    [Fact]
    public void Predict_MixedNet_AllocatesNothingAfterWarmUp()
    {
        var net = new MixedNet(1);
        AssertInferenceAllocatesNothing(net, MixedNet.InputSize, MixedNet.OutputSize);
        MixedNet.Input x = default;
        x[2] = 0.5f;
        AssertAllocatesNothing(() => net.Predict(in x)[1]);
    }

    [Fact]
    public void Predict_DeepCatNet_AllocatesNothingAfterWarmUp()
    {
        var net = new DeepCatNet(1);
        AssertInferenceAllocatesNothing(net, DeepCatNet.InputSize, DeepCatNet.OutputSize);
        var x = new DeepCatNet.Input();
        x[100] = 0.5f;
        AssertAllocatesNothing(() => net.Predict(in x)[0]);
    }

    [Fact]
    public void ComputeGradients_WithKeptWorkspace_AllocatesNothingPerIteration()
    {
        var net = new DeepCatNet(3);
        const int m = 209;
        float[] inputs = TestData.Uniform(m * DeepCatNet.InputSize, 1);
        float[] labels = TestData.Binary(m, 2);
        var gradients = new DeepCatNet.Gradients();
        var workspace = new Workspace();
        AllocationAssert.NoAllocation(
            () =>
            {
                net.ComputeGradients(inputs, labels, gradients, workspace);
                net.Step(gradients, 1e-4f);
            },
            calls: 5,
            "ComputeGradients + Step with a kept workspace");
    }

    [Fact]
    public void Fit_SteadyState_AllocatesNothingPerIteration()
    {
        var data = Data.PlanarDataset.Generate();
        var net = new PlanarNet(2);

        // Fit allocates its buffers once per call; its iterations must not add a byte.
        AllocationAssert.NoAllocationBetweenRecords(
            progress => net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 300, RecordEvery = 100, Progress = progress }),
            "199 training iterations");
    }

    private static void AssertAllocatesNothing(Func<float> call) =>
        AllocationAssert.NoAllocation(() => Assert.True(float.IsFinite(call())), Calls, "typed Predict(in Input)");

    private static void AssertInferenceAllocatesNothing(ITrainableNetwork net, int inputSize, int outputSize)
    {
        const int m = 1024;
        float[] x = TestData.Uniform(inputSize, 7);
        float[] y = new float[outputSize];
        float[] inputs = TestData.Uniform(inputSize * m, 8);
        float[] outputs = new float[outputSize * m];

        AllocationAssert.NoAllocation(() => net.Predict(x, y), Calls, "Predict(span, span)");
        AllocationAssert.NoAllocation(() => net.PredictBatch(inputs, outputs), calls: 3, "PredictBatch of 1024 examples");
    }
}
