using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 25, point 1: every shape of a convolutional network is computed at compile time, and an impossible one is an
/// error at the layer's attribute that states the arithmetic (NNG0036–NNG0038, NNG0031 for arguments); networks
/// declared well are silent.
/// </summary>
public sealed class ConvolutionDiagnosticTests
{
    private const string Tail = "[Flatten]\n[Dense(10, Activation.Softmax)]\npublic partial class Net { }\n";

    [Fact]
    public void PoolAfterAConvolutionThatLeavesTooLittle_NNG0038_StatesBothLayersArithmetic() =>
        Verify(
            "[Network(Input = new[] { 1, 5, 5 })]\n[Conv2D(4, Kernel = 5)]\n[[|MaxPool2D(2)|]]\n" + Tail,
            Expected.Error("NNG0038", "MaxPool2D layer 2 of network 'Net' (window 2, stride 2) needs an input of at least 2 × 2 but Conv2D layer 1 (kernel 5, stride 1, no padding) on 5 × 5 gives 1 × 1"));

    [Fact]
    public void KernelLargerThanThePaddedInput_NNG0038_AtTheConvolution() =>
        Verify(
            "[Network(Input = new[] { 3, 4, 4 })]\n[[|Conv2D(8, Kernel = 7, Padding = 1)|]]\n" + Tail,
            Expected.Error("NNG0038", "Conv2D layer 1 of network 'Net' (kernel 7, stride 1, padding 1) needs an input of at least 5 × 5 but the input gives 4 × 4"));

    [Fact]
    public void DilatedOneDimensionalKernel_NNG0038_CountsTheDilation() =>
        Verify(
            "[Network(Input = new[] { 2, 8 })]\n[Conv1D(4, Kernel = 3)]\n[[|Conv1D(4, Kernel = 3, Dilation = 4)|]]\n" + Tail,
            Expected.Error("NNG0038", "Conv1D layer 2 of network 'Net' (kernel 3, stride 1, no padding, dilation 4) needs an input of at least 9 but Conv1D layer 1 (kernel 3, stride 1, no padding) on 8 gives 6"));

    [Fact]
    public void DenseRightAfterAConvolution_NNG0037_AsksForFlatten() =>
        Verify(
            "[Network(Input = new[] { 1, 28, 28 })]\n[Conv2D(6, Kernel = 5)]\n[MaxPool2D(2)]\n[[|Dense(10, Activation.Softmax)|]]\npublic partial class Net { }\n",
            Expected.Error("NNG0037", "Dense layer 3 of network 'Net' needs features but MaxPool2D layer 2 (window 2, stride 2) on 24 × 24 gives (6, 12, 12); put [Flatten] (or [GlobalAvgPool]) before it"));

    [Fact]
    public void TwoDimensionalLayerOnAOneDimensionalInput_NNG0037_NamesTheOtherKind() =>
        Verify(
            "[Network(Input = new[] { 1, 100 })]\n[[|Conv2D(4)|]]\n" + Tail,
            Expected.Error("NNG0037", "Conv2D layer 1 of network 'Net' needs a (channels, height, width) input but the input gives (1, 100); use the 1-D kind"));

    [Fact]
    public void ConvolutionInANetworkWithoutAShape_NNG0037_AsksForInput() =>
        Verify(
            "[Network(Inputs = 10)]\n[[|Conv1D(4)|]]\n" + Tail,
            Expected.Error("NNG0037", "Conv1D layer 1 of network 'Net' needs a (channels, length) input but the input gives (10); declare Input = new[] { channels, length } on the network and put the 1-D layers first"));

    [Theory]
    [InlineData("new[] { 1, 0, 28 }", "has Input = (1, 0, 28); Input is the shape of one example, (channels, length) for 1-D layers or (channels, height, width) for 2-D ones, every size at least 1 and at most 1048576 values in all")]
    [InlineData("new[] { 784 }", "has Input = (784); Input is the shape of one example, (channels, length) for 1-D layers or (channels, height, width) for 2-D ones, every size at least 1 and at most 1048576 values in all")]
    public void InputThatIsNotAShape_NNG0036(string shape, string message) =>
        Verify(
            "[Network([|Input = " + shape + "|])]\n[Conv1D(4)]\n" + Tail,
            Expected.Error("NNG0036", "Network 'Net' " + message));

    [Fact]
    public void BothInputsAndInput_NNG0036() =>
        Verify(
            "[Network(Inputs = 784, [|Input = new[] { 1, 28, 28 }|])]\n[Conv2D(4)]\n" + Tail,
            Expected.Error("NNG0036", "Network 'Net' sets both Inputs and Input; give the shape of one example once: Input = new[] { channels, length } or { channels, height, width }, or Inputs = features"));

