using System;
using System.Globalization;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The one-example dense layer when each row of W is 1 to 8 whole vectors, the path that keeps x in registers
/// (<c>MatVecKernels.XInRegisters</c>): every count of vectors at every width (512 bits too, in software where the CPU lacks it) and every activation, against
/// a double-precision reference, and bit for bit the same wherever W, x and b sit in memory.
/// </summary>
/// <remarks>
/// Tolerance as in <see cref="MatVecKernelsTests"/>: 1e-5 of Σ|w||x| + |b| for the reassociated float sum, plus 1e-6
/// for the activation's own error (tanh within 5 ulps, sigmoid within 3, of results no larger than 1).
/// </remarks>
public sealed class MatVecRegisterRowsTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;

    /// <summary>Row counts: one block, blocks with a recomputed last block, and a 64-unit layer like [16,64,64,1]'s.</summary>
    private static readonly int[] RowCounts = [4, 5, 7, 8, 9, 13, 20, 64];

    public static TheoryData<string, Activation> Cases()
    {
        var data = new TheoryData<string, Activation>();
        // Every width, accelerated or not: a width the CPU lacks runs in software, and CI may have AVX-512 where this machine has not.
        foreach (string width in new[] { nameof(SimdWidth.Scalar), nameof(SimdWidth.V128), nameof(SimdWidth.V256), nameof(SimdWidth.V512), nameof(SimdWidth.Auto) })
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
    public void Forward_RowsOfWholeVectors_MatchesReference(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        int count = VectorFloats(width);
        for (int vectors = 1; vectors <= 8; vectors++)
        {
            int cols = vectors * count;
            foreach (int rows in RowCounts)
            {
                int seed = (rows * 1000) + cols;
                float[] w = KernelTestSupport.RandomFloats(rows * cols, seed);
                float[] x = KernelTestSupport.RandomFloats(cols, seed + 1, scale: 2f);
                float[] bias = KernelTestSupport.RandomFloats(rows, seed + 2);
                float[] y = Run(width, activation, w, x, bias, rows, cols, offset: 0);

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

                KernelTestSupport.AssertClose(y, expected, magnitude, Relative, Absolute, Context(width, activation, rows, cols));
            }
        }
    }

    /// <summary>Same inputs, same width: the same bits whether the buffers start on a vector boundary or 1…15 floats past it.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_BuffersShifted_SameBits(string widthName, Activation activation)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        int count = VectorFloats(width);
        foreach (int vectors in new[] { 2, 8 })
        {
            int cols = vectors * count;
            const int Rows = 13;
            float[] w = KernelTestSupport.RandomFloats(Rows * cols, seed: cols);
            float[] x = KernelTestSupport.RandomFloats(cols, seed: cols + 1, scale: 2f);
            float[] bias = KernelTestSupport.RandomFloats(Rows, seed: cols + 2);
            float[] first = Run(width, activation, w, x, bias, Rows, cols, offset: 0);
            for (int offset = 1; offset < 16; offset++)
            {
                float[] shifted = Run(width, activation, w, x, bias, Rows, cols, offset);
                Assert.True(first.AsSpan().SequenceEqual(shifted), $"{Context(width, activation, Rows, cols)}: buffers shifted by {offset} floats changed the result.");
            }
        }
    }

    /// <summary>Floats per vector at <paramref name="width"/>; scalar runs four-float rows (its rows are never vectors).</summary>
    private static int VectorFloats(SimdWidth width) => SimdWidths.Resolve(width) switch
    {
        SimdWidth.V512 => 16,
        SimdWidth.V256 => 8,
        _ => 4,
    };

    /// <summary>Runs the kernel with each buffer <paramref name="offset"/> floats into a larger array.</summary>
    private static unsafe float[] Run(SimdWidth width, Activation activation, float[] w, float[] x, float[] bias, int rows, int cols, int offset)
    {
        float[] pw = Shifted(w, offset), px = Shifted(x, offset), pb = Shifted(bias, offset), py = new float[rows + offset];
        fixed (float* a = pw, b = px, c = pb, d = py)
        {
            MatVecKernels.Forward(width, a + offset, b + offset, c + offset, d + offset, rows, cols, activation);
        }

        return py.AsSpan(offset).ToArray();
    }

    private static float[] Shifted(float[] values, int offset)
    {
        float[] shifted = new float[values.Length + offset];
        values.CopyTo(shifted, offset);
        return shifted;
    }

    private static string Context(SimdWidth width, Activation activation, int rows, int cols) =>
        string.Create(CultureInfo.InvariantCulture, $"{width} {activation} rows={rows} cols={cols}");
}
