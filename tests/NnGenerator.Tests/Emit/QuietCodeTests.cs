using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Emit;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Emit;

/// <summary>
/// Generated code reads like hand-written code: plain names through using directives (qualified only where the user's
/// code gives a name another meaning), lines within <see cref="LineWrapper.Width"/> columns, derivative comments that
/// name their layer.
/// </summary>
public sealed class QuietCodeTests
{
    private static readonly string BaselineDirectory = Path.Combine(Repository.Root(), "tests", "NnGenerator.Tests", "Snapshots", "Baselines");

    public static TheoryData<string> Baselines =>
        new(Directory.EnumerateFiles(BaselineDirectory, "*.txt", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(BaselineDirectory, path))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Baselines))]
    public void Baseline_QualifiedNames_OnlyInUsingDirectives(string baseline)
    {
        string[] qualified = Lines(baseline)
            .Where(line => line.Contains("global::", StringComparison.Ordinal) && !line.TrimStart().StartsWith("using ", StringComparison.Ordinal))
            .ToArray();
        Assert.True(qualified.Length == 0, $"{baseline}: {qualified.Length} lines still qualify names, first: {qualified.FirstOrDefault()}");
    }

    [Theory]
    [MemberData(nameof(Baselines))]
    public void Baseline_Lines_WithinTheWidthUnlessOneStringLiteral(string baseline)
    {
        string[] longLines = Lines(baseline).Where(line => line.Length > LineWrapper.Width && !line.Contains('"', StringComparison.Ordinal)).ToArray();
        Assert.True(longLines.Length == 0, $"{baseline}: {longLines.Length} lines over {LineWrapper.Width} characters, first: {longLines.FirstOrDefault()}");
    }

    [Theory]
    [MemberData(nameof(Baselines))]
    public void Baseline_DerivativeComments_NameTheLayersActivations(string baseline)
    {
        foreach (string line in Lines(baseline).Where(line => line.TrimStart().StartsWith("//", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("(1 - A²)", line, StringComparison.Ordinal);
            Assert.DoesNotContain("A(1 - A)", line, StringComparison.Ordinal);
            Match match = Regex.Match(line, @"dZ(\d+) = dA(\d+) \* \(?A(\d+)");
            if (match.Success)
            {
                Assert.True(match.Groups[1].Value == match.Groups[3].Value, $"{baseline}: '{line.Trim()}' differentiates another layer's activations.");
            }
        }
    }

    [Fact]
    public void ShadowingNames_NamesTheUserGaveAnotherMeaning_StayQualified()
    {
        GeneratorOutput output = GeneratorHarness.Run(EmitScenarios.ShadowingNames);
        string source = output.Result.GeneratedTrees.Single(tree => tree.FilePath.Contains("Company.System.ShadowNet", StringComparison.Ordinal)).GetText().ToString();

        // Types of the user's namespace, nested types and members of the class and of its base class.
        Assert.Contains("global::System.Span<float>", source, StringComparison.Ordinal);
        Assert.Contains("global::System.ReadOnlySpan<float>", source, StringComparison.Ordinal);
        Assert.Contains("global::System.Runtime.Intrinsics.Vector512.", source, StringComparison.Ordinal);
        Assert.Contains("global::System.Runtime.InteropServices.MemoryMarshal.GetReference", source, StringComparison.Ordinal);
        Assert.Contains("global::NnGen.Kernels.TinyKernels.", source, StringComparison.Ordinal);
        Assert.Contains("global::NnGen.Kernels.VectorMath.", source, StringComparison.Ordinal);
        Assert.Contains("global::NnGen.Guard.", source, StringComparison.Ordinal);

        // Everything else stays plain.
        Assert.Matches(@"\n\s+ExampleSum ", source);
        Assert.Contains("using global::NnGen.Kernels;", source, StringComparison.Ordinal);
        Assert.DoesNotContain("global::NnGen.Kernels.ExampleSum", source, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalUsingShadows_NamesAGlobalUsingImports_StayQualified()
    {
        GeneratorOutput output = GeneratorHarness.Run(EmitScenarios.GlobalUsingShadows);
        string source = output.SingleSource;

        Assert.Contains("global::System.Runtime.Intrinsics.Vector512.", source, StringComparison.Ordinal);
        Assert.Contains("global::NnGen.Trainer.", source, StringComparison.Ordinal);
        Assert.Contains("global::System.Runtime.InteropServices.MemoryMarshal.GetReference", source, StringComparison.Ordinal);
        Assert.Contains("\nusing global::System;\n", source, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.BuildProblems(output.Compilation));
    }

    [Fact]
    public void ImportedNames_EachType_IsPublicInTheNamespaceItIsImportedFrom()
    {
        Compilation compilation = GeneratorHarness.CreateCompilation();
        var missing = new List<string>();
        foreach ((string ns, string name) in ImportedNames.All)
        {
            bool found = new[] { name, name + "Attribute", name + "`1" }.Any(candidate =>
                    compilation.GetTypeByMetadataName(ns + "." + candidate) is { DeclaredAccessibility: Accessibility.Public });
            if (!found)
            {
                missing.Add(ns + "." + name);
            }
        }

        Assert.True(ImportedNames.All.Count() >= 40, $"Expected the table to hold the runtime's and framework's types, found {ImportedNames.All.Count()}.");
        Assert.Empty(missing);
    }

    [Fact]
    public void LineWrapper_Code_BreaksAfterCommasAndBeforePlusNeverInsideALiteral()
    {
        string literal = "\"" + string.Join(", ", Enumerable.Repeat("a + b", 30)) + "\"";
        string code = "        Call(" + literal + ", " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"argument{i}")) + ");";

        string[] lines = LineWrapper.Wrap(code).Split('\n');

        Assert.True(lines.Length > 1);
        Assert.StartsWith("        Call(" + literal + ",", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), line => Assert.True(line.Length <= LineWrapper.Width && line.StartsWith("            argument", StringComparison.Ordinal), line));
        Assert.Equal(code.Replace(" ", string.Empty, StringComparison.Ordinal), string.Concat(lines).Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void LineWrapper_DocComment_BreaksBetweenWordsNeverInsideATag()
    {
        string doc = "    /// <summary>" + string.Join(" ", Enumerable.Repeat("word", 20)) + " <see cref=\"Fit(ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)\"/> " +
            string.Join(" ", Enumerable.Repeat("more", 20)) + "</summary>";

        string[] lines = LineWrapper.Wrap(doc).Split('\n');

        Assert.True(lines.Length > 1);
        Assert.All(lines, line => Assert.StartsWith("    /// ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("<see cref=\"Fit(ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)\"/>", StringComparison.Ordinal));
    }

    private static string[] Lines(string baseline) => File.ReadAllLines(Path.Combine(BaselineDirectory, baseline));
}
