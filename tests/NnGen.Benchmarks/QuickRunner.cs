using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace NnGen.Benchmarks;

/// <summary>
/// A fast, rough pass over the same [Benchmark] methods (<see cref="Workloads"/>, <see cref="LatencyWorkloads"/>, <see cref="BatchWorkloads"/>, <see cref="TrainingWorkloads"/>,
/// the convolution rows, the recurrent rows, then <see cref="MachineLimits"/>): calibrated loops, 31 samples of 10 ms, the median per call, and the
/// bytes allocated per call (per operation where a method declares <see cref="BenchmarkAttribute.OperationsPerInvoke"/>,
/// as BenchmarkDotNet reports it: a Process row is per sample). One machine-readable line per workload: <c>name,median_ns,allocated_bytes,cpu_ns,min_ns</c>,
/// where median_ns is the median wall-clock time, min_ns the best wall-clock sample (what the RTNeural harness reports
/// as its min), and cpu_ns the best (lowest) sample of the calling thread's CPU time per call (Linux
/// CLOCK_THREAD_CPUTIME_ID; equal to median_ns elsewhere). On a shared, loaded machine the thread's CPU time is the
/// steadier of the two: it leaves out the time the thread waited for a core. Multi-threaded workloads need the wall
/// clock. BenchmarkDotNet (without --quick) is the measurement of record.
/// </summary>
internal static class QuickRunner
{
    private const int Samples = 31;

    // Workloads of a second or more (10,000 training iterations) get fewer samples so the whole run stays near a minute.
    private const int LongSamples = 3;
    private static readonly TimeSpan SampleTarget = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>The benchmark classes, in the order their rows print.</summary>
    private static readonly Type[] Classes = [typeof(Workloads), typeof(LatencyWorkloads), typeof(OneExampleKernelWorkloads), typeof(BatchWorkloads), typeof(TrainingWorkloads), typeof(ConvolutionWorkloads), typeof(ConvolutionOnnxWorkloads), typeof(ConvKernelWorkloads), typeof(CausalConvKernelWorkloads), typeof(CausalConvStreamingWorkloads), typeof(RecurrentKernelWorkloads), typeof(RecurrentStreamingWorkloads), typeof(RecurrentStreamingOnnxWorkloads), typeof(RecurrentTrainingWorkloads), typeof(MachineLimits)];

    /// <summary>
    /// Times every [Benchmark] method whose name contains one of the comma-separated parts of <paramref name="filter"/>
    /// (case-insensitive; null for all). A class is set up only if one of its methods is selected, so a filtered run
    /// does not build the Fashion-MNIST-sized data or the ONNX Runtime sessions it does not time.
    /// </summary>
    public static void Run(string? filter)
    {
        WarnOnOneProcessor();
        Console.WriteLine("name,median_ns,allocated_bytes,cpu_ns,min_ns");
        ForEachSelected(filter, Measure);
    }

