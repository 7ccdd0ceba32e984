using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;

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
/// The overloads that take a bias and an <see cref="Activation"/> (or the activations whose derivative to apply) fuse
/// that element-wise step into the product: each value goes through it as its tile is stored, while still in registers.
/// Floating-point sums are reassociated for speed, so results differ from a sequential sum in the last bits, but the
/// products' order does not depend on the vector width or the register tiles: every width gives the same bits (see
/// <see cref="GemmKernels"/>). Large products cut their output into blocks of rows and columns
/// (<see cref="ProductSplit"/>) that the threads <see cref="KernelParallelism"/> allows share out, with results
/// identical to one thread's.
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

    /// <summary>
    /// y[rows] = g(W[rows×cols] · x[cols] + bias): one dense layer's forward pass for one example in one call, with the
    /// bias added to each block of sums while they are in registers (see <see cref="MatVecKernels"/>).
    /// </summary>
    /// <param name="w">W, rows × cols row-major.</param>
    /// <param name="x">x, cols floats.</param>
    /// <param name="bias">b, rows floats.</param>
    /// <param name="y">y, rows floats; overwritten. Must not overlap the inputs.</param>
    /// <param name="rows">Rows of W: output units.</param>
    /// <param name="cols">Columns of W: input units.</param>
    /// <param name="activation">g, applied element-wise last; <see cref="Activation.Linear"/> leaves the sum as it is.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or y overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="activation"/> is not defined.</exception>
    public static void MatVec(
        ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows, int cols, Activation activation) =>
        MatVec(w, x, bias, y, rows, cols, activation, SimdWidth.Auto);

    /// <summary>C[m×n] = g(alpha · A[m×k] · B[k×n] + bias[i] on row i), bias and activation applied as each tile is stored.</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A, B or the bias.</param>
    /// <param name="m">Rows of A and C: output units of a layer.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C: examples.</param>
    /// <param name="alpha">Scale applied to the product before the bias.</param>
    /// <param name="bias">Empty for no bias, otherwise m floats; bias[i] is added to row i.</param>
    /// <param name="activation">g, applied element-wise last; <see cref="Activation.Linear"/> leaves the sum as it is.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="activation"/> is not defined.</exception>
    public static void MultiplyNN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> bias, Activation activation) =>
        MultiplyNN(a, b, c, m, k, n, alpha, bias, activation, SimdWidth.Auto);

    /// <summary>
    /// C[m×n] = g(alpha · A[m×k] · B[n×k]ᵀ + bias[i] on row i), bias and activation applied as each tile is stored:
    /// a dense layer's forward pass A1 = g(W1·Xᵀ + b1) over example-major inputs in one call.
    /// </summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, n × k row-major (its transpose is the right operand).</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A, B or the bias.</param>
    /// <param name="m">Rows of A and C: output units of a layer.</param>
    /// <param name="k">Columns of A and of B: the length of each dot product.</param>
    /// <param name="n">Rows of B, columns of C: examples.</param>
    /// <param name="alpha">Scale applied to the product before the bias.</param>
    /// <param name="bias">Empty for no bias, otherwise m floats; bias[i] is added to row i.</param>
    /// <param name="activation">g, applied element-wise last; <see cref="Activation.Linear"/> leaves the sum as it is.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="activation"/> is not defined.</exception>
    public static void MultiplyNT(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> bias, Activation activation) =>
        MultiplyNT(a, b, c, m, k, n, alpha, bias, activation, SimdWidth.Auto);

    /// <summary>
    /// C[m×n] = (alpha · A[k×m]ᵀ · B[k×n]) ⊙ g′(activations), the derivative evaluated from the layer's own outputs
    /// as each tile is stored: the backward step dZ[l] = (W[l+1]ᵀ·dZ[l+1]) ⊙ g′(A[l]) in one call.
    /// </summary>
    /// <param name="a">A, k × m row-major (its transpose is the left operand), for example W[l+1].</param>
    /// <param name="b">B, k × n row-major, for example dZ[l+1].</param>
    /// <param name="c">C, m × n row-major; overwritten. Must not overlap A, B or the activations.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="k">Rows of A and of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="alpha">Scale applied to the product.</param>
    /// <param name="activations">g's outputs A[l], m × n row-major like C: the derivatives are taken in terms of them
    /// (sigmoid a(1 − a), tanh 1 − a², ReLU 1 for a &gt; 0 else 0, leaky ReLU 1 or 0.01, linear 1). May be empty when
    /// <paramref name="derivativeOf"/> is <see cref="Activation.Linear"/>.</param>
    /// <param name="derivativeOf">g, the activation that produced <paramref name="activations"/>.</param>
    /// <exception cref="ArgumentException">A buffer's length does not match its shape, or C overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="derivativeOf"/> is not defined.</exception>
    public static void MultiplyTN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> activations, Activation derivativeOf) =>
        MultiplyTN(a, b, c, m, k, n, alpha, activations, derivativeOf, SimdWidth.Auto);

    /// <summary>
    /// The width a product runs at: <see cref="SimdWidths.Resolve"/>, so <see cref="SimdPolicy.Use512Bit"/> decides,
    /// and by default that means 512 bits wherever the CPU has AVX-512F, even where the runtime prefers 256 (Vector512
    /// code still compiles to zmm instructions with 32 registers there), because the products measured faster so
    /// (docs/performance.md, "Width policy").
    /// </summary>
    internal static SimdWidth Resolve(SimdWidth width) => SimdWidths.Resolve(width);

    internal static void MultiplyNN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width) =>
        MultiplyNN(a, b, c, m, k, n, alpha, [], Activation.Linear, width);

    internal static void MultiplyNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width) =>
        MultiplyNT(a, b, c, m, k, n, alpha, [], Activation.Linear, width);

    internal static void MultiplyTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, SimdWidth width) =>
        MultiplyTN(a, b, c, m, k, n, alpha, [], Activation.Linear, width);

    internal static void MultiplyNN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> bias, Activation activation, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyNN";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "m", aCols: "k", bRows: "k", bCols: "n", aRowCount: m, aColCount: k, bRowCount: k, bColCount: n);
        CheckForwardEpilogue(c, bias, activation, m, Kernel);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var product = new ForwardProduct(ProductOrientation.NN, Resolve(width), TileShapes.Current, pa, pb, pc, m, k, n, alpha, bias.IsEmpty ? null : pbias);
            ActivationOperators.Visit(activation, ref product, Kernel, nameof(activation));
        }
    }

    internal static void MultiplyNT(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> bias, Activation activation, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyNT";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "m", aCols: "k", bRows: "n", bCols: "k", aRowCount: m, aColCount: k, bRowCount: n, bColCount: k);
        CheckForwardEpilogue(c, bias, activation, m, Kernel);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var product = new ForwardProduct(ProductOrientation.NT, Resolve(width), TileShapes.Current, pa, pb, pc, m, k, n, alpha, bias.IsEmpty ? null : pbias);
            ActivationOperators.Visit(activation, ref product, Kernel, nameof(activation));
        }
    }

    internal static void MultiplyTN(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, float alpha, ReadOnlySpan<float> activations, Activation derivativeOf, SimdWidth width)
    {
        const string Kernel = "Gemm.MultiplyTN";
        CheckProduct(a, b, c, m, k, n, Kernel, aRows: "k", aCols: "m", bRows: "k", bCols: "n", aRowCount: k, aColCount: m, bRowCount: k, bColCount: n);
        ActivationOperators.Check(derivativeOf, Kernel, nameof(derivativeOf));
        if (derivativeOf != Activation.Linear || !activations.IsEmpty)
        {
            KernelGuard.MatrixLength(activations.Length, m, n, Kernel, nameof(activations), "m", "n");
            KernelGuard.NoOverlap(c, activations, Kernel, nameof(c), nameof(activations));
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pactivations = activations)
        {
            var product = new BackwardProduct(Resolve(width), TileShapes.Current, pa, pb, pc, m, k, n, alpha, (nint)(pactivations - pc));
            ActivationOperators.Visit(derivativeOf, ref product, Kernel, nameof(derivativeOf));
        }
    }

    /// <summary>The TN product with the epilogue of one activation's derivative; the linear derivative is the plain product.</summary>
    private readonly struct BackwardProduct(SimdWidth width, TileShape tiles, float* a, float* b, float* c, int m, int k, int n, float alpha, nint activationsOffset)
        : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator
        {
            if (typeof(TGradient) == typeof(LinearGradientOperator))
            {
                RunParts(ProductOrientation.TN, width, tiles, a, b, c, m, k, n, alpha, default(NoEpilogue));
            }
            else
            {
                RunParts(ProductOrientation.TN, width, tiles, a, b, c, m, k, n, alpha, new ActivationGradientEpilogue<TGradient>(activationsOffset));
            }
        }
    }

    /// <summary>The NN or NT product with a bias and activation epilogue, its type picked once so every tile is compiled for one activation.</summary>
    private readonly struct ForwardProduct(ProductOrientation orientation, SimdWidth width, TileShape tiles, float* a, float* b, float* c, int m, int k, int n, float alpha, float* bias)
        : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator
        {
            if (typeof(TActivation) == typeof(LinearOperator) && bias == null)
            {
                RunParts(orientation, width, tiles, a, b, c, m, k, n, alpha, default(NoEpilogue));
            }
            else
            {
                RunParts(orientation, width, tiles, a, b, c, m, k, n, alpha, new BiasActivationEpilogue<TActivation>(bias));
            }
        }
    }

    /// <summary>
    /// Runs the parts of <see cref="ProductSplit.For"/> on up to <see cref="KernelParallelism.Current"/> threads. Threads
    /// claim parts from a shared counter, so a thread slowed by other load simply takes fewer; which thread computes a
    /// part changes nothing, since every part sums its elements as the whole product does. One thread runs the whole product in
    /// one call: the parts sum every element exactly as the whole product does (the split's cuts are chosen so), and
    /// one call copies each operand once.
    /// </summary>
    private static void RunParts<TEpilogue>(
        ProductOrientation orientation, SimdWidth width, TileShape tiles, float* a, float* b, float* c, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : unmanaged, IGemmEpilogue
    {
        int degree = KernelParallelism.Current;
        var product = new SplitProduct<TEpilogue>(ProductSplit.For(orientation, m, k, n, degree), width, tiles, a, b, c, m, k, n, alpha, epilogue);
        int threads = product.Split.Threads(degree);
        if (threads > 1)
        {
            KernelWorkers.Run(&ClaimParts<TEpilogue>, &product, threads);
        }
        else
        {
            product.Run(new ProductPart(0, m, 0, n));
        }
    }

    private static void ClaimParts<TEpilogue>(void* state, int thread, int threads)
        where TEpilogue : unmanaged, IGemmEpilogue
    {
        ref SplitProduct<TEpilogue> product = ref *(SplitProduct<TEpilogue>*)state;
        int parts = product.Split.Parts;
        for (int part = Interlocked.Increment(ref product.Claimed) - 1; part < parts; part = Interlocked.Increment(ref product.Claimed) - 1)
        {
            product.Run(product.Split.Part(part));
        }
    }

    /// <summary>
    /// One product and its split, shared (on the caller's stack) by every thread that runs a part. Each part is the
    /// kernel called on a sub-block of C with offset operands, so it copies its own panels of B (NN, TN) or chunks of
    /// A (NT) into its thread's scratch.
    /// </summary>
    private struct SplitProduct<TEpilogue>(
        ProductSplit split, SimdWidth width, TileShape tiles, float* a, float* b, float* c, int m, int k, int n, float alpha, TEpilogue epilogue)
        where TEpilogue : unmanaged, IGemmEpilogue
    {
        public readonly ProductSplit Split = split;

        /// <summary>Parts handed out so far (the next part is this value); only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;

        private readonly SimdWidth _width = width;
        private readonly TileShape _tiles = tiles;
        private readonly float* _a = a;
        private readonly float* _b = b;
        private readonly float* _c = c;
        private readonly int _m = m;
        private readonly int _k = k;
        private readonly int _n = n;
        private readonly float _alpha = alpha;
        private readonly TEpilogue _epilogue = epilogue;

        public readonly void Run(ProductPart p)
        {
            // The tiles number rows from the part's first row; the epilogue needs the row of the whole C (its bias).
            var epilogue = new RowOffsetEpilogue<TEpilogue>(_epilogue, p.Row);
            float* c = _c + ((nint)p.Row * _n) + p.Column;
            switch (Split.Orientation)
            {
                case ProductOrientation.NN:
                    GemmKernels.Outer(_width, _tiles, _a + ((nint)p.Row * _k), _k, 1, _b + p.Column, _n, c, _n, p.Rows, _k, p.Columns, _alpha, epilogue);
                    break;
                case ProductOrientation.NT:
                    GemmKernels.Dot(_width, _tiles, _a + ((nint)p.Row * _k), _k, _b + ((nint)p.Column * _k), _k, c, _n, p.Rows, _k, p.Columns, _alpha, epilogue);
                    break;
                default:
                    // Aᵀ(i, p) = a[p·m + i]: a row stride of 1 and a depth stride of m, so no transposed copy is made.
                    GemmKernels.Outer(_width, _tiles, _a + p.Row, 1, _m, _b + p.Column, _n, c, _n, p.Rows, _k, p.Columns, _alpha, epilogue);
                    break;
            }
        }
    }

    /// <summary>An epilogue called by tiles that number rows from <c>offset</c> rather than from C's first row.</summary>
    internal readonly struct RowOffsetEpilogue<TInner>(TInner inner, int offset) : IGemmEpilogue
        where TInner : struct, IGemmEpilogue
    {
        private readonly TInner _inner = inner;
        private readonly int _offset = offset;

        public static bool IsNone => TInner.IsNone;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Apply<TSimd, TVec>(TVec value, float* c, int row)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => _inner.Apply<TSimd, TVec>(value, c, row + _offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Apply(float value, float* c, int row) => _inner.Apply(value, c, row + _offset);
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
            GemmKernels.Dot(Resolve(width), TileShapes.Current, pw, cols, px, cols, py, 1, rows, cols, 1, 1f, bias.IsEmpty ? null : pbias);
        }
    }

    internal static unsafe void MatVec(
        ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows, int cols, Activation activation, SimdWidth width)
    {
        // One combined test on the way in, the precise message only when it fails: separate checks cost a large share
        // of a one-example call (docs/performance.md).
        if (rows < 0 || cols < 0 || w.Length != (long)rows * cols || x.Length != cols || bias.Length != rows || y.Length != rows ||
            y.Overlaps(w) || y.Overlaps(x) || y.Overlaps(bias))
        {
            ThrowMatVecArguments(w, x, bias, y, rows, cols, activation);
        }

        fixed (float* pw = w)
        fixed (float* px = x)
        fixed (float* pbias = bias)
        fixed (float* py = y)
        {
            // An activation without an element-wise operator is rejected here, before anything is written.
            MatVecKernels.Forward(width, pw, px, pbias, py, rows, cols, activation);
        }
    }

    [DoesNotReturn]
    private static void ThrowMatVecArguments(
        ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, ReadOnlySpan<float> y, int rows, int cols, Activation activation)
    {
        const string Kernel = "Gemm.MatVec";
        KernelGuard.NonNegative(rows, Kernel, nameof(rows));
        KernelGuard.NonNegative(cols, Kernel, nameof(cols));
        KernelGuard.MatrixLength(w.Length, rows, cols, Kernel, nameof(w), nameof(rows), nameof(cols));
        KernelGuard.VectorLength(x.Length, cols, Kernel, nameof(x), nameof(cols));
        KernelGuard.VectorLength(bias.Length, rows, Kernel, nameof(bias), nameof(rows));
        KernelGuard.VectorLength(y.Length, rows, Kernel, nameof(y), nameof(rows));
        KernelGuard.NoOverlap(y, w, Kernel, nameof(y), nameof(w));
        KernelGuard.NoOverlap(y, x, Kernel, nameof(y), nameof(x));
        KernelGuard.NoOverlap(y, bias, Kernel, nameof(y), nameof(bias));
        ActivationOperators.Check(activation, Kernel, nameof(activation));
        throw new UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    private static void CheckForwardEpilogue(ReadOnlySpan<float> c, ReadOnlySpan<float> bias, Activation activation, int m, string kernel)
    {
        ActivationOperators.Check(activation, kernel, nameof(activation));
        if (!bias.IsEmpty)
        {
            KernelGuard.VectorLength(bias.Length, m, kernel, nameof(bias), "m");
            KernelGuard.NoOverlap(c, bias, kernel, nameof(c), nameof(bias));
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
