using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Convolution (PyTorch's <c>Conv1d</c>/<c>Conv2d</c>: stride, asymmetric zero padding, dilation, groups) and pooling
/// over the feature-major CHWN layout of the generated networks: a (C, H, W) tensor of m examples is C·H·W rows of m
/// floats, element (c, y, x) of example j at ((c·H + y)·W + x)·m + j. A 1-D layer is the case height 1. Called by
/// generated code, with <c>batch</c> = m of the call (1 for one example).
/// </summary>
/// <remarks>
/// <para>
/// A convolution is one matrix product per group on the im2col matrix: row (ci, ky, kx) of it holds, for every output
/// position and example, the input under that kernel tap, so Z = W·col + b (Cout × Ho·Wo·m, which is exactly the
/// output's CHWN order), dW = scale·dZ·colᵀ and dcol = Wᵀ·dZ, whose entries col2im adds back to the inputs they came
/// from. In CHWN a row of col is made of runs of m contiguous floats (one per output position; with stride 1 a whole
/// output row's valid positions are one run), copied as blocks, or zero where the tap falls in the padding. A 1×1
/// kernel with stride 1 and no padding needs no im2col: the input is already col. From 24 examples on, the forward pass
/// of every other kernel skips im2col too: the direct kernel (ConvKernels.Direct.cs, see <see cref="IsDirect"/>) reads
/// the input in place and gives the same bits.
/// </para>
/// <para>
/// col is built in chunks of at most <see cref="ChunkColumns"/> columns (output positions × examples, a number fixed by the
/// kernel volume alone), so scratch stays within <see cref="ChunkFloats"/> floats however large the batch, and each
/// chunk's product reads its columns of col from cache. Every element of Z is one FMA chain over the kernel in order
/// whatever chunk or tile computes it, so the forward pass gives the same bits for any chunking; dW sums the chunks'
/// products per slot in chunk order (chunk c in slot c mod 2, then slot 0 + slot 1) and dInput adds chunk after chunk, so
/// the backward pass depends on the shapes alone. Two threads (<see cref="KernelParallelism"/>) take the two slots'
/// chunks side by side, the forward pass and dW alike, with the same arithmetic as one thread taking every chunk in
/// order; for dInput they take half the input channels each (col2im adds a channel's rows of dcol only into that
/// channel), every chunk in order. Nothing depends on where the buffers sit.
/// </para>
/// </remarks>
public static unsafe partial class ConvKernels
{
    /// <summary>
    /// The most floats of col one chunk holds (256 KiB): a quarter of a 1 MiB L2, so the chunk's product (and the packed
    /// copy it makes of it) reads col from L2 right after im2col wrote it: on LeNet-5's layers at m = 128 it measured
    /// about 15 % faster than 1 MiB chunks, and 128 KiB and 512 KiB no better.
    /// </summary>
    internal const int ChunkFloats = 64 * 1024;

    /// <summary>
    /// Chunks in flight at once, each with its own col in scratch: chunk c always uses slot c mod 2, so two threads can
    /// work side by side and dW sums the same partial products in the same order on one thread or two.
    /// </summary>
    private const int Slots = 2;

    /// <summary>Chunks are cut at multiples of 64 columns: whole tiles of every width and tile shape of the products.</summary>
    private const int ChunkAlignment = 64;

    /// <summary>
    /// Columns (output positions × examples) per chunk of col: <see cref="ChunkFloats"/> / the kernel volume, rounded
    /// down to a multiple of 64, at least 64. It depends on the geometry only.
    /// </summary>
    internal static int ChunkColumns(in ConvGeometry g) => Math.Max(ChunkAlignment, ChunkFloats / g.KernelVolume / ChunkAlignment * ChunkAlignment);

    /// <summary>The floats of scratch <see cref="ConvForward(in ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, Span{float})"/> needs for <paramref name="batch"/> examples.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">m, the examples per call.</param>
    /// <returns>The kernel volume × the columns of one chunk, twice when there are several chunks (two threads may
    /// build two at once); 0 for a 1×1 kernel with stride 1 and no padding, and for any kernel at a batch of 24 or more (the
    /// direct kernel reads the input in place). At most 512 KiB unless one kernel's 64 columns alone take more.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">The scratch would exceed one buffer (2^31 − 1 floats).</exception>
    public static int ConvForwardScratch(in ConvGeometry g, int batch) => ConvForwardScratch(g, batch, ChunkColumns(g));

    /// <summary>The floats of scratch <see cref="ConvBackward(in ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, float, Span{float}, Span{float}, Span{float}, Span{float})"/> needs for <paramref name="batch"/> examples.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">m, the examples per call.</param>
    /// <returns>Per chunk slot (two when there are several chunks) one chunk of col and one group's dW, plus a second
    /// running dW for two slots; only one group's dW for a 1×1 kernel with stride 1 and no padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">The scratch would exceed one buffer (2^31 − 1 floats).</exception>
    public static int ConvBackwardScratch(in ConvGeometry g, int batch) => ConvBackwardScratch(g, batch, ChunkColumns(g));

    /// <summary>
    /// Z = W ∗ input + b for <paramref name="batch"/> examples in CHWN: output (co, oy, ox) of example j is
    /// b[co] + Σ W[co, ci, ky, kx]·input(group's ci, oy·sh + ky·dh − top, ox·sw + kx·dw − left, j), zero outside the input.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1], (Cin·H·W) × m.</param>
    /// <param name="weight">W, (Cout, Cin / groups, kh, kw) row-major: PyTorch's layout.</param>
    /// <param name="bias">b, Cout floats.</param>
    /// <param name="output">Z, (Cout·Ho·Wo) × m, before the activation; overwritten. Must not overlap the other spans.</param>
    /// <param name="batch">m, the examples.</param>
    /// <param name="scratch">At least <see cref="ConvForwardScratch(in ConvGeometry, int)"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch (the message names the
    /// span, the expected and the actual length), or <paramref name="output"/> overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void ConvForward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int batch, Span<float> scratch) =>
        ConvForward(g, input, weight, bias, output, batch, scratch, SimdWidth.Auto, ChunkColumns(g));

    /// <summary>
    /// A = g(W ∗ input + b): <see cref="ConvForward(in ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, Span{float})"/>
    /// followed by the element-wise activation, with the bits of <see cref="ActivationKernels.Forward(Activation, ReadOnlySpan{float}, Span{float})"/>
    /// over Z. The direct kernel applies a piecewise-linear activation (ReLU, leaky ReLU) as it stores each output
    /// instead of in a second pass over the layer's output.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1], (Cin·H·W) × m.</param>
    /// <param name="weight">W, (Cout, Cin / groups, kh, kw) row-major: PyTorch's layout.</param>
    /// <param name="bias">b, Cout floats.</param>
    /// <param name="output">A, (Cout·Ho·Wo) × m, after the activation; overwritten. Must not overlap the other spans.</param>
    /// <param name="batch">m, the examples.</param>
    /// <param name="scratch">At least <see cref="ConvForwardScratch(in ConvGeometry, int)"/> floats; overwritten.</param>
    /// <param name="activation">g: any element-wise activation (not softmax).</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch (the message names the
    /// span, the expected and the actual length), <paramref name="output"/> overlaps another span, or
    /// <paramref name="activation"/> is not element-wise.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative, or <paramref name="activation"/>
    /// is not a defined <see cref="Activation"/>.</exception>
    public static void ConvForward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int batch, Span<float> scratch,
        Activation activation) =>
        ConvForward(g, input, weight, bias, output, batch, scratch, SimdWidth.Auto, ChunkColumns(g), activation);

    /// <summary>
    /// The gradients of a convolution from dZ: dW = scale·Σ dZ·input patch, db = scale·Σ dZ over positions and examples,
    /// and dInput = the unscaled sum of W·dZ over every output that read each input.
    /// </summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="input">A[l-1] of the forward pass, (Cin·H·W) × m.</param>
    /// <param name="weight">W, (Cout, Cin / groups, kh, kw).</param>
    /// <param name="deltaZ">dZ, (Cout·Ho·Wo) × m.</param>
    /// <param name="batch">m, the examples.</param>
    /// <param name="scale">The factor on dW and db (the caller's 1/m).</param>
    /// <param name="dWeight">dW, as long as <paramref name="weight"/>; overwritten.</param>
    /// <param name="dBias">db, Cout floats; overwritten.</param>
    /// <param name="dInput">dA[l-1], (Cin·H·W) × m, overwritten; empty to skip it (the first layer).</param>
    /// <param name="scratch">At least <see cref="ConvBackwardScratch(in ConvGeometry, int)"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException">A span's length does not match the geometry and batch (the message names the
    /// span, the expected and the actual length), or an output span overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static void ConvBackward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, int batch, float scale,
        Span<float> dWeight, Span<float> dBias, Span<float> dInput, Span<float> scratch) =>
        ConvBackward(g, input, weight, deltaZ, batch, scale, dWeight, dBias, dInput, scratch, SimdWidth.Auto, ChunkColumns(g));

    internal static int ConvForwardScratch(in ConvGeometry g, int batch, int chunkColumns)
    {
        KernelGuard.NonNegative(batch, "ConvKernels.ConvForwardScratch", nameof(batch));
        if (IsPointwise(g) || IsDirect(g, batch))
        {
            return 0;
        }

        long columns = Columns(g, batch), chunk = Math.Min(columns, chunkColumns);
        return Floats(SlotCount(columns, chunkColumns) * g.KernelVolume * chunk);
    }

    internal static int ConvBackwardScratch(in ConvGeometry g, int batch, int chunkColumns)
    {
        KernelGuard.NonNegative(batch, "ConvKernels.ConvBackwardScratch", nameof(batch));
        long groupWeights = (long)g.OutChannels / g.Groups * g.KernelVolume;
        if (IsPointwise(g))
        {
            return Floats(groupWeights);
        }

        long columns = Columns(g, batch), chunk = Math.Min(columns, chunkColumns);
        int slots = SlotCount(columns, chunkColumns);

        // Per slot col and one group's partial dW; the second slot also its own running dW.
        return Floats((slots * ((g.KernelVolume * chunk) + groupWeights)) + (slots > 1 ? g.WeightCount : 0));
    }

    internal static void ConvForward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int batch,
        Span<float> scratch, SimdWidth width, int chunkColumns, Activation activation = Activation.Linear)
    {
        const string Kernel = "ConvKernels.ConvForward";
        ActivationOperators.Check(activation, Kernel, nameof(activation));
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        KernelGuard.MatrixLength(input.Length, g.InputFeatures, batch, Kernel, nameof(input), "Cin·H·W", nameof(batch));
        KernelGuard.VectorLength(weight.Length, g.WeightCount, Kernel, nameof(weight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.VectorLength(bias.Length, g.OutChannels, Kernel, nameof(bias), "Cout");
        KernelGuard.MatrixLength(output.Length, g.OutputFeatures, batch, Kernel, nameof(output), "Cout·Ho·Wo", nameof(batch));
        AtLeast(scratch.Length, ConvForwardScratch(g, batch, chunkColumns), Kernel, nameof(scratch), "ConvForwardScratch");
        KernelGuard.NoOverlap(output, input, Kernel, nameof(output), nameof(input));
        KernelGuard.NoOverlap(output, weight, Kernel, nameof(output), nameof(weight));
        KernelGuard.NoOverlap(output, bias, Kernel, nameof(output), nameof(bias));
        KernelGuard.NoOverlap(output, scratch, Kernel, nameof(output), nameof(scratch));
        KernelGuard.NoOverlap(scratch, input, Kernel, nameof(scratch), nameof(input));
        KernelGuard.NoOverlap(scratch, weight, Kernel, nameof(scratch), nameof(weight));
        KernelGuard.NoOverlap(scratch, bias, Kernel, nameof(scratch), nameof(bias));
        if (output.IsEmpty)
        {
            return;
        }

        fixed (float* px = input)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        fixed (float* pz = output)
        fixed (float* pscratch = scratch)
        {
            if (IsDirect(g, batch))
            {
                DirectForward(g, px, pw, pb, pz, batch, SimdWidths.Resolve(width), activation);
                return;
            }

            var pass = new ConvPass(g, batch, chunkColumns, SimdWidths.Resolve(width), TileShapes.Current, px, pw, pz, pscratch, 1f, pb, null, null);
            if (pass.Pointwise)
            {
                pass.ForwardPointwise();
            }
            else
            {
                RunSlots(&ForwardSlot, &pass);
            }
        }

        if (activation != Activation.Linear)
        {
            ActivationKernels.Forward(activation, output, output, width);
        }
    }

    internal static void ConvBackward(
        in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, int batch, float scale,
        Span<float> dWeight, Span<float> dBias, Span<float> dInput, Span<float> scratch, SimdWidth width, int chunkColumns)
    {
        const string Kernel = "ConvKernels.ConvBackward";
        KernelGuard.NonNegative(batch, Kernel, nameof(batch));
        KernelGuard.MatrixLength(input.Length, g.InputFeatures, batch, Kernel, nameof(input), "Cin·H·W", nameof(batch));
        KernelGuard.VectorLength(weight.Length, g.WeightCount, Kernel, nameof(weight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.MatrixLength(deltaZ.Length, g.OutputFeatures, batch, Kernel, nameof(deltaZ), "Cout·Ho·Wo", nameof(batch));
        KernelGuard.VectorLength(dWeight.Length, g.WeightCount, Kernel, nameof(dWeight), "Cout·(Cin/groups)·kh·kw");
        KernelGuard.VectorLength(dBias.Length, g.OutChannels, Kernel, nameof(dBias), "Cout");
        if (!dInput.IsEmpty)
        {
            KernelGuard.MatrixLength(dInput.Length, g.InputFeatures, batch, Kernel, nameof(dInput), "Cin·H·W", nameof(batch));
        }

        AtLeast(scratch.Length, ConvBackwardScratch(g, batch, chunkColumns), Kernel, nameof(scratch), "ConvBackwardScratch");
        NoOverlapWithInputs(dWeight, nameof(dWeight), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(dBias, nameof(dBias), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(dInput, nameof(dInput), input, weight, deltaZ, Kernel);
        NoOverlapWithInputs(scratch, nameof(scratch), input, weight, deltaZ, Kernel);
        KernelGuard.NoOverlap(dWeight, dBias, Kernel, nameof(dWeight), nameof(dBias));
        KernelGuard.NoOverlap(dWeight, dInput, Kernel, nameof(dWeight), nameof(dInput));
        KernelGuard.NoOverlap(dWeight, scratch, Kernel, nameof(dWeight), nameof(scratch));
        KernelGuard.NoOverlap(dBias, dInput, Kernel, nameof(dBias), nameof(dInput));
        KernelGuard.NoOverlap(dBias, scratch, Kernel, nameof(dBias), nameof(scratch));
        KernelGuard.NoOverlap(dInput, scratch, Kernel, nameof(dInput), nameof(scratch));

        SimdWidth resolved = SimdWidths.Resolve(width);
        ActivationKernels.SumRows(deltaZ, dBias, (int)Columns(g, batch), scale, resolved);
        dInput.Clear();
        if (Columns(g, batch) == 0)
        {
            dWeight.Clear();
            return;
        }

        fixed (float* px = input)
        fixed (float* pw = weight)
        fixed (float* pdz = deltaZ)
        fixed (float* pdw = dWeight)
        fixed (float* pdx = dInput)
        fixed (float* pscratch = scratch)
        {
            var pass = new ConvPass(g, batch, chunkColumns, resolved, TileShapes.Current, px, pw, pdz, pscratch, scale, null, pdw, pdx);
            if (pass.Pointwise)
            {
                pass.BackwardPointwise();
                return;
            }

            RunSlots(&WeightGradientSlot, &pass);
            if (pass.Slots > 1)
            {
                var sum = new Span<float>(pdw, g.WeightCount);
                TensorPrimitives.Add(sum, new ReadOnlySpan<float>(pass.SecondWeightGradient, g.WeightCount), sum);
            }

            if (pdx != null)
            {
                RunSlots(&InputGradientSlot, &pass);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="slot"/> for slots 0 and 1 on two threads when there are two slots, the product is large
    /// enough to share (<see cref="KernelParallelism.MinimumParallelFlops"/>) and the limit allows; otherwise slot −1 on
    /// the calling thread, which takes every chunk in order, each in its own slot.
    /// </summary>
    private static void RunSlots(delegate*<void*, int, int, void> slot, ConvPass* pass)
    {
        if (pass->Slots > 1 && pass->Flops >= KernelParallelism.MinimumParallelFlops && KernelParallelism.Current > 1)
        {
            KernelWorkers.Run(slot, pass, Slots);
        }
        else
        {
            slot(pass, -1, 1);
        }
    }

    /// <summary>Z for the chunks of one slot (every chunk for slot −1): im2col of each group, then W·col + b.</summary>
    private static void ForwardSlot(void* state, int slot, int parts)
    {
        ref ConvPass pass = ref *(ConvPass*)state;
        for (int chunk = Math.Max(slot, 0); chunk < pass.Chunks; chunk += slot < 0 ? 1 : Slots)
        {
            pass.ForwardChunk(chunk);
        }
    }

    /// <summary>dW of the chunks of one slot (every chunk for slot −1), summed per slot in chunk order.</summary>
    private static void WeightGradientSlot(void* state, int slot, int parts)
    {
        ref ConvPass pass = ref *(ConvPass*)state;
        for (int chunk = Math.Max(slot, 0); chunk < pass.Chunks; chunk += slot < 0 ? 1 : Slots)
        {
            pass.WeightGradientChunk(chunk);
        }
    }

    /// <summary>
    /// dInput of input channels [slot·Cin/2, (slot + 1)·Cin/2) (every channel for slot −1), through the slot's own col:
    /// col2im adds a channel's dcol rows only into that channel, so the two slots never write the same input.
    /// </summary>
    private static void InputGradientSlot(void* state, int slot, int parts)
    {
        ref ConvPass pass = ref *(ConvPass*)state;
        int channels = pass.Geometry.InChannels;
        if (slot < 0)
        {
            pass.InputGradient(0, 0, channels);
        }
        else
        {
            pass.InputGradient(slot, channels * slot / Slots, channels * (slot + 1) / Slots);
        }
    }

    /// <summary>
    /// One convolution call's operands and chunking, shared (on the caller's stack) by the threads that run its slots.
    /// Scratch holds, per slot, col (kernel volume × chunk columns) then one group's partial dW; after them, for two
    /// slots, slot 1's running dW (slot 0 sums straight into dWeight).
    /// </summary>
    private readonly struct ConvPass
    {
        public readonly ConvGeometry Geometry;
        public readonly int Batch, Columns, ChunkColumns, Chunks, Slots, Volume, GroupIn, GroupOut;
        public readonly bool Pointwise;
        public readonly long Flops;
        private readonly SimdWidth _width;
        private readonly TileShape _tiles;
        private readonly float* _input, _weight, _z, _scratch, _bias, _dWeight, _dInput;
        private readonly float _scale;

        // z is Z in the forward pass and dZ in the backward pass.
        public ConvPass(
            in ConvGeometry g, int batch, int chunkColumns, SimdWidth width, TileShape tiles, float* input, float* weight, float* z, float* scratch,
            float scale, float* bias, float* dWeight, float* dInput)
        {
            Geometry = g;
            Batch = batch;
            Columns = (int)ConvKernels.Columns(g, batch);
            Pointwise = IsPointwise(g);
            ChunkColumns = Pointwise ? Columns : Math.Min(Columns, chunkColumns);
            Chunks = (Columns + ChunkColumns - 1) / ChunkColumns;
            Slots = SlotCount(Columns, ChunkColumns);
            Volume = g.KernelVolume;
            GroupIn = g.InChannels / g.Groups;
            GroupOut = g.OutChannels / g.Groups;
            Flops = 2L * g.WeightCount * Columns;
            _width = width;
            _tiles = tiles;
            _input = input;
            _weight = weight;
            _z = z;
            _scratch = scratch;
            _scale = scale;
            _bias = bias;
            _dWeight = dWeight;
            _dInput = dInput;
        }

        /// <summary>Slot 1's running dW, after both slots' col and partial dW.</summary>
        public float* SecondWeightGradient => _scratch + (Slots * SlotFloats);

        /// <summary>A slot's floats: col, then in the backward pass one group's partial dW.</summary>
        private long SlotFloats => ((long)Volume * ChunkColumns) + (_dWeight == null ? 0 : (long)GroupOut * Volume);

        private float* Col(int slot) => _scratch + (slot * SlotFloats);

        private float* Partial(int slot) => Col(slot) + ((nint)Volume * ChunkColumns);

        public void ForwardPointwise()
        {
            for (int group = 0; group < Geometry.Groups; group++)
            {
                GemmKernels.Outer(
                    _width, _tiles, _weight + ((nint)group * GroupOut * Volume), Volume, 1, _input + ((nint)group * GroupIn * Columns), Columns,
                    _z + ((nint)group * GroupOut * Columns), Columns, GroupOut, Volume, Columns, 1f,
                    new BiasActivationEpilogue<LinearOperator>(_bias + (group * GroupOut)));
            }
        }

        public void ForwardChunk(int chunk)
        {
            // A last chunk narrower than a vector would run the products' scalar loop, whose sums are not fused; it
            // starts earlier instead, recomputing some columns with the same chains (the same values, also when another
            // thread writes them), so the bits never depend on the chunking.
            int start = chunk * ChunkColumns;
            int first = Columns - start < ChunkAlignment && start > 0 ? Math.Max(0, Columns - ChunkAlignment) : start;
            int count = Math.Min(ChunkColumns, Columns - first);
            float* col = Col(chunk % ConvKernels.Slots);
            for (int group = 0; group < Geometry.Groups; group++)
            {
                Im2Col(Geometry, _input, group, Batch, first, count, col);
                GemmKernels.Outer(
                    _width, _tiles, _weight + ((nint)group * GroupOut * Volume), Volume, 1, col, count,
                    _z + ((nint)group * GroupOut * Columns) + first, Columns, GroupOut, Volume, count, 1f,
                    new BiasActivationEpilogue<LinearOperator>(_bias + (group * GroupOut)));
            }
        }

        public void BackwardPointwise()
        {
            for (int group = 0; group < Geometry.Groups; group++)
            {
                float* dz = _z + ((nint)group * GroupOut * Columns);
                float* x = _input + ((nint)group * GroupIn * Columns);
                GemmKernels.Dot(_width, _tiles, dz, Columns, x, Columns, _dWeight + ((nint)group * GroupOut * Volume), Volume, GroupOut, Columns, Volume, _scale, null);
                if (_dInput != null)
                {
                    // dX = Wᵀ·dZ: Wᵀ(i, p) = w[p·volume + i], read in place through the depth stride.
                    GemmKernels.Outer(
                        _width, _tiles, _weight + ((nint)group * GroupOut * Volume), 1, Volume, dz, Columns,
                        _dInput + ((nint)group * GroupIn * Columns), Columns, Volume, GroupOut, Columns, 1f);
                }
            }
        }

        /// <summary>scale·dZ·colᵀ of one chunk, added to its slot's running dW (the slot's first chunk writes it).</summary>
        public void WeightGradientChunk(int chunk)
        {
            int slot = chunk % ConvKernels.Slots, start = chunk * ChunkColumns, count = Math.Min(ChunkColumns, Columns - start);
            float* col = Col(slot), partial = Partial(slot);
            float* running = slot == 0 ? _dWeight : SecondWeightGradient;
            int groupWeights = GroupOut * Volume;
            for (int group = 0; group < Geometry.Groups; group++)
            {
                Im2Col(Geometry, _input, group, Batch, start, count, col);
                float* dw = running + ((nint)group * groupWeights);
                GemmKernels.Dot(
                    _width, _tiles, _z + ((nint)group * GroupOut * Columns) + start, Columns, col, count, chunk < ConvKernels.Slots ? dw : partial, Volume,
                    GroupOut, count, Volume, _scale, null);
                if (chunk >= ConvKernels.Slots)
                {
                    var sum = new Span<float>(dw, groupWeights);
                    TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partial, groupWeights), sum);
                }
            }
        }

        /// <summary>
        /// dInput of input channels [first, end), chunk after chunk: dcol = Wᵀ·dZ for those channels' rows into
        /// <paramref name="slot"/>'s col, then col2im. Each element of dcol is the product's FMA chain over the output
        /// channels whichever rows a call computes, and each input adds its dcol entries in chunk order, so the channels
        /// may be cut anywhere with the same bits.
        /// </summary>
        public void InputGradient(int slot, int first, int end)
        {
            float* dcol = Col(slot);
            int taps = Geometry.KernelHeight * Geometry.KernelWidth;
            for (int start = 0; start < Columns; start += ChunkColumns)
            {
                int count = Math.Min(ChunkColumns, Columns - start);
                for (int group = 0; group < Geometry.Groups; group++)
                {
                    int low = Math.Max(first, group * GroupIn) - (group * GroupIn), high = Math.Min(end, (group + 1) * GroupIn) - (group * GroupIn);
                    if (low >= high)
                    {
                        continue;
                    }

                    GemmKernels.Outer(
                        _width, _tiles, _weight + ((nint)group * GroupOut * Volume) + ((nint)low * taps), 1, Volume,
                        _z + ((nint)group * GroupOut * Columns) + start, Columns, dcol, count, (high - low) * taps, GroupOut, count, 1f);
                    Col2Im(Geometry, _dInput, group, low, high, Batch, start, count, dcol);
                }
            }
        }
    }

    /// <summary>A 1×1 kernel with stride 1 and no padding reads each input once, in place: the input is its own im2col matrix.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1 &&
        g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0;

    /// <summary>Ho·Wo·m: the columns of col and of Z.</summary>
    private static long Columns(in ConvGeometry g, int batch) => (long)g.OutHeight * g.OutWidth * batch;

    /// <summary>Slots a call uses: one for a single chunk, else two.</summary>
    private static int SlotCount(long columns, long chunkColumns) => columns > chunkColumns ? Slots : 1;

    private static int Floats(long floats) =>
        floats <= int.MaxValue ? (int)floats : throw new ArgumentException("The convolution's scratch exceeds one buffer (2^31 - 1 floats).");

    /// <summary>
    /// Columns [first, first + count) of group <paramref name="group"/>'s im2col matrix into <paramref name="col"/>
    /// (kernel volume rows × count): row (ci, ky, kx), column (oy·Wo + ox)·m + j holds input(ci, y, x, j) for
    /// y = oy·sh + ky·dh − top, x = ox·sw + kx·dw − left, or zero in the padding.
    /// </summary>
    private static void Im2Col(in ConvGeometry g, float* input, int group, int batch, long first, int count, float* col)
    {
        var taps = new TapWalk(g, batch, first, count);
        int groupIn = g.InChannels / g.Groups;
        int row = 0;
        for (int ci = 0; ci < groupIn; ci++)
        {
            float* plane = input + ((nint)(group * groupIn + ci) * g.InHeight * g.InWidth * batch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++, row++)
                {
                    // Indexed by the absolute column, so every run below is clipped against the chunk the same way.
                    float* target = col + ((nint)row * count) - first;
                    taps.Start(ky, kx);
                    for (int oy = taps.FirstRow; oy <= taps.LastRow; oy++)
                    {
                        long rowStart = oy * taps.RowColumns;
                        int y = taps.InputRow(oy);
                        if (y < 0)
                        {
                            taps.Zero(target, rowStart, rowStart + taps.RowColumns);
                            continue;
                        }

                        float* source = plane + ((nint)y * g.InWidth * batch);
                        taps.Zero(target, rowStart, rowStart + (taps.Low * (long)batch));
                        if (g.StrideWidth == 1)
                        {
                            // Stride 1: the valid positions of the output row read one contiguous stretch of the input row.
                            taps.Copy(target, rowStart + (taps.Low * (long)batch), rowStart + (taps.High * (long)batch), source + ((nint)taps.InputColumn(taps.Low) * batch));
                        }
                        else
                        {
                            for (int ox = taps.Low; ox < taps.High; ox++)
                            {
                                long run = rowStart + ((long)ox * batch);
                                taps.Copy(target, run, run + batch, source + ((nint)taps.InputColumn(ox) * batch));
                            }
                        }

                        taps.Zero(target, rowStart + (taps.High * (long)batch), rowStart + taps.RowColumns);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The inverse of <see cref="Im2Col"/> for the group's input channels [firstChannel, endChannel), whose rows
    /// <paramref name="dcol"/> holds from its first row: adds every entry to the input it was copied from.
    /// </summary>
    private static void Col2Im(in ConvGeometry g, float* dInput, int group, int firstChannel, int endChannel, int batch, long first, int count, float* dcol)
    {
        var taps = new TapWalk(g, batch, first, count);
        int groupIn = g.InChannels / g.Groups;
        int row = 0;
        for (int ci = firstChannel; ci < endChannel; ci++)
        {
            float* plane = dInput + ((nint)(group * groupIn + ci) * g.InHeight * g.InWidth * batch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++, row++)
                {
                    float* source = dcol + ((nint)row * count) - first;
                    taps.Start(ky, kx);
                    for (int oy = taps.FirstRow; oy <= taps.LastRow; oy++)
                    {
                        int y = taps.InputRow(oy);
                        if (y < 0)
                        {
                            continue;
                        }

                        long rowStart = oy * taps.RowColumns;
                        float* target = plane + ((nint)y * g.InWidth * batch);
                        if (g.StrideWidth == 1)
                        {
                            taps.AddTo(source, rowStart + (taps.Low * (long)batch), rowStart + (taps.High * (long)batch), target + ((nint)taps.InputColumn(taps.Low) * batch));
                        }
                        else
                        {
                            for (int ox = taps.Low; ox < taps.High; ox++)
                            {
                                long run = rowStart + ((long)ox * batch);
                                taps.AddTo(source, run, run + batch, target + ((nint)taps.InputColumn(ox) * batch));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The positions one kernel tap reads, for a chunk of columns [first, end): the output rows the chunk touches, the
    /// input row of each (negative in the padding), and the output columns [Low, High) whose input column is inside
    /// the input; runs are clipped to the chunk.
    /// </summary>
    private struct TapWalk
    {
        private readonly int _inHeight, _inWidth, _outWidth, _strideHeight, _strideWidth, _dilationHeight, _dilationWidth, _padTop, _padLeft;
        private readonly long _first, _end;
        private int _rowOffset, _columnOffset;

        public TapWalk(in ConvGeometry g, int batch, long first, int count)
        {
            _inHeight = g.InHeight;
            _inWidth = g.InWidth;
            _outWidth = g.OutWidth;
            _strideHeight = g.StrideHeight;
            _strideWidth = g.StrideWidth;
            _dilationHeight = g.DilationHeight;
            _dilationWidth = g.DilationWidth;
            _padTop = g.PadTop;
            _padLeft = g.PadLeft;
            _first = first;
            _end = first + count;
            RowColumns = (long)g.OutWidth * batch;
            FirstRow = (int)(first / RowColumns);
            LastRow = (int)((_end - 1) / RowColumns);
        }

        /// <summary>Wo·m: the columns of one output row.</summary>
        public long RowColumns { get; }

        /// <summary>The first output row the chunk touches.</summary>
        public int FirstRow { get; }

        /// <summary>The last output row the chunk touches.</summary>
        public int LastRow { get; }

        /// <summary>The first output column whose input column lies inside the input.</summary>
        public int Low { get; private set; }

        /// <summary>One past the last such output column (at least <see cref="Low"/>).</summary>
        public int High { get; private set; }

        public void Start(int ky, int kx)
        {
            _rowOffset = (ky * _dilationHeight) - _padTop;
            _columnOffset = (kx * _dilationWidth) - _padLeft;

            // ox·sw + offset ∈ [0, W): ox ≥ ⌈−offset / sw⌉ and ox ≤ ⌊(W − 1 − offset) / sw⌋.
            int low = _columnOffset >= 0 ? 0 : (-_columnOffset + _strideWidth - 1) / _strideWidth;
            int last = _inWidth - 1 - _columnOffset;
            int high = last < 0 ? 0 : Math.Min(_outWidth, (last / _strideWidth) + 1);
            Low = Math.Min(low, _outWidth);
            High = Math.Max(high, Low);
        }

        /// <summary>The input row output row <paramref name="oy"/> reads with this tap, or −1 in the padding.</summary>
        public readonly int InputRow(int oy)
        {
            int y = (oy * _strideHeight) + _rowOffset;
            return y >= 0 && y < _inHeight ? y : -1;
        }

        /// <summary>The input column output column <paramref name="ox"/> reads with this tap.</summary>
        public readonly int InputColumn(int ox) => (ox * _strideWidth) + _columnOffset;

        /// <summary>Zeros target[start, end) within the chunk.</summary>
        public readonly void Zero(float* target, long start, long end)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                new Span<float>(target + from, (int)(to - from)).Clear();
            }
        }

        /// <summary>target[start, end) = source[0, end − start) within the chunk.</summary>
        public readonly void Copy(float* target, long start, long end, float* source)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                new ReadOnlySpan<float>(source + (from - start), (int)(to - from)).CopyTo(new Span<float>(target + from, (int)(to - from)));
            }
        }

        /// <summary>target[0, end − start) += source[start, end) within the chunk.</summary>
        public readonly void AddTo(float* source, long start, long end, float* target)
        {
            long from = Math.Max(start, _first), to = Math.Min(end, _end);
            if (from < to)
            {
                var sum = new Span<float>(target + (from - start), (int)(to - from));
                TensorPrimitives.Add(sum, new ReadOnlySpan<float>(source + from, (int)(to - from)), sum);
            }
        }
    }

    private static void NoOverlapWithInputs(
        ReadOnlySpan<float> output, string name, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> deltaZ, string kernel)
    {
        KernelGuard.NoOverlap(output, input, kernel, name, nameof(input));
        KernelGuard.NoOverlap(output, weight, kernel, name, nameof(weight));
        KernelGuard.NoOverlap(output, deltaZ, kernel, name, nameof(deltaZ));
    }

    private static void AtLeast(int actual, int expected, string kernel, string parameter, string sizeName)
    {
        if (actual < expected)
        {
            throw new ArgumentException(
                ConvGeometry.Invariant($"{kernel}: {parameter} has {actual} floats, expected at least {expected} ({sizeName})."), parameter);
        }
    }
}
