using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// A recurrent layer and the linear Dense readout after it, streamed together (an amp model's
/// <c>[Lstm(32)] [Dense(1, Activation.Linear)]</c>): for each of a block of time steps, the layer's step and
/// y = W·h' + b, in one call. The readout's products start as each vector of h' leaves the cell, in registers, rather
/// than in a separate matrix-vector product over h read back from the state; the argument checks, the stack scratch and
/// the width run once per call, not once per step.
/// </summary>
/// <remarks>
/// <para>
/// Two layouts. The network's (<see cref="LstmDenseSteps(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>):
/// the tensors as a generated network's parameter buffer holds them, contiguous: W_ihᵀ (I × G·H), W_hhᵀ (H × G·H), b_ih,
/// b_hh (G·H each), then the readout's W (O × H, row-major, as a Dense layer stores it) and b (O). The packed one
/// (<see cref="PackLstmDense"/>): the layer as <see cref="PackLstm"/> packs it, then W with its rows padded to multiples of
/// 16 floats and b, each part starting on a multiple of 16 floats. The state is h (and c after it), as a network's
/// <c>State</c> holds a layer's.
/// </para>
/// <para>
/// The readout's summation order, the same at every width, fused step or general, packed or not: sixteen partial sums
/// per output, lane l summing W[o, j]·h'[j] over the units j ≡ l (mod 16) in order of j, each a chain of fused
/// multiply-adds from zero; then s_l + s_{l+8} (l &lt; 8), then t_l + t_{l+4} (l &lt; 4), then u_l + u_{l+2} (l &lt; 2),
/// then v_0 + v_1, and b[o] added last. The sixteen lanes are one 512-bit vector, two 256-bit or four 128-bit ones, or
/// one lane at a time, as the step's cells take the units. This is not <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>'s
/// order (which depends on the width), so a network stepped here agrees with the layer's step followed by MatVec to
/// rounding, not to the bit.
/// </para>
/// </remarks>
public static unsafe partial class RecurrentKernels
{
    /// <summary>Floats of an LSTM layer with its Dense readout, packed (<see cref="PackLstmDense"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O, the readout's outputs.</param>
    /// <returns>The length the packed buffer must have: <see cref="LstmPackedLength"/>(I, H) rounded up to 16 floats, O rows of W padded to 16 floats, and b.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmDensePackedLength(int inputs, int units, int outputs) =>
        DensePackedLength(LstmGateCount, inputs, units, outputs, "RecurrentKernels.LstmDensePackedLength");

    /// <summary>Floats of a GRU layer with its Dense readout, packed (<see cref="PackGruDense"/>).</summary>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O, the readout's outputs.</param>
    /// <returns>The length the packed buffer must have: <see cref="GruPackedLength"/>(I, H) rounded up to 16 floats, O rows of W padded to 16 floats, and b.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int GruDensePackedLength(int inputs, int units, int outputs) =>
        DensePackedLength(GruGateCount, inputs, units, outputs, "RecurrentKernels.GruDensePackedLength");

    /// <summary>Packs an LSTM layer and its Dense readout for <see cref="LstmDenseStepsPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>.</summary>
    /// <param name="parameters">The layer and the readout in the network's layout: W_ihᵀ, W_hhᵀ, b_ih, b_hh, W (O × H), b (O); 4H·(I + H + 2) + O·(H + 1) floats.</param>
    /// <param name="packed"><see cref="LstmDensePackedLength"/>(I, H, O) floats, overwritten (the padding with zeros).</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or <paramref name="packed"/> overlaps <paramref name="parameters"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void PackLstmDense(ReadOnlySpan<float> parameters, Span<float> packed, int inputs, int units, int outputs) =>
        PackDense(LstmGateCount, parameters, packed, inputs, units, outputs, "RecurrentKernels.PackLstmDense", "RecurrentKernels.LstmDensePackedLength");

    /// <summary>Packs a GRU layer and its Dense readout for <see cref="GruDenseStepsPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>.</summary>
    /// <param name="parameters">The layer and the readout in the network's layout: W_ihᵀ, W_hhᵀ, b_ih, b_hh, W (O × H), b (O); 3H·(I + H + 2) + O·(H + 1) floats.</param>
    /// <param name="packed"><see cref="GruDensePackedLength"/>(I, H, O) floats, overwritten (the padding with zeros).</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or <paramref name="packed"/> overlaps <paramref name="parameters"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void PackGruDense(ReadOnlySpan<float> parameters, Span<float> packed, int inputs, int units, int outputs) =>
        PackDense(GruGateCount, parameters, packed, inputs, units, outputs, "RecurrentKernels.PackGruDense", "RecurrentKernels.GruDensePackedLength");

