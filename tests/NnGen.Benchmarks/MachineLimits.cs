using System;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// What this machine allows, timed in the same run as <see cref="Workloads"/>, so a workload that misses its target
/// can be set against a measured floor rather than a guess: the latency of the activation chain a one-example
/// [2,4,1] prediction cannot avoid, the memory time of the operands the big-network rows must stream, and the FMA
/// peak the products are measured against, on one thread and two, at the widest accelerated width (<see cref="FmaPeak"/>).
/// </summary>
[MemoryDiagnoser]
public class MachineLimits
{
    /// <summary>FMAs per <see cref="FmaPeak256"/>/<see cref="FmaPeak512"/> call: 10 independent chains × 10,000 steps.</summary>
    public const int FmaCount = 10 * 10_000;

    private Vector128<float> _chain = Vector128.Create(0.25f, -0.5f, 0.75f, -1f);
    private float[] _w1 = null!;
    private float[] _x = null!;

    [GlobalSetup]
    public void Setup()
    {
        _w1 = new float[DeepCatNet.Layer1Units * DeepCatNet.InputSize];
        _x = new float[209 * DeepCatNet.InputSize];
        _w1.AsSpan().Fill(0.001f);
        _x.AsSpan().Fill(0.5f);
        Console.Error.WriteLine($"MachineLimits: FmaPeak and FmaPeakTwoThreads at {(SimdPolicy.Use512Bit ? 512 : 256)} bits");
    }

    /// <summary>
    /// The dependent chain of a [2,4,1] prediction with no loads, calls or checks: tanh of 4 lanes, their 4-term dot
    /// product, sigmoid of it, fed back as the next call's input. Nothing can overlap it, so this is the floor of
    /// <see cref="LatencyWorkloads.PlanarLatency"/> with these formulas on this clock.
    /// </summary>
    [Benchmark]
    public float TanhDotSigmoidLatency()
    {
        Vector128<float> a1 = VectorMath.Tanh(_chain);
        Vector128<float> z2 = Vector128.Create(Vector128.Dot(a1, Vector128.Create(0.5f, -0.25f, 0.125f, 1f)));
        _chain = VectorMath.Sigmoid(z2) - Vector128.Create(0.5f);
        return _chain.ToScalar();
    }

    /// <summary>Reads W1 of [12288,20,7,5,1] once (983 KB): the memory floor of <see cref="LatencyWorkloads.DeepLatency"/>.</summary>
    [Benchmark]
    public float ReadDeepW1() => Stream(_w1);

    /// <summary>Reads X of the m = 209 cat batch once (10.3 MB): each training product must stream it at least once.</summary>
    [Benchmark]
    public float ReadCatBatch() => Stream(_x);

    /// <summary>
    /// Sums a buffer with four independent 512-bit accumulators: as close to a pure read as managed code gets (one
    /// accumulator, as in TensorPrimitives.Sum, is add-latency-bound and would understate the bandwidth).
    /// </summary>
    private static float Stream(float[] values)
    {
        ref float start = ref MemoryMarshal.GetArrayDataReference(values);
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= values.Length - 64; i += 64)
        {
            s0 += Vector512.LoadUnsafe(ref start, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref start, (nuint)(i + 16));
            s2 += Vector512.LoadUnsafe(ref start, (nuint)(i + 32));
            s3 += Vector512.LoadUnsafe(ref start, (nuint)(i + 48));
        }

        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    /// <summary><see cref="FmaCount"/> 256-bit FMAs in 10 independent chains: 16 · FmaCount / ns = peak GFLOP/s at 256 bits.</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float FmaPeak256() => FmaChains(FmaCount / 10);

    /// <summary>
    /// <see cref="FmaPeak256"/>'s work split over two threads (the kernels' own worker pool, as the 2-thread training
    /// row uses it): on two free cores this takes half of <see cref="FmaPeak256"/>'s time. Read median_ns (wall clock);
    /// the ratio to <see cref="FmaPeak256"/> is how many cores of FMA throughput two busy threads actually get here.
    /// </summary>
    [Benchmark]
    public unsafe float FmaPeak256TwoThreads()
    {
        float* sums = stackalloc float[2];
        KernelWorkers.Run(&FmaHalf, sums, 2);
        return sums[0] + sums[1];
    }

