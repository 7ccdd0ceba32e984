using System;
using System.Runtime.InteropServices;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The work split of the matrix products: how many parts each shape gets (the same for every degree), that the parts
/// tile C exactly once on the kernels' tile boundaries, and that the split product is bit-for-bit the whole product
/// computed by one kernel call, for every width, tile shape and degree from 1 to 16 (more threads than this machine
/// has cores: the split does not care).
/// </summary>
public sealed unsafe class ProductSplitTests
{
    private static readonly int[] Degrees = [1, 2, 3, 4, 8, 16];

    public static TheoryData<string, string> WidthsAndTileShapes() => KernelTestSupport.SupportedWidthsAndTileShapes();

    /// <summary>
    /// The products of the workloads ([784,256,128,10] at batch 128 and 10,000; the cat network at m = 209),
    /// in kernel terms (rows of C, depth, columns of C), and the grid each gets on one thread and on 16. Every product
    /// large enough to split reaches 16 parts at degree 16. Only the cat network's forward Z1 = W1·Xᵀ (20 × 209 outputs
    /// over k = 12288) depends on the degree: each of its column parts copies W1's rows again and each row part streams
    /// the 10 MB of X again, so up to 10 threads it stays at 2 × 5 parts on 40-column cuts, and beyond that it is cut
    /// into 2 × 10 on 20-column cuts.
    /// </summary>
    public static TheoryData<string, string, int, int, int, int, int, int, int> Shapes() => new()
    {
        { "Fashion Z1 = W1·Xᵀ", "NT", 256, 784, 128, 16, 1, 16, 1 },
        { "Fashion Z2 = W2·A1", "NN", 128, 256, 128, 8, 2, 8, 2 },
        { "Fashion Z3 = W3·A2", "NN", 10, 128, 128, 1, 1, 1, 1 },
        { "Fashion dW3 = dZ3·A2ᵀ", "NT", 10, 128, 128, 1, 1, 1, 1 },
        { "Fashion dA2 = W3ᵀ·dZ3", "TN", 128, 10, 128, 1, 1, 1, 1 },
        { "Fashion dW2 = dZ2·A1ᵀ", "NT", 128, 128, 256, 3, 6, 3, 6 },
        { "Fashion dA1 = W2ᵀ·dZ2", "TN", 256, 128, 128, 8, 2, 8, 2 },
        { "Fashion dW1 = dZ1·X", "NN", 256, 128, 784, 2, 12, 2, 12 },
        { "10k Z1 = W1·Xᵀ", "NT", 256, 784, 10000, 1, 16, 1, 16 },
        { "10k Z2 = W2·A1", "NN", 128, 256, 10000, 1, 16, 1, 16 },
        { "10k Z3 = W3·A2", "NN", 10, 128, 10000, 1, 16, 1, 16 },
        { "Cat Z1 = W1·Xᵀ", "NT", 20, 12288, 209, 2, 5, 2, 10 },
        { "Cat dW1 = dZ1·X", "NN", 20, 209, 12288, 1, 16, 1, 16 },
        { "Cat Z2 = W2·A1", "NN", 7, 20, 209, 1, 1, 1, 1 },
        { "Short NT through transposed panels", "NT", 640, 32, 1000, 2, 15, 2, 15 },
        { "Few columns: rows only", "NN", 1000, 100, 50, 16, 1, 16, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void For_WorkloadShapes_PartsPerDegree(
        string product, string orientation, int m, int k, int n, int rowParts, int columnParts, int rowParts16, int columnParts16)
    {
        ProductOrientation parsed = Enum.Parse<ProductOrientation>(orientation);
        bool shared = 2L * m * k * n >= KernelParallelism.MinimumParallelFlops;
        ProductSplit single = ProductSplit.For(parsed, m, k, n, degree: 1);
        Assert.True(rowParts == single.RowParts && columnParts == single.ColumnParts, $"{product}, degree 1: {single.RowParts} × {single.ColumnParts} parts, expected {rowParts} × {columnParts}");
        ProductSplit sixteen = ProductSplit.For(parsed, m, k, n, degree: 16);
        Assert.True(rowParts16 == sixteen.RowParts && columnParts16 == sixteen.ColumnParts, $"{product}, degree 16: {sixteen.RowParts} × {sixteen.ColumnParts} parts, expected {rowParts16} × {columnParts16}");

        foreach (int degree in Degrees)
        {
            ProductSplit split = ProductSplit.For(parsed, m, k, n, degree);
            if (shared)
            {
                Assert.True(split.Parts >= degree, $"{product}, degree {degree}: only {split.Parts} parts");
            }

            Assert.True(split.Parts is var parts && (parts == rowParts * columnParts || parts == rowParts16 * columnParts16), $"{product}, degree {degree}: {split.Parts} parts");
            Assert.Equal(Math.Min(degree, split.Parts), split.Threads(degree));
        }
    }

    [Theory]
    [InlineData("NN")]
    [InlineData("NT")]
    [InlineData("TN")]
    public void Part_ManyShapes_CoverEveryElementOnceOnTileBoundaries(string orientationName)
    {
        ProductOrientation orientation = Enum.Parse<ProductOrientation>(orientationName);
        var random = new Random(41);
        for (int trial = 0; trial < 300; trial++)
        {
            int m = random.Next(1, 700), k = random.Next(1, 900), n = random.Next(1, 3000);
            ProductSplit split = ProductSplit.For(orientation, m, k, n, degree: trial % 2 == 0 ? 1 : 16);
            bool dot = orientation == ProductOrientation.NT && k > GemmKernels.MaxTransposedDepth;
            int rowAlignment = dot ? 12 : orientation == ProductOrientation.NT ? 60 : 10;
            int columnAlignment = split.ColumnAlignment;
            Assert.True(dot ? columnAlignment is 40 or 20 : columnAlignment == 64, $"{orientation} {m}×{k}×{n}: columns cut at multiples of {columnAlignment}");
            var covered = new int[m * n];
            for (int part = 0; part < split.Parts; part++)
            {
                ProductPart p = split.Part(part);
                string where = $"{orientation} {m}×{k}×{n} part {part} of {split.Parts} ({p})";
                Assert.True(p.Rows > 0 && p.Columns > 0, where);
                Assert.True(p.Row % rowAlignment == 0 && p.Column % columnAlignment == 0, $"{where}: not on a tile boundary");
                if (p.Row + p.Rows < m)
                {
                    Assert.True(p.Rows % rowAlignment == 0, $"{where}: an inner part's rows are not whole tiles");
                }

                if (p.Column + p.Columns < n)
                {
                    Assert.True(p.Columns % columnAlignment == 0, $"{where}: an inner part's columns are not whole tiles");
                }

                if (!dot && split.RowParts > 1)
                {
                    Assert.True(p.Rows >= rowAlignment, $"{where}: fewer rows than the whole product's packing decision needs");
                }

                for (int i = p.Row; i < p.Row + p.Rows; i++)
                {
                    for (int j = p.Column; j < p.Column + p.Columns; j++)
                    {
                        covered[(i * n) + j]++;
                    }
                }
            }

            int index = Array.FindIndex(covered, count => count != 1);
            Assert.True(index < 0, $"{orientation} {m}×{k}×{n}: element {index} computed {(index < 0 ? 1 : covered[index])} times");
        }
    }

    /// <summary>Z = g(W·B + b) cut into a grid of 2 × 10 parts: bit-identical to one whole kernel call, for every degree and activation.</summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNN_RowsAndColumnsSplit_BitIdenticalToWholeKernelAtEveryDegree(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 133, k = 97, n = 700;
        Assert.True(ProductSplit.For(ProductOrientation.NN, m, k, n, degree: 1) is { RowParts: > 1, ColumnParts: > 1 });
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 51);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 52);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 53);
        SimdWidth resolved = Gemm.Resolve(width);
        TileShape tiles = TileShapes.Current;
        foreach (Activation activation in new[] { Activation.Linear, Activation.ReLU, Activation.Sigmoid })
        {
            float[] whole = new float[m * n];
            fixed (float* pa = a)
            fixed (float* pb = b)
            fixed (float* pc = whole)
            fixed (float* pbias = bias)
            {
                switch (activation)
                {
                    case Activation.Linear:
                        GemmKernels.Outer(resolved, tiles, pa, k, 1, pb, n, pc, n, m, k, n, 0.75f, new BiasActivationEpilogue<LinearOperator>(pbias));
                        break;
                    case Activation.ReLU:
                        GemmKernels.Outer(resolved, tiles, pa, k, 1, pb, n, pc, n, m, k, n, 0.75f, new BiasActivationEpilogue<ReLUOperator>(pbias));
                        break;
                    default:
                        GemmKernels.Outer(resolved, tiles, pa, k, 1, pb, n, pc, n, m, k, n, 0.75f, new BiasActivationEpilogue<SigmoidOperator>(pbias));
                        break;
                }
            }

            foreach (int degree in Degrees)
            {
                float[] split = Run(degree, c => Gemm.MultiplyNN(a, b, c, m, k, n, 0.75f, bias, activation, width), m * n);
                AssertBitIdentical(whole, split, $"NN {width} {tileShape} {activation} degree {degree}");
            }
        }
    }

    /// <summary>Z1 = g(W1·Xᵀ + b1) on dot-product tiles, a short last row part and a k tail: bit-identical to one whole call.</summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_DotTilesSplit_BitIdenticalToWholeKernelAtEveryDegree(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 50, k = 1301, n = 290;
        Assert.True(ProductSplit.For(ProductOrientation.NT, m, k, n, degree: 1) is { RowParts: > 1, ColumnParts: > 1 });
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 54);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed: 55);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 56);
        float[] whole = new float[m * n];
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = whole)
        fixed (float* pbias = bias)
        {
            GemmKernels.Dot(Gemm.Resolve(width), TileShapes.Current, pa, k, pb, k, pc, n, m, k, n, 1f, new BiasActivationEpilogue<TanhOperator>(pbias));
        }

        foreach (int degree in Degrees)
        {
            float[] split = Run(degree, c => Gemm.MultiplyNT(a, b, c, m, k, n, 1f, bias, Activation.Tanh, width), m * n);
            AssertBitIdentical(whole, split, $"NT {width} {tileShape} degree {degree}");
        }
    }

    /// <summary>
    /// A cat-shaped Z1 (20 outputs over a long k, 209 examples) whose 40-column grid has 10 parts: from 11 threads on
    /// it is cut on 20-column boundaries into 20 parts, and every degree from 1 to 16 gives the whole kernel's bits.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_FineColumnCutsAtHighDegree_BitIdenticalToWholeKernelAtEveryDegree(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 20, k = 1301, n = 209;
        Assert.True(ProductSplit.For(ProductOrientation.NT, m, k, n, degree: 1) is { RowParts: 2, ColumnParts: 5, ColumnAlignment: 40 });
        Assert.True(ProductSplit.For(ProductOrientation.NT, m, k, n, degree: 16) is { RowParts: 2, ColumnParts: 10, ColumnAlignment: 20 });
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 60);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed: 61);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 62);
        float[] whole = new float[m * n];
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = whole)
        fixed (float* pbias = bias)
        {
            GemmKernels.Dot(Gemm.Resolve(width), TileShapes.Current, pa, k, pb, k, pc, n, m, k, n, 1f, new BiasActivationEpilogue<ReLUOperator>(pbias));
        }

        for (int degree = 1; degree <= 16; degree++)
        {
            float[] split = Run(degree, c => Gemm.MultiplyNT(a, b, c, m, k, n, 1f, bias, Activation.ReLU, width), m * n);
            AssertBitIdentical(whole, split, $"NT {width} {tileShape} degree {degree}");
        }
    }

    /// <summary>A short NT product (k ≤ 64, transposed panels plus a dot-product column tail): bit-identical to one whole call.</summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_TransposedPanelsSplit_BitIdenticalToWholeKernelAtEveryDegree(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 130, k = 40, n = 903;
        Assert.True(ProductSplit.For(ProductOrientation.NT, m, k, n, degree: 1) is { RowParts: > 1, ColumnParts: > 1 });
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 57);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed: 58);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 59);
        float[] whole = new float[m * n];
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = whole)
        fixed (float* pbias = bias)
        {
            GemmKernels.Dot(Gemm.Resolve(width), TileShapes.Current, pa, k, pb, k, pc, n, m, k, n, 1f, new BiasActivationEpilogue<LeakyReLUOperator>(pbias));
        }

        foreach (int degree in Degrees)
        {
            float[] split = Run(degree, c => Gemm.MultiplyNT(a, b, c, m, k, n, 1f, bias, Activation.LeakyReLU, width), m * n);
            AssertBitIdentical(whole, split, $"NT (k = {k}) {width} {tileShape} degree {degree}");
        }
    }

    /// <summary>dZ = (Wᵀ·dZnext) ⊙ g′(A), the backward product, split by rows and columns: bit-identical to one whole call.</summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyTN_Split_BitIdenticalToWholeKernelAtEveryDegree(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int m = 253, k = 64, n = 301;
        Assert.True(ProductSplit.For(ProductOrientation.TN, m, k, n, degree: 1) is { RowParts: > 1, ColumnParts: > 1 });
        float[] a = KernelTestSupport.RandomFloats(k * m, seed: 60);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 61);
        float[] activations = KernelTestSupport.RandomFloats(m * n, seed: 62);
        for (int i = 0; i < activations.Length; i++)
        {
            activations[i] = MathF.Abs(activations[i]) * 0.9f;
        }

        float[] whole = new float[m * n];
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = whole)
        fixed (float* pactivations = activations)
        {
            GemmKernels.Outer(
                Gemm.Resolve(width), TileShapes.Current, pa, 1, m, pb, n, pc, n, m, k, n, 0.5f,
                new ActivationGradientEpilogue<SigmoidGradientOperator>((nint)(pactivations - pc)));
        }

        foreach (int degree in Degrees)
        {
            float[] split = Run(degree, c => Gemm.MultiplyTN(a, b, c, m, k, n, 0.5f, activations, Activation.Sigmoid, width), m * n);
            AssertBitIdentical(whole, split, $"TN {width} {tileShape} degree {degree}");
        }
    }

    /// <summary>The bias of a row part is the bias of its rows in C: the split fused product against a double reference.</summary>
    [Fact]
    public void MultiplyNN_RowSplitWithBias_MatchesReference()
    {
        const int m = 133, k = 97, n = 700;
        float[] a = KernelTestSupport.RandomFloats(m * k, seed: 63);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 64);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 65, scale: 10f);
        float[] c = Run(4, c => Gemm.MultiplyNN(a, b, c, m, k, n, 1f, bias, Activation.Linear), m * n);
        (double[] product, double[] magnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, n, 1, m, k, n, 1f);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                product[(i * n) + j] += bias[i];
                magnitude[(i * n) + j] += Math.Abs(bias[i]);
            }
        }

        KernelTestSupport.AssertClose(c, product, magnitude, 1e-5, 0, "row-split NN with bias");
    }

    [Fact]
    public void MultiplyTN_ParallelSteadyState_AllocatesNothing()
    {
        const int m = 256, k = 128, n = 128;
        float[] a = KernelTestSupport.RandomFloats(k * m, seed: 66);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed: 67);
        float[] c = new float[m * n];
        using (KernelParallelism.Override(16))
        {
            AllocationAssert.NoAllocation(() => Gemm.MultiplyTN(a, b, c, m, k, n), calls: 20, "MultiplyTN on 16 threads");
        }
    }

    private static float[] Run(int degree, Action<float[]> product, int length)
    {
        var c = new float[length];
        using (KernelParallelism.Override(degree))
        {
            product(c);
        }

        return c;
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        int index = MemoryMarshal.Cast<float, int>(expected).SequenceCompareTo(MemoryMarshal.Cast<float, int>(actual)) == 0 ? -1 : FirstDifference(expected, actual);
        Assert.True(index < 0, $"{what}: element {index} is {(index < 0 ? 0 : actual[index]):R}, expected {(index < 0 ? 0 : expected[index]):R}");
    }

    private static int FirstDifference(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