    /// <summary>
    /// T time steps of one stream through an LSTM layer and its linear Dense readout: for each step t, the layer's step
    /// on x[t] (h and c in <paramref name="state"/> read and overwritten), then y[t] = W·h' + b.
    /// </summary>
    /// <param name="parameters">The layer and the readout in the network's layout: W_ihᵀ, W_hhᵀ, b_ih, b_hh, W (O × H), b (O); 4H·(I + H + 2) + O·(H + 1) floats.</param>
    /// <param name="x">The steps' inputs, T × I row-major.</param>
    /// <param name="state">h then c, 2H floats; left as the state after the last step.</param>
    /// <param name="y">Receives the steps' outputs, T × O row-major.</param>
    /// <param name="steps">T.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmDenseSteps(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs) =>
        LstmDenseSteps(parameters, x, state, y, steps, inputs, units, outputs, SimdWidth.Auto);

    /// <summary>
    /// T time steps of one stream through a GRU layer and its linear Dense readout: for each step t, the layer's step
    /// on x[t] (h in <paramref name="state"/> read and overwritten), then y[t] = W·h' + b.
    /// </summary>
    /// <param name="parameters">The layer and the readout in the network's layout: W_ihᵀ, W_hhᵀ, b_ih, b_hh, W (O × H), b (O); 3H·(I + H + 2) + O·(H + 1) floats.</param>
    /// <param name="x">The steps' inputs, T × I row-major.</param>
    /// <param name="state">h, H floats; left as the state after the last step.</param>
    /// <param name="y">Receives the steps' outputs, T × O row-major.</param>
    /// <param name="steps">T.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruDenseSteps(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs) =>
        GruDenseSteps(parameters, x, state, y, steps, inputs, units, outputs, SimdWidth.Auto);

    /// <summary>
    /// <see cref="LstmDenseSteps(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>
    /// over the layer and readout packed by <see cref="PackLstmDense"/>: the same bits.
    /// </summary>
    /// <param name="packed"><see cref="LstmDensePackedLength"/>(I, H, O) floats from <see cref="PackLstmDense"/>.</param>
    /// <param name="x">The steps' inputs, T × I row-major.</param>
    /// <param name="state">h then c, 2H floats; left as the state after the last step.</param>
    /// <param name="y">Receives the steps' outputs, T × O row-major.</param>
    /// <param name="steps">T.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmDenseStepsPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs) =>
        LstmDenseStepsPacked(packed, x, state, y, steps, inputs, units, outputs, SimdWidth.Auto);

    /// <summary>
    /// <see cref="GruDenseSteps(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>
    /// over the layer and readout packed by <see cref="PackGruDense"/>: the same bits.
    /// </summary>
    /// <param name="packed"><see cref="GruDensePackedLength"/>(I, H, O) floats from <see cref="PackGruDense"/>.</param>
    /// <param name="x">The steps' inputs, T × I row-major.</param>
    /// <param name="state">h, H floats; left as the state after the last step.</param>
    /// <param name="y">Receives the steps' outputs, T × O row-major.</param>
    /// <param name="steps">T.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="outputs">O.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruDenseStepsPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs) =>
        GruDenseStepsPacked(packed, x, state, y, steps, inputs, units, outputs, SimdWidth.Auto);

    /// <summary>
    /// One step of one stream through an LSTM layer of one input and its linear Dense readout of one output: what
    /// <see cref="LstmDenseSteps(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>
    /// gives for one step, bit for bit, for a per-sample call: the sample comes in and goes out by value, so only the
    /// parameters and the state are checked.
    /// </summary>
    /// <param name="parameters">The layer and the readout in the network's layout (I = O = 1): 4H·(H + 3) + H + 1 floats.</param>
    /// <param name="x">The step's input.</param>
    /// <param name="state">h then c, 2H floats; read and overwritten.</param>
    /// <param name="units">H.</param>
    /// <returns>The step's output, W·h' + b.</returns>
    /// <exception cref="ArgumentException">A length does not match <paramref name="units"/>, or the state overlaps the parameters; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative.</exception>
    public static float LstmDenseStep(ReadOnlySpan<float> parameters, float x, Span<float> state, int units) =>
        LstmDenseStep(parameters, x, state, units, SimdWidth.Auto);

    /// <summary>One step of a GRU layer of one input and its linear Dense readout of one output, as <see cref="LstmDenseStep(ReadOnlySpan{float}, float, Span{float}, int)"/>.</summary>
    /// <param name="parameters">The layer and the readout in the network's layout (I = O = 1): 3H·(H + 3) + H + 1 floats.</param>
    /// <param name="x">The step's input.</param>
    /// <param name="state">h, H floats; read and overwritten.</param>
    /// <param name="units">H.</param>
    /// <returns>The step's output, W·h' + b.</returns>
    /// <exception cref="ArgumentException">A length does not match <paramref name="units"/>, or the state overlaps the parameters; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative.</exception>
    public static float GruDenseStep(ReadOnlySpan<float> parameters, float x, Span<float> state, int units) =>
        GruDenseStep(parameters, x, state, units, SimdWidth.Auto);

