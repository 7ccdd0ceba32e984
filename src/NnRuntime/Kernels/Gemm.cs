using System;

namespace NnGen.Kernels;

/// <summary>
/// Single-precision matrix products in the three orientations a fully-connected network needs, all row-major, so no
/// caller ever transposes a matrix in a hot loop. Every method overwrites its output (never accumulates into it),
/// allocates nothing and checks buffer lengths against the stated shapes.
/// </summary>
/// <remarks>
/// With feature-major activations A[l] (n[l] × m) and example-major inputs X (m × n[0]) the products are:
/// forward Z1 = W1·Xᵀ (<see cref="MultiplyNT(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, float)"/>),
/// forward Z = W·A_prev (<see cref="MultiplyNN(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, float)"/>),
/// dW = (1/m)·dZ·A_prevᵀ (NT), dW1 = (1/m)·dZ1·X (NN), dA_prev = Wᵀ·dZ
/// (<see cref="MultiplyTN(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, float)"/>) and, for one
/// example, z = W·x + b (<see cref="MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/>).
/// Floating-point sums are reassociated for speed, so results differ from a sequential sum in the last bits and may
/// differ between machines with different vector widths. Large NN and NT products split their output columns over
/// the threads <see cref="KernelParallelism"/> allows, with results identical to one thread's.
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>C[m×n] = alpha · A[m×k] · B[k×n].</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A or B.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="alpha">Scale applied to the product, for example 1/m for an averaged gradient.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an operand.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void MultiplyNN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha = 1f) =>
        MultiplyNN(a, b, c, m, k, n, alpha, SimdWidth.Auto);

    /// <summary>C[m×n] = alpha · A[m×k] · B[n×k]ᵀ, with B given row-major as n × k so both operands run along k.</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, n × k row-major (its transpose is the right operand).</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A or B.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A and of B: the length of each dot product.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="alpha">Scale applied to the product, for example 1/m for an averaged gradient.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an operand.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void MultiplyNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha = 1f) =>
        MultiplyNT(a, b, c, m, k, n, alpha, SimdWidth.Auto);

    /// <summary>C[m×n] = alpha · A[k×m]ᵀ · B[k×n], with A given row-major as k × m.</summary>
    /// <param name="a">A, k × m row-major (its transpose is the left operand).</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A or B.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="k">Rows of A and of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="alpha">Scale applied to the product.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an operand.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void MultiplyTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha = 1f) =>
        MultiplyTN(a, b, c, m, k, n, alpha, SimdWidth.Auto);

    /// <summary>y[rows] = W[rows×cols] · x[cols], plus <paramref name="bias"/> when it is not empty.</summary>
    /// <param name="w">W, rows × cols row-major.</param>
    /// <param name="x">x, cols floats.</param>
    /// <param name="bias">Empty for no bias, otherwise rows floats added to the product.</param>
    /// <param name="y">y, rows floats; overwritten. Must not overlap the inputs.</param>
    /// <param name="rows">Rows of W: output units.</param>
    /// <param name="cols">Columns of W: input units.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or y overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void MatVec(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows, int cols) =>
        MatVec(w, x, bias, y, rows, cols, SimdWidth.Auto);

    internal static unsafe void MultiplyNN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyNN";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "m", aCols: "k", bRows: "k", bCols: "n", aRowCount: m, aColCount: k, bRowCount: k, bColCount: n);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var split = new ColumnSplit(SimdWidths.Resolve(width), pa, pb, pc, m, k, n, alpha);
            int parts = split.Parts(KernelParallelism.Current);
            if (parts > 1)
            {
                KernelWorkers.Run(&MultiplyNNPart, &split, parts);
            }
            else
            {
                GemmKernels.Outer(split.Width, pa, k, 1, pb, n, pc, n, m, k, n, alpha);
            }
        }
    }

    /// <summary>Columns [j0, j1) of C = alpha·A·B: the same columns of B, the same rows of A.</summary>
    private static void MultiplyNNPart(void* state, int part, int parts)
    {
        ref ColumnSplit split = ref *(ColumnSplit*)state;
        (int j0, int columns) = split.Range(part, parts);
        GemmKernels.Outer(split.Width, split.A, split.K, 1, split.B + j0, split.N, split.C + j0, split.N, split.M, split.K, columns, split.Alpha);
    }

    /// <summary>Columns [j0, j1) of C = alpha·A·Bᵀ: rows [j0, j1) of B.</summary>
    private static void MultiplyNTPart(void* state, int part, int parts)
    {
        ref ColumnSplit split = ref *(ColumnSplit*)state;
        (int j0, int columns) = split.Range(part, parts);
        GemmKernels.Dot(split.Width, split.A, split.K, split.B + ((nint)j0 * split.K), split.K, split.C + j0, split.N, split.M, split.K, columns, split.Alpha, bias: null);
    }

    /// <summary>
    /// A product's columns cut into parts for <see cref="KernelWorkers"/>. Cuts fall on multiples of
    /// <see cref="ColumnAlignment"/> (a whole number of every width's column tiles) and the last part keeps the partial
    /// tile, so each element sees exactly the single-threaded arithmetic and the result does not depend on the degree.
    /// </summary>
    private readonly struct ColumnSplit(SimdWidth width, float* a, float* b, float* c, int m, int k, int n, float alpha)
    {
        /// <summary>48 columns: 3 vectors of 16 (512-bit), 6 of 8, 12 of 4, and a multiple of the dot-product block of 3.</summary>
        private const int ColumnAlignment = 48;

        public readonly SimdWidth Width = width;
        public readonly float* A = a;
        public readonly float* B = b;
        public readonly float* C = c;
        public readonly int M = m;
        public readonly int K = k;
        public readonly int N = n;
        public readonly float Alpha = alpha;

        public int Parts(int degree)
        {
            if (degree <= 1 || 2L * M * K * N < KernelParallelism.MinimumParallelFlops)
            {
                return 1;
            }

            return Math.Max(1, Math.Min(degree, N / ColumnAlignment));
        }

        public (int Start, int Count) Range(int part, int parts)
        {
            int blocks = N / ColumnAlignment;
            int start = (int)((long)blocks * part / parts) * ColumnAlignment;
            int end = part == parts - 1 ? N : (int)((long)blocks * (part + 1) / parts) * ColumnAlignment;
            return (start, end - start);
        }
    }

    internal static unsafe void MultiplyNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyNT";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "m", aCols: "k", bRows: "n", bCols: "k", aRowCount: m, aColCount: k, bRowCount: n, bColCount: k);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var split = new ColumnSplit(SimdWidths.Resolve(width), pa, pb, pc, m, k, n, alpha);
            int parts = split.Parts(KernelParallelism.Current);
            if (parts > 1)
            {
                KernelWorkers.Run(&MultiplyNTPart, &split, parts);
            }
            else
            {
                GemmKernels.Dot(split.Width, pa, k, pb, k, pc, n, m, k, n, alpha, bias: null);
            }
        }
    }

    internal static unsafe void MultiplyTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyTN";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "k", aCols: "m", bRows: "k", bCols: "n", aRowCount: k, aColCount: m, bRowCount: k, bColCount: n);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            // Aᵀ(i, p) = a[p·m + i]: a row stride of 1 and a depth stride of m, so no transposed copy is made.
            GemmKernels.Outer(SimdWidths.Resolve(width), pa, 1, m, pb, n, pc, n, m, k, n, alpha);
        }
    }

    internal static unsafe void MatVec(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows, int cols, SimdWidth width)
    {
        const string Kernel = "Gemm.MatVec";
        KernelGuard.NonNegative(rows, Kernel, nameof(rows));
        KernelGuard.NonNegative(cols, Kernel, nameof(cols));
        KernelGuard.MatrixLength(w.Length, rows, cols, Kernel, nameof(w), nameof(rows), nameof(cols));
        KernelGuard.VectorLength(x.Length, cols, Kernel, nameof(x), nameof(cols));
        if (!bias.IsEmpty)
        {
            KernelGuard.VectorLength(bias.Length, rows, Kernel, nameof(bias), nameof(rows));
            KernelGuard.NoOverlap(y, bias, Kernel, nameof(y), nameof(bias));
        }

        KernelGuard.VectorLength(y.Length, rows, Kernel, nameof(y), nameof(rows));
        KernelGuard.NoOverlap(y, w, Kernel, nameof(y), nameof(w));
        KernelGuard.NoOverlap(y, x, Kernel, nameof(y), nameof(x));
        fixed (float* pw = w)
        fixed (float* px = x)
        fixed (float* pbias = bias)
        fixed (float* py = y)
        {
            // W·x is the dot-product product with a single B row (x); the bias rides along in its epilogue.
            GemmKernels.Dot(SimdWidths.Resolve(width), pw, cols, px, cols, py, 1, rows, cols, 1, 1f, bias.IsEmpty ? null : pbias);
        }
    }

    private static void CheckProduct(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, int m, int k, int n, string kernel,
        string aRows, string aCols, string bRows, string bCols, int aRowCount, int aColCount, int bRowCount, int bColCount)
    {
        KernelGuard.NonNegative(m, kernel, nameof(m));
        KernelGuard.NonNegative(k, kernel, nameof(k));
        KernelGuard.NonNegative(n, kernel, nameof(n));
        KernelGuard.MatrixLength(a.Length, aRowCount, aColCount, kernel, nameof(a), aRows, aCols);
        KernelGuard.MatrixLength(b.Length, bRowCount, bColCount, kernel, nameof(b), bRows, bCols);
        KernelGuard.MatrixLength(c.Length, m, n, kernel, nameof(c), "m", "n");
        KernelGuard.NoOverlap(c, a, kernel, nameof(c), nameof(a));
        KernelGuard.NoOverlap(c, b, kernel, nameof(c), nameof(b));
    }
}
