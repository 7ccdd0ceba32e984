using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Emit;

/// <summary>
/// The generated code builds with no warning at all: compiler warnings of every warning wave, nullable warnings,
/// CS1591 for any undocumented generated public member, and NnGen's own analyzer diagnostics.
/// </summary>
public sealed class CleanBuildTests
{
    /// <summary>Analyzer warnings the user's declaration deserves (not the generated code): they must fire, and only they.</summary>
    private static readonly Dictionary<string, string[]> ExpectedUserWarnings = new(StringComparer.Ordinal)
    {
        // Sigmoid output with an explicit MSE: NnGen advises cross-entropy. The network is still generated and must build.
        [TestArchitecture.SigmoidMse.Name] = ["NNG0013"],
        // Cross-entropy after a ReLU output: NnGen warns that it needs outputs in (0, 1).
        [TestArchitecture.BceReLUOutput.Name] = ["NNG0013"],
        ["AllCatalogueNetworksTogether"] = ["NNG0013"],
    };

    public static TheoryData<string> Scenarios => new(EmitScenarios.All.Keys);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void GeneratedCode_Scenario_BuildsWithNoWarningsOrErrors(string scenario)
    {
        (string[] sources, int files) = EmitScenarios.All[scenario];
        GeneratorOutput output = GeneratorHarness.Run(sources);
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Equal(files, output.Result.GeneratedTrees.Length);

        // Warning level 9999 turns on every warning wave (lower-case type names, etc.), as new SDK projects do.
        Compilation strict = output.Compilation.WithOptions(((CSharpCompilationOptions)output.Compilation.Options).WithWarningLevel(9999));
        ImmutableArray<Diagnostic> all = GeneratorHarness.BuildProblems(strict);
        string[] expected = ExpectedUserWarnings.GetValueOrDefault(scenario, []);
        var advice = all.Where(diagnostic => expected.Contains(diagnostic.Id) && !GeneratorHarness.IsGenerated(diagnostic.Location.SourceTree)).ToList();
        Assert.Equal(expected, advice.Select(diagnostic => diagnostic.Id).Distinct().Order(StringComparer.Ordinal));
        ImmutableArray<Diagnostic> problems = all.RemoveRange(advice);
        Assert.True(problems.IsEmpty, "The generated code does not build cleanly:\n" + GeneratorHarness.Describe(problems, strict));

        EmitResult emitted = strict.Emit(Stream.Null);
        Assert.True(emitted.Success, "Emit failed:\n" + GeneratorHarness.Describe(emitted.Diagnostics, strict));
    }
}
