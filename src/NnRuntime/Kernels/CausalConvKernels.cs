using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// A streamed causal 1-D convolution, stride 1, as PyTorch's <c>nn.Conv1d</c> computes it on <c>F.pad(x, (d·(K−1), 0))</c>:
/// y_t = b + Σ_{k=0}^{K−1} W[:, :, k] · x_{t−(K−1−k)·d}, with W (Cout, Cin / g, K) row-major (PyTorch's layout) and g groups.
/// One sample of Cin channels per call (<see cref="Step(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int)"/>),
/// batches of sequences time-major for prediction and training (<see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int, int, int, Span{float})"/>,
/// <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/>).
/// Inputs before the first step come from the stream's history; an all-zero history is a stream with no past.
/// </summary>
/// <remarks>
/// <para>
/// History. <see cref="HistoryLength"/>(Cin, K, d) = d·Cin·K + 1 floats: d phase blocks of Cin rows of K floats, then the
/// phase in one float. The samples a step reads lie d apart, so they all belong to one residue of t modulo d: block q
/// holds, per channel c, that residue's last K − 1 samples oldest first in slots 0..K−2, and slot K−1 takes the step's
/// own input. So a step's operand, x_{t−(K−1)d} … x_t of every channel of a group, is Cg·K contiguous floats in W's own
/// (c, k) order, and each output is one row of W times that block: a small matrix-vector product with no gathering. The
/// step writes x into slot K−1 of the current block's rows, multiplies, shifts the block left by one float (each row's
/// slot K−1 then holds the next row's oldest sample, which the block's next use overwrites before reading) and advances
/// the phase, kept as an exact small integer in the last float. All zeros is phase 0 with zero samples: no past.
/// </para>
/// <para>
/// Bits. Each output is summed by a one-example row-block product (<see cref="SmallMatVec"/> when the
/// group has a block of rows and a vector of columns, else <see cref="MatVecKernels"/>), whose order depends on the sizes
/// and the width only, never on addresses. <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int, int, int, Span{float})"/>
/// runs that same step for every stream and step, so a sequence predicted whole equals it streamed sample by sample, bit
/// for bit, at any width; widths differ from each other in the last bits.
/// </para>
/// <para>
/// Training. The backward pass is truncated at the window, as the recurrent kernels' is: the samples before step 0 are
/// read back from the history the forward pass started from and are constants, so no gradient flows into them. dW and
/// db are accumulated (+=) and summed over the batch (the caller applies 1/m); dx is overwritten. Its sums run in a fixed
/// scalar order (steps, then streams, ascending), so they too depend on the inputs only.
/// </para>
/// <para>Nothing allocates; everything runs on the calling thread. Lengths are checked once at the entry; the loops trust them.</para>
/// </remarks>
public static unsafe class CausalConvKernels
{
    /// <summary>Floats of one stream's history: d phase blocks of Cin × K samples and the phase (see the class remarks).</summary>
    /// <param name="inChannels">Cin.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <returns>d·Cin·K + 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the length does not fit a span.</exception>
    public static int HistoryLength(int inChannels, int kernel, int dilation)
    {
        const string Function = "CausalConvKernels.HistoryLength";
        Positive(inChannels, Function, nameof(inChannels));
        Positive(kernel, Function, nameof(kernel));
        Positive(dilation, Function, nameof(dilation));
        return Fit(HistoryFloats(inChannels, kernel, dilation), Function, nameof(inChannels));
    }

    /// <summary>
    /// Floats of scratch <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int, int, int, Span{float})"/>
    /// needs: none, since it runs each stream's steps in place in its history (which is what makes it equal the step to
    /// the bit); the argument stays so callers size it here.
    /// </summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <returns>0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">T or m is negative, or Cin, K or d is below 1.</exception>
    public static int ForwardScratch(int steps, int batch, int inChannels, int kernel, int dilation)
    {
        const string Function = "CausalConvKernels.ForwardScratch";
        KernelGuard.NonNegative(steps, Function, nameof(steps));
        KernelGuard.NonNegative(batch, Function, nameof(batch));
        Positive(inChannels, Function, nameof(inChannels));
        Positive(kernel, Function, nameof(kernel));
        Positive(dilation, Function, nameof(dilation));
        return 0;
    }

