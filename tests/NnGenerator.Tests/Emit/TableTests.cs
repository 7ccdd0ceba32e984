using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Emit;
using NnGen.Generator.Model;
using NnGen.Generator.Tests.CompileAndRun;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Emit;

/// <summary>
/// The generator's three tables against the real things: <see cref="RuntimeNames"/> against NnRuntime and the framework,
/// <see cref="GeneratedNames"/> against compiled generated code, and <see cref="ActivationTable"/> against the runtime's
/// <see cref="Activation"/> enum.
/// </summary>
public sealed class TableTests
{
    private static readonly Assembly Runtime = typeof(NetworkAttribute).Assembly;

    public static TheoryData<string, string> RuntimeNameRows
    {
        get
        {
            var rows = new TheoryData<string, string>();
            foreach ((string name, string value) in Constants(typeof(RuntimeNames)).Where(pair => pair.Value.StartsWith("global::", StringComparison.Ordinal)))
            {
                rows.Add(name, value);
            }

            return rows;
        }
    }

    [Fact]
    public void RuntimeNames_Table_CoversEveryKernelFamily()
    {
        Assert.True(RuntimeNameRows.Count() >= 60, $"Expected the runtime names written into generated code, found {RuntimeNameRows.Count()}.");
    }

    [Theory]
    [MemberData(nameof(RuntimeNameRows))]
    public void RuntimeNames_EachEntry_NamesAPublicTypeOrMember(string field, string value)
    {
        string name = value["global::".Length..];
        if (name.StartsWith("NnGen.", StringComparison.Ordinal))
        {
            // NnRuntime, by reflection: the type, or the type and one public static member of it.
            Type? type = Runtime.GetType(name);
            if (type is null)
            {
                int dot = name.LastIndexOf('.');
                type = Runtime.GetType(name[..dot]);
                Assert.True(type is not null, $"RuntimeNames.{field} = \"{value}\": no type {name[..dot]} or {name} in {Runtime.GetName().Name}.");
                MemberInfo[] members = type!.GetMember(name[(dot + 1)..], BindingFlags.Public | BindingFlags.Static);
                Assert.True(members.Length > 0, $"RuntimeNames.{field} = \"{value}\": {type.FullName} has no public static member {name[(dot + 1)..]}.");
            }

            Assert.True(type.IsPublic || type.IsNestedPublic, $"RuntimeNames.{field} = \"{value}\" is not public.");
            return;
        }

        // The framework, resolved the way generated code is: by a compilation that references it.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation();
        int generic = name.IndexOf('<', StringComparison.Ordinal);
        string metadata = generic >= 0 ? name[..generic] + "`" + (name[generic..].Count(c => c == ',') + 1) : name;
        INamedTypeSymbol? resolved = compilation.GetTypeByMetadataName(metadata) ?? compilation.GetTypeByMetadataName(metadata + "Attribute");
        if (resolved is null && generic < 0)
        {
            int dot = metadata.LastIndexOf('.');
            INamedTypeSymbol? owner = compilation.GetTypeByMetadataName(metadata[..dot]);
            Assert.True(owner is not null, $"RuntimeNames.{field} = \"{value}\" names no type the generated code can see.");
            Assert.Contains(owner!.GetMembers(metadata[(dot + 1)..]), member => member.DeclaredAccessibility == Accessibility.Public);
            return;
        }

        Assert.True(resolved is not null, $"RuntimeNames.{field} = \"{value}\" names no type the generated code can see.");
        Assert.Equal(Accessibility.Public, resolved!.DeclaredAccessibility);
    }

