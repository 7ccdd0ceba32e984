using System;
using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NnGen.Kernels;

/// <summary>
/// A frozen network's one-example forward pass through its dense layers in one call: y = A[L] from x = A[0], each
/// A[l] = g[l](W[l]·A[l-1] + b[l]) with <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>'s
/// bits, softmax (an output layer's) applied after its product as the network applies it.
/// </summary>
/// <remarks>
/// <para>
/// Built once for the vector width the process computes at: each layer that <see cref="PackedMatVec"/> would pack
/// gets its lane-major copy, every other layer reads its row-major W in place, and each layer's kernel is chosen then,
/// so a call checks x and y once, confirms the width once, and runs the layers' kernels one after another on pointers,
/// the hidden activations in a block of the call's own frame. Where a network runs a <see cref="PackedMatVec"/> and a
/// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// per layer, each paying its argument checks, width resolution and dispatch, this pays them once for the stack.
/// </para>
/// <para>
/// The row-major parameters stay in the buffer given to the constructor, laid out as <see cref="NetworkArchitecture"/>
/// describes them; they are read at construction (the packed copies) and by every call (the layers that are not
/// packed, and every layer at another width), so the buffer must not change while the stack is in use, as a frozen
/// network's never does. At a width other than the one it was built for (tests force widths at run time) every layer
/// runs the row-major product at the calling width, so the result is always that width's
/// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// chain. Immutable; thread-safe; a call allocates nothing unless its hidden layers need more than
/// <see cref="StackScratchFloats"/> floats, which come from the shared array pool.
/// </para>
/// </remarks>
public sealed unsafe class PackedDenseStack
{
    private const string Kernel = "PackedDenseStack";

    /// <summary>The largest scratch (two hidden layers' activations) a call takes from the stack; larger comes from the pool.</summary>
    private const int StackScratchFloats = 16 * 1024;

    private readonly AlignedBuffer _parameters;
    private readonly AlignedBuffer? _packed;
    private readonly Layer[] _layers;
    private readonly SimdWidth _width;

    /// <summary>Floats of each half of the scratch: the widest hidden layer (0 for a single layer).</summary>
    private readonly int _half;

    /// <summary>Builds the stack over a network's parameters for the current vector width.</summary>
    /// <param name="parameters">The network's parameters, laid out as <paramref name="architecture"/> says; read by every call, so it must not change afterwards.</param>
    /// <param name="architecture">The network: its layers, all dense, in order.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A layer is not dense, or a tensor lies outside <paramref name="parameters"/>.</exception>
    public PackedDenseStack(AlignedBuffer parameters, NetworkArchitecture architecture)
        : this(parameters, architecture, SimdWidth.Auto)
    {
    }

    /// <summary>Builds the stack for calls at <paramref name="width"/> (tests build one for each width in turn).</summary>
    internal PackedDenseStack(AlignedBuffer parameters, NetworkArchitecture architecture, SimdWidth width)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(architecture);
        var layers = architecture.Layers;
        _parameters = parameters;
        _width = SimdWidths.Resolve(width);
        _layers = new Layer[layers.Count];
        float* first = Pointer(parameters);
        int packedFloats = 0;
        var layouts = new LaneMajorLayout[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            LayerDescription layer = layers[l];
            if (layer.Kind != LayerKind.Dense)
            {
                throw new ArgumentException($"{Kernel}: layer {layer.Index} of {architecture.Name} is {layer.Kind}; every layer must be Dense.", nameof(architecture));
            }

            LayerTensor w = layer.Tensors[0], b = layer.Tensors[1];
            long end = Math.Max((long)w.Offset + ((long)layer.Units * layer.Inputs), (long)b.Offset + layer.Units);
            if (w.Offset < 0 || b.Offset < 0 || end > parameters.Length)
            {
                throw new ArgumentException(
                    $"{Kernel}: layer {layer.Index}'s {w.Name} and {b.Name} end at float {end}, beyond the {parameters.Length} floats of parameters.", nameof(parameters));
            }

            layouts[l] = LaneMajorMatVec.LayoutFor(_width, layer.Units, layer.Inputs);
            packedFloats = checked(packedFloats + RoundToVector(LaneMajorMatVec.PackedLength(layouts[l], layer.Units, layer.Inputs)));
            if (l < layers.Count - 1)
            {
                _half = Math.Max(_half, RoundToVector(layer.Units));
            }
        }

        if (packedFloats > 0)
        {
            _packed = new AlignedBuffer(packedFloats);
        }

        int packedOffset = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            LayerDescription layer = layers[l];
            int rows = layer.Units, cols = layer.Inputs;
            float* w = first + layer.Tensors[0].Offset;
            float* operand = w;
            int length = LaneMajorMatVec.PackedLength(layouts[l], rows, cols);
            if (length > 0)
            {
                Span<float> copy = _packed!.Slice(packedOffset, length);
                LaneMajorMatVec.Pack(layouts[l], parameters.Slice(layer.Tensors[0].Offset, rows * cols), rows, cols, copy);
                operand = Pointer(_packed) + packedOffset;
                packedOffset += RoundToVector(length);
            }

