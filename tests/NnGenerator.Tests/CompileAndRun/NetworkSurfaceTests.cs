using System;
using System.Linq;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>The generated constants, Summary, interface properties and initialization, read from the loaded assembly.</summary>
public sealed class NetworkSurfaceTests
{
    public static TheoryData<string> Architectures => new(TestArchitecture.All.Select(architecture => architecture.Name));

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Constants_ReadByReflection_EqualExpectedSizesAndOffsets(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(ForwardTests.Find(name));
        TestArchitecture architecture = compiled.Architecture;

        Assert.Equal(architecture.Inputs, compiled.Constant("InputSize"));
        Assert.Equal(architecture.OutputSize, compiled.Constant("OutputSize"));
        Assert.Equal(architecture.Layers.Length, compiled.Constant("LayerCount"));
        Assert.Equal(architecture.ParameterCount, compiled.Constant("ParameterCount"));
        for (int l = 1; l <= architecture.Layers.Length; l++)
        {
            Assert.Equal(architecture.Sizes[l], compiled.Constant($"Layer{l}Units"));
            Assert.Equal(architecture.Sizes[l - 1], compiled.Constant($"Layer{l}Inputs"));
            Assert.Equal(architecture.WeightOffset(l), compiled.Constant($"W{l}Offset"));
            Assert.Equal(architecture.BiasOffset(l), compiled.Constant($"b{l}Offset"));
        }

        Assert.Null(compiled.Type.GetField($"Layer{architecture.Layers.Length + 1}Units"));
    }

    [Fact]
    public void Constants_DeepNetwork_EqualHandComputedValues()
    {
        // [12288, 20, 7, 5, 1]: 245780 + 147 + 40 + 6 parameters, written out so a shared mistake in the catalogue cannot hide.
        CompiledNetwork compiled = CompiledNetwork.For(TestArchitecture.Deep);
        Assert.Equal(245_973, compiled.Constant("ParameterCount"));
        Assert.Equal(0, compiled.Constant("W1Offset"));
        Assert.Equal(245_760, compiled.Constant("b1Offset"));
        Assert.Equal(245_780, compiled.Constant("W2Offset"));
        Assert.Equal(245_927, compiled.Constant("W3Offset"));
        Assert.Equal(245_967, compiled.Constant("W4Offset"));
        Assert.Equal(245_972, compiled.Constant("b4Offset"));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Summary_StaticProperty_ListsEveryLayerShapeAndTotal(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(ForwardTests.Find(name));
        TestArchitecture architecture = compiled.Architecture;
        string summary = compiled.Summary;
        string[] lines = summary.Split('\n');

        Assert.Contains(name, summary, StringComparison.Ordinal);
        Assert.Contains($"({architecture.Inputs}, m)", summary, StringComparison.Ordinal);
        for (int l = 1; l <= architecture.Layers.Length; l++)
        {
            int units = architecture.Sizes[l];
            int inputs = architecture.Sizes[l - 1];
            string row = Assert.Single(lines, line => line.StartsWith($"Dense {l} ", StringComparison.Ordinal));
            Assert.Contains($"({units}, {inputs})", row, StringComparison.Ordinal);
            Assert.Contains($"({units}, 1)", row, StringComparison.Ordinal);
            Assert.Contains($"({units}, m)", row, StringComparison.Ordinal);
            Assert.EndsWith(" " + ((units * inputs) + units), row, StringComparison.Ordinal);
        }

        Assert.Contains($"Total parameters: {architecture.ParameterCount}", summary, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void InterfaceProperties_CreatedWithSeed_DescribeTheNetwork(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(ForwardTests.Find(name));
        TestArchitecture architecture = compiled.Architecture;
        ITrainableNetwork network = compiled.Create(seed: 3);

        Assert.Equal(name, network.Name);
        Assert.Equal(architecture.Inputs, network.InputSize);
        Assert.Equal(architecture.OutputSize, network.OutputSize);
        Assert.Equal(architecture.ParameterCount, network.ParameterCount);
        Assert.Equal(architecture.ParameterCount, network.Parameters.Length);
        Assert.Equal(architecture.ResolvedLoss, network.Loss);
        Assert.Equal(architecture.Layers[^1].Activation, network.OutputActivation);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Constructor_Seed_DrawsNumPyStreamLayerByLayerAndZeroesBiases(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(ForwardTests.Find(name));
        TestArchitecture architecture = compiled.Architecture;
        ITrainableNetwork network = compiled.Create(seed: 5);

        // One stream for the whole network, consumed layer by layer in row-major order, each with its resolved init.
        var random = new NumPyRandom(5);
        var expected = new float[architecture.ParameterCount];
        for (int l = 1; l <= architecture.Layers.Length; l++)
        {
            int w = architecture.WeightOffset(l);
            ParameterInitializer.FillWeights(expected.AsSpan(w, architecture.BiasOffset(l) - w), architecture.Sizes[l - 1], architecture.ResolvedInit(l), random);
        }

        Assert.Equal(expected, network.Parameters.ToArray());
    }

    [Fact]
    public void Constructor_InitOverrides_LayerInitWinsOverNetworkInit()
    {
        // Zeros (layer), Scaled (network's), Xavier (layer), He (layer): check the draws' scale, not only the stream.
        CompiledNetwork compiled = CompiledNetwork.For(TestArchitecture.InitOverrides);
        float[] parameters = compiled.Create(seed: 4).Parameters.ToArray();
        TestArchitecture architecture = compiled.Architecture;
        float[] Weights(int l) => parameters[architecture.WeightOffset(l)..architecture.BiasOffset(l)];

        Assert.All(Weights(1), value => Assert.Equal(0f, value));
        Assert.All(Weights(2), value => Assert.InRange(MathF.Abs(value), 0f, 0.05f));
        Assert.Contains(Weights(3), value => MathF.Abs(value) > 0.05f);
        Assert.Equal([Init.Zeros, Init.Scaled, Init.Xavier, Init.He], Enumerable.Range(1, 4).Select(architecture.ResolvedInit));
    }

    [Fact]
    public void Constructor_Parameterless_UsesSeedZero()
    {
        CompiledNetwork compiled = CompiledNetwork.For(TestArchitecture.Planar);
        var parameterless = (ITrainableNetwork)Activator.CreateInstance(compiled.Type)!;

        Assert.Equal(0, compiled.Constant("DefaultSeed"));
        Assert.Equal(compiled.Create(seed: 0).Parameters.ToArray(), parameterless.Parameters.ToArray());
        Assert.NotEqual(compiled.Create(seed: 1).Parameters.ToArray(), parameterless.Parameters.ToArray());
    }
}
