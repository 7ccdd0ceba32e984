using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// LSTM and GRU layers as PyTorch defines them (gates in its row order; GRU with the reset gate applied after the
/// hidden product, ONNX's <c>linear_before_reset=1</c>): one example one step for streaming, a batch of sequences for
/// inference, and the training forward pass with its cache and backpropagation through time.
/// </summary>
/// <remarks>
/// <para>
/// A layer with I inputs, H units and G gates (LSTM 4: i, f, g, o; GRU 3: r, z, n) stores its matrices transposed,
/// W_ihᵀ (I × G·H) and W_hhᵀ (H × G·H) row-major (row k holds the weights of input k, or of h[k], for every gate row, gate
/// rows in PyTorch's order), and the biases b_ih, b_hh (G·H) as PyTorch does. Transposed, each gate row's sum over k is a
/// chain of vertical fused multiply-adds across the gate rows, so the streaming step needs no horizontal reduction.
/// LSTM: a = W_ih·x + b_ih + W_hh·h + b_hh,
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c' = f∘c + i∘g, h' = o∘tanh(c'). GRU: r = σ(W_ir x + b_ir + W_hr h
/// + b_hr), z likewise, n = tanh(W_in x + b_in + r∘(W_hn h + b_hn)), h' = (1 − z)∘n + z∘h, computed as n + z∘(h − n).
/// σ and tanh are <see cref="VectorMath"/>'s.
/// </para>
/// <para>
/// Sequences are time-major: x is (T, m, I) and the outputs hs are (T, m, H), so one step's batch is contiguous
/// (<see cref="SequenceLayout"/> converts from the batch-first layout users hold). The input projection of every step
/// is one product, X (T·m × I) · W_ihᵀ; each step then adds the recurrent product h (m × H) · W_hhᵀ (register-tiled
/// up to <see cref="SmallBatchRows"/> sequences, RecurrentKernels.Products.cs;
/// <see cref="Gemm.MultiplyNN(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, float)"/> beyond)
/// and applies the gates, vectorized across units. Backward, dA · W_hh and dA_x · W_ih take W transposed back once per
/// call into the backward scratch, and dW is summed in W's row order and added transposed.
/// </para>
/// <para>
/// Bits. The gate arithmetic is written once over <see cref="ISimdOps{TVec}"/> and runs lane by lane at every width
/// (leftover units one lane of a 128-bit vector at a time), so it gives the same bits at every width. The input
/// projection goes through <see cref="Gemm.MultiplyNN(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, float)"/>
/// with W_ihᵀ as the layer stores it, because an outer product sums each
/// element as one chain over the inputs in order whatever the number of rows; the dot-product path of an NT product
/// would change its order with the number of steps. So batches give the same bits wherever the buffers sit. Up to
/// <see cref="SmallBatchRows"/> sequences the recurrent products, forward and backward, are one fused multiply-add chain
/// over k in order per element, so a sequence gives the same bits alone or in such a batch; a larger batch takes
/// <see cref="Gemm"/>'s products, which sum in other orders (and may differ in the last bits). Products at the scalar
/// width sum in another order than the vector widths (see <see cref="GemmKernels"/>). The streaming step has products
/// of its own, built for one example (RecurrentKernels.Step.cs): it agrees with the batch forward pass to rounding, and
/// is deterministic in the same way.
/// </para>
/// <para>
/// Training. <see cref="LstmForwardTraining(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/> keeps the gate activations and cell states the backward pass reads;
/// <see cref="LstmBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> runs backpropagation through time over the window, truncated at its start: the initial
/// states are constants (no gradient flows into them), and the caller passes back the states the forward pass started
/// from. dW and db are accumulated (+=) and are sums over the batch (the caller applies 1/m); dx is overwritten.
/// </para>
/// <para>
/// Nothing allocates per call; everything runs on the
/// calling thread except the products, which <see cref="KernelParallelism"/> may share out with identical results.
/// Lengths are checked once at the entry; the loops trust them.
/// </para>
/// </remarks>
// No method here zeroes its frame: every stackalloc scratch is written before it is read, and a step's frame holds the
// vector locals of every width's inlined cell (14 KB for an LSTM's one-sample step at 256 bits), which zeroing cost more
// per call than the step itself.
[SkipLocalsInit]
public static unsafe partial class RecurrentKernels
{
    /// <summary>Gates of an LSTM unit: input, forget, cell (g) and output, in PyTorch's row order.</summary>
    public const int LstmGateCount = 4;

    /// <summary>Gates of a GRU unit: reset, update (z) and new (n), in PyTorch's row order.</summary>
    public const int GruGateCount = 3;

    /// <summary>Floats of scratch <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/> needs: the input and recurrent products, 4·H each.</summary>
    /// <param name="units">H.</param>
    /// <returns>8·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative or too large.</exception>
    public static int LstmStepScratch(int units) => StepScratch(LstmGateCount, units, "RecurrentKernels.LstmStepScratch");

    /// <summary>Floats of scratch <see cref="GruStep(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int)"/> needs: the input and recurrent products, 3·H each.</summary>
    /// <param name="units">H.</param>
    /// <returns>6·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is negative or too large.</exception>
    public static int GruStepScratch(int units) => StepScratch(GruGateCount, units, "RecurrentKernels.GruStepScratch");

    /// <summary>Floats of scratch <see cref="LstmForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/> needs: every step's input projection and one step's recurrent product.</summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="units">H.</param>
    /// <returns>(T·m + m)·4H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmForwardScratch(int steps, int batch, int units) =>
        ForwardScratch(LstmGateCount, steps, batch, units, "RecurrentKernels.LstmForwardScratch");

    /// <summary>Floats of scratch <see cref="GruForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float})"/> needs: every step's input projection and one step's recurrent product.</summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="units">H.</param>
    /// <returns>(T·m + m)·3H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int GruForwardScratch(int steps, int batch, int units) =>
        ForwardScratch(GruGateCount, steps, batch, units, "RecurrentKernels.GruForwardScratch");

    /// <summary>
    /// Floats of the cache <see cref="LstmForwardTraining(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/> fills and <see cref="LstmBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> reads: per step and
    /// sequence the four gate activations, c_t and tanh(c_t), then room for one step's recurrent product.
    /// </summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="units">H.</param>
    /// <returns>T·m·6H + m·4H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmCacheLength(int steps, int batch, int units)
    {
        const string Function = "RecurrentKernels.LstmCacheLength";
        CheckSizes(steps, batch, 0, units, Function);
        return Fit(((long)steps * batch * (LstmGateCount + 2) * units) + ((long)batch * LstmGateCount * units), Function);
    }

    /// <summary>
    /// Floats of the cache <see cref="GruForwardTraining(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float})"/> fills and <see cref="GruBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> reads: per step and
    /// sequence the three gate activations and W_hn·h + b_hn, then room for one step's recurrent product.
    /// </summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="units">H.</param>
    /// <returns>T·m·4H + m·3H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int GruCacheLength(int steps, int batch, int units)
    {
        const string Function = "RecurrentKernels.GruCacheLength";
        CheckSizes(steps, batch, 0, units, Function);
        return Fit(((long)steps * batch * (GruGateCount + 1) * units) + ((long)batch * GruGateCount * units), Function);
    }

    /// <summary>Floats of scratch <see cref="LstmBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> needs.</summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>T·m·5H (the pre-activation gradients and the previous states) + 4H·max(I, H) + 4H + 3·m·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int LstmBackwardScratch(int steps, int batch, int inputs, int units) =>
        BackwardScratch(LstmGateCount, steps, batch, inputs, units, "RecurrentKernels.LstmBackwardScratch");

    /// <summary>Floats of scratch <see cref="GruBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> needs.</summary>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <returns>T·m·7H (the pre-activation gradients on both sides and the previous states) + 3H·max(I, H) + 3H + 2·m·H.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the length does not fit a span.</exception>
    public static int GruBackwardScratch(int steps, int batch, int inputs, int units) =>
        BackwardScratch(GruGateCount, steps, batch, inputs, units, "RecurrentKernels.GruBackwardScratch");

    /// <summary>One LSTM step for one example: h and c are read and overwritten with the next state.</summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 4H.</param>
    /// <param name="bHh">b_hh, 4H.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="c">The cell state, H floats; becomes c'.</param>
    /// <param name="scratch"><see cref="LstmStepScratch"/>(H) floats, overwritten.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> scratch, int inputs, int units) =>
        LstmStep(wIh, wHh, bIh, bHh, x, h, c, scratch, inputs, units, SimdWidth.Auto);

    /// <summary>One GRU step for one example: h is read and overwritten with the next state.</summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 3H.</param>
    /// <param name="bHh">b_hh, 3H.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="scratch"><see cref="GruStepScratch"/>(H) floats, overwritten.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int inputs, int units) =>
        GruStep(wIh, wHh, bIh, bHh, x, h, scratch, inputs, units, SimdWidth.Auto);

    /// <summary>
    /// One LSTM step for one example with its scratch on the stack (as generated networks' <c>Step</c> runs it): the same
    /// bits as the overload with a scratch.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 4H.</param>
    /// <param name="bHh">b_hh, 4H.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="c">The cell state, H floats; becomes c'.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, int inputs, int units) =>
        LstmStep(wIh, wHh, bIh, bHh, x, h, c, inputs, units, SimdWidth.Auto);

    /// <summary>
    /// One GRU step for one example with its scratch on the stack (as generated networks' <c>Step</c> runs it): the same
    /// bits as the overload with a scratch.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 3H.</param>
    /// <param name="bHh">b_hh, 3H.</param>
    /// <param name="x">The step's input, I floats.</param>
    /// <param name="h">The hidden state, H floats; becomes h', the step's output.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruStep(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, Span<float> h, int inputs, int units) =>
        GruStep(wIh, wHh, bIh, bHh, x, h, inputs, units, SimdWidth.Auto);

    /// <summary>
    /// LSTM inference over m sequences of T steps: h and c (m × H) hold the states to start from and receive the final
    /// ones; hs receives every step's h.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 4H.</param>
    /// <param name="bHh">b_hh, 4H.</param>
    /// <param name="x">The inputs, time-major (T, m, I).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="h">The hidden states, m × H; read, then overwritten with h_T.</param>
    /// <param name="c">The cell states, m × H; read, then overwritten with c_T.</param>
    /// <param name="hs">Receives h_1..h_T, time-major (T, m, H).</param>
    /// <param name="scratch"><see cref="LstmForwardScratch"/>(T, m, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmForward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> c, Span<float> hs, Span<float> scratch) =>
        LstmForward(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, c, hs, scratch, SimdWidth.Auto);

    /// <summary>
    /// GRU inference over m sequences of T steps: h (m × H) holds the states to start from and receives the final ones;
    /// hs receives every step's h.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 3H.</param>
    /// <param name="bHh">b_hh, 3H.</param>
    /// <param name="x">The inputs, time-major (T, m, I).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="h">The hidden states, m × H; read, then overwritten with h_T.</param>
    /// <param name="hs">Receives h_1..h_T, time-major (T, m, H).</param>
    /// <param name="scratch"><see cref="GruForwardScratch"/>(T, m, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruForward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> hs, Span<float> scratch) =>
        GruForward(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, hs, scratch, SimdWidth.Auto);

    /// <summary>
    /// <see cref="LstmForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/> for training: the same outputs, bit for bit, plus the cache
    /// <see cref="LstmBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/> reads. Keep a copy of the starting h and c: the backward pass needs them.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 4H.</param>
    /// <param name="bHh">b_hh, 4H.</param>
    /// <param name="x">The inputs, time-major (T, m, I).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="h">The hidden states, m × H; read, then overwritten with h_T.</param>
    /// <param name="c">The cell states, m × H; read, then overwritten with c_T.</param>
    /// <param name="hs">Receives h_1..h_T, time-major (T, m, H).</param>
    /// <param name="cache"><see cref="LstmCacheLength"/>(T, m, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmForwardTraining(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> c, Span<float> hs, Span<float> cache) =>
        LstmForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, c, hs, cache, SimdWidth.Auto);

    /// <summary>
    /// <see cref="GruForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float})"/> for training: the same outputs, bit for bit, plus the cache <see cref="GruBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float})"/>
    /// reads. Keep a copy of the starting h: the backward pass needs it.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 3H.</param>
    /// <param name="bHh">b_hh, 3H.</param>
    /// <param name="x">The inputs, time-major (T, m, I).</param>
    /// <param name="steps">T; with 0 nothing is written.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="h">The hidden states, m × H; read, then overwritten with h_T.</param>
    /// <param name="hs">Receives h_1..h_T, time-major (T, m, H).</param>
    /// <param name="cache"><see cref="GruCacheLength"/>(T, m, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruForwardTraining(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> hs, Span<float> cache) =>
        GruForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, hs, cache, SimdWidth.Auto);

    /// <summary>
    /// Backpropagation through time over the window of <see cref="LstmForwardTraining(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float}, Span{float})"/>, truncated at its start (h0 and
    /// c0 are constants). Adds the window's gradients, summed over the batch, to dW and db, and writes dx.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 4H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 4H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 4H; its length is checked, its values are not needed (the cache holds the activations).</param>
    /// <param name="bHh">b_hh, 4H; likewise.</param>
    /// <param name="x">The inputs the forward pass saw, time-major (T, m, I).</param>
    /// <param name="h0">The hidden states the forward pass started from, m × H.</param>
    /// <param name="c0">The cell states the forward pass started from, m × H.</param>
    /// <param name="hs">The forward pass's outputs h_1..h_T, (T, m, H).</param>
    /// <param name="cache">The forward pass's cache.</param>
    /// <param name="dhs">∂J/∂h_t from the layers above at every step, (T, m, H) (zeros where a step's output is not used).</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="dWih">∂J/∂W_ihᵀ, I × 4H (the layout of <paramref name="wIh"/>); the window's gradient is added.</param>
    /// <param name="dWhh">∂J/∂W_hhᵀ, H × 4H (the layout of <paramref name="wHh"/>); added to.</param>
    /// <param name="dbIh">∂J/∂b_ih, 4H; added to.</param>
    /// <param name="dbHh">∂J/∂b_hh, 4H; added to.</param>
    /// <param name="dx">Receives ∂J/∂x, (T, m, I); empty to skip (a first layer needs none).</param>
    /// <param name="scratch"><see cref="LstmBackwardScratch"/>(T, m, I, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void LstmBackward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, ReadOnlySpan<float> hs, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dhs, int steps, int batch, int inputs, int units,
        Span<float> dWih, Span<float> dWhh, Span<float> dbIh, Span<float> dbHh, Span<float> dx, Span<float> scratch) =>
        LstmBackward(wIh, wHh, bIh, bHh, x, h0, c0, hs, cache, dhs, steps, batch, inputs, units, dWih, dWhh, dbIh, dbHh, dx, scratch, SimdWidth.Auto);

    /// <summary>
    /// Backpropagation through time over the window of <see cref="GruForwardTraining(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, Span{float}, Span{float}, Span{float})"/>, truncated at its start (h0 is
    /// a constant). Adds the window's gradients, summed over the batch, to dW and db, and writes dx.
    /// </summary>
    /// <param name="wIh">W_ihᵀ, I × 3H row-major (row k: the weights of input k for every gate row).</param>
    /// <param name="wHh">W_hhᵀ, H × 3H row-major (row k: the weights of h[k] for every gate row).</param>
    /// <param name="bIh">b_ih, 3H; its length is checked, its values are not needed (the cache holds the activations).</param>
    /// <param name="bHh">b_hh, 3H; likewise (the cache holds W_hn·h + b_hn).</param>
    /// <param name="x">The inputs the forward pass saw, time-major (T, m, I).</param>
    /// <param name="h0">The hidden states the forward pass started from, m × H.</param>
    /// <param name="hs">The forward pass's outputs h_1..h_T, (T, m, H).</param>
    /// <param name="cache">The forward pass's cache.</param>
    /// <param name="dhs">∂J/∂h_t from the layers above at every step, (T, m, H) (zeros where a step's output is not used).</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">m.</param>
    /// <param name="inputs">I.</param>
    /// <param name="units">H.</param>
    /// <param name="dWih">∂J/∂W_ihᵀ, I × 3H (the layout of <paramref name="wIh"/>); the window's gradient is added.</param>
    /// <param name="dWhh">∂J/∂W_hhᵀ, H × 3H (the layout of <paramref name="wHh"/>); added to.</param>
    /// <param name="dbIh">∂J/∂b_ih, 3H; added to.</param>
    /// <param name="dbHh">∂J/∂b_hh, 3H; added to.</param>
    /// <param name="dx">Receives ∂J/∂x, (T, m, I); empty to skip (a first layer needs none).</param>
    /// <param name="scratch"><see cref="GruBackwardScratch"/>(T, m, I, H) floats, overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a buffer written overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the buffers the sizes describe would not fit a span.</exception>
    public static void GruBackward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, ReadOnlySpan<float> h0, ReadOnlySpan<float> hs, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dhs, int steps, int batch, int inputs, int units,
        Span<float> dWih, Span<float> dWhh, Span<float> dbIh, Span<float> dbHh, Span<float> dx, Span<float> scratch) =>
        GruBackward(wIh, wHh, bIh, bHh, x, h0, hs, cache, dhs, steps, batch, inputs, units, dWih, dWhh, dbIh, dbHh, dx, scratch, SimdWidth.Auto);

    internal static void LstmForward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> c, Span<float> hs, Span<float> scratch,
        SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.LstmForward";
        CheckSizes(steps, batch, inputs, units, Kernel);
        var weights = new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, Kernel);
        CheckForward(weights, x, steps, batch, h, c, hasCell: true, hs, scratch, nameof(scratch), LstmForwardScratch(steps, batch, units), Kernel);
        int projections = steps * batch * LstmGateCount * units;
        LstmSequence(weights, x, steps, batch, h, c, hs, scratch[..projections], scratch[projections..], training: false, SimdWidths.Resolve(width));
    }

    internal static void GruForward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> hs, Span<float> scratch, SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.GruForward";
        CheckSizes(steps, batch, inputs, units, Kernel);
        var weights = new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, Kernel);
        CheckForward(weights, x, steps, batch, h, [], hasCell: false, hs, scratch, nameof(scratch), GruForwardScratch(steps, batch, units), Kernel);
        int projections = steps * batch * GruGateCount * units;
        GruSequence(weights, x, steps, batch, h, hs, scratch[..projections], scratch[projections..], training: false, SimdWidths.Resolve(width));
    }

    internal static void LstmForwardTraining(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> c, Span<float> hs, Span<float> cache,
        SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.LstmForwardTraining";
        CheckSizes(steps, batch, inputs, units, Kernel);
        var weights = new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, Kernel);
        CheckForward(weights, x, steps, batch, h, c, hasCell: true, hs, cache, nameof(cache), LstmCacheLength(steps, batch, units), Kernel);
        LstmSequence(weights, x, steps, batch, h, c, hs, cache, default, training: true, SimdWidths.Resolve(width));
    }

    internal static void GruForwardTraining(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, int steps, int batch, int inputs, int units, Span<float> h, Span<float> hs, Span<float> cache, SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.GruForwardTraining";
        CheckSizes(steps, batch, inputs, units, Kernel);
        var weights = new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, Kernel);
        CheckForward(weights, x, steps, batch, h, [], hasCell: false, hs, cache, nameof(cache), GruCacheLength(steps, batch, units), Kernel);
        GruSequence(weights, x, steps, batch, h, hs, cache, default, training: true, SimdWidths.Resolve(width));
    }

    internal static void LstmBackward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, ReadOnlySpan<float> hs, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dhs, int steps, int batch, int inputs, int units,
        Span<float> dWih, Span<float> dWhh, Span<float> dbIh, Span<float> dbHh, Span<float> dx, Span<float> scratch, SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.LstmBackward";
        CheckSizes(steps, batch, inputs, units, Kernel);

        // Resolved once here, as the forward kernels do: the gate cells and the small products test the width they are
        // given, and Auto would send them down their one-lane and scalar paths.
        width = SimdWidths.Resolve(width);
        var weights = new Weights(wIh, wHh, bIh, bHh, LstmGateCount, inputs, units, Kernel);
        var gradients = new Gradients(dWih, dWhh, dbIh, dbHh, dx, scratch);
        CheckBackward(
            weights, gradients, x, h0, hs, cache, dhs, steps, batch, LstmCacheLength(steps, batch, units), LstmBackwardScratch(steps, batch, inputs, units), Kernel);
        KernelGuard.MatrixLength(c0.Length, batch, units, Kernel, nameof(c0), nameof(batch), nameof(units));
        gradients.NoOverlap(c0, nameof(c0), Kernel);
        if (steps == 0 || batch == 0 || units == 0)
        {
            return;
        }

        int gh = LstmGateCount * units, rows = steps * batch, stateFloats = batch * units;
        Span<float> preActivations = scratch[..(rows * gh)];
        Span<float> rest = scratch[(rows * gh)..];
        Span<float> previous = Take(ref rest, rows * units);
        Span<float> product = Take(ref rest, gh * Math.Max(inputs, units));
        Span<float> columnSums = Take(ref rest, gh);
        Span<float> fromAbove = Take(ref rest, stateFloats);
        Span<float> dc = Take(ref rest, stateFloats);
        PreviousStates(h0, hs, previous, stateFloats);
        fromAbove.Clear();
        dc.Clear();
        int gates = rows * gh, cells = rows * units;
        // W_hh itself for dA·W_hh, in the product scratch until the parameter gradients need it.
        Span<float> wHhRows = product[..(gh * units)];
        Layout.Transpose(wHh, wHhRows, units, gh);
        fixed (float* pGates = cache, pDhs = dhs, pC0 = c0, pDa = preActivations, pAbove = fromAbove, pDc = dc, pWhh = wHhRows)
        {
            float* cellStates = pGates + gates, tanhCells = cellStates + cells;
            for (int t = steps - 1; t >= 0; t--)
            {
                if (t < steps - 1)
                {
                    // What h_t passed on to step t + 1 through W_hh.
                    HiddenGradient(preActivations.Slice((t + 1) * batch * gh, batch * gh), pDa + ((t + 1) * batch * gh), wHhRows, pWhh, fromAbove, pAbove, batch, gh, units, width);
                }

                for (int e = 0; e < batch; e++)
                {
                    int row = (t * batch) + e;
                    float* cPrevious = t == 0 ? pC0 + (e * units) : cellStates + ((row - batch) * units);
                    var cell = new LstmBackwardCell(
                        pDhs + (row * units), pAbove + (e * units), pDc + (e * units), pGates + (row * gh), cPrevious, tanhCells + (row * units), pDa + (row * gh), units);
                    RunLanes(ref cell, units, width);
                }
            }
        }

        AccumulateParameterGradients(weights, x, previous, preActivations, preActivations, gradients, rows, product, columnSums, width);
    }

    internal static void GruBackward(
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> x, ReadOnlySpan<float> h0, ReadOnlySpan<float> hs, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dhs, int steps, int batch, int inputs, int units,
        Span<float> dWih, Span<float> dWhh, Span<float> dbIh, Span<float> dbHh, Span<float> dx, Span<float> scratch, SimdWidth width)
    {
        const string Kernel = "RecurrentKernels.GruBackward";
        CheckSizes(steps, batch, inputs, units, Kernel);

        // Resolved once here, as the forward kernels do: the gate cells and the small products test the width they are
        // given, and Auto would send them down their one-lane and scalar paths.
        width = SimdWidths.Resolve(width);
        var weights = new Weights(wIh, wHh, bIh, bHh, GruGateCount, inputs, units, Kernel);
        var gradients = new Gradients(dWih, dWhh, dbIh, dbHh, dx, scratch);
        CheckBackward(
            weights, gradients, x, h0, hs, cache, dhs, steps, batch, GruCacheLength(steps, batch, units), GruBackwardScratch(steps, batch, inputs, units), Kernel);
        if (steps == 0 || batch == 0 || units == 0)
        {
            return;
        }

        int gh = GruGateCount * units, rows = steps * batch, stateFloats = batch * units;
        Span<float> rest = scratch;
        Span<float> inputSide = Take(ref rest, rows * gh);
        Span<float> hiddenSide = Take(ref rest, rows * gh);
        Span<float> previous = Take(ref rest, rows * units);
        Span<float> product = Take(ref rest, gh * Math.Max(inputs, units));
        Span<float> columnSums = Take(ref rest, gh);
        Span<float> fromAbove = Take(ref rest, stateFloats);
        Span<float> direct = Take(ref rest, stateFloats);
        PreviousStates(h0, hs, previous, stateFloats);
        fromAbove.Clear();
        direct.Clear();
        int gates = rows * gh;
        // W_hh itself for dA·W_hh, in the product scratch until the parameter gradients need it.
        Span<float> wHhRows = product[..(gh * units)];
        Layout.Transpose(wHh, wHhRows, units, gh);
        fixed (float* pGates = cache, pDhs = dhs, pPrevious = previous, pDx = inputSide, pDh = hiddenSide, pAbove = fromAbove, pDirect = direct, pWhh = wHhRows)
        {
            float* hiddenNew = pGates + gates;
            for (int t = steps - 1; t >= 0; t--)
            {
                if (t < steps - 1)
                {
                    HiddenGradient(hiddenSide.Slice((t + 1) * batch * gh, batch * gh), pDh + ((t + 1) * batch * gh), wHhRows, pWhh, fromAbove, pAbove, batch, gh, units, width);
                }

                for (int e = 0; e < batch; e++)
                {
                    int row = (t * batch) + e;
                    var cell = new GruBackwardCell(
                        pDhs + (row * units), pAbove + (e * units), pDirect + (e * units), pGates + (row * gh), hiddenNew + (row * units),
                        pPrevious + (row * units), pDx + (row * gh), pDh + (row * gh), units);
                    RunLanes(ref cell, units, width);
                }
            }
        }

        AccumulateParameterGradients(weights, x, previous, inputSide, hiddenSide, gradients, rows, product, columnSums, width);
    }

    /// <summary>
    /// The steps of an LSTM over a batch. Training keeps the gate activations where the projections were (in the cache),
    /// then c_t and tanh(c_t), and takes the recurrent product's room from the cache's end; inference gets both areas
    /// from the scratch.
    /// </summary>
    private static void LstmSequence(
        in Weights weights, ReadOnlySpan<float> x, int steps, int batch, Span<float> h, Span<float> c, Span<float> hs,
        Span<float> projections, Span<float> recurrent, bool training, SimdWidth width)
    {
        int units = weights.Units, gh = LstmGateCount * units, rows = steps * batch;
        if (rows == 0 || units == 0)
        {
            return;
        }

        if (training)
        {
            recurrent = projections.Slice(rows * (gh + (2 * units)), batch * gh);
        }

        ProjectInputs(weights.WIh, x, projections[..(rows * gh)], rows, weights.Inputs, gh, width);

        // Small batches: the register-tiled product per step (RecurrentKernels.Products.cs) straight from W_hhᵀ.
        bool small = batch <= SmallBatchRows;
        fixed (float* pProjections = projections, pRecurrent = recurrent, pbIh = weights.BIh, pbHh = weights.BHh, pWhh = weights.WHh, pc = c, pHs = hs)
        {
            float* cellStates = pProjections + (rows * gh), tanhCells = cellStates + (rows * units);
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> previous = t == 0 ? h : hs.Slice((t - 1) * batch * units, batch * units);
                if (small)
                {
                    fixed (float* pLast = previous)
                    {
                        SmallProduct(pLast, units, pWhh, pRecurrent, batch, units, gh, width);
                    }
                }
                else
                {
                    Gemm.MultiplyNN(previous, weights.WHh, recurrent, batch, units, gh, 1f, width);
                }

                for (int e = 0; e < batch; e++)
                {
                    int row = (t * batch) + e;
                    float* gates = pProjections + (row * gh);
                    var cell = training
                        ? new LstmCell(gates, pRecurrent + (e * gh), pbIh, pbHh, pc + (e * units), pHs + (row * units), units, gates, cellStates + (row * units), tanhCells + (row * units))
                        : new LstmCell(gates, pRecurrent + (e * gh), pbIh, pbHh, pc + (e * units), pHs + (row * units), units, null, null, null);
                    RunLanes(ref cell, units, width);
                }
            }
        }

        hs.Slice((steps - 1) * batch * units, batch * units).CopyTo(h);
    }

    /// <summary>The steps of a GRU over a batch; the cache keeps r, z, n where the projections were, then W_hn·h + b_hn.</summary>
    private static void GruSequence(
        in Weights weights, ReadOnlySpan<float> x, int steps, int batch, Span<float> h, Span<float> hs,
        Span<float> projections, Span<float> recurrent, bool training, SimdWidth width)
    {
        int units = weights.Units, gh = GruGateCount * units, rows = steps * batch;
        if (rows == 0 || units == 0)
        {
            return;
        }

        if (training)
        {
            recurrent = projections.Slice(rows * (gh + units), batch * gh);
        }

        ProjectInputs(weights.WIh, x, projections[..(rows * gh)], rows, weights.Inputs, gh, width);

        // Small batches: the register-tiled product per step (RecurrentKernels.Products.cs) straight from W_hhᵀ.
        bool small = batch <= SmallBatchRows;
        fixed (float* pProjections = projections, pRecurrent = recurrent, pbIh = weights.BIh, pbHh = weights.BHh, pWhh = weights.WHh, ph = h, pHs = hs)
        {
            float* hiddenNew = pProjections + (rows * gh);
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> previous = t == 0 ? h : hs.Slice((t - 1) * batch * units, batch * units);
                if (small)
                {
                    fixed (float* pLast = previous)
                    {
                        SmallProduct(pLast, units, pWhh, pRecurrent, batch, units, gh, width);
                    }
                }
                else
                {
                    Gemm.MultiplyNN(previous, weights.WHh, recurrent, batch, units, gh, 1f, width);
                }
                float* pPrevious = t == 0 ? ph : pHs + ((t - 1) * batch * units);
                for (int e = 0; e < batch; e++)
                {
                    int row = (t * batch) + e;
                    float* gates = pProjections + (row * gh);
                    var cell = training
                        ? new GruCell(gates, pRecurrent + (e * gh), pbIh, pbHh, pPrevious + (e * units), pHs + (row * units), units, gates, hiddenNew + (row * units))
                        : new GruCell(gates, pRecurrent + (e * gh), pbIh, pbHh, pPrevious + (e * units), pHs + (row * units), units, null, null);
                    RunLanes(ref cell, units, width);
                }
            }
        }

        hs.Slice((steps - 1) * batch * units, batch * units).CopyTo(h);
    }

    /// <summary>
    /// What h_t passed on to step t + 1 through W_hh: dA_{t+1} (m × G·H) · W_hh (G·H × H, transposed back from the
    /// stored W_hhᵀ once per call), register-tiled for small batches (<see cref="SmallProduct"/>), <see cref="Gemm"/>'s
    /// otherwise.
    /// </summary>
    private static void HiddenGradient(
        ReadOnlySpan<float> dA, float* pDa, ReadOnlySpan<float> wHh, float* pWhh, Span<float> fromAbove, float* pAbove, int batch, int gh, int units, SimdWidth width)
    {
        if (batch <= SmallBatchRows)
        {
            SmallProduct(pDa, gh, pWhh, pAbove, batch, gh, units, width);
        }
        else
        {
            Gemm.MultiplyNN(dA, wHh, fromAbove, batch, gh, units, 1f, width);
        }
    }

    /// <summary>
    /// P (rows × G·H) = X (rows × I) · W_ihᵀ as an outer product (NN with W_ihᵀ), whose every element is one FMA chain
    /// over the inputs in order whatever the number of rows.
    /// </summary>
    private static void ProjectInputs(ReadOnlySpan<float> wIh, ReadOnlySpan<float> x, Span<float> projections, int rows, int inputs, int gh, SimdWidth width) =>
        Gemm.MultiplyNN(x, wIh, projections, rows, inputs, gh, 1f, width);

    /// <summary>
    /// dW_ih += dA_xᵀ·X, dW_hh += dA_hᵀ·H_prev, db_ih += Σ rows of dA_x, db_hh += Σ rows of dA_h, dx = dA_x·W_ih: one
    /// product each over every step and sequence of the window.
    /// </summary>
    private static void AccumulateParameterGradients(
        in Weights weights, ReadOnlySpan<float> x, ReadOnlySpan<float> previous, ReadOnlySpan<float> inputSide, ReadOnlySpan<float> hiddenSide,
        in Gradients gradients, int rows, Span<float> product, Span<float> columnSums, SimdWidth width)
    {
        int inputs = weights.Inputs, units = weights.Units, gh = weights.GateRows;
        Span<float> dWih = product[..(gh * inputs)];
        if (inputs == 1)
        {
            // x is one column: dW_ih is a rank-1 accumulation over the rows, taken in the same pass as db_ih.
            SumRows(inputSide, x, dWih, columnSums, rows, gh, width);
        }
        else
        {
            Gemm.MultiplyTN(inputSide, x, dWih, gh, rows, inputs, 1f, width);
            SumRows(inputSide, [], [], columnSums, rows, gh, width);
        }

        AddTransposed(dWih, gradients.DWih, gh, inputs);
        Span<float> dWhh = product[..(gh * units)];
        Gemm.MultiplyTN(hiddenSide, previous, dWhh, gh, rows, units, 1f, width);
        AddTransposed(dWhh, gradients.DWhh, gh, units);
        TensorPrimitives.Add(gradients.DbIh, columnSums, gradients.DbIh);
        if (hiddenSide != inputSide)
        {
            SumRows(hiddenSide, [], [], columnSums, rows, gh, width);
        }

        TensorPrimitives.Add(gradients.DbHh, columnSums, gradients.DbHh);
        if (!gradients.Dx.IsEmpty)
        {
            Span<float> wIhRows = product[..(gh * inputs)];
            Layout.Transpose(weights.WIh, wIhRows, inputs, gh);
            Gemm.MultiplyNN(inputSide, wIhRows, gradients.Dx, rows, gh, inputs, 1f, width);
        }
    }

    /// <summary>
    /// destination (cols × rows) += source (rows × cols)ᵀ: the gradients are summed in W's row order, by the products
    /// the training kernels were measured with, and accumulated into the transposed layout the parameters have.
    /// </summary>
    private static void AddTransposed(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = source.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                destination[(c * rows) + r] += row[c];
            }
        }
    }

    /// <summary>
    /// sums[j] = Σ_r a[r, j] and, given a column x, weighted[j] = Σ_r a[r, j]·x[r] (one fused multiply-add a row), each a
    /// chain over the rows in order from +0: lane-wise operations, so every width, the scalar one included, gives the
    /// same bits. Columns go four vectors at a time with their sums in registers over all the rows, so a (T·m × G·H)
    /// gradient is read once rather than added into the sums row by row.
    /// </summary>
    private static void SumRows(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> weighted, Span<float> sums, int rows, int columns, SimdWidth width)
    {
        fixed (float* pa = a, px = x, pWeighted = weighted, pSums = sums)
        {
            var columnSums = new ColumnSums(pa, px, pWeighted, pSums, rows, columns);
            int j = 0;
            if (width >= SimdWidth.V512)
            {
                j = columnSums.Run<Simd512, Vector512<float>>(j);
            }

            if (width >= SimdWidth.V256)
            {
                j = columnSums.Run<Simd256, Vector256<float>>(j);
            }

            if (width >= SimdWidth.V128)
            {
                j = columnSums.Run<Simd128, Vector128<float>>(j);
            }

            for (; j < columns; j++)
            {
                float sum = 0f, weightedSum = 0f;
                for (int r = 0; r < rows; r++)
                {
                    float value = pa[((nint)r * columns) + j];
                    sum += value;
                    if (px != null)
                    {
                        weightedSum = MathF.FusedMultiplyAdd(value, px[r], weightedSum);
                    }
                }

                pSums[j] = sum;
                if (px != null)
                {
                    pWeighted[j] = weightedSum;
                }
            }
        }
    }

    /// <summary>The vector part of <see cref="SumRows"/>: x null for the sums alone.</summary>
    private readonly struct ColumnSums(float* a, float* x, float* weighted, float* sums, int rows, int columns)
    {
        /// <summary>Columns from <paramref name="j"/> in whole vectors, four at a time then one; returns the first column left.</summary>
        public int Run<TSimd, TVec>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
        {
            int count = TSimd.Count;
            nint stride = columns;
            for (; j + (4 * count) <= columns; j += 4 * count)
            {
                TVec s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero;
                TVec w0 = TSimd.Zero, w1 = TSimd.Zero, w2 = TSimd.Zero, w3 = TSimd.Zero;
                float* row = a + j;
                for (int r = 0; r < rows; r++, row += stride)
                {
                    TVec a0 = TSimd.Load(row), a1 = TSimd.Load(row + count), a2 = TSimd.Load(row + (2 * count)), a3 = TSimd.Load(row + (3 * count));
                    s0 = TSimd.Add(s0, a0);
                    s1 = TSimd.Add(s1, a1);
                    s2 = TSimd.Add(s2, a2);
                    s3 = TSimd.Add(s3, a3);
                    if (x != null)
                    {
                        TVec xr = TSimd.Broadcast(x[r]);
                        w0 = TSimd.MultiplyAdd(a0, xr, w0);
                        w1 = TSimd.MultiplyAdd(a1, xr, w1);
                        w2 = TSimd.MultiplyAdd(a2, xr, w2);
                        w3 = TSimd.MultiplyAdd(a3, xr, w3);
                    }
                }

                TSimd.Store(s0, sums + j);
                TSimd.Store(s1, sums + j + count);
                TSimd.Store(s2, sums + j + (2 * count));
                TSimd.Store(s3, sums + j + (3 * count));
                if (x != null)
                {
                    TSimd.Store(w0, weighted + j);
                    TSimd.Store(w1, weighted + j + count);
                    TSimd.Store(w2, weighted + j + (2 * count));
                    TSimd.Store(w3, weighted + j + (3 * count));
                }
            }

            for (; j + count <= columns; j += count)
            {
                TVec s = TSimd.Zero, w = TSimd.Zero;
                float* row = a + j;
                for (int r = 0; r < rows; r++, row += stride)
                {
                    TVec value = TSimd.Load(row);
                    s = TSimd.Add(s, value);
                    if (x != null)
                    {
                        w = TSimd.MultiplyAdd(value, TSimd.Broadcast(x[r]), w);
                    }
                }

                TSimd.Store(s, sums + j);
                if (x != null)
                {
                    TSimd.Store(w, weighted + j);
                }
            }

            return j;
        }
    }

    /// <summary>H_prev (rows × H): h0 for the first step, then h_1..h_{T−1}, so dW_hh is one product.</summary>
    private static void PreviousStates(ReadOnlySpan<float> h0, ReadOnlySpan<float> hs, Span<float> previous, int stateFloats)
    {
        h0.CopyTo(previous);
        hs[..(previous.Length - stateFloats)].CopyTo(previous[stateFloats..]);
    }

    private static Span<float> Take(ref Span<float> rest, int length)
    {
        Span<float> taken = rest[..length];
        rest = rest[length..];
        return taken;
    }

    private static int StepScratch(int gates, int units, string function)
    {
        KernelGuard.NonNegative(units, function, nameof(units));
        return Fit(2L * gates * units, function, nameof(units));
    }

    private static int ForwardScratch(int gates, int steps, int batch, int units, string function)
    {
        CheckSizes(steps, batch, 0, units, function);
        return Fit((((long)steps * batch) + batch) * gates * units, function);
    }

    private static int BackwardScratch(int gates, int steps, int batch, int inputs, int units, string function)
    {
        CheckSizes(steps, batch, inputs, units, function);
        long rows = (long)steps * batch;

        // LSTM: dA, shared by both products; GRU: dA on the input side and on the hidden side (they differ in n).
        long preActivations = (gates == LstmGateCount ? 1 : 2) * rows * gates * units;
        long carries = (gates == LstmGateCount ? 3 : 2) * (long)batch * units;
        return Fit(preActivations + (rows * units) + ((long)gates * units * Math.Max(inputs, units)) + ((long)gates * units) + carries, function);
    }

    private static void CheckSizes(int steps, int batch, int inputs, int units, string kernel)
    {
        KernelGuard.NonNegative(steps, kernel, nameof(steps));
        KernelGuard.NonNegative(batch, kernel, nameof(batch));
        KernelGuard.NonNegative(inputs, kernel, nameof(inputs));
        KernelGuard.NonNegative(units, kernel, nameof(units));
    }

    private static int Fit(long floats, string function, string parameter = "steps") =>
        floats <= int.MaxValue ? (int)floats : ThrowTooLarge(floats, function, parameter);

    /// <summary>Checks a time-major (or batch-first) tensor holds steps × batch × features floats.</summary>
    internal static void CheckTensor(int actual, int steps, int batch, int features, string kernel, string parameter, string featuresName)
    {
        long expected = (long)steps * batch * features;
        if (actual != expected)
        {
            ThrowTensorLength(actual, expected, steps, batch, features, kernel, parameter, featuresName);
        }
    }

    private static void CheckStep(in Weights weights, ReadOnlySpan<float> x, Span<float> h, Span<float> scratch, int scratchLength, string scratchName, string kernel)
    {
        CheckStep(weights, x, h, kernel);
        KernelGuard.VectorLength(scratch.Length, scratchLength, kernel, nameof(scratch), scratchName);
        weights.NoOverlap(scratch, nameof(scratch));
        KernelGuard.NoOverlap(scratch, x, kernel, nameof(scratch), nameof(x));
        KernelGuard.NoOverlap(scratch, h, kernel, nameof(scratch), nameof(h));
    }

    /// <summary>The checks of a step without a caller's scratch: x and h against the sizes, h against the operands.</summary>
    private static void CheckStep(in Weights weights, ReadOnlySpan<float> x, Span<float> h, string kernel)
    {
        KernelGuard.VectorLength(x.Length, weights.Inputs, kernel, nameof(x), "inputs");
        KernelGuard.VectorLength(h.Length, weights.Units, kernel, nameof(h), "units");
        weights.NoOverlap(h, nameof(h));
        KernelGuard.NoOverlap(h, x, kernel, nameof(h), nameof(x));
    }

    /// <summary>The checks of a forward pass; <paramref name="c"/> only where <paramref name="hasCell"/> (LSTM).</summary>
    private static void CheckForward(
        in Weights weights, ReadOnlySpan<float> x, int steps, int batch, Span<float> h, Span<float> c, bool hasCell, Span<float> hs,
        Span<float> work, string workName, int workLength, string kernel)
    {
        int units = weights.Units;
        CheckTensor(x.Length, steps, batch, weights.Inputs, kernel, nameof(x), "inputs");
        KernelGuard.MatrixLength(h.Length, batch, units, kernel, nameof(h), nameof(batch), nameof(units));
        CheckTensor(hs.Length, steps, batch, units, kernel, nameof(hs), nameof(units));
        KernelGuard.VectorLength(work.Length, workLength, kernel, workName, workName == "cache" ? "the cache length for steps, batch and units" : "the scratch length for steps, batch and units");
        weights.NoOverlap(h, nameof(h));
        weights.NoOverlap(hs, nameof(hs));
        weights.NoOverlap(work, workName);
        KernelGuard.NoOverlap(h, x, kernel, nameof(h), nameof(x));
        KernelGuard.NoOverlap(hs, x, kernel, nameof(hs), nameof(x));
        KernelGuard.NoOverlap(work, x, kernel, workName, nameof(x));
        KernelGuard.NoOverlap(hs, h, kernel, nameof(hs), nameof(h));
        KernelGuard.NoOverlap(work, h, kernel, workName, nameof(h));
        KernelGuard.NoOverlap(work, hs, kernel, workName, nameof(hs));
        if (hasCell)
        {
            KernelGuard.MatrixLength(c.Length, batch, units, kernel, nameof(c), nameof(batch), nameof(units));
            weights.NoOverlap(c, nameof(c));
            KernelGuard.NoOverlap(c, x, kernel, nameof(c), nameof(x));
            KernelGuard.NoOverlap(c, h, kernel, nameof(c), nameof(h));
            KernelGuard.NoOverlap(c, hs, kernel, nameof(c), nameof(hs));
            KernelGuard.NoOverlap(c, work, kernel, nameof(c), workName);
        }
    }

    private static void CheckBackward(
        in Weights weights, in Gradients gradients, ReadOnlySpan<float> x, ReadOnlySpan<float> h0, ReadOnlySpan<float> hs, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dhs, int steps, int batch, int cacheLength, int scratchLength, string kernel)
    {
        int inputs = weights.Inputs, units = weights.Units, gh = weights.GateRows;
        CheckTensor(x.Length, steps, batch, inputs, kernel, nameof(x), nameof(inputs));
        KernelGuard.MatrixLength(h0.Length, batch, units, kernel, nameof(h0), nameof(batch), nameof(units));
        CheckTensor(hs.Length, steps, batch, units, kernel, nameof(hs), nameof(units));
        KernelGuard.VectorLength(cache.Length, cacheLength, kernel, nameof(cache), "the cache length for steps, batch and units");
        CheckTensor(dhs.Length, steps, batch, units, kernel, nameof(dhs), nameof(units));
        if (gradients.DWih.Length != (long)gh * inputs || gradients.DWhh.Length != (long)gh * units || gradients.DbIh.Length != gh || gradients.DbHh.Length != gh)
        {
            ThrowLengths(
                gradients.DWih.Length, gradients.DWhh.Length, gradients.DbIh.Length, gradients.DbHh.Length, weights.Gates, inputs, units, kernel, "dWih", "dWhh", "dbIh", "dbHh");
        }

        if (!gradients.Dx.IsEmpty)
        {
            CheckTensor(gradients.Dx.Length, steps, batch, inputs, kernel, "dx", nameof(inputs));
        }

        KernelGuard.VectorLength(gradients.Scratch.Length, scratchLength, kernel, "scratch", "the backward scratch length for steps, batch, inputs and units");
        gradients.NoOverlap(weights.WIh, "wIh", kernel);
        gradients.NoOverlap(weights.WHh, "wHh", kernel);
        gradients.NoOverlap(weights.BIh, "bIh", kernel);
        gradients.NoOverlap(weights.BHh, "bHh", kernel);
        gradients.NoOverlap(x, nameof(x), kernel);
        gradients.NoOverlap(h0, nameof(h0), kernel);
        gradients.NoOverlap(hs, nameof(hs), kernel);
        gradients.NoOverlap(cache, nameof(cache), kernel);
        gradients.NoOverlap(dhs, nameof(dhs), kernel);
        gradients.NoOverlapEachOther(kernel);
    }

    /// <summary>Throws the precise message for the parameter-shaped buffer whose length is wrong; the name of G·H is built only here.</summary>
    [DoesNotReturn]
    private static void ThrowLengths(
        int wIh, int wHh, int bIh, int bHh, int gates, int inputs, int units, string kernel, string wIhName, string wHhName, string bIhName, string bHhName)
    {
        int gh = gates * units;
        string gateRows = string.Create(CultureInfo.InvariantCulture, $"{gates} gates x {units} units");
        KernelGuard.MatrixLength(wIh, inputs, gh, kernel, wIhName, nameof(inputs), gateRows + " =");
        KernelGuard.MatrixLength(wHh, units, gh, kernel, wHhName, nameof(units), gateRows + " =");
        KernelGuard.VectorLength(bIh, gh, kernel, bIhName, gateRows);
        KernelGuard.VectorLength(bHh, gh, kernel, bHhName, gateRows);
        throw new UnreachableException($"{kernel}: the combined length check failed but no single check did.");
    }

    [DoesNotReturn]
    private static int ThrowTooLarge(long floats, string function, string parameter) =>
        throw new ArgumentOutOfRangeException(
            parameter,
            string.Create(CultureInfo.InvariantCulture, $"{function}: the sizes need {floats} floats, more than a span holds."));

    [DoesNotReturn]
    private static void ThrowTensorLength(int actual, long expected, int steps, int batch, int features, string kernel, string parameter, string featuresName) =>
        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{kernel}: {parameter} has {actual} floats, expected {expected} (steps {steps} x batch {batch} x {featuresName} {features})."),
            parameter);

    /// <summary>A layer's four parameter tensors, their lengths checked against the sizes on construction.</summary>
    private readonly ref struct Weights
    {
        public readonly ReadOnlySpan<float> WIh;
        public readonly ReadOnlySpan<float> WHh;
        public readonly ReadOnlySpan<float> BIh;
        public readonly ReadOnlySpan<float> BHh;
        public readonly int Inputs;
        public readonly int Units;
        public readonly int GateRows;
        private readonly string _kernel;

        public Weights(ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, int gates, int inputs, int units, string kernel)
        {
            KernelGuard.NonNegative(inputs, kernel, nameof(inputs));
            KernelGuard.NonNegative(units, kernel, nameof(units));
            int gh = Fit((long)gates * units, kernel, nameof(units));
            if (wIh.Length != (long)gh * inputs || wHh.Length != (long)gh * units || bIh.Length != gh || bHh.Length != gh)
            {
                ThrowLengths(wIh.Length, wHh.Length, bIh.Length, bHh.Length, gates, inputs, units, kernel, nameof(wIh), nameof(wHh), nameof(bIh), nameof(bHh));
            }

            WIh = wIh;
            WHh = wHh;
            BIh = bIh;
            BHh = bHh;
            Inputs = inputs;
            Units = units;
            GateRows = gh;
            _kernel = kernel;
        }

        public int Gates => Units == 0 ? 0 : GateRows / Units;

        /// <summary>A buffer the kernel writes must not overlap a parameter.</summary>
        public void NoOverlap(ReadOnlySpan<float> output, string outputName)
        {
            KernelGuard.NoOverlap(output, WIh, _kernel, outputName, "wIh");
            KernelGuard.NoOverlap(output, WHh, _kernel, outputName, "wHh");
            KernelGuard.NoOverlap(output, BIh, _kernel, outputName, "bIh");
            KernelGuard.NoOverlap(output, BHh, _kernel, outputName, "bHh");
        }
    }

    /// <summary>The buffers a backward pass writes.</summary>
    private readonly ref struct Gradients(Span<float> dWih, Span<float> dWhh, Span<float> dbIh, Span<float> dbHh, Span<float> dx, Span<float> scratch)
    {
        public readonly Span<float> DWih = dWih;
        public readonly Span<float> DWhh = dWhh;
        public readonly Span<float> DbIh = dbIh;
        public readonly Span<float> DbHh = dbHh;
        public readonly Span<float> Dx = dx;
        public readonly Span<float> Scratch = scratch;

        /// <summary>No written buffer may overlap an input.</summary>
        public void NoOverlap(ReadOnlySpan<float> input, string inputName, string kernel)
        {
            KernelGuard.NoOverlap(DWih, input, kernel, "dWih", inputName);
            KernelGuard.NoOverlap(DWhh, input, kernel, "dWhh", inputName);
            KernelGuard.NoOverlap(DbIh, input, kernel, "dbIh", inputName);
            KernelGuard.NoOverlap(DbHh, input, kernel, "dbHh", inputName);
            KernelGuard.NoOverlap(Dx, input, kernel, "dx", inputName);
            KernelGuard.NoOverlap(Scratch, input, kernel, "scratch", inputName);
        }

        /// <summary>Nor another written buffer.</summary>
        public void NoOverlapEachOther(string kernel)
        {
            KernelGuard.NoOverlap(DWih, DWhh, kernel, "dWih", "dWhh");
            KernelGuard.NoOverlap(DWih, DbIh, kernel, "dWih", "dbIh");
            KernelGuard.NoOverlap(DWih, DbHh, kernel, "dWih", "dbHh");
            KernelGuard.NoOverlap(DWih, Dx, kernel, "dWih", "dx");
            KernelGuard.NoOverlap(DWih, Scratch, kernel, "dWih", "scratch");
            KernelGuard.NoOverlap(DWhh, DbIh, kernel, "dWhh", "dbIh");
            KernelGuard.NoOverlap(DWhh, DbHh, kernel, "dWhh", "dbHh");
            KernelGuard.NoOverlap(DWhh, Dx, kernel, "dWhh", "dx");
            KernelGuard.NoOverlap(DWhh, Scratch, kernel, "dWhh", "scratch");
            KernelGuard.NoOverlap(DbIh, DbHh, kernel, "dbIh", "dbHh");
            KernelGuard.NoOverlap(DbIh, Dx, kernel, "dbIh", "dx");
            KernelGuard.NoOverlap(DbIh, Scratch, kernel, "dbIh", "scratch");
            KernelGuard.NoOverlap(DbHh, Dx, kernel, "dbHh", "dx");
            KernelGuard.NoOverlap(DbHh, Scratch, kernel, "dbHh", "scratch");
            KernelGuard.NoOverlap(Dx, Scratch, kernel, "dx", "scratch");
        }
    }
}
