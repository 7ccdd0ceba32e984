using System;
using System.Runtime.Intrinsics.X86;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The frozen form's packed one-example product (<see cref="PackedMatVec"/>, <see cref="LaneMajorMatVec"/>) gives
/// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>'s
/// bits at every width: shapes on either side of the 8- and 16-row blocks, of one to four vectors a row (the
/// x-in-registers rows, reduced by another tree), of the k tails and of the group of four blocks, every activation.
/// Bits are the reference here because the frozen form promises the network's outputs exactly; the row-major product
/// itself is held to a double-precision reference by <see cref="MatVecKernelsTests"/>, and <see cref="Forward_Layer2OfMedium_MatchesDoubleReference"/> checks this one too.
/// </summary>
public sealed class PackedMatVecTests
{
    private static readonly int[] EdgeRows = [8, 9, 15, 16, 17, 20, 31, 32, 33, 48, 64, 65, 80, 100];
    private static readonly int[] EdgeCols = [8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 128];

    [Theory]
    [MemberData(nameof(MatVecKernelsTests.Cases), MemberType = typeof(MatVecKernelsTests))]
    public void Forward_EdgeShapes_GivesMatVecsBits(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        int packedShapes = 0;
        foreach (int rows in EdgeRows)
        {
            foreach (int cols in EdgeCols)
            {
                packedShapes += CheckBits(width, width, activation, rows, cols, seed: (rows * 1000) + cols) ? 1 : 0;
            }
        }

        // The comparison proves something only where the packed copy ran: at 256 and 512 bits most of these shapes
        // have a lane-major form (the rest take other row-major paths, which the copy leaves to MatVec).
        SimdWidth resolved = SimdWidths.Resolve(width);
        if (resolved == SimdWidth.V512 && Avx512F.IsSupported || resolved == SimdWidth.V256 && Avx.IsSupported)
        {
            Assert.True(packedShapes >= EdgeRows.Length * EdgeCols.Length / 2, $"only {packedShapes} of {EdgeRows.Length * EdgeCols.Length} shapes were packed at {widthName}");
        }
    }

    /// <summary>Packed at one width and called at another (tests force widths at run time), it gives the calling width's bits.</summary>
    [Theory]
    [MemberData(nameof(KernelTestSupport.SupportedWidths), MemberType = typeof(KernelTestSupport))]
    public void Forward_CalledAtAnotherWidth_GivesThatWidthsBits(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach (SimdWidth packedFor in new[] { SimdWidth.V512, SimdWidth.V256, SimdWidth.Scalar })
        {
            foreach ((int rows, int cols) in new[] { (64, 64), (64, 16), (20, 33) })
            {
                CheckBits(packedFor, width, Activation.ReLU, rows, cols, seed: rows + cols);
            }
        }
    }

    /// <summary>
    /// The layers of [16,64,64,1] take the two 512-bit trees and the 256-bit one; a single row and a W beyond the row
    /// blocks' limit are not packed. Without AVX-512F (a Zen 3, or the runtime told not to use it) a call at 512 bits
    /// runs the row blocks at 256, so 64 × 64 is packed for those, while the one-vector rows' 512-bit tree is not.
    /// </summary>
    [Fact]
    public void IsPacked_NetworkShapes_FollowMatVecsPaths()
    {
        float[] w = KernelTestSupport.RandomFloats(20 * 12288, 1);
        Assert.Equal(Avx512F.IsSupported || Avx.IsSupported, new PackedMatVec(w.AsSpan(0, 64 * 64), 64, 64, Activation.ReLU, SimdWidth.V512).IsPacked);
        Assert.Equal(Avx512F.IsSupported, new PackedMatVec(w.AsSpan(0, 64 * 16), 64, 16, Activation.ReLU, SimdWidth.V512).IsPacked);
        Assert.Equal(Avx.IsSupported, new PackedMatVec(w.AsSpan(0, 64 * 64), 64, 64, Activation.ReLU, SimdWidth.V256).IsPacked);
        Assert.False(new PackedMatVec(w.AsSpan(0, 64 * 64), 64, 64, Activation.ReLU, SimdWidth.V128).IsPacked);
        Assert.False(new PackedMatVec(w.AsSpan(0, 64), 1, 64, Activation.ReLU, SimdWidth.V512).IsPacked);
        Assert.False(new PackedMatVec(w, 20, 12288, Activation.ReLU, SimdWidth.V512).IsPacked);
    }

