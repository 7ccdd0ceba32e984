using System;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator;
using NnGen.Generator.Diagnostics;

namespace NnGen.Benchmarks.Generator;

/// <summary>
/// The cost of NnGen inside one build: 200 networks (one file each, with a call site each) generated from cold, analyzed
/// by both analyzers, and re-generated after an unrelated edit. Divide by <see cref="Networks"/> for the cost per network.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    public const int Networks = 200;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private ImmutableArray<SyntaxTree> _trees;
    private ImmutableArray<MetadataReference> _references;
    private Compilation _generated = null!;
    private GeneratorDriver _warmDriver = null!;
    private CSharpCompilation _edited = null!;
    private readonly ImmutableArray<DiagnosticAnalyzer> _analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkDeclarationAnalyzer(), new NetworkUsageAnalyzer());

    [GlobalSetup]
    public void Setup()
    {
        _references = References();
        _trees = Enumerable.Range(0, Networks)
            .Select(i => CSharpSyntaxTree.ParseText(Source(i), ParseOptions, path: $"Net{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText("namespace Bench; public static class Unrelated { public static int Value() => 1; }", ParseOptions, path: "Unrelated.cs"))
            .ToImmutableArray();
        CSharpCompilation compilation = Compilation();
        _warmDriver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out _generated, out _);
        SyntaxTree unrelated = compilation.SyntaxTrees.Last();
        _edited = compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText("namespace Bench; public static class Unrelated { public static int Value() => 2; }", ParseOptions, path: "Unrelated.cs"));
    }

    /// <summary>A first build: parse attributes, validate and emit all 200 networks.</summary>
    [Benchmark]
    public int GenerateCold() => Driver().RunGenerators(Compilation()).GetRunResult().GeneratedTrees.Length;

    /// <summary>Both analyzers over the generated compilation (declaration rules on 200 classes, call-site rules on 200 methods).</summary>
    [Benchmark]
    public int AnalyzeAll() =>
        _generated.RemoveAllSyntaxTrees().AddSyntaxTrees(_generated.SyntaxTrees)
            .WithAnalyzers(_analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;

    /// <summary>The baseline the compiler pays anyway: binding the user code and the 200 generated files, no analyzers.</summary>
    [Benchmark(Baseline = true)]
    public int CompileOnly() => _generated.RemoveAllSyntaxTrees().AddSyntaxTrees(_generated.SyntaxTrees).GetDiagnostics().Length;

    /// <summary>The declaration analyzer alone.</summary>
    [Benchmark]
    public int AnalyzeDeclarations() => Analyze(new NetworkDeclarationAnalyzer());

    /// <summary>The call-site analyzer alone.</summary>
    [Benchmark]
    public int AnalyzeUsage() => Analyze(new NetworkUsageAnalyzer());

    /// <summary>The IDE's common case: a keystroke in an unrelated file, everything else cached.</summary>
    [Benchmark]
    public int RegenerateAfterUnrelatedEdit() => _warmDriver.RunGenerators(_edited).GetRunResult().GeneratedTrees.Length;

    private int Analyze(DiagnosticAnalyzer analyzer) =>
        _generated.RemoveAllSyntaxTrees().AddSyntaxTrees(_generated.SyntaxTrees)
            .WithAnalyzers(ImmutableArray.Create(analyzer)).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;

    private CSharpCompilation Compilation() =>
        CSharpCompilation.Create("Bench", _trees, _references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(new[] { new NnGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

    // Varied sizes, activations and depths, and one call site per network for the usage analyzer.
    private static string Source(int i)
    {
        string[] activations = ["Tanh", "ReLU", "LeakyReLU", "Sigmoid"];
        int inputs = 2 + (i % 30);
        int depth = 1 + (i % 4);
        var layers = string.Concat(Enumerable.Range(0, depth).Select(l =>
            $"[Layer({4 + ((i + l) % 60)}, Activation.{(l == depth - 1 ? "Sigmoid" : activations[(i + l) % 3])})]\n"));
        return string.Create(CultureInfo.InvariantCulture, $$"""
            using NnGen;
            namespace Bench;
            [Network(Inputs = {{inputs}})]
            {{layers}}public partial class Net{{i}}
            {
                public float Probe()
                {
                    float[] x = new float[{{inputs}}];
                    float[] y = new float[OutputSize];
                    Predict(x, y);
                    return y[0];
                }
            }
            """);
    }

    private static ImmutableArray<MetadataReference> References()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
