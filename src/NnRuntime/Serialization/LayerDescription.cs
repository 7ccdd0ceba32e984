using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Kernels;

namespace NnGen;

/// <summary>
/// One layer of a network, of any <see cref="LayerKind"/>, as data: its number, sizes, arguments and tensors. Layers are
/// numbered 1..L in source order over all kinds; dropout and the normalizations keep the feature count (inputs = units),
/// dense and recurrent layers set it. Generated networks build theirs with the factories, which validate the arguments.
/// </summary>
/// <remarks>
/// Convolution, pooling, global average pooling and flatten layers see shaped data: (C, H, W) for the 2-D kinds, (C, L)
/// for the 1-D ones (<see cref="InputShape"/>, <see cref="OutputShape"/>); their <see cref="Inputs"/> and
/// <see cref="Units"/> are the flattened feature counts (C·H·W), in PyTorch's order, so code that sums features works
/// unchanged. Every other kind sees flat features, (n).
/// </remarks>
public sealed class LayerDescription : IEquatable<LayerDescription>
{
    private readonly LayerTensor[] _tensors;
    private readonly int[] _inputShape;
    private readonly int[] _outputShape;

    private LayerDescription(
        int index, LayerKind kind, int inputs, int units, Activation activation, float rate, float epsilon, float momentum, LayerTensor[] tensors,
        bool returnSequences = false, int[]? inputShape = null, int[]? outputShape = null, ConvGeometry? convolution = null, PoolGeometry? pool = null)
    {
        Index = index;
        Kind = kind;
        Inputs = inputs;
        Units = units;
        Activation = activation;
        Rate = rate;
        Epsilon = epsilon;
        Momentum = momentum;
        ReturnSequences = returnSequences;
        _tensors = tensors;
        _inputShape = inputShape ?? new[] { inputs };
        _outputShape = outputShape ?? new[] { units };
        ConvolutionGeometry = convolution;
        Pool = pool;
    }

    /// <summary>The layer's number l, 1-based, counting layers of every kind.</summary>
    public int Index { get; }

    /// <summary>What the layer computes.</summary>
    public LayerKind Kind { get; }

    /// <summary>n[l-1]: the features it receives (C·H·W of a shaped input).</summary>
    public int Inputs { get; }

    /// <summary>n[l]: the features it produces (C·H·W of a shaped output); equal to <see cref="Inputs"/> for dropout and the normalizations.</summary>
    public int Units { get; }

    /// <summary>
    /// The shape of what it receives: (C, H, W) for a 2-D convolution or pool, (C, L) for a 1-D one, (C, H, W) or (C, L)
    /// for global average pooling and flatten (as given: (C, L) when the height is 1), (n) for every other kind.
    /// </summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>
    /// The shape of what it produces: (Cout, Ho, Wo) for a 2-D convolution or pool, (Cout, Lo) for a 1-D one, (C) for global
    /// average pooling, (C·H·W) for flatten, (n) for every other kind.
    /// </summary>
    public IReadOnlyList<int> OutputShape => _outputShape;

    /// <summary>The shape arithmetic of a <see cref="LayerKind.Conv1D"/> or <see cref="LayerKind.Conv2D"/> layer; <see langword="null"/> for every other kind.</summary>
    /// <remarks>The contract's <c>Convolution</c> property: C# does not allow it beside the factory method of that name.</remarks>
    public ConvGeometry? ConvolutionGeometry { get; }

    /// <summary>The shape arithmetic of a max or average pool (1-D or 2-D); <see langword="null"/> for every other kind.</summary>
    public PoolGeometry? Pool { get; }

    /// <summary>Whether the layer sees shaped data (a convolution, a pool, global average pooling or flatten), so <see cref="InputShape"/> has more than one dimension.</summary>
    internal bool IsShaped => Kind is >= LayerKind.Conv1D and <= LayerKind.Flatten;

    /// <summary>g[l] of a dense or convolution layer; <see cref="Activation.Linear"/> for every other kind.</summary>
    public Activation Activation { get; }

    /// <summary>The fraction of units a dropout layer drops while training, in [0, 1); 0 for every other kind.</summary>
    public float Rate { get; }

    /// <summary>The ε added to the variance by a normalization layer, above 0; 0 for every other kind.</summary>
    public float Epsilon { get; }

    /// <summary>
    /// Batch normalization's running-statistics momentum in [0, 1], PyTorch's convention: running = (1 − momentum)·running
    /// + momentum·batch; 0 for every other kind.
    /// </summary>
    public float Momentum { get; }

