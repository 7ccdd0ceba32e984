using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// A catalogue network compiled in memory with its probe, loaded once per test run, and reached through
/// <see cref="ITrainableNetwork"/> and reflection.
/// </summary>
internal sealed class CompiledNetwork
{
    private static readonly ConcurrentDictionary<string, Lazy<CompiledNetwork>> Cache = new(StringComparer.Ordinal);

    private readonly MethodInfo _typed;
    private readonly MethodInfo _typedGradients;

    private CompiledNetwork(TestArchitecture architecture, Type type, Type probe, Compilation compilation)
    {
        Architecture = architecture;
        Type = type;
        Compilation = compilation;
        _typed = probe.GetMethod("Typed")!;
        _typedGradients = probe.GetMethod("TypedGradients")!;
    }

    public TestArchitecture Architecture { get; }

    public Type Type { get; }

    /// <summary>The compilation with the generated source, for failure messages.</summary>
    public Compilation Compilation { get; }

    public static CompiledNetwork For(TestArchitecture architecture) =>
        Cache.GetOrAdd(architecture.Name, _ => new Lazy<CompiledNetwork>(() => Compile(architecture))).Value;

    /// <summary>new T(seed), as the interface every generated network implements.</summary>
    public ITrainableNetwork Create(int seed = 0) => (ITrainableNetwork)Activator.CreateInstance(Type, seed)!;

    /// <summary>Predict(in Input) through the probe.</summary>
    public float[] PredictTyped(ITrainableNetwork network, float[] x) => (float[])_typed.Invoke(null, [network, x])!;

    /// <summary>The typed ComputeGradients(inputs, labels, Gradients) through the probe.</summary>
    public float ComputeGradientsTyped(ITrainableNetwork network, float[] inputs, float[] labels, float[] gradients) =>
        (float)_typedGradients.Invoke(null, [network, inputs, labels, gradients])!;

    /// <summary>A public const int of the generated class.</summary>
    public int Constant(string name)
    {
        FieldInfo field = Type.GetField(name, BindingFlags.Public | BindingFlags.Static)
            ?? throw new Xunit.Sdk.XunitException($"{Type.Name} has no public constant {name}.");
        Assert.True(field.IsLiteral, $"{Type.Name}.{name} is not a const.");
        return (int)field.GetRawConstantValue()!;
    }

    public string Summary => (string)Type.GetProperty("Summary", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>Replaces the parameters by <paramref name="values"/> and returns them widened to double for the reference.</summary>
    public static double[] SetParameters(ITrainableNetwork network, float[] values)
    {
        Assert.Equal(values.Length, network.Parameters.Length);
        values.CopyTo(network.Parameters);
        return values.Select(value => (double)value).ToArray();
    }

    private static CompiledNetwork Compile(TestArchitecture architecture)
    {
        GeneratorOutput output = GeneratorHarness.Run(architecture.Source(withProbe: true));
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Single(output.Result.GeneratedTrees);
        Assembly assembly = GeneratorHarness.Load(output.Compilation);
        Type type = assembly.GetType(architecture.FullName, throwOnError: true)!;
        Type probe = assembly.GetType(architecture.FullName + "Probe", throwOnError: true)!;
        return new CompiledNetwork(architecture, type, probe, output.Compilation);
    }
}
