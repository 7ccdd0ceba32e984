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

internal static class SimdWidths
{
    /// <summary>
    /// The widest width the runtime reports accelerated, widest first as TensorPrimitives does. On Intel parts the
    /// runtime flags for AVX-512 frequency throttling (the Cascade Lake build machine among them)
    /// <see cref="Vector512.IsHardwareAccelerated"/> is false unless <c>DOTNET_PreferredVectorBitWidth=512</c> is set,
    /// so Auto is 256-bit there; this follows the runtime's whole-process choice rather than overriding it per kernel.
    /// </summary>
    internal static readonly SimdWidth Best =
        Vector512.IsHardwareAccelerated ? SimdWidth.V512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.V256 :
        Vector128.IsHardwareAccelerated ? SimdWidth.V128 :
        SimdWidth.Scalar;

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
