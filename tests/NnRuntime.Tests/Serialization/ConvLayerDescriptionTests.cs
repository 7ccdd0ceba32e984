using System;
using System.Linq;
using NnGen.Kernels;

namespace NnGen.Tests.Serialization;

/// <summary>
/// Convolution, pooling, global-average-pooling and flatten layers as data: the contract's tensors, shapes and names,
/// PyTorch-like descriptions, the factories' checks, and the architecture's shape chain.
/// </summary>
public sealed class ConvLayerDescriptionTests
{
    /// <summary>
    /// LeNet-5 as the issue writes it: (1, 28, 28) -> conv 6 k5 p2 relu -> max 2 -> conv 16 k5 relu -> avg 2 -> flatten ->
    /// 120 relu -> 84 relu -> 10 softmax; 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters, as PyTorch counts them.
    /// </summary>
    internal static NetworkArchitecture LeNet5(int secondKernel = 5) => new(
        "LeNet5",
        new[] { 1, 28, 28 },
        [
            LayerDescription.Convolution(1, LayerKind.Conv2D, new ConvGeometry(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1), Activation.ReLU, 0),
            LayerDescription.Pooling(2, LayerKind.MaxPool2D, new PoolGeometry(6, 28, 28, 2, 2, 2, 2, 0, 0)),
            LayerDescription.Convolution(3, LayerKind.Conv2D, Conv(6, 14, 14, 16, secondKernel), Activation.ReLU, 156),
            LayerDescription.Pooling(4, LayerKind.AvgPool2D, new PoolGeometry(16, 15 - secondKernel, 15 - secondKernel, 2, 2, 2, 2, 0, 0)),
            LayerDescription.Flatten(5, 16, (15 - secondKernel) / 2, (15 - secondKernel) / 2),
            LayerDescription.Dense(6, 16 * ((15 - secondKernel) / 2) * ((15 - secondKernel) / 2), 120, Activation.ReLU, 156 + (16 * 6 * secondKernel * secondKernel) + 16),
            LayerDescription.Dense(7, 120, 84, Activation.ReLU, 156 + (16 * 6 * secondKernel * secondKernel) + 16 + (16 * ((15 - secondKernel) / 2) * ((15 - secondKernel) / 2) * 120) + 120),
            LayerDescription.Dense(8, 84, 10, Activation.Softmax, 156 + (16 * 6 * secondKernel * secondKernel) + 16 + (16 * ((15 - secondKernel) / 2) * ((15 - secondKernel) / 2) * 120) + 120 + 10164),
        ],
        Loss.CategoricalCrossEntropy);

