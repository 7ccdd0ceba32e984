using System;

namespace NnGen.Kernels;

/// <summary>Changes between the example-major layout users see and the feature-major layout the batch kernels use.</summary>
public static unsafe class Layout
{
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

        // In register blocks (BlockTranspose): the generated training code transposes a batch's labels (m x n[L]) on
        // every step, and one float at a time, with a bounds check per store, that took 5 % of a [4,32,16,4] step.
        fixed (float* source = src)
        fixed (float* destination = dst)
        {
            BlockTranspose.Transpose(source, cols, destination, rows, rows, cols);
        }
    }
}
