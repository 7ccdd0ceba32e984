using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// The generator and the analyzers never throw, whatever the user types. Valid declarations (and call sites) are
/// mutated at random, token by token; no run may report an analyzer or generator exception (AD0001, CS8784, CS8785),
/// and running the same text twice must give the same generated sources and diagnostics. The seed is fixed, and each
/// case derives its own generator from (seed, index), so a failure names the case that reproduces it.
/// </summary>
public sealed class RobustnessTests
{
    private const int Seed = 20240611;
    private const int Cases = 1600;

    private static readonly string[] Seeds =
    [
        "using NnGen;\nnamespace Demo;\n[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class PlanarNet { }\n" +
        "public static class Use\n{\n    public static void Run(PlanarNet net, float[] data)\n    {\n        net.Predict(new float[2], stackalloc float[1]);\n" +
        "        float[] x = [1f, 2f, 3f, 4f];\n        net.PredictBatch(x, new float[2]);\n        net.W1.Clear();\n        net.Parameters.Fill(0);\n        net.Evaluate(data, new float[] { 1f });\n    }\n}\n",
        "using NnGen;\nnamespace Demo.Nested;\npublic partial class Outer\n{\n    [Network(Inputs = 3, Loss = Loss.MeanSquaredError, Init = Init.Zeros)]\n" +
        "    [Layer(5, Activation.ReLU, Init = Init.He)]\n    [Layer(5, Activation.Linear)]\n    [Layer(2, Activation.Sigmoid)]\n    internal sealed partial class DeepNet { }\n}\n",
        "using NnGen;\n[Network(Inputs = 1)]\n[Layer(1, Activation.Linear)]\npublic partial record Regression { }\n",
        "using NnGen;\nnamespace Demo;\n[Network(Inputs = 4)]\n[Layer(3, Activation.LeakyReLU)]\n[Layer(2, Activation.Tanh)]\npublic partial class Generic<T> where T : class { }\n",
        "using NnGen;\nnamespace Demo;\n[Network(Inputs = 2)]\n[Layer(2, Activation.Sigmoid)]\npublic partial class Split { }\n[Layer(1, Activation.Sigmoid)]\npublic partial class Split { public void M() => W1.Fill(0f); }\n",
    ];

    // Replacements for a token: wrong types, huge, negative and zero numbers, other declarations, stray punctuation.
    private static readonly string[] Replacements =
    [
        "0", "-1", "1", "2147483647", "-2147483648", "1048577", "99999999999", "1e30f", "0.5f", "\"two\"", "null", "default",
        "typeof(int)", "Activation.Tanh", "(Activation)99", "(Init)(-4)", "Loss.BinaryCrossEntropy", "Init.Zeros", "Inputs = 3",
        "Init = Init.Zeros", "Loss = (Loss)7", "Units = 3", "struct", "record", "record struct", "interface", "static", "partial",
        "abstract", "<T>", "where T : struct", "{", "}", "(", ")", "[", "]", ",", ";", "=", "Network", "Layer", "Network(Inputs = 2)",
        "Layer(3, Activation.ReLU)", "new float[7]", "stackalloc float[0]", "[]", "[1f]", "class", "enum", "delegate", "ref", "out",
    ];

    private readonly ITestOutputHelper _output;

