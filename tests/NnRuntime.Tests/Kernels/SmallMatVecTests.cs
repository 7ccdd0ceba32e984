using System;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// <see cref="SmallMatVec"/>, the row-block product behind the causal convolution's step: W·x + b against a double
/// dot product, the same bits for a row whichever block computes it (the last block overlaps the one before) and
/// wherever the buffers sit, and what it declines.
/// </summary>
public sealed unsafe class SmallMatVecTests
{
    private const int MaxShift = 15;

    public static TheoryData<int, int, int> Shapes() => new()
    {
        // width bits, rows, cols: whole blocks and whole vectors, a column tail, a last block overlapping the one
        // before, one block exactly.
        { 512, 16, 16 }, { 512, 128, 32 }, { 512, 160, 40 }, { 512, 60, 20 }, { 512, 17, 47 }, { 512, 64, 16 },
        { 256, 8, 8 }, { 256, 24, 8 }, { 256, 52, 13 }, { 256, 9, 31 }, { 256, 96, 32 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryForward_MatchesDoubleDotProducts(int bits, int rows, int cols)
    {
        float[] w = KernelTestSupport.RandomFloats(rows * cols, rows + cols, 1f);
        float[] x = KernelTestSupport.RandomFloats(cols, rows + cols + 1, 1f);
        float[] bias = KernelTestSupport.RandomFloats(rows, rows + cols + 2, 1f);
        float[] y = Run(Width(bits), w, x, bias, rows, cols, 0);
        for (int r = 0; r < rows; r++)
        {
            double expected = bias[r];
            double magnitude = Math.Abs(bias[r]);
            for (int k = 0; k < cols; k++)
            {
                expected += (double)w[(r * cols) + k] * x[k];
                magnitude += Math.Abs((double)w[(r * cols) + k] * x[k]);
            }

            // A float sum of cols + 1 terms errs by at most (cols + 1)·2⁻²⁴ of the sum of their magnitudes.
            double allowed = (cols + 1) * magnitude * Math.Pow(2, -24);
            Assert.True(
                Math.Abs(y[r] - expected) <= allowed,
                string.Create(CultureInfo.InvariantCulture, $"{bits} bits, {rows} x {cols}, row {r}: {y[r]:R}, double {expected:R}, allowed {allowed:E3}"));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryForward_EveryRow_SameBitsInEveryBlockAndShift(int bits, int rows, int cols)
    {
        int block = bits == 512 && Avx512F.IsSupported ? 16 : 8;
        float[] w = KernelTestSupport.RandomFloats(rows * cols, 3 * rows, 1f);
        float[] x = KernelTestSupport.RandomFloats(cols, 3 * cols, 1f);
        float[] bias = KernelTestSupport.RandomFloats(rows, 5, 1f);
        float[] y = Run(Width(bits), w, x, bias, rows, cols, 0);

        // Any block of consecutive rows on its own gives those rows' bits: a row's sum does not depend on its
        // position in a block, so the overlapping last block cannot change a row.
        for (int r0 = 0; r0 + block <= rows; r0++)
        {
            float[] part = Run(Width(bits), w.AsSpan(r0 * cols, block * cols).ToArray(), x, bias.AsSpan(r0, block).ToArray(), block, cols, 0);
            KernelDeterminismTests.AssertBitIdentical(y.AsSpan(r0, block).ToArray(), part, $"{bits} bits, {rows} x {cols}: rows {r0}..{r0 + block} alone");
        }

        for (int shift = 1; shift <= MaxShift; shift++)
        {
            KernelDeterminismTests.AssertBitIdentical(y, Run(Width(bits), w, x, bias, rows, cols, shift), $"{bits} bits, {rows} x {cols}, shifted by {shift}");
        }
    }

    [Theory]
    [InlineData(512, 15, 16)]
    [InlineData(512, 16, 15)]
    [InlineData(256, 7, 8)]
    [InlineData(256, 8, 7)]
    [InlineData(128, 64, 32)]
    public void TryForward_BelowOneBlockOrVector_FallsBackOrDeclines(int bits, int rows, int cols)
    {
        // Below a 16-row block or one 512-bit vector the 256-bit blocks take over; below theirs nothing is written.
        bool fits256 = bits >= 256 && Avx.IsSupported && rows >= 8 && cols >= 8;
        float[] w = new float[rows * cols], x = new float[cols], bias = new float[rows], y = new float[rows];
        Array.Fill(y, float.NaN);
        fixed (float* pw = w, px = x, pb = bias, py = y)
        {
            bool ran = SmallMatVec.TryForward(Width(bits), pw, px, pb, py, rows, cols);
            Assert.Equal(fits256, ran);
            Assert.Equal(fits256, !float.IsNaN(y[0]));
        }
    }

    private static SimdWidth Width(int bits) => bits switch { 512 => SimdWidth.V512, 256 => SimdWidth.V256, _ => SimdWidth.V128 };

    /// <summary>y = W·x + b with every operand <paramref name="shift"/> (times its index, modulo 16) floats into a NaN-filled array.</summary>
    private static float[] Run(SimdWidth width, float[] w, float[] x, float[] bias, int rows, int cols, int shift)
    {
        int next = 0;
        float[] Place(float[] values, out int offset)
        {
            offset = (shift * ++next) % (MaxShift + 1);
            var buffer = new float[values.Length + MaxShift + 1];
            Array.Fill(buffer, float.NaN);
            values.CopyTo(buffer, offset);
            return buffer;
        }

        if (!Avx.IsSupported)
        {
            // Without AVX the kernel declines every shape (the callers then use MatVecKernels); the tests check that.
            fixed (float* pw = w, px = x, pb = bias)
            {
                float[] declined = new float[rows];
                fixed (float* py = declined)
                {
                    Assert.False(SmallMatVec.TryForward(width, pw, px, pb, py, rows, cols));
                }
            }

            float[] scalar = new float[rows];
            fixed (float* pw = w, px = x, pb = bias, py = scalar)
            {
                MatVecKernels.ForwardScalar<LinearOperator>(pw, px, pb, py, rows, cols);
            }

            return scalar;
        }

        float[] wb = Place(w, out int wo), xb = Place(x, out int xo), bb = Place(bias, out int bo), yb = Place(new float[rows], out int yo);
        fixed (float* pw = wb, px = xb, pb = bb, py = yb)
        {
            Assert.True(SmallMatVec.TryForward(width, pw + wo, px + xo, pb + bo, py + yo, rows, cols), $"{width}: {rows} x {cols} declined");
        }

        return yb.AsSpan(yo, rows).ToArray();
    }
}