    [Fact]
    public void GeneratedNames_EachMemberAndParameter_ExistsInCompiledGeneratedCode()
    {
        Type network = CompiledNetwork.For(TestArchitecture.MultiOutputSigmoid).Type;
        var names = Constants(typeof(GeneratedNames)).ToDictionary(pair => pair.Field, pair => pair.Value);
        string[] members = [GeneratedNames.InputSize, GeneratedNames.OutputSize, GeneratedNames.LayerCount, GeneratedNames.Parameters];
        string[] methods = [GeneratedNames.Predict, GeneratedNames.PredictBatch, GeneratedNames.ComputeGradients, GeneratedNames.Fit, GeneratedNames.Evaluate, GeneratedNames.GradientCheck];
        string[] parameters = [GeneratedNames.X, GeneratedNames.Y, GeneratedNames.Inputs, GeneratedNames.Outputs, GeneratedNames.Labels];
        string[] aliases = [GeneratedNames.Vec128, GeneratedNames.Vec512, GeneratedNames.Vec512D, GeneratedNames.Vec, GeneratedNames.VecD];
        string[] baked = [GeneratedNames.BakedParameters, GeneratedNames.ResetToBakedWeights, GeneratedNames.BakedExtra, GeneratedNames.BakedStandardizer];
        string[] streaming = [GeneratedNames.Step, GeneratedNames.Process, GeneratedNames.Input, GeneratedNames.Output];
        Assert.Equal(names.Count, members.Length + methods.Length + parameters.Length + aliases.Length + baked.Length + streaming.Length + 4);
        Type? frozen = network.GetNestedType(GeneratedNames.Frozen);
        Assert.NotNull(frozen);
        Assert.Equal(frozen, network.GetMethod(GeneratedNames.Freeze)!.ReturnType);
        Assert.NotNull(network.GetField(GeneratedNames.WeightRanges, BindingFlags.NonPublic | BindingFlags.Static));

        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;
        foreach (string member in members.Concat(methods))
        {
            Assert.True(network.GetMember(member, Public).Length > 0, $"Generated {network.Name} has no public member {member}.");
        }

        for (int l = 1; l <= 3; l++)
        {
            Assert.NotNull(network.GetProperty(GeneratedNames.WeightPrefix + l, Public));
        }

        var parameterNames = methods.SelectMany(method => network.GetMethods().Where(info => info.Name == method)).SelectMany(info => info.GetParameters()).Select(parameter => parameter.Name).ToHashSet();
        Assert.All(parameters, parameter => Assert.Contains(parameter, parameterNames));
        MethodInfo predict = network.GetMethods().Single(info => info.Name == GeneratedNames.Predict && info.GetParameters().Length == 2);
        Assert.Equal([GeneratedNames.X, GeneratedNames.Y], predict.GetParameters().Select(parameter => parameter.Name));
        MethodInfo batch = network.GetMethod(GeneratedNames.PredictBatch)!;
        Assert.Equal([GeneratedNames.Inputs, GeneratedNames.Outputs], batch.GetParameters().Select(parameter => parameter.Name));

        // A recurrent network's streaming methods, with the parameter names the usage analyzer checks.
        Type recurrent = GeneratorHarness.Load(GeneratorHarness.Run(
            "using NnGen;\nnamespace Demo;\n[Network(Inputs = 1)]\n[Lstm(2)]\n[Dense(1, Activation.Linear)]\npublic partial class Streamed { }\n").Compilation)
            .GetType("Demo.Streamed", throwOnError: true)!;
        MethodInfo step = recurrent.GetMethods().Single(info => info.Name == GeneratedNames.Step && info.GetParameters().Length == 3);
        Assert.Equal([GeneratedNames.X, GeneratedNames.Y, "state"], step.GetParameters().Select(parameter => parameter.Name));
        MethodInfo process = recurrent.GetMethod(GeneratedNames.Process)!;
        Assert.Equal([GeneratedNames.Input, GeneratedNames.Output, "state"], process.GetParameters().Select(parameter => parameter.Name));

        // A tiny network with unrolled tanh layers declares every vector alias.
        string source = CompiledNetwork.For(TestArchitecture.MultiOutputSigmoid).Compilation.SyntaxTrees.Single(GeneratorHarness.IsGenerated).ToString();
        Assert.All(aliases, alias => Assert.Contains($"using {alias} = ", source, StringComparison.Ordinal));
    }

    [Fact]
    public void ActivationTable_EveryRuntimeActivation_HasItsOwnRow()
    {
        Activation[] runtime = Enum.GetValues<Activation>();
        Assert.Equal(runtime.Length, ActivationTable.All.Length);
        foreach (Activation activation in runtime)
        {
            ActivationRow row = ActivationTable.Of((ActivationKind)activation);
            Assert.Equal(activation.ToString(), row.Kind.ToString());
            Assert.False(string.IsNullOrEmpty(row.Prose), $"{activation} has no prose.");
        }
    }

    private static IEnumerable<(string Field, string Value)> Constants(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (field.Name, (string)field.GetRawConstantValue()!));
}
