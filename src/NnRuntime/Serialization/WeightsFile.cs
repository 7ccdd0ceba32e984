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
/// Tensors: every tensor of <see cref="NetworkArchitecture.Tensors"/> by its name and shape, in F32: a dense layer's
/// <c>W{l}</c> of shape (n[l], n[l-1]) (the course's W, and PyTorch's <c>Linear.weight</c>) and <c>b{l}</c> of shape (n[l])
/// as PyTorch and ONNX store it (loading also accepts the course's (n[l], 1)); a normalization layer's <c>gamma{l}</c> and
/// <c>beta{l}</c>; batch normalization's <c>running_mean{l}</c> and <c>running_var{l}</c>, read from and into the
/// network's <see cref="ITrainableNetwork.State"/>; a recurrent layer's <c>Wih{l}</c> (G·H, I), <c>Whh{l}</c> (G·H, H),
/// <c>bih{l}</c> and <c>bhh{l}</c> (G·H), gate blocks in PyTorch's order, so PyTorch's tensors load unconverted; a
/// convolution's <c>W{l}</c> (Cout, Cin / groups, kh, kw), or (Cout, Cin / groups, k) in 1-D, and <c>b{l}</c> (Cout),
/// PyTorch's <c>Conv2d</c>/<c>Conv1d</c> layout (pools, global average pooling and flatten have no tensors). Loading
/// also accepts PyTorch's <c>state_dict</c> names (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, <c>1.running_mean</c>, …,
/// with any common prefix such as <c>net.</c>), matched by position to the layers that have tensors
/// (<c>num_batches_tracked</c> is ignored); for a network with recurrent layers, an nn.LSTM's or nn.GRU's
/// <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> (k = 0, 1, … stacked, under the
/// module's prefix such as <c>lstm.</c>) fill the recurrent layers in order and the other modules (<c>dense.weight</c>, …)
/// the other layers, every shape and gate count checked. Any other tensor is an extra (<see cref="NamedTensor"/>).
/// </para>
/// <para>
/// Metadata: <c>format</c> = <c>nngen</c>, <c>nngen.format_version</c> = <c>1</c>, <c>nngen.network</c>,
/// <c>nngen.layer_sizes</c> (<c>2,4,1</c>), <c>nngen.activations</c> (<c>tanh,sigmoid</c>) and <c>nngen.loss</c>. When
/// the layer sizes or activations are present they must match the network; a file without them (a plain PyTorch export)
/// is checked by its tensors' shapes alone. A network with layers other than dense adds <c>nngen.layers</c>, every layer's
/// kind and arguments (<c>dense,batch_norm(epsilon=1E-05 momentum=0.1),dropout(rate=0.2),dense</c>,
/// <c>lstm(return_sequences=true),gru(return_sequences=false),dense</c>), which must match
/// too; dense-only networks write exactly the keys above, so their files are unchanged. A network that reads shaped
/// examples adds <c>nngen.input_shape</c> (<c>1,28,28</c>), and its convolution and pool layers record their geometry in
/// <c>nngen.layers</c> (<c>conv2d(out_channels=6 kernel_h=5 kernel_w=5 stride_h=1 stride_w=1 pad_top=2 pad_bottom=2
/// pad_left=2 pad_right=2 dilation_h=1 dilation_w=1 groups=1)</c>, <c>max_pool2d(kernel_h=2 kernel_w=2 stride_h=2
/// stride_w=2 pad_h=0 pad_w=0)</c>, <c>conv1d(out_channels=8 kernel=3 stride=1 pad_left=2 pad_right=0 dilation=1
/// groups=1)</c>, <c>avg_pool1d(kernel=2 stride=2 padding=0)</c>, <c>global_avg_pool</c>, <c>flatten</c>); both must
/// match when present. A PyTorch <c>state_dict</c> of an nn.Sequential maps its modules with tensors, in index order
/// (activations, pools and Flatten take indices too), onto the layers with tensors. The network's name is
/// informative: renaming a class keeps its weights loadable.
/// </para>
/// <para>
/// Loading reads the header and checks it against the file's length before reading the data, then checks everything
/// (header length against a cap and the file size, every tensor's name, dtype, shape and offsets, every value finite,
/// the architecture in the metadata) into scratch, and only then copies the parameters and the state into the network:
/// after any error the network is exactly as it was. Extra tensors obey <see cref="NamedTensor"/>'s rules on both
/// sides, so a file that saved loads.
/// </para>
/// </remarks>
public static partial class WeightsFile
{
    /// <summary>The version written into <c>nngen.format_version</c>; files of a later version are refused.</summary>
    public const int FormatVersion = 1;

    /// <summary>Metadata keys.</summary>
    public const string FormatKey = "format", FormatName = "nngen", VersionKey = "nngen.format_version", NetworkKey = "nngen.network",
        LayerSizesKey = "nngen.layer_sizes", ActivationsKey = "nngen.activations", LossKey = "nngen.loss";

    /// <summary>The metadata key of every layer's kind and arguments, written only for a network with layers other than dense.</summary>
    public const string LayersKey = "nngen.layers";

    /// <summary>The metadata key of one example's shape (<c>1,28,28</c>), written only for a network that reads shaped examples.</summary>
    public const string InputShapeKey = "nngen.input_shape";