    /// <summary>
    /// Sets up every selected class (which checks each network's output against its reference and peers) and calls each
    /// selected method once, untimed: a quick proof that every row runs and agrees, printed as <c>name,ok</c>.
    /// </summary>
    public static void Check(string? filter)
    {
        ForEachSelected(filter, (name, call) =>
        {
            float value = call();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},ok,{value:G6}"));
        });
    }

    /// <summary>
    /// Sets up the class of the [Benchmark] method named exactly <paramref name="name"/>, warms it up through tiered
    /// compilation, and calls it <paramref name="calls"/> times, untimed: the run <c>bench/disasm.sh</c> records the
    /// JIT's final code from (with DOTNET_JitDisasm), and a fixed workload for external profilers.
    /// </summary>
    /// <remarks>
    /// The warm-up is a fixed number of calls with pauses between them, because tiering promotes a method on a
    /// background thread after a delay: afterwards the calls run the final (tier-1, dynamic PGO) code.
    /// </remarks>
    public static void Calls(string name, int calls)
    {
        bool found = false;
        ForEachSelected(name, (method, call) =>
        {
            if (method != name)
            {
                return;
            }

            found = true;
            float sink = 0;
            for (int round = 0; round < CallsWarmUpRounds; round++)
            {
                for (int i = 0; i < CallsWarmUpCalls; i++)
                {
                    sink += call();
                }

                Thread.Sleep(CallsWarmUpPause);
            }

            for (int i = 0; i < calls; i++)
            {
                sink += call();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method},{calls},{sink:G6}"));

            // Record which vector paths the runtime took (a profiler or emulator may show the program another CPU).
            Console.Error.WriteLine(
                $"vectors: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, " +
                $"Vector128 {Vector128.IsHardwareAccelerated}, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, Vector<float>.Count {Vector<float>.Count}");
        });
        if (!found)
        {
            throw new ArgumentException($"No [Benchmark] method is named '{name}'.", nameof(name));
        }
    }

    private const int CallsWarmUpRounds = 6;
    private const int CallsWarmUpCalls = 200;
    private static readonly TimeSpan CallsWarmUpPause = TimeSpan.FromSeconds(1);

    private static void ForEachSelected(string? filter, Action<string, Func<float>> action) =>
        ForEachSelected(filter, (name, call, _) => action(name, call));

    private static void ForEachSelected(string? filter, Action<string, Func<float>, int> action)
    {
        string[] parts = filter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (Type type in Classes)
        {
            MethodInfo[] methods = type.GetMethods()
                .Where(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null)
                .Where(method => parts.Length == 0 || parts.Any(part => method.Name.Contains(part, StringComparison.OrdinalIgnoreCase)))
                .ToArray();
            if (methods.Length == 0)
            {
                continue;
            }

            object target = Activator.CreateInstance(type)!;
            try
            {
                foreach (MethodInfo setup in type.GetMethods().Where(method => method.GetCustomAttribute<GlobalSetupAttribute>() is not null))
                {
                    setup.Invoke(target, null);
                }

                foreach (MethodInfo method in methods)
                {
                    action(method.Name, method.CreateDelegate<Func<float>>(target), method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
                }
            }
            finally
            {
                (target as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>
    /// On one processor (<c>taskset -c 0</c>, a container limited to one CPU) the runtime waits ten times longer before
    /// it recompiles a hot method, 1 s after the last newly compiled one instead of 100 ms, so the warm-up below ends in
    /// early-stage code and a row reads several times slow (docs/performance.md has the figures). Warm-ups of 2 to 5 s
    /// land in between stages, so the remedy is the runtime's own setting, not a longer warm-up.
    /// </summary>
    private static void WarnOnOneProcessor()
    {
        if (Environment.ProcessorCount == 1 && Environment.GetEnvironmentVariable("DOTNET_TC_DelaySingleProcMultiplier") is null)
        {
            Console.Error.WriteLine("warning: one processor: tiered compilation waits 10x longer here and the rows would time early-stage code; run with DOTNET_TC_DelaySingleProcMultiplier=1.");
        }
    }

    private static void Measure(string name, Func<float> call, int operations)
    {
        // Warm up through tiering: the runtime recompiles a hot method in stages (instrumented, then optimized with
        // the profile) on a background thread after a delay, so a call count alone can stop while a 30 ns method still
        // runs its first-stage code. A second of calls reaches the final code; then find a loop count that makes one
        // sample last about SampleTarget.
        long started = Stopwatch.GetTimestamp();
        int warmups = 0;
        while (warmups < 3 || Stopwatch.GetElapsedTime(started) < WarmUp)
        {
            call();
            warmups++;
        }

        long calibrationStart = Stopwatch.GetTimestamp();
        int calibrationCalls = 0;
        while (calibrationCalls < 3 || Stopwatch.GetElapsedTime(calibrationStart) < SampleTarget)
        {
            call();
            calibrationCalls++;
        }

        long perCall = Math.Max(1, Stopwatch.GetElapsedTime(calibrationStart).Ticks / calibrationCalls);
        int loops = (int)Math.Clamp(SampleTarget.Ticks / perCall, 1, 10_000_000);

        int sampleCount = perCall > TimeSpan.FromMilliseconds(100).Ticks ? LongSamples : Samples;
        var samples = new double[sampleCount];
        var cpuSamples = new double[sampleCount];
        long allocated = 0;
        float sink = 0;
        for (int s = 0; s < sampleCount; s++)
        {
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            long cpuBefore = ThreadCpuNanoseconds();
            long before = Stopwatch.GetTimestamp();
            for (int i = 0; i < loops; i++)
            {
                sink += call();
            }

            samples[s] = Stopwatch.GetElapsedTime(before).TotalNanoseconds / loops;
            long cpuAfter = ThreadCpuNanoseconds();
            cpuSamples[s] = cpuBefore < 0 ? samples[s] : (double)(cpuAfter - cpuBefore) / loops;
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        }

        Array.Sort(samples);
        Array.Sort(cpuSamples);
        long bytesPerCall = allocated / ((long)sampleCount * loops * operations);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name},{samples[sampleCount / 2] / operations:F1},{bytesPerCall},{cpuSamples[0] / operations:F1},{samples[0] / operations:F1}"));
        GC.KeepAlive(sink);
    }

    /// <summary>The calling thread's CPU time in nanoseconds, or -1 where that clock is not available.</summary>
    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return ClockGetTime(ClockThreadCpuTime, out TimeSpec time) == 0 ? (time.Seconds * 1_000_000_000L) + time.Nanoseconds : -1;
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
