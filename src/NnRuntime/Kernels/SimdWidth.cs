using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The vector width a kernel runs at. Public entry points always use <see cref="Auto"/>; the explicit widths exist so
/// tests can run every code path on one machine (a forced width the CPU lacks still computes correctly, in software).
/// </summary>
/// <remarks>The numeric order matters: kernels test <c>width &gt;= V256</c> to mean "256-bit vectors or wider".</remarks>
internal enum SimdWidth
{
    Auto = 0,
    Scalar = 1,
    V128 = 2,
    V256 = 3,
    V512 = 4,
}

/// <summary>The process-wide choice of the widest vectors NnGen computes with.</summary>
public static class SimdPolicy
{
    private static volatile bool s_use512Bit = Vector512.IsHardwareAccelerated || Avx512F.IsSupported;

    /// <summary>
    /// Whether kernels (width <c>Auto</c>) and the code generated for tiny networks use 512-bit vectors. On by
    /// default wherever the CPU has AVX-512F, including Intel parts on which the runtime itself prefers 256 bits
    /// (<see cref="Vector512.IsHardwareAccelerated"/> is false there to avoid frequency throttling): every NnGen
    /// workload measured faster at 512 bits on such a part (docs/performance.md). Setting it to
    /// false follows the runtime's preference; setting it to true on a CPU without AVX-512F has no effect, because
    /// 512-bit vectors would then run in software.
    /// </summary>
    /// <remarks>Read at the start of each call; change it between calls, not while a call runs on another thread.</remarks>
    public static bool Use512Bit
    {
        get => s_use512Bit;
        set => s_use512Bit = value && (Vector512.IsHardwareAccelerated || Avx512F.IsSupported);
    }

    /// <summary>Sets the flag whatever the CPU (512-bit vectors then run in software) so tests can run the 512-bit paths anywhere.</summary>
    internal static void SetForTesting(bool use512Bit) => s_use512Bit = use512Bit;
}

internal static class SimdWidths
{
    /// <summary>The widest width the runtime itself reports accelerated, widest first as TensorPrimitives does.</summary>
    private static readonly SimdWidth RuntimePreferred =
        Vector512.IsHardwareAccelerated ? SimdWidth.V512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.V256 :
        Vector128.IsHardwareAccelerated ? SimdWidth.V128 :
        SimdWidth.Scalar;

    /// <summary>
    /// What <see cref="SimdWidth.Auto"/> means: 512 bits while <see cref="SimdPolicy.Use512Bit"/> is on, otherwise the
    /// runtime's preferred width (256 bits at most, since 512 is then either unavailable or declined).
    /// </summary>
    internal static SimdWidth Best =>
        s_forced != SimdWidth.Auto ? s_forced :
        SimdPolicy.Use512Bit ? SimdWidth.V512 : RuntimePreferred == SimdWidth.V512 ? SimdWidth.V256 : RuntimePreferred;

    /// <summary>A width tests forced for every kernel; <see cref="SimdWidth.Auto"/> when none is.</summary>
    private static volatile SimdWidth s_forced;

    /// <summary>
    /// Makes <see cref="SimdWidth.Auto"/> mean <paramref name="width"/> in every kernel, and the tiny networks' code take
    /// its 512-bit path exactly when <paramref name="width"/> is <see cref="SimdWidth.V512"/>, until the scope is
    /// disposed: tests run whole networks at each width on any machine. Process-wide; tests that use it run alone.
    /// </summary>
    internal static ForcedScope ForceForTesting(SimdWidth width)
    {
        var scope = new ForcedScope(s_forced, SimdPolicy.Use512Bit);
        s_forced = width;
        SimdPolicy.SetForTesting(width == SimdWidth.V512);
        return scope;
    }

    internal readonly struct ForcedScope(SimdWidth previous, bool previous512Bit) : IDisposable
    {
        public void Dispose()
        {
            s_forced = previous;
            SimdPolicy.SetForTesting(previous512Bit);
        }
    }

    internal static SimdWidth Resolve(SimdWidth width) => width == SimdWidth.Auto ? Best : width;

    /// <summary>
    /// Whether the CPU executes this width in hardware. For 512 bits that includes CPUs whose runtime does not
    /// <i>prefer</i> 512-bit vectors (<see cref="Vector512.IsHardwareAccelerated"/> is false when the runtime's
    /// preferred width is 256, as on this project's Zen 4 machines) but which still run Vector512 as AVX-512.
    /// </summary>
    internal static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.Auto or SimdWidth.Scalar => true,
        SimdWidth.V128 => Vector128.IsHardwareAccelerated,
        SimdWidth.V256 => Vector256.IsHardwareAccelerated,
        SimdWidth.V512 => Vector512.IsHardwareAccelerated || Avx512F.IsSupported,
        _ => false,
    };
}