    /// <summary>
    /// Whether a recurrent layer passes on its output h at every step (<see langword="true"/>: the next layer runs at every
    /// step) or only at the last step of the sequence (<see langword="false"/>: many-to-one, one output per sequence);
    /// <see langword="false"/> for every other kind.
    /// </summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the layer is recurrent (<see cref="LayerKind.Lstm"/> or <see cref="LayerKind.Gru"/>).</summary>
    public bool IsRecurrent => Kind is LayerKind.Lstm or LayerKind.Gru;

    /// <summary>The layer's tensors in order (parameters first, then state).</summary>
    public IReadOnlyList<LayerTensor> Tensors => _tensors;

    /// <summary>A dense layer: <c>W{index}</c> (units, inputs) at <paramref name="parameterOffset"/>, then <c>b{index}</c> (units).</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="inputs">n[l-1], at least 1.</param>
    /// <param name="units">n[l], at least 1.</param>
    /// <param name="activation">g[l].</param>
    /// <param name="parameterOffset">Where W{index} starts in the parameter buffer.</param>
    /// <exception cref="ArgumentException">A number is out of range, the activation is unknown, or the tensors do not fit in a buffer.</exception>
    public static LayerDescription Dense(int index, int inputs, int units, Activation activation, int parameterOffset)
    {
        CheckIndex(index);
        CheckSize(index, inputs, nameof(inputs));
        CheckSize(index, units, nameof(units));
        CheckOffset(index, parameterOffset, nameof(parameterOffset));
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentException(Invariant($"Layer {index}: unknown activation {(int)activation}."), nameof(activation));
        }

