using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Outer products (NN, TN) with fewer columns than one wide tile but at least two vectors (a 40-example chunk's second
/// layer at 512 bits) run two-vector tiles rather than single-vector ones; each element stays one FMA chain over k in
/// order, scaled once at the end, so its bits are those of a scalar model of that chain at every width, tile shape and
/// offset.
/// </summary>
public sealed class OuterFewColumnsTests
{
    [Fact]
    public void MultiplyNNAndTN_FewerColumnsThanAWideTile_MatchScalarFmaChain()
    {
        const float Alpha = 1f / 209;
        foreach (int m in new[] { 3, 9, 10, 11, 128 })
        {
            foreach (int n in new[] { 31, 32, 33, 40, 47, 48, 63 })
            {
                int k = m == 128 ? 256 : 7 + n;
                float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 53) + n);
                float[] b = KernelTestSupport.RandomFloats(k * n, seed: (n * 59) + m);
                float[] aTransposed = new float[k * m];
                for (int i = 0; i < m; i++)
                {
                    for (int p = 0; p < k; p++)
                    {
                        aTransposed[(p * m) + i] = a[(i * k) + p];
                    }
                }

                float[] expected = ScalarChain(a, b, m, k, n, Alpha);
                foreach (SimdWidth width in new[] { SimdWidth.V512, SimdWidth.V256, SimdWidth.V128 })
                {
                    foreach (TileShape tiles in Enum.GetValues<TileShape>())
                    {
                        foreach (int offset in new[] { 0, 1 })
                        {
                            string what = $"m={m} k={k} n={n} at {width}, {tiles} tiles, offset {offset}";
                            KernelTestSupport.AssertBitIdentical(expected, Run(a, b, m, k, n, Alpha, width, tiles, offset, transposed: false), n, "NN " + what);
                            KernelTestSupport.AssertBitIdentical(expected, Run(aTransposed, b, m, k, n, Alpha, width, tiles, offset, transposed: true), n, "TN " + what);
                        }
                    }
                }
            }
        }
    }

    /// <summary>C(i, j) = alpha · (one FMA chain over p = 0 … k−1 from +0).</summary>
    private static float[] ScalarChain(float[] a, float[] b, int m, int k, int n, float alpha)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(i * k) + p], b[(p * n) + j], sum);
                }

                c[(i * n) + j] = sum * alpha;
            }
        }

        return c;
    }

    private static float[] Run(float[] a, float[] b, int m, int k, int n, float alpha, SimdWidth width, TileShape tiles, int offset, bool transposed)
    {
        var aAt = new float[offset + a.Length];
        var bAt = new float[offset + b.Length];
        var cAt = new float[offset + (m * n)];
        a.CopyTo(aAt, offset);
        b.CopyTo(bAt, offset);
        using TileShapes.Scope forced = TileShapes.Force(tiles);
        if (transposed)
        {
            Gemm.MultiplyTN(aAt.AsSpan(offset), bAt.AsSpan(offset), cAt.AsSpan(offset), m, k, n, alpha, width);
        }
        else
        {
            Gemm.MultiplyNN(aAt.AsSpan(offset), bAt.AsSpan(offset), cAt.AsSpan(offset), m, k, n, alpha, width);
        }

        return cAt.AsSpan(offset).ToArray();
    }
}
