using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace NnGen.Kernels;

/// <summary>
/// The streaming step over a layer's parameters packed once (a frozen network's form): the same bits as
/// <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
/// and <see cref="GruStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/>
/// at every width.
/// </summary>
/// <remarks>
/// Layout (floats; each part starts on a multiple of 16, so a 64-byte-aligned buffer has every part aligned): W_ihᵀ
/// (I × G·H), b_ih, b_hh, then W_hhᵀ (H × G·H) with its rows padded to a multiple of 16 floats when G·H is above 16 and
/// not a multiple of 16 (zeros in the padding). The padding lets every width run whole vectors over the rows, the last
/// one reaching into the padding; those lanes are written to the scratch past the gate rows and never read. Each gate
/// row is the same chain as in the unpacked step whichever vector holds it, so the packed step gives that step's bits.
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    /// <summary>Floats of a packed LSTM layer (<see cref="PackLstm"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>The length the packed buffer must have: W_ihᵀ, b_ih, b_hh and W_hhᵀ (rows padded to 16 floats where G·H is above 16 and not a multiple of 16), each part rounded up to 16 floats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmPackedLength(int inputs, int units) => PackedLength(LstmGateCount, inputs, units, "RecurrentKernels.LstmPackedLength");

    /// <summary>Floats of a packed GRU layer (<see cref="PackGru"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>The length the packed buffer must have: W_ihᵀ, b_ih, b_hh and W_hhᵀ (rows padded to 16 floats where G·H is above 16 and not a multiple of 16), each part rounded up to 16 floats.</returns>
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

    /// <summary>Packs an LSTM layer's parameters (W_ihᵀ and W_hhᵀ, gates i, f, g, o in PyTorch's order) for <see cref="LstmStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>.</summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
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

    /// <summary>Packs a GRU layer's parameters (W_ihᵀ and W_hhᵀ, gates r, z, n in PyTorch's order) for <see cref="GruStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/>.</summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
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

    /// <summary>
    /// One LSTM step for one example over a packed layer with its scratch on the stack (as frozen networks' <c>Step</c>
    /// runs it): the same bits as the overload with a scratch.
    /// </summary>
    /// <param name="packed">The layer, <see cref="LstmPackedLength"/>(I, H) floats from <see cref="PackLstm"/>.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="c">The cell state, H floats; becomes c'.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units) =>
        LstmStepPacked(packed, x, h, c, inputs, units, SimdWidth.Auto);

    /// <summary>
    /// One GRU step for one example over a packed layer with its scratch on the stack (as frozen networks' <c>Step</c>
    /// runs it): the same bits as the overload with a scratch.
    /// </summary>
    /// <param name="packed">The layer, <see cref="GruPackedLength"/>(I, H) floats from <see cref="PackGru"/>.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, int inputs, int units) =>
        GruStepPacked(packed, x, h, inputs, units, SimdWidth.Auto);

    internal static void LstmStepPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width) =>
        LstmStepPacked(packed, x, h, c, scratch, inputs, units, width, FusesStep(LstmGateCount, units));

    /// <summary>The packed step with its path chosen, as the unpacked one's (tests force each).</summary>
    internal static void LstmStepPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, SimdWidth width, bool fused)
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
            LstmStepCore(
                pp + layout.WIh, pp + layout.WHh, layout.WHhStride, pp + layout.BIh, pp + layout.BHh, px, ph, pc, ps, ps + rows,
                inputs, units, rows, layout.WHhStride, SimdWidths.Resolve(width), fused, default);
        }
    }

    /// <summary>The packed LSTM step with its scratch on the stack, uninitialized (as the unpacked one's).</summary>
    internal static void LstmStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units, SimdWidth width)
    {
        long gh = (long)LstmGateCount * units;
        var layout = new PackedLayout(LstmGateCount, inputs, units);
        fixed (float* pp = packed, px = x, ph = h, pc = c)
        {
            if (inputs < 0 || units < 0 || packed.Length != layout.Length || x.Length != inputs ||
                h.Length != units || c.Length != units || StepWritesOverlap(packed, packed, packed, packed, x, h, c, []))
            {
                ThrowStepPackedArguments(LstmGateCount, packed, x, h, c, inputs, units, "RecurrentKernels.LstmStepPacked");
            }

            int rows = (int)gh;
            bool fused = FusesStep(LstmGateCount, units);
            int length = StackScratch(rows, inputs, units, fused);
            float[]? rented = null;
            Span<float> buffer = length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
            fixed (float* ps = buffer)
            {
                LstmStepCore(
                    pp + layout.WIh, pp + layout.WHh, layout.WHhStride, pp + layout.BIh, pp + layout.BHh, px, ph, pc, ps, ps + rows,
                    inputs, units, rows, layout.WHhStride, SimdWidths.Resolve(width), fused, default);
            }

            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    internal static void GruStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width) =>
        GruStepPacked(packed, x, h, scratch, inputs, units, width, FusesStep(GruGateCount, units));

    /// <summary>The packed GRU step with its path chosen (tests force each).</summary>
    internal static void GruStepPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units, SimdWidth width, bool fused)
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
            GruStepCore(
                pp + layout.WIh, pp + layout.WHh, layout.WHhStride, pp + layout.BIh, pp + layout.BHh, px, ph, ps, ps + rows,
                inputs, units, rows, layout.WHhStride, SimdWidths.Resolve(width), fused, default);
        }
    }

    /// <summary>The packed GRU step with its scratch on the stack, uninitialized (as the unpacked one's).</summary>
    internal static void GruStepPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, int inputs, int units, SimdWidth width)
    {
        long gh = (long)GruGateCount * units;
        var layout = new PackedLayout(GruGateCount, inputs, units);
        fixed (float* pp = packed, px = x, ph = h)
        {
            if (inputs < 0 || units < 0 || packed.Length != layout.Length || x.Length != inputs ||
                h.Length != units || StepWritesOverlap(packed, packed, packed, packed, x, h, [], []))
            {
                ThrowStepPackedArguments(GruGateCount, packed, x, h, [], inputs, units, "RecurrentKernels.GruStepPacked");
            }

            int rows = (int)gh;
            bool fused = FusesStep(GruGateCount, units);
            int length = StackScratch(rows, inputs, units, fused);
            float[]? rented = null;
            Span<float> buffer = length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
            fixed (float* ps = buffer)
            {
                GruStepCore(
                    pp + layout.WIh, pp + layout.WHh, layout.WHhStride, pp + layout.BIh, pp + layout.BHh, px, ph, ps, ps + rows,
                    inputs, units, rows, layout.WHhStride, SimdWidths.Resolve(width), fused, default);
            }

            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Where each part of a packed layer starts, in floats, W_hhᵀ's row stride and the packed length.</summary>
    private readonly struct PackedLayout
    {
        public readonly long WIh;
        public readonly long BIh;
        public readonly long BHh;
        public readonly long WHh;
        public readonly int WHhStride;
        public readonly long Length;

        public PackedLayout(int gates, int inputs, int units)
        {
            long rows = (long)gates * units;
            WIh = 0;
            BIh = RoundUp(rows * inputs);
            BHh = RoundUp(BIh + rows);
            WHh = RoundUp(BHh + rows);

            // Padded only from 16 rows up: the scratch's recurrent half is followed by the G·H floats of the input half,
            // which the padded lanes may overwrite before the input product fills it (up to 15 floats past the rows).
            bool padded = rows > 16 && rows % 16 != 0;
            long stride = padded ? RoundUp(rows) : rows;
            WHhStride = stride <= int.MaxValue ? (int)stride : int.MaxValue;
            Length = WHh + (stride * units);
        }

        internal static long RoundUp(long floats) => (floats + 15) & ~15L;
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
        packed.Clear();
        weights.WIh.CopyTo(packed[(int)layout.WIh..]);
        weights.BIh.CopyTo(packed[(int)layout.BIh..]);
        weights.BHh.CopyTo(packed[(int)layout.BHh..]);
        int rows = weights.GateRows;
        for (int k = 0; k < weights.Units; k++)
        {
            weights.WHh.Slice(k * rows, rows).CopyTo(packed[(int)(layout.WHh + ((long)k * layout.WHhStride))..]);
        }
    }

    [DoesNotReturn]
    private static void ThrowPackedLength(int actual, long expected, int inputs, int units, string kernel, string lengthName) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{kernel}: packed has {actual} floats, expected {expected} ({lengthName}(inputs {inputs}, units {units}))."),
            "packed");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStepPackedArguments(
        int gates, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units, string kernel)
    {
        CheckStepPacked(gates, packed, x, h, c, inputs, units, kernel);
        throw new System.Diagnostics.UnreachableException($"{kernel}: the combined argument check failed but no single check did.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStepPackedArguments(
        int gates, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units, string kernel)
    {
        bool lstm = gates == LstmGateCount;
        CheckStepPacked(gates, packed, x, h, c, inputs, units, kernel);
        int scratchLength = Fit(2L * gates * units, kernel, nameof(units));
        KernelGuard.VectorLength(scratch.Length, scratchLength, kernel, nameof(scratch), lstm ? "RecurrentKernels.LstmStepPackedScratch(units)" : "RecurrentKernels.GruStepPackedScratch(units)");
        KernelGuard.NoOverlap(scratch, packed, kernel, nameof(scratch), nameof(packed));
        KernelGuard.NoOverlap(scratch, x, kernel, nameof(scratch), nameof(x));
        KernelGuard.NoOverlap(scratch, h, kernel, nameof(scratch), nameof(h));
        KernelGuard.NoOverlap(c, scratch, kernel, nameof(c), nameof(scratch));
        throw new System.Diagnostics.UnreachableException($"{kernel}: the combined argument check failed but no single check did.");
    }

    /// <summary>The checks of a packed step but its scratch's: the sizes, the lengths, and the written buffers against the others.</summary>
    private static void CheckStepPacked(int gates, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units, string kernel)
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

        KernelGuard.NoOverlap(h, packed, kernel, nameof(h), nameof(packed));
        KernelGuard.NoOverlap(h, x, kernel, nameof(h), nameof(x));
        KernelGuard.NoOverlap(c, packed, kernel, nameof(c), nameof(packed));
        KernelGuard.NoOverlap(c, x, kernel, nameof(c), nameof(x));
        KernelGuard.NoOverlap(c, h, kernel, nameof(c), nameof(h));
    }
}
