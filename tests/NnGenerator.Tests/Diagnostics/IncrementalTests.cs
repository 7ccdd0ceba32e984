using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 4's incremental guarantees, seen from the user's keyboard: typing elsewhere, or inside the network's own
/// method bodies, does not regenerate the network; editing a [Layer] does. (Generic caching checks, like cloned
/// compilations and symbol-free models, live in the Caching folder.)
/// </summary>
public sealed class IncrementalTests
{
    private const string Network =
        "using NnGen;\nnamespace Demo;\n[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class PlanarNet\n{\n    /// <summary>Doc.</summary>\n    public int Helper() => 1;\n}\n";

    private const string Other = "namespace Demo;\n/// <summary>Doc.</summary>\npublic static class Other\n{\n    /// <summary>Doc.</summary>\n    public static int Value() => 1;\n}\n";

    [Fact]
    public void TypingInAnUnrelatedFile_DoesNotRegenerate()
    {
        (GeneratorDriverRunResult result, _) = Edit(1, Other.Replace("=> 1;", "=> 1 + 2 + 3;", System.StringComparison.Ordinal));
        AssertNotRegenerated(result);
    }

    [Fact]
    public void TypingInAMethodBodyOfTheNetwork_DoesNotRegenerate()
    {
        (GeneratorDriverRunResult result, _) = Edit(0, Network.Replace("public int Helper() => 1;", "public int Helper()\n    {\n        int x = 40;\n        return x + 2;\n    }", System.StringComparison.Ordinal));
        AssertNotRegenerated(result);
        Assert.All(Reasons(result, NnGenerator.TrackingNames.Specs), reason => Assert.Equal(IncrementalStepRunReason.Unchanged, reason));
    }

    [Fact]
    public void MovingTheNetworkDown_DoesNotRegenerate()
    {
        (GeneratorDriverRunResult result, _) = Edit(0, Network.Replace("namespace Demo;\n", "namespace Demo;\n\n// A comment that moves every location.\n\n", System.StringComparison.Ordinal));
        AssertNotRegenerated(result);
    }

    [Fact]
    public void EditingALayer_Regenerates()
    {
        (GeneratorDriverRunResult result, string before) = Edit(0, Network.Replace("[Layer(4, Activation.Tanh)]", "[Layer(5, Activation.Tanh)]", System.StringComparison.Ordinal));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NnGenerator.TrackingNames.ValidSpecs));
        Assert.Contains(IncrementalStepRunReason.Modified, SourceOutputReasons(result));
        Assert.NotEqual(before, result.GeneratedTrees.Single().GetText().ToString());
        Assert.Contains("Layer1Units = 5", result.GeneratedTrees.Single().GetText().ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void EditingALayerIntoAnError_ReplacesTheNetworkByItsThrowingSurface()
    {
        (GeneratorDriverRunResult result, string before) = Edit(0, Network.Replace("[Layer(4, Activation.Tanh)]", "[Layer(0, Activation.Tanh)]", System.StringComparison.Ordinal));
        string after = result.GeneratedTrees.Single().GetText().ToString();
        Assert.Contains("ForwardSingle", before, System.StringComparison.Ordinal);
        Assert.DoesNotContain("ForwardSingle", after, System.StringComparison.Ordinal);
        Assert.Contains("NNG0004", after, System.StringComparison.Ordinal);
    }

    /// <summary>Runs on (Network, Other), replaces tree <paramref name="index"/> by <paramref name="text"/>, runs again.</summary>
    private static (GeneratorDriverRunResult Result, string Before) Edit(int index, string text)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Network, Other);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        string before = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();

        SyntaxTree old = compilation.SyntaxTrees.ElementAt(index);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text)));
        driver = driver.RunGenerators(edited);
        return (driver.GetRunResult(), before);
    }

    private static void AssertNotRegenerated(GeneratorDriverRunResult result)
    {
        Assert.Single(result.GeneratedTrees);
        Assert.All(Reasons(result, NnGenerator.TrackingNames.ValidSpecs), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        IReadOnlyList<IncrementalStepRunReason> output = SourceOutputReasons(result);
        Assert.NotEmpty(output);
        Assert.All(output, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
    }

    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results.Single().TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToList();

    private static IReadOnlyList<IncrementalStepRunReason> SourceOutputReasons(GeneratorDriverRunResult result) =>
        result.Results.Single().TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(run => run.Outputs).Select(output => output.Reason).ToList();
}
