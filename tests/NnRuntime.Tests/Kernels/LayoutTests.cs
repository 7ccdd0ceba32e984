using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

public sealed class LayoutTests
{
    [Fact]
    public void Transpose_AllShapesAcrossTiles_MovesEveryElement()
    {
        // Whole and overlapping register blocks of 4 and 8 and the scalar edges below them, including rows == 1 and
        // cols == 1 (plain copies) and a chunk's labels (625 x 4).
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 8, 9, 31, 32, 33, 64, 70, 625 })
        {
            foreach (int cols in new[] { 1, 2, 4, 7, 8, 9, 31, 32, 33, 65, 70 })
            {
                float[] src = new float[rows * cols];
                for (int i = 0; i < src.Length; i++)
                {
                    src[i] = i;
                }

                float[] dst = new float[(rows * cols) + 4];
                dst.AsSpan().Fill(-1f);
                Layout.Transpose(src, dst.AsSpan(0, rows * cols), rows, cols);
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        Assert.Equal(src[(i * cols) + j], dst[(j * rows) + i]);
                    }
                }

                KernelTestSupport.AssertUntouched(dst, rows * cols, -1f, $"Transpose {rows}x{cols}");
            }
        }
    }

    [Fact]
    public void Transpose_Twice_RoundTrips()
    {
        float[] src = KernelTestSupport.RandomFloats(209 * 5, seed: 50);
        float[] featureMajor = new float[src.Length];
        float[] back = new float[src.Length];
        Layout.Transpose(src, featureMajor, 209, 5);
        Layout.Transpose(featureMajor, back, 5, 209);
        Assert.Equal(src, back);
    }

    [Fact]
    public void Transpose_Empty_DoesNothing() => Layout.Transpose([], [], 0, 5);
}