    /// <summary>Writes <paramref name="network"/>'s parameters (and <paramref name="extras"/>) to <paramref name="path"/>.</summary>
    /// <remarks>
    /// Everything a load checks is checked before the old file is touched (the extras' own rules by
    /// <see cref="NamedTensor"/>'s constructor). The file is then written beside the target, flushed and moved over it
    /// with the target's permission bits, so a failed save (a full disk) leaves an existing file intact.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="network"/>, <paramref name="path"/> or an extra is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, an extra tensor's name is reserved (W1, b1, …, or one of the network's tensors) or repeated, or the file would exceed what a
    /// load reads (a header over 100 MB, a file over <see cref="Array.MaxLength"/> bytes).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter or running statistic is not finite (a diverged network is not saved), or the network's Parameters or
    /// State is not as long as its architecture says.
    /// </exception>
    /// <exception cref="IOException">The file cannot be written: <paramref name="path"/> is a directory, its folder is missing or not writable, or the disk is full.</exception>
    public static void Save(ISerializableNetwork network, string path, IReadOnlyList<NamedTensor>? extras = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        List<SafeTensors.TensorToWrite> tensors = Collect(network, extras);
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, MetadataOf(network.Architecture), tensors));
    }

    /// <summary>Writes <paramref name="network"/>'s parameters (and <paramref name="extras"/>) to <paramref name="stream"/>.</summary>
    /// <remarks>Everything a load checks is checked before the first byte is written.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="network"/>, <paramref name="stream"/> or an extra is null.</exception>
    /// <exception cref="ArgumentException">
    /// An extra tensor's name is reserved (W1, b1, …, or one of the network's tensors) or repeated, or the file would exceed what a load reads (a header over
    /// 100 MB, a file over <see cref="Array.MaxLength"/> bytes).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter or running statistic is not finite (a diverged network is not saved), or the network's Parameters or
    /// State is not as long as its architecture says.
    /// </exception>
    /// <exception cref="IOException">Writing to <paramref name="stream"/> fails.</exception>
    public static void Save(ISerializableNetwork network, Stream stream, IReadOnlyList<NamedTensor>? extras = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        List<SafeTensors.TensorToWrite> tensors = Collect(network, extras);
        SafeTensors.Write(stream, MetadataOf(network.Architecture), tensors);
    }

    /// <summary>Loads parameters from <paramref name="path"/> into <paramref name="network"/>, checking everything first.</summary>
    /// <remarks>The header is checked before the data is read: a file whose header cannot match its length is refused at once.</remarks>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The network's parameters do not number its architecture's <see cref="NetworkArchitecture.ParameterCount"/>.</exception>
    /// <exception cref="WeightsFormatException">The file is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="IOException">
    /// The file cannot be read: it does not exist (<see cref="FileNotFoundException"/>), is a directory, or may not be read;
    /// <paramref name="network"/> is unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> or <see cref="ITrainableNetwork.State"/> do not have
    /// the architecture's length.
    /// </exception>
    public static LoadedWeights Load(ISerializableNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: is a directory; expected a safetensors weight file.");
        }

        byte[] file;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            file = SafeTensors.ReadFile(stream, path);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new IOException($"{path}: cannot be read ({exception.Message})", exception);
        }

        return Load(network, file, path);
    }

    /// <summary>Loads parameters from the rest of <paramref name="stream"/> into <paramref name="network"/>, checking everything first.</summary>
    /// <remarks>The header is checked before the data is read; a stream of unknown length (a pipe) is read only as far as the header's tensors reach, and then to its end.</remarks>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The network's parameters do not number its architecture's <see cref="NetworkArchitecture.ParameterCount"/>.</exception>
    /// <exception cref="WeightsFormatException">The data is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="IOException">The stream cannot be read; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> or <see cref="ITrainableNetwork.State"/> do not have
    /// the architecture's length.
    /// </exception>
    public static LoadedWeights Load(ISerializableNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        string label = stream is FileStream file ? file.Name : "<stream>";
        return Load(network, SafeTensors.ReadFile(stream, label), label);
    }

    /// <summary>Loads parameters from a whole file held in memory; <paramref name="label"/> names it in error messages.</summary>
    /// <returns>The file's metadata and extra tensors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="label"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The network's parameters do not number its architecture's <see cref="NetworkArchitecture.ParameterCount"/>.</exception>
    /// <exception cref="WeightsFormatException">The data is malformed or for another architecture; <paramref name="network"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is training, stepping or loading weights (see <see cref="Trainer"/>'s concurrency notes):
    /// a load then would interleave with, or be overwritten by, the other writer; <paramref name="network"/> is unchanged.
    /// Also thrown when its <see cref="ITrainableNetwork.Parameters"/> or <see cref="ITrainableNetwork.State"/> do not have
    /// the architecture's length.
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
        Span<float> state = StateOf(network);
        float[] scratch = new float[architecture.ParameterCount];
        float[] stateScratch = new float[architecture.StateCount];
        NamedTensor[] extras = Read(architecture, file, label, scratch, stateScratch, out IReadOnlyDictionary<string, string> metadata);
        scratch.CopyTo(parameters);
        stateScratch.CopyTo(state);
        return new LoadedWeights(label, metadata, extras);
    }

    /// <summary>
    /// Checks <paramref name="file"/> against <paramref name="architecture"/> and decodes its parameters into
    /// <paramref name="parameters"/> and its running statistics into <paramref name="state"/> (laid out like a network's)
    /// without touching any network.
    /// </summary>
    internal static NamedTensor[] Read(NetworkArchitecture architecture, ReadOnlySpan<byte> file, string label, Span<float> parameters, Span<float> state, out IReadOnlyDictionary<string, string> metadata)
    {
        SafeTensors.Header header = SafeTensors.Parse(file, label);
        CheckMetadata(header.Metadata, architecture, label);
        ReadOnlySpan<byte> data = file.Slice(header.DataStart);

        Dictionary<string, SafeTensors.Entry> matched = MatchTensors(header.Entries, architecture, label, out HashSet<string> used);
        foreach (LayerDescription layer in architecture.Layers)
        foreach (LayerTensor tensor in layer.Tensors)
        {
            SafeTensors.Entry entry = matched[tensor.Name];
            long[] shape = tensor.Shape.Select(d => (long)d).ToArray();
            CheckTensor(
                entry, label, tensor.Name, shape, tensor.Role == TensorRole.Bias ? new long[] { shape[0], 1 } : null,
                layer.IsRecurrent ? GateHint(layer, entry) : layer.ConvolutionGeometry is not null ? ConvolutionHint(layer, tensor, entry) : null);
            Span<float> destination = (tensor.IsState ? state : parameters).Slice(tensor.Offset, tensor.Length);
            Decode(entry, data, destination, label, tensor.Role == TensorRole.Weight ? tensor.Shape[1] : 1);
            if (tensor.IsStoredTransposed)
            {
                TransposeInPlace(destination, tensor.Shape[0], tensor.Shape[1]);
            }
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

            // The rules NamedTensor's constructor applies, so that every extra that saved loads and the reverse.
            if ((NamedTensor.NameProblem(entry.Name) ?? NamedTensor.ShapeProblem(entry.Shape)) is string problem)
            {
                throw SafeTensors.Error(label, entry.Name, $"{problem}");
            }

            float[] values = new float[entry.ElementCount];
            Decode(entry, data, values, label, entry.Shape.Length == 0 ? 1 : (int)Math.Max(1, entry.Shape[^1]));
            extras.Add(new NamedTensor(entry.Name, entry.Shape.Select(d => (int)d).ToArray(), values));
        }

        metadata = header.Metadata;
        return extras.ToArray();
    }

    /// <summary>The <c>__metadata__</c> NnGen writes for <paramref name="architecture"/>.</summary>
    internal static List<KeyValuePair<string, string>> MetadataOf(NetworkArchitecture architecture)
    {
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, FormatName),
            new(VersionKey, FormatVersion.ToString(CultureInfo.InvariantCulture)),
            new(NetworkKey, architecture.Name),
            new(LayerSizesKey, string.Join(",", architecture.LayerSizes.Select(size => size.ToString(CultureInfo.InvariantCulture)))),
            new(ActivationsKey, string.Join(",", architecture.Activations.Select(NetworkArchitecture.ActivationName))),
            new(LossKey, architecture.Loss.ToString()),
        };
        if (!IsDenseOnly(architecture))
        {
            metadata.Add(new(LayersKey, string.Join(",", architecture.Layers.Select(layer => layer.Arguments()))));
        }

        if (architecture.InputShape.Count > 1)
        {
            metadata.Add(new(InputShapeKey, InputShapeText(architecture)));
        }

        return metadata;
    }

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
        float[] stateCopy = StateOf(network).ToArray();
        foreach (LayerTensor tensor in architecture.Tensors)
        {
            Memory<float> values = (tensor.IsState ? stateCopy : copy).AsMemory(tensor.Offset, tensor.Length);
            if (tensor.IsStoredTransposed)
            {
                // The parameters hold (columns, rows); the file has the tensor's own shape.
                TransposeInPlace(values.Span, tensor.Shape[1], tensor.Shape[0]);
            }

            tensors.Add(new(tensor.Name, tensor.Shape.ToArray(), values));
        }

        foreach (SafeTensors.TensorToWrite tensor in tensors)
        {
            int bad = NamedTensor.IndexOfNonFinite(tensor.Values.Span);
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

            if (architecture.Tensors.Any(tensor => tensor.Name == extra.Name))
            {
                throw new ArgumentException($"Extra tensor '{extra.Name}': {architecture.Name} ({architecture.Describe()}) has a tensor of that name.", nameof(extras));
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

        CheckLayerKinds(metadata, architecture, label);

        // Files from before shaped inputs, and PyTorch exports of flat networks, have no input shape: the layers' arguments
        // and sizes already pin the shapes down, so its absence is no mismatch.
        if (metadata.TryGetValue(InputShapeKey, out string? inputShape) && Regex.Replace(inputShape, @"[\s()\[\]]", string.Empty) != InputShapeText(architecture))
        {
            string saved = metadata.TryGetValue(NetworkKey, out string? name) ? $" (saved from {name})" : string.Empty;
            throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"input shape {inputShape}{saved} does not match {architecture.Name}'s {InputShapeText(architecture)} ({architecture.Describe()}).");
        }
    }

    private static string InputShapeText(NetworkArchitecture architecture) =>
        string.Join(",", architecture.InputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// <c>nngen.layers</c> against the architecture's kinds and arguments, compared as numbers (a PyTorch export writes
    /// 1e-05 where NnGen writes 1E-05). An NnGen file without it holds dense layers only.
    /// </summary>
    private static void CheckLayerKinds(IReadOnlyDictionary<string, string> metadata, NetworkArchitecture architecture, string label)
    {
        string saved = metadata.TryGetValue(NetworkKey, out string? name) ? $" (saved from {name})" : string.Empty;
        if (!metadata.TryGetValue(LayersKey, out string? layers))
        {
            if (!IsDenseOnly(architecture) && metadata.ContainsKey(LayerSizesKey))
            {
                LayerDescription first = architecture.Layers.First(layer => layer.Kind != LayerKind.Dense);
                throw SafeTensors.Error(
                    label,
                    SafeTensors.MetadataKey,
                    $"no {LayersKey}: the file{saved} holds dense layers only, but layer {first.Index} of {architecture.Name} is {first.Arguments()} ({architecture.Describe()}).");
            }

            return;
        }

        string[] found = layers.Split(',');
        if (found.Length != architecture.LayerCount)
        {
            throw SafeTensors.Error(label, SafeTensors.MetadataKey, $"{LayersKey} lists {found.Length} layers ({layers}){saved}; {architecture.Name} has {architecture.LayerCount} ({architecture.Describe()}).");
        }

        for (int i = 0; i < found.Length; i++)
        {
            LayerDescription layer = architecture.Layers[i];
            string? canonical = CanonicalLayer(found[i].Trim());
            if (canonical is null)
            {
                throw SafeTensors.Error(
                    label,
                    SafeTensors.MetadataKey,
                    $"{LayersKey}: layer {i + 1} is '{found[i]}'; expected dense, dropout(rate=R), batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), lstm(return_sequences=B), gru(return_sequences=B) with B true or false, {ShapedSpellings()}, global_avg_pool or flatten.");
            }

            if (canonical != layer.Arguments())
            {
                throw SafeTensors.Error(
                    label,
                    SafeTensors.MetadataKey,
                    $"layer {layer.Index} is {found[i].Trim()} in the file{saved} but {layer.Arguments()} in {architecture.Name} ({architecture.Describe()}).");
            }
        }
    }

    /// <summary>A layer of <c>nngen.layers</c> as <see cref="LayerDescription.Arguments"/> writes it, or <see langword="null"/> when it cannot be read.</summary>
    private static string? CanonicalLayer(string text)
    {
        int open = text.IndexOf('(', StringComparison.Ordinal);
        string kind = open < 0 ? text : text.Substring(0, open);
        var arguments = new Dictionary<string, float>(StringComparer.Ordinal);
        if (open >= 0)
        {
            if (!text.EndsWith(')'))
            {
                return null;
            }

            foreach (string argument in text.Substring(open + 1, text.Length - open - 2).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = argument.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0 || !TryParseArgument(argument.AsSpan(equals + 1), out float value) || !arguments.TryAdd(argument.Substring(0, equals), value))
                {
                    return null;
                }
            }
        }

        LayerKind? shaped = ShapedKinds.Cast<LayerKind?>().FirstOrDefault(candidate => LayerDescription.KindName(candidate!.Value) == kind);
        string[]? expected = kind switch
        {
            "dense" or "global_avg_pool" or "flatten" => Array.Empty<string>(),
            "dropout" => new[] { "rate" },
            "batch_norm" => new[] { "epsilon", "momentum" },
            "layer_norm" => new[] { "epsilon" },
            "lstm" or "gru" => new[] { "return_sequences" },
            _ when shaped is LayerKind shapedKind => LayerDescription.ShapedArgumentNames(shapedKind),
            _ => null,
        };
        if (expected is null || arguments.Count != expected.Length || !expected.All(arguments.ContainsKey))
        {
            return null;
        }

        if (shaped is not null)
        {
            // Whole numbers, written as LayerDescription.Arguments writes them (a Python export may write 2.0).
            if (expected.Any(name => arguments[name] != MathF.Round(arguments[name]) || arguments[name] < 0 || arguments[name] > int.MaxValue))
            {
                return null;
            }

            return kind + "(" + string.Join(" ", expected.Select(name => Invariant($"{name}={(long)arguments[name]}"))) + ")";
        }

        return kind switch
        {
            "dropout" => Invariant($"dropout(rate={arguments["rate"]})"),
            "batch_norm" => Invariant($"batch_norm(epsilon={arguments["epsilon"]} momentum={arguments["momentum"]})"),
            "layer_norm" => Invariant($"layer_norm(epsilon={arguments["epsilon"]})"),
            "lstm" or "gru" when arguments["return_sequences"] is 0f or 1f => Invariant($"{kind}(return_sequences={(arguments["return_sequences"] == 1f ? "true" : "false")})"),
            "lstm" or "gru" => null,
            _ => kind,
        };
    }

    private static readonly LayerKind[] ShapedKinds = { LayerKind.Conv1D, LayerKind.Conv2D, LayerKind.MaxPool1D, LayerKind.MaxPool2D, LayerKind.AvgPool1D, LayerKind.AvgPool2D };

    /// <summary>The spellings of the convolution and pool kinds for messages: <c>conv1d(out_channels=N kernel=N …)</c>, ….</summary>
    private static string ShapedSpellings() =>
        string.Join(", ", ShapedKinds.Select(kind => LayerDescription.KindName(kind) + "(" + string.Join(" ", LayerDescription.ShapedArgumentNames(kind)!.Select(name => name + "=N")) + ")"));

    /// <summary>A number, or a flag: true and false (any case, as Python writes True) read as 1 and 0.</summary>
    private static bool TryParseArgument(ReadOnlySpan<char> text, out float value)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            value = text.Equals("true", StringComparison.OrdinalIgnoreCase) ? 1f : 0f;
            return true;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsDenseOnly(NetworkArchitecture architecture) => architecture.Layers.All(layer => layer.Kind == LayerKind.Dense);

    private static Span<float> StateOf(ISerializableNetwork network)
    {
        NetworkArchitecture architecture = network.Architecture;
        Span<float> state = network.State;
        if (state.Length != architecture.StateCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {state.Length} state values but its architecture {architecture.Describe()} needs {architecture.StateCount}."));
        }

        return state;
    }

    /// <summary>
    /// Finds the entry of every tensor of the architecture, by its name (<c>W1</c>, <c>gamma2</c>, …) or by PyTorch's
    /// (<c>0.weight</c>, <c>1.running_mean</c>, …), keyed by the architecture's tensor name; and the names that are the network's.
    /// </summary>
    private static Dictionary<string, SafeTensors.Entry> MatchTensors(IReadOnlyList<SafeTensors.Entry> entries, NetworkArchitecture architecture, string label, out HashSet<string> used)
    {
        var byName = entries.ToDictionary(entry => entry.Name, StringComparer.Ordinal);
        int layerCount = architecture.LayerCount;
        var matched = new Dictionary<string, SafeTensors.Entry>(StringComparer.Ordinal);
        used = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(architecture.Tensors.Select(tensor => tensor.Name), StringComparer.Ordinal);
        if (entries.Any(entry => NnGenName().IsMatch(entry.Name) || names.Contains(entry.Name)))
        {
            foreach (SafeTensors.Entry entry in entries)
            {
                Match match = NnGenName().Match(entry.Name);
                if (!match.Success || names.Contains(entry.Name))
                {
                    continue;
                }

                if (match.Groups[2].Value.StartsWith('0') || !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int layer) || layer > layerCount)
                {
                    throw SafeTensors.Error(label, entry.Name, $"unexpected: {architecture.Name} has layers 1 to {layerCount} ({architecture.Describe()}).");
                }

                LayerDescription other = architecture.Layers[layer - 1];
                string has = other.Tensors.Count == 0 ? "it has no tensors" : "its tensors are " + string.Join(", ", other.Tensors.Select(tensor => tensor.Name));
                throw SafeTensors.Error(label, entry.Name, $"unexpected: layer {layer} of {architecture.Name} is {other.Arguments()}; {has} ({architecture.Describe()}).");
            }

            foreach (LayerTensor tensor in architecture.Tensors)
            {
                if (!byName.TryGetValue(tensor.Name, out SafeTensors.Entry? entry))
                {
                    throw SafeTensors.Error(label, tensor.Name, $"missing: {architecture.Name} ({architecture.Describe()}) needs it with shape ({NamedTensor.FormatShape(tensor.Shape)}) F32.");
                }

                matched.Add(tensor.Name, entry);
                used.Add(tensor.Name);
            }

            return matched;
        }

        if (architecture.IsRecurrent)
        {
            MatchTorchRecurrent(entries, architecture, label, matched, used);
            return matched;
        }

        // PyTorch's state_dict of an nn.Sequential: "<index>.weight" and "<index>.bias" per Linear, Conv1d, Conv2d, BatchNorm1d or LayerNorm,
        // BatchNorm1d's "<index>.running_mean", "<index>.running_var" and "<index>.num_batches_tracked" (a count NnGen does
        // not keep); activations, dropout, pools and Flatten (which have no tensors) take the indices between. A model holding the Sequential
        // as an attribute adds a prefix.
        var modules = new SortedDictionary<long, Dictionary<string, SafeTensors.Entry>>();
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

            if (!modules.TryGetValue(index, out Dictionary<string, SafeTensors.Entry>? module))
            {
                modules[index] = module = new Dictionary<string, SafeTensors.Entry>(StringComparer.Ordinal);
            }

            module[match.Groups[3].Value] = entry;
            used.Add(entry.Name);
        }

        LayerDescription[] withTensors = architecture.Layers.Where(layer => layer.Tensors.Count > 0).ToArray();
        if (modules.Count == 0)
        {
            string expected = IsDenseOnly(architecture)
                ? Invariant($"W1, b1, …, W{layerCount}, b{layerCount}")
                : string.Join(", ", architecture.Tensors.Select(tensor => tensor.Name));
            throw SafeTensors.Error(
                label,
                null,
                $"no weights found: expected tensors {expected} (or PyTorch's 0.weight, 0.bias, …) for {architecture.Name} ({architecture.Describe()}); found {Names(entries)}.");
        }

        if (modules.Count != withTensors.Length)
        {
            string layers = IsDenseOnly(architecture) ? "layers" : "layers with tensors";
            throw SafeTensors.Error(
                label,
                null,
                $"{architecture.Name} has {withTensors.Length} {layers} ({architecture.Describe()}) but the file holds PyTorch parameters of {modules.Count} modules ({string.Join(", ", modules.Keys)}).");
        }

        int position = 0;
        foreach ((long index, Dictionary<string, SafeTensors.Entry> module) in modules)
        {
            MatchTorchModule(withTensors[position++], Invariant($"{prefix}{index}"), module, architecture, label, matched);
        }

        return matched;
    }

    /// <summary>The tensors of one PyTorch Linear, Conv1d, Conv2d, BatchNorm1d or LayerNorm (<paramref name="module"/>: weight, bias, …) as those of <paramref name="layer"/>.</summary>
    private static void MatchTorchModule(LayerDescription layer, string name, Dictionary<string, SafeTensors.Entry> module, NetworkArchitecture architecture, string label, Dictionary<string, SafeTensors.Entry> matched)
    {
        if (!module.ContainsKey("weight") || !module.ContainsKey("bias"))
        {
            string unsupported = layer.Kind switch
            {
                LayerKind.Dense => "a Linear with bias=False",
                LayerKind.Conv1D => "a Conv1d with bias=False",
                LayerKind.Conv2D => "a Conv2d with bias=False",
                _ => "a norm without elementwise_affine or affine",
            };
            throw SafeTensors.Error(label, name + (module.ContainsKey("weight") ? ".bias" : ".weight"), $"missing: layer {layer.Index} needs both {name}.weight and {name}.bias ({unsupported} is not supported).");
        }

        bool statistics = module.ContainsKey("running_mean") || module.ContainsKey("running_var");
        if (layer.Kind == LayerKind.BatchNorm && !(module.ContainsKey("running_mean") && module.ContainsKey("running_var")))
        {
            throw SafeTensors.Error(
                label,
                name + (module.ContainsKey("running_mean") ? ".running_var" : ".running_mean"),
                $"missing: layer {layer.Index} ({layer.Arguments()}) needs {name}.running_mean and {name}.running_var (track_running_stats=False is not supported).");
        }

        if (layer.Kind != LayerKind.BatchNorm && statistics)
        {
            throw SafeTensors.Error(label, name + ".running_mean", $"unexpected: module {name} holds running statistics (a BatchNorm1d) but layer {layer.Index} of {architecture.Name} is {layer.Arguments()} ({architecture.Describe()}).");
        }

        foreach (LayerTensor tensor in layer.Tensors)
        {
            matched.Add(tensor.Name, module[tensor.Role switch
            {
                TensorRole.Weight or TensorRole.Scale => "weight",
                TensorRole.Bias or TensorRole.Shift => "bias",
                TensorRole.RunningMean => "running_mean",
                _ => "running_var",
            }]);
        }
    }

    /// <summary>
    /// PyTorch's state_dict of a model with recurrent modules. An nn.LSTM or nn.GRU of K stacked layers holds
    /// <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> for k = 0..K−1 under its
    /// module's prefix (<c>lstm.</c>, <c>0.</c>, or none when the module itself was saved); its layers k map onto
    /// consecutive recurrent layers. The other layers with tensors take the other modules' <c>weight</c>, <c>bias</c>, ….
    /// A model's modules are usually named (<c>lstm</c>, <c>dense</c>), and a state_dict saved by safetensors does not keep
    /// their order, so recurrent modules and the others are matched separately, each in order; two modules of one group
    /// are told apart only by numeric indices in their names (an nn.Sequential's, or <c>rnn1</c>/<c>rnn2</c> is refused).
    /// Every shape is checked afterwards, gate counts included.
    /// </summary>
    private static void MatchTorchRecurrent(IReadOnlyList<SafeTensors.Entry> entries, NetworkArchitecture architecture, string label, Dictionary<string, SafeTensors.Entry> matched, HashSet<string> used)
    {
        var recurrent = new Dictionary<string, SortedDictionary<int, Dictionary<string, SafeTensors.Entry>>>(StringComparer.Ordinal);
        var others = new Dictionary<string, Dictionary<string, SafeTensors.Entry>>(StringComparer.Ordinal);
        foreach (SafeTensors.Entry entry in entries)
        {
            Match match = TorchRecurrentName().Match(entry.Name);
            if (match.Success)
            {
                if (match.Groups[5].Success)
                {
                    throw SafeTensors.Error(label, entry.Name, $"a bidirectional recurrent layer (bidirectional=True) is not supported; NnGen's LSTM and GRU run forward in time.");
                }

                if (match.Groups[3].Value == "hr")
                {
                    throw SafeTensors.Error(label, entry.Name, $"an LSTM with proj_size > 0 is not supported; NnGen's LSTM outputs h of its hidden size.");
                }

                if ((match.Groups[4].Value.Length > 1 && match.Groups[4].Value.StartsWith('0')) || !int.TryParse(match.Groups[4].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int k))
                {
                    throw SafeTensors.Error(label, entry.Name, $"recurrent layer index l{match.Groups[4].Value} is not one PyTorch writes.");
                }

                string prefix = match.Groups[1].Value;
                if (!recurrent.TryGetValue(prefix, out SortedDictionary<int, Dictionary<string, SafeTensors.Entry>>? stack))
                {
                    recurrent[prefix] = stack = new SortedDictionary<int, Dictionary<string, SafeTensors.Entry>>();
                }

                if (!stack.TryGetValue(k, out Dictionary<string, SafeTensors.Entry>? tensors))
                {
                    stack[k] = tensors = new Dictionary<string, SafeTensors.Entry>(StringComparer.Ordinal);
                }

                tensors[Invariant($"{match.Groups[2].Value}_{match.Groups[3].Value}")] = entry;
                used.Add(entry.Name);
                continue;
            }

            match = TorchModuleName().Match(entry.Name);
            if (match.Success)
            {
                if (!others.TryGetValue(match.Groups[1].Value, out Dictionary<string, SafeTensors.Entry>? module))
                {
                    others[match.Groups[1].Value] = module = new Dictionary<string, SafeTensors.Entry>(StringComparer.Ordinal);
                }

                module[match.Groups[2].Value] = entry;
                used.Add(entry.Name);
            }
        }

        LayerDescription[] recurrentLayers = architecture.Layers.Where(layer => layer.IsRecurrent).ToArray();
        LayerDescription[] otherLayers = architecture.Layers.Where(layer => !layer.IsRecurrent && layer.Tensors.Count > 0).ToArray();
        if (recurrent.Count == 0)
        {
            string expected = string.Join(", ", architecture.Tensors.Select(tensor => tensor.Name));
            throw SafeTensors.Error(
                label,
                null,
                $"no weights found: expected tensors {expected} (or PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …) for {architecture.Name} ({architecture.Describe()}); found {Names(entries)}.");
        }

        string[] recurrentModules = InModuleOrder(recurrent.Keys, "recurrent modules", label);
        var stacked = new List<(string Name, Dictionary<string, SafeTensors.Entry> Tensors)>();
        foreach (string prefix in recurrentModules)
        {
            int expectedK = 0;
            foreach ((int k, Dictionary<string, SafeTensors.Entry> tensors) in recurrent[prefix])
            {
                if (k != expectedK++)
                {
                    throw SafeTensors.Error(label, Invariant($"{prefix}weight_ih_l{expectedK - 1}"), $"missing: the recurrent module '{prefix.TrimEnd('.')}' has layer l{k} but not l{expectedK - 1}; PyTorch numbers stacked layers from l0.");
                }

                foreach (string part in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" })
                {
                    if (!tensors.ContainsKey(part))
                    {
                        throw SafeTensors.Error(
                            label,
                            Invariant($"{prefix}{part}_l{k}"),
                            $"missing: recurrent layer l{k} of '{prefix.TrimEnd('.')}' needs weight_ih, weight_hh, bias_ih and bias_hh (bias=False is not supported).");
                    }
                }

                stacked.Add((Invariant($"{prefix}*_l{k}"), tensors));
            }
        }

        if (stacked.Count != recurrentLayers.Length)
        {
            throw SafeTensors.Error(
                label,
                null,
                $"{architecture.Name} has {recurrentLayers.Length} recurrent layers ({architecture.Describe()}) but the file holds PyTorch's of {stacked.Count} ({string.Join(", ", stacked.Select(layer => layer.Name))}).");
        }

        for (int i = 0; i < stacked.Count; i++)
        {
            foreach (LayerTensor tensor in recurrentLayers[i].Tensors)
            {
                matched.Add(tensor.Name, stacked[i].Tensors[tensor.Role switch
                {
                    TensorRole.InputWeight => "weight_ih",
                    TensorRole.RecurrentWeight => "weight_hh",
                    TensorRole.InputBias => "bias_ih",
                    _ => "bias_hh",
                }]);
            }
        }

        if (others.Count != otherLayers.Length)
        {
            throw SafeTensors.Error(
                label,
                null,
                $"{architecture.Name} has {otherLayers.Length} layers with tensors besides the recurrent ones ({architecture.Describe()}) but the file holds PyTorch parameters of {others.Count} other modules ({string.Join(", ", others.Keys.Order(StringComparer.Ordinal))}).");
        }

        string[] otherModules = InModuleOrder(others.Keys, "modules besides the recurrent ones", label);
        for (int i = 0; i < otherModules.Length; i++)
        {
            MatchTorchModule(otherLayers[i], otherModules[i], others[otherModules[i]], architecture, label, matched);
        }
    }

    /// <summary>
    /// Module names in PyTorch's order: compared part by part (split at dots), numbers as numbers. Two names that differ
    /// first in a part that is not a number in both have no order a file can show.
    /// </summary>
    private static string[] InModuleOrder(IEnumerable<string> names, string what, string label)
    {
        string[] sorted = names.ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            for (int j = i + 1; j < sorted.Length; j++)
            {
                if (CompareModules(sorted[i], sorted[j]) is null)
                {
                    throw SafeTensors.Error(
                        label,
                        null,
                        $"the {what} '{sorted[i].TrimEnd('.')}' and '{sorted[j].TrimEnd('.')}' have no order in a state_dict (their names are not numbered); save with NnGen's names (tools/pytorch/export_sequential.py) or number the modules (an nn.Sequential).");
                }
            }
        }

        Array.Sort(sorted, (a, b) => CompareModules(a, b)!.Value);
        return sorted;
    }

    private static int? CompareModules(string a, string b)
    {
        string[] left = a.Split('.', StringSplitOptions.RemoveEmptyEntries), right = b.Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            if (left[i] == right[i])
            {
                continue;
            }

            bool numbers = long.TryParse(left[i], NumberStyles.None, CultureInfo.InvariantCulture, out long x) & long.TryParse(right[i], NumberStyles.None, CultureInfo.InvariantCulture, out long y);
            return numbers && x != y ? x.CompareTo(y) : null;
        }

        return left.Length.CompareTo(right.Length);
    }

    private static void CheckTensor(SafeTensors.Entry entry, string label, string role, long[] shape, long[]? alternative, string? hint = null)
    {
        string what = entry.Name == role ? string.Empty : $" (used as {role})";
        if (entry.DType != "F32")
        {
            throw SafeTensors.Error(label, entry.Name, $"expected dtype F32{what}, found {entry.DType}.");
        }

        if (!entry.Shape.AsSpan().SequenceEqual(shape) && (alternative is null || !entry.Shape.AsSpan().SequenceEqual(alternative)))
        {
            string also = alternative is null ? string.Empty : $" or ({NamedTensor.FormatShape(alternative)})";
            throw SafeTensors.Error(label, entry.Name, $"expected shape ({NamedTensor.FormatShape(shape)}){also}{what}, found ({NamedTensor.FormatShape(entry.Shape)}){hint}.");
        }
    }

    /// <summary>
    /// When a recurrent tensor's rows are another kind's gates of the same units (an LSTM's 4·H where a GRU needs 3·H, or
    /// the reverse), says so: the likeliest mistake, and one the shapes alone leave the reader to work out.
    /// </summary>
    private static string? GateHint(LayerDescription layer, SafeTensors.Entry entry)
    {
        int gates = LayerDescription.GatesOf(layer.Kind);
        if (entry.Shape.Length == 0 || entry.Shape[0] % layer.Units != 0 || entry.Shape[0] / layer.Units == gates)
        {
            return null;
        }

        LayerKind? other = (entry.Shape[0] / layer.Units) switch
        {
            4 => LayerKind.Lstm,
            3 => LayerKind.Gru,
            _ => null,
        };
        return other is LayerKind kind
            ? Invariant($": {entry.Shape[0]} rows are the {LayerDescription.GatesOf(kind)} gates of a {KindName(kind)} of {layer.Units} units, but layer {layer.Index} is an {KindName(layer.Kind)} with {gates} ({GateNames(layer.Kind)})")
            : null;
    }

    /// <summary>
    /// What a convolution's weight in the file says, against the layer: its out and in channels and kernel (a mistaken
    /// kernel size, channel count or groups reads at once), or that a 2-D tensor is a Linear's.
    /// </summary>
    private static string ConvolutionHint(LayerDescription layer, LayerTensor tensor, SafeTensors.Entry entry)
    {
        string module = Invariant($"layer {layer.Index} is {layer.TorchName()}");
        if (tensor.Role != TensorRole.Weight)
        {
            return Invariant($": {module}, one bias per output channel");
        }

        long[] found = entry.Shape;
        if (found.Length != tensor.Shape.Count)
        {
            string what = found.Length == 2 ? "a Linear's weight (out, in)" : Invariant($"a {found.Length}-D tensor");
            return Invariant($": {what}, but {module}, whose weight is (out_channels, in_channels / groups, {(tensor.Shape.Count == 4 ? "kh, kw" : "kernel")})");
        }

        string kernel = string.Join(" x ", found.Skip(2));
        string expectedKernel = string.Join(" x ", tensor.Shape.Skip(2));
        return Invariant($": {found[0]} out channels, {found[1]} in channels per group, kernel {kernel}; {module}: {tensor.Shape[0]} out channels, {tensor.Shape[1]} in channels per group, kernel {expectedKernel}");
    }

    private static string KindName(LayerKind kind) => kind == LayerKind.Lstm ? "LSTM" : "GRU";

    private static string GateNames(LayerKind kind) => kind == LayerKind.Lstm ? "i, f, g, o" : "r, z, n";

    /// <summary>A (rows × cols) row-major matrix replaced by its transpose, (cols × rows).</summary>
    internal static void TransposeInPlace(Span<float> matrix, int rows, int cols)
    {
        float[] source = matrix.ToArray();
        Kernels.Layout.Transpose(source, matrix, rows, cols);
    }

    private static void Decode(SafeTensors.Entry entry, ReadOnlySpan<byte> data, Span<float> destination, string label, int columns)
    {
        SafeTensors.ReadFloats(data.Slice((int)entry.Begin, (int)(entry.End - entry.Begin)), destination);
        if (NamedTensor.ValueProblem(entry.Shape, destination) is string problem)
        {
            throw SafeTensors.Error(label, entry.Name, $"{problem}");
        }
    }

    private static string Names(IReadOnlyList<SafeTensors.Entry> entries) =>
        entries.Count == 0 ? "no tensors" : string.Join(", ", entries.Take(8).Select(entry => entry.Name)) + (entries.Count > 8 ? ", …" : string.Empty);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(W|b|Wih|Whh|bih|bhh)(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex NnGenName();

    /// <summary>PyTorch's recurrent tensors: prefix (empty or ending in a dot), weight or bias, ih, hh or hr (proj_size), the stacked layer k, and _reverse for a bidirectional module's backward direction.</summary>
    [GeneratedRegex(@"^((?:.*\.)?)(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TorchRecurrentName();

    /// <summary>Any other module's tensor in a state_dict: the module's name (an index or an attribute) and the tensor.</summary>
    [GeneratedRegex(@"^(.+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$", RegexOptions.CultureInvariant)]
    private static partial Regex TorchModuleName();

    [GeneratedRegex(@"^(.*?)(\d+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$", RegexOptions.CultureInvariant)]
    private static partial Regex TorchName();
}
