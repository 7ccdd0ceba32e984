using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Model;
using NnGen.Generator.Tests.Infrastructure;
using TrackingNames = NnGen.Generator.NnGenerator.TrackingNames;

namespace NnGen.Generator.Tests.Caching;

/// <summary>
/// The incremental pipeline re-runs on a cloned compilation and after edits that do not change the network: every
/// tracked step is Cached or Unchanged and the source output is Cached (not regenerated). Editing a layer does
/// regenerate. No step output holds a symbol, syntax node, location, compilation or semantic model.
/// </summary>
public sealed class CachingTests
{
    private const string NetworkFile = """
        using NnGen;

        namespace Demo;

        [Network(Inputs = 2)]
        [Layer(4, Activation.Tanh)]
        [Layer(1, Activation.Sigmoid)]
        public partial class PlanarNet
        {
            public int Helper()
            {
                return 1;
            }
        }
        """;

    private const string OtherNetworkFile = """
        using NnGen;

        namespace Other;

        [Network(Inputs = 3)]
        [Layer(2, Activation.ReLU)]
        [Layer(2, Activation.Linear)]
        public partial class OtherNet { }
        """;

    private static readonly string[] TrackedSteps = [TrackingNames.Specs, TrackingNames.ValidSpecs];

    public static TheoryData<string> UnrelatedEdits => new(
        nameof(Clone),
        nameof(AddUnrelatedFile),
        nameof(EditMethodBody),
        nameof(AddBlankLinesAbove),
        nameof(EditOtherNetwork));

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void RunTwice_UnrelatedEdit_EveryTrackedStepCachedOrUnchanged(string edit)
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        string before = GeneratedText(driver, "Demo.PlanarNet.g.cs");

