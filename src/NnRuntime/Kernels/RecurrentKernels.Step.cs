using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The streaming step: one example, one time step, as generated networks' <c>Step</c> and <c>Process</c> call it per
/// sample. Its cost is two small matrix-vector products over the G·H gate rows and the gates, so it is built for that:
/// one combined argument test on the way in, W_hh·h + b_hh (and W_ih·x + b_ih for several inputs) by
/// <see cref="SmallMatVec"/> (a block of 16 rows at 512 bits, 8 at 256, reduced together into one vector of the block's
/// sums; <see cref="MatVecKernels"/> below a block), then the gates lane by lane, which take a one-input layer's
/// W_ih·x + b_ih as one fused multiply-add per gate row where they need it.
/// </summary>
/// <remarks>
/// The order of every sum depends on the sizes and the width only, never on where the buffers sit, so a step gives
/// the same bits for the same inputs wherever they are; widths differ in the last bits. A streamed step no longer sums
/// as the batch forward pass does (that one projects all steps' inputs in one outer product), so a sequence streamed
/// step by step and the same sequence through <see cref="LstmForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/>
/// agree to rounding, not to the bit; generated networks run <c>Process</c> and <c>PredictSequences</c> through the step,
/// so a block still equals its samples bit for bit there.
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    internal static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width)
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
            SimdWidth resolved = SimdWidths.Resolve(width);
            float* projection = ps, recurrent = ps + rows;
            StepProducts(pwIh, pwHh, pbIh, pbHh, px, ph, projection, recurrent, inputs, units, rows, resolved);
            var cell = new LstmStepCell(new Projection(pwIh, pbIh, px, projection, inputs), recurrent, pc, ph, units);
            RunLanes(ref cell, units, resolved);
        }
    }

    internal static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width)
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
            SimdWidth resolved = SimdWidths.Resolve(width);
            float* projection = ps, recurrent = ps + rows;
            StepProducts(pwIh, pwHh, pbIh, pbHh, px, ph, projection, recurrent, inputs, units, rows, resolved);
            var cell = new GruStepCell(new Projection(pwIh, pbIh, px, projection, inputs), recurrent, ph, units);
            RunLanes(ref cell, units, resolved);
        }
    }

    /// <summary>
    /// r = W_hh·h + b_hh over the G·H gate rows, and p = W_ih·x + b_ih unless the layer has one input (then the cell
    /// computes p itself, <see cref="Projection"/>). r is complete before the cell writes h, so h may be updated in place.
    /// </summary>
    private static void StepProducts(
        float* wIh, float* wHh, float* bIh, float* bHh, float* x, float* h, float* projection, float* recurrent, int inputs, int units, int rows,
        SimdWidth width)
    {
        StepInputProduct(wIh, bIh, x, projection, inputs, rows, width);
        StepRecurrentProduct(wHh, bHh, h, recurrent, units, rows, width);
    }

    /// <summary>r = W_hh·h + b_hh: <see cref="SmallMatVec"/> where it runs, <see cref="MatVecKernels"/> below a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepRecurrentProduct(float* wHh, float* bHh, float* h, float* recurrent, int units, int rows, SimdWidth width)
    {
        if (!SmallMatVec.TryForward(width, wHh, h, bHh, recurrent, rows, units))
        {
            MatVecKernels.Forward<LinearOperator>(width, wHh, h, bHh, recurrent, rows, units);
        }
    }

    /// <summary>p = W_ih·x + b_ih into the scratch, unless the layer has one input (then the cell computes p itself, <see cref="Projection"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepInputProduct(float* wIh, float* bIh, float* x, float* projection, int inputs, int rows, SimdWidth width)
    {
        if (inputs != 1 && !SmallMatVec.TryForward(width, wIh, x, bIh, projection, rows, inputs))
        {
            MatVecKernels.Forward<LinearOperator>(width, wIh, x, bIh, projection, rows, inputs);
        }
    }

    /// <summary>
    /// A gate's input side, p = W_ih·x + b_ih, for units [j, j + lanes): with one input W_ih is a column, contiguous over
    /// the gate rows, so p is one fused multiply-add per lane, computed where the cell needs it rather than stored to
    /// the scratch and loaded back (the sample's x then reaches the gates a store and a load sooner); with several
    /// inputs it is read from the scratch <see cref="StepProducts"/> filled.
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
    /// Whether a buffer the step writes (h, c, the scratch; c empty for a GRU) overlaps an operand or another written
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
            return Hits(h, starts, ends) || Hits(scratch, starts, ends) || (!c.IsEmpty && Hits(c, starts, ends)) ||
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

    /// <summary>One LSTM step's gates over p = W_ih·x + b_ih and r = W_hh·h + b_hh: a = p + r per gate, then the cell.</summary>
    private readonly struct LstmStepCell(Projection projection, float* recurrent, float* c, float* h, int units) : ICell
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
            TVec o = VectorMath.Sigmoid<TSimd, TVec>(TSimd.Add(projection.Load<TSimd, TVec, TLanes>((3 * u) + j), TLanes.Load(recurrent + (3 * u) + j)));
            TVec cNext = TSimd.Add(TSimd.Multiply(f, TLanes.Load(c + j)), TSimd.Multiply(i, g));
            TLanes.Store(cNext, c + j);
            TLanes.Store(TSimd.Multiply(o, VectorMath.Tanh<TSimd, TVec>(cNext)), h + j);
        }
    }

    /// <summary>
    /// One GRU step's gates: r and z over p + r, n = tanh(p_n + r∘(W_hn·h + b_hn)), h' = n + z∘(h − n), written over h
    /// (each lane reads its own h before writing it).
    /// </summary>
    private readonly struct GruStepCell(Projection projection, float* recurrent, float* h, int units) : ICell
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
            TLanes.Store(TSimd.Add(n, TSimd.Multiply(z, TSimd.Subtract(hPrevious, n))), h + j);
        }
    }
}
