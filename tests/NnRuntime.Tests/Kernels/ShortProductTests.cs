using System;
using System.Collections.Generic;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The paths of a medium network's full-batch iteration ([30,16,1], m = 455): the short-depth NT product's block
/// transpose of B, outer products whose last columns go through one full tile laid over the previous tile's columns,
/// and the four-row tiles for the rows the five-row tiles leave. Each against the double-precision reference at every width and tile shape; their bits across widths are
/// <see cref="CrossWidthTests"/>'.
/// </summary>
public sealed class ShortProductTests
{
    private const float Sentinel = -12345.5f;
    private const int MaxVector = 16;

    public static TheoryData<string, string> WidthsAndTiles() => KernelTestSupport.SupportedWidthsAndTileShapes();

    /// <summary>Sizes around the 4- and 8-float blocks (edges that overlap the previous block, sources narrower than one).</summary>
    private static readonly int[] TransposeSizes = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 30, 31, 64, 71, 128];

    [Fact]
    public unsafe void BlockTranspose_EverySizeAndStride_EqualsScalarTranspose()
    {
        foreach (int rows in TransposeSizes)
        {
            foreach (int cols in TransposeSizes)
            {
                foreach ((int sourcePad, int destinationPad) in new[] { (0, 0), (3, 5) })
                {
                    int lds = cols + sourcePad, ldd = rows + destinationPad;
                    float[] source = KernelTestSupport.RandomFloats((rows * lds) + MaxVector, seed: (rows * 131) + cols);
                    float[] expected = new float[(cols * ldd) + MaxVector];
                    float[] actual = new float[(cols * ldd) + MaxVector];
                    expected.AsSpan().Fill(Sentinel);
                    actual.AsSpan().Fill(Sentinel);
                    for (int r = 0; r < rows; r++)
                    {
                        for (int c = 0; c < cols; c++)
                        {
                            expected[(c * ldd) + r] = source[(r * lds) + c];
                        }
                    }

                    fixed (float* s = source)
                    fixed (float* d = actual)
                    {
                        BlockTranspose.Transpose(s, lds, d, ldd, rows, cols);
                    }

                    // Every float compared, padding and the space after the block included: only the block is written.
                    for (int index = 0; index < expected.Length; index++)
                    {
                        Assert.True(
                            BitConverter.SingleToInt32Bits(expected[index]) == BitConverter.SingleToInt32Bits(actual[index]),
                            $"{rows} x {cols} (lds {lds}, ldd {ldd}): destination[{index}] is {actual[index]:R}, expected {expected[index]:R}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Shapes of the tabular iteration and of outer products whose column tail needs an overlapping full tile at some
    /// width (n = 30, 60, 62 against tiles of 16, 32 and 64 columns), or just misses it.
    /// </summary>
    private static IEnumerable<(int M, int K, int N)> Shapes() =>
    [
        (16, 30, 455), (16, 455, 30), (1, 16, 455), (16, 1, 455), (1, 455, 16),
        (12, 31, 30), (7, 64, 60), (6, 17, 62), (11, 9, 47), (16, 20, 33), (10, 64, 129),

        // Rows left after the five-row tiles (m % 5 = 1 … 4), unpacked and packed over several depth blocks.
        (4, 40, 50), (9, 40, 50), (14, 40, 50), (21, 40, 50), (26, 3, 17), (6, 40, 50),
        (21, 300, 70), (18, 300, 70), (9, 300, 70), (16, 300, 70),
    ];

    [Theory]
    [MemberData(nameof(WidthsAndTiles))]
    public void Products_TabularAndOverlappingTailShapes_MatchReference(string widthName, string tilesName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope tiles = KernelTestSupport.ForceTileShape(tilesName);
        foreach ((int m, int k, int n) in Shapes())
        {
            float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 31) + k);
            float[] b = KernelTestSupport.RandomFloats(k * n, seed: (n * 37) + k);
            ReadOnlySpan<float> bias = KernelTestSupport.RandomFloats(m, seed: m + 3);
            float[] activations = GemmReference.ActivationValues(m * n);
            float[] c = new float[(m * n) + MaxVector];
            float alpha = 1f / 455;
            string shape = $"{width} {tilesName} m={m} k={k} n={n}";
            foreach (Activation activation in GemmReference.Activations)
            {
                // NN: A (m × k) · B (k × n).
                var (nn, nnMagnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, n, 1, m, k, n, alpha);
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyNN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, bias, activation, width);
                GemmReference.AssertForward(c, nn, nnMagnitude, bias, activation, m, n, Sentinel, $"NN {shape} {activation}");

                // NT: A (m × k) · B (n × k)ᵀ, with the same floats read as n rows of k.
                var (nt, ntMagnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, 1, k, m, k, n, alpha);
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyNT(a, b, c.AsSpan(0, m * n), m, k, n, alpha, bias, activation, width);
                GemmReference.AssertForward(c, nt, ntMagnitude, bias, activation, m, n, Sentinel, $"NT {shape} {activation}");

                // TN: A (k × m)ᵀ · B (k × n), the same floats of A read as k rows of m.
                var (tn, tnMagnitude) = KernelTestSupport.ReferenceProduct(a, 1, m, b, n, 1, m, k, n, alpha);
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyTN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, activations, activation, width);
                GemmReference.AssertBackward(c, tn, tnMagnitude, activations, activation, m, n, Sentinel, $"TN {shape} {activation}");
            }
        }
    }
}
