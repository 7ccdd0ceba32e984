using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Shared;

namespace NnGen;

/// <summary>
/// Saves and loads a network's parameters as a safetensors file, checked tensor by tensor against the architecture.
/// Generated networks forward their <c>SaveWeights</c> and <c>LoadWeights</c> here.
/// </summary>
/// <remarks>
/// <para>
/// Tensors: <c>W1</c>, <c>b1</c>, …, <c>WL</c>, <c>bL</c> in F32, W[l] of shape (n[l], n[l-1]) (the course's W, and
/// PyTorch's <c>Linear.weight</c>), b[l] of shape (n[l]) as PyTorch and ONNX store it; loading also accepts the course's
/// (n[l], 1). Loading also accepts PyTorch's <c>state_dict</c> names (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, …,
/// with any common prefix such as <c>net.</c>), matched to layers by position. Any other tensor is an extra
/// (<see cref="NamedTensor"/>).
/// </para>
/// <para>
/// Metadata: <c>format</c> = <c>nngen</c>, <c>nngen.format_version</c> = <c>1</c>, <c>nngen.network</c>,
/// <c>nngen.layer_sizes</c> (<c>2,4,1</c>), <c>nngen.activations</c> (<c>tanh,sigmoid</c>) and <c>nngen.loss</c>. When
/// the layer sizes or activations are present they must match the network; a file without them (a plain PyTorch export)
/// is checked by its tensors' shapes alone. The network's name is informative: renaming a class keeps its weights loadable.
/// </para>
/// <para>
/// Loading reads the whole file, checks everything (header length against a cap and the file size, every tensor's name,
/// dtype, shape and offsets, every value finite, the architecture in the metadata) into scratch, and only then copies
/// the parameters into the network: after any error the network is exactly as it was.
/// </para>
/// </remarks>
public static partial class WeightsFile
{
    /// <summary>The version written into <c>nngen.format_version</c>; files of a later version are refused.</summary>
    public const int FormatVersion = 1;

    /// <summary>Metadata keys.</summary>
    public const string FormatKey = "format", FormatName = "nngen", VersionKey = "nngen.format_version", NetworkKey = "nngen.network",
        LayerSizesKey = "nngen.layer_sizes", ActivationsKey = "nngen.activations", LossKey = "nngen.loss";

    /// <summary>Writes <paramref name="network"/>'s parameters (and <paramref name="extras"/>) to <paramref name="path"/>.</summary>
    /// <remarks>The file is written beside the target and then moved over it, so a failed save leaves an existing file intact.</remarks>
    /// <exception cref="ArgumentException">An extra tensor's name is reserved or repeated.</exception>
    /// <exception cref="InvalidOperationException">A parameter is not finite (a diverged network is not saved).</exception>
    public static void Save(ISerializableNetwork network, string path, IReadOnlyList<NamedTensor>? extras = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        List<SafeTensors.TensorToWrite> tensors = Collect(network, extras);
        string full = Path.GetFullPath(path);
        string temporary = full + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                SafeTensors.Write(stream, MetadataOf(network.Architecture), tensors);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes <paramref name="network"/>'s parameters (and <paramref name="extras"/>) to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">An extra tensor's name is reserved or repeated.</exception>
    /// <exception cref="InvalidOperationException">A parameter is not finite (a diverged network is not saved).</exception>
    public static void Save(ISerializableNetwork network, Stream stream, IReadOnlyList<NamedTensor>? extras = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        List<SafeTensors.TensorToWrite> tensors = Collect(network, extras);
        SafeTensors.Write(stream, MetadataOf(network.Architecture), tensors);
    }

    /// <summary>Loads parameters from <paramref name="path"/> into <paramref name="network"/>, checking everything first.</summary>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="WeightsFormatException">The file is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="IOException">The file cannot be read; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> do not have the architecture's length.
    /// </exception>
    public static LoadedWeights Load(ISerializableNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(network, File.ReadAllBytes(path), path);
    }

    /// <summary>Loads parameters from the rest of <paramref name="stream"/> into <paramref name="network"/>, checking everything first.</summary>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="WeightsFormatException">The data is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> do not have the architecture's length.
    /// </exception>
    public static LoadedWeights Load(ISerializableNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Load(network, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), stream is FileStream file ? file.Name : "<stream>");
    }

