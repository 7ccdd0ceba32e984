using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// y = g(W·x + b) for one example: the whole dense layer in one call, with the activation applied to the sums while
/// they are still in a register. Everything here trusts its caller: pointers are pinned, sizes are the layer's, y does
/// not overlap W, x or b, and nothing is checked.
/// </summary>
/// <remarks>
/// <para>
/// At 256 and 512 bits a layer of at least one block of rows (8 at 256 bits, 16 at 512), rows longer than one vector
/// and at most <see cref="RowBlockFloatsLimit"/> weights runs <see cref="SmallMatVec"/>: a block of as many rows as a
/// vector has lanes, their accumulators transpose-reduced together into one vector of the block's sums, the bias and
/// the activation applied to that vector before its store; its remarks give the summation order. Everything below
/// describes the other shapes and 128 bits.
/// </para>
/// <para>
/// W is the layer's own row-major (rows × cols) matrix, so each output is a dot product along a contiguous row. Rows
/// go <see cref="RowBlock"/> at a time with one vector accumulator per row; each step over k loads one vector of x
/// and uses it for all the block's rows. Instead of a horizontal sum per row, the block's accumulators are reduced
/// four at a time into one 128-bit vector of four sums (<see cref="HorizontalSums.Sum4{TVec}"/>).
/// The bias is added to that vector and four rows are stored at once. ReLU, leaky ReLU and linear are applied in that
/// store; tanh and sigmoid run over all of y in one vectorized pass afterwards, because a tanh or sigmoid per block is
/// a long dependency chain that holds up the next block's loads, while the same activations in a row of independent
/// vectors pipeline. Below <see cref="RowBlock"/> rows, four-row blocks and
/// single rows apply the activation directly. A row of at most eight whole vectors (a 64-input layer at 256 bits)
/// takes <see cref="XInRegisters{TActivation, TSimd, TVec, TVectors}"/> instead, which loads x into registers once.
/// </para>
/// <para>
/// Width: every width is correct; which is fastest depends on the layer and on alignment (an unaligned 64-byte load
/// always spans two cache lines); the split of rows and columns never depends on an address.
/// </para>
/// <para>
/// Tails. A k tail (cols not a multiple of the width) loads the last full vector of the row, which ends exactly at
/// the row's end and so never reads past W or x, and zeroes the lanes already counted in both operands: zero is the
/// sum's identity and 0·0 cannot turn into NaN, whatever the masked lanes hold. A row tail recomputes a last block that
/// ends at the last row (the rows it repeats get the same values again): four rows wide when at most four are left,
/// eight otherwise; fewer rows than a block go four at a time, then one at a time. A row shorter than one vector drops to the next narrower width; below 128 bits the
/// dot products are scalar and the activation runs vectorized over y afterwards.
/// </para>
/// <para>
/// Sums are reassociated (per-lane partial sums, then a fixed reduction tree), so results differ from a sequential
/// sum in the last bits and between widths; each width is deterministic. Nothing is allocated and nothing static is
/// written, so calls are thread-safe.
/// </para>
/// </remarks>
internal static unsafe class MatVecKernels
{
    /// <summary>Rows per register block: eight accumulators, reduced to one 256-bit vector of sums.</summary>
    internal const int RowBlock = 8;

    /// <summary>The largest W (in floats, 256 KB) that goes to <see cref="SmallMatVec"/> at 256 and 512 bits.</summary>
    internal const int RowBlockFloatsLimit = 1 << 16;

    /// <summary>
    /// The width <see cref="ForwardVector{TActivation, TSimd, TVec}"/> runs a layer of <paramref name="cols"/> columns
    /// at when called at <paramref name="width"/>: rows shorter than one vector go to the next narrower width.
    /// </summary>
    internal static SimdWidth Narrowed(SimdWidth width, int cols)
    {
        SimdWidth resolved = SimdWidths.Resolve(width);
        while (resolved >= SimdWidth.V128 && cols < Lanes(resolved))
        {
            resolved--;
        }

        return resolved;
    }

