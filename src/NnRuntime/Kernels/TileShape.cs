using System;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The register-tile shapes of the matrix products, chosen by how many vector registers the CPU has. A tile keeps
/// one accumulator per vector of C it computes, plus the operands of one step, and must fit the register file: a tile
/// one register too large spills accumulators to the stack on every step.
/// </summary>
internal enum TileShape
{
    /// <summary>
    /// 16 vector registers (x64 without AVX-512): outer-product tiles of 5 rows × 2 vectors (10 accumulators, 2 B
    /// vectors, 1 broadcast) and dot-product tiles of 3 A rows × 4 B rows (12 accumulators, 3 A vectors, 1 B vector).
    /// </summary>
    Narrow,

    /// <summary>
    /// 32 vector registers (AVX-512, whose EVEX encoding gives 128- and 256-bit code all 32 too, and Arm64):
    /// outer-product tiles of 5 rows × 4 vectors and dot-product tiles of 4 A rows × 5 B rows.
    /// </summary>
    Wide,
}

/// <summary>Which <see cref="TileShape"/> a product runs with, resolved once at the public edge like its width.</summary>
internal static class TileShapes
{
    private static readonly TileShape Hardware = Avx512F.IsSupported || AdvSimd.Arm64.IsSupported ? TileShape.Wide : TileShape.Narrow;

    [ThreadStatic]
    private static TileShape? t_forced;

    /// <summary>The shape for a product started on this thread: the hardware's, unless a test forced one.</summary>
    internal static TileShape Current => t_forced ?? Hardware;

    /// <summary>Runs the products this thread starts with <paramref name="shape"/> until the scope is disposed (tests run both shapes on any machine).</summary>
    internal static Scope Force(TileShape shape)
    {
        TileShape? previous = t_forced;
        t_forced = shape;
        return new Scope(previous);
    }

    /// <summary>Vectors of C columns per outer-product tile.</summary>
    internal static int OuterVectors(this TileShape shape) => shape == TileShape.Wide ? 4 : 2;

    /// <summary>A rows (rows of C) per dot-product tile.</summary>
    internal static int DotRows(this TileShape shape) => shape == TileShape.Wide ? 4 : 3;

    /// <summary>B rows (columns of C) per dot-product tile.</summary>
    internal static int DotColumns(this TileShape shape) => shape == TileShape.Wide ? 5 : 4;

    internal readonly struct Scope(TileShape? previous) : IDisposable
    {
        public void Dispose() => t_forced = previous;
    }
}
