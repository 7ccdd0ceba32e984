using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weight files of convolutional networks: the contract's W{l} (Cout, Cin/groups, kh, kw) or (Cout, Cin/groups, k) and
/// b{l} (Cout) by name, <c>nngen.input_shape</c> and the geometry in <c>nngen.layers</c> written and checked, PyTorch's
/// state_dict names of an nn.Sequential (pools, activations and Flatten counted) mapped onto the convolutions, and every
/// wrong shape refused naming the tensor, what was expected and what came, with the network unchanged.
/// </summary>
public sealed class ConvWeightsTests
{
    private const string Label = "test.safetensors";

    /// <summary>LeNet-5's modules as PyTorch numbers them in its nn.Sequential: Conv2d 0, ReLU 1, MaxPool2d 2, Conv2d 3, ReLU 4, AvgPool2d 5, Flatten 6, Linear 7, ReLU 8, Linear 9, ReLU 10, Linear 11, Softmax 12.</summary>
    private static readonly int[] LeNetModules = [0, 3, 7, 9, 11];

    public static TheoryData<string> Networks => new() { "lenet5", "mixed2d", "signal", "flat1d" };

    [Fact]
    public void Save_LeNet5_ContractsTensorsAndMetadata()
    {
        var network = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 1);

        Dictionary<string, (string DType, long[] Shape, float[] Values)> tensors = RawSafetensors.Decode(Save(network), out Dictionary<string, string> metadata);