    /// <summary>
    /// The block width at which a call at <paramref name="width"/> hands a (rows × cols) layer to
    /// <see cref="SmallMatVec"/>, or <see cref="SimdWidth.Scalar"/> when another path takes it: the conditions of
    /// <see cref="ForwardVector{TActivation, TSimd, TVec}"/>, in one place for the kernels that must follow the same
    /// path (<see cref="LaneMajorMatVec"/>).
    /// </summary>
    internal static SimdWidth SmallMatVecWidth(SimdWidth width, int rows, int cols)
    {
        SimdWidth narrowed = Narrowed(width, cols);
        return TakesRowBlocks(narrowed, Lanes(narrowed), rows, cols) ? SmallMatVec.BlockWidth(narrowed, rows, cols) : SimdWidth.Scalar;
    }

    /// <summary>Whether a layer <see cref="SmallMatVec"/> declines runs <see cref="XInRegisters{TActivation, TSimd, TVec, TVectors}"/> at a width of <paramref name="lanes"/> lanes.</summary>
    internal static bool TakesXInRegisters(int lanes, int rows, int cols) => cols % lanes == 0 && cols <= 8 * lanes && rows >= 4;

    private static bool TakesRowBlocks(SimdWidth width, int lanes, int rows, int cols) =>
        width >= SimdWidth.V256 && cols > lanes && (long)rows * cols <= RowBlockFloatsLimit;

    private static int Lanes(SimdWidth width) => width switch
    {
        SimdWidth.V512 => 16,
        SimdWidth.V256 => 8,
        _ => 4,
    };

    /// <summary>y[rows] = g(W[rows × cols] · x[cols] + bias[rows]).</summary>
    /// <param name="width">The vector width; <see cref="SimdWidth.Auto"/> means <see cref="SimdWidths.Best"/>.</param>
    /// <param name="w">W, rows × cols row-major.</param>
    /// <param name="x">x, cols floats.</param>
    /// <param name="bias">b, rows floats.</param>
    /// <param name="y">y, rows floats; overwritten. Must not overlap W, x or b.</param>
    /// <param name="rows">Output units.</param>
    /// <param name="cols">Input units.</param>
    /// <param name="activation">g.</param>
    /// <exception cref="ArgumentException"><paramref name="activation"/> is not element-wise.</exception>
    internal static void Forward(SimdWidth width, float* w, float* x, float* bias, float* y, int rows, int cols, Activation activation)
    {
        var layer = new Layer(width, w, x, bias, y, rows, cols);
        ActivationOperators.Visit(activation, ref layer, "Gemm.MatVec", nameof(activation));
    }

