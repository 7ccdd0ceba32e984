using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
                Transposed16(packed + layout.WHhTransposed, h, bHh, recurrent, rows, units);
                break;
            case 8:
                Transposed8(packed + layout.WHhTransposed, h, bHh, recurrent, rows, units);
                break;
            default:
                MatVecKernels.Forward<LinearOperator>(width, packed + layout.WHh, h, bHh, recurrent, rows, units);
                break;
        }
    }

    /// <summary>
    /// <see cref="SmallMatVec"/>'s 512-bit sums from W_hhᵀ: blocks of 16 rows (the last ending at the last row), 16
    /// accumulators, accumulator l the lane l of the row-major kernel.
    /// </summary>
    private static void Transposed16(float* wT, float* h, float* bias, float* y, int rows, int cols)
    {
        int whole = cols - (cols % 16);
        int first = 16 - (cols % 16);
        int r0 = 0;
        while (true)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            float* column = wT + r0;
            nint s = rows;
            for (int k = 0; k < whole; k += 16)
            {
                float* p = column + (k * s);
                float* hk = h + k;
                a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(p), Vector512.Create(hk[0]), a0);
                a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + s), Vector512.Create(hk[1]), a1);
                a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (2 * s)), Vector512.Create(hk[2]), a2);
                a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (3 * s)), Vector512.Create(hk[3]), a3);
                a4 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (4 * s)), Vector512.Create(hk[4]), a4);
                a5 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (5 * s)), Vector512.Create(hk[5]), a5);
                a6 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (6 * s)), Vector512.Create(hk[6]), a6);
                a7 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (7 * s)), Vector512.Create(hk[7]), a7);
                a8 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (8 * s)), Vector512.Create(hk[8]), a8);
                a9 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (9 * s)), Vector512.Create(hk[9]), a9);
                a10 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (10 * s)), Vector512.Create(hk[10]), a10);
                a11 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (11 * s)), Vector512.Create(hk[11]), a11);
                a12 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (12 * s)), Vector512.Create(hk[12]), a12);
                a13 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (13 * s)), Vector512.Create(hk[13]), a13);
                a14 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (14 * s)), Vector512.Create(hk[14]), a14);
                a15 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (15 * s)), Vector512.Create(hk[15]), a15);
            }

            if (whole != cols)
            {
                // Lane l of the row-major kernel's last vector is column cols − 16 + l; lanes below `first` were masked.
                int k0 = cols - 16;
                float* p = column + (k0 * s);
                float* hk = h + k0;
                if (first <= 1)
                {
                    a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + s), Vector512.Create(hk[1]), a1);
                }

                if (first <= 2)
                {
                    a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (2 * s)), Vector512.Create(hk[2]), a2);
                }

                if (first <= 3)
                {
                    a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (3 * s)), Vector512.Create(hk[3]), a3);
                }

                if (first <= 4)
                {
                    a4 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (4 * s)), Vector512.Create(hk[4]), a4);
                }

                if (first <= 5)
                {
                    a5 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (5 * s)), Vector512.Create(hk[5]), a5);
                }

                if (first <= 6)
                {
                    a6 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (6 * s)), Vector512.Create(hk[6]), a6);
                }

                if (first <= 7)
                {
                    a7 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (7 * s)), Vector512.Create(hk[7]), a7);
                }

                if (first <= 8)
                {
                    a8 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (8 * s)), Vector512.Create(hk[8]), a8);
                }

                if (first <= 9)
                {
                    a9 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (9 * s)), Vector512.Create(hk[9]), a9);
                }

                if (first <= 10)
                {
                    a10 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (10 * s)), Vector512.Create(hk[10]), a10);
                }

                if (first <= 11)
                {
                    a11 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (11 * s)), Vector512.Create(hk[11]), a11);
                }

                if (first <= 12)
                {
                    a12 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (12 * s)), Vector512.Create(hk[12]), a12);
                }

                if (first <= 13)
                {
                    a13 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (13 * s)), Vector512.Create(hk[13]), a13);
                }

                if (first <= 14)
                {
                    a14 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (14 * s)), Vector512.Create(hk[14]), a14);
                }

                a15 = Avx512F.FusedMultiplyAdd(Vector512.Load(p + (15 * s)), Vector512.Create(hk[15]), a15);
            }

            Vector512<float> sums = (((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + (((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15)));
            Vector512.Store(sums + Vector512.Load(bias + r0), y + r0);
            if (r0 == rows - 16)
            {
                break;
            }

            r0 = Math.Min(r0 + 16, rows - 16);
        }
    }

    /// <summary><see cref="SmallMatVec"/>'s 256-bit sums from W_hhᵀ, as <see cref="Transposed16"/> with 8 lanes.</summary>
    private static void Transposed8(float* wT, float* h, float* bias, float* y, int rows, int cols)
    {
        int whole = cols - (cols % 8);
        int first = 8 - (cols % 8);
        int r0 = 0;
        while (true)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            float* column = wT + r0;
            nint s = rows;
            for (int k = 0; k < whole; k += 8)
            {
                float* p = column + (k * s);
                float* hk = h + k;
                a0 = Simd256.MultiplyAdd(Vector256.Load(p), Vector256.Create(hk[0]), a0);
                a1 = Simd256.MultiplyAdd(Vector256.Load(p + s), Vector256.Create(hk[1]), a1);
                a2 = Simd256.MultiplyAdd(Vector256.Load(p + (2 * s)), Vector256.Create(hk[2]), a2);
                a3 = Simd256.MultiplyAdd(Vector256.Load(p + (3 * s)), Vector256.Create(hk[3]), a3);
                a4 = Simd256.MultiplyAdd(Vector256.Load(p + (4 * s)), Vector256.Create(hk[4]), a4);
                a5 = Simd256.MultiplyAdd(Vector256.Load(p + (5 * s)), Vector256.Create(hk[5]), a5);
                a6 = Simd256.MultiplyAdd(Vector256.Load(p + (6 * s)), Vector256.Create(hk[6]), a6);
                a7 = Simd256.MultiplyAdd(Vector256.Load(p + (7 * s)), Vector256.Create(hk[7]), a7);
            }

            if (whole != cols)
            {
                int k0 = cols - 8;
                float* p = column + (k0 * s);
                float* hk = h + k0;
                if (first <= 1)
                {
                    a1 = Simd256.MultiplyAdd(Vector256.Load(p + s), Vector256.Create(hk[1]), a1);
                }

                if (first <= 2)
                {
                    a2 = Simd256.MultiplyAdd(Vector256.Load(p + (2 * s)), Vector256.Create(hk[2]), a2);
                }

                if (first <= 3)
                {
                    a3 = Simd256.MultiplyAdd(Vector256.Load(p + (3 * s)), Vector256.Create(hk[3]), a3);
                }

                if (first <= 4)
                {
                    a4 = Simd256.MultiplyAdd(Vector256.Load(p + (4 * s)), Vector256.Create(hk[4]), a4);
                }

                if (first <= 5)
                {
                    a5 = Simd256.MultiplyAdd(Vector256.Load(p + (5 * s)), Vector256.Create(hk[5]), a5);
                }

                if (first <= 6)
                {
                    a6 = Simd256.MultiplyAdd(Vector256.Load(p + (6 * s)), Vector256.Create(hk[6]), a6);
                }

                a7 = Simd256.MultiplyAdd(Vector256.Load(p + (7 * s)), Vector256.Create(hk[7]), a7);
            }

            Vector256<float> sums = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
            Vector256.Store(sums + Vector256.Load(bias + r0), y + r0);
            if (r0 == rows - 8)
            {
                break;
            }

            r0 = Math.Min(r0 + 8, rows - 8);
        }
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
