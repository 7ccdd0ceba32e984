using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen;

/// <summary>
/// One layer of a network, of any <see cref="LayerKind"/>, as data: its number, sizes, arguments and tensors. Layers are
/// numbered 1..L in source order over all kinds; dropout and the normalizations keep the feature count (inputs = units),
/// dense and recurrent layers set it. Generated networks build theirs with the factories, which validate the arguments.
/// </summary>
public sealed class LayerDescription : IEquatable<LayerDescription>
{
    private readonly LayerTensor[] _tensors;

    private LayerDescription(int index, LayerKind kind, int inputs, int units, Activation activation, float rate, float epsilon, float momentum, LayerTensor[] tensors, bool returnSequences = false)
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
    }

    /// <summary>The layer's number l, 1-based, counting layers of every kind.</summary>
    public int Index { get; }

    /// <summary>What the layer computes.</summary>
    public LayerKind Kind { get; }

    /// <summary>n[l-1]: the features it receives.</summary>
    public int Inputs { get; }

    /// <summary>n[l]: the features it produces (equal to <see cref="Inputs"/> for every kind but dense).</summary>
    public int Units { get; }

    /// <summary>g[l] of a dense layer; <see cref="Activation.Linear"/> for every other kind.</summary>
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

    /// <summary>Same number, kind, sizes, activation, arguments and tensors.</summary>
    public bool Equals(LayerDescription? other) =>
        other is not null && other.Index == Index && other.Kind == Kind && other.Inputs == Inputs && other.Units == Units && other.Activation == Activation &&
        other.Rate.Equals(Rate) && other.Epsilon.Equals(Epsilon) && other.Momentum.Equals(Momentum) && other.ReturnSequences == ReturnSequences &&
        _tensors.SequenceEqual(other._tensors);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LayerDescription);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Index, Kind, Inputs, Units, Activation, Rate, Epsilon, HashCode.Combine(Momentum, ReturnSequences));

    /// <summary>The gate count G of a recurrent kind (4 for LSTM, 3 for GRU), 0 for every other kind.</summary>
    internal static int GatesOf(LayerKind kind) => kind switch
    {
        LayerKind.Lstm => 4,
        LayerKind.Gru => 3,
        _ => 0,
    };

    /// <summary>For example <c>layer 2: batch_norm(epsilon=1E-05 momentum=0.1), 4 -> 4</c>.</summary>
    public override string ToString() => Invariant($"layer {Index}: {(Kind == LayerKind.Dense ? KindName(Kind) + " " + NetworkArchitecture.ActivationName(Activation) : Arguments())}, {Inputs} -> {Units}");

    /// <summary>The lower-case name descriptions and weight files use for a kind (<c>batch_norm</c>, …).</summary>
    internal static string KindName(LayerKind kind) => kind switch
    {
        LayerKind.Dense => "dense",
        LayerKind.Dropout => "dropout",
        LayerKind.BatchNorm => "batch_norm",
        LayerKind.LayerNorm => "layer_norm",
        LayerKind.Lstm => "lstm",
        LayerKind.Gru => "gru",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown layer kind."),
    };

    /// <summary>
    /// The kind and its arguments as weight files record them: <c>dense</c>, <c>dropout(rate=0.2)</c>,
    /// <c>batch_norm(epsilon=1E-05 momentum=0.1)</c>, <c>layer_norm(epsilon=1E-05)</c>, <c>lstm(return_sequences=true)</c>,
    /// <c>gru(return_sequences=false)</c> (the units are in the layer sizes).
    /// </summary>
    internal string Arguments() => Kind switch
    {
        LayerKind.Dropout => Invariant($"dropout(rate={Rate})"),
        LayerKind.BatchNorm => Invariant($"batch_norm(epsilon={Epsilon} momentum={Momentum})"),
        LayerKind.LayerNorm => Invariant($"layer_norm(epsilon={Epsilon})"),
        LayerKind.Lstm or LayerKind.Gru => Invariant($"{KindName(Kind)}(return_sequences={(ReturnSequences ? "true" : "false")})"),
        _ => KindName(Kind),
    };

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