    /// <summary>(4, 50) -> causal conv1d 8 k3 d2 tanh -> max 2 -> conv1d 6 k3 s2 p1 groups 2 relu -> global avg -> 3 softmax.</summary>
    internal static NetworkArchitecture Signal() => new(
        "Signal",
        new[] { 4, 50 },
        [
            LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(4, 50, 8, 3, 1, 4, 0, 2, 1), Activation.Tanh, 0),
            LayerDescription.Pooling(2, LayerKind.MaxPool1D, PoolGeometry.OneDimensional(8, 50, 2, 2, 0)),
            LayerDescription.Convolution(3, LayerKind.Conv1D, ConvGeometry.OneDimensional(8, 25, 6, 3, 2, 1, 1, 1, 2), Activation.ReLU, 104),
            LayerDescription.GlobalAvgPool(4, 6, 1, 13),
            LayerDescription.Dense(5, 6, 3, Activation.Softmax, 104 + 78),
        ],
        Loss.CategoricalCrossEntropy);

    [Fact]
    public void Convolution_Conv2D_ContractsTensorsShapesAndNames()
    {
        var geometry = new ConvGeometry(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1);
        LayerDescription layer = LayerDescription.Convolution(1, LayerKind.Conv2D, geometry, Activation.ReLU, parameterOffset: 3);

        Assert.Equal((1, LayerKind.Conv2D, 784, 4704, Activation.ReLU), (layer.Index, layer.Kind, layer.Inputs, layer.Units, layer.Activation));
        Assert.Equal(new[] { 1, 28, 28 }, layer.InputShape);
        Assert.Equal(new[] { 6, 28, 28 }, layer.OutputShape);
        Assert.Equal(geometry, layer.ConvolutionGeometry);
        Assert.Null(layer.Pool);
        Assert.Equal(new[] { "W1 (6, 1, 5, 5) at params[3..153)", "b1 (6) at params[153..159)" }, layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { TensorRole.Weight, TensorRole.Bias }, layer.Tensors.Select(t => t.Role));
        Assert.Equal(new[] { true, false }, layer.Tensors.Select(t => t.Decays));
        Assert.Equal("layer 1: Conv2d(1, 6, kernel_size=5, padding=2) relu, (1, 28, 28) -> (6, 28, 28)", layer.ToString());
        Assert.Equal("conv2d", LayerDescription.KindName(layer.Kind));
        Assert.Equal(
            "conv2d(out_channels=6 kernel_h=5 kernel_w=5 stride_h=1 stride_w=1 pad_top=2 pad_bottom=2 pad_left=2 pad_right=2 dilation_h=1 dilation_w=1 groups=1)",
            layer.Arguments());
    }

    [Fact]
    public void Convolution_Conv2DStridedDilatedGroupedUneven_PyTorchsArgumentsInTheDescription()
    {
        // Same padding of an even kernel is uneven: the extra zero after the input, as PyTorch's padding='same'.
        var geometry = new ConvGeometry(4, 9, 12, 6, 2, 3, 2, 1, 0, 1, 1, 1, 1, 2, 2);
        LayerDescription layer = LayerDescription.Convolution(2, LayerKind.Conv2D, geometry, Activation.Linear, 0);

        Assert.Equal(new[] { "W2 (6, 2, 2, 3) at params[0..72)", "b2 (6) at params[72..78)" }, layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { 6, 5, 10 }, layer.OutputShape);
        Assert.Equal("layer 2: Conv2d(4, 6, kernel_size=(2, 3), stride=(2, 1), padding=(0, 1, 1, 1), dilation=(1, 2), groups=2), (4, 9, 12) -> (6, 5, 10)", layer.ToString());
    }

    [Fact]
    public void Convolution_Conv1D_ThreeDimensionalWeightAndChannelsLengthShapes()
    {
        LayerDescription layer = LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(4, 50, 8, 3, 1, 4, 0, 2, 2), Activation.Tanh, 0);

        Assert.Equal(new[] { "W1 (8, 2, 3) at params[0..48)", "b1 (8) at params[48..56)" }, layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { 4, 50 }, layer.InputShape);
        Assert.Equal(new[] { 8, 50 }, layer.OutputShape);
        Assert.Equal((200, 400), (layer.Inputs, layer.Units));
        Assert.Equal("layer 1: Conv1d(4, 8, kernel_size=3, padding=(4, 0), dilation=2, groups=2) tanh, (4, 50) -> (8, 50)", layer.ToString());
        Assert.Equal("conv1d(out_channels=8 kernel=3 stride=1 pad_left=4 pad_right=0 dilation=2 groups=2)", layer.Arguments());
    }

    [Fact]
    public void Pooling_GlobalAvgPool_Flatten_NoTensorsShapesAndNames()
    {
        LayerDescription max = LayerDescription.Pooling(2, LayerKind.MaxPool2D, new PoolGeometry(6, 28, 28, 2, 2, 2, 2, 0, 0));
        LayerDescription avg = LayerDescription.Pooling(3, LayerKind.AvgPool1D, PoolGeometry.OneDimensional(8, 50, 3, 1, 1));
        LayerDescription global = LayerDescription.GlobalAvgPool(4, 16, 5, 5);
        LayerDescription flatten = LayerDescription.Flatten(5, 8, 1, 50);

        Assert.All(new[] { max, avg, global, flatten }, layer => Assert.Empty(layer.Tensors));
        Assert.All(new[] { max, avg, global, flatten }, layer => Assert.Equal(Activation.Linear, layer.Activation));
        Assert.Equal("layer 2: MaxPool2d(kernel_size=2, stride=2), (6, 28, 28) -> (6, 14, 14)", max.ToString());
        Assert.Equal("max_pool2d(kernel_h=2 kernel_w=2 stride_h=2 stride_w=2 pad_h=0 pad_w=0)", max.Arguments());
        Assert.Equal((4704, 1176), (max.Inputs, max.Units));
        Assert.Equal("layer 3: AvgPool1d(kernel_size=3, stride=1, padding=1), (8, 50) -> (8, 50)", avg.ToString());
        Assert.Equal("avg_pool1d(kernel=3 stride=1 padding=1)", avg.Arguments());
        Assert.Equal(PoolGeometry.OneDimensional(8, 50, 3, 1, 1), avg.Pool);
        Assert.Equal("layer 4: GlobalAvgPool, (16, 5, 5) -> (16)", global.ToString());
        Assert.Equal(("global_avg_pool", 400, 16), (global.Arguments(), global.Inputs, global.Units));
        Assert.Equal("layer 5: Flatten, (8, 50) -> (400)", flatten.ToString());
        Assert.Equal(("flatten", 400, 400), (flatten.Arguments(), flatten.Inputs, flatten.Units));
        Assert.Equal(
            new[] { "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "global_avg_pool", "flatten" },
            Enumerable.Range(6, 8).Select(kind => LayerDescription.KindName((LayerKind)kind)));
    }

    [Fact]
    public void Factories_BadArguments_RefusedNamingTheLayerAndWhatCame()
    {
        var conv2D = new ConvGeometry(1, 8, 8, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.Equal(
            "Layer 1: a convolution is Conv1D or Conv2D; found MaxPool2D. (Parameter 'kind')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(1, LayerKind.MaxPool2D, conv2D, Activation.ReLU, 0)).Message);
        Assert.Equal(
            "Layer 2: the geometry is empty (default(ConvGeometry)); build it with its constructor or ConvGeometry.OneDimensional. (Parameter 'geometry')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(2, LayerKind.Conv2D, default, Activation.ReLU, 0)).Message);
        Assert.StartsWith(
            "Layer 3: Conv1D needs a one-dimensional geometry (height 1, kernel height 1, vertical stride and dilation 1, no vertical padding); found (1, 8, 8) -> (2, 6, 6)",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(3, LayerKind.Conv1D, conv2D, Activation.ReLU, 0)).Message,
            StringComparison.Ordinal);
        Assert.Equal(
            "Layer 1: a conv2d layer's activation is element-wise; softmax normalizes a dense output layer. (Parameter 'activation')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(1, LayerKind.Conv2D, conv2D, Activation.Softmax, 0)).Message);
        Assert.Equal(
            "Layer 1: unknown activation 42. (Parameter 'activation')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(1, LayerKind.Conv2D, conv2D, (Activation)42, 0)).Message);
        Assert.Equal(
            "Layer 1: parameterOffset must not be negative; found -1. (Parameter 'parameterOffset')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(1, LayerKind.Conv2D, conv2D, Activation.ReLU, -1)).Message);
        Assert.Equal(
            "Layer 1: 18 weights and 2 biases at offset 2147483640 do not fit in one buffer. (Parameter 'parameterOffset')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(1, LayerKind.Conv2D, conv2D, Activation.ReLU, 2147483640)).Message);
        Assert.Equal(
            "Layers are numbered from 1; found 0. (Parameter 'index')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Convolution(0, LayerKind.Conv2D, conv2D, Activation.ReLU, 0)).Message);

        var pool2D = new PoolGeometry(2, 6, 6, 2, 2, 2, 2, 0, 0);
        Assert.Equal(
            "Layer 4: a pool is MaxPool1D, MaxPool2D, AvgPool1D or AvgPool2D; found Conv2D. (Parameter 'kind')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Pooling(4, LayerKind.Conv2D, pool2D)).Message);
        Assert.StartsWith(
            "Layer 4: AvgPool1D needs a one-dimensional geometry (height 1, window height 1, vertical stride 1, no vertical padding); found (2, 6, 6)",
            Assert.Throws<ArgumentException>(() => LayerDescription.Pooling(4, LayerKind.AvgPool1D, pool2D)).Message,
            StringComparison.Ordinal);
        Assert.Equal(
            "Layer 4: the geometry is empty (default(PoolGeometry)); build it with its constructor or PoolGeometry.OneDimensional. (Parameter 'geometry')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Pooling(4, LayerKind.MaxPool2D, default)).Message);
        Assert.Equal(
            "Layer 5: channels must be at least 1; found 0. (Parameter 'channels')",
            Assert.Throws<ArgumentException>(() => LayerDescription.GlobalAvgPool(5, 0, 4, 4)).Message);
        Assert.Equal(
            "Layer 5: (65536, 65536, 2) holds 8589934592 features, more than one buffer (2^31 - 1 floats). (Parameter 'width')",
            Assert.Throws<ArgumentException>(() => LayerDescription.Flatten(5, 65536, 65536, 2)).Message);
    }

    [Fact]
    public void Equality_ComparesGeometryShapesAndKind()
    {
        LayerDescription Conv(int stride, int pad) =>
            LayerDescription.Convolution(1, LayerKind.Conv2D, new ConvGeometry(3, 16, 16, 4, 3, 3, stride, stride, pad, pad, pad, pad, 1, 1, 1), Activation.ReLU, 0);

        Assert.Equal(Conv(1, 1), Conv(1, 1));
        Assert.Equal(Conv(1, 1).GetHashCode(), Conv(1, 1).GetHashCode());

        // Same tensors, different arithmetic: stride 2 with padding 1 and stride 1 without differ in shape and geometry.
        Assert.NotEqual(Conv(1, 1), Conv(2, 1));
        Assert.NotEqual(Conv(1, 0), Conv(1, 1));
        Assert.NotEqual(
            LayerDescription.Pooling(1, LayerKind.MaxPool2D, new PoolGeometry(2, 4, 4, 2, 2, 2, 2, 0, 0)),
            LayerDescription.Pooling(1, LayerKind.AvgPool2D, new PoolGeometry(2, 4, 4, 2, 2, 2, 2, 0, 0)));

        // Same features (16), different shapes: (4, 2, 2) and (4, 1, 4).
        Assert.NotEqual(LayerDescription.Flatten(1, 4, 2, 2), LayerDescription.Flatten(1, 4, 1, 4));
        Assert.NotEqual(LeNet5(), LeNet5(secondKernel: 3));

        // Two architectures built separately from the same layers: equal by value, not by reference.
        NetworkArchitecture built = LeNet5(), rebuilt = LeNet5();
        Assert.NotSame(built, rebuilt);
        Assert.Equal(built, rebuilt);
        Assert.Equal(built.GetHashCode(), rebuilt.GetHashCode());
    }

    [Fact]
    public void Architecture_LeNet5_InputShapeSizesParametersAndDescription()
    {
        NetworkArchitecture architecture = LeNet5();

        Assert.Equal(new[] { 1, 28, 28 }, architecture.InputShape);
        Assert.Equal(new[] { 784, 4704, 1176, 1600, 400, 400, 120, 84, 10 }, architecture.LayerSizes);
        Assert.Equal(61706, architecture.ParameterCount);
        Assert.Equal(new[] { "W1", "b1", "W3", "b3", "W6", "b6", "W7", "b7", "W8", "b8" }, architecture.Tensors.Select(t => t.Name));
        Assert.Equal(
            "(1, 28, 28) -> conv2d relu (6, 28, 28) -> max_pool2d (6, 14, 14) -> conv2d relu (16, 10, 10) -> avg_pool2d (16, 5, 5) -> flatten (400) -> 120 relu -> 84 relu -> 10 softmax",
            architecture.Describe());
        Assert.Equal(new[] { 6, 14, 14 }, architecture.Layers[1].OutputShape);
        Assert.Equal(new[] { 400 }, architecture.Layers[4].OutputShape);
    }

    [Fact]
    public void Architecture_OneDimensional_ChainsChannelsAndLength()
    {
        NetworkArchitecture architecture = Signal();

        Assert.Equal(new[] { 4, 50 }, architecture.InputShape);
        Assert.Equal(new[] { 200, 400, 200, 78, 6, 3 }, architecture.LayerSizes);
        Assert.Equal(104 + 78 + 21, architecture.ParameterCount);
        Assert.Equal("(4, 50) -> conv1d tanh (8, 50) -> max_pool1d (8, 25) -> conv1d relu (6, 13) -> global_avg_pool (6) -> 3 softmax", architecture.Describe());
    }

    [Fact]
    public void Architecture_InputsOnly_TakesTheFirstShapedLayersShapeAndKeepsFlatNetworksFlat()
    {
        NetworkArchitecture lenet = LeNet5();
        var fromCount = new NetworkArchitecture("LeNet5", 784, lenet.Layers, lenet.Loss);

        Assert.Equal(new[] { 1, 28, 28 }, fromCount.InputShape);
        Assert.Equal(lenet, fromCount);
        Assert.Equal(new[] { 12 }, LayerDescriptionTests.Fashion().InputShape);
        Assert.Equal(new[] { 2 }, new NetworkArchitecture("Planar", new[] { 2, 4, 1 }, new[] { Activation.Tanh, Activation.Sigmoid }, Loss.BinaryCrossEntropy).InputShape);
    }

    [Fact]
    public void Architecture_DropoutAndNormsBetweenConvolutions_KeepTheShape()
    {
        var architecture = new NetworkArchitecture(
            "Kept",
            new[] { 2, 6, 6 },
            [
                LayerDescription.Convolution(1, LayerKind.Conv2D, Conv(2, 6, 6, 3, 3), Activation.ReLU, 0),
                LayerDescription.Dropout(2, 48, 0.25f),
                LayerDescription.BatchNorm(3, 48, 1e-5f, 0.1f, 57, 0),
                LayerDescription.Convolution(4, LayerKind.Conv2D, Conv(3, 4, 4, 2, 3), Activation.Linear, 153),
                LayerDescription.Flatten(5, 2, 2, 2),
                LayerDescription.Dense(6, 8, 1, Activation.Sigmoid, 153 + 56),
            ],
            Loss.BinaryCrossEntropy);

        Assert.Equal("(2, 6, 6) -> conv2d relu (3, 4, 4) -> dropout(0.25) -> batch_norm -> conv2d (2, 2, 2) -> flatten (8) -> 1 sigmoid", architecture.Describe());
    }

    [Fact]
    public void Architecture_ShapesThatDoNotChain_RefusedNamingBothEnds()
    {
        LayerDescription conv = LayerDescription.Convolution(1, LayerKind.Conv2D, Conv(1, 8, 8, 4, 3), Activation.ReLU, 0);
        LayerDescription pool = LayerDescription.Pooling(2, LayerKind.MaxPool2D, new PoolGeometry(4, 6, 6, 2, 2, 2, 2, 0, 0));

        // Dense straight after a pool: PyTorch's cryptic matrix error at the first Linear, said plainly here.
        Assert.Equal(
            "Layer 3 (dense) takes flat features but layer 2 (max_pool2d) produces (4, 3, 3); put a Flatten or GlobalAvgPool layer before it (as in PyTorch). (Parameter 'layers')",
            Refused(new[] { 1, 8, 8 }, conv, pool, LayerDescription.Dense(3, 36, 2, Activation.Softmax, 40)));

        // A dropout keeps the shape, so the dense layer after it still sees (4, 3, 3).
        Assert.Equal(
            "Layer 4 (dense) takes flat features but layer 3 (dropout) produces (4, 3, 3); put a Flatten or GlobalAvgPool layer before it (as in PyTorch). (Parameter 'layers')",
            Refused(new[] { 1, 8, 8 }, conv, pool, LayerDescription.Dropout(3, 36, 0.5f), LayerDescription.Dense(4, 36, 2, Activation.Softmax, 40)));

        // Same feature count (36), other shape: (4, 3, 3) is not (9, 2, 2).
        Assert.Equal(
            "Layer 3 (conv2d) expects (9, 2, 2) but layer 2 (max_pool2d) produces (4, 3, 3). (Parameter 'layers')",
            Refused(
                new[] { 1, 8, 8 }, conv, pool,
                LayerDescription.Convolution(3, LayerKind.Conv2D, Conv(9, 2, 2, 1, 1), Activation.ReLU, 40),
                LayerDescription.Flatten(4, 1, 2, 2),
                LayerDescription.Dense(5, 4, 1, Activation.Sigmoid, 50)));
        Assert.Equal(
            "Layer 3 (flatten) expects (4, 9) but layer 2 (max_pool2d) produces (4, 3, 3). (Parameter 'layers')",
            Refused(new[] { 1, 8, 8 }, conv, pool, LayerDescription.Flatten(3, 4, 1, 9), LayerDescription.Dense(4, 36, 1, Activation.Sigmoid, 40)));
        Assert.Equal(
            "Layer 1 (conv2d) expects (1, 8, 8) but the network's input is (1, 4, 16). (Parameter 'layers')",
            Refused(new[] { 1, 4, 16 }, conv, pool, LayerDescription.Flatten(3, 4, 3, 3), LayerDescription.Dense(4, 36, 1, Activation.Sigmoid, 40)));
        Assert.Equal(
            "Layer 1 (conv2d) expects (1, 8, 8) but the network has 64 inputs. (Parameter 'layers')",
            Assert.Throws<ArgumentException>(() => new NetworkArchitecture(
                "Bad", new[] { 64 }, [conv, pool, LayerDescription.Flatten(3, 4, 3, 3), LayerDescription.Dense(4, 36, 1, Activation.Sigmoid, 40)], Loss.BinaryCrossEntropy)).Message);
        Assert.Equal(
            "The last layer must be dense; layer 3 is flatten. (Parameter 'layers')",
            Refused(new[] { 1, 8, 8 }, conv, pool, LayerDescription.Flatten(3, 4, 3, 3)));
    }

    [Theory]
    [InlineData(new int[0], "The input shape must be (n), (C, L) or (C, H, W) with every dimension at least 1; found (). (Parameter 'inputShape')")]
    [InlineData(new[] { 1, 1, 28, 28 }, "The input shape must be (n), (C, L) or (C, H, W) with every dimension at least 1; found (1, 1, 28, 28). (Parameter 'inputShape')")]
    [InlineData(new[] { 3, 0, 4 }, "The input shape must be (n), (C, L) or (C, H, W) with every dimension at least 1; found (3, 0, 4). (Parameter 'inputShape')")]
    [InlineData(new[] { 65536, 65536 }, "The input shape (65536, 65536) holds 4294967296 features, more than one buffer (2^31 - 1 floats). (Parameter 'inputShape')")]
    public void Architecture_BadInputShape_Refused(int[] shape, string message)
    {
        Assert.Equal(
            message,
            Assert.Throws<ArgumentException>(() => new NetworkArchitecture("Bad", shape, [LayerDescription.Dense(1, 4, 1, Activation.Linear, 0)], Loss.MeanSquaredError)).Message);
    }

    private static ConvGeometry Conv(int inChannels, int height, int width, int outChannels, int kernel) =>
        new(inChannels, height, width, outChannels, kernel, kernel, 1, 1, 0, 0, 0, 0, 1, 1, 1);

    private static string Refused(int[] inputShape, params LayerDescription[] layers) =>
        Assert.Throws<ArgumentException>(() => new NetworkArchitecture("Bad", inputShape, layers, Loss.BinaryCrossEntropy)).Message;
}