        driver = driver.RunGenerators(Apply(edit, compilation));

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var reasons = StepReasons(result, "Demo.PlanarNet");
        Assert.NotEmpty(reasons);
        foreach ((string step, IncrementalStepRunReason reason) in reasons)
        {
            Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"After '{edit}', step {step} of PlanarNet ran with reason {reason}.\nAll: {Describe(reasons)}");
        }

        // The emission step must not re-run for PlanarNet: its source output is cached, and its text is the same.
        Assert.All(SourceOutputReasons(result, "PlanarNet"), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Equal(before, GeneratedText(driver, "Demo.PlanarNet.g.cs"));
    }

    [Fact]
    public void RunTwice_LayerUnitsEdited_SpecsValidSpecsAndSourceModified()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        string before = GeneratedText(driver, "Demo.PlanarNet.g.cs");

        driver = driver.RunGenerators(ReplaceNetworkFile(compilation, NetworkFile.Replace("[Layer(4, Activation.Tanh)]", "[Layer(5, Activation.Tanh)]", StringComparison.Ordinal)));

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var reasons = StepReasons(result, "Demo.PlanarNet");
        foreach (string step in TrackedSteps)
        {
            Assert.True(
                reasons.Any(pair => pair.Step == step && pair.Reason == IncrementalStepRunReason.Modified),
                $"Step {step} of PlanarNet was not Modified after units 4 -> 5.\nAll: {Describe(reasons)}");
        }

        Assert.Contains(IncrementalStepRunReason.Modified, SourceOutputReasons(result, "PlanarNet"));
        string after = GeneratedText(driver, "Demo.PlanarNet.g.cs");
        Assert.NotEqual(before, after);
        Assert.Contains("public const int Layer1Units = 5;", after, StringComparison.Ordinal);

        // The other network, in its own file, keeps an equal spec and is not regenerated.
        Assert.All(StepReasons(result, "Other.OtherNet"), pair => Assert.True(pair.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{pair.Step}={pair.Reason}"));
        Assert.All(SourceOutputReasons(result, "OtherNet"), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void RunTwice_ActivationEdited_SpecsModified()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();

        driver = driver.RunGenerators(ReplaceNetworkFile(compilation, NetworkFile.Replace("Activation.Tanh", "Activation.ReLU", StringComparison.Ordinal)));

        var reasons = StepReasons(driver.GetRunResult().Results.Single(), "Demo.PlanarNet");
        Assert.Contains((TrackingNames.Specs, IncrementalStepRunReason.Modified), reasons);
        Assert.Contains("ActivationKernels.ReLU(", GeneratedText(driver, "Demo.PlanarNet.g.cs"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void TrackedStepOutputs_AnyRun_HoldNoSymbolSyntaxLocationOrCompilation(string edit)
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        AssertModelsClean(driver.GetRunResult().Results.Single(), "first run");

        driver = driver.RunGenerators(Apply(edit, compilation));
        AssertModelsClean(driver.GetRunResult().Results.Single(), $"after '{edit}'");
    }

    [Fact]
    public void ModelWalker_LocationOrSymbolInsideRecordsAndEquatableArray_IsReported()
    {
        // The walker must be able to fail: plant a Location and a symbol where a careless spec would keep them.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("class C { }");
        ISymbol symbol = compilation.GetTypeByMetadataName("C")!;
        var planted = new Holder(
            "name",
            new EquatableArray<Holder>([new Holder("inner", EquatableArray<Holder>.Empty, symbol)]),
            Location.Create("File.cs", default, default));

        IReadOnlyList<string> problems = ModelWalker.FindForbidden(planted, out _);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, problem => problem.Contains("_items[0]", StringComparison.Ordinal) && problem.Contains("Symbol", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("Location", StringComparison.Ordinal));
        Assert.Empty(ModelWalker.FindForbidden(new Holder("clean", EquatableArray<Holder>.Empty, 42), out _));
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) RunOnce()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(NetworkFile, OtherNetworkFile);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorDriverRunResult first = driver.GetRunResult();
        Assert.Empty(first.Diagnostics);
        Assert.Equal(2, first.GeneratedTrees.Length);
        return (driver, compilation);
    }

    private static Compilation Apply(string edit, CSharpCompilation compilation) => edit switch
    {
        nameof(Clone) => Clone(compilation),
        nameof(AddUnrelatedFile) => AddUnrelatedFile(compilation),
        nameof(EditMethodBody) => EditMethodBody(compilation),
        nameof(AddBlankLinesAbove) => AddBlankLinesAbove(compilation),
        nameof(EditOtherNetwork) => EditOtherNetwork(compilation),
        _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, null),
    };

    private static Compilation Clone(CSharpCompilation compilation) => compilation.Clone();

    private static Compilation AddUnrelatedFile(CSharpCompilation compilation) =>
        compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public class Unrelated { public int Value; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));

    private static Compilation EditMethodBody(CSharpCompilation compilation) =>
        ReplaceNetworkFile(compilation, NetworkFile.Replace("return 1;", "return 1 + 2;", StringComparison.Ordinal));

    private static Compilation AddBlankLinesAbove(CSharpCompilation compilation) =>
        ReplaceNetworkFile(compilation, NetworkFile.Replace("[Network(", "\n\n\n[Network(", StringComparison.Ordinal));

    private static Compilation EditOtherNetwork(CSharpCompilation compilation)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source1.cs");
        string text = OtherNetworkFile.Replace("[Layer(2, Activation.ReLU)]", "[Layer(3, Activation.ReLU)]", StringComparison.Ordinal);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: old.FilePath));
    }

    private static CSharpCompilation ReplaceNetworkFile(CSharpCompilation compilation, string text)
    {
        Assert.NotEqual(NetworkFile, text);
        SyntaxTree old = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source0.cs");
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: old.FilePath));
    }

    /// <summary>(step, reason) of every tracked output whose spec is the network <paramref name="fullName"/>.</summary>
    private static List<(string Step, IncrementalStepRunReason Reason)> StepReasons(GeneratorRunResult result, string fullName)
    {
        var reasons = new List<(string, IncrementalStepRunReason)>();
        foreach (string name in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"No tracked step named {name}; tracked: {string.Join(", ", result.TrackedSteps.Keys)}");
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs)
                {
                    if (SpecOf(value) is { } spec && (spec.Namespace + "." + spec.Name) == fullName)
                    {
                        reasons.Add((name, reason));
                    }
                }
            }
        }

        return reasons;
    }

    /// <summary>Reasons of the source-output steps whose input is the network named <paramref name="name"/>.</summary>
    private static List<IncrementalStepRunReason> SourceOutputReasons(GeneratorRunResult result, string name)
    {
        var reasons = result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]
            .Where(step => step.Inputs.Any(input => SpecOf(input.Source.Outputs[input.OutputIndex].Value) is { } spec && spec.Name == name))
            .SelectMany(step => step.Outputs.Select(output => output.Reason))
            .ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    // Steps carry the spec alone, inside a target (spec + what to emit), or paired with the hint-name map.
    private static NetworkSpec? SpecOf(object? value) => value switch
    {
        NetworkSpec spec => spec,
        NetworkTarget target => target.Spec,
        (NetworkTarget target, HintNameMap) => target.Spec,
        _ => null,
    };

    private static void AssertModelsClean(GeneratorRunResult result, string when)
    {
        int specs = 0;
        var problems = new List<string>();
        foreach (string name in TrackedSteps)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach ((object value, _) in step.Outputs)
                {
                    specs += SpecOf(value) is not null ? 1 : 0;
                    problems.AddRange(ModelWalker.FindForbidden(value, out _).Select(problem => $"{name}: {problem}"));
                }
            }
        }

        Assert.True(specs >= 2 * TrackedSteps.Length, $"Expected both networks' specs in every tracked step ({when}), found {specs}.");
        Assert.True(problems.Count == 0, $"Pipeline models hold Roslyn objects ({when}):\n" + string.Join("\n", problems));
    }

    private static string GeneratedText(GeneratorDriver driver, string hintName) =>
        driver.GetRunResult().Results.Single().GeneratedSources.Single(source => source.HintName == hintName).SourceText.ToString();

    private static string Describe(IEnumerable<(string Step, IncrementalStepRunReason Reason)> reasons) =>
        string.Join(", ", reasons.Select(pair => $"{pair.Step}={pair.Reason}"));

    /// <summary>A stand-in for a spec with a collection and an untyped payload.</summary>
    private sealed record Holder(string Name, EquatableArray<Holder> Children, object Payload);
}