    private readonly struct Layer(SimdWidth width, float* w, float* x, float* bias, float* y, int rows, int cols) : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator =>
            Forward<TActivation>(width, w, x, bias, y, rows, cols);
    }

    /// <summary>y[rows] = g(W[rows × cols] · x[cols] + bias[rows]) with g = <typeparamref name="TActivation"/>.</summary>
    internal static void Forward<TActivation>(SimdWidth width, float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
    {
        switch (SimdWidths.Resolve(width))
        {
            case SimdWidth.V512:
                ForwardVector<TActivation, Simd512, Vector512<float>>(w, x, bias, y, rows, cols);
                break;
            case SimdWidth.V256:
                ForwardVector<TActivation, Simd256, Vector256<float>>(w, x, bias, y, rows, cols);
                break;
            case SimdWidth.V128:
                ForwardVector<TActivation, Simd128, Vector128<float>>(w, x, bias, y, rows, cols);
                break;
            default:
                ForwardScalar<TActivation>(w, x, bias, y, rows, cols);
                break;
        }
    }

    /// <summary>
    /// The kernel <see cref="Forward{TActivation}"/> runs at <paramref name="resolved"/> (a width other than
    /// <see cref="SimdWidth.Auto"/>), as a pointer with the arguments (w, x, bias, y, rows, cols): a caller that fixes
    /// its width once (<see cref="PackedDenseStack"/>) skips the per-call dispatch and gets the same bits.
    /// </summary>
    internal static delegate*<float*, float*, float*, float*, int, int, void> KernelFor<TActivation>(SimdWidth resolved)
        where TActivation : struct, IUnaryOperator => resolved switch
        {
            SimdWidth.V512 => &ForwardVector<TActivation, Simd512, Vector512<float>>,
            SimdWidth.V256 => &ForwardVector<TActivation, Simd256, Vector256<float>>,
            SimdWidth.V128 => &ForwardVector<TActivation, Simd128, Vector128<float>>,
            _ => &ForwardScalar<TActivation>,
        };

    /// <summary>The reference: one sequential float sum per row, then the activation's scalar form.</summary>
    internal static void ForwardScalar<TActivation>(float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
    {
        for (int r = 0; r < rows; r++)
        {
            y[r] = TActivation.Invoke(bias[r] + ScalarDot(w + ((nint)r * cols), x, cols));
        }
    }

    private static float ScalarDot(float* row, float* x, int cols)
    {
        float sum = 0f;
        for (int k = 0; k < cols; k++)
        {
            sum += row[k] * x[k];
        }

        return sum;
    }

    private static void ForwardVector<TActivation, TSimd, TVec>(float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        if (cols < count)
        {
            if (TSimd.Narrower != SimdWidth.Scalar)
            {
                Forward<TActivation>(TSimd.Narrower, w, x, bias, y, rows, cols);
                return;
            }

            // Rows shorter than 4 floats: scalar dot products, then the activation four lanes at a time.
            for (int r = 0; r < rows; r++)
            {
                y[r] = bias[r] + ScalarDot(w + ((nint)r * cols), x, cols);
            }

            ElementwiseKernels.Map<TActivation>(y, y, rows, SimdWidth.V128);
            return;
        }

        // At 256 and 512 bits, from a block of rows on: the rows of a block reduced together (SmallMatVec). A large W
        // streams from L2 or beyond, where the reduction is hidden behind the loads but SmallMatVec's last block
        // (ending at the last row) would re-read up to 15 rows: W1 of [12288,20,7,5,1] would be read 1.6 times. Rows of
        // one vector stay with XInRegisters: one FMA a row is too little work to share a 16-row tree (layer 1 of
        // [16,64,64,1] is faster there than in 16-row blocks on Zen 5 at 512 bits).
        if (TakesRowBlocks(TSimd.Width, count, rows, cols) && SmallMatVec.TryForward<TActivation>(TSimd.Width, w, x, bias, y, rows, cols))
        {
            return;
        }

        // Rows of at most eight whole vectors: x stays in registers for the whole layer (XInRegisters).
        if (TakesXInRegisters(count, rows, cols))
        {
            switch (cols / count)
            {
                case 1: XInRegisters<TActivation, TSimd, TVec, One>(w, x, bias, y, rows, cols); return;
                case 2: XInRegisters<TActivation, TSimd, TVec, Two>(w, x, bias, y, rows, cols); return;
                case 3: XInRegisters<TActivation, TSimd, TVec, Three>(w, x, bias, y, rows, cols); return;
                case 4: XInRegisters<TActivation, TSimd, TVec, Four>(w, x, bias, y, rows, cols); return;
                case 5: XInRegisters<TActivation, TSimd, TVec, Five>(w, x, bias, y, rows, cols); return;
                case 6: XInRegisters<TActivation, TSimd, TVec, Six>(w, x, bias, y, rows, cols); return;
                case 7: XInRegisters<TActivation, TSimd, TVec, Seven>(w, x, bias, y, rows, cols); return;
                default: XInRegisters<TActivation, TSimd, TVec, Eight>(w, x, bias, y, rows, cols); return;
            }
        }

        // The k tail: the vector ending at the row's end, with the lanes the full vectors already counted zeroed.
        int tail = cols % count;
        TVec tailMask = tail == 0 ? TSimd.Zero : TSimd.LanesFrom(count - tail);

        if (rows >= RowBlock)
        {
            // tanh and sigmoid: z first, g over all of y after, measured faster than g per block (each block's
            // activation is a long dependency chain that stalls the next block's loads; all of them at the end are
            // independent and pipeline). The piecewise-linear ones cost one or two instructions per vector and go
            // into each block's store instead of a second pass over y.
            if (TActivation.IsTranscendental)
            {
                Blocks8<LinearOperator, TSimd, TVec>(w, x, bias, y, rows, cols, tail, tailMask);
                ElementwiseKernels.Map<TActivation>(y, y, rows, TSimd.Width);
            }
            else
            {
                Blocks8<TActivation, TSimd, TVec>(w, x, bias, y, rows, cols, tail, tailMask);
            }

            return;
        }

        if (rows >= 4)
        {
            Block4<TActivation, TSimd, TVec>(w, x, bias, y, cols, tail, tailMask);
            if (rows > 4)
            {
                int r0 = rows - 4;
                Block4<TActivation, TSimd, TVec>(w + ((nint)r0 * cols), x, bias + r0, y + r0, cols, tail, tailMask);
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            float* row = w + ((nint)r * cols);
            y[r] = TActivation.Invoke(bias[r] + Dot<TSimd, TVec>(row, x, cols, tail, tailMask));
        }
    }

    /// <summary>
    /// z = W·x + b for rows ≥ <see cref="RowBlock"/>, eight rows at a time. The rows left over end in one block that
    /// ends at the last row and so recomputes a few rows rather than handling a partial block: four rows wide when at
    /// most four are left, so a memory-bound layer (W1 of [12288,20,7,5,1] is 983 KB) reads 20 rows, not 24.
    /// </summary>
    private static void Blocks8<TActivation, TSimd, TVec>(float* w, float* x, float* bias, float* y, int rows, int cols, int tail, TVec tailMask)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int r0 = 0;
        for (; r0 <= rows - RowBlock; r0 += RowBlock)
        {
            Block8<TActivation, TSimd, TVec>(w + ((nint)r0 * cols), x, bias + r0, y + r0, cols, tail, tailMask);
        }

        int left = rows - r0;
        if (left > 4)
        {
            r0 = rows - RowBlock;
            Block8<TActivation, TSimd, TVec>(w + ((nint)r0 * cols), x, bias + r0, y + r0, cols, tail, tailMask);
        }
        else if (left > 0)
        {
            r0 = rows - 4;
            Block4<TActivation, TSimd, TVec>(w + ((nint)r0 * cols), x, bias + r0, y + r0, cols, tail, tailMask);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8<TActivation, TSimd, TVec>(float* w, float* x, float* bias, float* y, int cols, int tail, TVec tailMask)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        nint stride = cols;
        float* w0 = w, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* w4 = w3 + stride, w5 = w4 + stride, w6 = w5 + stride, w7 = w6 + stride;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        TVec a4 = TSimd.Zero, a5 = TSimd.Zero, a6 = TSimd.Zero, a7 = TSimd.Zero;
        int k = 0;
        for (; k <= cols - count; k += count)
        {
            TVec xk = TSimd.Load(x + k);
            a0 = TSimd.MultiplyAdd(TSimd.Load(w0 + k), xk, a0);
            a1 = TSimd.MultiplyAdd(TSimd.Load(w1 + k), xk, a1);
            a2 = TSimd.MultiplyAdd(TSimd.Load(w2 + k), xk, a2);
            a3 = TSimd.MultiplyAdd(TSimd.Load(w3 + k), xk, a3);
            a4 = TSimd.MultiplyAdd(TSimd.Load(w4 + k), xk, a4);
            a5 = TSimd.MultiplyAdd(TSimd.Load(w5 + k), xk, a5);
            a6 = TSimd.MultiplyAdd(TSimd.Load(w6 + k), xk, a6);
            a7 = TSimd.MultiplyAdd(TSimd.Load(w7 + k), xk, a7);
        }

        if (tail != 0)
        {
            k = cols - count;
            TVec xk = TSimd.And(TSimd.Load(x + k), tailMask);
            a0 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w0 + k), tailMask), xk, a0);
            a1 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w1 + k), tailMask), xk, a1);
            a2 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w2 + k), tailMask), xk, a2);
            a3 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w3 + k), tailMask), xk, a3);
            a4 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w4 + k), tailMask), xk, a4);
            a5 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w5 + k), tailMask), xk, a5);
            a6 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w6 + k), tailMask), xk, a6);
            a7 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w7 + k), tailMask), xk, a7);
        }

        Finish4<TActivation>(HorizontalSums.Sum4(a0, a1, a2, a3), bias, y);
        Finish4<TActivation>(HorizontalSums.Sum4(a4, a5, a6, a7), bias + 4, y + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4<TActivation, TSimd, TVec>(float* w, float* x, float* bias, float* y, int cols, int tail, TVec tailMask)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        nint stride = cols;
        float* w0 = w, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        int k = 0;
        for (; k <= cols - count; k += count)
        {
            TVec xk = TSimd.Load(x + k);
            a0 = TSimd.MultiplyAdd(TSimd.Load(w0 + k), xk, a0);
            a1 = TSimd.MultiplyAdd(TSimd.Load(w1 + k), xk, a1);
            a2 = TSimd.MultiplyAdd(TSimd.Load(w2 + k), xk, a2);
            a3 = TSimd.MultiplyAdd(TSimd.Load(w3 + k), xk, a3);
        }

        if (tail != 0)
        {
            k = cols - count;
            TVec xk = TSimd.And(TSimd.Load(x + k), tailMask);
            a0 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w0 + k), tailMask), xk, a0);
            a1 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w1 + k), tailMask), xk, a1);
            a2 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w2 + k), tailMask), xk, a2);
            a3 = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(w3 + k), tailMask), xk, a3);
        }

        Finish4<TActivation>(HorizontalSums.Sum4(a0, a1, a2, a3), bias, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish4<TActivation>(Vector128<float> sums, float* bias, float* y)
        where TActivation : struct, IUnaryOperator
    {
        Vector128<float> z = sums + Vector128.Load(bias);
        Simd128.Store(TActivation.Invoke<Simd128, Vector128<float>>(z), y);
    }

    /// <summary>
    /// z = W·x + b when a row is N whole vectors, N ≤ 8 a constant of the instantiation: x is loaded into N registers
    /// once, and every row then costs N fused multiply-adds with W read straight from memory; no x reloads, no k loop,
    /// no tail. Rows go eight at a time, two reductions in flight, stored as one 256-bit vector at that width; one to
    /// seven rows left go in four-row blocks, the last ending at the last row.
    /// </summary>
    /// <remarks>
    /// Up to four vectors, a row sums from zero in the order of <see cref="Block4{TActivation, TSimd, TVec}"/>, so
    /// both paths give the same bits. From five on, a row's vectors alternate between two accumulators added at the
    /// end: a chain of eight dependent FMAs per row kept too few of them in flight (docs/performance.md). Either way
    /// the order depends only on N, never on an address.
    /// </remarks>
    private static void XInRegisters<TActivation, TSimd, TVec, TVectors>(float* w, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TVectors : struct, ICount
    {
        int count = TSimd.Count;
        int n = TVectors.Value;
        TVec x0 = TSimd.Load(x);
        TVec x1 = n > 1 ? TSimd.Load(x + count) : default;
        TVec x2 = n > 2 ? TSimd.Load(x + (2 * count)) : default;
        TVec x3 = n > 3 ? TSimd.Load(x + (3 * count)) : default;
        TVec x4 = n > 4 ? TSimd.Load(x + (4 * count)) : default;
        TVec x5 = n > 5 ? TSimd.Load(x + (5 * count)) : default;
        TVec x6 = n > 6 ? TSimd.Load(x + (6 * count)) : default;
        TVec x7 = n > 7 ? TSimd.Load(x + (7 * count)) : default;

        // tanh and sigmoid after all rows, as in ForwardVector and for the same reason.
        bool deferred = TActivation.IsTranscendental;
        int r0 = 0;

        // Eight rows a step: two independent reductions in flight. The second four rows' accumulators are started
        // after the first four are reduced, so eight x registers, four accumulators and a sum fit sixteen registers.
        for (; r0 <= rows - 8; r0 += 8)
        {
            float* row = w + ((nint)r0 * cols);
            TVec a0 = Row(row, x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a1 = Row(row + cols, x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a2 = Row(row + (2 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a3 = Row(row + (3 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector128<float> z0 = HorizontalSums.Sum4(a0, a1, a2, a3);
            a0 = Row(row + (4 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            a1 = Row(row + (5 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            a2 = Row(row + (6 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            a3 = Row(row + (7 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector128<float> z1 = HorizontalSums.Sum4(a0, a1, a2, a3);
            if (typeof(TVec) == typeof(Vector256<float>))
            {
                // One 256-bit store: the next layer loads y 256 bits at a time, and a load spanning two narrower
                // stores cannot be forwarded from them, so it would wait for both to reach the cache.
                Vector256<float> z = Vector256.Create(z0, z1) + Vector256.Load(bias + r0);
                Simd256.Store(deferred ? z : TActivation.Invoke<Simd256, Vector256<float>>(z), y + r0);
            }
            else
            {
                z0 += Vector128.Load(bias + r0);
                z1 += Vector128.Load(bias + r0 + 4);
                Simd128.Store(deferred ? z0 : TActivation.Invoke<Simd128, Vector128<float>>(z0), y + r0);
                Simd128.Store(deferred ? z1 : TActivation.Invoke<Simd128, Vector128<float>>(z1), y + r0 + 4);
            }
        }

        // One to seven rows left: four-row blocks, the last ending at the last row.
        r0 = r0 == rows ? rows : Math.Min(r0, rows - 4);
        while (r0 < rows)
        {
            float* row = w + ((nint)r0 * cols);
            TVec a0 = Row(row, x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a1 = Row(row + cols, x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a2 = Row(row + (2 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            TVec a3 = Row(row + (3 * cols), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector128<float> z = HorizontalSums.Sum4(a0, a1, a2, a3) + Vector128.Load(bias + r0);
            Simd128.Store(deferred ? z : TActivation.Invoke<Simd128, Vector128<float>>(z), y + r0);
            if (r0 == rows - 4)
            {
                break;
            }

            r0 = Math.Min(r0 + 4, rows - 4);
        }

        if (deferred)
        {
            ElementwiseKernels.Map<TActivation>(y, y, rows, TSimd.Width);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TVec Row(float* row, TVec x0, TVec x1, TVec x2, TVec x3, TVec x4, TVec x5, TVec x6, TVec x7)
        {
            int count = TSimd.Count;
            int n = TVectors.Value;
            if (n <= 4)
            {
                TVec sum = TSimd.MultiplyAdd(TSimd.Load(row), x0, TSimd.Zero);
                if (n > 1) { sum = TSimd.MultiplyAdd(TSimd.Load(row + count), x1, sum); }
                if (n > 2) { sum = TSimd.MultiplyAdd(TSimd.Load(row + (2 * count)), x2, sum); }
                if (n > 3) { sum = TSimd.MultiplyAdd(TSimd.Load(row + (3 * count)), x3, sum); }
                return sum;
            }

            TVec even = TSimd.Multiply(TSimd.Load(row), x0);
            TVec odd = TSimd.Multiply(TSimd.Load(row + count), x1);
            even = TSimd.MultiplyAdd(TSimd.Load(row + (2 * count)), x2, even);
            odd = TSimd.MultiplyAdd(TSimd.Load(row + (3 * count)), x3, odd);
            even = TSimd.MultiplyAdd(TSimd.Load(row + (4 * count)), x4, even);
            if (n > 5) { odd = TSimd.MultiplyAdd(TSimd.Load(row + (5 * count)), x5, odd); }
            if (n > 6) { even = TSimd.MultiplyAdd(TSimd.Load(row + (6 * count)), x6, even); }
            if (n > 7) { odd = TSimd.MultiplyAdd(TSimd.Load(row + (7 * count)), x7, odd); }
            return TSimd.Add(even, odd);
        }
    }

    /// <summary>One row's dot product, two accumulators deep so consecutive FMAs do not wait on each other.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TSimd, TVec>(float* row, float* x, int cols, int tail, TVec tailMask)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        TVec even = TSimd.Zero, odd = TSimd.Zero;
        int k = 0;
        for (; k <= cols - (2 * count); k += 2 * count)
        {
            even = TSimd.MultiplyAdd(TSimd.Load(row + k), TSimd.Load(x + k), even);
            odd = TSimd.MultiplyAdd(TSimd.Load(row + k + count), TSimd.Load(x + k + count), odd);
        }

        if (k <= cols - count)
        {
            even = TSimd.MultiplyAdd(TSimd.Load(row + k), TSimd.Load(x + k), even);
        }

        if (tail != 0)
        {
            k = cols - count;
            odd = TSimd.MultiplyAdd(TSimd.And(TSimd.Load(row + k), tailMask), TSimd.And(TSimd.Load(x + k), tailMask), odd);
        }

        return TSimd.Sum(TSimd.Add(even, odd));
    }
}
