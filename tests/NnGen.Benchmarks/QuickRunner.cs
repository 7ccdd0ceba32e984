using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace NnGen.Benchmarks;

/// <summary>
/// A fast, rough pass over the same [Benchmark] methods: calibrated loops, 15 samples, the median per call, and the
/// bytes allocated per call. One machine-readable line per workload: <c>name,median_ns,allocated_bytes</c>.
/// BenchmarkDotNet (without --quick) is the measurement of record.
/// </summary>
internal static class QuickRunner
{
    private const int Samples = 15;

    // Workloads of a second or more (10,000 training iterations) get fewer samples so the whole run stays near a minute.
    private const int LongSamples = 3;
    private static readonly TimeSpan SampleTarget = TimeSpan.FromMilliseconds(20);

    public static void Run(string? filter)
    {
        var workloads = new Workloads();
        workloads.Setup();
        IEnumerable<MethodInfo> methods = typeof(Workloads).GetMethods()
            .Where(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .Where(method => filter is null || method.Name.Contains(filter, StringComparison.OrdinalIgnoreCase));

        Console.WriteLine("name,median_ns,allocated_bytes");
        foreach (MethodInfo method in methods)
        {
            var call = method.CreateDelegate<Func<float>>(workloads);
            Measure(method.Name, call);
        }
    }

    private static void Measure(string name, Func<float> call)
    {
        // Warm up through tiering, then find a loop count that makes one sample last about SampleTarget.
        long started = Stopwatch.GetTimestamp();
        int warmups = 0;
        while (warmups < 3 || (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(300) && warmups < 100_000))
        {
            call();
            warmups++;
        }

        long perCall = Math.Max(1, Stopwatch.GetElapsedTime(started).Ticks / warmups);
        int loops = (int)Math.Clamp(SampleTarget.Ticks / perCall, 1, 10_000_000);

        int sampleCount = perCall > TimeSpan.FromMilliseconds(100).Ticks ? LongSamples : Samples;
        var samples = new double[sampleCount];
        long allocated = 0;
        float sink = 0;
        for (int s = 0; s < sampleCount; s++)
        {
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            long before = Stopwatch.GetTimestamp();
            for (int i = 0; i < loops; i++)
            {
                sink += call();
            }

            samples[s] = Stopwatch.GetElapsedTime(before).TotalNanoseconds / loops;
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        }

        Array.Sort(samples);
        long bytesPerCall = allocated / ((long)sampleCount * loops);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{samples[sampleCount / 2]:F1},{bytesPerCall}"));
        GC.KeepAlive(sink);
    }
}