    public RobustnessTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void RandomMutations_NeverThrow_AndAreDeterministic()
    {
        var failures = new ConcurrentQueue<string>();
        var stopwatch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Parallel.For(0, Cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index =>
        {
            if (failures.Count > 5)
            {
                return;
            }

            string source = Mutate(index);
            try
            {
                Outcome first = RunOnce(source);
                Outcome second = RunOnce(source);
                string? problem = first.Exceptions.FirstOrDefault()
                    ?? (first.Generated != second.Generated ? "generated sources differ between two runs" : null)
                    ?? (first.Diagnostics != second.Diagnostics ? "diagnostics differ between two runs:\n" + first.Diagnostics + "\n---\n" + second.Diagnostics : null);
                if (problem is not null)
                {
                    failures.Enqueue(Describe(index, source, problem));
                }
            }
            catch (Exception exception)
            {
                failures.Enqueue(Describe(index, source, exception.ToString()));
            }
        });

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        _output.WriteLine($"{Cases} mutated sources (seed {Seed}), each run twice, in {stopwatch.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s of CPU)");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures));
    }

    /// <summary>Case <paramref name="index"/>: a seed declaration with one to four token mutations.</summary>
    internal static string Mutate(int index)
    {
        var random = new Random(unchecked((Seed * 7919) + index)); // not HashCode.Combine: it is randomized per process
        string seed = Seeds[index % Seeds.Length];
        List<string> tokens = CSharpSyntaxTree.ParseText(seed).GetRoot().DescendantTokens()
            .Select(token => token.ToFullString())
            .ToList();
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations && tokens.Count > 1; m++)
        {
            int at = random.Next(tokens.Count);
            switch (random.Next(4))
            {
                case 0:
                    tokens.RemoveAt(at);
                    break;
                case 1:
                    tokens.Insert(at, tokens[at]);
                    break;
                case 2:
                    tokens[at] = " " + Replacements[random.Next(Replacements.Length)] + " ";
                    break;
                default:
                    // Prefer numbers: sizes are where most of the validator's logic is.
                    int number = tokens.FindIndex(random.Next(tokens.Count), token => token.Trim().Length > 0 && char.IsDigit(token.Trim()[0]));
                    tokens[number < 0 ? at : number] = " " + Replacements[random.Next(8)] + " ";
                    break;
            }
        }

        return string.Concat(tokens);
    }

    private static Outcome RunOnce(string source)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Mutant",
            [CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: "Mutant.cs")],
            GeneratorHarness.CreateCompilation().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NnGenerator().AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();

        var exceptions = new List<string>();
        exceptions.AddRange(result.Results.Where(run => run.Exception is not null).Select(run => "generator threw: " + run.Exception));
        exceptions.AddRange(generatorDiagnostics.Where(IsCrash).Select(diagnostic => "generator: " + diagnostic));

        var analyzerExceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => analyzerExceptions.Enqueue(analyzer.GetType().Name + " threw: " + exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        // The analyzers on the mutated tree only: whole-compilation analysis would also bind every generated method body,
        // which is the Diagnostics tests' job and most of the cost here. The generated text itself is compared below.
        CompilationWithAnalyzers withAnalyzers = output.WithAnalyzers(DiagnosticVerifier.Analyzers, options);
        SyntaxTree mutant = compilation.SyntaxTrees.Single();
        ImmutableArray<Diagnostic> diagnostics = withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(output.GetSemanticModel(mutant), filterSpan: null, CancellationToken.None).GetAwaiter().GetResult()
            .AddRange(withAnalyzers.GetAnalyzerSyntaxDiagnosticsAsync(mutant, CancellationToken.None).GetAwaiter().GetResult());
        exceptions.AddRange(analyzerExceptions);
        exceptions.AddRange(diagnostics.Where(IsCrash).Select(diagnostic => "analyzer: " + diagnostic));

        string generated = string.Join("\n\n", result.GeneratedTrees.OrderBy(tree => tree.FilePath, StringComparer.Ordinal).Select(tree => tree.FilePath + "\n" + tree.GetText()));
        string reported = string.Join("\n", diagnostics
            .Select(diagnostic => diagnostic.ToString())
            .OrderBy(text => text, StringComparer.Ordinal));
        return new Outcome(generated, reported, exceptions);
    }

    private static bool IsCrash(Diagnostic diagnostic) => diagnostic.Id is "AD0001" or "CS8784" or "CS8785";

    private static string Describe(int index, string source, string problem)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Case {index} (seed {Seed}; reproduce with RobustnessTests.Mutate({index})): {problem}\n");
        text.Append(source);
        return text.ToString();
    }

    private sealed record Outcome(string Generated, string Diagnostics, List<string> Exceptions);
}
