using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weight files of networks with LSTM and GRU layers: the contract's tensors by name and shape, <c>nngen.layers</c> with
/// ReturnSequences, PyTorch's <c>state_dict</c> names (<c>weight_ih_l0</c>, …, stacked <c>_l1</c>, under a module prefix)
/// mapped onto consecutive recurrent layers, every shape and gate count checked, and failed loads that change nothing.
/// </summary>
public sealed class RecurrentWeightsTests
{
    private const string Label = "test.safetensors";

    [Theory]
    [MemberData(nameof(RecurrentNetworks.All), MemberType = typeof(RecurrentNetworks))]
    public void SaveThenLoad_IntoAnotherInstance_ParametersBitIdentical(string name)
    {
        var saved = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf(name), seed: 5);
        var loaded = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf(name), seed: 6);
        Assert.False(saved.Parameters.SequenceEqual(loaded.Parameters));

        WeightsFile.Load(loaded, Save(saved), Label);

        Assert.Equal(SaveLoadTests.Bits(saved.Parameters), SaveLoadTests.Bits(loaded.Parameters));
        Assert.Equal(SaveLoadTests.Bits(saved.State), SaveLoadTests.Bits(loaded.State));
    }

    [Fact]
    public void Save_StackedGru_EveryTensorByNameAndShapeAndTheLayersInTheMetadata()
    {
        var network = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru2-last"), seed: 2);

        Dictionary<string, (string DType, long[] Shape, float[] Values)> tensors = RawSafetensors.Decode(Save(network), out Dictionary<string, string> metadata);

        Assert.Equal(new[] { "W3", "Whh1", "Whh2", "Wih1", "Wih2", "b3", "bhh1", "bhh2", "bih1", "bih2" }, tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { 12, 2 }, tensors["Wih1"].Shape);
        Assert.Equal(new long[] { 12, 4 }, tensors["Whh1"].Shape);
        Assert.Equal(new long[] { 9, 4 }, tensors["Wih2"].Shape);
        Assert.Equal(new long[] { 9, 3 }, tensors["Whh2"].Shape);
        Assert.Equal(new long[] { 9 }, tensors["bhh2"].Shape);
        foreach (LayerTensor tensor in network.Architecture.Tensors)
        {
            // Wih and Whh untransposed from the parameters into PyTorch's (G·H, n).
            Assert.Equal(SaveLoadTests.Bits(FileValues(network, tensor)), SaveLoadTests.Bits(tensors[tensor.Name].Values));
        }

        Assert.Equal("2,4,3,1", metadata["nngen.layer_sizes"]);
        Assert.Equal("linear,linear,sigmoid", metadata["nngen.activations"]);
        Assert.Equal("gru(return_sequences=true),gru(return_sequences=false),dense", metadata[WeightsFile.LayersKey]);
    }

    [Fact]
    public void Load_ReturnSequencesDiffers_RefusedNamingTheLayer()
    {
        byte[] file = Save(new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru2"), seed: 1));
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru2-last"), seed: 2);

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 2 is gru(return_sequences=true) in the file (saved from StackedGruNet) but gru(return_sequences=false) in StackedGruLastNet (2 -> gru(4) -> gru(3, last step) -> 1 sigmoid).",
            AssertRefusedUnchanged(target, file).Message);
    }

    [Fact]
    public void Load_LstmFileIntoAGruNetworkOfTheSameSizes_RefusedByTheLayers()
    {
        NetworkArchitecture gru = RecurrentNetworks.Build("GruTarget", 3, Loss.MeanSquaredError, ("gru", 5), ("tanh", 2));
        byte[] file = Save(new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 1));

        Assert.Equal(
            "test.safetensors: tensor '__metadata__': layer 1 is lstm(return_sequences=true) in the file (saved from LstmNet) but gru(return_sequences=true) in GruTarget (3 -> gru(5) -> 2 tanh).",
            AssertRefusedUnchanged(new LayerKindsNetwork(gru, seed: 2), file).Message);
    }

    [Theory]
    [InlineData("lstm(return_sequences=True),dense")]
    [InlineData("lstm(return_sequences=1), dense")]
    public void Load_LayersKeyInPythonsSpelling_Accepted(string layers)
    {
        var saved = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 1);
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 2);
        byte[] file = WithMetadata(saved, WeightsFile.LayersKey, layers);

        WeightsFile.Load(target, file, Label);

        Assert.Equal(SaveLoadTests.Bits(saved.Parameters), SaveLoadTests.Bits(target.Parameters));
    }

    [Theory]
    [InlineData("lstm(return_sequences=maybe),dense", "layer 1 is 'lstm(return_sequences=maybe)'")]
    [InlineData("lstm(return_sequences=2),dense", "layer 1 is 'lstm(return_sequences=2)'")]
    [InlineData("lstm,dense", "layer 1 is 'lstm'")]
    [InlineData("lstm(units=5 return_sequences=true),dense", "layer 1 is 'lstm(units=5 return_sequences=true)'")]
    public void Load_RecurrentLayerUnreadable_RefusedQuotingIt(string layers, string detail)
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 2);

        Assert.Equal(
            $"test.safetensors: tensor '__metadata__': nngen.layers: {detail}; expected dense, dropout(rate=R), batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), lstm(return_sequences=B), gru(return_sequences=B) with B true or false, conv1d(out_channels=N kernel=N stride=N pad_left=N pad_right=N dilation=N groups=N), conv2d(out_channels=N kernel_h=N kernel_w=N stride_h=N stride_w=N pad_top=N pad_bottom=N pad_left=N pad_right=N dilation_h=N dilation_w=N groups=N), max_pool1d(kernel=N stride=N padding=N), max_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), avg_pool1d(kernel=N stride=N padding=N), avg_pool2d(kernel_h=N kernel_w=N stride_h=N stride_w=N pad_h=N pad_w=N), global_avg_pool or flatten.",
            AssertRefusedUnchanged(target, WithMetadata(target, WeightsFile.LayersKey, layers)).Message);
    }

    [Fact]
    public void Load_NnGenNamesGruRowsIntoAnLstm_RefusedNamingTheGates()
    {
        // No metadata, so only the shapes can tell: a GRU's 3·5 rows where the LSTM needs 4·5.
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 2);
        var gru = new LayerKindsNetwork(RecurrentNetworks.Build("G", 3, Loss.MeanSquaredError, ("gru", 5), ("tanh", 2)), seed: 1);

        WeightsFormatException error = AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(gru)));

        Assert.Equal(
            "test.safetensors: tensor 'Wih1': expected shape (20, 3), found (15, 3): 15 rows are the 3 gates of a GRU of 5 units, but layer 1 is an LSTM with 4 (i, f, g, o).",
            error.Message);
    }

    [Fact]
    public void Load_WrongHiddenSize_RefusedWithBothShapes()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 2);
        List<RawSafetensors.Tensor> tensors = Tensors(target);
        tensors[tensors.FindIndex(t => t.Name == "Whh1")] = RawSafetensors.F32("Whh1", [20, 4], new float[80]);

        Assert.Equal("test.safetensors: tensor 'Whh1': expected shape (20, 5), found (20, 4).", AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_RecurrentBiasAsAColumn_Refused()
    {
        // Dense biases may come as (n, 1), the course's shape; recurrent biases have no such form.
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 2);
        List<RawSafetensors.Tensor> tensors = Tensors(target);
        tensors[tensors.FindIndex(t => t.Name == "bih1")] = RawSafetensors.F32("bih1", [12, 1], target.Parameters.Slice(target.Architecture.Tensors.Single(t => t.Name == "bih1").Offset, 12));

        Assert.Equal("test.safetensors: tensor 'bih1': expected shape (12), found (12, 1).", AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_DenseNamesForARecurrentLayer_Unexpected()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 2);
        List<RawSafetensors.Tensor> tensors = Tensors(target);
        tensors.Add(RawSafetensors.F32("W1", [4, 3], new float[12]));

        Assert.Equal(
            "test.safetensors: tensor 'W1': unexpected: layer 1 of GruNet is gru(return_sequences=true); its tensors are Wih1, Whh1, bih1, bhh1 (3 -> gru(4) -> 2 linear).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Save_ExtraNamedLikeARecurrentTensor_Refused()
    {
        var network = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 1);

        ArgumentException error = Assert.Throws<ArgumentException>(() => WeightsFile.Save(network, new MemoryStream(), [new NamedTensor("Whh7", [1f])]));

        Assert.Equal("Extra tensor 'Whh7': names W1, b1, W2, … are the network's parameters. (Parameter 'extras')", error.Message);
    }

    /// <summary>
    /// PyTorch's names of <paramref name="architecture"/>'s tensors as a model of one nn.LSTM or nn.GRU (its stacked layers
    /// l0, l1, …) and one nn.Linear saves them.
    /// </summary>
    private static Dictionary<string, string> TorchNames(NetworkArchitecture architecture, string recurrent, string dense)
    {
        var names = new Dictionary<string, string>();
        int k = 0;
        foreach (LayerDescription layer in architecture.Layers)
        {
            string[] parts = layer.IsRecurrent ? ["weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"] : ["weight", "bias"];
            for (int i = 0; i < parts.Length; i++)
            {
                names[layer.Tensors[i].Name] = layer.IsRecurrent ? $"{recurrent}{parts[i]}{k}" : dense + parts[i];
            }

            k += layer.IsRecurrent ? 1 : 0;
        }

        return names;
    }

    [Theory]
    [InlineData("lstm.", "dense.")]
    [InlineData("0.", "2.")]
    [InlineData("model.rnn.", "model.head.")]
    [InlineData("", "fc.")]
    public void Load_PyTorchStateDictOfATwoLayerModule_MapsOntoConsecutiveRecurrentLayers(string recurrent, string dense)
    {
        var source = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2-last"), seed: 1);
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2-last"), seed: 2);
        Dictionary<string, string> names = TorchNames(source.Architecture, recurrent, dense);

        // In reverse, as a sorted safetensors header may list them: the order comes from the names.
        List<RawSafetensors.Tensor> tensors = Tensors(source).Select(t => t with { Name = names[t.Name] }).Reverse().ToList();
        LoadedWeights loaded = WeightsFile.Load(target, RawSafetensors.Build(null, tensors), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
        Assert.Empty(loaded.Extras);
    }

    [Fact]
    public void Load_PyTorchTwoRecurrentModulesNumbered_MappedInTheirOrder()
    {
        // nn.Sequential-style indices: module 1 holds one GRU layer, module 0 the other; 10 sorts after 9 as a number.
        NetworkArchitecture architecture = RecurrentNetworks.ArchitectureOf("gru2");
        var source = new LayerKindsNetwork(architecture, seed: 1);
        var target = new LayerKindsNetwork(architecture, seed: 2);
        var names = new Dictionary<string, string>
        {
            ["Wih1"] = "9.weight_ih_l0", ["Whh1"] = "9.weight_hh_l0", ["bih1"] = "9.bias_ih_l0", ["bhh1"] = "9.bias_hh_l0",
            ["Wih2"] = "10.weight_ih_l0", ["Whh2"] = "10.weight_hh_l0", ["bih2"] = "10.bias_ih_l0", ["bhh2"] = "10.bias_hh_l0",
            ["W3"] = "12.weight", ["b3"] = "12.bias",
        };

        WeightsFile.Load(target, RawSafetensors.Build(null, Tensors(source).Select(t => t with { Name = names[t.Name] }).ToList()), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
    }

    [Fact]
    public void Load_PyTorchMixedModules_NormsAndDenseByIndexRecurrentInOrder()
    {
        // relu dense, gru, batch norm (with num_batches_tracked), layer norm, lstm (last step), dense.
        NetworkArchitecture architecture = RecurrentNetworks.ArchitectureOf("mixed");
        var source = new LayerKindsNetwork(architecture, seed: 1);
        var target = new LayerKindsNetwork(architecture, seed: 2);
        var names = new Dictionary<string, string>
        {
            ["W1"] = "0.weight", ["b1"] = "0.bias",
            ["Wih2"] = "2.weight_ih_l0", ["Whh2"] = "2.weight_hh_l0", ["bih2"] = "2.bias_ih_l0", ["bhh2"] = "2.bias_hh_l0",
            ["gamma3"] = "3.weight", ["beta3"] = "3.bias", ["running_mean3"] = "3.running_mean", ["running_var3"] = "3.running_var",
            ["gamma4"] = "4.weight", ["beta4"] = "4.bias",
            ["Wih5"] = "5.weight_ih_l0", ["Whh5"] = "5.weight_hh_l0", ["bih5"] = "5.bias_ih_l0", ["bhh5"] = "5.bias_hh_l0",
            ["W6"] = "7.weight", ["b6"] = "7.bias",
        };
        List<RawSafetensors.Tensor> tensors = Tensors(source).Select(t => t with { Name = names[t.Name] }).ToList();
        tensors.Add(new RawSafetensors.Tensor("3.num_batches_tracked", "I64", [], BitConverter.GetBytes(4L)));

        WeightsFile.Load(target, RawSafetensors.Build(null, tensors), Label);

        Assert.Equal(SaveLoadTests.Bits(source.Parameters), SaveLoadTests.Bits(target.Parameters));
        Assert.Equal(SaveLoadTests.Bits(source.State), SaveLoadTests.Bits(target.State));
    }

    [Fact]
    public void Load_PyTorchGruIntoAnLstm_RefusedNamingTensorGatesAndShapes()
    {
        // The RTNeural benchmark's names: "gru.weight_ih_l0" [3H, 1], …, "dense.weight" [1, H].
        var target = new LayerKindsNetwork(RecurrentNetworks.Build("AmpLstm", 1, Loss.MeanSquaredError, ("lstm", 8), ("linear", 1)), seed: 2);
        var gru = new LayerKindsNetwork(RecurrentNetworks.Build("AmpGru", 1, Loss.MeanSquaredError, ("gru", 8), ("linear", 1)), seed: 1);
        Dictionary<string, string> names = TorchNames(gru.Architecture, "gru.", "dense.");

        WeightsFormatException error = AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(gru).Select(t => t with { Name = names[t.Name] }).ToList()));

        Assert.Equal(
            "test.safetensors: tensor 'gru.weight_ih_l0': expected shape (32, 1) (used as Wih1), found (24, 1): 24 rows are the 3 gates of a GRU of 8 units, but layer 1 is an LSTM with 4 (i, f, g, o).",
            error.Message);
    }

    [Fact]
    public void Load_PyTorchOneLayerModuleIntoTwoRecurrentLayers_RefusedCountingBoth()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "lstm.", "dense.");
        List<RawSafetensors.Tensor> tensors = Tensors(target).Where(t => !t.Name.EndsWith('2')).Select(t => t with { Name = names[t.Name] }).ToList();

        Assert.Equal(
            "test.safetensors: StackedLstmNet has 2 recurrent layers (2 -> lstm(4) -> lstm(3) -> 1 linear) but the file holds PyTorch's of 1 (lstm.*_l0).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchMissingRecurrentBias_RefusedNamingIt()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "lstm.", "dense.");
        List<RawSafetensors.Tensor> tensors = Tensors(target).Where(t => t.Name != "bhh2").Select(t => t with { Name = names[t.Name] }).ToList();

        Assert.Equal(
            "test.safetensors: tensor 'lstm.bias_hh_l1': missing: recurrent layer l1 of 'lstm' needs weight_ih, weight_hh, bias_ih and bias_hh (bias=False is not supported).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchStackedLayerMissing_RefusedNamingIt()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2"), seed: 2);
        var names = new Dictionary<string, string>
        {
            ["Wih1"] = "lstm.weight_ih_l0", ["Whh1"] = "lstm.weight_hh_l0", ["bih1"] = "lstm.bias_ih_l0", ["bhh1"] = "lstm.bias_hh_l0",
            ["Wih2"] = "lstm.weight_ih_l2", ["Whh2"] = "lstm.weight_hh_l2", ["bih2"] = "lstm.bias_ih_l2", ["bhh2"] = "lstm.bias_hh_l2",
            ["W3"] = "dense.weight", ["b3"] = "dense.bias",
        };

        Assert.Equal(
            "test.safetensors: tensor 'lstm.weight_ih_l1': missing: the recurrent module 'lstm' has layer l2 but not l1; PyTorch numbers stacked layers from l0.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(target).Select(t => t with { Name = names[t.Name] }).ToList())).Message);
    }

    [Fact]
    public void Load_PyTorchBidirectional_Refused()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "gru.", "dense.");
        List<RawSafetensors.Tensor> tensors = Tensors(target).Select(t => t with { Name = names[t.Name] }).ToList();
        tensors.Add(RawSafetensors.F32("gru.weight_ih_l0_reverse", [12, 3], new float[36]));

        Assert.Equal(
            "test.safetensors: tensor 'gru.weight_ih_l0_reverse': a bidirectional recurrent layer (bidirectional=True) is not supported; NnGen's LSTM and GRU run forward in time.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchProjectedLstm_Refused()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "lstm.", "dense.");
        List<RawSafetensors.Tensor> tensors = Tensors(target).Select(t => t with { Name = names[t.Name] }).ToList();
        tensors.Add(RawSafetensors.F32("lstm.weight_hr_l0", [2, 5], new float[10]));

        Assert.Equal(
            "test.safetensors: tensor 'lstm.weight_hr_l0': an LSTM with proj_size > 0 is not supported; NnGen's LSTM outputs h of its hidden size.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchTwoNamedRecurrentModules_RefusedAsUnordered()
    {
        NetworkArchitecture architecture = RecurrentNetworks.ArchitectureOf("gru2");
        var target = new LayerKindsNetwork(architecture, seed: 2);
        var names = new Dictionary<string, string>
        {
            ["Wih1"] = "first.weight_ih_l0", ["Whh1"] = "first.weight_hh_l0", ["bih1"] = "first.bias_ih_l0", ["bhh1"] = "first.bias_hh_l0",
            ["Wih2"] = "second.weight_ih_l0", ["Whh2"] = "second.weight_hh_l0", ["bih2"] = "second.bias_ih_l0", ["bhh2"] = "second.bias_hh_l0",
            ["W3"] = "dense.weight", ["b3"] = "dense.bias",
        };

        Assert.Equal(
            "test.safetensors: the recurrent modules 'first' and 'second' have no order in a state_dict (their names are not numbered); save with NnGen's names (tools/pytorch/export_sequential.py) or number the modules (an nn.Sequential).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(target).Select(t => t with { Name = names[t.Name] }).ToList())).Message);
    }

    [Fact]
    public void Load_PyTorchExtraLinear_RefusedCountingTheModules()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "gru.", "dense.");
        List<RawSafetensors.Tensor> tensors = Tensors(target).Select(t => t with { Name = names[t.Name] }).ToList();
        tensors.Add(RawSafetensors.F32("head.weight", [2, 2], new float[4]));
        tensors.Add(RawSafetensors.F32("head.bias", [2], new float[2]));

        Assert.Equal(
            "test.safetensors: GruNet has 1 layers with tensors besides the recurrent ones (3 -> gru(4) -> 2 linear) but the file holds PyTorch parameters of 2 other modules (dense, head).",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_NoRecurrentTensors_RefusedListingTheExpectedNames()
    {
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("gru"), seed: 2);
        List<RawSafetensors.Tensor> tensors = [RawSafetensors.F32("dense.weight", [2, 4], new float[8]), RawSafetensors.F32("dense.bias", [2], new float[2])];

        Assert.Equal(
            "test.safetensors: no weights found: expected tensors Wih1, Whh1, bih1, bhh1, W2, b2 (or PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …) for GruNet (3 -> gru(4) -> 2 linear); found dense.weight, dense.bias.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, tensors)).Message);
    }

    [Fact]
    public void Load_PyTorchNonFiniteRecurrentWeight_RefusedAfterEverythingElseMatched()
    {
        var source = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2"), seed: 1);
        // Element [1, 2] of PyTorch's (G·H, H), which the parameters hold transposed at 2·G·H + 1.
        LayerTensor whh = source.Architecture.Tensors.Single(t => t.Name == "Whh2");
        source.Parameters[whh.Offset + (2 * whh.Shape[0]) + 1] = float.NaN;
        var target = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2"), seed: 2);
        Dictionary<string, string> names = TorchNames(target.Architecture, "lstm.", "dense.");

        Assert.Equal(
            "test.safetensors: tensor 'lstm.weight_hh_l1': value at [1, 2] is NaN; every value must be finite.",
            AssertRefusedUnchanged(target, RawSafetensors.Build(null, Tensors(source).Select(t => t with { Name = names[t.Name] }).ToList())).Message);
    }

    private static byte[] Save(ISerializableNetwork network)
    {
        var stream = new MemoryStream();
        WeightsFile.Save(network, stream);
        return stream.ToArray();
    }

    private static List<RawSafetensors.Tensor> Tensors(ISerializableNetwork network) =>
        network.Architecture.Tensors
            .Select(t => RawSafetensors.F32(t.Name, t.Shape.Select(d => (long)d).ToArray(), FileValues(network, t)))
            .ToList();

    /// <summary>A tensor's values as a file holds them: in its shape, so Wih and Whh untransposed from the parameters.</summary>
    private static float[] FileValues(ISerializableNetwork network, LayerTensor tensor)
    {
        float[] stored = (tensor.IsState ? network.State : network.Parameters).Slice(tensor.Offset, tensor.Length).ToArray();
        if (!tensor.IsStoredTransposed)
        {
            return stored;
        }

        var values = new float[stored.Length];
        NnGen.Kernels.Layout.Transpose(stored, values, tensor.Shape[1], tensor.Shape[0]);
        return values;
    }

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
}