    [Fact]
    public void Forward_Layer2OfMedium_MatchesDoubleReference()
    {
        const int Rows = 64, Cols = 64;
        float[] w = KernelTestSupport.RandomFloats(Rows * Cols, 3, 0.3f);
        float[] x = KernelTestSupport.RandomFloats(Cols, 4);
        float[] b = KernelTestSupport.RandomFloats(Rows, 5);
        float[] y = new float[Rows];
        new PackedMatVec(w, Rows, Cols, Activation.Linear).Forward(w, x, b, y);
        (double[] product, double[] magnitude) = KernelTestSupport.ReferenceProduct(w, Cols, 1, x, 1, 1, Rows, Cols, 1, 1f);
        for (int r = 0; r < Rows; r++)
        {
            product[r] += b[r];
            magnitude[r] += Math.Abs(b[r]);
        }

        // A reassociated float sum of 64 terms: within a small multiple of ε·Σ|w||x| (ε = 2⁻²⁴), here 1e-6 relative.
        KernelTestSupport.AssertClose(y, product, magnitude, 1e-6, 0, "PackedMatVec 64 x 64");
    }

    [Fact]
    public void Forward_WrongLengths_ThrowsNamingTheBufferAndLeavesYUntouched()
    {
        float[] w = KernelTestSupport.RandomFloats(64 * 16, 6);
        var packed = new PackedMatVec(w, 64, 16, Activation.ReLU);
        float[] y = new float[64];
        Array.Fill(y, -7f);
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => packed.Forward(w, new float[15], new float[64], y));
        Assert.Contains("x", error.Message, StringComparison.Ordinal);
        Assert.Contains("15", error.Message, StringComparison.Ordinal);
        Assert.Contains("16", error.Message, StringComparison.Ordinal);
        Assert.All(y, value => Assert.Equal(-7f, value));
        Assert.ThrowsAny<ArgumentException>(() => packed.Forward(w.AsSpan(1), new float[16], new float[64], y));
        Assert.ThrowsAny<ArgumentException>(() => packed.Forward(w, new float[16], new float[64], y.AsSpan(1)));
        Assert.All(y, value => Assert.Equal(-7f, value));
        Assert.ThrowsAny<ArgumentException>(() => new PackedMatVec(w, 64, 17, Activation.ReLU));
        Assert.ThrowsAny<ArgumentException>(() => new PackedMatVec(w, 64, 16, (Activation)99));
        Assert.ThrowsAny<ArgumentException>(() => new PackedMatVec(w, 64, 16, Activation.Softmax));
    }

    [Fact]
    public void Forward_AllocatesNothing()
    {
        float[] w = KernelTestSupport.RandomFloats(64 * 64, 7);
        float[] x = KernelTestSupport.RandomFloats(64, 8);
        float[] b = KernelTestSupport.RandomFloats(64, 9);
        float[] y = new float[64];
        var packed = new PackedMatVec(w, 64, 64, Activation.Tanh);
        AllocationAssert.NoAllocation(() => packed.Forward(w, x, b, y), 100, "PackedMatVec.Forward");
    }

    /// <summary>Packs W for <paramref name="packedFor"/>, runs it at <paramref name="width"/> against Gemm.MatVec there; returns whether a packed copy exists.</summary>
    private static bool CheckBits(SimdWidth packedFor, SimdWidth width, Activation activation, int rows, int cols, int seed)
    {
        float[] w = KernelTestSupport.RandomFloats(rows * cols, seed, 0.5f);
        float[] x = KernelTestSupport.RandomFloats(cols, seed + 1);
        float[] b = KernelTestSupport.RandomFloats(rows, seed + 2);
        float[] expected = new float[rows];
        Gemm.MatVec(w, x, b, expected, rows, cols, activation, width);
        var packed = new PackedMatVec(w, rows, cols, activation, packedFor);
        float[] actual = new float[rows];
        packed.Forward(w, x, b, actual, width);
        KernelTestSupport.AssertBitIdentical(expected, actual, 1, $"{rows} x {cols}, {activation}, packed for {packedFor}, called at {width}");
        return packed.IsPacked;
    }
}