    /// <summary>
    /// Floats of scratch <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/>
    /// needs: every stream's inputs from d·(K − 1) samples before the window to its end, one row of Cin per sample; then
    /// the running sums of dW and db, and W laid out tap-major, so that the sums advance a row at a time.
    /// </summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <param name="groups">g.</param>
    /// <returns>m·(d·(K − 1) + T)·Cin + 2·Cout·(Cin / g)·K + Cout.</returns>
    /// <exception cref="ArgumentOutOfRangeException">T or m is negative, a size is below 1, or the length does not fit a span.</exception>
    /// <exception cref="ArgumentException">Cin or Cout does not divide by g.</exception>
    public static int BackwardScratch(int steps, int batch, int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        const string Function = "CausalConvKernels.BackwardScratch";
        KernelGuard.NonNegative(steps, Function, nameof(steps));
        KernelGuard.NonNegative(batch, Function, nameof(batch));
        CheckLayer(inChannels, outChannels, kernel, dilation, groups, Function);
        return Fit(
            ((long)batch * (((long)dilation * (kernel - 1)) + steps) * inChannels) + (2 * WeightFloats(inChannels, outChannels, kernel, groups)) + outChannels,
            Function,
            nameof(steps));
    }

    /// <summary>One sample of one stream: y = the convolution at this step; the history advances by the sample.</summary>
    /// <param name="weight">W, Cout × (Cin / g) × K row-major (PyTorch's Conv1d weight).</param>
    /// <param name="bias">b, Cout.</param>
    /// <param name="x">The sample, Cin floats.</param>
    /// <param name="history"><see cref="HistoryLength"/>(Cin, K, d) floats: read, then advanced past <paramref name="x"/>.</param>
    /// <param name="y">Receives the step's Cout outputs.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <param name="groups">g: output channel o reads input channels [⌊o / (Cout/g)⌋·Cin/g, … + Cin/g).</param>
    /// <exception cref="ArgumentException">
    /// A length does not match the sizes, a buffer written overlaps another buffer, Cin or Cout does not divide by g, or the
    /// history's phase (its last float) is not an integer in [0, d).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the buffers the sizes describe would not fit a span.</exception>
    public static void Step(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> history, Span<float> y,
        int inChannels, int outChannels, int kernel, int dilation, int groups) =>
        Step(weight, bias, x, history, y, inChannels, outChannels, kernel, dilation, groups, SimdWidth.Auto);

    /// <summary>
    /// m streams over T steps, time-major: y_t of stream j equals, bit for bit, what <see cref="Step(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int)"/>
    /// returns for it from the same history.
    /// </summary>
    /// <param name="weight">W, Cout × (Cin / g) × K row-major.</param>
    /// <param name="bias">b, Cout.</param>
    /// <param name="x">The inputs, time-major (T, m, Cin).</param>
    /// <param name="history">m × <see cref="HistoryLength"/>(Cin, K, d): stream j's history before step 0 at j·HistoryLength; overwritten with its history after the last step.</param>
    /// <param name="y">Receives the outputs, time-major (T, m, Cout).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <param name="groups">g.</param>
    /// <param name="scratch"><see cref="ForwardScratch"/>(T, m, Cin, K, d) floats.</param>
    /// <exception cref="ArgumentException">
    /// A length does not match the sizes, a buffer written overlaps another buffer, Cin or Cout does not divide by g, or a
    /// stream's phase is not an integer in [0, d).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">T or m is negative, a size is below 1, or a buffer would not fit a span.</exception>
    public static void Forward(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> history, Span<float> y,
        int steps, int batch, int inChannels, int outChannels, int kernel, int dilation, int groups, Span<float> scratch) =>
        Forward(weight, bias, x, history, y, steps, batch, inChannels, outChannels, kernel, dilation, groups, scratch, SimdWidth.Auto);

