using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// y = g(W·x + b) for one example at 256 and 512 bits, W row-major with at least a block of rows: a dense layer's
/// one-example forward (through <see cref="MatVecKernels"/>) and the causal convolution's step (Cout × Cin·K). A block of
/// rows keeps one accumulator per row along k, then the block's accumulators are transpose-reduced together into one
/// vector of the block's sums. Everything trusts its caller, as <see cref="MatVecKernels"/> does.
/// </summary>
/// <remarks>
/// <para>
/// Why a block as wide as the vector: reducing four rows at a time into a 128-bit vector costs about five reduction
/// instructions a row at 512 bits. Here a block is as many rows as a vector has lanes (16 at 512 bits, 8 at 256), and
/// the tree adds pairs of lanes inside each 128-bit lane, then pairs of pairs, then the 128-bit lanes against each
/// other; the partial sums of 16 rows share every shuffle and add, about three instructions a row, and the block's sums
/// come out in row order, so the bias and a piecewise-linear activation are applied to them as one vector before one
/// store. Tanh and sigmoid run over all of y afterwards at the block's width, for the reason
/// <see cref="MatVecKernels"/> gives.
/// </para>
/// <para>
/// Order. Each row sums its k-vectors in order into one accumulator (the last, partial one is the vector ending at the
/// row's end with the lanes already counted zeroed in both operands, as in <see cref="MatVecKernels"/>), then its lanes
/// as ((l0 + l1) + (l2 + l3)) per 128-bit lane and the 128-bit lanes as (L0 + L1) + (L2 + L3); the bias is added to
/// that sum, then the activation is applied. The tree is the same for
/// every row of a block, so the last block, which ends at the last row and repeats rows already done, gives them the
/// same bits. The order depends on the sizes and the width only, never on an address.
/// </para>
/// <para>
/// It runs on AVX-512F (16-row blocks) and AVX (8-row blocks) and needs at least one block of rows and one vector of
/// columns, else the 256-bit blocks when the width allows them; <see cref="TryForward{TActivation}"/> says when it
/// declined, and <see cref="MatVecKernels"/> then takes the layer.
/// </para>
/// </remarks>
internal static unsafe class SmallMatVec
{
    /// <summary>Shuffle control [x0, x2, y0, y2]: per 128-bit lane for floats, per 128-bit lane of the operands for 128-bit lanes.</summary>
    private const byte Even = 0b10_00_10_00;

    /// <summary>Shuffle control [x1, x3, y1, y3].</summary>
    private const byte Odd = 0b11_01_11_01;

    /// <summary>y[rows] = W[rows × cols]·x[cols] + bias[rows] when the width and shape suit this kernel.</summary>
    /// <returns>Whether it ran; when false nothing was written.</returns>
    internal static bool TryForward(SimdWidth width, float* w, float* x, float* bias, float* y, int rows, int cols) =>
        TryForward<LinearOperator>(width, w, x, bias, y, rows, cols);

    /// <summary>
    /// The block width this kernel runs a (rows × cols) layer at when called at <paramref name="width"/>: 512 bits
    /// (16-row blocks) on AVX-512F with a block of rows and a vector of columns, else 256 bits (8-row blocks) when the
    /// width allows them, else <see cref="SimdWidth.Scalar"/>: declined.
    /// </summary>
    internal static SimdWidth BlockWidth(SimdWidth width, int rows, int cols) =>
        width >= SimdWidth.V512 && Avx512F.IsSupported && rows >= 16 && cols >= 16 ? SimdWidth.V512 :
        width >= SimdWidth.V256 && Avx.IsSupported && rows >= 8 && cols >= 8 ? SimdWidth.V256 :
        SimdWidth.Scalar;

