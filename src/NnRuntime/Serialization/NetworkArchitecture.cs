using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen;

/// <summary>
/// What a network is, as data: its name, its layers of every kind (<see cref="LayerDescription"/>) with their sizes
/// n[0], n[1], …, n[L], activations and tensors, and its loss. Generated networks expose it (see
/// <see cref="ISerializableNetwork"/>); weight files, baking and exporters read it, and weight files are checked against it.
/// </summary>
/// <remarks>
/// Layers are numbered 1..L over all kinds. The parameter buffer holds every layer's parameter tensors in layer order
/// (W1, b1, gamma2, beta2, W4, b4, …), contiguous, each W[l] of shape (n[l], n[l-1]) row-major; the state buffer holds
/// the running statistics (running_mean2, running_var2, …), contiguous, and is empty without batch normalization.
/// A network with a recurrent layer (<see cref="LayerKind.Lstm"/>, <see cref="LayerKind.Gru"/>) reads sequences: n[0]
/// features per step, every layer before the first recurrent one and after it applied at every step, until a recurrent
/// layer that returns only its last step (<see cref="LayerDescription.ReturnSequences"/> false), after which the layers
/// see one example per sequence. Its hidden (and cell) states are streaming state kept by the caller, not in the state buffer.
/// A network of convolutions and pools reads shaped examples (<see cref="InputShape"/> (C, H, W) or (C, L)), each one row
/// of its C·H·W values in PyTorch's NCHW order; n[l] are then flattened feature counts, and each layer's
/// <see cref="LayerDescription.InputShape"/> is the shape the layer before it produces.
/// </remarks>
public sealed class NetworkArchitecture : IEquatable<NetworkArchitecture>
{
    private readonly int[] _layerSizes;
    private readonly Activation[] _activations;
    private readonly LayerDescription[] _layers;
    private readonly int[] _inputShape;

