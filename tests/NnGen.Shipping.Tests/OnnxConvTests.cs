using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NnGen.Kernels;
using NnGen.Onnx;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;
using static NnGen.Shipping.Tests.OnnxLayerKindsTests;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Convolutional networks (LeNet-5; a 2-D net with stride, dilation, groups, uneven padding, padded pools, dropout and
/// norms between convolutions; 1-D nets with causal and strided convolutions, pools, global average pooling and flatten)
/// with random weights exported to ONNX run in ONNX Runtime on (batch, C, H, W) / (batch, C, L) input and agree with the
/// float64 reference (<see cref="ConvReference"/>) within |onnx − reference| ≤ 1e-5·(1 + |reference|) per output. ONNX
/// Runtime computes in float32 (~1e-7 relative per operation, a few hundred terms per sum here); pads in the wrong order,
/// a stride or dilation on the wrong axis, padding left out of an average or norms applied per channel move outputs by far more.
/// </summary>
public sealed class OnnxConvTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Networks => new() { "lenet5", "mixed2d", "signal", "flat1d" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Export_Convolutional_RunsInOnnxRuntime_MatchesTheDoubleReference(string name)
    {
        var network = new ConvNetwork(ConvNetwork.ArchitectureOf(name), seed: 5);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));

        double worst = 0;
        foreach (int examples in new[] { 1, 3, 17 })
        {
            float[] inputs = ConvReference.Inputs(network.Architecture, examples, seed: examples);
            double[] expected = ConvReference.Forward(network.Architecture, network.Parameters, network.State, inputs, examples);
            (float[] actual, int[] dimensions) = Run(session, network.Architecture, inputs, examples);

            Assert.Equal(new[] { examples, network.OutputSize }, dimensions);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = Math.Abs(actual[i] - expected[i]);
                Assert.True(difference <= Tolerance * (1 + Math.Abs(expected[i])), $"{name}, {examples} examples: output {i}: ONNX Runtime {actual[i]:R}, reference {expected[i]:R}.");
                worst = Math.Max(worst, difference / (1 + Math.Abs(expected[i])));
            }
        }

        output.WriteLine($"{name}: largest |onnx - reference| / (1 + |reference|) = {worst:E2}");
    }

    /// <summary>End to end: PyTorch's weights loaded from the conv fixtures, exported, and run in ONNX Runtime give PyTorch's outputs.</summary>
    [Theory]
    [InlineData("torch-conv2d.safetensors")]
    [InlineData("torch-conv1d-state-dict.safetensors")]
    public void Export_PyTorchFixture_OnnxRuntimeReproducesPyTorch(string fixture)
    {
        NetworkArchitecture architecture = fixture.Contains("conv2d", StringComparison.Ordinal) ? PyTorchConvFixtureTests.Conv2DModel() : PyTorchConvFixtureTests.Conv1DModel();
        var network = new ConvNetwork(architecture, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(network, System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));
        const int Examples = 5;
        NamedTensor inputs = loaded.GetExtra("fixture.inputs", [Examples, .. architecture.InputShape]);
        NamedTensor torch = loaded.GetExtra("fixture.outputs_f64", Examples, architecture.OutputSize);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));

        float[] actual = Run(session, architecture, inputs.Values.ToArray(), Examples).Values;

        Assert.Equal(torch.Values.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - torch.Values[i]) <= Tolerance * (1 + Math.Abs(torch.Values[i])), $"{fixture}: output {i}: ONNX Runtime {actual[i]:R}, PyTorch {torch.Values[i]:R}.");
        }
    }

    [Fact]
    public void Export_LeNet5_NodesInitializersShapesAndMetadata()
    {
        var network = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 1);
        byte[] model = OnnxExporter.ToBytes(network);

        Assert.Equal(
            new[] { "Conv", "Relu", "MaxPool", "Conv", "Relu", "AveragePool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax" },
            OnnxModelReader.Operators(model));
        Assert.Equal(new[] { "W1", "b1", "W3", "b3", "W6", "b6", "W7", "b7", "W8", "b8" }, OnnxModelReader.Initializers(model));
        Assert.Equal((OnnxExporter.IrVersion, OnnxExporter.OpsetVersion), OnnxModelReader.Versions(model));
        using var session = new InferenceSession(model);
        Assert.Equal(new[] { -1, 1, 28, 28 }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
        Assert.Equal(new[] { -1, 10 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        Assert.Equal("1,28,28", session.ModelMetadata.CustomMetadataMap[WeightsFile.InputShapeKey]);
        Assert.Equal(
            "conv2d(out_channels=6 kernel_h=5 kernel_w=5 stride_h=1 stride_w=1 pad_top=2 pad_bottom=2 pad_left=2 pad_right=2 dilation_h=1 dilation_w=1 groups=1)," +
            "max_pool2d(kernel_h=2 kernel_w=2 stride_h=2 stride_w=2 pad_h=0 pad_w=0)," +
            "conv2d(out_channels=16 kernel_h=5 kernel_w=5 stride_h=1 stride_w=1 pad_top=0 pad_bottom=0 pad_left=0 pad_right=0 dilation_h=1 dilation_w=1 groups=1)," +
            "avg_pool2d(kernel_h=2 kernel_w=2 stride_h=2 stride_w=2 pad_h=0 pad_w=0),flatten,dense,dense,dense",
            session.ModelMetadata.CustomMetadataMap[WeightsFile.LayersKey]);
    }

    [Fact]
    public void Export_NormsOnShapedData_FlattenedNormalizedAndReshapedBack()
    {
        var network = new ConvNetwork(ConvNetwork.ArchitectureOf("mixed2d"), seed: 1);
        byte[] model = OnnxExporter.ToBytes(network);

        Assert.Equal(
            new[]
            {
                "Conv", "Tanh", "AveragePool", "Flatten", "BatchNormalization", "Reshape", "Conv", "LeakyRelu",
                "Flatten", "LayerNormalization", "Reshape", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm", "Sigmoid",
            },
            OnnxModelReader.Operators(model));
        Assert.Equal((OnnxExporter.LayerNormalizationIrVersion, OnnxExporter.LayerNormalizationOpsetVersion), OnnxModelReader.Versions(model));
        Assert.Contains("shape4", OnnxModelReader.Initializers(model));
        using var session = new InferenceSession(model);
        Assert.Equal(new[] { -1, 3, 11, 10 }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
    }

    [Fact]
    public void Export_OneDimensional_ReadsBatchChannelsLength()
    {
        using var session = new InferenceSession(OnnxExporter.ToBytes(new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 1)));

        Assert.Equal(new[] { -1, 4, 50 }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
        Assert.Equal(new[] { -1, 3 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
    }

    [Fact]
    public void Export_ConvolutionsAndRecurrentLayers_RefusedNamingTheNetwork()
    {
        var architecture = new NetworkArchitecture(
            "ConvLstm",
            new[] { 2, 6 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(2, 6, 2, 3, 1, 0, 0, 1, 1), Activation.ReLU, 0),
                LayerDescription.Flatten(2, 2, 1, 4),
                LayerDescription.Lstm(3, 8, 3, returnSequences: false, parameterOffset: 14),
                LayerDescription.Dense(4, 3, 1, Activation.Linear, 14 + 156),
            ],
            Loss.MeanSquaredError);
        var network = new LayerKindsNetwork(architecture, seed: 1);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => OnnxExporter.ToBytes(network));

        Assert.Equal(
            "ConvLstm ((2, 6) -> conv1d relu (2, 4) -> flatten (8) -> lstm(3, last step) -> 1 linear) has recurrent and convolution or pooling layers; ONNX export handles one or the other.",
            error.Message);
    }

    private static (float[] Values, int[] Dimensions) Run(InferenceSession session, NetworkArchitecture architecture, float[] inputs, int examples)
    {
        var tensor = new DenseTensor<float>(inputs, [examples, .. architecture.InputShape]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        Tensor<float> result = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>();
        return (result.ToArray(), result.Dimensions.ToArray());
    }
}
