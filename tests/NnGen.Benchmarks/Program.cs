using System;
using System.Linq;
using BenchmarkDotNet.Running;
using NnGen.Benchmarks;

// `dotnet run -c Release --project tests/NnGen.Benchmarks -- <mode>`:
//   --quick [filter]     one CSV line per workload in a few minutes (filter: comma-separated parts of method names,
//                        e.g. `Latency,PredictBatch`);
//   --check [filter]     sets every selected workload up (each checks its outputs against a double-precision reference
//                        and ONNX Runtime) and calls it once, untimed;
//   --calls <method> <n> warms one method up and calls it n times, untimed (bench/disasm.sh, profilers);
//   anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args.Length > 0 && args[0] == "--quick")
{
    QuickRunner.Run(args.Skip(1).FirstOrDefault());
    return;
}

if (args.Length == 3 && args[0] == "--calls")
{
    QuickRunner.Calls(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args.Length > 0 && args[0] == "--check")
{
    QuickRunner.Check(args.Skip(1).FirstOrDefault());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
