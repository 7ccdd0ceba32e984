using System;

namespace NnGen.Kernels;

/// <summary>Changes between the example-major layout users see and the feature-major layout the batch kernels use.</summary>
public static class Layout
{
    /// <summary>
    /// Square tile edge: a 32 × 32 tile of source rows and one of destination rows (4 KiB each) stay in L1 while the
    /// tile is copied, so neither side streams a whole cache line per element.
    /// </summary>
    private const int Tile = 32;

    /// <summary>dst[cols×rows] = src[rows×cols]ᵀ.</summary>
    /// <param name="src">The source, rows × cols row-major.</param>
    /// <param name="dst">The destination, cols × rows row-major; overwritten. Must not overlap the source.</param>
    /// <param name="rows">Rows of the source.</param>
    /// <param name="cols">Columns of the source.</param>
    /// <exception cref="ArgumentException">A length is not rows × cols, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void Transpose(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        const string Kernel = "Layout.Transpose";
        KernelGuard.NonNegative(rows, Kernel, nameof(rows));
        KernelGuard.NonNegative(cols, Kernel, nameof(cols));
        KernelGuard.MatrixLength(src.Length, rows, cols, Kernel, nameof(src), nameof(rows), nameof(cols));
        KernelGuard.MatrixLength(dst.Length, cols, rows, Kernel, nameof(dst), nameof(cols), nameof(rows));
        KernelGuard.NoOverlap(dst, src, Kernel, nameof(dst), nameof(src));

        // A single row or column is the same sequence of floats in both layouts; the network's usual case
        // (one output unit) hits this.
        if (rows == 1 || cols == 1)
        {
            src.CopyTo(dst);
            return;
        }

        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int iEnd = Math.Min(i0 + Tile, rows);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int jEnd = Math.Min(j0 + Tile, cols);
                for (int i = i0; i < iEnd; i++)
                {
                    ReadOnlySpan<float> srcRow = src.Slice(i * cols, cols);
                    for (int j = j0; j < jEnd; j++)
                    {
                        dst[(j * rows) + i] = srcRow[j];
                    }
                }
            }
        }
    }
}
