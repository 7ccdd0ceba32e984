using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The streaming step: one example, one time step, as generated networks' <c>Step</c> and <c>Process</c> call it per
/// sample. Its cost is two small matrix-vector products over the G·H gate rows and the gates, so it is built for that:
/// one combined argument test on the way in, r = W_hh·h + b_hh (and p = W_ih·x + b_ih for several inputs) from the
/// transposed matrices the layer stores (each gate row a chain of vertical fused multiply-adds, no horizontal
/// reduction), and the gates lane by lane, which take a one-input layer's p = W_ih·x + b_ih as one fused multiply-add
/// per gate row where they need it. Up to <see cref="FusedStepRows"/> gate rows the products and the gates are one
/// pass over the units (<see cref="LstmFusedCell"/>, <see cref="GruFusedCell"/>); larger layers store r for all gate
/// rows first (<see cref="ColumnProduct"/>), then run the gates.
/// </summary>
/// <remarks>
/// The order of each gate's pre-activation, the same at every width: r = (b_hh + Σ_{k &lt; H/2} W_hh[·, k]·h[k]) +
/// Σ_{k ≥ H/2} W_hh[·, k]·h[k], each partial sum over k in order; p likewise over the inputs from b_ih (one input: one
/// fused multiply-add onto b_ih); a = p + r, the input side added last, so x's latency overlaps the h chain (GRU's n:
/// p + r_n∘r). Every lane is one row and the gates are lane-wise, so a step gives the same bits at every width and
/// wherever the buffers sit, and the packed step (RecurrentKernels.Packed.cs) the same bits again. A streamed step does
/// not sum as the batch forward pass does (that one projects all steps' inputs in one outer product), so a sequence
/// streamed step by step and the same sequence through <see cref="LstmForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/>
/// agree to rounding, not to the bit; generated networks run <c>Process</c> and <c>PredictSequences</c> through the step,
/// so a block still equals its samples bit for bit there.
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    internal static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width) =>
        LstmStep(wIh, wHh, bIh, bHh, x, h, c, scratch, inputs, units, width, FusesStep(LstmGateCount, units));

    /// <summary>The step with its path chosen: <paramref name="fused"/> runs <see cref="LstmFusedCell"/>, otherwise the products and then the gates (tests force each).</summary>
    internal static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width, bool fused)
    {
        // One combined test on the way in and the precise message only when it fails, as Gemm.MatVec does: a step is a
        // dependency chain of well under 100 ns, and its checks should stay a few instructions that run beside it
        // (separate Overlaps calls measured 4-10 ns a step in the generated networks).
        long gh = (long)LstmGateCount * units;
        fixed (float* pwIh = wIh, pwHh = wHh, pbIh = bIh, pbHh = bHh, px = x, ph = h, pc = c, ps = scratch)
        {
            if (inputs < 0 || units < 0 || wIh.Length != gh * inputs || wHh.Length != gh * units || bIh.Length != gh || bHh.Length != gh ||
                x.Length != inputs || h.Length != units || c.Length != units || scratch.Length != 2 * gh || StepWritesOverlap(wIh, wHh, bIh, bHh, x, h, c, scratch))
            {
                ThrowLstmStepArguments(wIh, wHh, bIh, bHh, x, h, c, scratch, inputs, units);
            }

            int rows = (int)gh;
            LstmStepCore(pwIh, pwHh, rows, pbIh, pbHh, px, ph, pc, ps, ps + rows, inputs, units, rows, rows, SimdWidths.Resolve(width), fused, default);
        }
    }

    /// <summary>
    /// The step with its scratch on the stack, uninitialized (the kernel writes every float it reads back): H floats for
    /// the fused step (plus G·H for the input products of a layer with several inputs), 2·G·H for the general one.
    /// </summary>
    internal static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units, SimdWidth width)
    {
        long gh = (long)LstmGateCount * units;
        fixed (float* pwIh = wIh, pwHh = wHh, pbIh = bIh, pbHh = bHh, px = x, ph = h, pc = c)
        {
            if (inputs < 0 || units < 0 || wIh.Length != gh * inputs || wHh.Length != gh * units || bIh.Length != gh || bHh.Length != gh ||
                x.Length != inputs || h.Length != units || c.Length != units || StepWritesOverlap(wIh, wHh, bIh, bHh, x, h, c, []))
            {
                ThrowLstmStepArguments(wIh, wHh, bIh, bHh, x, h, c, inputs, units);
            }

            int rows = (int)gh;
            bool fused = FusesStep(LstmGateCount, units);
            int length = StackScratch(rows, inputs, units, fused);
            float[]? rented = null;
            Span<float> buffer = length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
            fixed (float* scratch = buffer)
            {
                LstmStepCore(pwIh, pwHh, rows, pbIh, pbHh, px, ph, pc, scratch, scratch + rows, inputs, units, rows, rows, SimdWidths.Resolve(width), fused, default);
            }

            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    internal static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width) =>
        GruStep(wIh, wHh, bIh, bHh, x, h, scratch, inputs, units, width, FusesStep(GruGateCount, units));

    /// <summary>The step with its path chosen: <paramref name="fused"/> runs <see cref="GruFusedCell"/>, otherwise the products and then the gates (tests force each).</summary>
    internal static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width, bool fused)
    {
        long gh = (long)GruGateCount * units;
        fixed (float* pwIh = wIh, pwHh = wHh, pbIh = bIh, pbHh = bHh, px = x, ph = h, ps = scratch)
        {
            if (inputs < 0 || units < 0 || wIh.Length != gh * inputs || wHh.Length != gh * units || bIh.Length != gh || bHh.Length != gh ||
                x.Length != inputs || h.Length != units || scratch.Length != 2 * gh || StepWritesOverlap(wIh, wHh, bIh, bHh, x, h, [], scratch))
            {
                ThrowGruStepArguments(wIh, wHh, bIh, bHh, x, h, scratch, inputs, units);
            }

            int rows = (int)gh;
            GruStepCore(pwIh, pwHh, rows, pbIh, pbHh, px, ph, ps, ps + rows, inputs, units, rows, rows, SimdWidths.Resolve(width), fused, default);
        }
    }

    /// <summary>The GRU step with its scratch on the stack, uninitialized (see the LSTM's).</summary>
    internal static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, int inputs, int units, SimdWidth width)
    {
        long gh = (long)GruGateCount * units;
        fixed (float* pwIh = wIh, pwHh = wHh, pbIh = bIh, pbHh = bHh, px = x, ph = h)
        {
            if (inputs < 0 || units < 0 || wIh.Length != gh * inputs || wHh.Length != gh * units || bIh.Length != gh || bHh.Length != gh ||
                x.Length != inputs || h.Length != units || StepWritesOverlap(wIh, wHh, bIh, bHh, x, h, [], []))
            {
                ThrowGruStepArguments(wIh, wHh, bIh, bHh, x, h, inputs, units);
            }

            int rows = (int)gh;
            bool fused = FusesStep(GruGateCount, units);
            int length = StackScratch(rows, inputs, units, fused);
            float[]? rented = null;
            Span<float> buffer = length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
            fixed (float* scratch = buffer)
            {
                GruStepCore(pwIh, pwHh, rows, pbIh, pbHh, px, ph, scratch, scratch + rows, inputs, units, rows, rows, SimdWidths.Resolve(width), fused, default);
            }

            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Whether a layer's step runs fused (<see cref="LstmFusedCell"/>, <see cref="GruFusedCell"/>): every gate row of a
    /// vector of units summed in registers and the cell computed in the same pass, rather than all G·H gate rows stored to
    /// the scratch and read back by a second pass over the units. Up to <see cref="FusedStepRows"/> gate rows.
    /// </summary>
    internal static bool FusesStep(int gates, int units) => (long)gates * units <= FusedStepRows;

    /// <summary>
    /// The most gate rows a step runs fused (<see cref="FusesStep"/>): LSTM up to 32 units, GRU up to 42. Chosen on Zen 5
    /// (AVX-512) from the generated networks' Step: the fused step is ahead up to LSTM 32 and GRU 16; above, the general
    /// step's blocks of eight vectors of contiguous, aligned gate rows keep sixteen chains in flight and win (LSTM 40),
    /// by far once W_hhᵀ no longer fits the L1 cache (from 64 units).
    /// </summary>
    internal const int FusedStepRows = 128;

    /// <summary>The most floats of scratch a step takes on the stack; a larger one is rented (a layer of thousands of units).</summary>
    private const int StackScratchFloats = 4096;

    /// <summary>
    /// Floats of stack scratch a step takes: the fused step's h' (H; at the front, where the general step's recurrent
    /// products go) and, with several inputs, the input products at [G·H, 2·G·H); the general step's 2·G·H.
    /// </summary>
    private static int StackScratch(int rows, int inputs, int units, bool fused) =>
        !fused || inputs != 1 ? 2 * rows : Math.Max(units, 1);

    /// <summary>
    /// One LSTM step from pointers. W_hhᵀ has rows of <paramref name="stride"/> floats; the general path's recurrent
    /// products cover rows [0, <paramref name="end"/>) (the packed layout's padding) into <paramref name="recurrent"/>,
    /// which the fused path uses for h' (H floats) instead when the units take more than one block; <paramref name="projection"/> takes the input products of a
    /// layer with several inputs (G·H floats, after the end of <paramref name="recurrent"/>'s padded rows). Each vector
    /// of h' also goes into <paramref name="readout"/>'s sums (none when it is empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmStepCore(
        float* wIh, float* wHh, int stride, float* bIh, float* bHh, float* x, float* h, float* c, float* recurrent, float* projection,
        int inputs, int units, int rows, int end, SimdWidth width, bool fused, Readout readout)
    {
        var p = new Projection(wIh, bIh, x, projection, inputs);
        if (fused)
        {
            StepInputProduct(wIh, bIh, x, projection, inputs, rows, width);
            bool oneBlock = IsOneBlock(units, width);
            var cell = new LstmFusedCell(p, wHh, stride, bHh, h, c, oneBlock ? h : recurrent, units, readout);
            RunFused(ref cell, units, width);
            if (!oneBlock)
            {
                CopyState(recurrent, h, units);
            }
        }
        else
        {
            LstmGeneralStep(wIh, wHh, stride, bIh, bHh, x, h, c, recurrent, projection, inputs, units, rows, end, width, readout);
        }
    }

    /// <summary>
    /// The general LSTM step: all gate products to the scratch, then the cell over the units. A call of its own rather
    /// than inlined beside the fused step, whose cells crowd it out of the caller's inlining budget: inlined there, LSTM
    /// 40's generated Step ran about 15 % slower (Zen 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LstmGeneralStep(
        float* wIh, float* wHh, int stride, float* bIh, float* bHh, float* x, float* h, float* c, float* recurrent, float* projection,
        int inputs, int units, int rows, int end, SimdWidth width, Readout readout)
    {
        // The recurrent products first: over padded rows their last lanes land in the input half, which comes after.
        ColumnProduct(wHh, stride, h, bHh, recurrent, rows, end, units, width);
        StepInputProduct(wIh, bIh, x, projection, inputs, rows, width);
        var cell = new LstmStepCell(new Projection(wIh, bIh, x, projection, inputs), recurrent, c, h, units, readout);
        RunLanes(ref cell, units, width);
    }

    /// <summary>One GRU step from pointers, as <see cref="LstmStepCore"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruStepCore(
        float* wIh, float* wHh, int stride, float* bIh, float* bHh, float* x, float* h, float* recurrent, float* projection,
        int inputs, int units, int rows, int end, SimdWidth width, bool fused, Readout readout)
    {
        var p = new Projection(wIh, bIh, x, projection, inputs);
        if (fused)
        {
            StepInputProduct(wIh, bIh, x, projection, inputs, rows, width);
            bool oneBlock = IsOneBlock(units, width);
            var cell = new GruFusedCell(p, wHh, stride, bHh, h, oneBlock ? h : recurrent, units, readout);
            RunFused(ref cell, units, width);
            if (!oneBlock)
            {
                CopyState(recurrent, h, units);
            }
        }
        else
        {
            GruGeneralStep(wIh, wHh, stride, bIh, bHh, x, h, recurrent, projection, inputs, units, rows, end, width, readout);
        }
    }

    /// <summary>The general GRU step, a call of its own as <see cref="LstmGeneralStep"/> is.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void GruGeneralStep(
        float* wIh, float* wHh, int stride, float* bIh, float* bHh, float* x, float* h, float* recurrent, float* projection,
        int inputs, int units, int rows, int end, SimdWidth width, Readout readout)
    {
        // The recurrent products first: over padded rows their last lanes land in the input half, which comes after.
        ColumnProduct(wHh, stride, h, bHh, recurrent, rows, end, units, width);
        StepInputProduct(wIh, bIh, x, projection, inputs, rows, width);
        var cell = new GruStepCell(new Projection(wIh, bIh, x, projection, inputs), recurrent, h, units, readout);
        RunLanes(ref cell, units, width);
    }

    /// <summary>A fused cell that also takes two vectors of units in one loop.</summary>
    private interface IFusedCell : ICell
    {
        /// <summary>Units [j, j + 2·TSimd.Count): both vectors' chains in one loop, each lane as <see cref="ICell.Compute"/> computes it.</summary>
        void ComputePair<TSimd, TVec>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct;
    }

    /// <summary>
    /// The fused step over the units: pairs of vectors at the widest width (twice the chains in flight, as the general
    /// step's blocks have; an LSTM 32 at 512 bits is one pair), then <see cref="RunLanes{TCell}(ref TCell, int, int, SimdWidth)"/> from where they end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunFused<TCell>(ref TCell cell, int units, SimdWidth width)
        where TCell : struct, IFusedCell
    {
        int j = 0;
        if (width >= SimdWidth.V512)
        {
            for (; j <= units - 32; j += 32)
            {
                cell.ComputePair<Simd512, Vector512<float>>(j);
            }
        }
        else if (width >= SimdWidth.V256)
        {
            for (; j <= units - 16; j += 16)
            {
                cell.ComputePair<Simd256, Vector256<float>>(j);
            }
        }

        RunLanes(ref cell, j, units, width);
    }

    /// <summary>
    /// Whether the fused step takes the units in one call of its cell (<see cref="RunFused"/>: one pair of vectors, one
    /// vector, or one lane), which reads all of h before it writes any of h': then h' goes straight over h, with no copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsOneBlock(int units, SimdWidth width) =>
        units == 1 || (width >= SimdWidth.V128 && units == 4) || (width >= SimdWidth.V256 && (units == 8 || units == 16)) ||
        (width >= SimdWidth.V512 && units == 32);

    /// <summary>h' from where the fused cells wrote it (every unit's products read the old h, so h' waits until all are done).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyState(float* next, float* h, int units) =>
        new ReadOnlySpan<float>(next, units).CopyTo(new Span<float>(h, units));

    /// <summary>p = W_ih·x + b_ih into the scratch, unless the layer has one input (then the cell computes p itself, <see cref="Projection"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepInputProduct(float* wIh, float* bIh, float* x, float* projection, int inputs, int rows, SimdWidth width)
    {
        if (inputs != 1)
        {
            ColumnProduct(wIh, rows, x, bIh, projection, rows, rows, inputs, width);
        }
    }

    /// <summary>
    /// y = W·v + b from Wᵀ (<paramref name="columns"/> rows of <paramref name="stride"/> floats, row k holding column k
    /// of W): each output row r is its own chain of vertical fused multiply-adds, two partial chains added at the end,
    /// (b[r] + Σ_{k &lt; K/2} Wᵀ[k, r]·v[k]) + (Σ_{k ≥ K/2} Wᵀ[k, r]·v[k]), each over k in order from its start. Each lane
    /// is one row, so every width (the one-lane tail included) gives the same bits; rows [<paramref name="rows"/>,
    /// <paramref name="end"/>) are computed too when the caller's weights and <paramref name="y"/> have room for them.
    /// </summary>
    /// <remarks>
    /// The split halves the chain's latency (its two halves run side by side), which is what a step waits on. Eight vectors
    /// of rows at a time, both halves in one loop, keep sixteen chains in flight, so every gate row of an LSTM 32 is ready
    /// at the same time for the gates (measured faster than blocks of four run one after the other on Zen 5); then four
    /// vectors, then one.
    /// </remarks>
    private static void ColumnProduct(float* wT, int stride, float* v, float* bias, float* y, int rows, int end, int columns, SimdWidth width)
    {
        int r = 0;
        if (width >= SimdWidth.V512)
        {
            r = ColumnBlocks<Simd512, Vector512<float>>(wT, stride, v, bias, y, r, end, columns);
        }

        if (width >= SimdWidth.V256)
        {
            r = ColumnBlocks<Simd256, Vector256<float>>(wT, stride, v, bias, y, r, end, columns);
        }

        if (width >= SimdWidth.V128)
        {
            r = ColumnBlocks<Simd128, Vector128<float>>(wT, stride, v, bias, y, r, end, columns);
        }

        for (; r < rows; r++)
        {
            ColumnChains<Simd128, Vector128<float>, FirstLane>(wT, stride, v, bias, y, r, columns);
        }
    }

    /// <summary>Rows from <paramref name="r"/> in whole vectors, eight at a time, then four, then one; returns the first row left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnBlocks<TSimd, TVec>(float* wT, int stride, float* v, float* bias, float* y, int r, int end, int columns)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int count = TSimd.Count, half = columns / 2;
        nint step = stride;
        for (; r + (8 * count) <= end; r += 8 * count)
        {
            TVec a0 = TSimd.Load(bias + r), a1 = TSimd.Load(bias + r + count), a2 = TSimd.Load(bias + r + (2 * count)), a3 = TSimd.Load(bias + r + (3 * count));
            TVec a4 = TSimd.Load(bias + r + (4 * count)), a5 = TSimd.Load(bias + r + (5 * count)), a6 = TSimd.Load(bias + r + (6 * count)), a7 = TSimd.Load(bias + r + (7 * count));
            TVec b0 = TSimd.Zero, b1 = TSimd.Zero, b2 = TSimd.Zero, b3 = TSimd.Zero, b4 = TSimd.Zero, b5 = TSimd.Zero, b6 = TSimd.Zero, b7 = TSimd.Zero;
            float* w = wT + r, u = wT + r + (half * step);
            for (int k = 0; k < half; k++, w += step, u += step)
            {
                TVec vk = TSimd.Broadcast(v[k]);
                a0 = TSimd.MultiplyAdd(TSimd.Load(w), vk, a0);
                a1 = TSimd.MultiplyAdd(TSimd.Load(w + count), vk, a1);
                a2 = TSimd.MultiplyAdd(TSimd.Load(w + (2 * count)), vk, a2);
                a3 = TSimd.MultiplyAdd(TSimd.Load(w + (3 * count)), vk, a3);
                a4 = TSimd.MultiplyAdd(TSimd.Load(w + (4 * count)), vk, a4);
                a5 = TSimd.MultiplyAdd(TSimd.Load(w + (5 * count)), vk, a5);
                a6 = TSimd.MultiplyAdd(TSimd.Load(w + (6 * count)), vk, a6);
                a7 = TSimd.MultiplyAdd(TSimd.Load(w + (7 * count)), vk, a7);
                TVec vh = TSimd.Broadcast(v[half + k]);
                b0 = TSimd.MultiplyAdd(TSimd.Load(u), vh, b0);
                b1 = TSimd.MultiplyAdd(TSimd.Load(u + count), vh, b1);
                b2 = TSimd.MultiplyAdd(TSimd.Load(u + (2 * count)), vh, b2);
                b3 = TSimd.MultiplyAdd(TSimd.Load(u + (3 * count)), vh, b3);
                b4 = TSimd.MultiplyAdd(TSimd.Load(u + (4 * count)), vh, b4);
                b5 = TSimd.MultiplyAdd(TSimd.Load(u + (5 * count)), vh, b5);
                b6 = TSimd.MultiplyAdd(TSimd.Load(u + (6 * count)), vh, b6);
                b7 = TSimd.MultiplyAdd(TSimd.Load(u + (7 * count)), vh, b7);
            }

            if ((columns & 1) != 0)
            {
                TVec vl = TSimd.Broadcast(v[columns - 1]);
                b0 = TSimd.MultiplyAdd(TSimd.Load(u), vl, b0);
                b1 = TSimd.MultiplyAdd(TSimd.Load(u + count), vl, b1);
                b2 = TSimd.MultiplyAdd(TSimd.Load(u + (2 * count)), vl, b2);
                b3 = TSimd.MultiplyAdd(TSimd.Load(u + (3 * count)), vl, b3);
                b4 = TSimd.MultiplyAdd(TSimd.Load(u + (4 * count)), vl, b4);
                b5 = TSimd.MultiplyAdd(TSimd.Load(u + (5 * count)), vl, b5);
                b6 = TSimd.MultiplyAdd(TSimd.Load(u + (6 * count)), vl, b6);
                b7 = TSimd.MultiplyAdd(TSimd.Load(u + (7 * count)), vl, b7);
            }

            TSimd.Store(TSimd.Add(a0, b0), y + r);
            TSimd.Store(TSimd.Add(a1, b1), y + r + count);
            TSimd.Store(TSimd.Add(a2, b2), y + r + (2 * count));
            TSimd.Store(TSimd.Add(a3, b3), y + r + (3 * count));
            TSimd.Store(TSimd.Add(a4, b4), y + r + (4 * count));
            TSimd.Store(TSimd.Add(a5, b5), y + r + (5 * count));
            TSimd.Store(TSimd.Add(a6, b6), y + r + (6 * count));
            TSimd.Store(TSimd.Add(a7, b7), y + r + (7 * count));
        }

        for (; r + (4 * count) <= end; r += 4 * count)
        {
            TVec a0 = TSimd.Load(bias + r), a1 = TSimd.Load(bias + r + count), a2 = TSimd.Load(bias + r + (2 * count)), a3 = TSimd.Load(bias + r + (3 * count));
            TVec b0 = TSimd.Zero, b1 = TSimd.Zero, b2 = TSimd.Zero, b3 = TSimd.Zero;
            float* w = wT + r;
            for (int k = 0; k < half; k++, w += step)
            {
                TVec vk = TSimd.Broadcast(v[k]);
                a0 = TSimd.MultiplyAdd(TSimd.Load(w), vk, a0);
                a1 = TSimd.MultiplyAdd(TSimd.Load(w + count), vk, a1);
                a2 = TSimd.MultiplyAdd(TSimd.Load(w + (2 * count)), vk, a2);
                a3 = TSimd.MultiplyAdd(TSimd.Load(w + (3 * count)), vk, a3);
            }

            for (int k = half; k < columns; k++, w += step)
            {
                TVec vk = TSimd.Broadcast(v[k]);
                b0 = TSimd.MultiplyAdd(TSimd.Load(w), vk, b0);
                b1 = TSimd.MultiplyAdd(TSimd.Load(w + count), vk, b1);
                b2 = TSimd.MultiplyAdd(TSimd.Load(w + (2 * count)), vk, b2);
                b3 = TSimd.MultiplyAdd(TSimd.Load(w + (3 * count)), vk, b3);
            }

            TSimd.Store(TSimd.Add(a0, b0), y + r);
            TSimd.Store(TSimd.Add(a1, b1), y + r + count);
            TSimd.Store(TSimd.Add(a2, b2), y + r + (2 * count));
            TSimd.Store(TSimd.Add(a3, b3), y + r + (3 * count));
        }

        for (; r + count <= end; r += count)
        {
            ColumnChains<TSimd, TVec, Whole<TSimd, TVec>>(wT, stride, v, bias, y, r, columns);
        }

        return r;
    }

    /// <summary>Rows [r, r + TLanes.Count): the two partial chains of <see cref="ColumnProduct"/>, interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnChains<TSimd, TVec, TLanes>(float* wT, int stride, float* v, float* bias, float* y, int r, int columns)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TLanes : struct, ILanes<TVec>
    {
        int half = columns / 2;
        nint step = stride;
        TVec a = TLanes.Load(bias + r), b = TSimd.Zero;
        float* w = wT + r, u = wT + r + (half * step);
        for (int k = 0; k < half; k++, w += step, u += step)
        {
            a = TSimd.MultiplyAdd(TLanes.Load(w), TSimd.Broadcast(v[k]), a);
            b = TSimd.MultiplyAdd(TLanes.Load(u), TSimd.Broadcast(v[half + k]), b);
        }

        if ((columns & 1) != 0)
        {
            b = TSimd.MultiplyAdd(TLanes.Load(u), TSimd.Broadcast(v[columns - 1]), b);
        }

        TLanes.Store(TSimd.Add(a, b), y + r);
    }

    /// <summary>
    /// A gate's input side, p = W_ih·x + b_ih, for units [j, j + lanes): with one input W_ihᵀ is one row, contiguous over
    /// the gate rows, so p is one fused multiply-add per lane, computed where the cell needs it rather than stored to
    /// the scratch and loaded back (the sample's x then reaches the gates a store and a load sooner); with several
    /// inputs it is read from the scratch <see cref="StepInputProduct"/> filled.
    /// </summary>
    private readonly struct Projection(float* wIh, float* bIh, float* x, float* projection, int inputs)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Load<TSimd, TVec, TLanes>(int row)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec> =>
            inputs == 1
                ? TSimd.MultiplyAdd(TLanes.Load(wIh + row), TSimd.Broadcast(*x), TLanes.Load(bIh + row))
                : TLanes.Load(projection + row);
    }

    /// <summary>
    /// Whether a buffer the step writes (h, c, the scratch; c empty for a GRU, the scratch empty when it is on the stack) overlaps an operand or another written
    /// buffer, each pair decided as <see cref="MemoryExtensions.Overlaps{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> decides
    /// it. With AVX-512 and no empty operand, each written buffer is tested against all five operands at once: two
    /// unsigned compares of its address range with the operands' starts and ends. The caller has every span pinned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StepWritesOverlap(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> x,
        ReadOnlySpan<float> h, ReadOnlySpan<float> c, ReadOnlySpan<float> scratch)
    {
        if (Avx512F.IsSupported && !x.IsEmpty && !h.IsEmpty)
        {
            // Non-empty x and h mean inputs and units are at least 1, so no operand is empty. Spare lanes start at the
            // top of the address space, where no range starts below them.
            Vector512<ulong> starts = Vector512.Create(Address(wIh), Address(wHh), Address(bIh), Address(bHh), Address(x), ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);
            Vector512<ulong> ends = starts + Vector512.Create(Bytes(wIh), Bytes(wHh), Bytes(bIh), Bytes(bHh), Bytes(x), 0UL, 0UL, 0UL);
            // An empty buffer is skipped rather than compared as a range at address 0: so compared, an empty scratch
            // made this test report an overlap after tier-up (.NET 10, AVX-512; about 700,000 calls into a GRU 8's step).
            return Hits(h, starts, ends) || (!scratch.IsEmpty && Hits(scratch, starts, ends)) || (!c.IsEmpty && Hits(c, starts, ends)) ||
                scratch.Overlaps(h) || c.Overlaps(h) || c.Overlaps(scratch);
        }

        return WriteOverlaps(h, wIh, wHh, bIh, bHh, x) || WriteOverlaps(scratch, wIh, wHh, bIh, bHh, x) || WriteOverlaps(c, wIh, wHh, bIh, bHh, x) ||
            scratch.Overlaps(h) || c.Overlaps(h) || c.Overlaps(scratch);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool Hits(ReadOnlySpan<float> output, Vector512<ulong> starts, Vector512<ulong> ends)
        {
            ulong first = Address(output);
            return (Vector512.LessThan(Vector512.Create(first), ends) & Vector512.LessThan(starts, Vector512.Create(first + Bytes(output)))) != Vector512<ulong>.Zero;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong Address(ReadOnlySpan<float> span) => (ulong)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong Bytes(ReadOnlySpan<float> span) => (ulong)span.Length * sizeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WriteOverlaps(
        ReadOnlySpan<float> output, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> x) =>
        output.Overlaps(wIh) || output.Overlaps(wHh) || output.Overlaps(bIh) || output.Overlaps(bHh) || output.Overlaps(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLstmStepArguments(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units)
    {
        const string Kernel = "RecurrentKernels.LstmStep";
        var weights = new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, Kernel);
        CheckStep(weights, x, h, scratch, LstmStepScratch(units), "RecurrentKernels.LstmStepScratch(units)", Kernel);
        KernelGuard.VectorLength(c.Length, units, Kernel, nameof(c), nameof(units));
        weights.NoOverlap(c, nameof(c));
        KernelGuard.NoOverlap(c, x, Kernel, nameof(c), nameof(x));
        KernelGuard.NoOverlap(c, h, Kernel, nameof(c), nameof(h));
        KernelGuard.NoOverlap(c, scratch, Kernel, nameof(c), nameof(scratch));
        throw new System.Diagnostics.UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowGruStepArguments(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units)
    {
        const string Kernel = "RecurrentKernels.GruStep";
        var weights = new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, Kernel);
        CheckStep(weights, x, h, scratch, GruStepScratch(units), "RecurrentKernels.GruStepScratch(units)", Kernel);
        throw new System.Diagnostics.UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLstmStepArguments(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units)
    {
        const string Kernel = "RecurrentKernels.LstmStep";
        var weights = new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, Kernel);
        CheckStep(weights, x, h, Kernel);
        KernelGuard.VectorLength(c.Length, units, Kernel, nameof(c), nameof(units));
        weights.NoOverlap(c, nameof(c));
        KernelGuard.NoOverlap(c, x, Kernel, nameof(c), nameof(x));
        KernelGuard.NoOverlap(c, h, Kernel, nameof(c), nameof(h));
        throw new System.Diagnostics.UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowGruStepArguments(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, int inputs, int units)
    {
        const string Kernel = "RecurrentKernels.GruStep";
        var weights = new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, Kernel);
        CheckStep(weights, x, h, Kernel);
        throw new System.Diagnostics.UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    /// <summary>One LSTM step's gates over p = W_ih·x + b_ih and r = W_hh·h + b_hh: a = p + r per gate, then the cell.</summary>
    private readonly struct LstmStepCell(Projection projection, float* recurrent, float* c, float* h, int units, Readout readout) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec i = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(j), TLanes.Load(recurrent + j)));
            TVec f = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(u + j), TLanes.Load(recurrent + u + j)));
            TVec g = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((2 * u) + j), TLanes.Load(recurrent + (2 * u) + j)));
            TVec cNext = TSimd.Add(TSimd.Multiply(f, TLanes.Load(c + j)), TSimd.Multiply(i, g));
            TLanes.Store(cNext, c + j);
            TVec tanhC = VectorMath.Tanh<TSimd, TVec>(cNext);

            // o last, as LstmFusedCell.Compute orders it.
            TVec o = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((3 * u) + j), TLanes.Load(recurrent + (3 * u) + j)));
            TVec hNext = TSimd.Multiply(o, tanhC);
            TLanes.Store(hNext, h + j);
            readout.Add<TSimd, TVec, TLanes>(j, hNext);
        }
    }

    /// <summary>
    /// One GRU step's gates: r and z over p + r, n = tanh(p_n + r∘(W_hn·h + b_hn)), h' = n + z∘(h − n), written over h
    /// (each lane reads its own h before writing it).
    /// </summary>
    private readonly struct GruStepCell(Projection projection, float* recurrent, float* h, int units, Readout readout) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec r = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(j), TLanes.Load(recurrent + j)));
            TVec z = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(u + j), TLanes.Load(recurrent + u + j)));
            TVec n = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((2 * u) + j), TSimd.Multiply(r, TLanes.Load(recurrent + (2 * u) + j))));
            TVec hPrevious = TLanes.Load(h + j);
            TVec hNext = TSimd.Add(n, TSimd.Multiply(z, TSimd.Subtract(hPrevious, n)));
            TLanes.Store(hNext, h + j);
            readout.Add<TSimd, TVec, TLanes>(j, hNext);
        }
    }

    /// <summary>
    /// One LSTM step for units [j, j + lanes) in one pass: the 4 gates' recurrent sums as eight chains in registers, in
    /// <see cref="ColumnProduct"/>'s order for each gate row (b_hh and the first half of h, the second half from zero,
    /// added at the end), then <see cref="LstmStepCell"/>'s arithmetic. c' goes over c (each lane reads only its own c);
    /// h' goes to <paramref name="next"/>, since every unit's products still read the old h.
    /// </summary>
    private readonly struct LstmFusedCell(Projection projection, float* wHh, int stride, float* bHh, float* h, float* c, float* next, int units, Readout readout) : IFusedCell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ComputePair<TSimd, TVec>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            int u = units, half = u / 2, n = TSimd.Count;
            nint step = stride;
            float* bias = bHh + j;
            TVec ai = TSimd.Load(bias), af = TSimd.Load(bias + u), ag = TSimd.Load(bias + (2 * u)), ao = TSimd.Load(bias + (3 * u));
            TVec ai2 = TSimd.Load(bias + n), af2 = TSimd.Load(bias + u + n), ag2 = TSimd.Load(bias + (2 * u) + n), ao2 = TSimd.Load(bias + (3 * u) + n);
            TVec bi = TSimd.Zero, bf = TSimd.Zero, bg = TSimd.Zero, bo = TSimd.Zero, bi2 = TSimd.Zero, bf2 = TSimd.Zero, bg2 = TSimd.Zero, bo2 = TSimd.Zero;
            float* w = wHh + j, v = wHh + j + (half * step);
            for (int k = 0; k < half; k++, w += step, v += step)
            {
                TVec hk = TSimd.Broadcast(h[k]);
                ai = TSimd.MultiplyAdd(TSimd.Load(w), hk, ai);
                af = TSimd.MultiplyAdd(TSimd.Load(w + u), hk, af);
                ag = TSimd.MultiplyAdd(TSimd.Load(w + (2 * u)), hk, ag);
                ao = TSimd.MultiplyAdd(TSimd.Load(w + (3 * u)), hk, ao);
                ai2 = TSimd.MultiplyAdd(TSimd.Load(w + n), hk, ai2);
                af2 = TSimd.MultiplyAdd(TSimd.Load(w + u + n), hk, af2);
                ag2 = TSimd.MultiplyAdd(TSimd.Load(w + (2 * u) + n), hk, ag2);
                ao2 = TSimd.MultiplyAdd(TSimd.Load(w + (3 * u) + n), hk, ao2);
                TVec hl = TSimd.Broadcast(h[half + k]);
                bi = TSimd.MultiplyAdd(TSimd.Load(v), hl, bi);
                bf = TSimd.MultiplyAdd(TSimd.Load(v + u), hl, bf);
                bg = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u)), hl, bg);
                bo = TSimd.MultiplyAdd(TSimd.Load(v + (3 * u)), hl, bo);
                bi2 = TSimd.MultiplyAdd(TSimd.Load(v + n), hl, bi2);
                bf2 = TSimd.MultiplyAdd(TSimd.Load(v + u + n), hl, bf2);
                bg2 = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u) + n), hl, bg2);
                bo2 = TSimd.MultiplyAdd(TSimd.Load(v + (3 * u) + n), hl, bo2);
            }

            if ((u & 1) != 0)
            {
                TVec hl = TSimd.Broadcast(h[u - 1]);
                bi = TSimd.MultiplyAdd(TSimd.Load(v), hl, bi);
                bf = TSimd.MultiplyAdd(TSimd.Load(v + u), hl, bf);
                bg = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u)), hl, bg);
                bo = TSimd.MultiplyAdd(TSimd.Load(v + (3 * u)), hl, bo);
                bi2 = TSimd.MultiplyAdd(TSimd.Load(v + n), hl, bi2);
                bf2 = TSimd.MultiplyAdd(TSimd.Load(v + u + n), hl, bf2);
                bg2 = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u) + n), hl, bg2);
                bo2 = TSimd.MultiplyAdd(TSimd.Load(v + (3 * u) + n), hl, bo2);
            }

            // Both vectors' cells side by side, in the order of the chain (i, f, g, then c', then tanh c') and o last, as
            // Compute orders one vector's.
            int m = j + n;
            TVec i = Gate<TSimd, TVec>(j, TSimd.Add(ai, bi), false), i2 = Gate<TSimd, TVec>(m, TSimd.Add(ai2, bi2), false);
            TVec f = Gate<TSimd, TVec>(u + j, TSimd.Add(af, bf), false), f2 = Gate<TSimd, TVec>(u + m, TSimd.Add(af2, bf2), false);
            TVec g = Gate<TSimd, TVec>((2 * u) + j, TSimd.Add(ag, bg), true), g2 = Gate<TSimd, TVec>((2 * u) + m, TSimd.Add(ag2, bg2), true);
            TVec cNext = TSimd.Add(TSimd.Multiply(f, TSimd.Load(c + j)), TSimd.Multiply(i, g));
            TVec cNext2 = TSimd.Add(TSimd.Multiply(f2, TSimd.Load(c + m)), TSimd.Multiply(i2, g2));
            TSimd.Store(cNext, c + j);
            TSimd.Store(cNext2, c + m);
            TVec tanhC = VectorMath.Tanh<TSimd, TVec>(cNext), tanhC2 = VectorMath.Tanh<TSimd, TVec>(cNext2);
            TVec first = TSimd.Multiply(Gate<TSimd, TVec>((3 * u) + j, TSimd.Add(ao, bo), false), tanhC);
            TVec second = TSimd.Multiply(Gate<TSimd, TVec>((3 * u) + m, TSimd.Add(ao2, bo2), false), tanhC2);
            TSimd.Store(first, next + j);
            TSimd.Store(second, next + m);
            readout.AddPair<TSimd, TVec>(j, first, second);
        }

        /// <summary>A whole vector's gate from its recurrent sum: σ, or tanh for g.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TVec Gate<TSimd, TVec>(int row, TVec recurrent, bool tanh)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            TVec z = TSimd.Add(projection.Load<TSimd, TVec, Whole<TSimd, TVec>>(row), recurrent);
            return tanh ? VectorMath.Tanh<TSimd, TVec>(z) : VectorMath.Sigmoid<TSimd, TVec>(z);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units, half = u / 2;
            nint step = stride;
            TVec ai = TLanes.Load(bHh + j), af = TLanes.Load(bHh + u + j), ag = TLanes.Load(bHh + (2 * u) + j), ao = TLanes.Load(bHh + (3 * u) + j);
            TVec bi = TSimd.Zero, bf = TSimd.Zero, bg = TSimd.Zero, bo = TSimd.Zero;
            float* w = wHh + j, v = wHh + j + (half * step);
            for (int k = 0; k < half; k++, w += step, v += step)
            {
                TVec hk = TSimd.Broadcast(h[k]);
                ai = TSimd.MultiplyAdd(TLanes.Load(w), hk, ai);
                af = TSimd.MultiplyAdd(TLanes.Load(w + u), hk, af);
                ag = TSimd.MultiplyAdd(TLanes.Load(w + (2 * u)), hk, ag);
                ao = TSimd.MultiplyAdd(TLanes.Load(w + (3 * u)), hk, ao);
                TVec hl = TSimd.Broadcast(h[half + k]);
                bi = TSimd.MultiplyAdd(TLanes.Load(v), hl, bi);
                bf = TSimd.MultiplyAdd(TLanes.Load(v + u), hl, bf);
                bg = TSimd.MultiplyAdd(TLanes.Load(v + (2 * u)), hl, bg);
                bo = TSimd.MultiplyAdd(TLanes.Load(v + (3 * u)), hl, bo);
            }

            if ((u & 1) != 0)
            {
                TVec hl = TSimd.Broadcast(h[u - 1]);
                bi = TSimd.MultiplyAdd(TLanes.Load(v), hl, bi);
                bf = TSimd.MultiplyAdd(TLanes.Load(v + u), hl, bf);
                bg = TSimd.MultiplyAdd(TLanes.Load(v + (2 * u)), hl, bg);
                bo = TSimd.MultiplyAdd(TLanes.Load(v + (3 * u)), hl, bo);
            }

            // In the order of the chain, o last: c' waits on i, f and g only, and o has until tanh c' is done. The core
            // issues the oldest ready work first, so o's σ written before tanh c' takes the pipes and the divider from
            // the step's longest chain just when it needs them.
            TVec i = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(j), TSimd.Add(ai, bi)));
            TVec f = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(u + j), TSimd.Add(af, bf)));
            TVec g = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((2 * u) + j), TSimd.Add(ag, bg)));
            TVec cNext = TSimd.Add(TSimd.Multiply(f, TLanes.Load(c + j)), TSimd.Multiply(i, g));
            TLanes.Store(cNext, c + j);
            TVec tanhC = VectorMath.Tanh<TSimd, TVec>(cNext);
            TVec o = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((3 * u) + j), TSimd.Add(ao, bo)));
            TVec hNext = TSimd.Multiply(o, tanhC);
            TLanes.Store(hNext, next + j);
            readout.Add<TSimd, TVec, TLanes>(j, hNext);
        }
    }

    /// <summary>
    /// One GRU step for units [j, j + lanes) in one pass: the 3 gates' recurrent sums as six chains in registers, in
    /// <see cref="ColumnProduct"/>'s order, then <see cref="GruStepCell"/>'s arithmetic; h' goes to <paramref name="next"/>.
    /// </summary>
    private readonly struct GruFusedCell(Projection projection, float* wHh, int stride, float* bHh, float* h, float* next, int units, Readout readout) : IFusedCell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ComputePair<TSimd, TVec>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            int u = units, half = u / 2, n = TSimd.Count;
            nint step = stride;
            float* bias = bHh + j;
            TVec ar = TSimd.Load(bias), az = TSimd.Load(bias + u), an = TSimd.Load(bias + (2 * u));
            TVec ar2 = TSimd.Load(bias + n), az2 = TSimd.Load(bias + u + n), an2 = TSimd.Load(bias + (2 * u) + n);
            TVec br = TSimd.Zero, bz = TSimd.Zero, bn = TSimd.Zero, br2 = TSimd.Zero, bz2 = TSimd.Zero, bn2 = TSimd.Zero;
            float* w = wHh + j, v = wHh + j + (half * step);
            for (int k = 0; k < half; k++, w += step, v += step)
            {
                TVec hk = TSimd.Broadcast(h[k]);
                ar = TSimd.MultiplyAdd(TSimd.Load(w), hk, ar);
                az = TSimd.MultiplyAdd(TSimd.Load(w + u), hk, az);
                an = TSimd.MultiplyAdd(TSimd.Load(w + (2 * u)), hk, an);
                ar2 = TSimd.MultiplyAdd(TSimd.Load(w + n), hk, ar2);
                az2 = TSimd.MultiplyAdd(TSimd.Load(w + u + n), hk, az2);
                an2 = TSimd.MultiplyAdd(TSimd.Load(w + (2 * u) + n), hk, an2);
                TVec hl = TSimd.Broadcast(h[half + k]);
                br = TSimd.MultiplyAdd(TSimd.Load(v), hl, br);
                bz = TSimd.MultiplyAdd(TSimd.Load(v + u), hl, bz);
                bn = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u)), hl, bn);
                br2 = TSimd.MultiplyAdd(TSimd.Load(v + n), hl, br2);
                bz2 = TSimd.MultiplyAdd(TSimd.Load(v + u + n), hl, bz2);
                bn2 = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u) + n), hl, bn2);
            }

            if ((u & 1) != 0)
            {
                TVec hl = TSimd.Broadcast(h[u - 1]);
                br = TSimd.MultiplyAdd(TSimd.Load(v), hl, br);
                bz = TSimd.MultiplyAdd(TSimd.Load(v + u), hl, bz);
                bn = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u)), hl, bn);
                br2 = TSimd.MultiplyAdd(TSimd.Load(v + n), hl, br2);
                bz2 = TSimd.MultiplyAdd(TSimd.Load(v + u + n), hl, bz2);
                bn2 = TSimd.MultiplyAdd(TSimd.Load(v + (2 * u) + n), hl, bn2);
            }

            TVec first = Finish<TSimd, TVec>(j, TSimd.Add(ar, br), TSimd.Add(az, bz), TSimd.Add(an, bn));
            TVec second = Finish<TSimd, TVec>(j + n, TSimd.Add(ar2, br2), TSimd.Add(az2, bz2), TSimd.Add(an2, bn2));
            readout.AddPair<TSimd, TVec>(j, first, second);
        }

        /// <summary>The cell of units [j, j + TSimd.Count) from their three recurrent sums; returns their h'.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TVec Finish<TSimd, TVec>(int j, TVec rr, TVec rz, TVec rn)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            int u = units;
            TVec r = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, Whole<TSimd, TVec>>(j), rr));
            TVec z = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, Whole<TSimd, TVec>>(u + j), rz));
            TVec n = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, Whole<TSimd, TVec>>((2 * u) + j), TSimd.Multiply(r, rn)));
            TVec hPrevious = TSimd.Load(h + j);
            TVec hNext = TSimd.Add(n, TSimd.Multiply(z, TSimd.Subtract(hPrevious, n)));
            TSimd.Store(hNext, next + j);
            return hNext;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units, half = u / 2;
            nint step = stride;
            TVec ar = TLanes.Load(bHh + j), az = TLanes.Load(bHh + u + j), an = TLanes.Load(bHh + (2 * u) + j);
            TVec br = TSimd.Zero, bz = TSimd.Zero, bn = TSimd.Zero;
            float* w = wHh + j, v = wHh + j + (half * step);
            for (int k = 0; k < half; k++, w += step, v += step)
            {
                TVec hk = TSimd.Broadcast(h[k]);
                ar = TSimd.MultiplyAdd(TLanes.Load(w), hk, ar);
                az = TSimd.MultiplyAdd(TLanes.Load(w + u), hk, az);
                an = TSimd.MultiplyAdd(TLanes.Load(w + (2 * u)), hk, an);
                TVec hl = TSimd.Broadcast(h[half + k]);
                br = TSimd.MultiplyAdd(TLanes.Load(v), hl, br);
                bz = TSimd.MultiplyAdd(TLanes.Load(v + u), hl, bz);
                bn = TSimd.MultiplyAdd(TLanes.Load(v + (2 * u)), hl, bn);
            }

            if ((u & 1) != 0)
            {
                TVec hl = TSimd.Broadcast(h[u - 1]);
                br = TSimd.MultiplyAdd(TLanes.Load(v), hl, br);
                bz = TSimd.MultiplyAdd(TLanes.Load(v + u), hl, bz);
                bn = TSimd.MultiplyAdd(TLanes.Load(v + (2 * u)), hl, bn);
            }

            TVec r = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(j), TSimd.Add(ar, br)));
            TVec z = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>(u + j), TSimd.Add(az, bz)));
            TVec n = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((2 * u) + j), TSimd.Multiply(r, TSimd.Add(an, bn))));
            TVec hPrevious = TLanes.Load(h + j);
            TVec hNext = TSimd.Add(n, TSimd.Multiply(z, TSimd.Subtract(hPrevious, n)));
            TLanes.Store(hNext, next + j);
            readout.Add<TSimd, TVec, TLanes>(j, hNext);
        }
    }
}
