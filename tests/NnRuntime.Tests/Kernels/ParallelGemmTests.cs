using System;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Products large enough to split over threads give bit-for-bit the single-threaded result for every degree and width
/// (the split follows the kernels' column tiles), and allocate nothing once the workers exist.
/// </summary>
public sealed class ParallelGemmTests
{
    public static TheoryData<string, string> WidthsAndTileShapes() => KernelTestSupport.SupportedWidthsAndTileShapes();

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNN_AnyDegree_BitIdenticalToOneThread(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);

        // The weight gradient of a wide first layer: 20 × 209 · 209 × n, n not a multiple of any tile.
        const int m = 20, k = 209, n = 12288 + 37;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 11);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 12);
        float[] expected = Run(1, c => Gemm.MultiplyNN(a, b, c, m, k, n, 0.5f, width), m * n);
        foreach (int degree in new[] { 2, 3, 7 })
        {
            float[] actual = Run(degree, c => Gemm.MultiplyNN(a, b, c, m, k, n, 0.5f, width), m * n);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"NN {width} degree {degree} differs from one thread");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_AnyDegree_BitIdenticalToOneThread(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);

        // The forward product of a wide first layer: 20 × k · (m × k)ᵀ.
        const int m = 21, k = 4099, n = 209;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 13);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed: 14);
        float[] expected = Run(1, c => Gemm.MultiplyNT(a, b, c, m, k, n, 1f, width), m * n);
        foreach (int degree in new[] { 2, 3 })
        {
            float[] actual = Run(degree, c => Gemm.MultiplyNT(a, b, c, m, k, n, 1f, width), m * n);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"NT {width} degree {degree} differs from one thread");
        }
    }

    /// <summary>
    /// The fused forward products split the same way: Z1 = g(W1·Xᵀ + b1) and g(dZ1·X + b) with every activation, B
    /// shifted off its vector alignment so the NT parts sum an aligning head, bit-for-bit the single-threaded result.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void FusedProducts_AnyDegree_BitIdenticalToOneThread(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 20, k = 2048 + 16, n = 209;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 19);
        float[] b = KernelTestSupport.RandomFloats((n * k) + 3, seed: 20);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 21);
        float[] dz = KernelTestSupport.RandomFloats(m * n, seed: 22);
        foreach (Activation activation in new[] { Activation.Linear, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU })
        {
            void Forward(float[] c) => Gemm.MultiplyNT(a, b.AsSpan(3, n * k), c, m, k, n, 1f, bias, activation, width);
            void Gradient(float[] c) => Gemm.MultiplyNN(dz, b.AsSpan(3, n * k), c, m, n, k, 1f / n, bias, activation, width);
            float[] forward = Run(1, Forward, m * n);
            float[] gradient = Run(1, Gradient, m * k);
            foreach (int degree in new[] { 2, 3 })
            {
                Assert.True(forward.AsSpan().SequenceEqual(Run(degree, Forward, m * n)), $"NT {width} {activation} degree {degree} differs from one thread");
                Assert.True(gradient.AsSpan().SequenceEqual(Run(degree, Gradient, m * k)), $"NN {width} {activation} degree {degree} differs from one thread");
            }
        }
    }

    [Fact]
    public void MultiplyNN_Parallel_MatchesReference()
    {
        const int m = 8, k = 300, n = 4000;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 15);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 16);
        float[] c = Run(2, c => Gemm.MultiplyNN(a, b, c, m, k, n), m * n);
        (double[] product, double[] magnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, n, 1, m, k, n, 1f);
        KernelTestSupport.AssertClose(c, product, magnitude, 1e-5, 0, "parallel NN");
    }

    [Fact]
    public void MultiplyNT_ParallelSteadyState_AllocatesNothing()
    {
        const int m = 20, k = 2048, n = 209;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 17);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed: 18);
        float[] c = new float[m * n];
        using (KernelParallelism.Override(2))
        {
            AllocationAssert.NoAllocation(() => Gemm.MultiplyNT(a, b, c, m, k, n), calls: 20, "MultiplyNT on 2 threads");
        }
    }

    [Fact]
    public void MaxDegreeOfParallelism_BelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.MaxDegreeOfParallelism = 0);

    private static float[] Run(int degree, Action<float[]> product, int length)
    {
        var c = new float[length];
        using (KernelParallelism.Override(degree))
        {
            product(c);
        }

        return c;
    }
}