        long weights = (long)units * inputs;
        if (parameterOffset + weights + units > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"Layer {index}: {weights} weights and {units} biases at offset {parameterOffset} do not fit in one buffer."), nameof(units));
        }

        var tensors = new[]
        {
            new LayerTensor(Invariant($"W{index}"), TensorRole.Weight, new[] { units, inputs }, parameterOffset, isState: false, decays: true),
            new LayerTensor(Invariant($"b{index}"), TensorRole.Bias, new[] { units }, parameterOffset + (int)weights, isState: false, decays: false),
        };
        return new LayerDescription(index, LayerKind.Dense, inputs, units, activation, 0f, 0f, 0f, tensors);
    }

    /// <summary>An inverted-dropout layer over <paramref name="units"/> features; it has no tensors.</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="units">The features it passes on, at least 1.</param>
    /// <param name="rate">The fraction dropped while training, in [0, 1).</param>
    /// <exception cref="ArgumentException">A number is out of range.</exception>
    public static LayerDescription Dropout(int index, int units, float rate)
    {
        CheckIndex(index);
        CheckSize(index, units, nameof(units));
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentException(Invariant($"Layer {index}: the dropout rate must be in [0, 1); found {rate}."), nameof(rate));
        }

        return new LayerDescription(index, LayerKind.Dropout, units, units, Activation.Linear, rate, 0f, 0f, Array.Empty<LayerTensor>());
    }

    /// <summary>
    /// A batch-normalization layer: parameters <c>gamma{index}</c> and <c>beta{index}</c> (units each) from
    /// <paramref name="parameterOffset"/>, state <c>running_mean{index}</c> and <c>running_var{index}</c> from
    /// <paramref name="stateOffset"/>.
    /// </summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="units">The features it normalizes, at least 1.</param>
    /// <param name="epsilon">Added to the variance, above 0 (PyTorch's default 1e-5).</param>
    /// <param name="momentum">The running statistics' momentum in [0, 1] (PyTorch's default 0.1).</param>
    /// <param name="parameterOffset">Where gamma{index} starts in the parameter buffer.</param>
    /// <param name="stateOffset">Where running_mean{index} starts in the state buffer.</param>
    /// <exception cref="ArgumentException">A number is out of range, or the tensors do not fit in a buffer.</exception>
    public static LayerDescription BatchNorm(int index, int units, float epsilon, float momentum, int parameterOffset, int stateOffset)
    {
        CheckIndex(index);
        CheckSize(index, units, nameof(units));
        CheckEpsilon(index, epsilon);
        if (!(momentum >= 0f && momentum <= 1f))
        {
            throw new ArgumentException(Invariant($"Layer {index}: the batch-norm momentum must be in [0, 1]; found {momentum}."), nameof(momentum));
        }

        CheckOffset(index, parameterOffset, nameof(parameterOffset));
        CheckOffset(index, stateOffset, nameof(stateOffset));
        CheckFits(index, parameterOffset, units, nameof(parameterOffset));
        CheckFits(index, stateOffset, units, nameof(stateOffset));
        var tensors = new[]
        {
            new LayerTensor(Invariant($"gamma{index}"), TensorRole.Scale, new[] { units }, parameterOffset, isState: false, decays: false),
            new LayerTensor(Invariant($"beta{index}"), TensorRole.Shift, new[] { units }, parameterOffset + units, isState: false, decays: false),
            new LayerTensor(Invariant($"running_mean{index}"), TensorRole.RunningMean, new[] { units }, stateOffset, isState: true, decays: false),
            new LayerTensor(Invariant($"running_var{index}"), TensorRole.RunningVariance, new[] { units }, stateOffset + units, isState: true, decays: false),
        };
        return new LayerDescription(index, LayerKind.BatchNorm, units, units, Activation.Linear, 0f, epsilon, momentum, tensors);
    }

    /// <summary>A layer-normalization layer: parameters <c>gamma{index}</c> and <c>beta{index}</c> (units each) from <paramref name="parameterOffset"/>.</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="units">The features it normalizes over, at least 1.</param>
    /// <param name="epsilon">Added to the variance, above 0 (PyTorch's default 1e-5).</param>
    /// <param name="parameterOffset">Where gamma{index} starts in the parameter buffer.</param>
    /// <exception cref="ArgumentException">A number is out of range, or the tensors do not fit in a buffer.</exception>
    public static LayerDescription LayerNorm(int index, int units, float epsilon, int parameterOffset)
    {
        CheckIndex(index);
        CheckSize(index, units, nameof(units));
        CheckEpsilon(index, epsilon);
        CheckOffset(index, parameterOffset, nameof(parameterOffset));
        CheckFits(index, parameterOffset, units, nameof(parameterOffset));
        var tensors = new[]
        {
            new LayerTensor(Invariant($"gamma{index}"), TensorRole.Scale, new[] { units }, parameterOffset, isState: false, decays: false),
            new LayerTensor(Invariant($"beta{index}"), TensorRole.Shift, new[] { units }, parameterOffset + units, isState: false, decays: false),
        };
        return new LayerDescription(index, LayerKind.LayerNorm, units, units, Activation.Linear, 0f, epsilon, 0f, tensors);
    }

    /// <summary>
    /// A long short-term memory layer (PyTorch's <c>nn.LSTM</c>, G = 4 gates in PyTorch's row order i, f, g, o): parameters
    /// <c>Wih{index}</c> (4·units, inputs), <c>Whh{index}</c> (4·units, units), <c>bih{index}</c> (4·units) and
    /// <c>bhh{index}</c> (4·units), contiguous from <paramref name="parameterOffset"/>; Wih and Whh decay, the biases do not.
    /// </summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="inputs">I: the features it receives at each step, at least 1.</param>
    /// <param name="units">H: its hidden units, the features it produces at each step, at least 1.</param>
    /// <param name="returnSequences">Whether it passes on h at every step, or only the last step's (see <see cref="ReturnSequences"/>).</param>
    /// <param name="parameterOffset">Where Wih{index} starts in the parameter buffer.</param>
    /// <exception cref="ArgumentException">A number is out of range, or the tensors do not fit in a buffer.</exception>
    public static LayerDescription Lstm(int index, int inputs, int units, bool returnSequences, int parameterOffset) =>
        Recurrent(LayerKind.Lstm, index, inputs, units, returnSequences, parameterOffset);

    /// <summary>
    /// A gated recurrent unit layer (PyTorch's <c>nn.GRU</c>, G = 3 gates in PyTorch's row order r, z, n, the reset gate
    /// applied after the hidden product): parameters <c>Wih{index}</c> (3·units, inputs), <c>Whh{index}</c> (3·units, units),
    /// <c>bih{index}</c> (3·units) and <c>bhh{index}</c> (3·units), contiguous from <paramref name="parameterOffset"/>; Wih and
    /// Whh decay, the biases do not.
    /// </summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="inputs">I: the features it receives at each step, at least 1.</param>
    /// <param name="units">H: its hidden units, the features it produces at each step, at least 1.</param>
    /// <param name="returnSequences">Whether it passes on h at every step, or only the last step's (see <see cref="ReturnSequences"/>).</param>
    /// <param name="parameterOffset">Where Wih{index} starts in the parameter buffer.</param>
    /// <exception cref="ArgumentException">A number is out of range, or the tensors do not fit in a buffer.</exception>
    public static LayerDescription Gru(int index, int inputs, int units, bool returnSequences, int parameterOffset) =>
        Recurrent(LayerKind.Gru, index, inputs, units, returnSequences, parameterOffset);

    /// <summary>
    /// A convolution layer (PyTorch's <c>nn.Conv1d</c> or <c>nn.Conv2d</c>) followed by its activation: <c>W{index}</c>
    /// (Cout, Cin / groups, kh, kw) for <see cref="LayerKind.Conv2D"/> or (Cout, Cin / groups, k) for
    /// <see cref="LayerKind.Conv1D"/>, PyTorch's <c>weight</c> layout, at <paramref name="parameterOffset"/>, then
    /// <c>b{index}</c> (Cout); W decays, b does not.
    /// </summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="kind"><see cref="LayerKind.Conv1D"/> or <see cref="LayerKind.Conv2D"/>.</param>
    /// <param name="geometry">
    /// Its shapes, kernel, stride, padding, dilation and groups; for <see cref="LayerKind.Conv1D"/> a one-dimensional
    /// geometry (<see cref="ConvGeometry.OneDimensional"/>: height 1, kernel height 1, no vertical stride, padding or dilation).
    /// </param>
    /// <param name="activation">g[l], element-wise (softmax normalizes a dense output layer only).</param>
    /// <param name="parameterOffset">Where W{index} starts in the parameter buffer.</param>
    /// <exception cref="ArgumentException">
    /// The index or offset is out of range, the kind is not a convolution, the geometry is the empty default or not
    /// one-dimensional for a Conv1D, the activation is unknown or softmax, or the tensors do not fit in a buffer.
    /// </exception>
    public static LayerDescription Convolution(int index, LayerKind kind, ConvGeometry geometry, Activation activation, int parameterOffset)
    {
        CheckIndex(index);
        if (kind is not (LayerKind.Conv1D or LayerKind.Conv2D))
        {
            throw new ArgumentException(Invariant($"Layer {index}: a convolution is Conv1D or Conv2D; found {kind}."), nameof(kind));
        }

        if (geometry.InChannels == 0)
        {
            throw new ArgumentException(Invariant($"Layer {index}: the geometry is empty (default(ConvGeometry)); build it with its constructor or ConvGeometry.OneDimensional."), nameof(geometry));
        }

        bool oneDimensional = kind == LayerKind.Conv1D;
        if (oneDimensional && !(geometry.InHeight == 1 && geometry.KernelHeight == 1 && geometry.StrideHeight == 1 && geometry.DilationHeight == 1 && geometry.PadTop == 0 && geometry.PadBottom == 0))
        {
            throw new ArgumentException(
                Invariant($"Layer {index}: Conv1D needs a one-dimensional geometry (height 1, kernel height 1, vertical stride and dilation 1, no vertical padding); found {geometry}."),
                nameof(geometry));
        }

        CheckActivation(index, activation, KindName(kind));
        CheckOffset(index, parameterOffset, nameof(parameterOffset));
        int outChannels = geometry.OutChannels, weights = geometry.WeightCount;
        if ((long)parameterOffset + weights + outChannels > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"Layer {index}: {weights} weights and {outChannels} biases at offset {parameterOffset} do not fit in one buffer."), nameof(parameterOffset));
        }

        int perGroup = geometry.InChannels / geometry.Groups;
        int[] weightShape = oneDimensional
            ? new[] { outChannels, perGroup, geometry.KernelWidth }
            : new[] { outChannels, perGroup, geometry.KernelHeight, geometry.KernelWidth };
        var tensors = new[]
        {
            new LayerTensor(Invariant($"W{index}"), TensorRole.Weight, weightShape, parameterOffset, isState: false, decays: true),
            new LayerTensor(Invariant($"b{index}"), TensorRole.Bias, new[] { outChannels }, parameterOffset + weights, isState: false, decays: false),
        };
        return new LayerDescription(
            index, kind, geometry.InputFeatures, geometry.OutputFeatures, activation, 0f, 0f, 0f, tensors,
            inputShape: Shape(oneDimensional, geometry.InChannels, geometry.InHeight, geometry.InWidth),
            outputShape: Shape(oneDimensional, outChannels, geometry.OutHeight, geometry.OutWidth),
            convolution: geometry);
    }

    /// <summary>A max or average pooling layer (PyTorch's <c>nn.MaxPool1d</c>, <c>nn.MaxPool2d</c>, <c>nn.AvgPool1d</c>, <c>nn.AvgPool2d</c>); it has no tensors.</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="kind"><see cref="LayerKind.MaxPool1D"/>, <see cref="LayerKind.MaxPool2D"/>, <see cref="LayerKind.AvgPool1D"/> or <see cref="LayerKind.AvgPool2D"/>.</param>
    /// <param name="geometry">
    /// Its shapes, window, stride and padding; for a 1-D kind a one-dimensional geometry (<see cref="PoolGeometry.OneDimensional"/>:
    /// height 1, window height 1, no vertical stride or padding).
    /// </param>
    /// <exception cref="ArgumentException">The index is below 1, the kind is not a pool, or the geometry is the empty default or not one-dimensional for a 1-D kind.</exception>
    public static LayerDescription Pooling(int index, LayerKind kind, PoolGeometry geometry)
    {
        CheckIndex(index);
        if (kind is not (LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D))
        {
            throw new ArgumentException(Invariant($"Layer {index}: a pool is MaxPool1D, MaxPool2D, AvgPool1D or AvgPool2D; found {kind}."), nameof(kind));
        }

        if (geometry.Channels == 0)
        {
            throw new ArgumentException(Invariant($"Layer {index}: the geometry is empty (default(PoolGeometry)); build it with its constructor or PoolGeometry.OneDimensional."), nameof(geometry));
        }

        bool oneDimensional = kind is LayerKind.MaxPool1D or LayerKind.AvgPool1D;
        if (oneDimensional && !(geometry.InHeight == 1 && geometry.KernelHeight == 1 && geometry.StrideHeight == 1 && geometry.PadHeight == 0))
        {
            throw new ArgumentException(
                Invariant($"Layer {index}: {kind} needs a one-dimensional geometry (height 1, window height 1, vertical stride 1, no vertical padding); found {geometry}."),
                nameof(geometry));
        }

        return new LayerDescription(
            index, kind, geometry.InputFeatures, geometry.OutputFeatures, Activation.Linear, 0f, 0f, 0f, Array.Empty<LayerTensor>(),
            inputShape: Shape(oneDimensional, geometry.Channels, geometry.InHeight, geometry.InWidth),
            outputShape: Shape(oneDimensional, geometry.Channels, geometry.OutHeight, geometry.OutWidth),
            pool: geometry);
    }

    /// <summary>Global average pooling: (C, H, W), or (C, L) with <paramref name="height"/> 1, to the C channel means; it has no tensors.</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="channels">C, at least 1.</param>
    /// <param name="height">H, at least 1 (1 for a 1-D input).</param>
    /// <param name="width">W (L for a 1-D input), at least 1.</param>
    /// <exception cref="ArgumentException">A number is out of range, or C·H·W exceeds a buffer.</exception>
    public static LayerDescription GlobalAvgPool(int index, int channels, int height, int width)
    {
        int features = CheckShape(index, channels, height, width);
        return new LayerDescription(
            index, LayerKind.GlobalAvgPool, features, channels, Activation.Linear, 0f, 0f, 0f, Array.Empty<LayerTensor>(),
            inputShape: Shape(height == 1, channels, height, width), outputShape: new[] { channels });
    }

    /// <summary>Flatten: (C, H, W), or (C, L) with <paramref name="height"/> 1, to C·H·W features in PyTorch's order; the identity on the data; it has no tensors.</summary>
    /// <param name="index">The layer's number, 1-based.</param>
    /// <param name="channels">C, at least 1.</param>
    /// <param name="height">H, at least 1 (1 for a 1-D input).</param>
    /// <param name="width">W (L for a 1-D input), at least 1.</param>
    /// <exception cref="ArgumentException">A number is out of range, or C·H·W exceeds a buffer.</exception>
    public static LayerDescription Flatten(int index, int channels, int height, int width)
    {
        int features = CheckShape(index, channels, height, width);
        return new LayerDescription(
            index, LayerKind.Flatten, features, features, Activation.Linear, 0f, 0f, 0f, Array.Empty<LayerTensor>(),
            inputShape: Shape(height == 1, channels, height, width), outputShape: new[] { features });
    }

    /// <summary>Same number, kind, sizes, shapes, activation, arguments (geometry included) and tensors.</summary>
    public bool Equals(LayerDescription? other) =>
        other is not null && other.Index == Index && other.Kind == Kind && other.Inputs == Inputs && other.Units == Units && other.Activation == Activation &&
        other.Rate.Equals(Rate) && other.Epsilon.Equals(Epsilon) && other.Momentum.Equals(Momentum) && other.ReturnSequences == ReturnSequences &&
        Nullable.Equals(other.ConvolutionGeometry, ConvolutionGeometry) && Nullable.Equals(other.Pool, Pool) &&
        _inputShape.AsSpan().SequenceEqual(other._inputShape) && _outputShape.AsSpan().SequenceEqual(other._outputShape) &&
        _tensors.SequenceEqual(other._tensors);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LayerDescription);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Index, Kind, Inputs, Units, Activation, Rate, Epsilon, HashCode.Combine(Momentum, ReturnSequences, ConvolutionGeometry, Pool));

    /// <summary>The gate count G of a recurrent kind (4 for LSTM, 3 for GRU), 0 for every other kind.</summary>
    internal static int GatesOf(LayerKind kind) => kind switch
    {
        LayerKind.Lstm => 4,
        LayerKind.Gru => 3,
        _ => 0,
    };

    /// <summary>
    /// For example <c>layer 2: batch_norm(epsilon=1E-05 momentum=0.1), 4 -> 4</c>; a shaped layer in PyTorch's words with
    /// its shapes: <c>layer 1: Conv2d(1, 6, kernel_size=5, padding=2) relu, (1, 28, 28) -> (6, 28, 28)</c>.
    /// </summary>
    public override string ToString() => IsShaped
        ? Invariant($"layer {Index}: {TorchName()}{(Activation == Activation.Linear ? string.Empty : " " + NetworkArchitecture.ActivationName(Activation))}, {FormatShape(_inputShape)} -> {FormatShape(_outputShape)}")
        : Invariant($"layer {Index}: {(Kind == LayerKind.Dense ? KindName(Kind) + " " + NetworkArchitecture.ActivationName(Activation) : Arguments())}, {Inputs} -> {Units}");

    /// <summary>A shape as descriptions write it: <c>(6, 28, 28)</c>, <c>(120)</c>.</summary>
    internal static string FormatShape(IReadOnlyList<int> shape) => "(" + NamedTensor.FormatShape(shape) + ")";

    /// <summary>
    /// A shaped layer as PyTorch prints its module, defaults left out: <c>Conv2d(1, 6, kernel_size=5, padding=2)</c>,
    /// <c>Conv1d(4, 8, kernel_size=3, dilation=2, padding=(4, 0))</c> (padding (left, right) when uneven, (top, bottom, left,
    /// right) in 2-D), <c>MaxPool2d(kernel_size=2, stride=2)</c>, <c>AvgPool1d(kernel_size=3, stride=1, padding=1)</c>,
    /// <c>GlobalAvgPool</c>, <c>Flatten</c>.
    /// </summary>
    internal string TorchName()
    {
        switch (Kind)
        {
            case LayerKind.Conv1D or LayerKind.Conv2D:
                ConvGeometry c = ConvolutionGeometry!.Value;
                bool twoD = Kind == LayerKind.Conv2D;
                var parts = new List<string> { Invariant($"{c.InChannels}"), Invariant($"{c.OutChannels}"), "kernel_size=" + Pair(twoD, c.KernelHeight, c.KernelWidth) };
                if (c.StrideHeight != 1 || c.StrideWidth != 1)
                {
                    parts.Add("stride=" + Pair(twoD, c.StrideHeight, c.StrideWidth));
                }

                if (c.PadTop != c.PadBottom || c.PadLeft != c.PadRight)
                {
                    parts.Add(twoD ? Invariant($"padding=({c.PadTop}, {c.PadBottom}, {c.PadLeft}, {c.PadRight})") : Invariant($"padding=({c.PadLeft}, {c.PadRight})"));
                }
                else if (c.PadTop != 0 || c.PadLeft != 0)
                {
                    parts.Add("padding=" + Pair(twoD, c.PadTop, c.PadLeft));
                }

                if (c.DilationHeight != 1 || c.DilationWidth != 1)
                {
                    parts.Add("dilation=" + Pair(twoD, c.DilationHeight, c.DilationWidth));
                }

                if (c.Groups != 1)
                {
                    parts.Add(Invariant($"groups={c.Groups}"));
                }

                return (twoD ? "Conv2d(" : "Conv1d(") + string.Join(", ", parts) + ")";

            case LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D:
                PoolGeometry p = Pool!.Value;
                bool pool2D = Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
                string name = Kind switch { LayerKind.MaxPool1D => "MaxPool1d", LayerKind.MaxPool2D => "MaxPool2d", LayerKind.AvgPool1D => "AvgPool1d", _ => "AvgPool2d" };
                string padding = p.PadHeight != 0 || p.PadWidth != 0 ? ", padding=" + Pair(pool2D, p.PadHeight, p.PadWidth) : string.Empty;
                return Invariant($"{name}(kernel_size={Pair(pool2D, p.KernelHeight, p.KernelWidth)}, stride={Pair(pool2D, p.StrideHeight, p.StrideWidth)}{padding})");

            case LayerKind.GlobalAvgPool:
                return "GlobalAvgPool";

            default:
                return "Flatten";
        }

        static string Pair(bool twoD, int height, int width) => !twoD || height == width ? Invariant($"{width}") : Invariant($"({height}, {width})");
    }

    /// <summary>The lower-case name descriptions and weight files use for a kind (<c>batch_norm</c>, …).</summary>
    internal static string KindName(LayerKind kind) => kind switch
    {
        LayerKind.Dense => "dense",
        LayerKind.Dropout => "dropout",
        LayerKind.BatchNorm => "batch_norm",
        LayerKind.LayerNorm => "layer_norm",
        LayerKind.Lstm => "lstm",
        LayerKind.Gru => "gru",
        LayerKind.Conv1D => "conv1d",
        LayerKind.Conv2D => "conv2d",
        LayerKind.MaxPool1D => "max_pool1d",
        LayerKind.MaxPool2D => "max_pool2d",
        LayerKind.AvgPool1D => "avg_pool1d",
        LayerKind.AvgPool2D => "avg_pool2d",
        LayerKind.GlobalAvgPool => "global_avg_pool",
        LayerKind.Flatten => "flatten",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown layer kind."),
    };

    /// <summary>
    /// The kind and its arguments as weight files record them: <c>dense</c>, <c>dropout(rate=0.2)</c>,
    /// <c>batch_norm(epsilon=1E-05 momentum=0.1)</c>, <c>layer_norm(epsilon=1E-05)</c>, <c>lstm(return_sequences=true)</c>,
    /// <c>gru(return_sequences=false)</c> (the units are in the layer sizes); for the shaped kinds the arguments of
    /// <see cref="ShapedArgumentNames"/> in that order, e.g. <c>conv2d(out_channels=6 kernel_h=5 kernel_w=5 stride_h=1
    /// stride_w=1 pad_top=2 pad_bottom=2 pad_left=2 pad_right=2 dilation_h=1 dilation_w=1 groups=1)</c>,
    /// <c>max_pool1d(kernel=2 stride=2 padding=0)</c>, <c>global_avg_pool</c>, <c>flatten</c> (the input shapes follow
    /// from the network's input shape).
    /// </summary>
    internal string Arguments() => Kind switch
    {
        LayerKind.Dropout => Invariant($"dropout(rate={Rate})"),
        LayerKind.BatchNorm => Invariant($"batch_norm(epsilon={Epsilon} momentum={Momentum})"),
        LayerKind.LayerNorm => Invariant($"layer_norm(epsilon={Epsilon})"),
        LayerKind.Lstm or LayerKind.Gru => Invariant($"{KindName(Kind)}(return_sequences={(ReturnSequences ? "true" : "false")})"),
        >= LayerKind.Conv1D and <= LayerKind.AvgPool2D =>
            KindName(Kind) + "(" + string.Join(" ", ShapedArgumentNames(Kind)!.Zip(ShapedArgumentValues(), (name, value) => Invariant($"{name}={value}"))) + ")",
        _ => KindName(Kind),
    };

    /// <summary>The argument names weight files record for a convolution or pool kind, in order; <see langword="null"/> for every other kind.</summary>
    internal static string[]? ShapedArgumentNames(LayerKind kind) => kind switch
    {
        LayerKind.Conv1D => new[] { "out_channels", "kernel", "stride", "pad_left", "pad_right", "dilation", "groups" },
        LayerKind.Conv2D => new[] { "out_channels", "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_top", "pad_bottom", "pad_left", "pad_right", "dilation_h", "dilation_w", "groups" },
        LayerKind.MaxPool1D or LayerKind.AvgPool1D => new[] { "kernel", "stride", "padding" },
        LayerKind.MaxPool2D or LayerKind.AvgPool2D => new[] { "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_h", "pad_w" },
        _ => null,
    };

    private int[] ShapedArgumentValues()
    {
        if (ConvolutionGeometry is ConvGeometry c)
        {
            return Kind == LayerKind.Conv1D
                ? new[] { c.OutChannels, c.KernelWidth, c.StrideWidth, c.PadLeft, c.PadRight, c.DilationWidth, c.Groups }
                : new[] { c.OutChannels, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth, c.PadTop, c.PadBottom, c.PadLeft, c.PadRight, c.DilationHeight, c.DilationWidth, c.Groups };
        }

        PoolGeometry p = Pool!.Value;
        return Kind is LayerKind.MaxPool1D or LayerKind.AvgPool1D
            ? new[] { p.KernelWidth, p.StrideWidth, p.PadWidth }
            : new[] { p.KernelHeight, p.KernelWidth, p.StrideHeight, p.StrideWidth, p.PadHeight, p.PadWidth };
    }

    private static LayerDescription Recurrent(LayerKind kind, int index, int inputs, int units, bool returnSequences, int parameterOffset)
    {
        CheckIndex(index);
        CheckSize(index, inputs, nameof(inputs));
        CheckSize(index, units, nameof(units));
        CheckOffset(index, parameterOffset, nameof(parameterOffset));
        int gates = GatesOf(kind);
        long rows = (long)gates * units;
        long inputWeights = rows * inputs, recurrentWeights = rows * units;
        if (parameterOffset + inputWeights + recurrentWeights + (2 * rows) > int.MaxValue)
        {
            throw new ArgumentException(
                Invariant($"Layer {index}: {inputWeights + recurrentWeights} weights and {2 * rows} biases of a {gates}-gate {KindName(kind)} at offset {parameterOffset} do not fit in one buffer."),
                nameof(units));
        }

        int gateRows = (int)rows;
        int whh = parameterOffset + (int)inputWeights, bih = whh + (int)recurrentWeights, bhh = bih + gateRows;
        var tensors = new[]
        {
            new LayerTensor(Invariant($"Wih{index}"), TensorRole.InputWeight, new[] { gateRows, inputs }, parameterOffset, isState: false, decays: true),
            new LayerTensor(Invariant($"Whh{index}"), TensorRole.RecurrentWeight, new[] { gateRows, units }, whh, isState: false, decays: true),
            new LayerTensor(Invariant($"bih{index}"), TensorRole.InputBias, new[] { gateRows }, bih, isState: false, decays: false),
            new LayerTensor(Invariant($"bhh{index}"), TensorRole.RecurrentBias, new[] { gateRows }, bhh, isState: false, decays: false),
        };
        return new LayerDescription(index, kind, inputs, units, Activation.Linear, 0f, 0f, 0f, tensors, returnSequences);
    }

    private static int[] Shape(bool oneDimensional, int channels, int height, int width) =>
        oneDimensional ? new[] { channels, width } : new[] { channels, height, width };

    private static int CheckShape(int index, int channels, int height, int width)
    {
        CheckIndex(index);
        CheckSize(index, channels, nameof(channels));
        CheckSize(index, height, nameof(height));
        CheckSize(index, width, nameof(width));
        long features = (long)channels * height * width;
        if (features > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"Layer {index}: ({channels}, {height}, {width}) holds {features} features, more than one buffer (2^31 - 1 floats)."), nameof(width));
        }

        return (int)features;
    }

    private static void CheckActivation(int index, Activation activation, string kind)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentException(Invariant($"Layer {index}: unknown activation {(int)activation}."), nameof(activation));
        }

        if (activation == Activation.Softmax)
        {
            throw new ArgumentException(Invariant($"Layer {index}: a {kind} layer's activation is element-wise; softmax normalizes a dense output layer."), nameof(activation));
        }
    }

    private static void CheckIndex(int index)
    {
        if (index < 1)
        {
            throw new ArgumentException(Invariant($"Layers are numbered from 1; found {index}."), nameof(index));
        }
    }

    private static void CheckSize(int index, int size, string parameter)
    {
        if (size < 1)
        {
            throw new ArgumentException(Invariant($"Layer {index}: {parameter} must be at least 1; found {size}."), parameter);
        }
    }

    private static void CheckOffset(int index, int offset, string parameter)
    {
        if (offset < 0)
        {
            throw new ArgumentException(Invariant($"Layer {index}: {parameter} must not be negative; found {offset}."), parameter);
        }
    }

    private static void CheckFits(int index, int offset, int units, string parameter)
    {
        if (offset + (2L * units) > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"Layer {index}: {2L * units} values at offset {offset} do not fit in one buffer."), parameter);
        }
    }

    private static void CheckEpsilon(int index, float epsilon)
    {
        if (!(epsilon > 0f) || float.IsPositiveInfinity(epsilon))
        {
            throw new ArgumentException(Invariant($"Layer {index}: epsilon must be a finite number above 0; found {epsilon}."), nameof(epsilon));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
