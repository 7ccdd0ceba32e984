using System;
using System.Linq;
using System.Reflection;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// Wrong buffer lengths at the public edge: an <see cref="ArgumentException"/> whose message names the network, the
/// method and both sizes, thrown before anything is written (the output buffer keeps its sentinel).
/// </summary>
public sealed class BadLengthTests
{
    private const float Sentinel = 12345.5f;

    private static CompiledNetwork Planar => CompiledNetwork.For(TestArchitecture.Planar);
    private static CompiledNetwork MultiOutput => CompiledNetwork.For(TestArchitecture.MultiOutputLinear);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0)]
    public void Predict_WrongInputLength_ThrowsNamingSizesAndLeavesOutputUntouched(int length)
    {
        ITrainableNetwork network = Planar.Create();
        float[] y = Filled(1);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => network.Predict(new float[length], y));

        AssertMessage(exception, "PlanarNet.Predict", $"x has {length} floats", "expected 2", "InputSize");
        Assert.Equal("x", exception.ParamName);
        AssertUntouched(y);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Predict_WrongOutputLength_ThrowsNamingSizesAndLeavesOutputUntouched(int length)
    {
        ITrainableNetwork network = Planar.Create();
        float[] y = Filled(length);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => network.Predict(new float[2], y));

        AssertMessage(exception, "PlanarNet.Predict", $"y has {length} floats", "expected 1", "OutputSize");
        AssertUntouched(y);
    }

    [Fact]
    public void PredictBatch_InputsNotMultipleOfInputSize_ThrowsNamingSizesAndLeavesOutputsUntouched()
    {
        ITrainableNetwork network = Planar.Create();
        float[] outputs = Filled(3);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => network.PredictBatch(new float[7], outputs));

        AssertMessage(exception, "PlanarNet.PredictBatch: inputs has 7 floats, which is not a multiple of InputSize 2");
        Assert.Equal("inputs", exception.ParamName);
        AssertUntouched(outputs);
    }

    [Fact]
    public void PredictBatch_EmptyInputs_ThrowsNamingInputSizeAndLeavesOutputsUntouched()
    {
        ITrainableNetwork network = Planar.Create();
        float[] outputs = Filled(1);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => network.PredictBatch(ReadOnlySpan<float>.Empty, outputs));

        AssertMessage(exception, "PlanarNet.PredictBatch", "inputs is empty", "InputSize 2");
        AssertUntouched(outputs);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(0)]
    public void PredictBatch_OutputsOfWrongLength_ThrowsNamingSizesAndLeavesOutputsUntouched(int length)
    {
        // Three examples of three inputs; two outputs each, so exactly 6 floats are expected.
        ITrainableNetwork network = MultiOutput.Create();
        float[] outputs = Filled(length);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => network.PredictBatch(new float[9], outputs));

        AssertMessage(exception, "MultiOutputLinearNet.PredictBatch", $"outputs has {length} floats", "expected 6", "3 examples", "OutputSize 2");
        Assert.Equal("outputs", exception.ParamName);
        AssertUntouched(outputs);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void ComputeGradients_LabelsOfWrongLength_ThrowsNamingSizesAndLeavesGradientsUntouched(int length)
    {
        ITrainableNetwork network = Planar.Create();
        float[] gradients = Filled(network.ParameterCount);

        ArgumentException exception = Assert.Throws<ArgumentException>(
            () => network.ComputeGradients(new float[6], new float[length], gradients, new Workspace()));

        AssertMessage(exception, "PlanarNet.ComputeGradients", $"labels has {length} floats", "expected 3", "OutputSize 1");
        Assert.Equal("labels", exception.ParamName);
        AssertUntouched(gradients);
    }

    [Fact]
    public void ComputeGradients_InputsNotMultipleOfInputSize_ThrowsNamingSizesAndLeavesGradientsUntouched()
    {
        ITrainableNetwork network = Planar.Create();
        float[] gradients = Filled(network.ParameterCount);

        ArgumentException exception = Assert.Throws<ArgumentException>(
            () => network.ComputeGradients(new float[5], new float[2], gradients, new Workspace()));

        AssertMessage(exception, "PlanarNet.ComputeGradients: inputs has 5 floats, which is not a multiple of InputSize 2");
        AssertUntouched(gradients);
    }

    [Fact]
    public void ComputeGradients_GradientsOfWrongLength_ThrowsNamingSizesAndLeavesGradientsUntouched()
    {
        ITrainableNetwork network = Planar.Create();
        float[] gradients = Filled(network.ParameterCount - 1);

        ArgumentException exception = Assert.Throws<ArgumentException>(
            () => network.ComputeGradients(new float[6], new float[3], gradients, new Workspace()));

        AssertMessage(exception, "PlanarNet.ComputeGradients", $"gradients has {network.ParameterCount - 1} floats", $"expected {network.ParameterCount}", "ParameterCount");
        AssertUntouched(gradients);
    }

    [Fact]
    public void ComputeGradients_TypedOverloadWithLabelsOfWrongLength_ThrowsNamingSizes()
    {
        ITrainableNetwork network = MultiOutput.Create();
        float[] gradients = Filled(network.ParameterCount);

        TargetInvocationException wrapper = Assert.Throws<TargetInvocationException>(
            () => MultiOutput.ComputeGradientsTyped(network, new float[6], new float[3], gradients));

        ArgumentException exception = Assert.IsType<ArgumentException>(wrapper.InnerException);
        AssertMessage(exception, "MultiOutputLinearNet.ComputeGradients", "labels has 3 floats", "expected 4", "OutputSize 2");
        AssertUntouched(gradients);
    }

    private static float[] Filled(int length) => Enumerable.Repeat(Sentinel, length).ToArray();

    private static void AssertMessage(ArgumentException exception, params string[] fragments)
    {
        foreach (string fragment in fragments)
        {
            Assert.True(exception.Message.Contains(fragment, StringComparison.Ordinal), $"Expected '{fragment}' in the message: {exception.Message}");
        }
    }

    private static void AssertUntouched(float[] buffer) =>
        Assert.True(buffer.All(value => value == Sentinel), $"The buffer was written before the lengths were checked: [{string.Join(", ", buffer)}]");
}
