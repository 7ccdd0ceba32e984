using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The 512-bit register-reduced dot-product tiles (6 A rows × 4 B rows, sums reduced straight from the accumulators)
/// keep the documented order of every NT product: at the edges of their tiles, of the 16 lanes and of the one-chunk
/// limit, at every width and tile shape and wherever the buffers sit, each element has the bits of a scalar model of
/// that order, and with an epilogue the bits of the parked tiles.
/// </summary>
public sealed class DotRegisterTilesTests
{
    private static readonly SimdWidth[] Widths = [SimdWidth.V512, SimdWidth.V256, SimdWidth.V128];

    /// <summary>
    /// m and n around the 6 × 4 tile (leftover rows and columns of every count), k at the 16-lane edges, the Fashion
    /// layer's 784, and around the one-chunk limit (1039: last register-tile depth; 1040: parked tiles again).
    /// </summary>
    private static IEnumerable<(int M, int K, int N)> Shapes()
    {
        int[] ms = [5, 6, 7, 11, 12, 13, 17];
        int[] ks = [16, 17, 31, 784, 1000];
        int[] ns = [3, 4, 5, 7, 8, 9];
        foreach (int m in ms)
        {
            foreach (int n in ns)
            {
                yield return (m, ks[((m * 7) + n) % ks.Length], n);
            }
        }

        foreach (int k in ks)
        {
            yield return (13, k, 9);
        }

        yield return (12, 1024, 8);
        yield return (13, 1039, 9);
        yield return (13, 1040, 9);
        yield return (256, 784, 40);
        yield return (256, 784, 64);
        yield return (256, 784, 16);
    }

