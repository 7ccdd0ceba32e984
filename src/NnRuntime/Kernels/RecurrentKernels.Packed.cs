using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The streaming step over a layer's parameters packed once (a frozen network's form): the same bits as
/// <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
/// and <see cref="GruStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/>
/// at every width, for less work per step.
/// </summary>
/// <remarks>
/// <para>
/// Layout (floats; each part starts on a multiple of 16, so a 64-byte-aligned buffer has every part aligned): W_ih
/// row-major, b_ih, b_hh, W_hh row-major, then W_hhᵀ (H × G·H: column k of W_hh contiguous over the gate rows).
/// </para>
/// <para>
/// Why W_hhᵀ and not another order of sums: the row-major step (<see cref="SmallMatVec"/>) sums a row in L lanes
/// (L = 16 at 512 bits, 8 at 256), lane l over the columns l, l + L, … in order, then the lanes in a balanced tree
/// ((l0 + l1) + (l2 + l3)) + …, then adds b_hh. From W_hhᵀ the same sums come out of L accumulator vectors per block
/// of L rows, accumulator l taking the columns lane l takes, each column one fused multiply-add with h[k] broadcast;
/// the tree is then L − 1 vertical adds instead of shuffles, and nothing is reduced horizontally. The column tail
/// follows the row-major kernel's masked last vector: lane l of it is column H − L + l, counted only by the lanes the
/// whole vectors did not reach (the masked lanes there add +0 to a sum that cannot be −0, which changes nothing). The
/// input side (W_ih·x + b_ih, fused into the gates at one input) and the gates are the row-major step's own code.
/// Where the row-major step's product is <see cref="MatVecKernels"/>' (128 bits, scalar, H below a vector, no AVX),
/// the packed step runs that product on the row-major W_hh it also holds, so it sums in the same order there too.
/// </para>
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    /// <summary>Floats of a packed LSTM layer (<see cref="PackLstm"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>The length the packed buffer must have: W_ih, b_ih, b_hh, W_hh and W_hhᵀ, each part rounded up to 16 floats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmPackedLength(int inputs, int units) => PackedLength(LstmGateCount, inputs, units, "RecurrentKernels.LstmPackedLength");

    /// <summary>Floats of a packed GRU layer (<see cref="PackGru"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>The length the packed buffer must have: W_ih, b_ih, b_hh, W_hh and W_hhᵀ, each part rounded up to 16 floats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int GruPackedLength(int inputs, int units) => PackedLength(GruGateCount, inputs, units, "RecurrentKernels.GruPackedLength");

    /// <summary>Floats of scratch <see cref="LstmStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/> needs: the input and recurrent products, 4·H each.</summary>
    /// <param name="units">H.</param>
    /// <returns>8·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative or too large.</exception>
    public static int LstmStepPackedScratch(int units) => StepScratch(LstmGateCount, units, "RecurrentKernels.LstmStepPackedScratch");

    /// <summary>Floats of scratch <see cref="GruStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/> needs: the input and recurrent products, 3·H each.</summary>
    /// <param name="units">H.</param>
    /// <returns>6·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative or too large.</exception>
    public static int GruStepPackedScratch(int units) => StepScratch(GruGateCount, units, "RecurrentKernels.GruStepPackedScratch");

    /// <summary>Packs an LSTM layer's parameters (PyTorch's layout, gates i, f, g, o) for <see cref="LstmStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>.</summary>
    /// <param name="wIh">W_ih, 4H × I row-major.</param>
    /// <param name="wHh">W_hh, 4H × H row-major.</param>
    /// <param name="bIh">b_ih, 4H.</param>
    /// <param name="bHh">b_hh, 4H.</param>
    /// <param name="packed"><see cref="LstmPackedLength"/>(I, H) floats, overwritten (the padding with zeros).</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or <paramref name="packed"/> overlaps a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void PackLstm(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, Span<float> packed, int inputs, int units) =>
        Pack(new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, "RecurrentKernels.PackLstm"), LstmGateCount, packed, "RecurrentKernels.PackLstm", "RecurrentKernels.LstmPackedLength");

    /// <summary>Packs a GRU layer's parameters (PyTorch's layout, gates r, z, n) for <see cref="GruStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/>.</summary>
    /// <param name="wIh">W_ih, 3H × I row-major.</param>
    /// <param name="wHh">W_hh, 3H × H row-major.</param>
    /// <param name="bIh">b_ih, 3H.</param>
    /// <param name="bHh">b_hh, 3H.</param>
    /// <param name="packed"><see cref="GruPackedLength"/>(I, H) floats, overwritten (the padding with zeros).</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or <paramref name="packed"/> overlaps a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void PackGru(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, Span<float> packed, int inputs, int units) =>
        Pack(new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, "RecurrentKernels.PackGru"), GruGateCount, packed, "RecurrentKernels.PackGru", "RecurrentKernels.GruPackedLength");

    /// <summary>
    /// One LSTM step for one example over a packed layer: h and c are read and overwritten with the next state, bit for
    /// bit what <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
    /// gives on the parameters <see cref="PackLstm"/> packed.
    /// </summary>
    /// <param name="packed">The layer, <see cref="LstmPackedLength"/>(I, H) floats from <see cref="PackLstm"/>.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="c">The cell state, H floats; becomes c'.</param>
    /// <param name="scratch"><see cref="LstmStepPackedScratch"/>(H) floats, overwritten.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units) =>
        LstmStepPacked(packed, x, h, c, scratch, inputs, units, SimdWidth.Auto);

    /// <summary>
    /// One GRU step for one example over a packed layer: h is read and overwritten with the next state, bit for bit what
    /// <see cref="GruStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/>
    /// gives on the parameters <see cref="PackGru"/> packed.
    /// </summary>
    /// <param name="packed">The layer, <see cref="GruPackedLength"/>(I, H) floats from <see cref="PackGru"/>.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="scratch"><see cref="GruStepPackedScratch"/>(H) floats, overwritten.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units) =>
        GruStepPacked(packed, x, h, scratch, inputs, units, SimdWidth.Auto);

    internal static void LstmStepPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width)
    {
        // One combined test, as LstmStep has (the packed buffer stands for all four parameter operands of its overlap test).
        long gh = (long)LstmGateCount * units;
        var layout = new PackedLayout(LstmGateCount, inputs, units);
        fixed (float* pp = packed, px = x, ph = h, pc = c, ps = scratch)
        {
            if (inputs < 0 || units < 0 || packed.Length != layout.Length || x.Length != inputs ||
                h.Length != units || c.Length != units || scratch.Length != 2 * gh || StepWritesOverlap(packed, packed, packed, packed, x, h, c, scratch))
            {
                ThrowStepPackedArguments(LstmGateCount, packed, x, h, c, scratch, inputs, units, "RecurrentKernels.LstmStepPacked");
            }

            int rows = (int)gh;
            SimdWidth resolved = SimdWidths.Resolve(width);
            float* projection = ps, recurrent = ps + rows;
            PackedProducts(pp, layout, px, ph, projection, recurrent, inputs, units, rows, resolved);
            var cell = new LstmStepCell(new Projection(pp + layout.WIh, pp + layout.BIh, px, projection, inputs), recurrent, pc, ph, units);
            RunLanes(ref cell, units, resolved);
        }
    }

    internal static void GruStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width)
    {
        long gh = (long)GruGateCount * units;
        var layout = new PackedLayout(GruGateCount, inputs, units);
        fixed (float* pp = packed, px = x, ph = h, ps = scratch)
        {
            if (inputs < 0 || units < 0 || packed.Length != layout.Length || x.Length != inputs ||
                h.Length != units || scratch.Length != 2 * gh || StepWritesOverlap(packed, packed, packed, packed, x, h, [], scratch))
            {
                ThrowStepPackedArguments(GruGateCount, packed, x, h, [], scratch, inputs, units, "RecurrentKernels.GruStepPacked");
            }

            int rows = (int)gh;
            SimdWidth resolved = SimdWidths.Resolve(width);
            float* projection = ps, recurrent = ps + rows;
            PackedProducts(pp, layout, px, ph, projection, recurrent, inputs, units, rows, resolved);
            var cell = new GruStepCell(new Projection(pp + layout.WIh, pp + layout.BIh, px, projection, inputs), recurrent, ph, units);
            RunLanes(ref cell, units, resolved);
        }
    }

    /// <summary>Where each part of a packed layer starts, in floats, and the packed length.</summary>
    private readonly struct PackedLayout
    {
        public readonly long WIh;
        public readonly long BIh;
        public readonly long BHh;
        public readonly long WHh;
        public readonly long WHhTransposed;
        public readonly long Length;

        public PackedLayout(int gates, int inputs, int units)
        {
            long rows = (long)gates * units;
            WIh = 0;
            BIh = RoundUp(rows * inputs);
            BHh = RoundUp(BIh + rows);
            WHh = RoundUp(BHh + rows);
            WHhTransposed = RoundUp(WHh + (rows * units));
            Length = WHhTransposed + (rows * units);
        }

        private static long RoundUp(long floats) => (floats + 15) & ~15L;
    }

    private static int PackedLength(int gates, int inputs, int units, string function)
    {
        KernelGuard.NonNegative(inputs, function, nameof(inputs));
        KernelGuard.NonNegative(units, function, nameof(units));
        return Fit(new PackedLayout(gates, inputs, units).Length, function, nameof(units));
    }

    private static void Pack(in Weights weights, int gates, Span<float> packed, string kernel, string lengthName)
    {
        var layout = new PackedLayout(gates, weights.Inputs, weights.Units);
        if (packed.Length != layout.Length)
        {
            ThrowPackedLength(packed.Length, layout.Length, weights.Inputs, weights.Units, kernel, lengthName);
        }

        weights.NoOverlap(packed, nameof(packed));
        int rows = weights.GateRows, units = weights.Units;
        packed.Clear();
        weights.WIh.CopyTo(packed[(int)layout.WIh..]);
        weights.BIh.CopyTo(packed[(int)layout.BIh..]);
        weights.BHh.CopyTo(packed[(int)layout.BHh..]);
        weights.WHh.CopyTo(packed[(int)layout.WHh..]);
        Span<float> transposed = packed.Slice((int)layout.WHhTransposed, rows * units);
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < units; k++)
            {
                transposed[(k * rows) + r] = weights.WHh[(r * units) + k];
            }
        }
    }

    /// <summary>
    /// r = W_hh·h + b_hh in the order the row-major step sums it, from W_hhᵀ where that order is <see cref="SmallMatVec"/>'s
    /// and from the row-major copy where it is <see cref="MatVecKernels"/>'; p = W_ih·x + b_ih as the row-major step computes it.
    /// </summary>
    private static void PackedProducts(
        float* packed, in PackedLayout layout, float* x, float* h, float* projection, float* recurrent, int inputs, int units, int rows, SimdWidth width)
    {
        float* bHh = packed + layout.BHh;
        StepInputProduct(packed + layout.WIh, packed + layout.BIh, x, projection, inputs, rows, width);
        switch (SmallMatVec.Lanes(width, rows, units))
        {
            case 16:
                Transposed<Simd512, Vector512<float>>(packed + layout.WHhTransposed, h, bHh, recurrent, rows, units);
                break;
            case 8:
                Transposed<Simd256, Vector256<float>>(packed + layout.WHhTransposed, h, bHh, recurrent, rows, units);
                break;
            default:
                MatVecKernels.Forward<LinearOperator>(width, packed + layout.WHh, h, bHh, recurrent, rows, units);
                break;
        }
    }

    /// <summary>
    /// <see cref="SmallMatVec"/>'s sums from W_hhᵀ, L = <typeparamref name="TSimd"/>'s lanes: blocks of L rows (the last
    /// ending at the last row), four blocks a pass so each broadcast h[k] serves four. Lane position l of the four blocks
    /// is summed over its columns, then folded into the tree at once, so a pass holds at most four pending tree sums a
    /// block rather than L accumulators. A pass with fewer than four blocks left repeats its last block (same bits).
    /// </summary>
    internal static void Transposed<TSimd, TVec>(float* wT, float* h, float* bias, float* y, int rows, int cols)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int lanes = TSimd.Count;
        var columns = new LaneColumns(cols - (cols % lanes), cols % lanes == 0 ? lanes : lanes - (cols % lanes), cols - lanes, rows);
        int blocks = (rows + lanes - 1) / lanes;
        for (int b = 0; b < blocks; b += 4)
        {
            // Pointers, not offsets in a struct: the JIT then keeps all four in registers through the sixteen lane loops.
            int offsetA = BlockStart(b, lanes, rows), offsetB = BlockStart(Math.Min(b + 1, blocks - 1), lanes, rows);
            int offsetC = BlockStart(Math.Min(b + 2, blocks - 1), lanes, rows), offsetD = BlockStart(Math.Min(b + 3, blocks - 1), lanes, rows);
            var blockColumns = new Blocks(wT + offsetA, wT + offsetB, wT + offsetC, wT + offsetD);
            Quad<TVec> sums = lanes == 16
                ? Add<TSimd, TVec>(Tree8<TSimd, TVec>(blockColumns, h, columns, 0), Tree8<TSimd, TVec>(blockColumns, h, columns, 8))
                : Tree8<TSimd, TVec>(blockColumns, h, columns, 0);
            TSimd.Store(TSimd.Add(sums.A, TSimd.Load(bias + offsetA)), y + offsetA);
            TSimd.Store(TSimd.Add(sums.B, TSimd.Load(bias + offsetB)), y + offsetB);
            TSimd.Store(TSimd.Add(sums.C, TSimd.Load(bias + offsetC)), y + offsetC);
            TSimd.Store(TSimd.Add(sums.D, TSimd.Load(bias + offsetD)), y + offsetD);
        }

        static int BlockStart(int block, int lanes, int rows) => Math.Min(block * lanes, rows - lanes);
    }

    /// <summary>
    /// Which columns lane position l sums: l, l + L, … below <c>Whole</c>, then column <c>TailStart</c> + l when l ≥
    /// <c>First</c> (the row-major kernel's masked last vector, which starts at cols − L); <c>Rows</c> is W_hhᵀ's row stride.
    /// </summary>
    private readonly record struct LaneColumns(int Whole, int First, int TailStart, int Rows);

    /// <summary>Where the four row blocks of a pass start in W_hhᵀ's first row.</summary>
    private readonly struct Blocks(float* a, float* b, float* c, float* d)
    {
        public readonly float* A = a;
        public readonly float* B = b;
        public readonly float* C = c;
        public readonly float* D = d;
    }

    private readonly struct Quad<T>(T a, T b, T c, T d)
    {
        public readonly T A = a;
        public readonly T B = b;
        public readonly T C = c;
        public readonly T D = d;
    }

    /// <summary>The balanced tree over lane positions [first, first + 8): ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad<TVec> Tree8<TSimd, TVec>(Blocks blocks, float* h, LaneColumns columns, int first)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        Quad<TVec> q0 = Add<TSimd, TVec>(
            Add<TSimd, TVec>(Lane<TSimd, TVec>(blocks, h, columns, first), Lane<TSimd, TVec>(blocks, h, columns, first + 1)),
            Add<TSimd, TVec>(Lane<TSimd, TVec>(blocks, h, columns, first + 2), Lane<TSimd, TVec>(blocks, h, columns, first + 3)));
        Quad<TVec> q1 = Add<TSimd, TVec>(
            Add<TSimd, TVec>(Lane<TSimd, TVec>(blocks, h, columns, first + 4), Lane<TSimd, TVec>(blocks, h, columns, first + 5)),
            Add<TSimd, TVec>(Lane<TSimd, TVec>(blocks, h, columns, first + 6), Lane<TSimd, TVec>(blocks, h, columns, first + 7)));
        return Add<TSimd, TVec>(q0, q1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad<TVec> Add<TSimd, TVec>(Quad<TVec> left, Quad<TVec> right)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        new(TSimd.Add(left.A, right.A), TSimd.Add(left.B, right.B), TSimd.Add(left.C, right.C), TSimd.Add(left.D, right.D));

    /// <summary>Lane position l of four row blocks: its columns in order, one fused multiply-add each with h[k] broadcast once for the four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad<TVec> Lane<TSimd, TVec>(Blocks blocks, float* h, LaneColumns columns, int l)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec a = TSimd.Zero, b = TSimd.Zero, c = TSimd.Zero, d = TSimd.Zero;
        for (int k = l; k < columns.Whole; k += TSimd.Count)
        {
            Column<TSimd, TVec>(blocks, h, (nint)k, columns.Rows, ref a, ref b, ref c, ref d);
        }

        if (l >= columns.First)
        {
            Column<TSimd, TVec>(blocks, h, (nint)columns.TailStart + l, columns.Rows, ref a, ref b, ref c, ref d);
        }

        return new Quad<TVec>(a, b, c, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TSimd, TVec>(Blocks blocks, float* h, nint k, nint stride, ref TVec a, ref TVec b, ref TVec c, ref TVec d)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        nint offset = k * stride;
        TVec hk = TSimd.Broadcast(h[k]);
        a = TSimd.MultiplyAdd(TSimd.Load(blocks.A + offset), hk, a);
        b = TSimd.MultiplyAdd(TSimd.Load(blocks.B + offset), hk, b);
        c = TSimd.MultiplyAdd(TSimd.Load(blocks.C + offset), hk, c);
        d = TSimd.MultiplyAdd(TSimd.Load(blocks.D + offset), hk, d);
    }

    [DoesNotReturn]
    private static void ThrowPackedLength(int actual, long expected, int inputs, int units, string kernel, string lengthName) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{kernel}: packed has {actual} floats, expected {expected} ({lengthName}(inputs {inputs}, units {units}))."),
            "packed");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStepPackedArguments(
        int gates, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, string kernel)
    {
        bool lstm = gates == LstmGateCount;
        KernelGuard.NonNegative(inputs, kernel, nameof(inputs));
        KernelGuard.NonNegative(units, kernel, nameof(units));
        long expected = new PackedLayout(gates, inputs, units).Length;
        if (packed.Length != expected)
        {
            ThrowPackedLength(packed.Length, expected, inputs, units, kernel, lstm ? "RecurrentKernels.LstmPackedLength" : "RecurrentKernels.GruPackedLength");
        }

        KernelGuard.VectorLength(x.Length, inputs, kernel, nameof(x), nameof(inputs));
        KernelGuard.VectorLength(h.Length, units, kernel, nameof(h), nameof(units));
        if (lstm)
        {
            KernelGuard.VectorLength(c.Length, units, kernel, nameof(c), nameof(units));
        }

        int scratchLength = Fit(2L * gates * units, kernel, nameof(units));
        KernelGuard.VectorLength(scratch.Length, scratchLength, kernel, nameof(scratch), lstm ? "RecurrentKernels.LstmStepPackedScratch(units)" : "RecurrentKernels.GruStepPackedScratch(units)");
        KernelGuard.NoOverlap(h, packed, kernel, nameof(h), nameof(packed));
        KernelGuard.NoOverlap(h, x, kernel, nameof(h), nameof(x));
        KernelGuard.NoOverlap(scratch, packed, kernel, nameof(scratch), nameof(packed));
        KernelGuard.NoOverlap(scratch, x, kernel, nameof(scratch), nameof(x));
        KernelGuard.NoOverlap(scratch, h, kernel, nameof(scratch), nameof(h));
        KernelGuard.NoOverlap(c, packed, kernel, nameof(c), nameof(packed));
        KernelGuard.NoOverlap(c, x, kernel, nameof(c), nameof(x));
        KernelGuard.NoOverlap(c, h, kernel, nameof(c), nameof(h));
        KernelGuard.NoOverlap(c, scratch, kernel, nameof(c), nameof(scratch));
        throw new System.Diagnostics.UnreachableException($"{kernel}: the combined argument check failed but no single check did.");
    }
}