    /// <summary>Describes a network of dense layers.</summary>
    /// <param name="name">The network's type name.</param>
    /// <param name="layerSizes">n[0] (the inputs), then the units of every layer: at least two entries, each at least 1.</param>
    /// <param name="activations">g[1], …, g[L]: one per layer, so one fewer than <paramref name="layerSizes"/>.</param>
    /// <param name="loss">The resolved cost the network trains with.</param>
    /// <exception cref="ArgumentException">The sizes or activations do not describe a network.</exception>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public NetworkArchitecture(string name, IReadOnlyList<int> layerSizes, IReadOnlyList<Activation> activations, Loss loss)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(activations);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException($"A network needs n[0] and at least one layer; found {layerSizes.Count} layer sizes.", nameof(layerSizes));
        }

        if (activations.Count != layerSizes.Count - 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{layerSizes.Count - 1} layers need {layerSizes.Count - 1} activations; found {activations.Count}."),
                nameof(activations));
        }

        long parameters = 0;
        for (int l = 0; l < layerSizes.Count; l++)
        {
            if (layerSizes[l] < 1)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"n[{l}] must be at least 1; found {layerSizes[l]}."), nameof(layerSizes));
            }

            if (l > 0)
            {
                parameters += ((long)layerSizes[l] * layerSizes[l - 1]) + layerSizes[l];
            }
        }

        if (parameters > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The network has {parameters} parameters; at most {Array.MaxLength} fit in one buffer."), nameof(layerSizes));
        }

        foreach (Activation activation in activations)
        {
            if (!Enum.IsDefined(activation))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Unknown activation {(int)activation}."), nameof(activations));
            }
        }

        Name = name;
        _layerSizes = layerSizes.ToArray();
        _activations = activations.ToArray();
        _layers = new LayerDescription[_activations.Length];
        int offset = 0;
        for (int l = 1; l <= _layers.Length; l++)
        {
            _layers[l - 1] = LayerDescription.Dense(l, _layerSizes[l - 1], _layerSizes[l], _activations[l - 1], offset);
            offset += (_layerSizes[l] * _layerSizes[l - 1]) + _layerSizes[l];
        }

        Loss = loss;
        ParameterCount = (int)parameters;
        _inputShape = new[] { _layerSizes[0] };
    }

    /// <summary>Describes a network of layers of any kind.</summary>
    /// <param name="name">The network's type name.</param>
    /// <param name="inputs">
    /// n[0], at least 1. When the first layer is a convolution, pool, global average pooling or flatten of n[0] features,
    /// its input shape is the network's <see cref="InputShape"/>; otherwise that is (n[0]).
    /// </param>
    /// <param name="layers">
    /// Layers 1..L in order (made by <see cref="LayerDescription"/>'s factories): each numbered by its position, each
    /// taking the previous layer's units (the first, <paramref name="inputs"/>), parameter tensors contiguous from 0 in
    /// layer order and state tensors likewise, the last layer dense, and no recurrent layer after one that returns only
    /// its last step.
    /// </param>
    /// <param name="loss">The resolved cost the network trains with.</param>
    /// <exception cref="ArgumentException">The layers do not describe a network; the message names the layer and what differs.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="layers"/> or one of the layers is <see langword="null"/>.</exception>
    public NetworkArchitecture(string name, int inputs, IReadOnlyList<LayerDescription> layers, Loss loss)
        : this(name, FlatInput(inputs, layers), layers, loss)
    {
    }

    /// <summary>Describes a network of layers of any kind that reads shaped examples (images, multi-channel signals).</summary>
    /// <param name="name">The network's type name.</param>
    /// <param name="inputShape">
    /// One example's shape: (C, H, W) for 2-D convolutions, (C, L) for 1-D ones, (n) for flat features; one to three
    /// dimensions, each at least 1. An example is one row of its C·H·W values in PyTorch's (NCHW) order, so n[0] is their product.
    /// </param>
    /// <param name="layers">
    /// Layers 1..L in order, as for the other constructor; in addition each layer's <see cref="LayerDescription.InputShape"/>
    /// is what the layer before it produces (the first, <paramref name="inputShape"/>): dropout and the normalizations keep
    /// the shape they are given, and dense and recurrent layers need flat features, so after a convolution or pool a
    /// Flatten or GlobalAvgPool comes first (as in PyTorch).
    /// </param>
    /// <param name="loss">The resolved cost the network trains with.</param>
    /// <exception cref="ArgumentException">The input shape or the layers do not describe a network; the message names the layer and what differs.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="inputShape"/>, <paramref name="layers"/> or one of the layers is <see langword="null"/>.</exception>
    public NetworkArchitecture(string name, IReadOnlyList<int> inputShape, IReadOnlyList<LayerDescription> layers, Loss loss)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        int inputs = CheckInputShape(inputShape);
        if (layers.Count == 0)
        {
            throw new ArgumentException("A network needs at least one layer; found none.", nameof(layers));
        }

        long parameters = 0, state = 0;
        int previous = inputs;
        int[] shape = inputShape.ToArray();
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDescription layer = layers[i] ?? throw new ArgumentNullException(nameof(layers), string.Create(CultureInfo.InvariantCulture, $"Layer {i + 1} is null."));
            if (layer.Index != i + 1)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The layer at position {i + 1} is numbered {layer.Index}; layers are numbered 1..L in order."), nameof(layers));
            }

            string source = i == 0
                ? (shape.Length == 1 ? string.Create(CultureInfo.InvariantCulture, $"the network has {inputs} inputs") : "the network's input is " + LayerDescription.FormatShape(shape))
                : shape.Length == 1
                    ? string.Create(CultureInfo.InvariantCulture, $"layer {i} produces {previous}")
                    : string.Create(CultureInfo.InvariantCulture, $"layer {i} ({LayerDescription.KindName(layers[i - 1].Kind)}) produces {LayerDescription.FormatShape(shape)}");
            shape = ChainShape(layer, shape, source);
            if (layer.Inputs != previous)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index} ({LayerDescription.KindName(layer.Kind)}) expects {layer.Inputs} inputs but {source}."), nameof(layers));
            }

            foreach (LayerTensor tensor in layer.Tensors)
            {
                long expected = tensor.IsState ? state : parameters;
                if (tensor.Offset != expected)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index}: {tensor.Name} starts at {(tensor.IsState ? "state" : "params")}[{tensor.Offset}] but the tensors before it end at {expected}; the buffer is contiguous in layer order."),
                        nameof(layers));
                }

                if (tensor.IsState)
                {
                    state += tensor.Length;
                }
                else
                {
                    parameters += tensor.Length;
                }
            }

            previous = layer.Units;
        }

        LayerDescription? lastStepOnly = null;
        foreach (LayerDescription layer in layers)
        {
            if (layer.IsRecurrent && lastStepOnly is not null)
            {
                // A sequence ends at a recurrent layer that returns its last step only; no later layer sees steps.
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Layer {layer.Index} ({LayerDescription.KindName(layer.Kind)}) needs a sequence, but layer {lastStepOnly.Index} ({LayerDescription.KindName(lastStepOnly.Kind)}) returns only its last step (ReturnSequences = false); return every step from layer {lastStepOnly.Index} to stack them."),
                    nameof(layers));
            }

            if (layer.IsRecurrent && !layer.ReturnSequences)
            {
                lastStepOnly = layer;
            }
        }

        if (layers[^1].Kind != LayerKind.Dense)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The last layer must be dense; layer {layers.Count} is {LayerDescription.KindName(layers[^1].Kind)}."), nameof(layers));
        }

        if (parameters > Array.MaxLength || state > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The network has {parameters} parameters and {state} state values; at most {Array.MaxLength} fit in one buffer."), nameof(layers));
        }

        Name = name;
        _inputShape = inputShape.ToArray();
        _layers = layers.ToArray();
        _layerSizes = new[] { inputs }.Concat(_layers.Select(layer => layer.Units)).ToArray();
        _activations = _layers.Select(layer => layer.Activation).ToArray();
        Loss = loss;
        ParameterCount = (int)parameters;
        StateCount = (int)state;
    }

    /// <summary>The network's type name.</summary>
    public string Name { get; }

    /// <summary>
    /// One example's shape: (C, H, W) or (C, L) for a network that starts with shaped layers (convolutions, pools), (n[0])
    /// for one that reads flat features. Its product is n[0].
    /// </summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>n[0], then the units of every layer: n[1], …, n[L].</summary>
    public IReadOnlyList<int> LayerSizes => _layerSizes;

    /// <summary>g[1], …, g[L]: every layer's activation (<see cref="Activation.Linear"/> for every kind but dense).</summary>
    public IReadOnlyList<Activation> Activations => _activations;

    /// <summary>Layers 1..L of every kind, in order.</summary>
    public IReadOnlyList<LayerDescription> Layers => _layers;

    /// <summary>Every layer's tensors (parameters and state), in layer order.</summary>
    public IEnumerable<LayerTensor> Tensors => _layers.SelectMany(layer => layer.Tensors);

    /// <summary>The resolved cost the network trains with.</summary>
    public Loss Loss { get; }

    /// <summary>L: the number of layers, of every kind.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>n[0].</summary>
    public int InputSize => _layerSizes[0];

    /// <summary>n[L].</summary>
    public int OutputSize => _layerSizes[^1];

    /// <summary>The length of the parameter buffer: every parameter tensor's values (Σ n[l]·n[l-1] + n[l] for dense layers).</summary>
    public int ParameterCount { get; }

    /// <summary>The length of the state buffer (<see cref="ITrainableNetwork.State"/>): the running statistics; 0 without batch normalization.</summary>
    public int StateCount { get; }

    /// <summary>Whether the network has a recurrent layer, so it reads sequences (n[0] features per step).</summary>
    public bool IsRecurrent => _layers.Any(layer => layer.IsRecurrent);

    /// <summary>n[l-1], the inputs of layer <paramref name="layer"/> (1-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    public int InputsOf(int layer) => _layerSizes[CheckLayer(layer) - 1];

    /// <summary>n[l], the units of layer <paramref name="layer"/> (1-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    public int UnitsOf(int layer) => _layerSizes[CheckLayer(layer)];

    /// <summary>Where W[l] starts in the parameter buffer (<paramref name="layer"/> is 1-based, a dense layer).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="ArgumentException">The layer is not dense, so it has no W.</exception>
    public int WeightOffset(int layer) => DenseTensor(layer, TensorRole.Weight).Offset;

    /// <summary>Where b[l] starts in the parameter buffer (<paramref name="layer"/> is 1-based, a dense layer).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="ArgumentException">The layer is not dense, so it has no b.</exception>
    public int BiasOffset(int layer) => DenseTensor(layer, TensorRole.Bias).Offset;

    /// <summary>
    /// The layers in one line, e.g. <c>2 -> 4 tanh -> 1 sigmoid</c> or
    /// <c>784 -> 256 relu -> batch_norm -> dropout(0.2) -> 128 relu -> layer_norm -> 10 softmax</c>, or for sequences
    /// <c>1 -> lstm(32) -> gru(16, last step) -> 1 linear</c>.
    /// </summary>
    /// <remarks>
    /// A network of shaped layers starts with its input shape and gives every shaped layer's output shape:
    /// <c>(1, 28, 28) -> conv2d relu (6, 28, 28) -> max_pool2d (6, 14, 14) -> flatten (1176) -> 10 softmax</c>.
    /// </remarks>
    public string Describe() =>
        string.Join(" -> ", new[] { _inputShape.Length == 1 ? _layerSizes[0].ToString(CultureInfo.InvariantCulture) : LayerDescription.FormatShape(_inputShape) }.Concat(_layers.Select(layer => layer.Kind switch
        {
            LayerKind.Dense => string.Create(CultureInfo.InvariantCulture, $"{layer.Units} {ActivationName(layer.Activation)}"),
            LayerKind.Dropout => string.Create(CultureInfo.InvariantCulture, $"dropout({layer.Rate})"),
            LayerKind.Lstm or LayerKind.Gru => string.Create(CultureInfo.InvariantCulture, $"{LayerDescription.KindName(layer.Kind)}({layer.Units}{(layer.ReturnSequences ? string.Empty : ", last step")})"),
            LayerKind.Conv1D or LayerKind.Conv2D when layer.Activation != Activation.Linear =>
                $"{LayerDescription.KindName(layer.Kind)} {ActivationName(layer.Activation)} {LayerDescription.FormatShape(layer.OutputShape)}",
            _ when layer.IsShaped => $"{LayerDescription.KindName(layer.Kind)} {LayerDescription.FormatShape(layer.OutputShape)}",
            _ => LayerDescription.KindName(layer.Kind),
        })));

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Describe()}";

    /// <summary>
    /// Same input shape, layer kinds, sizes, shapes, activations, rates, epsilons, momenta, ReturnSequences flags, geometries and loss (the name is
    /// not compared: renaming a class does not change its weights).
    /// </summary>
    public bool Equals(NetworkArchitecture? other) =>
        other is not null && other.Loss == Loss && _inputShape.AsSpan().SequenceEqual(other._inputShape) && _layers.AsSpan().SequenceEqual(other._layers);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NetworkArchitecture);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Loss);
        foreach (int dimension in _inputShape)
        {
            hash.Add(dimension);
        }

        foreach (LayerDescription layer in _layers)
        {
            hash.Add(layer);
        }

        return hash.ToHashCode();
    }

    /// <summary>The lower-case name weight files and exporters use for an activation (<c>leaky_relu</c>, …).</summary>
    public static string ActivationName(Activation activation) => activation switch
    {
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.ReLU => "relu",
        Activation.LeakyReLU => "leaky_relu",
        Activation.Linear => "linear",
        Activation.Softmax => "softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>The inverse of <see cref="ActivationName"/>; <see langword="false"/> for a name it does not know.</summary>
    public static bool TryParseActivation(string name, out Activation activation)
    {
        foreach (Activation candidate in Enum.GetValues<Activation>())
        {
            if (string.Equals(ActivationName(candidate), name, StringComparison.Ordinal))
            {
                activation = candidate;
                return true;
            }
        }

        activation = default;
        return false;
    }

    /// <summary>
    /// The input shape the (int inputs) constructor means: (inputs), or the first layer's shape when it is a shaped layer
    /// of as many features (its geometry already says how the row of n[0] values is laid out).
    /// </summary>
    private static int[] FlatInput(int inputs, IReadOnlyList<LayerDescription> layers)
    {
        if (inputs < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"n[0] must be at least 1; found {inputs}."), nameof(inputs));
        }

        return layers is { Count: > 0 } && layers[0] is { IsShaped: true } first && first.Inputs == inputs ? first.InputShape.ToArray() : new[] { inputs };
    }

    private static int CheckInputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count is < 1 or > 3 || inputShape.Any(d => d < 1))
        {
            throw new ArgumentException(
                "The input shape must be (n), (C, L) or (C, H, W) with every dimension at least 1; found " + LayerDescription.FormatShape(inputShape) + ".",
                nameof(inputShape));
        }

        long features = inputShape.Aggregate(1L, (product, d) => product * d);
        if (features > int.MaxValue)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The input shape {LayerDescription.FormatShape(inputShape)} holds {features} features, more than one buffer (2^31 - 1 floats)."), nameof(inputShape));
        }

        return (int)features;
    }

    /// <summary>
    /// The shape after <paramref name="layer"/>, given the <paramref name="shape"/> before it (described by <paramref name="source"/>):
    /// a convolution or pool needs exactly its input shape; global average pooling and flatten read (C, L) as (C, 1, L);
    /// dropout and the normalizations keep any shape of their feature count; dense and recurrent layers need flat features.
    /// </summary>
    private static int[] ChainShape(LayerDescription layer, int[] shape, string source)
    {
        string kind = LayerDescription.KindName(layer.Kind);
        switch (layer.Kind)
        {
            case LayerKind.GlobalAvgPool or LayerKind.Flatten:
                if (!AsChannelsHeightWidth(shape).AsSpan().SequenceEqual(AsChannelsHeightWidth(layer.InputShape)))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index} ({kind}) expects {LayerDescription.FormatShape(layer.InputShape)} but {source}."), "layers");
                }

                return layer.OutputShape.ToArray();

            case LayerKind.Dropout or LayerKind.BatchNorm or LayerKind.LayerNorm:
                return shape;

            case LayerKind.Dense or LayerKind.Lstm or LayerKind.Gru:
                // (C, 1) is C features: the output of one step of a causal Conv1D in a network over time steps.
                if (shape.Length > 1 && !(shape.Length == 2 && shape[1] == 1))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index} ({kind}) takes flat features but {source}; put a Flatten or GlobalAvgPool layer before it (as in PyTorch)."),
                        "layers");
                }

                return layer.OutputShape.ToArray();

            default:
                // A Conv1D over (C, 1) after C features: one step of a causal convolution after a dense or recurrent layer.
                if (!shape.AsSpan().SequenceEqual(layer.InputShape.ToArray()) &&
                    !(layer.Kind == LayerKind.Conv1D && shape.Length == 1 && layer.InputShape is [int channels, 1] && channels == shape[0]))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index} ({kind}) expects {LayerDescription.FormatShape(layer.InputShape)} but {source}."), "layers");
                }

                return layer.OutputShape.ToArray();
        }
    }

    private static int[] AsChannelsHeightWidth(IReadOnlyList<int> shape) => shape.Count switch
    {
        1 => new[] { shape[0], 1, 1 },
        2 => new[] { shape[0], 1, shape[1] },
        _ => shape.ToArray(),
    };

    private int CheckLayer(int layer)
    {
        if (layer < 1 || layer > _layers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, string.Create(CultureInfo.InvariantCulture, $"Layers are numbered 1 to {_layers.Length}."));
        }

        return layer;
    }

    private LayerTensor DenseTensor(int layer, TensorRole role)
    {
        LayerDescription description = _layers[CheckLayer(layer) - 1];
        if (description.Kind != LayerKind.Dense)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Layer {layer} of {Name} is {LayerDescription.KindName(description.Kind)} ({Describe()}); only dense layers have W and b."),
                nameof(layer));
        }

        return description.Tensors.First(tensor => tensor.Role == role);
    }
}