    private static unsafe void FmaHalf(void* state, int part, int parts) => ((float*)state)[part] = FmaChains(FmaCount / 10 / parts);

    /// <summary>
    /// The FMA peak at the widest width the kernels run at (512 bits while <see cref="SimdPolicy.Use512Bit"/>, that is
    /// wherever the CPU has AVX-512F; else 256, as on Zen 3), the one every "% of peak" column is set against:
    /// <see cref="FmaPeak256"/> understates a core with full 512-bit units by half, so a product there could show more
    /// than 100 %. The work is fixed in FLOP, not in instructions: 1.6 MFLOP per call (<see cref="FmaCount"/> FMAs of
    /// 8 lanes, or half as many of 16), so 1.6e6 / ns = peak GFLOP/s whatever the width.
    /// </summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float FmaPeak() => WidestFmaChains(FmaCount / 10);

    /// <summary>
    /// <see cref="FmaPeak"/>'s work split over two threads of the kernels' worker pool: the peak the 2-thread rows
    /// are set against. Read median_ns (wall clock).
    /// </summary>
    [Benchmark]
    public unsafe float FmaPeakTwoThreads()
    {
        float* sums = stackalloc float[2];
        KernelWorkers.Run(&WidestFmaHalf, sums, 2);
        return sums[0] + sums[1];
    }

    private static unsafe void WidestFmaHalf(void* state, int part, int parts) => ((float*)state)[part] = WidestFmaChains(FmaCount / 10 / parts);

    /// <summary><paramref name="steps256"/> steps of 10 chains at 256 bits, or the same FLOP in half the steps at 512.</summary>
    private static float WidestFmaChains(int steps256) =>
        SimdPolicy.Use512Bit ? FmaChains512(steps256 / 2) : FmaChains(steps256);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float FmaChains(int steps)
    {
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        Vector256<float> b = Vector256.Create(0.999f), a = Vector256.Create(0.001f);
        for (int i = 0; i < steps; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, b, a);
            c1 = Vector256.FusedMultiplyAdd(c1, b, a);
            c2 = Vector256.FusedMultiplyAdd(c2, b, a);
            c3 = Vector256.FusedMultiplyAdd(c3, b, a);
            c4 = Vector256.FusedMultiplyAdd(c4, b, a);
            c5 = Vector256.FusedMultiplyAdd(c5, b, a);
            c6 = Vector256.FusedMultiplyAdd(c6, b, a);
            c7 = Vector256.FusedMultiplyAdd(c7, b, a);
            c8 = Vector256.FusedMultiplyAdd(c8, b, a);
            c9 = Vector256.FusedMultiplyAdd(c9, b, a);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    /// <summary>The same at 512 bits: 32 · FmaCount / ns = peak GFLOP/s (AVX-512 runs it even where the runtime prefers 256 bits).</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float FmaPeak512() => FmaChains512(FmaCount / 10);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float FmaChains512(int steps)
    {
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        Vector512<float> b = Vector512.Create(0.999f), a = Vector512.Create(0.001f);
        for (int i = 0; i < steps; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, b, a);
            c1 = Vector512.FusedMultiplyAdd(c1, b, a);
            c2 = Vector512.FusedMultiplyAdd(c2, b, a);
            c3 = Vector512.FusedMultiplyAdd(c3, b, a);
            c4 = Vector512.FusedMultiplyAdd(c4, b, a);
            c5 = Vector512.FusedMultiplyAdd(c5, b, a);
            c6 = Vector512.FusedMultiplyAdd(c6, b, a);
            c7 = Vector512.FusedMultiplyAdd(c7, b, a);
            c8 = Vector512.FusedMultiplyAdd(c8, b, a);
            c9 = Vector512.FusedMultiplyAdd(c9, b, a);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }
}