    [Fact]
    public void MultiplyNT_RegisterTileEdges_EveryWidthTileShapeAndOffset_MatchesScalarModelOfTheOrder()
    {
        const float Alpha = 1f / 209;
        foreach ((int m, int k, int n) in Shapes())
        {
            float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 31) + k);
            float[] b = KernelTestSupport.RandomFloats(n * k, seed: (n * 37) + k + 1);
            float[] expected = ScalarModel(a, b, m, k, n, Alpha);
            foreach (SimdWidth width in Widths)
            {
                foreach (TileShape tiles in Enum.GetValues<TileShape>())
                {
                    foreach (int offset in new[] { 0, 1, 3 })
                    {
                        float[] actual = Run(a, b, m, k, n, Alpha, width, tiles, offset, bias: null, Activation.Linear);
                        KernelTestSupport.AssertBitIdentical(expected, actual, n, $"m={m} k={k} n={n} at {width}, {tiles} tiles, offset {offset}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    public void MultiplyNT_RegisterTileEdgesWithBiasActivation_BitIdenticalToParkedTiles(string activationName)
    {
        Activation activation = Enum.Parse<Activation>(activationName);
        foreach ((int m, int k, int n) in Shapes())
        {
            float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 41) + k);
            float[] b = KernelTestSupport.RandomFloats(n * k, seed: (n * 43) + k + 1);
            float[] bias = KernelTestSupport.RandomFloats(m, seed: m + 5);

            // 256-bit wide tiles park their lane sums (two passes) and reduce them in DotReduce: the other path.
            float[] expected = Run(a, b, m, k, n, 1f, SimdWidth.V256, TileShape.Wide, 0, bias, activation);
            foreach (int offset in new[] { 0, 1 })
            {
                float[] actual = Run(a, b, m, k, n, 1f, SimdWidth.V512, TileShape.Wide, offset, bias, activation);
                KernelTestSupport.AssertBitIdentical(expected, actual, n, $"{activation} m={m} k={k} n={n} at 512 bits, wide tiles, offset {offset}");
            }
        }
    }

    [Fact]
    public void Sum4Pair_MixedMagnitudes_BitsOfSum4OfEachRow()
    {
        // Magnitudes 2^-20 … 2^20 and both signs, so any other grouping of the additions rounds differently.
        var random = new Random(17);
        for (int trial = 0; trial < 200; trial++)
        {
            var rows = new Vector512<float>[8];
            for (int v = 0; v < rows.Length; v++)
            {
                var lanes = new float[16];
                for (int l = 0; l < lanes.Length; l++)
                {
                    lanes[l] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-20, 21)));
                }

                rows[v] = Vector512.Create(lanes);
            }

            (Vector128<float> first, Vector128<float> second) = HorizontalSums.Sum4Pair(rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7]);
            Assert.Equal(HorizontalSums.Sum4(rows[0], rows[1], rows[2], rows[3]).AsInt32(), first.AsInt32());
            Assert.Equal(HorizontalSums.Sum4(rows[4], rows[5], rows[6], rows[7]).AsInt32(), second.AsInt32());
        }
    }

    [Fact]
    public void UsesDotRegisterTiles_FashionLayerOneChunk_OnlyAt512BitsWithWideTiles()
    {
        Assert.True(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 256, 784, 40));
        Assert.True(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 256, 784, 64));
        Assert.True(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 6, 1039, 4));
        Assert.False(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 6, 1040, 4));
        Assert.False(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 5, 784, 40));
        Assert.False(GemmKernels.UsesDotRegisterTiles(16, TileShape.Wide, 256, 784, 3));
        Assert.False(GemmKernels.UsesDotRegisterTiles(16, TileShape.Narrow, 256, 784, 40));
        Assert.False(GemmKernels.UsesDotRegisterTiles(8, TileShape.Wide, 256, 784, 40));
    }

    /// <summary>
    /// The documented order, element by element: element p to lane p mod 16 as one FMA chain in order of p, the
    /// elements after the last full 16 in the top lanes of one more step over the last 16 (the other lanes take
    /// 0 · 0, which turns a −0 lane into +0 as the masked vector step does), then lanes i and i + 8 added, pairs, pairs
    /// of pairs, the two halves last, and the sum scaled by alpha.
    /// </summary>
    private static float[] ScalarModel(float[] a, float[] b, int m, int k, int n, float alpha)
    {
        var c = new float[m * n];
        var lanes = new float[16];
        int bodyEnd = k / 16 * 16;
        int tail = k - bodyEnd;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Array.Clear(lanes);
                for (int p = 0; p < bodyEnd; p++)
                {
                    lanes[p % 16] = MathF.FusedMultiplyAdd(a[(i * k) + p], b[(j * k) + p], lanes[p % 16]);
                }

                if (tail != 0)
                {
                    for (int l = 0; l < 16; l++)
                    {
                        bool kept = l >= 16 - tail;
                        float x = kept ? a[(i * k) + k - 16 + l] : 0f;
                        float y = kept ? b[(j * k) + k - 16 + l] : 0f;
                        lanes[l] = MathF.FusedMultiplyAdd(x, y, lanes[l]);
                    }
                }

                var h = new float[8];
                for (int l = 0; l < 8; l++)
                {
                    h[l] = lanes[l] + lanes[l + 8];
                }

                float low = (h[0] + h[1]) + (h[2] + h[3]);
                float high = (h[4] + h[5]) + (h[6] + h[7]);
                c[(i * n) + j] = (low + high) * alpha;
            }
        }

        return c;
    }

    /// <summary>The product through the public edge at a forced width and tile shape, every buffer starting <paramref name="offset"/> floats into its array.</summary>
    private static float[] Run(
        float[] a, float[] b, int m, int k, int n, float alpha, SimdWidth width, TileShape tiles, int offset, float[]? bias, Activation activation)
    {
        var aAt = new float[offset + a.Length];
        var bAt = new float[offset + b.Length];
        var cAt = new float[offset + (m * n)];
        a.CopyTo(aAt, offset);
        b.CopyTo(bAt, offset);
        using TileShapes.Scope forced = TileShapes.Force(tiles);
        Gemm.MultiplyNT(aAt.AsSpan(offset), bAt.AsSpan(offset), cAt.AsSpan(offset), m, k, n, alpha, bias ?? [], activation, width);
        return cAt.AsSpan(offset).ToArray();
    }
}
