using System;

namespace NnGen.Networks.Tests;

/// <summary>
/// GradientCheck on generated networks: correct backward passes score far below 1e-3, and a backward pass with one
/// corrupted term is caught.
/// </summary>
public class GradientCheckTests
{
    [Fact]
    public void GradientCheck_PlanarNet_IsBelowOneThousandth()
    {
        var net = new PlanarNet(seed: 3);
        ScaleUp(net.Parameters, 50f); // randn·0.01 weights make every gradient tiny; larger ones make the check meaningful.
        (float[] inputs, float[] labels) = Data(PlanarNet.InputSize, PlanarNet.OutputSize, 32);

        Assert.True(net.GradientCheck(inputs, labels) < 1e-3);
    }

    [Fact]
    public void GradientCheck_RegressionNetWithSquaredError_IsBelowOneThousandth()
    {
        var net = new RegressionNet(seed: 5);
        (float[] inputs, float[] labels) = Data(RegressionNet.InputSize, RegressionNet.OutputSize, 16);

        Assert.True(net.GradientCheck(inputs, labels) < 1e-3);
    }

    [Fact]
    public void GradientCheck_OneBackwardTermCorrupted_IsDetected()
    {
        var net = new PlanarNet(seed: 3);
        ScaleUp(net.Parameters, 50f);
        (float[] inputs, float[] labels) = Data(PlanarNet.InputSize, PlanarNet.OutputSize, 32);

        // The same network, but its backward pass loses the bias gradient of the hidden layer (db1 = 0).
        var broken = new CorruptedBackward(net, PlanarNet.b1Offset, PlanarNet.Layer1Units);

        Assert.True(net.GradientCheck(inputs, labels) < 1e-3);
        Assert.True(Trainer.GradientCheck(broken, inputs, labels) > 1e-2);
    }

    private static void ScaleUp(Span<float> parameters, float factor)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] *= factor;
        }
    }

    private static (float[] Inputs, float[] Labels) Data(int inputSize, int outputSize, int examples) =>
        (TestData.Uniform(examples * inputSize, 17), TestData.Binary(examples * outputSize, 18));

    /// <summary>A generated network whose gradient has one block zeroed, as a hand-broken backward pass would.</summary>
    private sealed class CorruptedBackward(ITrainableNetwork inner, int offset, int length) : ITrainableNetwork
    {
        public string Name => inner.Name;

        public int InputSize => inner.InputSize;

        public int OutputSize => inner.OutputSize;

        public int ParameterCount => inner.ParameterCount;

        public Loss Loss => inner.Loss;

        public Activation OutputActivation => inner.OutputActivation;

        public Span<float> Parameters => inner.Parameters;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
        {
            float cost = inner.ComputeGradients(inputs, labels, gradients, workspace);
            gradients.Slice(offset, length).Clear();
            return cost;
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => inner.Predict(x, y);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => inner.PredictBatch(inputs, outputs);
    }
}
