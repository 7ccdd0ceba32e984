using System;
using System.Linq;
using BenchmarkDotNet.Running;
using NnGen.Benchmarks;

// `dotnet run -c Release --project tests/NnGen.Benchmarks -- --quick [filter]` prints one line per workload in a few
// minutes (filter: comma-separated parts of method names, e.g. `Latency,Onnx`); `-- --check [filter]` sets every
// selected workload up (each checks its outputs against a double-precision reference and ONNX Runtime) and calls it
// once, untimed; anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args.Length > 0 && args[0] == "--quick")
{
    QuickRunner.Run(args.Skip(1).FirstOrDefault());
    return;
}

if (args.Length > 0 && args[0] == "--check")
{
    QuickRunner.Check(args.Skip(1).FirstOrDefault());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