    /// <summary>Loads parameters from a whole file held in memory; <paramref name="label"/> names it in error messages.</summary>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="WeightsFormatException">The data is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> do not have the architecture's length.
    /// </exception>
    public static LoadedWeights Load(ISerializableNetwork network, ReadOnlySpan<byte> file, string label)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(label);
        NetworkArchitecture architecture = network.Architecture;
        Span<float> parameters = network.Parameters;
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {parameters.Length} parameters but its architecture {architecture.Describe()} needs {architecture.ParameterCount}."));
        }

        // Held from the check to the copy, so a Fit (or another load) cannot start in between, and a load during Fit
        // throws instead of returning normally and being overwritten by the next update.
        using Trainer.TrainingLease lease = Trainer.TrainingLease.Acquire(network, "LoadWeights");
        float[] scratch = new float[architecture.ParameterCount];
        NamedTensor[] extras = Read(architecture, file, label, scratch, out IReadOnlyDictionary<string, string> metadata);
        scratch.CopyTo(parameters);
        return new LoadedWeights(label, metadata, extras);
    }

    /// <summary>
    /// Checks <paramref name="file"/> against <paramref name="architecture"/> and decodes its parameters into
    /// <paramref name="parameters"/> (laid out like a network's) without touching any network.
    /// </summary>
    internal static NamedTensor[] Read(NetworkArchitecture architecture, ReadOnlySpan<byte> file, string label, Span<float> parameters, out IReadOnlyDictionary<string, string> metadata)
    {
        SafeTensors.Header header = SafeTensors.Parse(file, label);
        CheckMetadata(header.Metadata, architecture, label);
        ReadOnlySpan<byte> data = file.Slice(header.DataStart);

        (SafeTensors.Entry Weight, SafeTensors.Entry Bias)[] layers = MatchLayers(header.Entries, architecture, label, out HashSet<string> used);
        for (int l = 1; l <= architecture.LayerCount; l++)
        {
            int units = architecture.UnitsOf(l);
            int inputs = architecture.InputsOf(l);
            (SafeTensors.Entry weight, SafeTensors.Entry bias) = layers[l - 1];
            CheckTensor(weight, label, Invariant($"W{l}"), new long[] { units, inputs }, null);
            CheckTensor(bias, label, Invariant($"b{l}"), new long[] { units }, new long[] { units, 1 });
            Decode(weight, data, parameters.Slice(architecture.WeightOffset(l), units * inputs), label, inputs);
            Decode(bias, data, parameters.Slice(architecture.BiasOffset(l), units), label, 1);
        }

        var extras = new List<NamedTensor>();
        foreach (SafeTensors.Entry entry in header.Entries)
        {
            if (used.Contains(entry.Name))
            {
                continue;
            }

            if (entry.DType != "F32")
            {
                throw SafeTensors.Error(label, entry.Name, $"dtype {entry.DType}; NnGen reads F32 tensors only.");
            }

            float[] values = new float[entry.ElementCount];
            Decode(entry, data, values, label, entry.Shape.Length == 0 ? 1 : (int)Math.Max(1, entry.Shape[^1]));
            extras.Add(new NamedTensor(entry.Name, entry.Shape.Select(d => (int)d).ToArray(), values));
        }

        metadata = header.Metadata;
        return extras.ToArray();
    }

    /// <summary>The <c>__metadata__</c> NnGen writes for <paramref name="architecture"/>.</summary>
    internal static List<KeyValuePair<string, string>> MetadataOf(NetworkArchitecture architecture) => new()
    {
        new(FormatKey, FormatName),
        new(VersionKey, FormatVersion.ToString(CultureInfo.InvariantCulture)),
        new(NetworkKey, architecture.Name),
        new(LayerSizesKey, string.Join(",", architecture.LayerSizes.Select(size => size.ToString(CultureInfo.InvariantCulture)))),
        new(ActivationsKey, string.Join(",", architecture.Activations.Select(NetworkArchitecture.ActivationName))),
        new(LossKey, architecture.Loss.ToString()),
    };

    private static List<SafeTensors.TensorToWrite> Collect(ISerializableNetwork network, IReadOnlyList<NamedTensor>? extras)
    {
        NetworkArchitecture architecture = network.Architecture;
        ReadOnlySpan<float> parameters = network.Parameters;
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {parameters.Length} parameters but its architecture {architecture.Describe()} needs {architecture.ParameterCount}."));
        }

        var tensors = new List<SafeTensors.TensorToWrite>();
        float[] copy = parameters.ToArray();
        for (int l = 1; l <= architecture.LayerCount; l++)
        {
            int units = architecture.UnitsOf(l);
            int inputs = architecture.InputsOf(l);
            tensors.Add(new(Invariant($"W{l}"), new[] { units, inputs }, copy.AsMemory(architecture.WeightOffset(l), units * inputs)));
            tensors.Add(new(Invariant($"b{l}"), new[] { units }, copy.AsMemory(architecture.BiasOffset(l), units)));
        }

        foreach (SafeTensors.TensorToWrite tensor in tensors)
        {
            int bad = IndexOfNonFinite(tensor.Values.Span);
            if (bad >= 0)
            {
                throw new InvalidOperationException(Invariant(
                    $"{architecture.Name}: {tensor.Name}{TensorShapes.Position(tensor.Shape.Select(d => (long)d).ToArray(), bad)} is {tensor.Values.Span[bad]}; a network with non-finite parameters (diverged?) is not saved."));
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (NamedTensor extra in extras ?? Array.Empty<NamedTensor>())
        {
            ArgumentNullException.ThrowIfNull(extra, nameof(extras));
            if (NnGenName().IsMatch(extra.Name))
            {
                throw new ArgumentException($"Extra tensor '{extra.Name}': names W1, b1, W2, … are the network's parameters.", nameof(extras));
            }

            if (!names.Add(extra.Name))
            {
                throw new ArgumentException($"Extra tensor '{extra.Name}' appears twice.", nameof(extras));
            }

            tensors.Add(new(extra.Name, extra.Shape.ToArray(), extra.Values.ToArray()));
        }

        return tensors;
    }

    private static void CheckMetadata(IReadOnlyDictionary<string, string> metadata, NetworkArchitecture architecture, string label)
    {
        if (metadata.TryGetValue(VersionKey, out string? version))
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1)
            {
                throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"{VersionKey} must be a positive integer; found '{version}'.");
            }

            if (number > FormatVersion)
            {
                throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"format version {number} was written by a newer NnGen; this one reads version {FormatVersion}.");
            }
        }

        string expectedSizes = string.Join(",", architecture.LayerSizes.Select(size => size.ToString(CultureInfo.InvariantCulture)));
        if (metadata.TryGetValue(LayerSizesKey, out string? sizes) && sizes != expectedSizes)
        {
            string saved = metadata.TryGetValue(NetworkKey, out string? name) ? $" (saved from {name})" : string.Empty;
            throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"layer sizes {sizes}{saved} do not match {architecture.Name}'s {expectedSizes} ({architecture.Describe()}).");
        }

        string expectedActivations = string.Join(",", architecture.Activations.Select(NetworkArchitecture.ActivationName));
        if (metadata.TryGetValue(ActivationsKey, out string? activations) && activations != expectedActivations)
        {
            throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"activations {activations} do not match {architecture.Name}'s {expectedActivations} ({architecture.Describe()}).");
        }
    }

    /// <summary>Finds each layer's weight and bias entries, under NnGen's names or PyTorch's, and the names that are parameters.</summary>
    private static (SafeTensors.Entry, SafeTensors.Entry)[] MatchLayers(IReadOnlyList<SafeTensors.Entry> entries, NetworkArchitecture architecture, string label, out HashSet<string> used)
    {
        var byName = entries.ToDictionary(entry => entry.Name, StringComparer.Ordinal);
        int layerCount = architecture.LayerCount;
        var layers = new (SafeTensors.Entry, SafeTensors.Entry)[layerCount];
        used = new HashSet<string>(StringComparer.Ordinal);
        if (entries.Any(entry => NnGenName().IsMatch(entry.Name)))
        {
            foreach (SafeTensors.Entry entry in entries)
            {
                Match match = NnGenName().Match(entry.Name);
                if (match.Success && (match.Groups[2].Value.StartsWith('0') || !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int layer) || layer > layerCount))
                {
                    throw SafeTensors.Error(label, entry.Name, $"unexpected: {architecture.Name} has layers 1 to {layerCount} ({architecture.Describe()}).");
                }
            }

            for (int l = 1; l <= layerCount; l++)
            {
                layers[l - 1] = (Required(byName, Invariant($"W{l}"), label, architecture, l, bias: false), Required(byName, Invariant($"b{l}"), label, architecture, l, bias: true));
                used.Add(Invariant($"W{l}"));
                used.Add(Invariant($"b{l}"));
            }

            return layers;
        }

        // PyTorch's state_dict of an nn.Sequential: "<index>.weight" and "<index>.bias" per Linear, activations (which have
        // no parameters) taking the indices between; a model holding the Sequential as an attribute adds a prefix.
        var modules = new SortedDictionary<long, (SafeTensors.Entry? Weight, SafeTensors.Entry? Bias)>();
        string? prefix = null;
        foreach (SafeTensors.Entry entry in entries)
        {
            Match match = TorchName().Match(entry.Name);
            if (!match.Success)
            {
                continue;
            }

            if (prefix is not null && prefix != match.Groups[1].Value)
            {
                throw SafeTensors.Error(label, entry.Name, $"PyTorch parameters under two prefixes ('{prefix}' and '{match.Groups[1].Value}'); one nn.Sequential is expected.");
            }

            prefix = match.Groups[1].Value;
            if (!long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
            {
                throw SafeTensors.Error(label, entry.Name, $"module index {match.Groups[2].Value} is out of range.");
            }

            modules.TryGetValue(index, out var module);
            modules[index] = match.Groups[3].Value == "weight" ? (entry, module.Bias) : (module.Weight, entry);
            used.Add(entry.Name);
        }

        if (modules.Count == 0)
        {
            throw SafeTensors.Error(
                label,
                null,
                $"no weights found: expected tensors W1, b1, …, W{layerCount}, b{layerCount} (or PyTorch's 0.weight, 0.bias, …) for {architecture.Name} ({architecture.Describe()}); found {Names(entries)}.");
        }

        if (modules.Count != layerCount)
        {
            throw SafeTensors.Error(
                label,
                null,
                $"{architecture.Name} has {layerCount} layers ({architecture.Describe()}) but the file holds PyTorch parameters of {modules.Count} modules ({string.Join(", ", modules.Keys)}).");
        }

        int position = 0;
        foreach ((long index, (SafeTensors.Entry? weight, SafeTensors.Entry? bias)) in modules)
        {
            string name = Invariant($"{prefix}{index}");
            if (weight is null || bias is null)
            {
                throw SafeTensors.Error(label, name + (weight is null ? ".weight" : ".bias"), $"missing: layer {position + 1} needs both {name}.weight and {name}.bias (a Linear with bias=False is not supported).");
            }

            layers[position++] = (weight, bias);
        }

        return layers;
    }

    private static SafeTensors.Entry Required(Dictionary<string, SafeTensors.Entry> byName, string name, string label, NetworkArchitecture architecture, int layer, bool bias)
    {
        if (byName.TryGetValue(name, out SafeTensors.Entry? entry))
        {
            return entry;
        }

        string shape = bias ? Invariant($"({architecture.UnitsOf(layer)})") : Invariant($"({architecture.UnitsOf(layer)}, {architecture.InputsOf(layer)})");
        throw SafeTensors.Error(label, name, $"missing: {architecture.Name} ({architecture.Describe()}) needs it with shape {shape} F32.");
    }

    private static void CheckTensor(SafeTensors.Entry entry, string label, string role, long[] shape, long[]? alternative)
    {
        string what = entry.Name == role ? string.Empty : $" (used as {role})";
        if (entry.DType != "F32")
        {
            throw SafeTensors.Error(label, entry.Name, $"expected dtype F32{what}, found {entry.DType}.");
        }

        if (!entry.Shape.AsSpan().SequenceEqual(shape) && (alternative is null || !entry.Shape.AsSpan().SequenceEqual(alternative)))
        {
            string also = alternative is null ? string.Empty : $" or ({NamedTensor.FormatShape(alternative)})";
            throw SafeTensors.Error(label, entry.Name, $"expected shape ({NamedTensor.FormatShape(shape)}){also}{what}, found ({NamedTensor.FormatShape(entry.Shape)}).");
        }
    }

    private static void Decode(SafeTensors.Entry entry, ReadOnlySpan<byte> data, Span<float> destination, string label, int columns)
    {
        SafeTensors.ReadFloats(data.Slice((int)entry.Begin, (int)(entry.End - entry.Begin)), destination);
        int bad = IndexOfNonFinite(destination);
        if (bad >= 0)
        {
            throw SafeTensors.Error(label, entry.Name, $"value{TensorShapes.Position(entry.Shape, bad)} is {destination[bad].ToString(CultureInfo.InvariantCulture)}; every value must be finite.");
        }
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Names(IReadOnlyList<SafeTensors.Entry> entries) =>
        entries.Count == 0 ? "no tensors" : string.Join(", ", entries.Take(8).Select(entry => entry.Name)) + (entries.Count > 8 ? ", …" : string.Empty);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^([Wb])(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex NnGenName();

    [GeneratedRegex(@"^(.*?)(\d+)\.(weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex TorchName();
}