    /// <summary><see cref="LstmDenseStep(ReadOnlySpan{float}, float, Span{float}, int)"/> over the layer and readout packed by <see cref="PackLstmDense"/> (I = O = 1): the same bits.</summary>
    /// <param name="packed"><see cref="LstmDensePackedLength"/>(1, H, 1) floats from <see cref="PackLstmDense"/>.</param>
    /// <param name="x">The step's input.</param>
    /// <param name="state">h then c, 2H floats; read and overwritten.</param>
    /// <param name="units">H.</param>
    /// <returns>The step's output, W·h' + b.</returns>
    /// <exception cref="ArgumentException">A length does not match <paramref name="units"/>, or the state overlaps the packed buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative.</exception>
    public static float LstmDenseStepPacked(ReadOnlySpan<float> packed, float x, Span<float> state, int units) =>
        LstmDenseStepPacked(packed, x, state, units, SimdWidth.Auto);

    /// <summary><see cref="GruDenseStep(ReadOnlySpan{float}, float, Span{float}, int)"/> over the layer and readout packed by <see cref="PackGruDense"/> (I = O = 1): the same bits.</summary>
    /// <param name="packed"><see cref="GruDensePackedLength"/>(1, H, 1) floats from <see cref="PackGruDense"/>.</param>
    /// <param name="x">The step's input.</param>
    /// <param name="state">h, H floats; read and overwritten.</param>
    /// <param name="units">H.</param>
    /// <returns>The step's output, W·h' + b.</returns>
    /// <exception cref="ArgumentException">A length does not match <paramref name="units"/>, or the state overlaps the packed buffer; nothing is written then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative.</exception>
    public static float GruDenseStepPacked(ReadOnlySpan<float> packed, float x, Span<float> state, int units) =>
        GruDenseStepPacked(packed, x, state, units, SimdWidth.Auto);

    internal static float LstmDenseStep(ReadOnlySpan<float> parameters, float x, Span<float> state, int units, SimdWidth width) =>
        DenseStep(LstmGateCount, DenseLayout.Network(LstmGateCount, 1, units, 1), parameters, x, state, units, width, "RecurrentKernels.LstmDenseStep", false);

    internal static float GruDenseStep(ReadOnlySpan<float> parameters, float x, Span<float> state, int units, SimdWidth width) =>
        DenseStep(GruGateCount, DenseLayout.Network(GruGateCount, 1, units, 1), parameters, x, state, units, width, "RecurrentKernels.GruDenseStep", false);

    internal static float LstmDenseStepPacked(ReadOnlySpan<float> packed, float x, Span<float> state, int units, SimdWidth width) =>
        DenseStep(LstmGateCount, DenseLayout.Packed(LstmGateCount, 1, units, 1), packed, x, state, units, width, "RecurrentKernels.LstmDenseStepPacked", true);

    internal static float GruDenseStepPacked(ReadOnlySpan<float> packed, float x, Span<float> state, int units, SimdWidth width) =>
        DenseStep(GruGateCount, DenseLayout.Packed(GruGateCount, 1, units, 1), packed, x, state, units, width, "RecurrentKernels.GruDenseStepPacked", true);

    internal static void LstmDenseSteps(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs, SimdWidth width) =>
        DenseSteps(LstmGateCount, DenseLayout.Network(LstmGateCount, inputs, units, outputs), parameters, x, state, y, steps, inputs, units, outputs, width, "RecurrentKernels.LstmDenseSteps", false);

    internal static void GruDenseSteps(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs, SimdWidth width) =>
        DenseSteps(GruGateCount, DenseLayout.Network(GruGateCount, inputs, units, outputs), parameters, x, state, y, steps, inputs, units, outputs, width, "RecurrentKernels.GruDenseSteps", false);