    /// <summary>
    /// Backpropagation through the window of <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int, int, int, Span{float})"/>:
    /// dW += Σ dy_t ⊗ x_{t−(K−1−k)d}, db += Σ dy_t, dx overwritten; the samples before step 0 are constants (truncated).
    /// </summary>
    /// <param name="weight">W, Cout × (Cin / g) × K row-major.</param>
    /// <param name="x">The window's inputs, time-major (T, m, Cin).</param>
    /// <param name="historyBefore">The m histories the forward pass started from (m × <see cref="HistoryLength"/>).</param>
    /// <param name="dy">dLoss/dy, time-major (T, m, Cout).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernel">K.</param>
    /// <param name="dilation">d.</param>
    /// <param name="groups">g.</param>
    /// <param name="dWeight">dW, Cout × (Cin / g) × K; accumulated (+=), summed over the batch.</param>
    /// <param name="dBias">db, Cout; accumulated (+=), summed over the batch.</param>
    /// <param name="dx">dLoss/dx, time-major (T, m, Cin), overwritten; or empty to skip it.</param>
    /// <param name="scratch"><see cref="BackwardScratch"/>(T, m, Cin, Cout, K, d, g) floats, overwritten.</param>
    /// <exception cref="ArgumentException">
    /// A length does not match the sizes, a buffer written overlaps another buffer, Cin or Cout does not divide by g, or a
    /// stream's phase is not an integer in [0, d).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">T or m is negative, a size is below 1, or a buffer would not fit a span.</exception>
    public static void Backward(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> historyBefore, ReadOnlySpan<float> dy,
        int steps, int batch, int inChannels, int outChannels, int kernel, int dilation, int groups,
        Span<float> dWeight, Span<float> dBias, Span<float> dx, Span<float> scratch)
    {
        const string Kernel = "CausalConvKernels.Backward";
        KernelGuard.NonNegative(steps, Kernel, nameof(steps));
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        CheckLayer(inChannels, outChannels, kernel, dilation, groups, Kernel);
        long historyFloats = HistoryFloats(inChannels, kernel, dilation);
        CheckLength(weight.Length, WeightFloats(inChannels, outChannels, kernel, groups), Kernel, nameof(weight), "outChannels x inChannels/groups x kernel");
        CheckLength(x.Length, (long)steps * batch * inChannels, Kernel, nameof(x), "steps x batch x inChannels");
        CheckLength(historyBefore.Length, batch * historyFloats, Kernel, nameof(historyBefore), "batch x HistoryLength(inChannels, kernel, dilation)");
        CheckLength(dy.Length, (long)steps * batch * outChannels, Kernel, nameof(dy), "steps x batch x outChannels");
        CheckLength(dWeight.Length, weight.Length, Kernel, nameof(dWeight), "the weight's length");
        CheckLength(dBias.Length, outChannels, Kernel, nameof(dBias), "outChannels");
        if (!dx.IsEmpty)
        {
            CheckLength(dx.Length, x.Length, Kernel, nameof(dx), "steps x batch x inChannels, or empty");
        }

        CheckLength(scratch.Length, BackwardScratch(steps, batch, inChannels, outChannels, kernel, dilation, groups), Kernel, nameof(scratch), "BackwardScratch(steps, batch, inChannels, outChannels, kernel, dilation, groups)");
        NoOverlapWithOperands(dWeight, nameof(dWeight), weight, x, historyBefore, dy);
        NoOverlapWithOperands(dBias, nameof(dBias), weight, x, historyBefore, dy);
        NoOverlapWithOperands(dx, nameof(dx), weight, x, historyBefore, dy);
        NoOverlapWithOperands(scratch, nameof(scratch), weight, x, historyBefore, dy);

        KernelGuard.NoOverlap(dWeight, dBias, Kernel, nameof(dWeight), nameof(dBias));
        KernelGuard.NoOverlap(dWeight, dx, Kernel, nameof(dWeight), nameof(dx));
        KernelGuard.NoOverlap(dWeight, scratch, Kernel, nameof(dWeight), nameof(scratch));
        KernelGuard.NoOverlap(dBias, dx, Kernel, nameof(dBias), nameof(dx));
        KernelGuard.NoOverlap(dBias, scratch, Kernel, nameof(dBias), nameof(scratch));
        KernelGuard.NoOverlap(dx, scratch, Kernel, nameof(dx), nameof(scratch));
        for (int j = 0; j < batch; j++)
        {
            Phase(historyBefore.Slice((int)(j * historyFloats), (int)historyFloats), dilation, Kernel, nameof(historyBefore), j);
        }

        if (steps == 0 || batch == 0)
        {
            return;
        }

        int past = dilation * (kernel - 1);
        int window = past + steps;
        for (int j = 0; j < batch; j++)
        {
            Span<float> inputs = scratch.Slice(j * window * inChannels, window * inChannels);
            ReadOnlySpan<float> stream = historyBefore.Slice((int)(j * historyFloats), (int)historyFloats);
            Unroll(stream, inputs, inChannels, kernel, dilation);
            for (int t = 0; t < steps; t++)
            {
                x.Slice(((t * batch) + j) * inChannels, inChannels).CopyTo(inputs.Slice((past + t) * inChannels, inChannels));
            }
        }

        int channelsPerGroup = inChannels / groups, outputsPerGroup = outChannels / groups, taps = channelsPerGroup * kernel;
        int inputFloats = batch * window * inChannels, weightFloats = weight.Length;
        Span<float> sums = scratch.Slice(inputFloats, weightFloats + outChannels);
        sums.Clear();
        SimdWidth resolved = SimdWidths.Resolve(SimdWidth.Auto);
        fixed (float* pw = weight, pdy = dy, pscratch = scratch, pdx = dx)
        {
            // Every dW and db element is still one running sum over (t, j) ascending that starts at 0, as a scalar loop
            // would keep it; the sums are only kept side by side, (o, k, c) with c fastest, so that each step adds a whole
            // row of them with vector FMAs instead of waiting on one chain's latency. Element-wise FMAs round the same at
            // every width, so the bits do not depend on it.
            float* dWeightSums = pscratch + inputFloats, dBiasSums = dWeightSums + weightFloats;
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < batch; j++)
                {
                    float* gradient = pdy + ((((nint)t * batch) + j) * outChannels);
                    AddRow(gradient, dBiasSums, outChannels, resolved);
                    float* first = pscratch + ((((nint)j * window) + t) * inChannels);
                    for (int o = 0; o < outChannels; o++)
                    {
                        float* input = first + (o / outputsPerGroup * channelsPerGroup);
                        float* row = dWeightSums + ((nint)o * taps);
                        for (int k = 0; k < kernel; k++)
                        {
                            // Tap k of step t reads the sample k·d after the window's first readable one, in scratch row t + k·d.
                            MultiplyAddRow(gradient[o], input + ((nint)k * dilation * inChannels), row + (k * channelsPerGroup), channelsPerGroup, resolved);
                        }
                    }
                }
            }

