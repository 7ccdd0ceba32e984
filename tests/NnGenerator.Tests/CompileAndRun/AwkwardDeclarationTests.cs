using System;
using System.Linq;
using System.Reflection;
using NnGen.Generator.Tests.Emit;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>Generic, nested-generic, record and name-shadowing declarations do not only compile: they run.</summary>
public sealed class AwkwardDeclarationTests
{
    [Theory]
    [InlineData(nameof(EmitScenarios.GenericNetwork), "Demo.Generic.GenericNet`1", "GenericNet<TTag>")]
    [InlineData(nameof(EmitScenarios.GenericNestedInGeneric), "Demo.Generic.Outer`1+Net`1", "Net<TOther>")]
    [InlineData(nameof(EmitScenarios.Record), "Demo.Records.RecordNet", "RecordNet")]
    [InlineData(nameof(EmitScenarios.ShadowingNames), "Company.System.ShadowNet", "ShadowNet")]
    [InlineData(nameof(EmitScenarios.ShadowingNames), "Company.NnGen.ShadowNet", "ShadowNet")]
    [InlineData(nameof(EmitScenarios.GlobalUsingShadows), "GlobalShadowNet", "GlobalShadowNet")]
    public void Network_AwkwardDeclaration_CreatesPredictsAndTrains(string scenario, string metadataName, string networkName)
    {
        GeneratorOutput output = GeneratorHarness.Run(EmitScenarios.All[scenario].Sources);
        Assembly assembly = GeneratorHarness.Load(output.Compilation);
        Type type = assembly.GetType(metadataName, throwOnError: true)!;
        if (type.IsGenericTypeDefinition)
        {
            type = type.MakeGenericType(type.GetGenericArguments().Select(_ => typeof(int)).ToArray());
        }

        var network = (ITrainableNetwork)Activator.CreateInstance(type, 3)!;
        Assert.Equal(networkName, network.Name);

        float[] inputs = TestData.Uniform(5 * network.InputSize, -1, 1, seed: 1);
        var outputs = new float[5 * network.OutputSize];
        network.PredictBatch(inputs, outputs);
        Assert.All(outputs, value => Assert.True(float.IsFinite(value)));

        var single = new float[network.OutputSize];
        network.Predict(inputs.AsSpan(0, network.InputSize), single);
        Assert.Equal(outputs.AsSpan(0, network.OutputSize).ToArray(), single, (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b)));

        float[] labels = TestData.Uniform(5 * network.OutputSize, 0.1f, 0.9f, seed: 2);
        var gradients = new float[network.ParameterCount];
        float cost = network.ComputeGradients(inputs, labels, gradients, new Workspace());
        Assert.True(float.IsFinite(cost) && cost > 0, $"cost {cost}");
        Assert.Contains(gradients, value => value != 0);

        // A record synthesizes ToString and Equals over the generated fields; neither may throw.
        Assert.NotNull(network.ToString());
        Assert.True(network.Equals(network));
    }
}
