using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NnGen.Data;
using NnGen.Generator.Baking;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// The tensors a weights file carries beside the parameters (a standardizer's mean and scale, anything else saved with
/// SaveWeights(path, extras)) are baked too: <c>BakedStandardizer</c> and <c>BakedExtra(name)</c> give them back bit for
/// bit without a file and without allocating, so a standardized model ships as one binary.
/// </summary>
public sealed class BakedExtrasTests
{
    private const string Source = """
        using System;
        using NnGen;
        using NnGen.Data;

        namespace Demo;

        [Network(Inputs = 2, Weights = "planar.safetensors")]
        [Layer(4, Activation.Tanh)]
        [Layer(1, Activation.Sigmoid)]
        public partial class BakedNet { }

        public static class BakedNetProbe
        {
            // {{standardizer}}

            public static float[] Extra(string name) => BakedNet.BakedExtra(name).ToArray();

            /// <summary>The fewest bytes a round of 1,000 BakedExtra reads allocated (rounds absorb the runtime's one-off allocations).</summary>
            public static long AllocatedPerRound()
            {
                long best = long.MaxValue;
                float sink = 0;
                for (int round = 0; round < 5; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 1000; i++)
                    {
                        sink += BakedNet.BakedExtra("standardizer.scale")[1] + BakedNet.BakedExtra("thresholds")[5];
                    }

                    best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
                }

                return sink > 0 ? best : -1;
            }
        }
        """;

    /// <summary>Probe members that need the baked standardizer; only a file that carries one generates it.</summary>
    private const string StandardizerProbes = """
        public static Standardizer Standardizer() => BakedNet.BakedStandardizer;

        /// <summary>Predictions of raw inputs, standardized with the baked standardizer first.</summary>
        public static float[] PredictRaw(float[] inputs)
        {
            var standardized = new float[inputs.Length];
            BakedNet.BakedStandardizer.Transform(inputs, standardized);
            var outputs = new float[inputs.Length / 2];
            new BakedNet().PredictBatch(standardized, outputs);
            return outputs;
        }
        """;

    // Edge values a literal must keep exactly: negative zero, a subnormal, the extremes, and a value "R" shortens.
    private static readonly float[] Thresholds = [-0f, float.Epsilon, float.MaxValue, -float.MaxValue, 1e-30f, 0.1f];

    [Fact]
    public void Bake_FileWithStandardizerAndExtras_BakedStandardizerAndExtrasBitForBit()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var standardizer = Standardizer.Fit(data.Inputs, 2);
        byte[] file = FileWith([.. standardizer.ToTensors(), new NamedTensor("thresholds", [2, 3], Thresholds)]);

        (GeneratorDriver driver, Compilation output, var diagnostics) = BakingHarness.Run(Source.Replace("// {{standardizer}}", StandardizerProbes, StringComparison.Ordinal), BakingHarness.Encoded("/app/planar.safetensors", file));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        Type probe = GeneratorHarness.Load(output).GetType("Demo.BakedNetProbe", throwOnError: true)!;

        var baked = (Standardizer)Call(probe, "Standardizer");
        Assert.Equal(Bits(standardizer.Mean.ToArray()), Bits(baked.Mean.ToArray()));
        Assert.Equal(Bits(standardizer.Scale.ToArray()), Bits(baked.Scale.ToArray()));
        Assert.Equal(Bits(standardizer.Mean.ToArray()), Bits((float[])Call(probe, "Extra", Standardizer.MeanTensorName)));
        Assert.Equal(Bits(Thresholds), Bits((float[])Call(probe, "Extra", "thresholds")));

        // The baked network with its baked standardizer answers what the file loaded at run time answers.
        var loaded = (ISerializableNetwork)CompileAndRun.CompiledNetwork.For(TestArchitecture.Planar).Create();
        LoadedWeights weights = WeightsFile.Load(loaded, file, "planar.safetensors");
        Standardizer restored = Standardizer.FromWeights(weights, 2);
        var expected = new float[data.Count];
        ((ITrainableNetwork)loaded).PredictBatch(restored.Transform(data).Inputs, expected);
        Assert.Equal(Bits(expected), Bits((float[])Call(probe, "PredictRaw", data.Inputs)));

        Assert.Equal(0L, (long)Call(probe, "AllocatedPerRound"));

        string source = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
        // Doc comments are wrapped at the generator's line width; read them as one paragraph.
        string paragraphs = System.Text.RegularExpressions.Regex.Replace(source, @"\n\s*/// ", " ");
        Assert.Contains("""from the assembly's data without allocating. The file carries <c>"standardizer.mean"</c> (2), <c>"standardizer.scale"</c> (2), <c>"thresholds"</c> (2, 3).""", paragraphs, StringComparison.Ordinal);
    }

    [Fact]
    public void BakedExtra_UnknownName_ArgumentExceptionListsWhatTheFileCarries()
    {
        byte[] file = FileWith([new NamedTensor("thresholds", [2, 3], Thresholds)]);
        (GeneratorDriver driver, Compilation output, var diagnostics) = BakingHarness.Run(Source, BakingHarness.Encoded("/app/planar.safetensors", file));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        Type probe = GeneratorHarness.Load(output).GetType("Demo.BakedNetProbe", throwOnError: true)!;

        var exception = Assert.Throws<ArgumentException>(() => Call(probe, "Extra", "standardizer.mean"));
        Assert.Equal("'standardizer.mean' is not an extra tensor of planar.safetensors; it carries thresholds (2, 3). (Parameter 'name')", exception.Message);
        Assert.Throws<ArgumentNullException>(() => Call(probe, "Extra", [null]));

        // No standardizer in the file, so none is generated.
        Assert.DoesNotContain("BakedStandardizer", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bake_NoExtras_NoExtraMembers()
    {
        (GeneratorDriver driver, _, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded("/app/planar.safetensors", FileWith([])));
        Assert.Empty(diagnostics);
        string source = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
        Assert.DoesNotContain("BakedExtra", source, StringComparison.Ordinal);
        Assert.DoesNotContain("BakedStandardizer", source, StringComparison.Ordinal);
    }

    [Fact]
    public void StandardizerTensorNames_MatchTheRuntime()
    {
        Assert.Equal(Standardizer.MeanTensorName, WeightsBaker.StandardizerMean);
        Assert.Equal(Standardizer.ScaleTensorName, WeightsBaker.StandardizerScale);
    }

    /// <summary>What SaveWeights writes for a planar network with some parameters and <paramref name="extras"/>.</summary>
    internal static byte[] FileWith(NamedTensor[] extras)
    {
        var network = (ISerializableNetwork)CompileAndRun.CompiledNetwork.For(TestArchitecture.Planar).Create();
        BakingHarness.SomePlanarParameters().CopyTo(network.Parameters);
        using var stream = new MemoryStream();
        WeightsFile.Save(network, stream, extras);
        return stream.ToArray();
    }

    private static object Call(Type type, string method, params object?[] arguments)
    {
        try
        {
            return type.GetMethod(method)!.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
