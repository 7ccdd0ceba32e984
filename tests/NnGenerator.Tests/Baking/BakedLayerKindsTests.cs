using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// Issue 20, point 4: a network with batch norm, dropout and layer norm bakes its file as a dense one does, the running
/// statistics included: the baked network starts with the saved parameters and state, bit for bit, and predicts what
/// the file loaded at run time predicts. A file saved from other kinds or arguments is refused at build time.
/// </summary>
public sealed class BakedLayerKindsTests
{
    private const string Layers = "[Dense(4, Activation.Tanh)]\n[BatchNorm]\n[Dropout(0.2)]\n[LayerNorm]\n[Dense(2, Activation.Sigmoid)]";

    [Fact]
    public void Bake_NetworkWithEveryKind_StartsWithTheSavedParametersAndRunningStatistics()
    {
        (ISerializableNetwork saved, byte[] file) = Saved(Layers);
        (GeneratorDriver _, Compilation output, var diagnostics) = BakingHarness.Run(Source(Layers, "kinds.safetensors"), BakingHarness.Encoded("/app/kinds.safetensors", file));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        var baked = (ISerializableNetwork)Activator.CreateInstance(GeneratorHarness.Load(output).GetType("Demo.Kinds", throwOnError: true)!)!;
        Assert.Equal(Bits(saved.Parameters.ToArray()), Bits(baked.Parameters.ToArray()));
        Assert.Equal(Bits(saved.State.ToArray()), Bits(baked.State.ToArray()));

        float[] inputs = Enumerable.Range(0, 5 * 3).Select(i => (i - 7) * 0.3f).ToArray();
        var expected = new float[5 * 2];
        var actual = new float[5 * 2];
        saved.PredictBatch(inputs, expected);
        baked.PredictBatch(inputs, actual);
        Assert.Equal(Bits(expected), Bits(actual));
    }

    [Fact]
    public void Bake_FileOfAnotherMomentum_NNG0027_NamesBothLayerLists()
    {
        (_, byte[] file) = Saved(Layers);
        string other = Layers.Replace("[BatchNorm]", "[BatchNorm(Momentum = 0.3)]", StringComparison.Ordinal);
        (_, _, var diagnostics) = BakingHarness.Run(Source(other, "kinds.safetensors"), BakingHarness.Encoded("/app/kinds.safetensors", file));

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.WeightsArchitectureMismatch, diagnostic.Id);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("nngen.layers dense,batch_norm(epsilon=1E-05 momentum=0.1),dropout(rate=0.2),layer_norm(epsilon=1E-05),dense", message, StringComparison.Ordinal);
        Assert.Contains("batch_norm(epsilon=1E-05 momentum=0.3)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bake_DenseOnlyFileIntoANetworkWithBatchNorm_NNG0027()
    {
        byte[] file = BakingHarness.PlanarFile(BakingHarness.SomePlanarParameters());
        string source = Source("[Dense(4, Activation.Tanh)]\n[BatchNorm]\n[Dense(1, Activation.Sigmoid)]", "planar.safetensors").Replace("Inputs = 3", "Inputs = 2", StringComparison.Ordinal);
        (_, _, var diagnostics) = BakingHarness.Run(source, BakingHarness.Encoded("/app/planar.safetensors", file));

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.WeightsArchitectureMismatch, diagnostic.Id);
    }

    [Theory]
    [InlineData("[Lstm(5)]\n[Dense(2, Activation.Linear)]")]
    [InlineData("[Gru(4)]\n[Lstm(3, ReturnSequences = false)]\n[Dense(2, Activation.Sigmoid)]")]
    public void Bake_RecurrentNetwork_StartsWithTheSavedParameters_AndPredictsAsTheLoadedFile(string layers)
    {
        (ISerializableNetwork saved, byte[] file) = Saved(layers);
        (GeneratorDriver _, Compilation output, var diagnostics) = BakingHarness.Run(Source(layers, "rnn.safetensors"), BakingHarness.Encoded("/app/rnn.safetensors", file));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        var baked = (ISequenceNetwork)Activator.CreateInstance(GeneratorHarness.Load(output).GetType("Demo.Kinds", throwOnError: true)!)!;
        Assert.Equal(Bits(saved.Parameters.ToArray()), Bits(baked.Parameters.ToArray()));

        float[] inputs = Enumerable.Range(0, 2 * 6 * 3).Select(i => MathF.Sin(i * 0.4f)).ToArray();
        int outputs = 2 * (baked.OutputsEveryStep ? 6 : 1) * 2;
        var expected = new float[outputs];
        var actual = new float[outputs];
        ((ISequenceNetwork)saved).PredictSequences(inputs, 6, expected, Span<float>.Empty);
        baked.PredictSequences(inputs, 6, actual, Span<float>.Empty);
        Assert.Equal(Bits(expected), Bits(actual));
    }

    [Fact]
    public void Bake_FileOfAnotherReturnSequences_NNG0027_NamesBothLayerLists()
    {
        (_, byte[] file) = Saved("[Lstm(5)]\n[Dense(2, Activation.Linear)]");
        (_, _, var diagnostics) = BakingHarness.Run(Source("[Lstm(5, ReturnSequences = false)]\n[Dense(2, Activation.Linear)]", "rnn.safetensors"), BakingHarness.Encoded("/app/rnn.safetensors", file));

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.WeightsArchitectureMismatch, diagnostic.Id);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("lstm(return_sequences=true)", message, StringComparison.Ordinal);
        Assert.Contains("lstm(return_sequences=false)", message, StringComparison.Ordinal);
    }

    /// <summary>A network of <paramref name="layers"/> with γ, β and the running statistics off their starting values, saved.</summary>
    private static (ISerializableNetwork Network, byte[] File) Saved(string layers)
    {
        Compilation compilation = GeneratorHarness.Run(Source(layers, weights: null)).Compilation;
        var network = (ISerializableNetwork)Activator.CreateInstance(GeneratorHarness.Load(compilation).GetType("Demo.Kinds", throwOnError: true)!, 3)!;
        Span<float> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] += 0.01f * (i % 7);
        }

        for (int i = 0; i < network.State.Length; i++)
        {
            network.State[i] = 0.5f + (0.125f * i);
        }

        using var stream = new MemoryStream();
        WeightsFile.Save(network, stream);
        return (network, stream.ToArray());
    }

    private static string Source(string layers, string? weights) => $$"""
        using NnGen;

        namespace Demo;

        [Network(Inputs = 3{{(weights is null ? string.Empty : $", Weights = \"{weights}\"")}})]
        {{layers}}
        public partial class Kinds { }
        """;

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
