using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NnGen.Data;
using NnGen.Generator.Tests.CompileAndRun;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// [Network(Weights = "…")] end to end in memory: a trained network saved with SaveWeights, baked into a compilation,
/// compiled and run, has the same parameter bits and the same predictions; the emitted data is readable and exact.
/// </summary>
public sealed class BakedWeightsTests
{
    [Fact]
    public void TrainSaveBakeRun_SameParameterBitsAndPredictions()
    {
        // Train: the course's planar network, briefly.
        CompiledNetwork planar = CompiledNetwork.For(TestArchitecture.Planar);
        var trained = (ISerializableNetwork)planar.Create(seed: 2);
        Dataset data = PlanarDataset.Generate(seed: 1);
        Trainer.Fit(trained, data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 500, RecordEvery = 500 });
        float[] saved = trained.Parameters.ToArray();
        using var stream = new MemoryStream();
        WeightsFile.Save(trained, stream);

        (_, Compilation output, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded("/work/app/planar.safetensors", stream.ToArray()));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        Assembly assembly = GeneratorHarness.Load(output);
        Type probe = assembly.GetType("Demo.BakedNetProbe", throwOnError: true)!;

        float[] baked = (float[])probe.GetMethod("Parameters")!.Invoke(null, null)!;
        var reloaded = (ISerializableNetwork)planar.Create();
        WeightsFile.Load(reloaded, stream.ToArray(), "x");
        Assert.Equal(saved.Select(BitConverter.SingleToInt32Bits), baked.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(reloaded.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits), baked.Select(BitConverter.SingleToInt32Bits));

        // The baked network predicts what the same type predicts after LoadWeights of the saved file, bit for bit.
        float[] predictions = (float[])probe.GetMethod("PredictBatch")!.Invoke(null, [data.Inputs])!;
        float[] loaded = (float[])probe.GetMethod("PredictBatchLoaded")!.Invoke(null, [stream.ToArray(), data.Inputs])!;
        Assert.Equal(loaded.Select(BitConverter.SingleToInt32Bits), predictions.Select(BitConverter.SingleToInt32Bits));

