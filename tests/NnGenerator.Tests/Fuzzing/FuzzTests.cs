using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using NnGen.Generator.Tests.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Declarations from <see cref="DeclarationFuzzer"/> through the generator, both analyzers and the compiler. A case fails on
/// a crash (an exception, CS8784/CS8785, AD0001, NNG0023), nondeterminism (two runs differ in generated text or NNG
/// diagnostics), accepted-but-uncompilable output (a warning or error inside generated code, or a compiler error in the
/// user's code at a place where the same compilation without the generator's output has none: the generator may only
/// remove the user's errors about missing members, never add errors), a cascade (the same, when the user's code already
/// had errors: a broken declaration must get no code or the throwing surface), or a silent drop (a [Network] class that gets no
/// generated code and has no error anywhere in its declaration). Run a larger corpus with NNGEN_FUZZ_CASES and
/// NNGEN_FUZZ_SEED (see README.md beside this file).
/// </summary>
public sealed class FuzzTests
{
    private const int DefaultSeed = 20261128;
    private const int DefaultCases = 800;

    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false);

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void GeneratedDeclarations_NeverCrash_AreDeterministic_CompileWhenAccepted_AndAreNeverDroppedSilently()
    {
        int seed = EnvironmentInt("NNGEN_FUZZ_SEED", DefaultSeed);
        int cases = EnvironmentInt("NNGEN_FUZZ_CASES", DefaultCases);
        var failures = new ConcurrentBag<(int Index, string Kind, string Text)>();
        var durations = new ConcurrentBag<(int Index, double Milliseconds)>();
        int generated = 0, surfaces = 0, nngErrors = 0;
        var stopwatch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

        Parallel.For(0, cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index =>
        {
            (string[] sources, string shape) = DeclarationFuzzer.Generate(seed, index);
            var caseWatch = Stopwatch.StartNew();
            try
            {
                Outcome first = Run(sources);
                Outcome second = Run(sources, judge: false);
                foreach ((string kind, string problem) in first.Problems)
                {
                    failures.Add((index, kind, Describe(seed, index, shape, sources, problem)));
                }

                if (first.Generated != second.Generated || first.NngDiagnostics != second.NngDiagnostics)
                {
                    failures.Add((index, "nondeterministic", Describe(seed, index, shape, sources, "two runs differ:\n" + first.NngDiagnostics + "\n---\n" + second.NngDiagnostics)));
                }

                Interlocked.Add(ref generated, first.NetworkFiles);
                Interlocked.Add(ref surfaces, first.SurfaceFiles);
                Interlocked.Add(ref nngErrors, first.NngErrorCount);
            }
            catch (Exception exception)
            {
                failures.Add((index, "crash", Describe(seed, index, shape, sources, exception.ToString())));
            }

            durations.Add((index, caseWatch.Elapsed.TotalMilliseconds));
        });

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        (int slowIndex, double slowMs) = durations.OrderByDescending(duration => duration.Milliseconds).First();
        // Cases, not problems: one broken case can report a problem per line of its generated file.
        string Count(string kind) => failures.Where(failure => failure.Kind == kind).Select(failure => failure.Index).Distinct().Count().ToString(CultureInfo.InvariantCulture);
        string summary =
            $"{cases} cases (seed {seed}) in {stopwatch.Elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU on {Environment.ProcessorCount} cores; " +
            $"network files {generated}, surface files {surfaces}, NNG errors {nngErrors}; " +
            $"crashes {Count("crash")}, nondeterministic {Count("nondeterministic")}, uncompilable {Count("uncompilable")}, cascades {Count("cascade")}, silent drops {Count("silent drop")}; " +
            $"slowest case {slowIndex} ({slowMs:F0} ms: {DeclarationFuzzer.Generate(seed, slowIndex).Shape})";
        _output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("NNGEN_FUZZ_REPORT") is { Length: > 0 } report)
        {
            File.WriteAllText(report, summary + "\n\n" + string.Join("\n\n", failures.OrderBy(failure => failure.Index).Select(failure => failure.Kind + ": " + failure.Text)));
        }

        Assert.True(failures.IsEmpty, summary + "\n\n" + string.Join("\n\n", failures.OrderBy(failure => failure.Index).Take(5).Select(failure => failure.Kind + ": " + failure.Text)));
    }

    /// <summary>The AdditionalFile the grammar's Weights arguments name: a 2-4-1 planar network's weights, as NnGen.targets passes them on.</summary>
    private static readonly Lazy<AdditionalText> PlanarWeights = new(() =>
        Baking.BakingHarness.Encoded("/fuzz/planar.safetensors", Baking.BakingHarness.PlanarFile(Baking.BakingHarness.SomePlanarParameters())));

    internal static Outcome RunCase(string[] sources) => Run(sources);

    /// <summary>One run; with <paramref name="judge"/> off only what the determinism comparison needs.</summary>
    private static Outcome Run(string[] sources, bool judge = true)
    {
        SyntaxTree[] trees = sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: $"Source{i}.cs")).ToArray();
        CSharpCompilation compilation = CSharpCompilation.Create("Fuzz", trees, GeneratorHarness.CreateCompilation().References, Options);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NnGenerator().AsSourceGenerator() }, additionalTexts: [PlanarWeights.Value], parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        var problems = new List<(string, string)>();
        if (result.Exception is not null)
        {
            problems.Add(("crash", "generator threw: " + result.Exception));
        }

        problems.AddRange(generatorDiagnostics.Where(IsCrash).Select(diagnostic => ("crash", "generator: " + diagnostic)));

        var analyzerExceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => analyzerExceptions.Enqueue(analyzer.GetType().Name + " threw: " + exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        CompilationWithAnalyzers withAnalyzers = output.WithAnalyzers(DiagnosticVerifier.Analyzers, options);
        ImmutableArray<Diagnostic> all = judge
            ? withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            : withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        problems.AddRange(analyzerExceptions.Select(exception => ("crash", exception)));
        problems.AddRange(all.Where(IsCrash).Select(diagnostic => ("crash", "analyzer: " + diagnostic)));

        string generated = string.Join("\n\n", result.GeneratedSources.OrderBy(source => source.HintName, StringComparer.Ordinal).Select(source => source.HintName + "\n" + source.SourceText));
        List<Diagnostic> nng = all.Where(diagnostic => diagnostic.Id.StartsWith("NNG", StringComparison.Ordinal)).ToList();
        string nngText = string.Join("\n", nng.Select(diagnostic => diagnostic.ToString()).OrderBy(text => text, StringComparer.Ordinal));
        int surfaces = result.GeneratedSources.Count(source => source.SourceText.ToString().Contains("was not generated", StringComparison.Ordinal));
        var outcome = new Outcome(generated, nngText, problems, result.GeneratedSources.Length - surfaces, surfaces, nng.Count(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        if (!judge)
        {
            return outcome;
        }

        // The user's own errors, without the generator's output: the generator may remove some (missing members), never add one.
        var baseline = new HashSet<(string, TextSpan)>(compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Location.IsInSource)
            .Select(diagnostic => (diagnostic.Location.SourceTree!.FilePath, diagnostic.Location.SourceSpan)));

        // An error the generated file adds is a cascade when the user's code was already broken (the generator should
        // have emitted nothing or the throwing surface), and accepted-but-uncompilable output when it was not.
        string added = baseline.Count > 0 ? "cascade" : "uncompilable";
        var userTrees = new HashSet<SyntaxTree>(trees);
        foreach (Diagnostic diagnostic in all.Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning && diagnostic.Location.SourceTree is { } tree && !userTrees.Contains(tree)))
        {
            problems.Add((added, "in generated code: " + diagnostic + "\n" + Numbered(diagnostic.Location.SourceTree!, diagnostic.Location.GetLineSpan().StartLinePosition.Line)));
        }

        foreach (Diagnostic diagnostic in all.Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Id.StartsWith("CS", StringComparison.Ordinal) &&
                                                                   diagnostic.Location.SourceTree is { } tree && userTrees.Contains(tree)))
        {
            // Inside a body the user's statements bind differently once members exist (a misspelt call now has types to
            // disagree with); what generated code may never do is break the user's declarations.
            if (!baseline.Contains((diagnostic.Location.SourceTree!.FilePath, diagnostic.Location.SourceSpan)) && !InBody(diagnostic))
            {
                problems.Add((added, "new error in the user's code once generated code is added: " + diagnostic));
            }
        }

        foreach ((INamedTypeSymbol network, List<SyntaxNode> outermost) in Networks(output, trees))
        {
            bool hasCode = network.DeclaringSyntaxReferences.Any(reference => !userTrees.Contains(reference.SyntaxTree));
            // A syntax error inside the declaration counts too: the parser may report it at a neighbouring token (for
            // `class class Output` the missing name is reported where the second declaration starts).
            bool hasError = outermost.Any(node => node.ContainsDiagnostics && node.GetDiagnostics().Any(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)) ||
                            all.Any(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Location.SourceTree is { } tree &&
                                                  outermost.Any(node => node.SyntaxTree == tree && node.FullSpan.Contains(diagnostic.Location.SourceSpan)));
            if (!hasCode && !hasError)
            {
                problems.Add(("silent drop", $"'{network.ToDisplayString()}' has [Network] but got no code and no error"));
            }
        }

        return outcome;
    }

    /// <summary>
    /// Every class the user declared with an attribute that binds to NnGen's [Network], and the outermost type declarations
    /// around it with the names of the namespaces around those.
    /// </summary>
    private static IEnumerable<(INamedTypeSymbol, List<SyntaxNode>)> Networks(Compilation compilation, SyntaxTree[] trees)
    {
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (SyntaxTree tree in trees)
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (TypeDeclarationSyntax declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(declaration) is not INamedTypeSymbol type || type.TypeKind != TypeKind.Class || !seen.Add(type) ||
                    !type.GetAttributes().Any(attribute => attribute.AttributeClass?.ToDisplayString() == "NnGen.NetworkAttribute"))
                {
                    continue;
                }

                // The names of the enclosing namespaces count as part of the declaration: a namespace whose name is
                // missing gets no generated code, and its syntax error is the one the user sees.
                var outermost = type.DeclaringSyntaxReferences
                    .Where(reference => trees.Contains(reference.SyntaxTree))
                    .SelectMany(reference => reference.GetSyntax().Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Select(ns => (SyntaxNode)ns.Name)
                        .Prepend(reference.GetSyntax().AncestorsAndSelf().OfType<BaseTypeDeclarationSyntax>().Last()))
                    .ToList();
                yield return (type, outermost);
            }
        }
    }

    private static bool InBody(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree!.GetRoot().FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .AncestorsAndSelf().Any(node => node is BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax);

    private static bool IsCrash(Diagnostic diagnostic) => diagnostic.Id is "AD0001" or "CS8784" or "CS8785" or "NNG0023";

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    private static string Numbered(SyntaxTree tree, int line)
    {
        TextLineCollection lines = tree.GetText().Lines;
        return string.Join("\n", Enumerable.Range(Math.Max(0, line - 3), Math.Min(7, lines.Count - Math.Max(0, line - 3))).Select(i => $"{i + 1,5}: {lines[i]}"));
    }

    private static string Describe(int seed, int index, string shape, string[] sources, string problem)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"case {index} (NNGEN_FUZZ_SEED={seed}; DeclarationFuzzer.Generate({seed}, {index})) [{shape}]: {problem}\n");
        for (int i = 0; i < sources.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- Source{i}.cs\n{sources[i]}\n");
        }

        return text.ToString();
    }

    internal sealed record Outcome(string Generated, string NngDiagnostics, List<(string Kind, string Text)> Problems, int NetworkFiles, int SurfaceFiles, int NngErrorCount);
}
