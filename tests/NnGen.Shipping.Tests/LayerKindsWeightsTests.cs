using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weight files of networks with batch norm, layer norm and dropout: every tensor by its name and shape, the running
/// statistics from and into <see cref="ITrainableNetwork.State"/>, <c>nngen.layers</c> checked on load, and loads that
/// fail leaving both buffers as they were.
/// </summary>
public sealed class LayerKindsWeightsTests
{
    private const string Label = "test.safetensors";

    private const string FashionLayers = "dense,batch_norm(epsilon=1E-05 momentum=0.1),dropout(rate=0.2),dense,layer_norm(epsilon=1E-05),dense";

    public static TheoryData<string> Networks => new() { "bn", "ln", "dropout", "fashion" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void SaveThenLoad_IntoAnotherInstance_ParametersStateAndOutputsBitIdentical(string name)
    {
        var saved = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf(name), seed: 5);
        var loaded = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf(name), seed: 6);
        Assert.False(saved.Parameters.SequenceEqual(loaded.Parameters));

        WeightsFile.Load(loaded, Save(saved), Label);

        Assert.Equal(SaveLoadTests.Bits(saved.Parameters), SaveLoadTests.Bits(loaded.Parameters));
        Assert.Equal(SaveLoadTests.Bits(saved.State), SaveLoadTests.Bits(loaded.State));
        float[] inputs = SaveLoadTests.Inputs(saved.InputSize, examples: 5, seed: 3);
        Assert.Equal(SaveLoadTests.Bits(SaveLoadTests.Predict(saved, inputs)), SaveLoadTests.Bits(SaveLoadTests.Predict(loaded, inputs)));
    }

    [Fact]
    public void Save_Fashion_EveryTensorByNameAndShapeAndTheLayersInTheMetadata()
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 2);

        Dictionary<string, (string DType, long[] Shape, float[] Values)> tensors = RawSafetensors.Decode(Save(network), out Dictionary<string, string> metadata);

        Assert.Equal(network.Architecture.Tensors.Select(t => t.Name).Order(), tensors.Keys.Order());
        foreach (LayerTensor tensor in network.Architecture.Tensors)
        {
            (string dtype, long[] shape, float[] values) = tensors[tensor.Name];
            Assert.Equal("F32", dtype);
            Assert.Equal(tensor.Shape.Select(d => (long)d), shape);
            Span<float> buffer = tensor.IsState ? network.State : network.Parameters;
            Assert.Equal(SaveLoadTests.Bits(buffer.Slice(tensor.Offset, tensor.Length)), SaveLoadTests.Bits(values));
        }

        Assert.Equal("1", metadata["nngen.format_version"]);
        Assert.Equal("12,10,10,10,8,8,4", metadata["nngen.layer_sizes"]);
        Assert.Equal("relu,linear,linear,relu,linear,softmax", metadata["nngen.activations"]);
        Assert.Equal(FashionLayers, metadata[WeightsFile.LayersKey]);
    }

    [Fact]
    public void Save_DenseOnly_WritesNoLayersKey()
    {
        RawSafetensors.Decode(Save(new PlanarNet(seed: 1)), out Dictionary<string, string> metadata);

        Assert.Equal(
            new[] { "format", "nngen.activations", "nngen.format_version", "nngen.layer_sizes", "nngen.loss", "nngen.network" },
            metadata.Keys.Order());
    }

    [Fact]
    public void Load_BatchNormFileIntoLayerNormNetwork_RefusedNamingTheLayerAndNothingChanges()
    {
        byte[] file = Save(new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1));
        var target = new LayerKindsNetwork(
            new NetworkArchitecture(
                "LayerNormTarget",
                5,
                [LayerDescription.Dense(1, 5, 6, Activation.ReLU, 0), LayerDescription.LayerNorm(2, 6, 1e-5f, 36), LayerDescription.Dense(3, 6, 3, Activation.Softmax, 48)],
                Loss.CategoricalCrossEntropy),
            seed: 2);

        WeightsFormatException error = AssertRefusedUnchanged(target, file);

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 2 is batch_norm(epsilon=1E-05 momentum=0.1) in the file (saved from BatchNormNet) but layer_norm(epsilon=1E-05) in LayerNormTarget (5 -> 6 relu -> layer_norm -> 3 softmax).",
            error.Message);
    }

    [Fact]
    public void Load_AnotherEpsilonOrRate_Refused()
    {
        NetworkArchitecture fashion = LayerKindsNetwork.ArchitectureOf("fashion");
        var target = new LayerKindsNetwork(fashion, seed: 2);

        byte[] epsilon = WithMetadata(target, WeightsFile.LayersKey, FashionLayers.Replace("layer_norm(epsilon=1E-05)", "layer_norm(epsilon=0.001)", StringComparison.Ordinal));
        byte[] rate = WithMetadata(target, WeightsFile.LayersKey, FashionLayers.Replace("dropout(rate=0.2)", "dropout(rate=0.5)", StringComparison.Ordinal));

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 5 is layer_norm(epsilon=0.001) in the file (saved from FashionKindsNet) but layer_norm(epsilon=1E-05) in FashionKindsNet (12 -> 10 relu -> batch_norm -> dropout(0.2) -> 8 relu -> layer_norm -> 4 softmax).",
            AssertRefusedUnchanged(target, epsilon).Message);
        Assert.StartsWith(
            "test.safetensors: tensor '__metadata__': layer 3 is dropout(rate=0.5) in the file (saved from FashionKindsNet) but dropout(rate=0.2) in FashionKindsNet",
            AssertRefusedUnchanged(target, rate).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LayersKeyInPyTorchsSpelling_Accepted()
    {
        var saved = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 1);
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 2);
        byte[] file = WithMetadata(saved, WeightsFile.LayersKey, "dense, batch_norm(epsilon=1e-05 momentum=0.1), dropout(rate=0.2), dense, layer_norm(epsilon=1e-05), dense");

        WeightsFile.Load(target, file, Label);

        Assert.Equal(SaveLoadTests.Bits(saved.State), SaveLoadTests.Bits(target.State));
    }

    [Theory]
    [InlineData("dense,batch_norm(eps=1e-05),dense", "nngen.layers: layer 2 is 'batch_norm(eps=1e-05)'; expected dense, dropout(rate=R), batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), lstm(return_sequences=B), gru(return_sequences=B) with B true or false, conv1d(out_channels=N kernel=N stride=N pad_left=N pad_right=N dilation=N groups=N), conv2d(out_channels=N kernel_h=N kernel_w=N stride_h=N stride_w=N pad_top=N pad_bottom=N pad_left=N pad_right=N dilation_h=N dilation_w=N groups=N), max_pool1d(kernel=N stride=N padding=N), max_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), avg_pool1d(kernel=N stride=N padding=N), avg_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), global_avg_pool or flatten.")]
    [InlineData("dense,batch_norm(epsilon=1e-05 momentum=x),dense", "nngen.layers: layer 2 is 'batch_norm(epsilon=1e-05 momentum=x)'; expected dense, dropout(rate=R), batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), lstm(return_sequences=B), gru(return_sequences=B) with B true or false, conv1d(out_channels=N kernel=N stride=N pad_left=N pad_right=N dilation=N groups=N), conv2d(out_channels=N kernel_h=N kernel_w=N stride_h=N stride_w=N pad_top=N pad_bottom=N pad_left=N pad_right=N dilation_h=N dilation_w=N groups=N), max_pool1d(kernel=N stride=N padding=N), max_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), avg_pool1d(kernel=N stride=N padding=N), avg_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), global_avg_pool or flatten.")]
    [InlineData("dense,conv,dense", "nngen.layers: layer 2 is 'conv'; expected dense, dropout(rate=R), batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), lstm(return_sequences=B), gru(return_sequences=B) with B true or false, conv1d(out_channels=N kernel=N stride=N pad_left=N pad_right=N dilation=N groups=N), conv2d(out_channels=N kernel_h=N kernel_w=N stride_h=N stride_w=N pad_top=N pad_bottom=N pad_left=N pad_right=N dilation_h=N dilation_w=N groups=N), max_pool1d(kernel=N stride=N padding=N), max_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), avg_pool1d(kernel=N stride=N padding=N), avg_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), global_avg_pool or flatten.")]
    [InlineData("dense,dense", "nngen.layers lists 2 layers (dense,dense) (saved from BatchNormNet); BatchNormNet has 3 (5 -> 6 relu -> batch_norm -> 3 softmax).")]
    public void Load_LayersKeyUnreadableOrOfAnotherLength_RefusedQuotingIt(string layers, string detail)
    {
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);

        Assert.Equal("test.safetensors: tensor '__metadata__': " + detail, AssertRefusedUnchanged(target, WithMetadata(target, WeightsFile.LayersKey, layers)).Message);
    }

    [Fact]
    public void Load_DenseOnlyMetadataIntoABatchNormNetwork_Refused()
    {
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);
        byte[] file = RawSafetensors.Build(RawSafetensors.Metadata(target.Architecture), Tensors(target));

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': no nngen.layers: the file (saved from BatchNormNet) holds dense layers only, but layer 2 of BatchNormNet is batch_norm(epsilon=1E-05 momentum=0.1) (5 -> 6 relu -> batch_norm -> 3 softmax).",
            AssertRefusedUnchanged(target, file).Message);
    }

    [Fact]
    public void Load_LayersKeyIntoADenseNetwork_Refused()
    {
        var target = new PlanarNet(seed: 2);
        byte[] file = WithMetadata(target, WeightsFile.LayersKey, "dense,layer_norm(epsilon=1e-05)");

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 2 is layer_norm(epsilon=1e-05) in the file (saved from PlanarNet) but dense in PlanarNet (2 -> 4 tanh -> 1 sigmoid).",
            AssertRefusedUnchanged(target, file).Message);
    }

    [Fact]
    public void Load_BadTensorAfterTheRunningStatistics_ParametersAndStateUnchanged()
    {
        // The running statistics of layer 2 come before W3 in the file and in decoding order: a loader that wrote them
        // into the network before checking W3 would leave a half-loaded state behind.
        var source = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);
        List<RawSafetensors.Tensor> tensors = Tensors(source);
        tensors[tensors.FindIndex(t => t.Name == "W3")] = RawSafetensors.F32("W3", [6, 3], source.Parameters.Slice(48, 18));

        WeightsFormatException error = AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors));

        Assert.Equal("test.safetensors: tensor 'W3': expected shape (3, 6), found (6, 3).", error.Message);
    }

    [Fact]
    public void Load_NonFiniteRunningVariance_RefusedAndNothingChanges()
    {
        var source = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        source.State[9] = float.NaN;
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);

        WeightsFormatException error = AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(source)));

        Assert.Equal("test.safetensors: tensor 'running_var2': value at [3] is NaN; every value must be finite.", error.Message);
    }

    [Fact]
    public void Load_MissingRunningVariance_RefusedWithTheShapeItNeeds()
    {
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);
        byte[] file = RawSafetensors.Build(null, Tensors(target).Where(t => t.Name != "running_var2").ToList());

        Assert.Equal(
            "test.safetensors: tensor 'running_var2': missing: BatchNormNet (5 -> 6 relu -> batch_norm -> 3 softmax) needs it with shape (6) F32.",
            AssertRefusedUnchanged(target, file).Message);
    }

    [Fact]
    public void Load_DenseTensorsOfANormLayer_Unexpected()
    {
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 2);
        List<RawSafetensors.Tensor> tensors = Tensors(target);
        tensors.Add(RawSafetensors.F32("W2", [6, 6], new float[36]));

        Assert.Equal(
            "test.safetensors: tensor 'W2': unexpected: layer 2 of BatchNormNet is batch_norm(epsilon=1E-05 momentum=0.1); its tensors are gamma2, beta2, running_mean2, running_var2 (5 -> 6 relu -> batch_norm -> 3 softmax).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchStateDictNames_MapsLinearBatchNormAndLayerNormByPosition()
    {
        // nn.Sequential(Linear, ReLU, BatchNorm1d, Dropout, Linear, ReLU, LayerNorm, Linear, Softmax) under "net.", as
        // safetensors.torch.save_file(model.state_dict()) writes it, with BatchNorm1d's I64 num_batches_tracked.
        var source = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 1);
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 2);
        var torchNames = new Dictionary<string, string>
        {
            ["W1"] = "net.0.weight", ["b1"] = "net.0.bias", ["gamma2"] = "net.2.weight", ["beta2"] = "net.2.bias",
            ["running_mean2"] = "net.2.running_mean", ["running_var2"] = "net.2.running_var", ["W4"] = "net.4.weight", ["b4"] = "net.4.bias",
            ["gamma5"] = "net.6.weight", ["beta5"] = "net.6.bias", ["W6"] = "net.7.weight", ["b6"] = "net.7.bias",
        };
        List<RawSafetensors.Tensor> tensors = Tensors(source).Select(t => t with { Name = torchNames[t.Name] }).ToList();
        tensors.Insert(6, new RawSafetensors.Tensor("net.2.num_batches_tracked", "I64", [], BitConverter.GetBytes(1L)));

        LoadedWeights loaded = WeightsFile.Load(target, RawSafetensors.Build(null, tensors), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
        Assert.Equal(SaveLoadTests.Bits(source.State), SaveLoadTests.Bits(target.State));
        Assert.Empty(loaded.Extras);
    }

    [Fact]
    public void Load_PyTorchBatchNormWhereTheNetworkHasLayerNorm_Refused()
    {
        var target = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("ln"), seed: 2);
        var source = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        List<RawSafetensors.Tensor> tensors =
        [
            RawSafetensors.F32("0.weight", [6, 5], target.Parameters.Slice(0, 30)), RawSafetensors.F32("0.bias", [6], target.Parameters.Slice(30, 6)),
            RawSafetensors.F32("2.weight", [6], target.Parameters.Slice(36, 6)), RawSafetensors.F32("2.bias", [6], target.Parameters.Slice(42, 6)),
            RawSafetensors.F32("2.running_mean", [6], source.State.Slice(0, 6)), RawSafetensors.F32("2.running_var", [6], source.State.Slice(6, 6)),
            RawSafetensors.F32("3.weight", [1, 6], target.Parameters.Slice(48, 6)), RawSafetensors.F32("3.bias", [1], target.Parameters.Slice(54, 1)),
        ];

        Assert.Equal(
            "test.safetensors: tensor '2.running_mean': unexpected: module 2 holds running statistics (a BatchNorm1d) but layer 2 of LayerNormNet is layer_norm(epsilon=1E-05) (5 -> 6 tanh -> layer_norm -> 1 sigmoid).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Save_ExtraNamedLikeANormTensor_Refused()
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);

        ArgumentException error = Assert.Throws<ArgumentException>(() => WeightsFile.Save(network, new MemoryStream(), [new NamedTensor("running_mean2", [1f, 2f])]));

        Assert.Equal("Extra tensor 'running_mean2': BatchNormNet (5 -> 6 relu -> batch_norm -> 3 softmax) has a tensor of that name. (Parameter 'extras')", error.Message);
    }

    [Fact]
    public void Save_NonFiniteRunningMean_Refused()
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        network.State[2] = float.NegativeInfinity;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => WeightsFile.Save(network, new MemoryStream()));

        Assert.StartsWith("BatchNormNet: running_mean2 at [2] is -Infinity;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveAndLoad_StateShorterThanTheArchitectureSays_RefusedAndNothingChanges()
    {
        var inner = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        byte[] file = Save(inner);
        var network = new ShortState(inner);
        int[] parameters = SaveLoadTests.Bits(inner.Parameters);

        InvalidOperationException save = Assert.Throws<InvalidOperationException>(() => WeightsFile.Save(network, new MemoryStream()));
        InvalidOperationException load = Assert.Throws<InvalidOperationException>(() => WeightsFile.Load(network, file, Label));

        const string Expected = "BatchNormNet has 3 state values but its architecture 5 -> 6 relu -> batch_norm -> 3 softmax needs 12.";
        Assert.Equal((Expected, Expected), (save.Message, load.Message));
        Assert.Equal(parameters, SaveLoadTests.Bits(inner.Parameters));
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

    /// <summary>A file of the network's tensors with NnGen's metadata, one key replaced (or added).</summary>
    private static byte[] WithMetadata(ISerializableNetwork network, string key, string value)
    {
        List<KeyValuePair<string, string>> metadata = WeightsFile.MetadataOf(network.Architecture).Where(pair => pair.Key != key).ToList();
        metadata.Add(new(key, value));
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

    /// <summary>A network whose State does not match its architecture (a hand-written implementation's mistake).</summary>
    private sealed class ShortState(LayerKindsNetwork inner) : ISerializableNetwork
    {
        private readonly float[] _state = new float[3];

        public NetworkArchitecture Architecture => inner.Architecture;

        public string Name => inner.Name;

        public int InputSize => inner.InputSize;

        public int OutputSize => inner.OutputSize;

        public int ParameterCount => inner.ParameterCount;

        public Loss Loss => inner.Loss;

        public Activation OutputActivation => inner.OutputActivation;

        public Span<float> Parameters => inner.Parameters;

        public Span<float> State => _state;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) => inner.ComputeGradients(inputs, labels, gradients, workspace);

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => inner.Predict(x, y);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => inner.PredictBatch(inputs, outputs);
    }
}