        Assert.Equal(new[] { "W1", "W3", "W6", "W7", "W8", "b1", "b3", "b6", "b7", "b8" }, tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { 6, 1, 5, 5 }, tensors["W1"].Shape);
        Assert.Equal(new long[] { 6 }, tensors["b1"].Shape);
        Assert.Equal(new long[] { 16, 6, 5, 5 }, tensors["W3"].Shape);
        Assert.Equal(new long[] { 120, 400 }, tensors["W6"].Shape);
        Assert.Equal(network.Parameters.Slice(156, 2400).ToArray(), tensors["W3"].Values);
        Assert.Equal("1,28,28", metadata[WeightsFile.InputShapeKey]);
        Assert.Equal("784,4704,1176,1600,400,400,120,84,10", metadata[WeightsFile.LayerSizesKey]);
        Assert.Equal("relu,linear,relu,linear,linear,relu,relu,softmax", metadata[WeightsFile.ActivationsKey]);
        Assert.StartsWith("conv2d(out_channels=6 kernel_h=5 kernel_w=5 stride_h=1 stride_w=1 pad_top=2 pad_bottom=2 pad_left=2 pad_right=2 dilation_h=1 dilation_w=1 groups=1),max_pool2d(", metadata[WeightsFile.LayersKey], StringComparison.Ordinal);
    }

    [Fact]
    public void Save_OneDimensional_ThreeDimensionalWeightsAndOneDimensionalArguments()
    {
        var network = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 1);

        Dictionary<string, (string DType, long[] Shape, float[] Values)> tensors = RawSafetensors.Decode(Save(network), out Dictionary<string, string> metadata);

        Assert.Equal(new long[] { 8, 4, 3 }, tensors["W1"].Shape);
        Assert.Equal(new long[] { 6, 4, 3 }, tensors["W3"].Shape);
        Assert.Equal("4,50", metadata[WeightsFile.InputShapeKey]);
        Assert.Equal(
            "conv1d(out_channels=8 kernel=3 stride=1 pad_left=4 pad_right=0 dilation=2 groups=1),max_pool1d(kernel=2 stride=2 padding=0)," +
            "conv1d(out_channels=6 kernel=3 stride=2 pad_left=1 pad_right=1 dilation=1 groups=2),avg_pool1d(kernel=2 stride=2 padding=0),global_avg_pool,dense",
            metadata[WeightsFile.LayersKey]);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void SaveThenLoad_Convolutional_RestoresEveryBitAndTheMetadataMatches(string name)
    {
        var saved = new ConvNetwork(ConvNetwork.ArchitectureOf(name), seed: 1);
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf(name), seed: 2);

        LoadedWeights loaded = WeightsFile.Load(target, Save(saved), Label);

        Assert.Equal(SaveLoadTests.Bits(saved.Parameters), SaveLoadTests.Bits(target.Parameters));
        Assert.Equal(SaveLoadTests.Bits(saved.State), SaveLoadTests.Bits(target.State));
        Assert.Equal(string.Join(",", saved.Architecture.InputShape), loaded.Metadata[WeightsFile.InputShapeKey]);
        Assert.Empty(loaded.Extras);
    }

    [Fact]
    public void Load_TorchStateDictOfTheSequential_MapsModulesOntoTheConvolutionsByIndex()
    {
        var source = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 1);
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 2);

        WeightsFile.Load(target, RawSafetensors.Build(null, TorchTensors(source, LeNetModules)), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
    }

    [Fact]
    public void Load_FileWithoutInputShape_LoadsWithTheLayersChecked()
    {
        // A file written before nngen.input_shape existed, or by a tool that leaves it out: the layers' arguments suffice.
        var source = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 1);
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 2);
        List<KeyValuePair<string, string>> metadata = WeightsFile.MetadataOf(source.Architecture).Where(pair => pair.Key != WeightsFile.InputShapeKey).ToList();

        WeightsFile.Load(target, RawSafetensors.Build(metadata, Tensors(source)), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
    }

    [Fact]
    public void Load_ArgumentsInPythonsSpelling_Accepted()
    {
        var source = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 1);
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 2);
        string layers = WeightsFile.MetadataOf(source.Architecture).Single(pair => pair.Key == WeightsFile.LayersKey).Value.Replace("kernel=3", "kernel=3.0", StringComparison.Ordinal).Replace(",", ", ", StringComparison.Ordinal);

        WeightsFile.Load(target, WithMetadata(source, (WeightsFile.LayersKey, layers), (WeightsFile.InputShapeKey, "(4, 50)")), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
    }

    [Fact]
    public void Load_TorchKernelOfAnotherSize_RefusedNamingTensorExpectedAndFoundUnchanged()
    {
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 2);
        List<RawSafetensors.Tensor> tensors = TorchTensors(new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 1), LeNetModules);
        tensors[2] = RawSafetensors.F32("3.weight", [16, 6, 3, 3], new float[16 * 6 * 9]);

        Assert.Equal(
            "test.safetensors: tensor '3.weight': expected shape (16, 6, 5, 5) (used as W3), found (16, 6, 3, 3): 16 out channels, 6 in channels per group, kernel 3 x 3; layer 3 is Conv2d(6, 16, kernel_size=5): 16 out channels, 6 in channels per group, kernel 5 x 5.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_OurNamesWithAnotherChannelCountOrALinearsWeight_RefusedNamingTheTensor()
    {
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("signal"), seed: 2);
        List<RawSafetensors.Tensor> channels = Tensors(target);
        channels[0] = RawSafetensors.F32("W1", [8, 2, 3], new float[48]);
        List<RawSafetensors.Tensor> linear = Tensors(target);
        linear[0] = RawSafetensors.F32("W1", [8, 12], new float[96]);
        List<RawSafetensors.Tensor> bias = Tensors(target);
        bias[1] = RawSafetensors.F32("b1", [4], new float[4]);

        Assert.Equal(
            "test.safetensors: tensor 'W1': expected shape (8, 4, 3), found (8, 2, 3): 8 out channels, 2 in channels per group, kernel 3; layer 1 is Conv1d(4, 8, kernel_size=3, padding=(4, 0), dilation=2): 8 out channels, 4 in channels per group, kernel 3.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, channels)).Message);
        Assert.Equal(
            "test.safetensors: tensor 'W1': expected shape (8, 4, 3), found (8, 12): a Linear's weight (out, in), but layer 1 is Conv1d(4, 8, kernel_size=3, padding=(4, 0), dilation=2), whose weight is (out_channels, in_channels / groups, kernel).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, linear)).Message);
        Assert.Equal(
            "test.safetensors: tensor 'b1': expected shape (8) or (8, 1), found (4): layer 1 is Conv1d(4, 8, kernel_size=3, padding=(4, 0), dilation=2), one bias per output channel.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, bias)).Message);
    }

    [Fact]
    public void Load_TorchConvolutionWithoutBias_RefusedSayingWhy()
    {
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 2);
        List<RawSafetensors.Tensor> tensors = TorchTensors(new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 1), LeNetModules);
        tensors.RemoveAt(1);

        Assert.Equal(
            "test.safetensors: tensor '0.bias': missing: layer 1 needs both 0.weight and 0.bias (a Conv2d with bias=False is not supported).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_AnotherGeometryOrInputShapeInTheMetadata_RefusedQuotingBoth()
    {
        var target = new ConvNetwork(ConvNetwork.ArchitectureOf("lenet5"), seed: 2);
        string layers = WeightsFile.MetadataOf(target.Architecture).Single(pair => pair.Key == WeightsFile.LayersKey).Value;
        string strided = layers.Replace("max_pool2d(kernel_h=2 kernel_w=2 stride_h=2 stride_w=2", "max_pool2d(kernel_h=2 kernel_w=2 stride_h=1 stride_w=2", StringComparison.Ordinal);

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 2 is max_pool2d(kernel_h=2 kernel_w=2 stride_h=1 stride_w=2 pad_h=0 pad_w=0) in the file (saved from LeNet5) but max_pool2d(kernel_h=2 kernel_w=2 stride_h=2 stride_w=2 pad_h=0 pad_w=0) in LeNet5 (" + target.Architecture.Describe() + ").",
            AssertRefusedUnchanged(target, WithMetadata(target, (WeightsFile.LayersKey, strided))).Message);
        Assert.Equal(
            "test.safetensors: tensor '__metadata__': input shape 28,28,1 (saved from LeNet5) does not match LeNet5's 1,28,28 (" + target.Architecture.Describe() + ").",
            AssertRefusedUnchanged(target, WithMetadata(target, (WeightsFile.InputShapeKey, "28,28,1"))).Message);
        Assert.StartsWith(
            "test.safetensors: tensor '__metadata__': nngen.layers: layer 1 is 'conv2d(out_channels=6 kernel=5)'; expected dense, ",
            AssertRefusedUnchanged(target, WithMetadata(target, (WeightsFile.LayersKey, "conv2d(out_channels=6 kernel=5)" + layers.Substring(layers.IndexOf(",max_pool2d", StringComparison.Ordinal))))).Message,
            StringComparison.Ordinal);
        Assert.StartsWith(
            "test.safetensors: tensor '__metadata__': nngen.layers: layer 2 is 'max_pool2d(kernel_h=2.5 ",
            AssertRefusedUnchanged(target, WithMetadata(target, (WeightsFile.LayersKey, layers.Replace("max_pool2d(kernel_h=2 ", "max_pool2d(kernel_h=2.5 ", StringComparison.Ordinal)))).Message,
            StringComparison.Ordinal);
    }

    private static byte[] Save(ISerializableNetwork network)
    {
        var stream = new MemoryStream();
        WeightsFile.Save(network, stream);
        return stream.ToArray();
    }

    /// <summary>The network's tensors in its own names, parameters and state, in layer order.</summary>
    private static List<RawSafetensors.Tensor> Tensors(ISerializableNetwork network) =>
        network.Architecture.Tensors
            .Select(t => RawSafetensors.F32(t.Name, t.Shape.Select(d => (long)d).ToArray(), (t.IsState ? network.State : network.Parameters).Slice(t.Offset, t.Length)))
            .ToList();

    /// <summary>The tensors as PyTorch's state_dict names them: <c>{module}.weight</c>, <c>{module}.bias</c>, modules given per layer with tensors.</summary>
    private static List<RawSafetensors.Tensor> TorchTensors(ISerializableNetwork network, int[] modules)
    {
        LayerDescription[] layers = network.Architecture.Layers.Where(layer => layer.Tensors.Count > 0).ToArray();
        return layers.SelectMany((layer, i) => layer.Tensors.Select(t => RawSafetensors.F32(
            $"{modules[i]}.{(t.Role == TensorRole.Weight ? "weight" : "bias")}", t.Shape.Select(d => (long)d).ToArray(), network.Parameters.Slice(t.Offset, t.Length)))).ToList();
    }

    /// <summary>A file of the network's tensors with NnGen's metadata, the given keys replaced (or added).</summary>
    private static byte[] WithMetadata(ISerializableNetwork network, params (string Key, string Value)[] replaced)
    {
        List<KeyValuePair<string, string>> metadata = WeightsFile.MetadataOf(network.Architecture).Where(pair => replaced.All(r => r.Key != pair.Key)).ToList();
        metadata.AddRange(replaced.Select(r => new KeyValuePair<string, string>(r.Key, r.Value)));
        return RawSafetensors.Build(metadata, Tensors(network));
    }

    private static WeightsFormatException AssertRefusedUnchanged(ISerializableNetwork network, byte[] file)
    {
        int[] parameters = SaveLoadTests.Bits(network.Parameters), state = SaveLoadTests.Bits(network.State);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(network, file, Label));

        Assert.Equal(parameters, SaveLoadTests.Bits(network.Parameters));
        Assert.Equal(state, SaveLoadTests.Bits(network.State));
        return error;
    }
}
