using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Runs the generator and then every NnGen analyzer on the result, as a build does, and checks diagnostics written as
/// markup: <c>[|…|]</c> marks the span where the single expected diagnostic must be. Everything the user would see
/// (compiler and analyzer diagnostics from Info up) is compared, so a cascade of CS errors fails the test.
/// </summary>
internal static class DiagnosticVerifier
{
    public const string Usings = "using System;\nusing NnGen;\n\nnamespace Demo;\n\n";

    /// <summary>Every analyzer in the generator assembly, found by reflection so a new one is covered automatically.</summary>
    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(NnGenerator).Assembly.GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract)
        .OrderBy(type => type.FullName, StringComparer.Ordinal)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    /// <summary>The generator's run and what the user sees afterwards.</summary>
    public static (GeneratorOutput Output, ImmutableArray<Diagnostic> Diagnostics) Run(string source)
    {
        GeneratorOutput output = GeneratorHarness.Run(source);
        return (output, Visible(output.Compilation));
    }

    /// <summary>Compiler and NnGen diagnostics of severity Info and up, without CS1591 on the test's own undocumented code.</summary>
    public static ImmutableArray<Diagnostic> Visible(Compilation compilation)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => throw new InvalidOperationException(analyzer + " threw", exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        return compilation.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Info)
            .Where(diagnostic => diagnostic.Id != "CS1591" || GeneratorHarness.IsGenerated(diagnostic.Location.SourceTree))
            .OrderBy(diagnostic => diagnostic.Location.SourceSpan.Start)
            .ThenBy(diagnostic => diagnostic.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    /// <summary>
    /// Asserts that <paramref name="markup"/> (after <see cref="Usings"/>) produces exactly the listed diagnostics, one per
    /// <c>[|…|]</c> span in source order, and nothing else. Returns the generator output for further checks.
    /// </summary>
    public static GeneratorOutput Verify(string markup, params Expected[] expected)
    {
        (string source, ImmutableArray<TextSpan> spans) = ParseMarkup(Usings + markup);
        Assert.Equal(expected.Length, spans.Length);
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(source);
        string all = GeneratorHarness.Describe(diagnostics, output.Compilation);
        Assert.True(expected.Length == diagnostics.Length, $"Expected {expected.Length} diagnostics, got {diagnostics.Length}:\n{all}");

        SourceText text = SourceText.From(source);
        for (int i = 0; i < expected.Length; i++)
        {
            Diagnostic actual = diagnostics[i];
            Assert.Equal(expected[i].Id, actual.Id);
            Assert.Equal(expected[i].Severity, actual.Severity);
            Assert.Equal(expected[i].Message, actual.GetMessage(CultureInfo.InvariantCulture));
            Assert.Equal("Source0.cs", actual.Location.SourceTree?.FilePath);
            Assert.Equal(text.Lines.GetLinePositionSpan(spans[i]), actual.Location.GetLineSpan().Span);
            Assert.Equal(spans[i], actual.Location.SourceSpan);
            if (actual.Id.StartsWith("NNG", StringComparison.Ordinal))
            {
                Assert.Equal("https://github.com/nngen/NnGen/blob/main/docs/diagnostics.md#" + actual.Id.ToLowerInvariant(), actual.Descriptor.HelpLinkUri);
            }
        }

        return output;
    }

    /// <summary>Asserts that <paramref name="source"/> (after <see cref="Usings"/>) builds with no diagnostic at all, and generates.</summary>
    public static GeneratorOutput VerifyClean(string source)
    {
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(Usings + source);
        Assert.True(diagnostics.IsEmpty, "Expected no diagnostics:\n" + GeneratorHarness.Describe(diagnostics, output.Compilation));
        Assert.NotEmpty(output.Result.GeneratedTrees);
        return output;
    }

    /// <summary>Removes every <c>[|</c> and <c>|]</c> and returns the spans they enclosed, in the unmarked text.</summary>
    public static (string Source, ImmutableArray<TextSpan> Spans) ParseMarkup(string markup)
    {
        var spans = ImmutableArray.CreateBuilder<TextSpan>();
        var source = new System.Text.StringBuilder(markup.Length);
        int start = -1;
        for (int i = 0; i < markup.Length; i++)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0)
            {
                start = source.Length;
                i++;
            }
            else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0)
            {
                spans.Add(TextSpan.FromBounds(start, source.Length));
                i++;
            }
            else
            {
                source.Append(markup[i]);
            }
        }

        return (source.ToString(), spans.ToImmutable());
    }
}

/// <summary>One expected diagnostic; its location comes from the markup.</summary>
internal sealed record Expected(string Id, DiagnosticSeverity Severity, string Message)
{
    public static Expected Error(string id, string message) => new(id, DiagnosticSeverity.Error, message);

    public static Expected Warning(string id, string message) => new(id, DiagnosticSeverity.Warning, message);

    public static Expected Info(string id, string message) => new(id, DiagnosticSeverity.Info, message);
}
