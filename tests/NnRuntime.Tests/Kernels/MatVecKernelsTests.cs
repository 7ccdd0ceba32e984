using System;
using System.Globalization;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The single-example dense layer y = g(W·x + b) at every supported width and every activation, against a
/// double-precision reference. Shapes sweep rows over 1..2·(row block + 1) and cols over 1..2·(widest vector + 1), so
/// every mix of full blocks, the recomputed last block, 4-row and single-row tails, full vectors, masked k tails and
/// the drop to a narrower width is hit, plus a few layers large enough to loop over many blocks.
/// </summary>
/// <remarks>
/// Tolerance: the pre-activation is a reassociated float sum, whose error is bounded by a small multiple of
/// ε·Σ|w||x| (ε = 2⁻²⁴); <see cref="Relative"/> allows 1e-5 of Σ|w||x| + |b|. Every activation has slope at most 1,
/// so that error passes through g undiminished at worst, and g's own error adds at most <see cref="Absolute"/>
/// (tanh is within 5 ulps and sigmoid within 3 ulps of results no larger than 1, that is below 3.1e-7).
/// </remarks>
public sealed class MatVecKernelsTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;
    private const float Sentinel = -12345.5f;

    /// <summary>The widest vector, in floats.</summary>
    private const int MaxVector = 16;

    private const int MaxRows = 2 * (MatVecKernels.RowBlock + 1);
    private const int MaxCols = 2 * (MaxVector + 1);

    private static readonly (int Rows, int Cols)[] LargeShapes = [(64, 64), (100, 37), (257, 129), (64, 16), (1, 64)];

    public static TheoryData<string, Activation> Cases()
    {
        var data = new TheoryData<string, Activation>();
        foreach (string width in KernelTestSupport.SupportedWidths())
        {
            foreach (Activation activation in KernelDeterminismTests.ElementwiseActivations())
            {
                data.Add(width, activation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_AllSmallShapes_MatchesReference(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        for (int rows = 1; rows <= MaxRows; rows++)
        {
            for (int cols = 0; cols <= MaxCols; cols++)
            {
                Check(width, activation, rows, cols, seed: (rows * 100) + cols);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_LargeShapes_MatchesReference(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach ((int rows, int cols) in LargeShapes)
        {
            Check(width, activation, rows, cols, seed: rows + cols);
        }
    }

    /// <summary>Rows and columns on either side of the row blocks (8 and 16) and of the vector widths, and a long row.</summary>
    private static readonly int[] EdgeRows = [1, 7, 8, 9, 15, 16, 17, 33, 64, 100];
    private static readonly int[] EdgeCols = [1, 3, 8, 15, 16, 17, 64, 784];

    /// <summary>
    /// A large W keeps the 8-row blocks whose last block is four rows when at most four are left, so a memory-bound
    /// layer is read once: 20 rows of the cat network's 12288 inputs give the 8 + 8 + 4-row order, not 16-row blocks.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public unsafe void Forward_LargeW_KeepsEightRowBlocks(string widthName)
    {
        SimdWidth width = SimdWidths.Resolve(KernelTestSupport.ParseWidth(widthName));
        const int Rows = 20, Cols = 12288;
        Assert.True((long)Rows * Cols > MatVecKernels.RowBlockFloatsLimit);
        float[] w = KernelTestSupport.RandomFloats(Rows * Cols, seed: 20);
        float[] x = KernelTestSupport.RandomFloats(Cols, seed: 21);
        float[] bias = KernelTestSupport.RandomFloats(Rows, seed: 22);
        float[] y = Run(width, Activation.ReLU, Padded(w, 0f), Padded(x, 0f), Padded(bias, 0f), Rows, Cols);
        int lanes = BlockLanes(width, Rows, Cols);
        Assert.Equal(0, lanes);
        if (width < SimdWidth.V256)
        {
            return;
        }

        // Rows 16..19 are the last four-row block: the same bits as those four rows alone, which take that block too.
        float[] last = Run(width, Activation.ReLU, Padded(w.AsSpan(16 * Cols, 4 * Cols).ToArray(), 0f), Padded(x, 0f), Padded(bias.AsSpan(16, 4).ToArray(), 0f), 4, Cols);
        KernelDeterminismTests.AssertBitIdentical(last.AsSpan(0, 4).ToArray(), y.AsSpan(16, 4).ToArray(), Context(width, Activation.ReLU, Rows, Cols) + ", rows 16..19");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_BlockEdgeShapes_MatchesReference(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach (int rows in EdgeRows)
        {
            foreach (int cols in EdgeCols)
            {
                Check(width, activation, rows, cols, seed: (rows * 1000) + cols);
            }
        }
    }

    /// <summary>
    /// At 256 and 512 bits a layer of at least a block of rows sums in the order <see cref="SmallMatVec"/> documents:
    /// per row, one FMA accumulator per lane along k (the k tail masked to +0 in both operands), the lanes reduced as
    /// ((l0 + l1) + (l2 + l3)) per 128-bit lane, the 128-bit lanes as (L0 + L1) + (L2 + L3), then the bias, then g at
    /// the block's width. Written out here in scalar FMAs, it must give the kernel's bits exactly.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public unsafe void Forward_RowBlocks_SumInTheDocumentedOrder(string widthName, Activation activation)
    {
        SimdWidth width = SimdWidths.Resolve(KernelTestSupport.ParseWidth(widthName));
        foreach (int rows in EdgeRows)
        {
            foreach (int cols in EdgeCols)
            {
                int lanes = BlockLanes(width, rows, cols);
                if (lanes == 0)
                {
                    continue;
                }

                float[] w = KernelTestSupport.RandomFloats(rows * cols, seed: rows + (7 * cols));
                float[] x = KernelTestSupport.RandomFloats(cols, seed: cols + 1, scale: 2f);
                float[] bias = KernelTestSupport.RandomFloats(rows, seed: rows + 2);
                float[] expected = new float[rows];
                for (int r = 0; r < rows; r++)
                {
                    expected[r] = DocumentedSum(w.AsSpan(r * cols, cols), x, lanes) + bias[r];
                }

                fixed (float* pe = expected)
                {
                    ApplyAtWidth(activation, pe, rows, lanes == 16 ? SimdWidth.V512 : SimdWidth.V256);
                }

                float[] y = Run(width, activation, Padded(w, 0f), Padded(x, 0f), Padded(bias, 0f), rows, cols);
                KernelDeterminismTests.AssertBitIdentical(expected, y.AsSpan(0, rows).ToArray(), Context(width, activation, rows, cols) + $", {lanes}-row blocks");
            }
        }
    }

    /// <summary>The same width and inputs give the same bits wherever W, x, b and y sit (each shifted by 1..15 floats).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_BlockEdgeShapes_SameBitsAtEveryShift(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach (int rows in EdgeRows)
        {
            foreach (int cols in EdgeCols)
            {
                float[] w = KernelTestSupport.RandomFloats(rows * cols, seed: rows + cols);
                float[] x = KernelTestSupport.RandomFloats(cols, seed: cols, scale: 2f);
                float[] bias = KernelTestSupport.RandomFloats(rows, seed: rows);
                float[] first = RunShifted(width, activation, w, x, bias, rows, cols, 0);
                for (int shift = 1; shift < MaxVector; shift++)
                {
                    KernelDeterminismTests.AssertBitIdentical(
                        first, RunShifted(width, activation, w, x, bias, rows, cols, shift), Context(width, activation, rows, cols) + $", shifted by {shift}");
                }
            }
        }
    }

    /// <summary>
    /// The lanes of the row block the kernel uses at this width and shape, 0 where it takes another path: W of at most
    /// <see cref="MatVecKernels.RowBlockFloatsLimit"/> floats, rows longer than one vector of the width (below 16
    /// columns 512 bits drop to 256), 16-row blocks at 512 bits from 16 rows, 8-row blocks of 256 bits from 8.
    /// </summary>
    private static int BlockLanes(SimdWidth width, int rows, int cols)
    {
        if ((long)rows * cols > MatVecKernels.RowBlockFloatsLimit || width < SimdWidth.V256 || !System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            return 0;
        }

        if (width == SimdWidth.V512 && cols < 16)
        {
            width = SimdWidth.V256;
        }

        int count = width == SimdWidth.V512 ? 16 : 8;
        if (cols <= count)
        {
            return 0;
        }

        if (width == SimdWidth.V512 && rows >= 16 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return 16;
        }

        return rows >= 8 ? 8 : 0;
    }

    private static float DocumentedSum(ReadOnlySpan<float> row, float[] x, int lanes)
    {
        int cols = row.Length;
        float[] acc = new float[lanes];
        int k0 = 0;
        for (; k0 <= cols - lanes; k0 += lanes)
        {
            for (int i = 0; i < lanes; i++)
            {
                acc[i] = MathF.FusedMultiplyAdd(row[k0 + i], x[k0 + i], acc[i]);
            }
        }

        int tail = cols % lanes;
        if (tail != 0)
        {
            k0 = cols - lanes;
            for (int i = 0; i < lanes; i++)
            {
                bool counted = i < lanes - tail;
                acc[i] = MathF.FusedMultiplyAdd(counted ? 0f : row[k0 + i], counted ? 0f : x[k0 + i], acc[i]);
            }
        }

        float[] quads = new float[lanes / 4];
        for (int q = 0; q < quads.Length; q++)
        {
            quads[q] = (acc[4 * q] + acc[(4 * q) + 1]) + (acc[(4 * q) + 2] + acc[(4 * q) + 3]);
        }

        return lanes == 16 ? (quads[0] + quads[1]) + (quads[2] + quads[3]) : quads[0] + quads[1];
    }

    private static unsafe void ApplyAtWidth(Activation activation, float* z, int length, SimdWidth width)
    {
        switch (activation)
        {
            case Activation.Sigmoid: ElementwiseKernels.Map<SigmoidOperator>(z, z, length, width); break;
            case Activation.Tanh: ElementwiseKernels.Map<TanhOperator>(z, z, length, width); break;
            case Activation.ReLU: ElementwiseKernels.Map<ReLUOperator>(z, z, length, width); break;
            case Activation.LeakyReLU: ElementwiseKernels.Map<LeakyReLUOperator>(z, z, length, width); break;
            default: break;
        }
    }

    /// <summary>Runs the kernel with every buffer starting <paramref name="shift"/> floats into a fresh array; returns y alone.</summary>
    private static unsafe float[] RunShifted(SimdWidth width, Activation activation, float[] w, float[] x, float[] bias, int rows, int cols, int shift)
    {
        float[] pw = Shifted(w, shift), px = Shifted(x, (shift * 3) % MaxVector), pb = Shifted(bias, (shift * 5) % MaxVector);
        float[] y = new float[rows + MaxVector];
        int yShift = (shift * 7) % MaxVector;
        fixed (float* w0 = pw, x0 = px, b0 = pb, y0 = y)
        {
            MatVecKernels.Forward(width, w0 + shift, x0 + ((shift * 3) % MaxVector), b0 + ((shift * 5) % MaxVector), y0 + yShift, rows, cols, activation);
        }

        return y.AsSpan(yShift, rows).ToArray();

        static float[] Shifted(float[] values, int offset)
        {
            float[] shifted = new float[values.Length + MaxVector];
            values.CopyTo(shifted, offset);
            return shifted;
        }
    }

    /// <summary>
    /// Infinities must count once: the k tail re-reads lanes of the row already summed and must zero them in both
    /// operands, or an Inf there becomes Inf·0 = NaN. With every weight +Inf and every input positive (and then the
    /// other way round), z = +Inf exactly, so g(z) is +Inf or, within <see cref="Absolute"/>, 1; a NaN means a masked
    /// lane leaked. NaN past the ends of the buffers must not reach the output either.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_InfinityInMaskedTailLanes_CountsOnce(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float expected = (float)GemmReference.Apply(activation, double.PositiveInfinity);
        foreach (bool infiniteWeights in new[] { true, false })
        {
            for (int rows = 1; rows <= MaxRows; rows++)
            {
                for (int cols = 1; cols <= MaxCols; cols++)
                {
                    float[] w = Positive(rows * cols, seed: rows + cols, infinite: infiniteWeights);
                    float[] x = Positive(cols, seed: cols, infinite: !infiniteWeights);
                    float[] bias = Padded(KernelTestSupport.RandomFloats(rows, seed: rows), float.NaN);
                    float[] y = Run(width, activation, w, x, bias, rows, cols);
                    for (int r = 0; r < rows; r++)
                    {
                        Assert.True(
                            y[r] == expected || Math.Abs(y[r] - expected) <= Absolute,
                            Context(width, activation, rows, cols) + $" (Inf in {(infiniteWeights ? "W" : "x")}): element {r} is {y[r]:R}, expected {expected:R}.");
                    }
                }
            }
        }
    }

    /// <summary>NaN stored right after W, x and b (where a careless vector load would reach) leaves every output finite.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_NaNPastTheBuffers_DoesNotLeak(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        for (int rows = 1; rows <= MaxRows; rows++)
        {
            for (int cols = 1; cols <= MaxCols; cols++)
            {
                float[] w = Padded(KernelTestSupport.RandomFloats(rows * cols, seed: rows + cols), float.NaN);
                float[] x = Padded(KernelTestSupport.RandomFloats(cols, seed: cols), float.NaN);
                float[] bias = Padded(KernelTestSupport.RandomFloats(rows, seed: rows), float.NaN);
                float[] y = Run(width, activation, w, x, bias, rows, cols);
                for (int r = 0; r < rows; r++)
                {
                    Assert.True(float.IsFinite(y[r]), Context(width, activation, rows, cols) + $": element {r} is {y[r]:R}.");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public unsafe void Forward_AfterWarmUp_AllocatesNothing(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        const int Rows = 37, Cols = 29;
        float[] w = KernelTestSupport.RandomFloats(Rows * Cols, seed: 70);
        float[] x = KernelTestSupport.RandomFloats(Cols, seed: 71);
        float[] bias = KernelTestSupport.RandomFloats(Rows, seed: 72);
        float[] y = new float[Rows];
        Activation[] activations = KernelDeterminismTests.ElementwiseActivations().ToArray();
        AllocationAssert.NoAllocation(
            () =>
            {
                fixed (float* pw = w)
                fixed (float* px = x)
                fixed (float* pb = bias)
                fixed (float* py = y)
                {
                    foreach (Activation activation in activations)
                    {
                        MatVecKernels.Forward(width, pw, px, pb, py, Rows, Cols, activation);
                        MatVecKernels.Forward(width, pw, px, pb, py, 3, Cols, activation);
                        MatVecKernels.Forward(width, pw, px, pb, py, Rows, 2, activation);
                    }
                }
            },
            calls: 20,
            "MatVecKernels.Forward");
    }

    [Fact]
    public unsafe void Forward_UnknownActivation_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            float value = 1f, result = 0f;
            MatVecKernels.Forward(SimdWidth.Auto, &value, &value, &value, &result, 1, 1, (Activation)99);
        });
    }

    public static TheoryData<string> Widths() => KernelTestSupport.SupportedWidths();

    /// <summary>The public entry the generated one-example code calls is this kernel at the default width, bit for bit.</summary>
    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    public unsafe void GemmMatVec_WithActivation_IsTheKernelAtTheDefaultWidth(Activation activation)
    {
        foreach ((int rows, int cols) in LargeShapes)
        {
            float[] w = KernelTestSupport.RandomFloats(rows * cols, seed: rows);
            float[] x = KernelTestSupport.RandomFloats(cols, seed: cols, scale: 2f);
            float[] bias = KernelTestSupport.RandomFloats(rows, seed: rows + cols);
            float[] expected = new float[rows];
            float[] actual = new float[rows];
            fixed (float* pw = w, px = x, pb = bias, py = expected)
            {
                MatVecKernels.Forward(SimdWidth.Auto, pw, px, pb, py, rows, cols, activation);
            }

            Gemm.MatVec(w, x, bias, actual, rows, cols, activation);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{activation} {rows}x{cols}: Gemm.MatVec differs from the kernel");
        }
    }

    private static void Check(SimdWidth width, Activation activation, int rows, int cols, int seed)
    {
        float[] w = KernelTestSupport.RandomFloats(rows * cols, seed);
        float[] x = KernelTestSupport.RandomFloats(cols, seed + 1, scale: 2f);
        float[] bias = KernelTestSupport.RandomFloats(rows, seed + 2);
        float[] y = Run(width, activation, Padded(w, 0f), Padded(x, 0f), Padded(bias, 0f), rows, cols);

        var expected = new double[rows];
        var magnitude = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double z = bias[r], abs = Math.Abs(bias[r]);
            for (int k = 0; k < cols; k++)
            {
                double term = (double)w[(r * cols) + k] * x[k];
                z += term;
                abs += Math.Abs(term);
            }

            expected[r] = GemmReference.Apply(activation, z);
            magnitude[r] = abs;
        }

        string context = Context(width, activation, rows, cols);
        KernelTestSupport.AssertClose(y.AsSpan(0, rows), expected, magnitude, Relative, Absolute, context);
        KernelTestSupport.AssertUntouched(y, rows, Sentinel, context);
    }

    /// <summary>Runs the kernel on the data that starts <see cref="MaxVector"/> floats into each padded buffer; returns y followed by sentinels.</summary>
    private static unsafe float[] Run(SimdWidth width, Activation activation, float[] w, float[] x, float[] bias, int rows, int cols)
    {
        float[] y = new float[rows + MaxVector];
        y.AsSpan().Fill(Sentinel);
        fixed (float* pw = w)
        fixed (float* px = x)
        fixed (float* pb = bias)
        fixed (float* py = y)
        {
            MatVecKernels.Forward(width, pw + MaxVector, px + MaxVector, pb + MaxVector, py, rows, cols, activation);
        }

        return y;
    }

    /// <summary>count values in [0.5, 1.5), or +Inf, padded with NaN.</summary>
    private static float[] Positive(int count, int seed, bool infinite)
    {
        float[] values = KernelTestSupport.RandomFloats(count, seed, scale: 0.5f);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = infinite ? float.PositiveInfinity : 1f + values[i];
        }

        return Padded(values, float.NaN);
    }

    /// <summary>The values with <see cref="MaxVector"/> copies of <paramref name="padding"/> on each side.</summary>
    private static float[] Padded(float[] values, float padding)
    {
        float[] padded = new float[values.Length + (2 * MaxVector)];
        padded.AsSpan().Fill(padding);
        values.CopyTo(padded, MaxVector);
        return padded;
    }

    private static string Context(SimdWidth width, Activation activation, int rows, int cols) =>
        string.Create(CultureInfo.InvariantCulture, $"{width} {activation} rows={rows} cols={cols}");
}