    /// <summary>y[rows] = g(W[rows × cols]·x[cols] + bias[rows]) with g = <typeparamref name="TActivation"/> when the width and shape suit this kernel.</summary>
    /// <returns>Whether it ran; when false nothing was written.</returns>
    internal static bool TryForward<TActivation>(SimdWidth width, float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
    {
        switch (BlockWidth(width, rows, cols))
        {
            case SimdWidth.V512 when TActivation.IsTranscendental:
                // As in MatVecKernels: tanh and sigmoid over all of y afterwards pipeline, one per block stalls the next block.
                Forward512<LinearOperator>(w, x, bias, y, rows, cols);
                ElementwiseKernels.Map<TActivation>(y, y, rows, SimdWidth.V512);
                return true;
            case SimdWidth.V512:
                Forward512<TActivation>(w, x, bias, y, rows, cols);
                return true;
            case SimdWidth.V256 when TActivation.IsTranscendental:
                Forward256<LinearOperator>(w, x, bias, y, rows, cols);
                ElementwiseKernels.Map<TActivation>(y, y, rows, SimdWidth.V256);
                return true;
            case SimdWidth.V256:
                Forward256<TActivation>(w, x, bias, y, rows, cols);
                return true;
            default:
                return false;
        }
    }

    private static void Forward512<TActivation>(float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
    {
        int tail = cols % 16;
        Vector512<float> tailMask = tail == 0 ? Vector512<float>.Zero : Simd512.LanesFrom(16 - tail);
        int r0 = 0;
        while (true)
        {
            Block16<TActivation>(w + ((nint)r0 * cols), cols, x, bias + r0, y + r0, cols, tail, tailMask);
            if (r0 == rows - 16)
            {
                break;
            }

            r0 = Math.Min(r0 + 16, rows - 16);
        }
    }

    private static void Forward256<TActivation>(float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
    {
        int tail = cols % 8;
        Vector256<float> tailMask = tail == 0 ? Vector256<float>.Zero : Simd256.LanesFrom(8 - tail);
        int r0 = 0;
        while (true)
        {
            Block8<TActivation>(w + ((nint)r0 * cols), x, bias + r0, y + r0, cols, tail, tailMask);
            if (r0 == rows - 8)
            {
                break;
            }

            r0 = Math.Min(r0 + 8, rows - 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block16<TActivation>(float* w, nint s, float* x, float* bias, float* y, int cols, int tail, Vector512<float> tailMask)
        where TActivation : struct, IUnaryOperator
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        int k = 0;
        for (; k <= cols - 16; k += 16)
        {
            Vector512<float> xk = Vector512.Load(x + k);
            float* p = w + k;
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(p), xk, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + s), xk, a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (2 * s)), xk, a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (3 * s)), xk, a3);
            a4 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (4 * s)), xk, a4);
            a5 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (5 * s)), xk, a5);
            a6 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (6 * s)), xk, a6);
            a7 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (7 * s)), xk, a7);
            a8 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (8 * s)), xk, a8);
            a9 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (9 * s)), xk, a9);
            a10 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (10 * s)), xk, a10);
            a11 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (11 * s)), xk, a11);
            a12 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (12 * s)), xk, a12);
            a13 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (13 * s)), xk, a13);
            a14 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (14 * s)), xk, a14);
            a15 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (15 * s)), xk, a15);
        }

        if (tail != 0)
        {
            // The tail vector re-reads columns the last whole vector counted: x is masked there, and W too, so those lanes
            // add exactly +0·+0 whatever W holds.
            Vector512<float> xk = Vector512.Load(x + cols - 16) & tailMask;
            Vector512<float> wMask = tailMask;
            float* p = w + cols - 16;
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(p) & wMask, xk, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + s) & wMask, xk, a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (2 * s)) & wMask, xk, a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (3 * s)) & wMask, xk, a3);
            a4 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (4 * s)) & wMask, xk, a4);
            a5 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (5 * s)) & wMask, xk, a5);
            a6 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (6 * s)) & wMask, xk, a6);
            a7 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (7 * s)) & wMask, xk, a7);
            a8 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (8 * s)) & wMask, xk, a8);
            a9 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (9 * s)) & wMask, xk, a9);
            a10 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (10 * s)) & wMask, xk, a10);
            a11 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (11 * s)) & wMask, xk, a11);
            a12 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (12 * s)) & wMask, xk, a12);
            a13 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (13 * s)) & wMask, xk, a13);
            a14 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (14 * s)) & wMask, xk, a14);
            a15 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (15 * s)) & wMask, xk, a15);
        }

        // Rows 4q..4q+3 with each 128-bit lane's partial sum (floats in pairs, then pairs of pairs), then the 128-bit
        // lanes added across; rows come out in order. (One blend pair and one shuffle per add instead of two shuffles
        // measured slower on Zen 5.)
        Vector512<float> t0 = Pairs(Pairs(a0, a1), Pairs(a2, a3));
        Vector512<float> t1 = Pairs(Pairs(a4, a5), Pairs(a6, a7));
        Vector512<float> t2 = Pairs(Pairs(a8, a9), Pairs(a10, a11));
        Vector512<float> t3 = Pairs(Pairs(a12, a13), Pairs(a14, a15));
        Vector512<float> sums = Lanes(Lanes(t0, t1), Lanes(t2, t3));
        Vector512.Store(TActivation.Invoke<Simd512, Vector512<float>>(sums + Vector512.Load(bias)), y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> Pairs(Vector512<float> a, Vector512<float> b) => Avx512F.Shuffle(a, b, Even) + Avx512F.Shuffle(a, b, Odd);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> Lanes(Vector512<float> a, Vector512<float> b) => Avx512F.Shuffle4x128(a, b, Even) + Avx512F.Shuffle4x128(a, b, Odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8<TActivation>(float* w, float* x, float* bias, float* y, int cols, int tail, Vector256<float> tailMask)
        where TActivation : struct, IUnaryOperator
    {
        nint s = cols;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int k = 0;
        for (; k <= cols - 8; k += 8)
        {
            Vector256<float> xk = Vector256.Load(x + k);
            float* p = w + k;
            a0 = Simd256.MultiplyAdd(Vector256.Load(p), xk, a0);
            a1 = Simd256.MultiplyAdd(Vector256.Load(p + s), xk, a1);
            a2 = Simd256.MultiplyAdd(Vector256.Load(p + (2 * s)), xk, a2);
            a3 = Simd256.MultiplyAdd(Vector256.Load(p + (3 * s)), xk, a3);
            a4 = Simd256.MultiplyAdd(Vector256.Load(p + (4 * s)), xk, a4);
            a5 = Simd256.MultiplyAdd(Vector256.Load(p + (5 * s)), xk, a5);
            a6 = Simd256.MultiplyAdd(Vector256.Load(p + (6 * s)), xk, a6);
            a7 = Simd256.MultiplyAdd(Vector256.Load(p + (7 * s)), xk, a7);
        }

        if (tail != 0)
        {
            k = cols - 8;
            Vector256<float> xk = Vector256.Load(x + k) & tailMask;
            float* p = w + k;
            a0 = Simd256.MultiplyAdd(Vector256.Load(p) & tailMask, xk, a0);
            a1 = Simd256.MultiplyAdd(Vector256.Load(p + s) & tailMask, xk, a1);
            a2 = Simd256.MultiplyAdd(Vector256.Load(p + (2 * s)) & tailMask, xk, a2);
            a3 = Simd256.MultiplyAdd(Vector256.Load(p + (3 * s)) & tailMask, xk, a3);
            a4 = Simd256.MultiplyAdd(Vector256.Load(p + (4 * s)) & tailMask, xk, a4);
            a5 = Simd256.MultiplyAdd(Vector256.Load(p + (5 * s)) & tailMask, xk, a5);
            a6 = Simd256.MultiplyAdd(Vector256.Load(p + (6 * s)) & tailMask, xk, a6);
            a7 = Simd256.MultiplyAdd(Vector256.Load(p + (7 * s)) & tailMask, xk, a7);
        }

        Vector256<float> t0 = Pairs(Pairs(a0, a1), Pairs(a2, a3));
        Vector256<float> t1 = Pairs(Pairs(a4, a5), Pairs(a6, a7));
        Vector256<float> sums = Avx.Permute2x128(t0, t1, 0x20) + Avx.Permute2x128(t0, t1, 0x31);
        Vector256.Store(TActivation.Invoke<Simd256, Vector256<float>>(sums + Vector256.Load(bias)), y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Pairs(Vector256<float> a, Vector256<float> b) => Avx.Shuffle(a, b, Even) + Avx.Shuffle(a, b, Odd);
    }
}