        // And the trained network's own predictions, through the catalogue's single-example path, within float rounding.
        for (int i = 0; i < data.Count; i += 40)
        {
            float single = planar.PredictTyped(trained, [data.Inputs[2 * i], data.Inputs[(2 * i) + 1]])[0];
            Assert.True(Math.Abs(single - predictions[i]) <= 1e-6f, $"example {i}: trained {single}, baked {predictions[i]}");
        }
    }

    [Fact]
    public void BakedNetwork_Freeze_GivesTheBakedNetworksBits()
    {
        float[] parameters = BakingHarness.SomePlanarParameters();
        (_, Compilation output, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded("/app/planar.safetensors", BakingHarness.PlanarFile(parameters)));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        Type probe = GeneratorHarness.Load(output).GetType("Demo.BakedNetProbe", throwOnError: true)!;
        float[] inputs = PlanarDataset.Generate(seed: 3).Inputs;

        float[] network = (float[])probe.GetMethod("Predictions")!.Invoke(null, [inputs])!;
        float[] frozen = (float[])probe.GetMethod("FrozenPredictions")!.Invoke(null, [inputs])!;
        Assert.Contains(network, value => value is not 0f and not 1f);
        Assert.Equal(network.Select(BitConverter.SingleToInt32Bits), frozen.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Bake_EmitsLittleEndianBytesPerTensor_AndTheParameterlessConstructorUsesThem()
    {
        float[] parameters = BakingHarness.SomePlanarParameters();
        (GeneratorDriver driver, _, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded("/app/planar.safetensors", BakingHarness.PlanarFile(parameters)));
        Assert.Empty(diagnostics);
        string source = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();

        Assert.Contains("private static ReadOnlySpan<byte> BakedParameters => new byte[]", source, StringComparison.Ordinal);
        Assert.Contains("    // W1 (4, 2): bytes [0, 32)", source, StringComparison.Ordinal);
        Assert.Contains("    // b2 (1): bytes [64, 68)", source, StringComparison.Ordinal);
        byte[] first = BitConverter.GetBytes(parameters[0]);
        Assert.Contains($"0x{first[0]:X2}, 0x{first[1]:X2}, 0x{first[2]:X2}, 0x{first[3]:X2},", source, StringComparison.Ordinal);
        Assert.Contains("public void ResetToBakedWeights() => WeightsFile.ReadBaked(BakedParameters, _parameters.Span);", source, StringComparison.Ordinal);
        Assert.Contains("public BakedNet()\n        {\n            ResetToBakedWeights();\n        }", source.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        // The seeded constructor still draws random weights.
        Assert.Contains("public BakedNet(int seed)", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Bake_PyTorchNamesAndColumnBias_AcceptedLikeTheRuntime()
    {
        float[] w1 = Enumerable.Range(0, 8).Select(i => i * 0.5f).ToArray();
        float[] b1 = [1, 2, 3, 4];
        float[] w2 = [-1, -2, -3, -4];
        float[] b2 = [0.25f];
        byte[] data = w1.Concat(b1).Concat(w2).Concat(b2).SelectMany(BitConverter.GetBytes).ToArray();
        byte[] file = BakingHarness.Safetensors(
            """{"net.0.weight":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"net.0.bias":{"dtype":"F32","shape":[4,1],"data_offsets":[32,48]},"net.2.weight":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"net.2.bias":{"dtype":"F32","shape":[1],"data_offsets":[64,68]}}""",
            data);

        (_, Compilation output, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded("/app/planar.safetensors", file));

        Assert.Empty(diagnostics);
        float[] baked = (float[])GeneratorHarness.Load(output).GetType("Demo.BakedNetProbe")!.GetMethod("Parameters")!.Invoke(null, null)!;
        Assert.Equal(w1.Concat(b1).Concat(w2).Concat(b2), baked);
    }

    [Fact]
    public void Bake_RawUtf8File_RoundTripsThroughTheCompilersText()
    {
        // Parameters whose bytes are all ASCII and the header length too: valid UTF-8, so the compiler's text holds every byte.
        float[] parameters = Enumerable.Range(0, 17).Select(i => BitConverter.Int32BitsToSingle(0x3F202020 + i)).ToArray();
        string header = """{"W1":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"b2":{"dtype":"F32","shape":[1],"data_offsets":[64,68]}}""";
        byte[] file = BakingHarness.Safetensors(header.PadRight(256), parameters.SelectMany(BitConverter.GetBytes).ToArray());
        Assert.True(file.All(b => b < 0x80), "test file must be ASCII");

        (_, Compilation output, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Raw("/app/planar.safetensors", file));

        Assert.Empty(diagnostics);
        float[] baked = (float[])GeneratorHarness.Load(output).GetType("Demo.BakedNetProbe")!.GetMethod("Parameters")!.Invoke(null, null)!;
        Assert.Equal(parameters.Select(BitConverter.SingleToInt32Bits), baked.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("planar.safetensors")]
    [InlineData("Models/planar.safetensors")]
    [InlineData("Models\\planar.safetensors")]
    [InlineData("./Models/planar.safetensors")]
    [InlineData("../Models/planar.safetensors")]
    [InlineData("../../app/Models/planar.safetensors")]
    [InlineData("..\\Models\\planar.safetensors")]
    [InlineData("Models/../Models/./planar.safetensors")]
    public void Match_ByFileNameOrPathSuffix(string weights)
    {
        byte[] file = BakingHarness.PlanarFile(BakingHarness.SomePlanarParameters());
        (_, _, var diagnostics) = BakingHarness.Run(
            BakingHarness.PlanarSource(weights.Replace("\\", "\\\\", StringComparison.Ordinal)),
            BakingHarness.Encoded("/repo/app/Models/planar.safetensors", file),
            BakingHarness.Text("/repo/app/notes.txt", "unrelated"));

        Assert.Empty(diagnostics);
    }
}
