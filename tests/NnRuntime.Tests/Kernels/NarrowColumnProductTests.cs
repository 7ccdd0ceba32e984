using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// NN products whose C is narrower than one vector but at least four columns wide (dW1 = (1/m)·dZ1·X of a network with
/// 4 to 15 inputs, the weight gradient of SimpleChains' first layer) run with the vectors along C's rows over transposed
/// blocks of A. Each element must still be the general path's FMA chain over k in order, scaled once at the end, at
/// every width and tile shape, across the depth blocks and over the overlapping last row and column blocks.
/// </summary>
public class NarrowColumnProductTests
{
    private static readonly (SimdWidth Width, TileShape Tiles)[] Widths =
    [
        (SimdWidth.V512, TileShape.Wide),
        (SimdWidth.V512, TileShape.Narrow),
        (SimdWidth.V256, TileShape.Wide),
        (SimdWidth.V256, TileShape.Narrow),
        (SimdWidth.V128, TileShape.Wide),
    ];

    public static TheoryData<int, int, int> Shapes() => new()
    {
        // SimpleChains' dW1 on one chunk of 10,000 examples and on the whole batch.
        { 32, 624, 4 },
        { 32, 640, 4 },
        { 32, 10_000, 4 },

        // Row edges (one vector, one past, the overlapping last block), column edges (4 to 15, groups overlapping).
        { 8, 33, 4 },
        { 9, 33, 7 },
        { 16, 1, 4 },
        { 17, 2, 5 },
        { 31, 17, 8 },
        { 33, 65, 9 },
        { 40, 100, 15 },
        { 47, 3, 12 },
        { 64, 209, 13 },

        // Depth blocks: past one panel of two 512-bit row vectors (3,968) and of one 256-bit one (7,936).
        { 32, 4_000, 6 },
        { 16, 8_000, 4 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyNN_NarrowC_EveryWidth_IsTheFmaChainScaledOnce(int m, int k, int n)
    {
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 31) + k);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: (n * 17) + k);
        float alpha = 1f / k;

        // The documented order of the outer-product path: one fused chain over p from zero, then one multiply.
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(i * k) + p], b[(p * n) + j], sum);
                }

                expected[(i * n) + j] = sum * alpha;
            }
        }

        (double[] reference, double[] magnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, n, 1, m, k, n, alpha);
        foreach ((SimdWidth width, TileShape tiles) in Widths)
        {
            using TileShapes.Scope forced = TileShapes.Force(tiles);
            float[] c = new float[(m * n) + 1];
            c[^1] = 42f;
            Gemm.MultiplyNN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, width);
            string context = $"NN m={m} k={k} n={n} at {width}, {tiles} tiles";
            KernelTestSupport.AssertUntouched(c, m * n, 42f, context);
            KernelTestSupport.AssertClose(c.AsSpan(0, m * n), reference, magnitude, (k + 1) * 6e-8, 0, context);
            for (int index = 0; index < m * n; index++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected[index]) == BitConverter.SingleToInt32Bits(c[index]),
                    $"{context}: C[{index / n}, {index % n}] is {c[index]:R}, the FMA chain gives {expected[index]:R}");
            }
        }
    }
}
