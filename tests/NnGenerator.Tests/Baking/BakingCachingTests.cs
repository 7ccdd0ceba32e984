using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Model;
using NnGen.Generator.Tests.Infrastructure;
using TrackingNames = NnGen.Generator.NnGenerator.TrackingNames;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// Editing the Weights file regenerates the network; editing an unrelated AdditionalFile, another network's weights
/// file or an unrelated syntax tree leaves every step of the network Cached or Unchanged and its output cached.
/// </summary>
public sealed class BakingCachingTests
{
    private const string Path = "/app/planar.safetensors";

    private static readonly string[] NetworkSteps = [TrackingNames.Specs, TrackingNames.ValidSpecs, TrackingNames.WeightsMatched, TrackingNames.BakedTargets];

    [Fact]
    public void EditWeightsFile_RegeneratesTheNetwork()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce(out AdditionalText weights, out _);
        string before = Generated(driver);

        float[] changed = BakingHarness.SomePlanarParameters();
        changed[0] = 42f;
        driver = driver.ReplaceAdditionalText(weights, BakingHarness.Encoded(Path, BakingHarness.PlanarFile(changed))).RunGenerators(compilation);

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Contains((TrackingNames.BakedTargets, IncrementalStepRunReason.Modified), Reasons(result));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result));
        string after = Generated(driver);
        Assert.NotEqual(before, after);
        Assert.Contains("0x00, 0x00, 0x28, 0x42,", after, StringComparison.Ordinal);
    }

    public static TheoryData<string> UnrelatedEdits => new("AdditionalText", "OtherWeights", "SyntaxTree", "Clone");

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void UnrelatedEdit_NetworkStepsCachedOrUnchanged(string edit)
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce(out _, out AdditionalText notes);
        string before = Generated(driver);

        driver = edit switch
        {
            "AdditionalText" => driver.ReplaceAdditionalText(notes, BakingHarness.Text("/app/notes.txt", "edited")).RunGenerators(compilation),
            "OtherWeights" => driver.AddAdditionalTexts([BakingHarness.Encoded("/app/other.safetensors", BakingHarness.PlanarFile(new float[17]))]).RunGenerators(compilation),
            "SyntaxTree" => driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public class Unrelated { }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"))),
            _ => driver.RunGenerators(compilation.Clone()),
        };

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var reasons = Reasons(result);
        Assert.Equal(NetworkSteps.Length, reasons.Select(pair => pair.Step).Distinct().Count());
        Assert.All(reasons, pair => Assert.True(pair.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"after {edit}: {pair.Step} = {pair.Reason}"));
        Assert.All(OutputReasons(result), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Equal(before, Generated(driver));
    }

    private static (GeneratorDriver, CSharpCompilation) RunOnce(out AdditionalText weights, out AdditionalText notes)
    {
        weights = BakingHarness.Encoded(Path, BakingHarness.PlanarFile(BakingHarness.SomePlanarParameters()));
        notes = BakingHarness.Text("/app/notes.txt", "notes");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(BakingHarness.PlanarSource("planar.safetensors"));
        GeneratorDriver driver = BakingHarness.CreateDriver(weights, notes).RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        return (driver, compilation);
    }

    private static string Generated(GeneratorDriver driver) => driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();

    private static List<(string Step, IncrementalStepRunReason Reason)> Reasons(GeneratorRunResult result)
    {
        var reasons = new List<(string, IncrementalStepRunReason)>();
        foreach (string name in NetworkSteps)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                reasons.AddRange(step.Outputs.Where(output => TargetOf(output.Value) is not null).Select(output => (name, output.Reason)));
            }
        }

        return reasons;
    }

    private static List<IncrementalStepRunReason> OutputReasons(GeneratorRunResult result) =>
        result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]
            .Where(step => step.Inputs.Any(input => input.Source.Outputs[input.OutputIndex].Value is (NetworkTarget, HintNameMap)))
            .SelectMany(step => step.Outputs.Select(output => output.Reason))
            .ToList();

    private static object? TargetOf(object? value) => value switch
    {
        NetworkTarget target => target,
        ValueTuple<NetworkTarget, NnGen.Generator.Baking.BakeInput?> pair => pair.Item1,
        _ => null,
    };
}
