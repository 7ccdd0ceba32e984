using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Every product at every supported width and with both register-tile shapes against a double-precision reference, plain and through every fused
/// epilogue (bias + each activation for NN and NT, each activation's derivative for TN). Shapes sweep each dimension
/// over 1..2·(register block + 1) so every combination of full tiles, partial tiles and vector tails is hit; the error
/// allowed is 1e-5 relative to Σ|a||b| (float rounding of a reassociated sum grows with that, not with |Σab|), carried
/// through the epilogue as <see cref="GemmReference"/> states.
/// </summary>
public sealed class GemmTests
{
    private const double Relative = 1e-5;
    private const float Sentinel = -12345.5f;

    /// <summary>The widest vector, in floats: register-block sweeps are sized for it so narrower widths are covered too.</summary>
    private const int MaxVector = 16;

    // Outer-product tiles (NN, TN): 5 rows × 2 or 4 vectors of columns; k is not blocked below the packing threshold.
    private const int OuterMaxM = 2 * (GemmKernels.OuterRowBlock + 1);
    private const int OuterMaxN = 2 * ((GemmKernels.MaxOuterVectors * MaxVector) + 1);
    private const int OuterMaxK = 2 * (MaxVector + 1);

    // Dot-product tiles (NT, MatVec): 3 × 4 or 4 × 5 (A rows × B rows), k in vectors (plus an aligning head when A is copied).
    private const int DotMaxM = 2 * (GemmKernels.MaxDotRows + 1);
    private const int DotMaxN = 2 * (GemmKernels.MaxDotColumns + 1);
    private const int DotMaxK = 2 * (MaxVector + 1);