            bool softmax = layer.Activation == Activation.Softmax;
            var choice = new KernelChoice(layouts[l], _width);
            ActivationOperators.Visit(softmax ? Activation.Linear : layer.Activation, ref choice, Kernel, nameof(architecture));
            _layers[l] = new Layer(choice.Kernel, operand, w, first + layer.Tensors[1].Offset, rows, cols, softmax ? Activation.Linear : layer.Activation, softmax, length > 0);
        }

        InputSize = layers[0].Inputs;
        OutputSize = layers[^1].Units;
    }

    /// <summary>n[0]: the floats of x.</summary>
    public int InputSize { get; }

    /// <summary>n[L]: the floats of y.</summary>
    public int OutputSize { get; }

    /// <summary>The layers that run from a packed copy at the width the stack was built for (the others read W row-major).</summary>
    public int PackedLayerCount
    {
        get
        {
            int count = 0;
            foreach (Layer layer in _layers)
            {
                count += layer.IsPacked ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>
    /// y = A[L] for x = A[0]: every layer's product, bias and activation, with the bits of the same layers run one
    /// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
    /// (and an output softmax's <see cref="SoftmaxKernels.Forward(Span{float}, int, int)"/>) at a time.
    /// </summary>
    /// <param name="x">x, <see cref="InputSize"/> floats.</param>
    /// <param name="y">y, <see cref="OutputSize"/> floats; overwritten. Must not overlap the parameters, nor x when the stack is one layer.</param>
    /// <exception cref="ArgumentException">A length is wrong or y overlaps what it must not; <paramref name="y"/> is then untouched.</exception>
    public void Forward(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y, SimdWidth.Auto);

    /// <summary><see cref="Forward(ReadOnlySpan{float}, Span{float})"/> at <paramref name="width"/>.</summary>
    [SkipLocalsInit]
    internal void Forward(ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        Layer[] layers = _layers;

        // One combined test on the way in; the precise message only when it fails.
        if (x.Length != InputSize || y.Length != OutputSize || y.Overlaps(_parameters.Span) || (layers.Length == 1 && y.Overlaps(x)))
        {
            ThrowArguments(x, y);
        }

        int scratchFloats = 2 * _half;
        Unsafe.SkipInit(out ScratchBlock block);
        float[]? rented = null;
        Span<float> scratch = scratchFloats <= ScratchBlock.Floats ? block :
            scratchFloats <= StackScratchFloats ? stackalloc float[scratchFloats] : (rented = ArrayPool<float>.Shared.Rent(scratchFloats));
        bool packedWidth = SimdWidths.Resolve(width) == _width;
        fixed (float* px = x, py = y, ps = scratch)
        {
            float* input = px;
            int last = layers.Length - 1;
            for (int l = 0; l <= last; l++)
            {
                ref readonly Layer layer = ref layers[l];
                float* output = l == last ? py : ps + ((l & 1) * _half);
                if (packedWidth)
                {
                    layer.Kernel(layer.Operand, input, layer.Bias, output, layer.Rows, layer.Cols);
                }
                else
                {
                    MatVecKernels.Forward(width, layer.W, input, layer.Bias, output, layer.Rows, layer.Cols, layer.ProductActivation);
                }

                if (layer.Softmax)
                {
                    SoftmaxKernels.Forward(new Span<float>(output, layer.Rows), layer.Rows, 1, width);
                }

                input = output;
            }
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Floats rounded up to whole 512-bit vectors, so every packed copy and scratch half starts on a 64-byte boundary.</summary>
    private static int RoundToVector(int floats) => (floats + 15) & ~15;

    /// <summary>The first float of a buffer on the pinned object heap, which lives as long as this object keeps it.</summary>
    private static float* Pointer(AlignedBuffer buffer) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer.Span));

    [DoesNotReturn]
    private void ThrowArguments(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        const string Method = Kernel + ".Forward";
        KernelGuard.VectorLength(x.Length, InputSize, Method, nameof(x), nameof(InputSize));
        KernelGuard.VectorLength(y.Length, OutputSize, Method, nameof(y), nameof(OutputSize));
        KernelGuard.NoOverlap(y, _parameters.Span, Method, nameof(y), "the parameters");
        KernelGuard.NoOverlap(y, x, Method, nameof(y), nameof(x));
        throw new UnreachableException($"{Method}: the combined argument check failed but no single check did.");
    }

    /// <summary>One layer as a call runs it: its kernel and the operands that kernel reads.</summary>
    private readonly struct Layer(
        delegate*<float*, float*, float*, float*, int, int, void> kernel, float* operand, float* w, float* bias, int rows, int cols,
        Activation productActivation, bool softmax, bool isPacked)
    {
        /// <summary>The packed copy's kernel, or the row-major product's at the stack's width.</summary>
        public delegate*<float*, float*, float*, float*, int, int, void> Kernel { get; } = kernel;

        /// <summary>What <see cref="Kernel"/> reads as W: the packed copy, or W itself.</summary>
        public float* Operand { get; } = operand;

        /// <summary>W row-major, for calls at another width.</summary>
        public float* W { get; } = w;

        public float* Bias { get; } = bias;

        public int Rows { get; } = rows;

        public int Cols { get; } = cols;

        /// <summary>g applied with the product: the layer's activation, linear for softmax (applied afterwards).</summary>
        public Activation ProductActivation { get; } = productActivation;

        public bool Softmax { get; } = softmax;

        public bool IsPacked { get; } = isPacked;
    }

    /// <summary>The kernel of one layer for its activation: the packed layout's, or the row-major product's at the width.</summary>
    private struct KernelChoice(LaneMajorLayout layout, SimdWidth width) : IActivationVisitor
    {
        public delegate*<float*, float*, float*, float*, int, int, void> Kernel { get; private set; }

        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator =>
            Kernel = layout == LaneMajorLayout.None ? MatVecKernels.KernelFor<TActivation>(width) : LaneMajorMatVec.KernelFor<TActivation>(layout);
    }

    /// <summary>
    /// The scratch of stacks whose hidden layers are at most 512 units, a fixed block in the frame: a per-call
    /// <c>stackalloc</c> of a variable length probes the stack in a loop.
    /// </summary>
    [InlineArray(Floats)]
    private struct ScratchBlock
    {
        public const int Floats = 1024;

        private float _element0;
    }
}
