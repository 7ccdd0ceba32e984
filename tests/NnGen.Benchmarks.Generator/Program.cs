using System;
using System.Diagnostics;
using BenchmarkDotNet.Running;
using NnGen.Benchmarks.Generator;

// `dotnet run -c Release --project tests/NnGen.Benchmarks.Generator -- --quick` times each workload a few times with a
// stopwatch and prints ms per run and per network; anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args.Length > 0 && args[0] == "--quick")
{
    var benchmarks = new GeneratorBenchmarks();
    benchmarks.Setup();
    Console.WriteLine("workload,median_ms,ms_per_network");
    Measure("GenerateCold", () => benchmarks.GenerateCold());
    Measure("CompileOnly", () => benchmarks.CompileOnly());
    Measure("AnalyzeDeclarations", () => benchmarks.AnalyzeDeclarations());
    Measure("AnalyzeUsage", () => benchmarks.AnalyzeUsage());
    Measure("AnalyzeAll", () => benchmarks.AnalyzeAll());
    Measure("RegenerateAfterUnrelatedEdit", () => benchmarks.RegenerateAfterUnrelatedEdit());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);

static void Measure(string name, Func<int> run)
{
    run();
    var samples = new double[3];
    for (int i = 0; i < samples.Length; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        run();
        samples[i] = stopwatch.Elapsed.TotalMilliseconds;
    }

    Array.Sort(samples);
    double median = samples[samples.Length / 2];
    Console.WriteLine(FormattableString.Invariant($"{name},{median:F1},{median / GeneratorBenchmarks.Networks:F3}"));
}
