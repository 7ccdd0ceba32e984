using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>SaveWeights/LoadWeights: the safetensors layout, round trips, extras, and errors that change nothing.</summary>
public sealed class SaveLoadTests : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-weights");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    public static TheoryData<string> NetworkNames => new() { "PlanarNet", "LogisticRegression", "MixedNet", "RegressionNet", "DeepCatNet", "TinyLinearNet", "MediumNet", "SoftmaxNet" };

    internal static ISerializableNetwork Create(string name, int seed) => name switch
    {
        "PlanarNet" => new PlanarNet(seed),
        "LogisticRegression" => Randomized(new LogisticRegression(), seed),
        "MixedNet" => new MixedNet(seed),
        "RegressionNet" => new RegressionNet(seed),
        "DeepCatNet" => new DeepCatNet(seed),
        "TinyLinearNet" => new TinyLinearNet(seed),
        "MediumNet" => new MediumNet(seed),
        "TorchClassifier" => new TorchClassifier(seed),
        "TorchRegressor" => new TorchRegressor(seed),
        "SoftmaxNet" => new SoftmaxNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void SaveThenLoad_IntoAnotherInstance_ParametersAndOutputsBitIdentical(string name)
    {
        ISerializableNetwork saved = Randomized(Create(name, seed: 5), seed: 11);
        string path = Path.Combine(_directory, name + ".safetensors");
        WeightsFile.Save(saved, path);

        ISerializableNetwork loaded = Create(name, seed: 6);
        Assert.False(saved.Parameters.SequenceEqual(loaded.Parameters));
        LoadedWeights result = WeightsFile.Load(loaded, path);

        Assert.Equal(Bits(saved.Parameters), Bits(loaded.Parameters));
        Assert.Empty(result.Extras);
        Assert.Equal(path, result.File);
        float[] inputs = Inputs(saved.InputSize, examples: 7, seed: 3);
        Assert.Equal(Bits(Predict(saved, inputs)), Bits(Predict(loaded, inputs)));
    }

    [Fact]
    public void SaveWeights_Planar_WritesTheSafetensorsLayoutTheSpecDescribes()
    {
        var net = new PlanarNet(seed: 2);
        var stream = new MemoryStream();
        net.SaveWeights(stream);
        byte[] file = stream.ToArray();

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        string header = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        Assert.StartsWith("{\"__metadata__\":{", header, StringComparison.Ordinal);
        Assert.EndsWith("}", header.TrimEnd(' '), StringComparison.Ordinal); // padded with spaces only, as the reference writer pads

        using JsonDocument document = JsonDocument.Parse(header);
        JsonElement metadata = document.RootElement.GetProperty("__metadata__");
        Assert.Equal("nngen", metadata.GetProperty("format").GetString());
        Assert.Equal("1", metadata.GetProperty("nngen.format_version").GetString());
        Assert.Equal("PlanarNet", metadata.GetProperty("nngen.network").GetString());
        Assert.Equal("2,4,1", metadata.GetProperty("nngen.layer_sizes").GetString());
        Assert.Equal("tanh,sigmoid", metadata.GetProperty("nngen.activations").GetString());

        (string Name, int[] Shape, int Offset, int Length)[] expected =
        [
            ("W1", [4, 2], PlanarNet.W1Offset, 8), ("b1", [4], PlanarNet.b1Offset, 4),
            ("W2", [1, 4], PlanarNet.W2Offset, 4), ("b2", [1], PlanarNet.b2Offset, 1),
        ];
        Assert.Equal(new[] { "__metadata__", "W1", "b1", "W2", "b2" }, document.RootElement.EnumerateObject().Select(p => p.Name));
        long dataStart = 8 + (long)headerLength;
        long cursor = 0;
        foreach ((string name, int[] shape, int offset, int length) in expected)
        {
            JsonElement entry = document.RootElement.GetProperty(name);
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            long[] offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(new[] { cursor, cursor + (length * 4) }, offsets);
            for (int i = 0; i < length; i++)
            {
                float value = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + cursor + (i * 4))));
                Assert.Equal(BitConverter.SingleToInt32Bits(net.Parameters[offset + i]), BitConverter.SingleToInt32Bits(value));
            }

            cursor += length * 4;
        }

        Assert.Equal(dataStart + cursor, file.Length);
    }

    [Fact]
    public void LoadWeights_FileOfAnotherArchitecture_NamesFileSizesAndLeavesTheNetworkAsItWas()
    {
        string path = Path.Combine(_directory, "mixed.safetensors");
        new MixedNet(seed: 1).SaveWeights(path);
        var net = new PlanarNet(seed: 2);
        int[] before = Bits(net.Parameters);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => net.LoadWeights(path));

        Assert.Equal(path, error.File);
        Assert.Equal($"{path}: tensor '__metadata__': layer sizes 3,5,5,2 (saved from MixedNet) do not match PlanarNet's 2,4,1 (2 -> 4 tanh -> 1 sigmoid).", error.Message);
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Fact]
    public void LoadWeights_NoMetadataAndTransposedWeight_NamesTheTensorExpectedAndFoundShapes()
    {
        var source = new PlanarNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source);
        tensors[0] = tensors[0] with { Shape = [2, 4] };
        string path = Path.Combine(_directory, "transposed.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(metadata: null, tensors));
        var net = new PlanarNet(seed: 2);
        int[] before = Bits(net.Parameters);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => net.LoadWeights(path));

        Assert.Equal($"{path}: tensor 'W1': expected shape (4, 2), found (2, 4).", error.Message);
        Assert.Equal("W1", error.Tensor);
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Theory]
    [InlineData("activations", "nngen.activations", "relu,sigmoid", "tensor '__metadata__': activations relu,sigmoid do not match PlanarNet's tanh,sigmoid (2 -> 4 tanh -> 1 sigmoid).")]
    [InlineData("version", "nngen.format_version", "2", "tensor '__metadata__': format version 2 was written by a newer NnGen; this one reads version 1.")]
    public void LoadWeights_MetadataDisagrees_Rejected(string _, string key, string value, string message)
    {
        var source = new PlanarNet(seed: 3);
        List<KeyValuePair<string, string>> metadata = RawSafetensors.Metadata(PlanarNet.Architecture).Select(pair => pair.Key == key ? new(key, value) : pair).ToList();
        byte[] file = RawSafetensors.Build(metadata, RawSafetensors.Parameters(source));
        var net = new PlanarNet(seed: 2);
        int[] before = Bits(net.Parameters);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => net.LoadWeights(new MemoryStream(file)));

        Assert.Equal("<stream>: " + message, error.Message);
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Fact]
    public void LoadWeights_MissingTensor_SaysWhichAndItsShape()
    {
        var source = new MixedNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source).Where(t => t.Name != "b2").ToList();
        var net = new MixedNet(seed: 2);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(net, RawSafetensors.Build(null, tensors), "m.safetensors"));

        Assert.Equal("m.safetensors: tensor 'b2': missing: MixedNet (3 -> 5 relu -> 5 leaky_relu -> 2 sigmoid) needs it with shape (5) F32.", error.Message);
    }

    [Fact]
    public void LoadWeights_NonFiniteValue_NamesTensorAndIndex()
    {
        var source = new MixedNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source);
        BinaryPrimitives.WriteSingleLittleEndian(tensors[2].Data.AsSpan(((1 * 5) + 3) * 4), float.NaN);
        var net = new MixedNet(seed: 2);
        int[] before = Bits(net.Parameters);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(net, RawSafetensors.Build(null, tensors), "m.safetensors"));

        Assert.Equal("m.safetensors: tensor 'W2': value at [1, 3] is NaN; every value must be finite.", error.Message);
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Fact]
    public void LoadWeights_WrongDType_NamesExpectedAndFound()
    {
        var source = new PlanarNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source);
        tensors[1] = tensors[1] with { DType = "F16", Shape = [8] };

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(new PlanarNet(), RawSafetensors.Build(null, tensors), "p"));

        Assert.Equal("p: tensor 'b1': expected dtype F32, found F16.", error.Message);
    }

    [Fact]
    public void LoadWeights_CourseShapedBiasColumns_Accepted()
    {
        var source = new MixedNet(seed: 3);
        var net = new MixedNet(seed: 4);

        WeightsFile.Load(net, RawSafetensors.Build(RawSafetensors.Metadata(MixedNet.Architecture), RawSafetensors.Parameters(source, biasAsColumn: true)), "column-bias");

        Assert.Equal(Bits(source.Parameters), Bits(net.Parameters));
    }

    [Theory]
    [InlineData("")]
    [InlineData("net.")]
    [InlineData("model.layers.")]
    public void LoadWeights_PyTorchStateDictNames_MatchedByPosition(string prefix)
    {
        var source = new MixedNet(seed: 3);
        // nn.Sequential(Linear, ReLU, Linear, LeakyReLU, Linear, Sigmoid): the Linears are modules 0, 2 and 4.
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source, rename: (layer, kind) => $"{prefix}{(layer - 1) * 2}.{kind}");
        tensors.Reverse();
        var net = new MixedNet(seed: 4);

        WeightsFile.Load(net, RawSafetensors.Build(null, tensors), "torch");

        Assert.Equal(Bits(source.Parameters), Bits(net.Parameters));
    }

    [Fact]
    public void LoadWeights_PyTorchNamesForMoreLayers_ListsTheModules()
    {
        var source = new MixedNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source, rename: (layer, kind) => $"{(layer - 1) * 2}.{kind}");

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(new PlanarNet(), RawSafetensors.Build(null, tensors), "torch"));

        Assert.Equal("torch: PlanarNet has 2 layers (2 -> 4 tanh -> 1 sigmoid) but the file holds PyTorch parameters of 3 modules (0, 2, 4).", error.Message);
    }

    [Fact]
    public void SaveWeights_WithExtras_LoadReturnsThemAndGetExtraChecksShape()
    {
        var net = new RegressionNet(seed: 3);
        var mean = new NamedTensor("standardizer.mean", [0.5f, -1.25f, 3f]);
        var scale = new NamedTensor("standardizer.scale", [1, 3], [2f, 0.5f, 0.125f]);
        string path = Path.Combine(_directory, "with-extras.safetensors");
        net.SaveWeights(path, [mean, scale]);

        var loaded = new RegressionNet(seed: 4);
        LoadedWeights result = loaded.LoadWeights(path);

        Assert.Equal(Bits(net.Parameters), Bits(loaded.Parameters));
        Assert.Equal(new[] { "standardizer.mean", "standardizer.scale" }, result.Extras.Select(e => e.Name));
        Assert.Equal(mean.Values.ToArray(), result.GetExtra("standardizer.mean", 3).Values.ToArray());
        Assert.Equal(scale.Values.ToArray(), result.GetExtra("standardizer.scale", 1, 3).Values.ToArray());
        Assert.Equal("RegressionNet", result.Metadata["nngen.network"]);
        WeightsFormatException wrongShape = Assert.Throws<WeightsFormatException>(() => result.GetExtra("standardizer.scale", 3));
        Assert.Equal($"{path}: tensor 'standardizer.scale': expected shape (3), found (1, 3).", wrongShape.Message);
        WeightsFormatException missing = Assert.Throws<WeightsFormatException>(() => result.GetExtra("labels", 2));
        Assert.Equal($"{path}: tensor 'labels': missing: expected shape (2) F32; extra tensors in the file: standardizer.mean (3), standardizer.scale (1, 3).", missing.Message);
    }

    [Fact]
    public void SaveWeights_ExtraNamedLikeAParameter_ThrowsAndWritesNothing()
    {
        var net = new PlanarNet();
        string path = Path.Combine(_directory, "reserved.safetensors");

        ArgumentException error = Assert.Throws<ArgumentException>(() => net.SaveWeights(path, [new NamedTensor("W3", [1f])]));

        Assert.StartsWith("Extra tensor 'W3': names W1, b1, W2, … are the network's parameters.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void SaveWeights_DivergedNetwork_RefusesAndKeepsTheExistingFile()
    {
        var net = new PlanarNet(seed: 1);
        string path = Path.Combine(_directory, "planar.safetensors");
        net.SaveWeights(path);
        byte[] before = File.ReadAllBytes(path);
        net.W2[3] = float.PositiveInfinity;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => net.SaveWeights(path));

        Assert.Equal("PlanarNet: W2 at [0, 3] is Infinity; a network with non-finite parameters (diverged?) is not saved.", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Architecture_OfGeneratedNetworks_MatchesTheDeclarations()
    {
        Assert.Equal(new[] { 2, 4, 1 }, PlanarNet.Architecture.LayerSizes);
        Assert.Equal(new[] { Activation.Tanh, Activation.Sigmoid }, PlanarNet.Architecture.Activations);
        Assert.Equal(Loss.BinaryCrossEntropy, PlanarNet.Architecture.Loss);
        Assert.Equal(PlanarNet.ParameterCount, PlanarNet.Architecture.ParameterCount);
        Assert.Equal(MixedNet.W3Offset, MixedNet.Architecture.WeightOffset(3));
        Assert.Equal(MixedNet.b2Offset, MixedNet.Architecture.BiasOffset(2));
        Assert.Equal(Loss.MeanSquaredError, RegressionNet.Architecture.Loss);
        Assert.Same(PlanarNet.Architecture, ((ISerializableNetwork)new PlanarNet()).Architecture);
    }

    internal static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    internal static float[] Inputs(int size, int examples, int seed)
    {
        var random = new NumPyRandom(seed);
        float[] inputs = new float[size * examples];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)random.NextGaussian();
        }

        return inputs;
    }

    internal static float[] Predict(ISerializableNetwork network, float[] inputs)
    {
        float[] outputs = new float[inputs.Length / network.InputSize * network.OutputSize];
        network.PredictBatch(inputs, outputs);
        return outputs;
    }

    /// <summary>Replaces the parameters (zero biases included) with seeded Gaussian values, so no tensor is trivially zero.</summary>
    internal static T Randomized<T>(T network, int seed)
        where T : ISerializableNetwork
    {
        var random = new NumPyRandom(seed);
        Span<float> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextGaussian() * 0.5);
        }

        return network;
    }
}