    [Theory]
    [InlineData("Conv2D(4, [|Kernel = 0|])", "Kernel", "0", "the kernel size must be at least 1")]
    [InlineData("Conv2D(4, [|Stride = 0|])", "Stride", "0", "the stride must be at least 1")]
    [InlineData("Conv2D(4, [|Dilation = 0|])", "Dilation", "0", "the dilation must be at least 1 (1 is an ordinary kernel)")]
    [InlineData("Conv2D(4, [|Padding = -1|])", "Padding", "-1", "the padding must be at least 0")]
    [InlineData("Conv2D(4, [|Groups = 3|])", "Groups", "3", "the groups must divide both the 2 input channels and the 4 output channels")]
    [InlineData("Conv2D(4, [|PaddingMode = PaddingMode.Causal|])", "PaddingMode", "2", "causal padding is for Conv1D over time; a Conv2D takes Explicit or Same")]
    [InlineData("Conv2D(4, [|Stride = 2|], PaddingMode = PaddingMode.Same)", "Stride", "2", "PaddingMode.Same keeps the input's size, which needs stride 1 (as PyTorch's padding='same')")]
    [InlineData("Conv2D(4, [|Padding = 1|], PaddingMode = PaddingMode.Same)", "Padding", "1", "PaddingMode.Same computes the padding itself; leave Padding out")]
    [InlineData("Conv2D([|0|])", "channels", "0", "a convolution needs at least 1 output channel")]
    public void ConvolutionArgumentOutOfRange_NNG0031_AtTheArgument(string attribute, string argument, string value, string rule) =>
        Verify(
            "[Network(Input = new[] { 2, 8, 8 })]\n[" + attribute + "]\n" + Tail,
            Expected.Error("NNG0031", "Conv2D layer 1 of network 'Net' has " + argument + " = " + value + "; " + rule));

    [Theory]
    [InlineData("MaxPool2D([|0|])", "kernel", "0", "the window must be at least 1")]
    [InlineData("AvgPool2D(2, [|Stride = 0|])", "Stride", "0", "the stride must be at least 1 (leave it out for the window size, PyTorch's default)")]
    [InlineData("MaxPool2D(3, [|Padding = 2|])", "Padding", "2", "the padding must be between 0 and half the window (1), as in PyTorch")]
    public void PoolArgumentOutOfRange_NNG0031_AtTheArgument(string attribute, string argument, string value, string rule) =>
        Verify(
            "[Network(Input = new[] { 2, 8, 8 })]\n[" + attribute + "]\n" + Tail,
            Expected.Error("NNG0031", attribute.Substring(0, 9) + " layer 1 of network 'Net' has " + argument + " = " + value + "; " + rule));

    [Fact]
    public void ConvolutionInARecurrentNetwork_NNG0035_Only() =>
        Verify(
            "[Network(Inputs = 1)]\n[Lstm(8)]\n[[|Conv1D(4)|]]\n[Dense(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0035", "Conv1D layer 2 of network 'Net' is in a recurrent network (layer 1 is Lstm); a recurrent network takes Dense, Lstm, Gru and causal Conv1D layers"));

    [Theory]
    [InlineData("[Network(Input = new[] { 1, 28, 28 })]\n[Conv2D(6, Kernel = 5, Padding = 2, Activation = Activation.ReLU)]\n[MaxPool2D(2)]\n[Conv2D(16, Kernel = 5, Activation = Activation.ReLU)]\n[MaxPool2D(2)]\n[Flatten]\n[Dense(120, Activation.ReLU)]\n[Dense(84, Activation.ReLU)]\n[Dense(10, Activation.Softmax)]")]
    [InlineData("[Network(Input = new[] { 3, 16 })]\n[Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Same, Activation = Activation.Tanh)]\n[Conv1D(8, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.ReLU)]\n[AvgPool1D(2)]\n[MaxPool1D(3, Stride = 1, Padding = 1)]\n[GlobalAvgPool]\n[Dense(1, Activation.Sigmoid)]")]
    [InlineData("[Network(Input = new[] { 4, 9, 7 })]\n[Conv2D(8, Kernel = 3, Stride = 2, Groups = 4, Dilation = 2, Padding = 1)]\n[Dropout(0.1)]\n[AvgPool2D(3, Stride = 1, Padding = 1)]\n[Flatten]\n[Dense(2, Activation.Softmax)]")]
    [InlineData("[Network(Input = new[] { 1, 5, 5 })]\n[Conv2D(4, Kernel = 5)]\n[Flatten]\n[Dense(1, Activation.Sigmoid)]")]
    public void ConvolutionalNetworksDeclaredWell_AreClean(string declaration) =>
        VerifyClean(declaration + "\npublic partial class Net { }\n");

    [Fact]
    public void CausalConvolutionWithAStrideOverTimeSteps_NNG0031() =>
        Verify(
            "[Network(Inputs = 1)]\n[Conv1D(8, Kernel = 3, [|Stride = 2|], PaddingMode = PaddingMode.Causal)]\n[Dense(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0031", "Conv1D layer 1 of network 'Net' has Stride = 2; a causal Conv1D in a network over time steps streams one output per input sample, which needs stride 1"));

    [Fact]
    public void SequenceNetworkWithAnInputShape_NNG0036() =>
        Verify(
            "[Network([|Input = new[] { 1, 16 }|])]\n[Lstm(4)]\n[Dense(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0036", "Network 'Net' has Input = (1, 16) but runs over time steps (it has a recurrent layer); declare Inputs, the features of one step, instead"));

    [Theory]
    [InlineData("[Network(Inputs = 1)]\n[Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]\n[Conv1D(8, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]\n[Dense(1, Activation.Linear)]")]
    [InlineData("[Network(Inputs = 2)]\n[Conv1D(4, Kernel = 2, Groups = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.ReLU)]\n[Gru(5)]\n[Dense(2, Activation.Linear)]")]
    public void CausalConvolutionsOverTimeSteps_AreClean(string declaration) =>
        VerifyClean(declaration + "\npublic partial class Net { }\n");
}