            for (int o = 0; o < outChannels; o++)
            {
                dBias[o] += dBiasSums[o];
                for (int c = 0; c < channelsPerGroup; c++)
                {
                    for (int k = 0; k < kernel; k++)
                    {
                        dWeight[(((o * channelsPerGroup) + c) * kernel) + k] += dWeightSums[(o * taps) + (k * channelsPerGroup) + c];
                    }
                }
            }

            if (dx.IsEmpty)
            {
                return;
            }

            // dx_t[c] = Σ_o Σ_k W[o, c, k]·dy_{t+(K−1−k)d}[o], summed o then k ascending from 0 for each c; W is laid out
            // (o, k, c) so a row of c's gets the same FMAs, in the same order, side by side.
            float* weights = pscratch + inputFloats + weightFloats + outChannels;
            for (int o = 0; o < outChannels; o++)
            {
                for (int c = 0; c < channelsPerGroup; c++)
                {
                    for (int k = 0; k < kernel; k++)
                    {
                        weights[(o * taps) + (k * channelsPerGroup) + c] = pw[(((o * channelsPerGroup) + c) * kernel) + k];
                    }
                }
            }

            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < batch; j++)
                {
                    float* sum = pdx + ((((nint)t * batch) + j) * inChannels);
                    new Span<float>(sum, inChannels).Clear();
                    for (int group = 0; group < groups; group++)
                    {
                        float* groupSum = sum + (group * channelsPerGroup);
                        for (int o = group * outputsPerGroup; o < (group + 1) * outputsPerGroup; o++)
                        {
                            for (int k = 0; k < kernel; k++)
                            {
                                // x_t feeds tap k of step t + (K−1−k)·d; steps past the window's end do not exist.
                                int later = t + ((kernel - 1 - k) * dilation);
                                if (later < steps)
                                {
                                    MultiplyAddRow(pdy[((((nint)later * batch) + j) * outChannels) + o], weights + (o * taps) + (k * channelsPerGroup), groupSum, channelsPerGroup, resolved);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>y[i] = a·x[i] + y[i], each rounded once: the same bits at every vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAddRow(float a, float* x, float* y, int length, SimdWidth width)
    {
        int i = 0;
        if (width >= SimdWidth.V512 && length >= Vector512<float>.Count)
        {
            Vector512<float> scale = Vector512.Create(a);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512.FusedMultiplyAdd(scale, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
            }
        }

        if (width >= SimdWidth.V256 && length - i >= Vector256<float>.Count)
        {
            Vector256<float> scale = Vector256.Create(a);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.FusedMultiplyAdd(scale, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
        }

        if (width >= SimdWidth.V128 && length - i >= Vector128<float>.Count)
        {
            Vector128<float> scale = Vector128.Create(a);
            for (; i <= length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128.FusedMultiplyAdd(scale, Vector128.Load(x + i), Vector128.Load(y + i)).Store(y + i);
            }
        }

        for (; i < length; i++)
        {
            y[i] = MathF.FusedMultiplyAdd(a, x[i], y[i]);
        }
    }

    /// <summary>y[i] += x[i]: the same bits at every vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(float* x, float* y, int length, SimdWidth width)
    {
        int i = 0;
        if (width >= SimdWidth.V256)
        {
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256.Load(x + i) + Vector256.Load(y + i)).Store(y + i);
            }
        }

        for (; i < length; i++)
        {
            y[i] += x[i];
        }
    }

    internal static void Step(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> history, Span<float> y,
        int inChannels, int outChannels, int kernel, int dilation, int groups, SimdWidth width)
    {
        // One combined test on the way in and the precise message only when it fails, as the recurrent step does: a
        // streamed sample is a chain of a few tens of nanoseconds and its checks should run beside it.
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || dilation < 1 || groups < 1 ||
            (groups != 1 && (inChannels % groups != 0 || outChannels % groups != 0)) ||
            weight.Length != WeightFloats(inChannels, outChannels, kernel, groups) || bias.Length != outChannels || x.Length != inChannels ||
            history.Length != HistoryFloats(inChannels, kernel, dilation) || y.Length != outChannels ||
            y.Overlaps(weight) || y.Overlaps(bias) || y.Overlaps(x) || y.Overlaps(history) ||
            history.Overlaps(weight) || history.Overlaps(bias) || history.Overlaps(x))
        {
            ThrowStepArguments(weight, bias, x, history, y, inChannels, outChannels, kernel, dilation, groups);
        }

        int phase = Phase(history, dilation, "CausalConvKernels.Step", nameof(history), stream: -1);
        SimdWidth resolved = SimdWidths.Resolve(width);
        fixed (float* pw = weight, pb = bias, px = x, ph = history, py = y)
        {
            StepCore(pw, pb, px, ph, py, phase, inChannels, outChannels, kernel, dilation, groups, resolved);
        }
    }

    internal static void Forward(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> history, Span<float> y,
        int steps, int batch, int inChannels, int outChannels, int kernel, int dilation, int groups, Span<float> scratch, SimdWidth width)
    {
        const string Kernel = "CausalConvKernels.Forward";
        KernelGuard.NonNegative(steps, Kernel, nameof(steps));
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        CheckLayer(inChannels, outChannels, kernel, dilation, groups, Kernel);
        long historyFloats = HistoryFloats(inChannels, kernel, dilation);
        CheckLength(weight.Length, WeightFloats(inChannels, outChannels, kernel, groups), Kernel, nameof(weight), "outChannels x inChannels/groups x kernel");
        CheckLength(bias.Length, outChannels, Kernel, nameof(bias), "outChannels");
        CheckLength(x.Length, (long)steps * batch * inChannels, Kernel, nameof(x), "steps x batch x inChannels");
        CheckLength(history.Length, batch * historyFloats, Kernel, nameof(history), "batch x HistoryLength(inChannels, kernel, dilation)");
        CheckLength(y.Length, (long)steps * batch * outChannels, Kernel, nameof(y), "steps x batch x outChannels");
        CheckLength(scratch.Length, ForwardScratch(steps, batch, inChannels, kernel, dilation), Kernel, nameof(scratch), "ForwardScratch(steps, batch, inChannels, kernel, dilation)");
        NoOverlapWithOperands(history, nameof(history), weight, bias, x, Kernel);
        NoOverlapWithOperands(y, nameof(y), weight, bias, x, Kernel);
        KernelGuard.NoOverlap(y, history, Kernel, nameof(y), nameof(history));
        for (int j = 0; j < batch; j++)
        {
            Phase(history.Slice((int)(j * historyFloats), (int)historyFloats), dilation, Kernel, nameof(history), j);
        }

        SimdWidth resolved = SimdWidths.Resolve(width);
        fixed (float* pw = weight, pb = bias, px = x, ph = history, py = y)
        {
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < batch; j++)
                {
                    float* streamHistory = ph + (j * historyFloats);
                    int phase = (int)streamHistory[historyFloats - 1];
                    nint row = ((nint)t * batch) + j;
                    StepCore(pw, pb, px + (row * inChannels), streamHistory, py + (row * outChannels), phase, inChannels, outChannels, kernel, dilation, groups, resolved);
                }
            }
        }
    }

    /// <summary>The step on trusted arguments: the one routine both the streamed step and the batch forward pass run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepCore(
        float* weight, float* bias, float* x, float* history, float* y, int phase, int inChannels, int outChannels, int kernel, int dilation, int groups,
        SimdWidth width)
    {
        int block = inChannels * kernel;
        float* rows = history + ((nint)phase * block);
        for (int c = 0; c < inChannels; c++)
        {
            rows[(c * kernel) + kernel - 1] = x[c];
        }

        int outputs = outChannels / groups, columns = block / groups;
        for (int group = 0; group < groups; group++)
        {
            float* w = weight + ((nint)group * outputs * columns);
            float* operand = rows + ((nint)group * columns);
            float* b = bias + (group * outputs), output = y + (group * outputs);
            if (!SmallMatVec.TryForward(width, w, operand, b, output, outputs, columns))
            {
                MatVecKernels.Forward<LinearOperator>(width, w, operand, b, output, outputs, columns);
            }
        }

        ShiftLeft(rows, block - 1);
        history[(nint)dilation * block] = phase + 1 == dilation ? 0f : phase + 1;
    }

    /// <summary>
    /// rows[i] = rows[i + 1] for i &lt; <paramref name="count"/>, ascending. With 256-bit stores at the offsets the next
    /// step's 256-bit loads of the block read, so those loads are forwarded from the stores instead of waiting for them
    /// to reach the cache (a byte-wise memmove leaves stores of other sizes behind, which a wider load cannot forward from).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftLeft(float* rows, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Each load reads past every float the stores before it wrote, so the copy is the scalar loop's.
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.Load(rows + i + 1).Store(rows + i);
            }
        }

        for (; i < count; i++)
        {
            rows[i] = rows[i + 1];
        }
    }

    /// <summary>
    /// Writes the d·(K − 1) samples a history holds into rows 0..d·(K−1) − 1 of <paramref name="inputs"/> (Cin floats
    /// each, oldest first): the sample r − (K−1−k)·d steps before the window (r &lt; d, k &lt; K − 1) sits in slot k of
    /// the block the window's step r uses.
    /// </summary>
    private static void Unroll(ReadOnlySpan<float> history, Span<float> inputs, int inChannels, int kernel, int dilation)
    {
        int block = inChannels * kernel, past = dilation * (kernel - 1);
        int phase = (int)history[history.Length - 1];
        for (int r = 0; r < dilation; r++)
        {
            int rows = ((phase + r) % dilation) * block;
            for (int k = 0; k < kernel - 1; k++)
            {
                int sample = past + r - ((kernel - 1 - k) * dilation);
                for (int c = 0; c < inChannels; c++)
                {
                    inputs[(sample * inChannels) + c] = history[rows + (c * kernel) + k];
                }
            }
        }
    }

    /// <summary>The phase a history holds in its last float, which must be an integer in [0, d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Phase(ReadOnlySpan<float> history, int dilation, string kernel, string parameter, int stream)
    {
        float value = history[history.Length - 1];
        int phase = (int)value;
        if (phase != value || (uint)phase >= (uint)dilation)
        {
            ThrowPhase(value, history.Length - 1, dilation, kernel, parameter, stream);
        }

        return phase;
    }

    private static long WeightFloats(int inChannels, int outChannels, int kernel, int groups) => (long)outChannels * (inChannels / groups) * kernel;

    private static long HistoryFloats(int inChannels, int kernel, int dilation) => ((long)dilation * inChannels * kernel) + 1;

    private static void CheckLayer(int inChannels, int outChannels, int kernel, int dilation, int groups, string function)
    {
        Positive(inChannels, function, nameof(inChannels));
        Positive(outChannels, function, nameof(outChannels));
        Positive(kernel, function, nameof(kernel));
        Positive(dilation, function, nameof(dilation));
        Positive(groups, function, nameof(groups));
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException(
                Invariant($"{function}: {inChannels} input and {outChannels} output channels must both divide by {groups} groups."), nameof(groups));
        }

        Fit(WeightFloats(inChannels, outChannels, kernel, groups), function, nameof(outChannels));
        Fit(HistoryFloats(inChannels, kernel, dilation), function, nameof(inChannels));
    }

    private static void Positive(int value, string function, string parameter)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(parameter, value, Invariant($"{function}: {parameter} is {value}; it must be at least 1."));
        }
    }

    private static void CheckLength(int actual, long expected, string kernel, string parameter, string sizes)
    {
        if (actual != expected)
        {
            Fit(expected, kernel, parameter);
            throw new ArgumentException(Invariant($"{kernel}: {parameter} has {actual} floats, expected {expected} ({sizes})."), parameter);
        }
    }

    private static int Fit(long floats, string function, string parameter) =>
        floats <= int.MaxValue
            ? (int)floats
            : throw new ArgumentOutOfRangeException(parameter, Invariant($"{function}: the sizes describe {floats} floats, more than one span holds (2^31 - 1)."));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStepArguments(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> history, Span<float> y,
        int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        const string Kernel = "CausalConvKernels.Step";
        CheckLayer(inChannels, outChannels, kernel, dilation, groups, Kernel);
        CheckLength(weight.Length, WeightFloats(inChannels, outChannels, kernel, groups), Kernel, nameof(weight), "outChannels x inChannels/groups x kernel");
        CheckLength(bias.Length, outChannels, Kernel, nameof(bias), "outChannels");
        CheckLength(x.Length, inChannels, Kernel, nameof(x), "inChannels");
        CheckLength(history.Length, HistoryFloats(inChannels, kernel, dilation), Kernel, nameof(history), "HistoryLength(inChannels, kernel, dilation)");
        CheckLength(y.Length, outChannels, Kernel, nameof(y), "outChannels");
        NoOverlapWithOperands(history, nameof(history), weight, bias, x, Kernel);
        NoOverlapWithOperands(y, nameof(y), weight, bias, x, Kernel);
        KernelGuard.NoOverlap(y, history, Kernel, nameof(y), nameof(history));
        throw new System.Diagnostics.UnreachableException($"{Kernel}: the combined argument check failed but no single check did.");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPhase(float value, int index, int dilation, string kernel, string parameter, int stream)
    {
        string which = stream < 0 ? parameter : Invariant($"{parameter} of stream {stream}");
        throw new ArgumentException(
            Invariant($"{kernel}: {which} holds the phase {value:R} in its last float (index {index}), expected an integer from 0 to {dilation - 1} (dilation {dilation}); an all-zero history is a stream with no past."),
            parameter);
    }

    /// <summary>A buffer the step or forward pass writes must not overlap W, b or x.</summary>
    private static void NoOverlapWithOperands(
        ReadOnlySpan<float> written, string name, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, string kernel)
    {
        KernelGuard.NoOverlap(written, weight, kernel, name, nameof(weight));
        KernelGuard.NoOverlap(written, bias, kernel, name, nameof(bias));
        KernelGuard.NoOverlap(written, x, kernel, name, nameof(x));
    }

    /// <summary>A buffer the backward pass writes must not overlap any of its operands.</summary>
    private static void NoOverlapWithOperands(
        ReadOnlySpan<float> written, string name, ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> historyBefore, ReadOnlySpan<float> dy)
    {
        const string Kernel = "CausalConvKernels.Backward";
        KernelGuard.NoOverlap(written, weight, Kernel, name, nameof(weight));
        KernelGuard.NoOverlap(written, x, Kernel, name, nameof(x));
        KernelGuard.NoOverlap(written, historyBefore, Kernel, name, nameof(historyBefore));
        KernelGuard.NoOverlap(written, dy, Kernel, name, nameof(dy));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