    internal static void LstmDenseStepsPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs, SimdWidth width) =>
        DenseSteps(LstmGateCount, DenseLayout.Packed(LstmGateCount, inputs, units, outputs), packed, x, state, y, steps, inputs, units, outputs, width, "RecurrentKernels.LstmDenseStepsPacked", true);

    internal static void GruDenseStepsPacked(
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> state, Span<float> y, int steps, int inputs, int units, int outputs, SimdWidth width) =>
        DenseSteps(GruGateCount, DenseLayout.Packed(GruGateCount, inputs, units, outputs), packed, x, state, y, steps, inputs, units, outputs, width, "RecurrentKernels.GruDenseStepsPacked", true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DenseSteps(
        int gates, in DenseLayout layout, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y,
        int steps, int inputs, int units, int outputs, SimdWidth width, string kernel, bool packed)
    {
        // One combined test, as the step's; the precise message only when it fails.
        fixed (float* pp = parameters, px = x, ps = state, py = y)
        {
            if (steps < 0 || inputs < 0 || units < 0 || outputs < 0 || parameters.Length != layout.Length || x.Length != (long)steps * inputs ||
                y.Length != (long)steps * outputs || state.Length != (gates == LstmGateCount ? 2L : 1L) * units || DenseWritesOverlap(pp, parameters.Length, px, x.Length, ps, state.Length, py, y.Length))
            {
                ThrowDenseStepsArguments(gates, layout.Length, parameters, x, state, y, steps, inputs, units, outputs, kernel, packed);
            }

            if (steps == 0)
            {
                return;
            }

            RunDenseSteps(gates, layout, pp, px, ps, py, steps, inputs, units, outputs, SimdWidths.Resolve(width));
        }
    }

    /// <summary>
    /// <see cref="DenseSteps"/> for one step of one input and one output, the sample and the output by value: the state
    /// against the parameters is the one overlap left to check. A step's dependency chain keeps the reorder buffer from
    /// reaching far past it, so every instruction a per-sample call runs before its step's first load of h delays it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DenseStep(int gates, in DenseLayout layout, ReadOnlySpan<float> parameters, float x, Span<float> state, int units, SimdWidth width, string kernel, bool packed)
    {
        float y = 0f;
        fixed (float* pp = parameters, ps = state)
        {
            if (units < 0 || parameters.Length != layout.Length || state.Length != (gates == LstmGateCount ? 2L : 1L) * units || Overlap(ps, state.Length, pp, parameters.Length))
            {
                ThrowDenseStepsArguments(gates, layout.Length, parameters, new ReadOnlySpan<float>(&x, 1), state, new Span<float>(&y, 1), 1, 1, units, 1, kernel, packed);
            }

            RunDenseSteps(gates, layout, pp, &x, ps, &y, 1, 1, units, 1, SimdWidths.Resolve(width));
        }

        return y;
    }

    /// <summary>The steps once the arguments are known good: the direct path for a one-input layer whose units are one block, the general one otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunDenseSteps(int gates, in DenseLayout layout, float* pp, float* px, float* ps, float* py, int steps, int inputs, int units, int outputs, SimdWidth resolved)
    {
        bool direct = inputs == 1 && FusesStep(gates, units) && IsOneBlock(units, resolved);
        if (gates == LstmGateCount)
        {
            if (direct)
            {
                LstmDirectRun(pp, layout, px, ps, py, steps, units, outputs, resolved);
            }
            else
            {
                LstmDenseRun(pp, layout, px, ps, py, steps, inputs, units, outputs, resolved);
            }
        }
        else if (direct)
        {
            GruDirectRun(pp, layout, px, ps, py, steps, units, outputs, resolved);
        }
        else
        {
            GruDenseRun(pp, layout, px, ps, py, steps, inputs, units, outputs, resolved);
        }
    }

    /// <summary>
    /// The LSTM steps of a layer with one input whose units the fused cell takes in one call (<see cref="IsOneBlock"/>):
    /// no scratch at all, h' written over h and the readout's sums reduced in registers. A method of its own, so a
    /// one-sample call sets up only what this path uses, compiled fully optimized at once: with tiered profile data the
    /// first network to run set the code's layout for every shape (after GRU 8's, LSTM 32's Step and Process ran 20–25 %
    /// slower on Zen 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmDirectRun(float* parameters, in DenseLayout layout, float* x, float* state, float* y, int steps, int units, int outputs, SimdWidth width)
    {
        int rows = LstmGateCount * units;
        var readout = Readout.Over(null, parameters + layout.WOut, layout.WOutStride, parameters + layout.BOut, outputs, units, true);
        float* wIh = parameters + layout.WIh, wHh = parameters + layout.WHh, bIh = parameters + layout.BIh, bHh = parameters + layout.BHh;
        float* h = state, c = state + units;
        for (int t = 0; t < steps; t++, x++, y += outputs)
        {
            LstmStepCore(wIh, wHh, layout.WHhStride, bIh, bHh, x, h, c, null, null, 1, units, rows, layout.WHhStride, width, true, readout.Into(y));
        }
    }

    /// <summary>The GRU steps of a layer with one input whose units are one block, as <see cref="LstmDirectRun"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruDirectRun(float* parameters, in DenseLayout layout, float* x, float* state, float* y, int steps, int units, int outputs, SimdWidth width)
    {
        int rows = GruGateCount * units;
        var readout = Readout.Over(null, parameters + layout.WOut, layout.WOutStride, parameters + layout.BOut, outputs, units, true);
        float* wIh = parameters + layout.WIh, wHh = parameters + layout.WHh, bIh = parameters + layout.BIh, bHh = parameters + layout.BHh;
        for (int t = 0; t < steps; t++, x++, y += outputs)
        {
            GruStepCore(wIh, wHh, layout.WHhStride, bIh, bHh, x, state, null, null, 1, units, rows, layout.WHhStride, width, true, readout.Into(y));
        }
    }

    /// <summary>The LSTM steps once the arguments are known good: the width, the path and the scratch taken once for all steps.</summary>
    private static void LstmDenseRun(float* parameters, in DenseLayout layout, float* x, float* state, float* y, int steps, int inputs, int units, int outputs, SimdWidth width)
    {
        int rows = LstmGateCount * units;
        bool fused = FusesStep(LstmGateCount, units);
        int work = NeedsScratch(fused, inputs, units, width) ? StackScratch(rows, inputs, units, fused) : 0;
        int length = Fit(Readout.Floats(outputs) + work, "RecurrentKernels.LstmDenseSteps", nameof(outputs));
        Unsafe.SkipInit(out ScratchBlock block);
        float[]? rented = null;
        Span<float> buffer = length <= ScratchBlock.Floats ? block : length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
        fixed (float* pb = buffer)
        {
            var readout = Readout.Over(pb, parameters + layout.WOut, layout.WOutStride, parameters + layout.BOut, outputs, units, fused && IsOneBlock(units, width));
            float* scratch = readout.End;
            float* wIh = parameters + layout.WIh, wHh = parameters + layout.WHh, bIh = parameters + layout.BIh, bHh = parameters + layout.BHh;
            float* h = state, c = state + units;
            for (int t = 0; t < steps; t++, x += inputs, y += outputs)
            {
                LstmStepCore(wIh, wHh, layout.WHhStride, bIh, bHh, x, h, c, scratch, scratch + rows, inputs, units, rows, layout.WHhStride, width, fused, readout.Into(y));
                readout.Finish(y, width);
            }
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>The GRU steps once the arguments are known good, as <see cref="LstmDenseRun"/>.</summary>
    private static void GruDenseRun(float* parameters, in DenseLayout layout, float* x, float* state, float* y, int steps, int inputs, int units, int outputs, SimdWidth width)
    {
        int rows = GruGateCount * units;
        bool fused = FusesStep(GruGateCount, units);
        int work = NeedsScratch(fused, inputs, units, width) ? StackScratch(rows, inputs, units, fused) : 0;
        int length = Fit(Readout.Floats(outputs) + work, "RecurrentKernels.GruDenseSteps", nameof(outputs));
        Unsafe.SkipInit(out ScratchBlock block);
        float[]? rented = null;
        Span<float> buffer = length <= ScratchBlock.Floats ? block : length <= StackScratchFloats ? stackalloc float[length] : (rented = ArrayPool<float>.Shared.Rent(length));
        fixed (float* pb = buffer)
        {
            var readout = Readout.Over(pb, parameters + layout.WOut, layout.WOutStride, parameters + layout.BOut, outputs, units, fused && IsOneBlock(units, width));
            float* scratch = readout.End;
            float* wIh = parameters + layout.WIh, wHh = parameters + layout.WHh, bIh = parameters + layout.BIh, bHh = parameters + layout.BHh;
            for (int t = 0; t < steps; t++, x += inputs, y += outputs)
            {
                GruStepCore(wIh, wHh, layout.WHhStride, bIh, bHh, x, state, scratch, scratch + rows, inputs, units, rows, layout.WHhStride, width, fused, readout.Into(y));
                readout.Finish(y, width);
            }
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Whether the step uses its scratch: not a fused layer of one input whose units are one block (h' goes straight over h).</summary>
    private static bool NeedsScratch(bool fused, int inputs, int units, SimdWidth width) => !fused || inputs != 1 || !IsOneBlock(units, width);

    /// <summary>
    /// The readout's sixteen partial sums per output, in the order the remarks above give: each vector (or lane) of h'
    /// adds W[o, j..]·h'[j..] to the lanes j mod 16 of output o's sums as the cell produces it. When the cell takes all
    /// units in one call (<see cref="IsOneBlock"/>), the sums never leave the registers: that call reduces them and
    /// writes y. Empty (no outputs) for a step without a readout, where every call does nothing.
    /// </summary>
    private readonly struct Readout
    {
        /// <summary>Partial sums per output: the lanes of one 512-bit vector.</summary>
        public const int Lanes = 16;

        private readonly float* _weights;
        private readonly float* _sums;
        private readonly float* _bias;
        private readonly float* _y;
        private readonly int _stride;
        private readonly int _outputs;
        private readonly int _units;
        private readonly bool _direct;

        private Readout(float* weights, int stride, float* sums, float* bias, float* y, int outputs, int units, bool direct)
        {
            _weights = weights;
            _stride = stride;
            _sums = sums;
            _bias = bias;
            _y = y;
            _outputs = outputs;
            _units = units;
            _direct = direct;
        }

        /// <summary>Where the sums end in the buffer <see cref="Over"/> took them from: the step's scratch starts there, 64-byte aligned.</summary>
        public float* End => _sums + ((long)Lanes * _outputs);

        /// <summary>Floats a buffer needs for the sums of <paramref name="outputs"/> outputs, aligned to 64 bytes inside it.</summary>
        public static long Floats(int outputs) => ((long)Lanes * outputs) + Lanes;

        /// <summary>
        /// The sums at the first 64-byte boundary of <paramref name="buffer"/>, uninitialized: every lane a unit reaches is
        /// written by its first unit (j &lt; 16) before it is read, and the reduction takes the others (from H on, when
        /// H &lt; 16) as zero without reading them. <paramref name="direct"/>: the cell takes the units in one call.
        /// </summary>
        public static Readout Over(float* buffer, float* weights, int stride, float* bias, int outputs, int units, bool direct) =>
            new(weights, stride, (float*)(((nint)buffer + 63) & ~(nint)63), bias, null, outputs, units, direct);

        /// <summary>This readout writing its outputs to <paramref name="y"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Readout Into(float* y) => new(_weights, _stride, _sums, _bias, y, _outputs, _units, _direct);

        /// <summary>h'[j..j + lanes) into every output's sums; in one call, straight to y.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add<TSimd, TVec, TLanes>(int j, TVec hNext)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            float* row = _weights + j, sums = _sums + (j & (Lanes - 1));
            for (int o = 0; o < _outputs; o++, row += _stride, sums += Lanes)
            {
                if (_direct)
                {
                    _y[o] = Total(Quarter(TSimd.MultiplyAdd(TLanes.Load(row), hNext, TSimd.Zero), TLanes.Count), o);
                    continue;
                }

                // The first unit of a lane starts its chain from zero rather than from memory, so no per-step clear.
                TVec start = j < Lanes ? TSimd.Zero : TLanes.Load(sums);
                TLanes.Store(TSimd.MultiplyAdd(TLanes.Load(row), hNext, start), sums);
            }
        }

        /// <summary>
        /// The two vectors of a fused pair, units [j, j + 2·TSimd.Count): at 512 bits they share the lanes, so both
        /// multiply-adds chain in a register with one load and one store of the sums (none in one call).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddPair<TSimd, TVec>(int j, TVec first, TVec second)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            if (TSimd.Count != Lanes && !_direct)
            {
                Add<TSimd, TVec, Whole<TSimd, TVec>>(j, first);
                Add<TSimd, TVec, Whole<TSimd, TVec>>(j + TSimd.Count, second);
                return;
            }

            float* row = _weights + j, sums = _sums;
            for (int o = 0; o < _outputs; o++, row += _stride, sums += Lanes)
            {
                if (_direct)
                {
                    // One pair is all the units (j = 0): at 512 bits both vectors are lanes 0-15; at 256 the first is lanes 0-7, the second 8-15.
                    TVec low = TSimd.MultiplyAdd(TSimd.Load(row), first, TSimd.Zero);
                    Vector128<float> quarter = TSimd.Count == Lanes
                        ? Quarter(TSimd.MultiplyAdd(TSimd.Load(row + TSimd.Count), second, low), Lanes)
                        : Quarter(TSimd.Add(low, TSimd.MultiplyAdd(TSimd.Load(row + TSimd.Count), second, TSimd.Zero)), Lanes);
                    _y[o] = Total(quarter, o);
                    continue;
                }

                TVec start = j < Lanes ? TSimd.Zero : TSimd.Load(sums);
                TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(row + Lanes), second, TSimd.MultiplyAdd(TSimd.Load(row), first, start)), sums);
            }
        }

        /// <summary>
        /// y[o] from the sums the cells stored, unless the cell already wrote it. Loaded no wider than the cells stored
        /// them (a load wider than the store it reads waits for that store to reach the cache rather than taking its
        /// value straight from it); every load width adds the same pairs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Finish(float* y, SimdWidth width)
        {
            if (_direct)
            {
                return;
            }

            float* sums = _sums;
            for (int o = 0; o < _outputs; o++, sums += Lanes)
            {
                Vector128<float> quarter;
                if (_units < Lanes)
                {
                    quarter = (Group(sums, 0) + Group(sums, 8)) + (Group(sums, 4) + Group(sums, 12));
                }
                else if (width >= SimdWidth.V512)
                {
                    Vector512<float> all = Vector512.Load(sums);
                    Vector256<float> eighth = all.GetLower() + all.GetUpper();
                    quarter = eighth.GetLower() + eighth.GetUpper();
                }
                else if (width >= SimdWidth.V256)
                {
                    Vector256<float> eighth = Vector256.Load(sums) + Vector256.Load(sums + 8);
                    quarter = eighth.GetLower() + eighth.GetUpper();
                }
                else
                {
                    quarter = (Vector128.Load(sums) + Vector128.Load(sums + 8)) + (Vector128.Load(sums + 4) + Vector128.Load(sums + 12));
                }

                y[o] = Total(quarter, o);
            }
        }

        /// <summary>The last steps of the tree, (u_l + u_{l+2}) then v_0 + v_1, and b[o] added last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Total(Vector128<float> quarter, int o)
        {
            Vector128<float> half = quarter + Vector128.Shuffle(quarter, Vector128.Create(2, 3, 0, 1));
            return (half.ToScalar() + half.GetElement(1)) + _bias[o];
        }

        /// <summary>
        /// The first steps of the tree, (s_l + s_{l+8}) then (t_l + t_{l+4}), over the sixteen lanes of which the first
        /// <paramref name="count"/> are <paramref name="sums"/>' and the others zero: added as zeros, as <see cref="Group"/> gives them.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Quarter<TVec>(TVec sums, int count)
            where TVec : struct
        {
            if (typeof(TVec) == typeof(Vector512<float>))
            {
                Vector512<float> all = (Vector512<float>)(object)sums;
                Vector256<float> eighth = all.GetLower() + all.GetUpper();
                return eighth.GetLower() + eighth.GetUpper();
            }

            Vector128<float> zero = Vector128<float>.Zero;
            if (typeof(TVec) == typeof(Vector256<float>))
            {
                Vector256<float> all = (Vector256<float>)(object)sums;
                return count == Lanes
                    ? all.GetLower() + all.GetUpper()
                    : (all.GetLower() + zero) + (all.GetUpper() + zero);
            }

            Vector128<float> lanes = (Vector128<float>)(object)sums;
            return (count == 1 ? Vector128.CreateScalar(lanes.ToScalar()) : lanes) + zero + (zero + zero);
        }

        /// <summary>Lanes [first, first + 4) of one output's sums, those from H on as zero (they were never written).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<float> Group(float* sums, int first)
        {
            if (first >= _units)
            {
                return Vector128<float>.Zero;
            }

            Vector128<float> lanes = Vector128.Load(sums + first);
            return first + 4 <= _units
                ? lanes
                : Vector128.ConditionalSelect(Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(_units - first)).AsSingle(), lanes, Vector128<float>.Zero);
        }
    }

    /// <summary>
    /// The scratch of the steps that need few floats (every fused layer with one input, and the general step up to a few
    /// hundred gate rows), a fixed block in the frame: a per-call <c>stackalloc</c> of a variable length probes the stack
    /// in a loop, which a one-sample call pays every time.
    /// </summary>
    [InlineArray(Floats)]
    private struct ScratchBlock
    {
        public const int Floats = 1024;

        private float _element0;
    }

    /// <summary>
    /// Whether state or y overlaps an operand, or each other: each pair decided as
    /// <see cref="MemoryExtensions.Overlaps{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> decides it (empty spans overlap
    /// nothing), without a call per pair. The caller has every span pinned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DenseWritesOverlap(float* parameters, int parameterFloats, float* x, int xFloats, float* state, int stateFloats, float* y, int yFloats) =>
        Overlap(state, stateFloats, parameters, parameterFloats) | Overlap(state, stateFloats, x, xFloats) |
        Overlap(y, yFloats, parameters, parameterFloats) | Overlap(y, yFloats, x, xFloats) | Overlap(y, yFloats, state, stateFloats);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Overlap(float* a, int aFloats, float* b, int bFloats)
    {
        ulong aBytes = (ulong)(uint)aFloats * sizeof(float), bBytes = (ulong)(uint)bFloats * sizeof(float);
        return (aFloats != 0) & (bFloats != 0) & (((ulong)b - (ulong)a < aBytes) | ((ulong)a - (ulong)b < bBytes));
    }

    /// <summary>Where each part of a layer with its readout starts, in floats, the row strides of W_hhᵀ and W, and the length.</summary>
    private readonly struct DenseLayout
    {
        public readonly long WIh;
        public readonly long WHh;
        public readonly long BIh;
        public readonly long BHh;
        public readonly int WHhStride;
        public readonly long WOut;
        public readonly int WOutStride;
        public readonly long BOut;
        public readonly long Length;

        private DenseLayout(long wIh, long wHh, long bIh, long bHh, int wHhStride, long wOut, int wOutStride, long bOut, long length)
        {
            WIh = wIh;
            WHh = wHh;
            BIh = bIh;
            BHh = bHh;
            WHhStride = wHhStride;
            WOut = wOut;
            WOutStride = wOutStride;
            BOut = bOut;
            Length = length;
        }

        /// <summary>The network's layout: the tensors contiguous in parameter order, W_hhᵀ and W unpadded.</summary>
        public static DenseLayout Network(int gates, int inputs, int units, int outputs)
        {
            long rows = (long)gates * units;
            long wHh = rows * inputs;
            long bIh = wHh + (rows * units);
            long bHh = bIh + rows;
            long wOut = bHh + rows;
            long bOut = wOut + ((long)outputs * units);
            return new DenseLayout(0, wHh, bIh, bHh, Clamp(rows), wOut, units, bOut, bOut + outputs);
        }

        /// <summary>The packed layout: <see cref="PackedLayout"/>'s, then W's rows and b, each on a multiple of 16 floats.</summary>
        public static DenseLayout Packed(int gates, int inputs, int units, int outputs)
        {
            var layer = new PackedLayout(gates, inputs, units);
            long stride = PackedLayout.RoundUp(units);
            long wOut = PackedLayout.RoundUp(layer.Length);
            long bOut = wOut + ((long)outputs * stride);
            return new DenseLayout(layer.WIh, layer.WHh, layer.BIh, layer.BHh, layer.WHhStride, wOut, Clamp(stride), bOut, bOut + outputs);
        }

        /// <summary>Only the length matters for sizes a span cannot hold, and that check fails first.</summary>
        private static int Clamp(long floats) => (int)Math.Clamp(floats, 0, int.MaxValue);
    }

    private static int DensePackedLength(int gates, int inputs, int units, int outputs, string function)
    {
        KernelGuard.NonNegative(inputs, function, nameof(inputs));
        KernelGuard.NonNegative(units, function, nameof(units));
        KernelGuard.NonNegative(outputs, function, nameof(outputs));
        return Fit(DenseLayout.Packed(gates, inputs, units, outputs).Length, function, nameof(units));
    }

    private static void PackDense(int gates, ReadOnlySpan<float> parameters, Span<float> packed, int inputs, int units, int outputs, string kernel, string lengthName)
    {
        KernelGuard.NonNegative(inputs, kernel, nameof(inputs));
        KernelGuard.NonNegative(units, kernel, nameof(units));
        KernelGuard.NonNegative(outputs, kernel, nameof(outputs));
        var network = DenseLayout.Network(gates, inputs, units, outputs);
        var layout = DenseLayout.Packed(gates, inputs, units, outputs);
        if (parameters.Length != network.Length)
        {
            ThrowNetworkLength(parameters.Length, network.Length, gates, inputs, units, outputs, kernel);
        }

        if (packed.Length != layout.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{kernel}: packed has {packed.Length} floats, expected {layout.Length} ({lengthName}(inputs {inputs}, units {units}, outputs {outputs}))."),
                nameof(packed));
        }

        KernelGuard.NoOverlap(packed, parameters, kernel, nameof(packed), nameof(parameters));
        int rows = gates * units;
        var weights = new Weights(
            parameters.Slice((int)network.WIh, rows * inputs), parameters.Slice((int)network.WHh, rows * units),
            parameters.Slice((int)network.BIh, rows), parameters.Slice((int)network.BHh, rows), gates, inputs, units, kernel);
        int layerLength = (int)new PackedLayout(gates, inputs, units).Length;
        Pack(weights, gates, packed[..layerLength], kernel, lengthName);
        packed[layerLength..].Clear();
        for (int o = 0; o < outputs; o++)
        {
            parameters.Slice((int)network.WOut + (o * units), units).CopyTo(packed[((int)layout.WOut + (o * layout.WOutStride))..]);
        }

        parameters.Slice((int)network.BOut, outputs).CopyTo(packed[(int)layout.BOut..]);
    }

    [DoesNotReturn]
    private static void ThrowNetworkLength(int actual, long expected, int gates, int inputs, int units, int outputs, string kernel) =>
        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{kernel}: parameters has {actual} floats, expected {expected} (wIh, wHh, bIh and bHh of {gates} gates x {units} units over {inputs} inputs, then W and b of {outputs} outputs)."),
            "parameters");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDenseStepsArguments(
        int gates, long expected, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, Span<float> state, Span<float> y,
        int steps, int inputs, int units, int outputs, string kernel, bool packed)
    {
        KernelGuard.NonNegative(steps, kernel, nameof(steps));
        KernelGuard.NonNegative(inputs, kernel, nameof(inputs));
        KernelGuard.NonNegative(units, kernel, nameof(units));
        KernelGuard.NonNegative(outputs, kernel, nameof(outputs));
        if (parameters.Length != expected)
        {
            if (!packed)
            {
                ThrowNetworkLength(parameters.Length, expected, gates, inputs, units, outputs, kernel);
            }

            string lengthName = gates == LstmGateCount ? "RecurrentKernels.LstmDensePackedLength" : "RecurrentKernels.GruDensePackedLength";
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{kernel}: packed has {parameters.Length} floats, expected {expected} ({lengthName}(inputs {inputs}, units {units}, outputs {outputs}))."),
                nameof(packed));
        }

        string source = packed ? nameof(packed) : nameof(parameters);
        KernelGuard.MatrixLength(x.Length, steps, inputs, kernel, nameof(x), nameof(steps), nameof(inputs));
        KernelGuard.MatrixLength(y.Length, steps, outputs, kernel, nameof(y), nameof(steps), nameof(outputs));
        if (gates == LstmGateCount)
        {
            KernelGuard.MatrixLength(state.Length, 2, units, kernel, nameof(state), "h and c", nameof(units));
        }
        else
        {
            KernelGuard.VectorLength(state.Length, units, kernel, nameof(state), nameof(units));
        }

        KernelGuard.NoOverlap(state, parameters, kernel, nameof(state), source);
        KernelGuard.NoOverlap(state, x, kernel, nameof(state), nameof(x));
        KernelGuard.NoOverlap(y, parameters, kernel, nameof(y), source);
        KernelGuard.NoOverlap(y, x, kernel, nameof(y), nameof(x));
        KernelGuard.NoOverlap(y, state, kernel, nameof(y), nameof(state));
        throw new System.Diagnostics.UnreachableException($"{kernel}: the combined argument check failed but no single check did.");
    }
}
