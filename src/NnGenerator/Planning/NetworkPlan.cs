using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>
    /// Everything about a valid network decided before any text is written: every size, parameter offset and cache
    /// offset as a constant (so the emitted code is straight-line with no size arithmetic left to run time), the loss,
    /// how dZ[L] is formed, the <see cref="ComputeStrategy"/>, and the workspace and scratch that strategy needs.
    /// </summary>
    internal sealed class NetworkPlan
    {
        /// <summary>
        /// Floats of scratch a call may take from the stack (64 KiB); beyond this the emitted code rents from the
        /// shared ArrayPool instead, which is also allocation-free once warm.
        /// </summary>
        public const int StackLimitFloats = 16 * 1024;

        /// <summary>Upper bound on examples per inference chunk: enough to amortise kernel start-up, small enough to stay in L1/L2.</summary>
        public const int MaxBatchChunk = 256;

        private NetworkPlan(NetworkSpec spec, IReadOnlyList<LayerPlan> layers, LossKind loss)
        {
            Spec = spec;
            Layers = layers;
            Loss = loss;
            InputSize = ShapeRules.InputShape(spec).Aggregate(1, (product, size) => product * size);
            OutputSize = layers[layers.Count - 1].Units;
            ParameterCount = layers.Sum(layer => layer.Tensors.Where(tensor => !tensor.IsState).Sum(tensor => tensor.Length));
            StateCount = layers.Sum(layer => layer.Tensors.Where(tensor => tensor.IsState).Sum(tensor => tensor.Length));
            HasTrainingForward = layers.Any(layer => !layer.IsDense);
            IsRecurrent = LayerRules.IsSequenceNetwork(spec);
            InputShape = ShapeRules.InputShape(spec);
            IsShaped = !IsRecurrent && (spec.InputShape.Count > 0 || layers.Any(layer => ShapeRules.IsShaped(layer.Kind)));
            // ConvKernels.ConvBackwardScratch(g, 1): col and dcol of one example plus one group's dW; the kernels take at
            // most that per example for any m (they cut col into chunks), so m of these always suffice.
            ConvFloats = layers.Select(layer => layer.Conv is { } conv
                ? (2 * conv.KernelVolume * conv.OutHeight * conv.OutWidth) + (conv.OutChannels / conv.Groups * conv.KernelVolume)
                : 0).DefaultIfEmpty(0).Max();
            InputTransposeFloats = layers[0].Conv is not null || layers[0].Pool is not null || layers[0].Kind == LayerKind.GlobalAvgPool ? InputSize : 0;
            StreamStateCount = layers.Sum(layer => layer.StreamStateFloats);
            HasTrainingMode = layers.Any(layer => LayerRules.HasTrainingMode(layer.Kind));
            ExtraCachePerExample = layers.Sum(layer => layer.ExtraCachePerExample);
            HiddenUnits = layers.Take(layers.Count - 1).Sum(layer => layer.Units);
            ActivationUnits = layers.Sum(layer => layer.Units);
            MaxUnits = layers.Max(layer => layer.Units);
            LabelTransposeUnits = OutputSize > 1 ? OutputSize : 0;
            OutputDelta = StrategyPolicy.ChooseOutputDelta(Output.Activation, loss);
            Strategy = StrategyPolicy.ChooseStrategy(layers, ParameterCount, OutputDelta);
            if (Strategy == ComputeStrategy.Tiny)
            {
                // Padded (n[0] + n[L] + Σ n[l]) x m: Xᵀ, Yᵀ and A[1..L] (a hidden layer's rows then take its dZ); the
                // training pass goes over them layer by layer, and the gradient sums live in registers.
                WorkspacePerExample = InputSize + OutputSize + ActivationUnits;
                BatchChunk = MaxBatchChunk;
                BatchScratch = BatchChunk * (InputSize + OutputSize);
            }
            else if (IsShaped)
            {
                // Per example: the forward's cache, Xᵀ (when the first layer needs the input feature-major) and the
                // convolutions' scratch, then the deltas, labels and extras.
                WorkspacePerExample = ForwardFloats + (2 * MaxUnits) + LabelTransposeUnits + ExtraCachePerExample;
                int chunkFloats = ForwardFloats + LabelTransposeUnits;
                BatchChunk = Math.Max(1, Math.Min(MaxBatchChunk, ShapedChunkFloats / chunkFloats));
                BatchScratch = BatchChunk * chunkFloats;
            }
            else
            {
                WorkspacePerExample = ActivationUnits + (2 * MaxUnits) + LabelTransposeUnits + ExtraCachePerExample;
                int chunkFloats = ActivationUnits + LabelTransposeUnits;
                BatchChunk = DenseBatchChunk(chunkFloats);
                BatchScratch = BatchChunk * chunkFloats;
            }
        }

        /// <summary>
        /// Floats of activations one inference chunk of a dense network may take (128 KiB, in the thread's scratch of
        /// <c>BatchPrediction</c>): the chunk's A[l] stay in L2 beside the first layer's W, which every chunk reads again
        /// from L2/L3, so a longer chunk spreads that read over more examples. [784,256,128,10] predicts 10,000 examples
        /// about 9 % faster in chunks of 64 than of 40 (Zen 5, AVX-512); chunks of 80 and 128 measured no faster.
        /// </summary>
        public const int DenseChunkFloats = 32 * 1024;

        /// <summary>
        /// Examples per chunk whose columns fill a 512-bit outer-product tile of the kernels (4 vectors of 16): a
        /// chunk of 40 left layer 2 of [784,256,128,10] a two-vector tile and an overlapping tail vector, 20 % more
        /// work than its columns.
        /// </summary>
        public const int ChunkTileExamples = 64;

        /// <summary>Examples per chunk of one 512-bit vector, the rounding for chunks shorter than <see cref="ChunkTileExamples"/>.</summary>
        public const int ChunkVectorExamples = 16;

        /// <summary>
        /// A dense network's chunk: as many examples as <see cref="DenseChunkFloats"/> holds (at most
        /// <see cref="MaxBatchChunk"/>, at least one), rounded down to whole 512-bit tiles of columns, else to whole
        /// vectors, so the products' columns end on a tile or vector edge instead of in a recomputed tail.
        /// </summary>
        internal static int DenseBatchChunk(int chunkFloats)
        {
            int fit = Math.Min(MaxBatchChunk, DenseChunkFloats / chunkFloats);
            int round = fit >= ChunkTileExamples ? ChunkTileExamples : fit >= ChunkVectorExamples ? ChunkVectorExamples : 1;
            return Math.Max(1, fit / round * round);
        }

        /// <summary>
        /// Floats of scratch one inference chunk of a convolutional network may take (32 MiB, rented from the pool): its
        /// layers' activations and the convolutions' scratch are large (LeNet-5: 48,600 floats per example), so chunks are
        /// sized by this rather than the stack; LeNet-5's chunks of 172 examples predict 10,000 images 1.6 times faster
        /// than chunks of 21 (4 MiB).
        /// </summary>
        public const int ShapedChunkFloats = 1 << 23;

        public NetworkSpec Spec { get; }

        /// <summary>One example's shape: Input's (C, L) or (C, H, W), or (n[0]).</summary>
        public int[] InputShape { get; }

        /// <summary>Whether the network declares an Input shape or has a shaped layer (convolution, pool, flatten).</summary>
        public bool IsShaped { get; }

        /// <summary>Floats per example of the convolutions' scratch: what the largest layer's backward pass takes for one example.</summary>
        public int ConvFloats { get; }

        /// <summary>n[0] when the first layer reads the input feature-major (a convolution or pool), which is then transposed into the workspace; else 0.</summary>
        public int InputTransposeFloats { get; }

        /// <summary>Floats per example a shaped network's forward pass uses: the cache A[1..L], Xᵀ and the convolutions' scratch.</summary>
        public int ForwardFloats => ActivationUnits + InputTransposeFloats + ConvFloats;

        /// <summary>
        /// Whether the network runs over time steps (it has an Lstm or Gru layer, or a causal Conv1D over <c>Inputs</c>
        /// features per step; <see cref="LayerRules.IsSequenceNetwork"/>): it is emitted by <c>RecurrentNetworkEmitter</c>.
        /// </summary>
        public bool IsRecurrent { get; }

        /// <summary>Floats of one stream's state (h, and c for LSTM, of every recurrent layer): the size of the generated <c>State</c>.</summary>
        public int StreamStateCount { get; }

        /// <summary>Floats of non-trainable state (batch norm's running statistics); 0 for most networks.</summary>
        public int StateCount { get; }

        /// <summary>
        /// Whether the backward pass needs a forward of its own (<c>ForwardBatchTraining</c>): some layer caches more
        /// than A[l] (a mask, x̂ and 1/σ) or computes differently in training. Dense-only networks train on the inference
        /// forward.
        /// </summary>
        public bool HasTrainingForward { get; }

        /// <summary>Whether training computes something Predict does not (dropout masks, batch statistics).</summary>
        public bool HasTrainingMode { get; }

        /// <summary>Σ of the layers' training caches beyond A[l], in floats per example (the workspace's extra region).</summary>
        public int ExtraCachePerExample { get; }

        public IEnumerable<TensorPlan> Tensors => Layers.SelectMany(layer => layer.Tensors);

        /// <summary>How batches and training are computed (see <see cref="StrategyPolicy.ChooseStrategy"/>).</summary>
        public ComputeStrategy Strategy { get; }

        /// <summary>How dZ[L] follows from A[L] and Y.</summary>
        public OutputDelta OutputDelta { get; }

        public IReadOnlyList<LayerPlan> Layers { get; }

        public LayerPlan Output => Layers[Layers.Count - 1];

        public LossKind Loss { get; }

        public int InputSize { get; }

        public int OutputSize { get; }

        public int ParameterCount { get; }

        /// <summary>Σ n[l] for l &lt; L: the single-example scratch for hidden activations.</summary>
        public int HiddenUnits { get; }

        /// <summary>Σ n[l] for l ≤ L: floats per example of the forward cache A[1..L].</summary>
        public int ActivationUnits { get; }

        /// <summary>max n[l]: floats per example of each of the two alternating dZ/dA buffers.</summary>
        public int MaxUnits { get; }

        /// <summary>n[L] when labels must be transposed to the feature-major layout of A[L] (n[L] &gt; 1), else 0.</summary>
        public int LabelTransposeUnits { get; }

        /// <summary>Floats of workspace per example for a training pass: cache, two delta buffers, transposed labels.</summary>
        public int WorkspacePerExample { get; }

        /// <summary>Examples per inference chunk.</summary>
        public int BatchChunk { get; }

        /// <summary>Floats of scratch one inference chunk needs.</summary>
        public int BatchScratch { get; }

        public static NetworkPlan Create(NetworkSpec spec)
        {
            var layers = new List<LayerPlan>(spec.Layers.Count);
            bool recurrent = LayerRules.IsSequenceNetwork(spec);
            List<LayerShape> shapes = recurrent ? new List<LayerShape>() : ShapeRules.Infer(spec).Shapes;
            int previous = ShapeRules.InputShape(spec).Aggregate(1, (product, size) => product * size);
            int offset = 0;
            int stateOffset = 0;
            int cacheOffset = 0;
            int extraOffset = 0;
            int streamOffset = 0;
            var streamTerms = new List<string>();
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                LayerShape? shape = i < shapes.Count ? shapes[i] : null;
                if (recurrent && LayerRules.IsCausalConvolution(layer))
                {
                    // One step of a causal Conv1D: a (Cin, 1) input padded by d·(K − 1) before it gives (Cout, 1).
                    var step = new ConvShape(previous, 1, 1, layer.Units, 1, layer.Kernel, 1, 1, 0, 0, layer.Dilation * (layer.Kernel - 1), 0, 1, layer.Dilation, layer.Groups, 1, 1);
                    shape = new LayerShape(new EquatableArray<int>(new[] { previous }), new EquatableArray<int>(new[] { layer.Units }), step, null);
                }

                int units = shape is not null ? shape.OutputFeatures : LayerRules.HasUnits(layer.Kind) ? layer.Units : previous;
                var tensors = shape?.Conv is { } conv
                    ? ConvolutionTensors(layer.Kind, i + 1, conv, offset)
                    : LayerTensors(layer.Kind, i + 1, previous, units, offset, stateOffset);
                var plan = new LayerPlan(
                    Index: i + 1,
                    Inputs: previous,
                    Units: units,
                    Activation: layer.Kind == LayerKind.Dense || ShapeRules.IsConvolution(layer.Kind) ? layer.Activation : ActivationKind.Linear,
                    Init: NetworkRules.ResolveInit((InitKind)layer.InitValue, (InitKind)spec.InitValue, layer.Activation),
                    WeightOffset: offset,
                    BiasOffset: tensors.Count > 1 ? tensors[1].Offset : offset,
                    CacheOffset: cacheOffset)
                {
                    Kind = layer.Kind,
                    Rate = layer.Rate,
                    Epsilon = layer.Epsilon,
                    Momentum = layer.Momentum,
                    Tensors = new EquatableArray<TensorPlan>(tensors),
                    ExtraCacheOffset = extraOffset,
                    ReturnSequences = layer.ReturnSequences,
                    StreamStateOffset = streamOffset,
                    StreamStateOffsetExpression = streamTerms.Count switch { 0 => "0", 1 => streamTerms[0], _ => "(" + string.Join(" + ", streamTerms) + ")" },
                    InputShape = shape?.Input ?? new EquatableArray<int>(new[] { previous }),
                    OutputShape = shape?.Output ?? new EquatableArray<int>(new[] { units }),
                    Conv = shape?.Conv,
                    Pool = shape?.Pool,
                    StreamStateFloats = recurrent && LayerRules.IsCausalConvolution(layer)
                        ? LayerRules.CausalHistoryFloats(previous, layer.Kernel, layer.Dilation)
                        : LayerRules.StreamStateCount(layer.Kind, units),
                };
                streamOffset += plan.StreamStateFloats;
                if (LayerRules.IsRecurrent(layer.Kind))
                {
                    streamTerms.Add((layer.Kind == LayerKind.Lstm ? "2 * " : string.Empty) + plan.UnitsConstant);
                }
                else if (plan.StreamStateFloats > 0)
                {
                    streamTerms.Add(Emit.Literals.Int(plan.StreamStateFloats));
                }
                layers.Add(plan);
                offset += tensors.Where(tensor => !tensor.IsState).Sum(tensor => tensor.Length);
                stateOffset += tensors.Where(tensor => tensor.IsState).Sum(tensor => tensor.Length);
                cacheOffset += units;
                extraOffset += plan.ExtraCachePerExample;
                previous = units;
            }

            LossKind loss = NetworkRules.ResolveLoss((LossKind)spec.LossValue, layers[layers.Count - 1].Activation);
            return new NetworkPlan(spec, layers, loss);
        }

        /// <summary>
        /// A convolution's W (Cout, Cin / groups, kh, kw) — (Cout, Cin / groups, k) for Conv1D — row-major as PyTorch's
        /// <c>weight</c>, one row of (Cin / groups)·kh·kw per output channel, then b (Cout).
        /// </summary>
        private static List<TensorPlan> ConvolutionTensors(LayerKind kind, int index, ConvShape conv, int offset)
        {
            string l = Emit.Literals.Int(index);
            int[] dimensions = kind == LayerKind.Conv2D
                ? new[] { conv.OutChannels, conv.InChannels / conv.Groups, conv.KernelHeight, conv.KernelWidth }
                : new[] { conv.OutChannels, conv.InChannels / conv.Groups, conv.KernelWidth };
            return new List<TensorPlan>
            {
                new("W" + l, GeneratedNames.WeightPrefix + l, TensorRole.Weight, conv.OutChannels, conv.KernelVolume, offset, IsState: false, Decays: true)
                {
                    Dimensions = new EquatableArray<int>(dimensions),
                },
                new("b" + l, "b" + l, TensorRole.Bias, conv.OutChannels, 1, offset + (conv.OutChannels * conv.KernelVolume), IsState: false, Decays: false),
            };
        }

        /// <summary>
        /// The tensors of layer <paramref name="index"/>, in buffer order: W then b for Dense (W row-major (units, inputs),
        /// the only tensor weight decay applies to), γ then β for the normalizations, and batch norm's running mean and
        /// variance in the state buffer. Their names are the weight files' (and the runtime's <c>LayerDescription</c>'s).
        /// </summary>
        private static List<TensorPlan> LayerTensors(LayerKind kind, int index, int inputs, int units, int offset, int stateOffset)
        {
            string l = Emit.Literals.Int(index);
            var tensors = new List<TensorPlan>();
            switch (kind)
            {
                case LayerKind.Dense:
                    tensors.Add(new TensorPlan("W" + l, GeneratedNames.WeightPrefix + l, TensorRole.Weight, units, inputs, offset, IsState: false, Decays: true));
                    tensors.Add(new TensorPlan("b" + l, "b" + l, TensorRole.Bias, units, 1, offset + (units * inputs), IsState: false, Decays: false));
                    break;
                case LayerKind.BatchNorm:
                case LayerKind.LayerNorm:
                    tensors.Add(new TensorPlan("gamma" + l, "gamma" + l, TensorRole.Scale, units, 1, offset, IsState: false, Decays: false));
                    tensors.Add(new TensorPlan("beta" + l, "beta" + l, TensorRole.Shift, units, 1, offset + units, IsState: false, Decays: false));
                    if (kind == LayerKind.BatchNorm)
                    {
                        tensors.Add(new TensorPlan("running_mean" + l, "RunningMean" + l, TensorRole.RunningMean, units, 1, stateOffset, IsState: true, Decays: false));
                        tensors.Add(new TensorPlan("running_var" + l, "RunningVariance" + l, TensorRole.RunningVariance, units, 1, stateOffset + units, IsState: true, Decays: false));
                    }

                    break;
                case LayerKind.Lstm:
                case LayerKind.Gru:
                    // PyTorch's shapes and gate order (LSTM i, f, g, o; GRU r, z, n), so its tensors map one to one; the
                    // parameters hold Wih and Whh transposed (TensorPlan.IsStoredTransposed), the files untransposed.
                    int rows = LayerRules.GateCount(kind) * units;
                    tensors.Add(new TensorPlan("Wih" + l, "Wih" + l, TensorRole.InputWeight, rows, inputs, offset, IsState: false, Decays: true));
                    tensors.Add(new TensorPlan("Whh" + l, "Whh" + l, TensorRole.RecurrentWeight, rows, units, offset + (rows * inputs), IsState: false, Decays: true));
                    tensors.Add(new TensorPlan("bih" + l, "bih" + l, TensorRole.InputBias, rows, 1, offset + (rows * (inputs + units)), IsState: false, Decays: false));
                    tensors.Add(new TensorPlan("bhh" + l, "bhh" + l, TensorRole.RecurrentBias, rows, 1, offset + (rows * (inputs + units + 1)), IsState: false, Decays: false));
                    break;
            }

            return tensors;
        }
    }
}
