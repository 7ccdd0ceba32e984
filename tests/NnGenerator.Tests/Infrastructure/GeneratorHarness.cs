using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator.Diagnostics;

namespace NnGen.Generator.Tests.Infrastructure;

/// <summary>Drives the generator and the analyzers in memory, the way the compiler does, and loads what they produce.</summary>
internal static class GeneratorHarness
{
    /// <summary>Documentation diagnostics on, so a generated public member without XML docs is a warning (CS1591).</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    /// <summary>A compilation of <paramref name="sources"/> (files Source0.cs, Source1.cs, …) against the framework and NnRuntime.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "NnGenTestAssembly" + Guid.NewGuid().ToString("N"),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: false,
                deterministic: true));

    /// <summary>A driver with step tracking on, ready to run (and re-run, for the caching tests).</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NnGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once and returns its result and the compilation with the generated sources added.</summary>
    public static GeneratorOutput Run(params string[] sources)
    {
        CSharpCompilation compilation = CreateCompilation(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return new GeneratorOutput(driver.GetRunResult(), output, generatorDiagnostics);
    }

    /// <summary>Every diagnostic the compiler and NnGen's analyzers report on <paramref name="compilation"/>.</summary>
    public static ImmutableArray<Diagnostic> AllDiagnostics(Compilation compilation)
    {
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkDeclarationAnalyzer(), new NetworkUsageAnalyzer());
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        return withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
    }

    /// <summary>Only NnGen's analyzer diagnostics.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        AllDiagnostics(compilation).Where(diagnostic => diagnostic.Id.StartsWith("NNG", StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>
    /// Warnings and errors that matter for a clean build: everything except missing XML docs on the test's own
    /// hand-written declarations (generated members must be documented, so CS1591 counts there).
    /// </summary>
    public static ImmutableArray<Diagnostic> BuildProblems(Compilation compilation) =>
        AllDiagnostics(compilation)
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning)
            .Where(diagnostic => diagnostic.Id != "CS1591" || IsGenerated(diagnostic.Location.SourceTree))
            .ToImmutableArray();

    /// <summary>Emits and loads <paramref name="compilation"/>; on failure the message holds the diagnostics and the numbered generated source.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("Compilation failed:\n" + Describe(result.Diagnostics, compilation));
        }

        return Assembly.Load(stream.ToArray());
    }

    /// <summary>Diagnostics followed by every generated file with line numbers, for failure messages.</summary>
    public static string Describe(ImmutableArray<Diagnostic> diagnostics, Compilation compilation) =>
        string.Join("\n", diagnostics.Select(diagnostic => diagnostic.ToString())) + "\n\n" +
        string.Join("\n\n", compilation.SyntaxTrees.Where(tree => IsGenerated(tree)).Select(Numbered));

    public static bool IsGenerated(SyntaxTree? tree) => tree is not null && tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal);

    private static string Numbered(SyntaxTree tree) =>
        "// " + tree.FilePath + "\n" + string.Join("\n", tree.GetText().Lines.Select((line, i) => $"{i + 1,5}: {line}"));

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToImmutableArray();
    }
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutput(GeneratorDriverRunResult Result, Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>The single generated file's text (most tests declare one network).</summary>
    public string SingleSource => Result.GeneratedTrees.Single().GetText().ToString();
}