    public static TheoryData<string, string> WidthsAndTileShapes() => KernelTestSupport.SupportedWidthsAndTileShapes();

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNN_AllSmallShapes_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        float[] a = KernelTestSupport.RandomFloats(OuterMaxM * OuterMaxK, seed: 1);
        float[] b = KernelTestSupport.RandomFloats(OuterMaxK * OuterMaxN, seed: 2);
        float[] c = new float[(OuterMaxM * OuterMaxN) + MaxVector];
        for (int m = 1; m <= OuterMaxM; m++)
        {
            for (int k = 1; k <= OuterMaxK; k++)
            {
                for (int n = 1; n <= OuterMaxN; n++)
                {
                    CheckNN(a.AsSpan(0, m * k), b.AsSpan(0, k * n), c, m, k, n, alpha: 1f, width, everyEpilogue: true);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyTN_AllSmallShapes_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        float[] a = KernelTestSupport.RandomFloats(OuterMaxK * OuterMaxM, seed: 3);
        float[] b = KernelTestSupport.RandomFloats(OuterMaxK * OuterMaxN, seed: 4);
        float[] c = new float[(OuterMaxM * OuterMaxN) + MaxVector];
        for (int m = 1; m <= OuterMaxM; m++)
        {
            for (int k = 1; k <= OuterMaxK; k++)
            {
                for (int n = 1; n <= OuterMaxN; n++)
                {
                    CheckTN(a.AsSpan(0, k * m), b.AsSpan(0, k * n), c, m, k, n, alpha: 1f, width, everyEpilogue: true);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_AllSmallShapes_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        float[] a = KernelTestSupport.RandomFloats(DotMaxM * DotMaxK, seed: 5);
        float[] b = KernelTestSupport.RandomFloats(DotMaxN * DotMaxK, seed: 6);
        float[] c = new float[(DotMaxM * DotMaxN) + MaxVector];
        for (int m = 1; m <= DotMaxM; m++)
        {
            for (int k = 1; k <= DotMaxK; k++)
            {
                for (int n = 1; n <= DotMaxN; n++)
                {
                    CheckNT(a.AsSpan(0, m * k), b.AsSpan(0, n * k), c, m, k, n, alpha: 1f, width, everyEpilogue: true);
                }
            }
        }
    }

    /// <summary>
    /// Short NT products with two or more row blocks go through transposed Bᵀ panels and the outer-product tiles
    /// (k up to 64), with the leftover columns on dot-product tiles: sweep that route's register blocks too.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNT_ShortDepthManyColumns_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        const int MaxK = 20;
        float[] a = KernelTestSupport.RandomFloats(OuterMaxM * 130, seed: 33);
        float[] b = KernelTestSupport.RandomFloats(OuterMaxN * 130, seed: 34);
        float[] c = new float[(OuterMaxM * OuterMaxN) + MaxVector];
        for (int m = 1; m <= OuterMaxM; m++)
        {
            foreach (int k in new[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, MaxK, 63, 64, 65, 127, 128, 129 })
            {
                for (int n = 1; n <= OuterMaxN; n++)
                {
                    CheckNT(a.AsSpan(0, m * k), b.AsSpan(0, n * k), c, m, k, n, alpha: 0.25f, width, everyEpilogue: n % 7 == 0);
                }
            }
        }
    }

    /// <summary>
    /// Large NN/TN products pack B into depth-blocked panels (64 deep at 512 bits, 128 at 256, column blocks of 1024):
    /// cover several depth blocks and column blocks, partial last blocks, and k = 1.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNN_PackedPanels_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        CheckNN(5, 128, 130, 1f, width, seed: 35);
        CheckNN(9, 129, 200, 0.5f, width, seed: 36);
        CheckNN(6, 300, 1100, 1f, width, seed: 37);
        CheckNN(5, 1, 16389, 2f, width, seed: 38);
        CheckNN(11, 257, 3 * 1024 + 50, 1f, width, seed: 39);
        CheckTN(9, 129, 200, 0.5f, width, seed: 40);
        CheckTN(6, 300, 1100, 1f, width, seed: 41);
        CheckNN(12, 200, 2100, 0.5f, width, seed: 42, everyEpilogue: true);
        CheckTN(11, 150, 1100, 2f, width, seed: 43, everyEpilogue: true);
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MatVec_AllSmallShapes_MatchesReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        float[] w = KernelTestSupport.RandomFloats(DotMaxM * DotMaxK, seed: 7);
        float[] x = KernelTestSupport.RandomFloats(DotMaxK, seed: 8);
        float[] bias = KernelTestSupport.RandomFloats(DotMaxM, seed: 9);
        float[] y = new float[DotMaxM + MaxVector];
        for (int rows = 1; rows <= DotMaxM; rows++)
        {
            for (int cols = 1; cols <= DotMaxK; cols++)
            {
                CheckMatVec(w.AsSpan(0, rows * cols), x.AsSpan(0, cols), ReadOnlySpan<float>.Empty, y, rows, cols, width);
                CheckMatVec(w.AsSpan(0, rows * cols), x.AsSpan(0, cols), bias.AsSpan(0, rows), y, rows, cols, width);
            }
        }
    }

    /// <summary>The shapes of the reference workloads (a 12288 → 20 → 7 → 5 → 1 network, m = 209; 4 → 1, m = 400).</summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void Products_WorkloadShapes_MatchReference(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        CheckNT(20, 12288, 209, 1f, width, seed: 10);            // Z1 = W1 · Xᵀ
        CheckNT(1, 4, 400, 1f, width, seed: 11);                 // Z1 of 4 → 1, m = 400
        CheckNT(7, 209, 20, 1f / 209, width, seed: 12);          // dW2 = (1/m) dZ2 · A1ᵀ
        CheckNT(5, 2048 + 16 + 5, 4, 0.5f, width, seed: 13);     // k spans several depth chunks plus a tail
        CheckNN(20, 209, 12288, 1f / 209, width, seed: 14);      // dW1 = (1/m) dZ1 · X
        CheckNN(7, 20, 209, 1f, width, seed: 15);                // Z2 = W2 · A1
        CheckNN(1, 5, 209, 1f, width, seed: 16);                 // Z4 = W4 · A3
        CheckTN(20, 7, 209, 1f, width, seed: 17);                // dA1 = W2ᵀ · dZ2
        CheckTN(5, 1, 209, 1f, width, seed: 18);                 // dA3 = W4ᵀ · dZ4
        CheckTN(300, 20, 211, -2f, width, seed: 19);

        float[] w = KernelTestSupport.RandomFloats(20 * 12288, seed: 20);
        float[] x = KernelTestSupport.RandomFloats(12288, seed: 21);
        float[] bias = KernelTestSupport.RandomFloats(20, seed: 22);
        CheckMatVec(w, x, bias, new float[20 + MaxVector], 20, 12288, width);
        CheckMatVec(w.AsSpan(0, 7 * 209), x.AsSpan(0, 209), bias.AsSpan(0, 7), new float[7 + MaxVector], 7, 209, width);
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void Products_Alpha_ScalesResult(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        foreach (float alpha in new[] { 0f, -1f, 1f / 3 })
        {
            CheckNN(9, 13, 67, alpha, width, seed: 30);
            CheckNT(9, 37, 7, alpha, width, seed: 31);
            CheckTN(9, 13, 67, alpha, width, seed: 32);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void Products_ZeroDepth_WriteZeros(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        float[] c = new float[6];
        c.AsSpan().Fill(float.NaN);
        Gemm.MultiplyNN([], [], c, 2, 0, 3, 1f, width);
        Assert.All(c, value => Assert.Equal(0f, value));
        c.AsSpan().Fill(float.NaN);
        Gemm.MultiplyNT([], [], c, 2, 0, 3, 1f, width);
        Assert.All(c, value => Assert.Equal(0f, value));
        c.AsSpan().Fill(float.NaN);
        Gemm.MultiplyTN([], [], c, 2, 0, 3, 1f, width);
        Assert.All(c, value => Assert.Equal(0f, value));
    }

    /// <summary>
    /// Columns narrower than a tile (a weight gradient of 4 inputs: dW1 = dZ1·X over a chunk's 625 examples) run in
    /// ten-row tiles; every element is still one FMA chain over k scaled once, so the rows come out bit for bit as the
    /// five-row tiles compute them when the product is cut into five-row calls.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndTileShapes))]
    public void MultiplyNN_NarrowColumns_TenRowTilesSameBitsAsFiveRowTiles(string widthName, string tileShape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        using TileShapes.Scope forced = KernelTestSupport.ForceTileShape(tileShape);
        foreach ((int m, int k, int n) in new[] { (10, 625, 4), (32, 625, 4), (20, 37, 5), (15, 64, 20) })
        {
            float[] a = KernelTestSupport.RandomFloats(m * k, seed: m + k);
            float[] b = KernelTestSupport.RandomFloats(k * n, seed: n + k);
            float[] whole = new float[m * n];
            float[] inFives = new float[m * n];
            Gemm.MultiplyNN(a, b, whole, m, k, n, 0.25f, width);
            for (int row = 0; row < m; row += GemmKernels.OuterRowBlock)
            {
                int rows = Math.Min(GemmKernels.OuterRowBlock, m - row);
                Gemm.MultiplyNN(a.AsSpan(row * k, rows * k), b, inFives.AsSpan(row * n, rows * n), rows, k, n, 0.25f, width);
            }

            for (int i = 0; i < whole.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(inFives[i]),
                    $"{width} {tileShape} {m}x{k}x{n}: element {i} is {whole[i]:R} whole and {inFives[i]:R} in five-row calls");
            }
        }
    }

    [Fact]
    public void Products_EmptyOutput_DoNothing()
    {
        Gemm.MultiplyNN([], [1f, 2f], [], 0, 1, 2);
        Gemm.MultiplyNT([1f, 2f], [], [], 1, 2, 0);
        Gemm.MultiplyTN([], [], [], 0, 3, 0);
        Gemm.MatVec([], [1f], [], [], 0, 1);
    }

    private static void CheckNN(int m, int k, int n, float alpha, SimdWidth width, int seed, bool everyEpilogue = false)
    {
        float[] a = KernelTestSupport.RandomFloats(m * k, seed);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed + 1000);
        CheckNN(a, b, new float[(m * n) + MaxVector], m, k, n, alpha, width, everyEpilogue);
    }

    private static void CheckNT(int m, int k, int n, float alpha, SimdWidth width, int seed, bool everyEpilogue = false)
    {
        float[] a = KernelTestSupport.RandomFloats(m * k, seed);
        float[] b = KernelTestSupport.RandomFloats(n * k, seed + 1000);
        CheckNT(a, b, new float[(m * n) + MaxVector], m, k, n, alpha, width, everyEpilogue);
    }

    private static void CheckTN(int m, int k, int n, float alpha, SimdWidth width, int seed, bool everyEpilogue = false)
    {
        float[] a = KernelTestSupport.RandomFloats(k * m, seed);
        float[] b = KernelTestSupport.RandomFloats(k * n, seed + 1000);
        CheckTN(a, b, new float[(m * n) + MaxVector], m, k, n, alpha, width, everyEpilogue);
    }

    private static void CheckNN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float[] c, int m, int k, int n, float alpha, SimdWidth width, bool everyEpilogue = false)
    {
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, n, 1, m, k, n, alpha);
        string context = $"MultiplyNN {width} m={m} k={k} n={n} alpha={alpha}";
        c.AsSpan().Fill(Sentinel);
        Gemm.MultiplyNN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, width);
        KernelTestSupport.AssertClose(c.AsSpan(0, m * n), expected, magnitude, Relative, 0, context);
        KernelTestSupport.AssertUntouched(c, m * n, Sentinel, context);
        if (everyEpilogue)
        {
            foreach (Activation activation in GemmReference.Activations)
            {
                ReadOnlySpan<float> bias = GemmReference.BiasFor(m, k, n, activation);
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyNN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, bias, activation, width);
                GemmReference.AssertForward(c, expected, magnitude, bias, activation, m, n, Sentinel, $"{context} {activation} bias={!bias.IsEmpty}");
            }
        }
    }

    private static void CheckNT(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float[] c, int m, int k, int n, float alpha, SimdWidth width, bool everyEpilogue = false)
    {
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(a, k, 1, b, 1, k, m, k, n, alpha);
        string context = $"MultiplyNT {width} m={m} k={k} n={n} alpha={alpha}";
        c.AsSpan().Fill(Sentinel);
        Gemm.MultiplyNT(a, b, c.AsSpan(0, m * n), m, k, n, alpha, width);
        KernelTestSupport.AssertClose(c.AsSpan(0, m * n), expected, magnitude, Relative, 0, context);
        KernelTestSupport.AssertUntouched(c, m * n, Sentinel, context);
        if (everyEpilogue)
        {
            foreach (Activation activation in GemmReference.Activations)
            {
                ReadOnlySpan<float> bias = GemmReference.BiasFor(m, k, n, activation);
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyNT(a, b, c.AsSpan(0, m * n), m, k, n, alpha, bias, activation, width);
                GemmReference.AssertForward(c, expected, magnitude, bias, activation, m, n, Sentinel, $"{context} {activation} bias={!bias.IsEmpty}");
            }
        }
    }

    private static void CheckTN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float[] c, int m, int k, int n, float alpha, SimdWidth width, bool everyEpilogue = false)
    {
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(a, 1, m, b, n, 1, m, k, n, alpha);
        string context = $"MultiplyTN {width} m={m} k={k} n={n} alpha={alpha}";
        c.AsSpan().Fill(Sentinel);
        Gemm.MultiplyTN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, width);
        KernelTestSupport.AssertClose(c.AsSpan(0, m * n), expected, magnitude, Relative, 0, context);
        KernelTestSupport.AssertUntouched(c, m * n, Sentinel, context);
        if (everyEpilogue)
        {
            ReadOnlySpan<float> activations = GemmReference.ActivationValues(m * n);
            foreach (Activation activation in GemmReference.Activations)
            {
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyTN(a, b, c.AsSpan(0, m * n), m, k, n, alpha, activations, activation, width);
                GemmReference.AssertBackward(c, expected, magnitude, activations, activation, m, n, Sentinel, $"{context} g'={activation}");
            }
        }
    }

    private static void CheckMatVec(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, float[] y, int rows, int cols, SimdWidth width)
    {
        y.AsSpan().Fill(Sentinel);
        Gemm.MatVec(w, x, bias, y.AsSpan(0, rows), rows, cols, width);
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(w, cols, 1, x, 1, 0, rows, cols, 1, 1f);
        for (int i = 0; i < bias.Length; i++)
        {
            expected[i] += bias[i];
            magnitude[i] += Math.Abs(bias[i]);
        }

        string context = $"MatVec {width} rows={rows} cols={cols} bias={!bias.IsEmpty}";
        KernelTestSupport.AssertClose(y.AsSpan(0, rows), expected, magnitude, Relative, 0, context);
        KernelTestSupport.AssertUntouched(y, rows, Sentinel, context);
    }
}
