using System;
using System.Linq;
using BenchmarkDotNet.Running;
using NnGen.Benchmarks;

// `dotnet run -c Release --project tests/NnGen.Benchmarks -- --quick [filter]` prints one line per workload in about a
// minute; anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args.Length > 0 && args[0] == "--quick")
{
    QuickRunner.Run(args.Skip(1).FirstOrDefault());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
