using System;

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
        net.ComputeGradients(inputs, labels, gradients, workspace);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            net.ComputeGradients(inputs, labels, gradients, workspace);
            net.Step(gradients, 1e-4f);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Fit_SteadyState_AllocatesNothingPerIteration()
    {
        var data = Data.PlanarDataset.Generate();
        var net = new PlanarNet(2);
        var few = new TrainingOptions { LearningRate = 0.1f, Iterations = 100, RecordEvery = 1000 };
        var many = new TrainingOptions { LearningRate = 0.1f, Iterations = 300, RecordEvery = 1000 };
        net.Fit(data.Inputs, data.Labels, few);

        long start = GC.GetAllocatedBytesForCurrentThread();
        net.Fit(data.Inputs, data.Labels, few);
        long fewBytes = GC.GetAllocatedBytesForCurrentThread() - start;
        start = GC.GetAllocatedBytesForCurrentThread();
        net.Fit(data.Inputs, data.Labels, many);
        long manyBytes = GC.GetAllocatedBytesForCurrentThread() - start;

        // Fit allocates its buffers once per call; 200 more iterations must not add a byte.
        Assert.Equal(fewBytes, manyBytes);
    }

    private static void AssertAllocatesNothing(Func<float> call)
    {
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            sum += call();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(sum));
    }

    private static void AssertInferenceAllocatesNothing(ITrainableNetwork net, int inputSize, int outputSize)
    {
        const int m = 1024;
        float[] x = TestData.Uniform(inputSize, 7);
        float[] y = new float[outputSize];
        float[] inputs = TestData.Uniform(inputSize * m, 8);
        float[] outputs = new float[outputSize * m];
        net.Predict(x, y);
        net.PredictBatch(inputs, outputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            net.Predict(x, y);
        }

        long afterSingle = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            net.PredictBatch(inputs, outputs);
        }

        long afterBatch = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, afterSingle - before);
        Assert.Equal(0, afterBatch - afterSingle);
    }
}
