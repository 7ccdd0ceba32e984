using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen;

/// <summary>
/// What a network is, as data: its name, the layer sizes n[0], n[1], …, n[L] and the activations g[1], …, g[L].
/// Generated networks expose it (see <see cref="ISerializableNetwork"/>); weight files record it and are checked
/// against it, and exporters read it.
/// </summary>
/// <remarks>
/// The parameter layout it implies is the one every generated network uses: W1, b1, W2, b2, … in one buffer, each
/// W[l] of shape (n[l], n[l-1]) row-major, each b[l] of n[l] floats.
/// </remarks>
public sealed class NetworkArchitecture : IEquatable<NetworkArchitecture>
{
    private readonly int[] _layerSizes;
    private readonly Activation[] _activations;

    /// <summary>Describes a network.</summary>
    /// <param name="name">The network's type name.</param>
    /// <param name="layerSizes">n[0] (the inputs), then the units of every layer: at least two entries, each at least 1.</param>
    /// <param name="activations">g[1], …, g[L]: one per layer, so one fewer than <paramref name="layerSizes"/>.</param>
    /// <param name="loss">The resolved cost the network trains with.</param>
    /// <exception cref="ArgumentException">The sizes or activations do not describe a network.</exception>
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
        Loss = loss;
        ParameterCount = (int)parameters;
    }

    /// <summary>The network's type name.</summary>
    public string Name { get; }

    /// <summary>n[0], n[1], …, n[L].</summary>
    public IReadOnlyList<int> LayerSizes => _layerSizes;

    /// <summary>g[1], …, g[L].</summary>
    public IReadOnlyList<Activation> Activations => _activations;

    /// <summary>The resolved cost the network trains with.</summary>
    public Loss Loss { get; }

    /// <summary>L: the number of layers with parameters.</summary>
    public int LayerCount => _activations.Length;

    /// <summary>n[0].</summary>
    public int InputSize => _layerSizes[0];

    /// <summary>n[L].</summary>
    public int OutputSize => _layerSizes[^1];

    /// <summary>Σ n[l]·n[l-1] + n[l]: the length of the parameter buffer.</summary>
    public int ParameterCount { get; }

    /// <summary>n[l-1], the inputs of layer <paramref name="layer"/> (1-based).</summary>
    public int InputsOf(int layer) => _layerSizes[CheckLayer(layer) - 1];

    /// <summary>n[l], the units of layer <paramref name="layer"/> (1-based).</summary>
    public int UnitsOf(int layer) => _layerSizes[CheckLayer(layer)];

    /// <summary>Where W[l] starts in the parameter buffer (<paramref name="layer"/> is 1-based).</summary>
    public int WeightOffset(int layer)
    {
        CheckLayer(layer);
        int offset = 0;
        for (int l = 1; l < layer; l++)
        {
            offset += (_layerSizes[l] * _layerSizes[l - 1]) + _layerSizes[l];
        }

        return offset;
    }

    /// <summary>Where b[l] starts in the parameter buffer (<paramref name="layer"/> is 1-based).</summary>
    public int BiasOffset(int layer) => WeightOffset(layer) + (_layerSizes[layer] * _layerSizes[layer - 1]);

    /// <summary>The sizes and activations in one line, e.g. <c>2 -> 4 tanh -> 1 sigmoid</c>.</summary>
    public string Describe() =>
        string.Join(" -> ", new[] { _layerSizes[0].ToString(CultureInfo.InvariantCulture) }
            .Concat(_activations.Select((activation, i) => string.Create(CultureInfo.InvariantCulture, $"{_layerSizes[i + 1]} {ActivationName(activation)}"))));

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Describe()}";

    /// <summary>Same sizes, activations and loss (the name is not compared: renaming a class does not change its weights).</summary>
    public bool Equals(NetworkArchitecture? other) =>
        other is not null && other.Loss == Loss && _layerSizes.AsSpan().SequenceEqual(other._layerSizes) && _activations.AsSpan().SequenceEqual(other._activations);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NetworkArchitecture);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Loss);
        foreach (int size in _layerSizes)
        {
            hash.Add(size);
        }

        foreach (Activation activation in _activations)
        {
            hash.Add(activation);
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

    private int CheckLayer(int layer)
    {
        if (layer < 1 || layer > _activations.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, string.Create(CultureInfo.InvariantCulture, $"Layers are numbered 1 to {_activations.Length}."));
        }

        return layer;
    }
}
