using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;
using NnGen.Shared;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// A weights file's bytes → the network's parameters, checked with the runtime loader's rules (<c>WeightsFile.Read</c>):
    /// the container (<see cref="SafetensorsHeader"/>), the format version and architecture in <c>__metadata__</c>, tensors
    /// <c>W1</c>, <c>b1</c>, … (or PyTorch's <c>0.weight</c>, <c>0.bias</c>, … by position) in F32 with shapes (n[l], n[l-1])
    /// and (n[l]) or (n[l], 1), extra tensors F32, and every value finite. Never throws: the first problem becomes the
    /// one <see cref="BakeProblem"/> the network reports.
    /// </summary>
    internal static class WeightsBaker
    {
        /// <summary>
        /// The largest file baked: 4 MiB, about a million parameters. Each byte becomes about six characters of C#
        /// (<c>0x3F, </c>) plus a comment with the values, so this bounds the generated source near 40 MB.
        /// </summary>
        public const int MaxFileBytes = 4 * 1024 * 1024;

        public const int FormatVersion = 1;
        private const string VersionKey = "nngen.format_version", NetworkKey = "nngen.network", LayerSizesKey = "nngen.layer_sizes", ActivationsKey = "nngen.activations", LayersKey = "nngen.layers";

        private static readonly Regex NnGenName = new(@"^([Wb])(\d+)$", RegexOptions.CultureInvariant);
        private static readonly Regex TorchName = new(@"^(.*?)(\d+)\.(weight|bias)$", RegexOptions.CultureInvariant);

        /// <summary>Bakes <paramref name="input"/>'s file for <paramref name="spec"/>, a network the validator accepted.</summary>
        public static BakedWeights Bake(NetworkSpec spec, BakeInput input)
        {
            string fileName = input.File is null ? input.Weights : FileName(input.File.LogicalPath);
            BakedWeights Failed(BakeProblem problem) => new(input.Weights, fileName, null, EquatableArray<string>.Empty, problem);

            if (input.MatchProblem is not null)
            {
                return Failed(input.MatchProblem);
            }

            if (input.File?.ReadProblem is { } readProblem)
            {
                return Failed(AdditionalWeightsFile.WithNetwork(readProblem, spec.DisplayName));
            }

            if (input.File?.Bytes is not { } bytes)
            {
                return Failed(BakeProblem.Create(DiagnosticIds.WeightsFileUnreadable, fileName, spec.DisplayName, "the compiler gave no content for it"));
            }

            try
            {
                return Bake(spec, input.Weights, fileName, bytes.Array);
            }
            catch (BakeException exception)
            {
                return Failed(exception.Problem);
            }
            catch (SafetensorsFormatException exception)
            {
                return Failed(Corrupt(fileName, spec, exception.Tensor, exception.Offset, exception.Detail));
            }
            catch (Exception exception)
            {
                // A reader bug must not take the compilation down; it still names the file and what went wrong.
                return Failed(BakeProblem.Create(DiagnosticIds.WeightsFileUnreadable, fileName, spec.DisplayName, $"NnGen could not read it ({exception.GetType().Name}: {exception.Message})"));
            }
        }

        private static BakedWeights Bake(NetworkSpec spec, string weights, string fileName, byte[] file)
        {
            if (file.Length > MaxFileBytes)
            {
                throw new BakeException(TooLarge(fileName, spec, file.Length));
            }

            SafetensorsHeader header = SafetensorsHeader.Parse(file);
            var parameters = new List<byte>();
            var layout = new List<string>();
            HashSet<string> used = spec.Layers.Any(layer => layer.Kind != LayerKind.Dense)
                ? BakeLayerKinds(spec, fileName, file, header, parameters, layout)
                : BakeDense(spec, fileName, file, header, parameters, layout);

            // Extras in file order, as LoadWeights returns them, so the baked ones read like the loaded ones.
            var extras = new List<BakedTensor>();
            foreach (TensorEntry entry in header.Entries.Where(entry => !used.Contains(entry.Name)))
            {
                if (entry.DType != "F32")
                {
                    throw new BakeException(Tensor(entry.Name, fileName, spec, $"dtype {entry.DType}; NnGen reads F32 tensors only"));
                }

                var data = new List<byte>();
                Append(data, entry, header, file, spec, fileName);
                extras.Add(new BakedTensor(entry.Name, new EquatableArray<long>(entry.Shape), new EquatableBytes(data.ToArray())));
            }

            int inputs = ShapeRules.InputShape(spec).Aggregate(1, (product, size) => product * size);
            bool hasStandardizer = CheckStandardizer(extras, inputs, spec, fileName);
            return new BakedWeights(weights, fileName, new EquatableBytes(parameters.ToArray()), new EquatableArray<string>(layout), null, new EquatableArray<BakedTensor>(extras), hasStandardizer);
        }

        /// <summary>A dense-only network: W[l] and b[l] by NnGen's names or a PyTorch export's, as the runtime loader matches them.</summary>
        private static HashSet<string> BakeDense(NetworkSpec spec, string fileName, byte[] file, SafetensorsHeader header, List<byte> parameters, List<string> layout)
        {
            int[] sizes = new[] { spec.Inputs!.Value }.Concat(spec.Layers.Select(layer => layer.Units)).ToArray();
            string[] activations = spec.Layers.Select(layer => ActivationName(layer.Activation)).ToArray();
            CheckMetadata(header.Metadata, sizes, activations, spec, fileName);

            int layerCount = sizes.Length - 1;
            (TensorEntry Weight, TensorEntry Bias)[] layers = MatchLayers(header.Entries, sizes, activations, spec, fileName, out HashSet<string> used);
            for (int l = 1; l <= layerCount; l++)
            {
                (TensorEntry weight, TensorEntry bias) = layers[l - 1];
                CheckTensor(weight, Invariant($"W{l}"), new long[] { sizes[l], sizes[l - 1] }, null, spec, fileName);
                CheckTensor(bias, Invariant($"b{l}"), new long[] { sizes[l] }, new long[] { sizes[l], 1 }, spec, fileName);
                layout.Add(Invariant($"W{l}|{weight.Name}|{sizes[l]}, {sizes[l - 1]}|{sizes[l] * sizes[l - 1]}"));
                layout.Add(Invariant($"b{l}|{bias.Name}|{sizes[l]}|{sizes[l]}"));
                Append(parameters, weight, header, file, spec, fileName);
                Append(parameters, bias, header, file, spec, fileName);
            }

            return used;
        }

        /// <summary>
        /// A network with layers of other kinds, as saved by <c>SaveWeights</c>: its kinds and arguments in
        /// <c>nngen.layers</c> (compared as numbers, as the runtime loader does), and every tensor of the plan by its
        /// name and shape. The parameters come first, in the order of <c>Parameters</c>, then the running statistics in the
        /// order of <c>State</c>, one block of bytes that <c>ResetToBakedWeights</c> splits at <c>ParameterCount</c>.
        /// </summary>
        private static HashSet<string> BakeLayerKinds(NetworkSpec spec, string fileName, byte[] file, SafetensorsHeader header, List<byte> parameters, List<string> layout)
        {
            Planning.NetworkPlan plan = Planning.NetworkPlan.Create(spec);
            int[] sizes = new[] { plan.InputSize }.Concat(plan.Layers.Select(layer => layer.Units)).ToArray();
            string[] activations = plan.Layers.Select(layer => ActivationName(layer.Activation)).ToArray();
            CheckMetadata(header.Metadata, sizes, activations, spec, fileName);
            CheckLayerKinds(header.Metadata, plan, spec, fileName, Describe(sizes, activations));

            var entries = header.Entries.ToDictionary(entry => entry.Name, StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (Planning.TensorPlan tensor in plan.Tensors.Where(tensor => !tensor.IsState).Concat(plan.Tensors.Where(tensor => tensor.IsState)))
            {
                if (!entries.TryGetValue(tensor.FileName, out TensorEntry? entry))
                {
                    throw new BakeException(BakeProblem.Create(
                        DiagnosticIds.WeightsTensorMismatch, tensor.FileName, fileName, spec.DisplayName, Invariant($"it is missing; a network with {LayerRules.KindName(plan.Layers.First(layer => layer.Tensors.Contains(tensor)).Kind)} layers is baked from a file SaveWeights wrote, which names every tensor")));
                }

                long[] shape = tensor.Dimensions.Count > 0 ? tensor.Dimensions.Select(size => (long)size).ToArray()
                    : tensor.Role is Planning.TensorRole.Weight or Planning.TensorRole.InputWeight or Planning.TensorRole.RecurrentWeight
                    ? new long[] { tensor.Rows, tensor.Columns }
                    : new long[] { tensor.Rows };
                CheckTensor(entry, tensor.FileName, shape, null, spec, fileName);
                layout.Add(Invariant($"{tensor.FileName}|{entry.Name}|{TensorShapes.Format(shape)}|{tensor.Length}"));
                if (tensor.Role is Planning.TensorRole.InputWeight or Planning.TensorRole.RecurrentWeight)
                {
                    AppendTransposed(parameters, entry, tensor.Rows, tensor.Columns, header, file, spec, fileName);
                }
                else
                {
                    Append(parameters, entry, header, file, spec, fileName);
                }
                used.Add(entry.Name);
            }

            return used;
        }

        /// <summary>
        /// <c>nngen.layers</c> against the plan, as the runtime loader checks it: one entry per layer, the kind by name and
        /// each argument compared as a float32 number (a PyTorch export writes 1e-05 where NnGen writes 1E-05).
        /// </summary>
        private static void CheckLayerKinds(Dictionary<string, string> metadata, Planning.NetworkPlan plan, NetworkSpec spec, string fileName, string described)
        {
            string saved = metadata.TryGetValue(NetworkKey, out string? name) ? $" (saved from {name})" : string.Empty;
            if (!metadata.TryGetValue(LayersKey, out string? layers))
            {
                throw new BakeException(BakeProblem.Create(
                    DiagnosticIds.WeightsArchitectureMismatch, fileName, "dense layers only, no " + LayersKey + saved, spec.DisplayName, LayerKindsText(plan), described));
            }

            string[] found = layers.Split(',');
            bool matches = found.Length == plan.Layers.Count;
            for (int i = 0; matches && i < found.Length; i++)
            {
                matches = LayerMatches(found[i].Trim(), plan.Layers[i]);
            }

            if (!matches)
            {
                throw new BakeException(BakeProblem.Create(
                    DiagnosticIds.WeightsArchitectureMismatch, fileName, LayersKey + " " + layers + saved, spec.DisplayName, LayerKindsText(plan), described));
            }
        }

        private static bool LayerMatches(string entry, Planning.LayerPlan layer)
        {
            int open = entry.IndexOf('(');
            string kind = open < 0 ? entry : entry.Substring(0, open);
            var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
            if (open >= 0)
            {
                if (!entry.EndsWith(")", StringComparison.Ordinal))
                {
                    return false;
                }

                foreach (string pair in entry.Substring(open + 1, entry.Length - open - 2).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    int equals = pair.IndexOf('=');
                    if (equals <= 0)
                    {
                        return false;
                    }

                    arguments[pair.Substring(0, equals)] = pair.Substring(equals + 1);
                }
            }

            bool Argument(string key, double expected) =>
                arguments.TryGetValue(key, out string? text) &&
                float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) &&
                value == (float)expected;

            return layer.Kind switch
            {
                LayerKind.Dense => kind == "dense" && arguments.Count == 0,
                LayerKind.Dropout => kind == "dropout" && arguments.Count == 1 && Argument("rate", layer.Rate),
                LayerKind.BatchNorm => kind == "batch_norm" && arguments.Count == 2 && Argument("epsilon", layer.Epsilon) && Argument("momentum", layer.Momentum),
                LayerKind.Lstm or LayerKind.Gru => kind == RecurrentName(layer.Kind) && arguments.Count == 1 &&
                    arguments.TryGetValue("return_sequences", out string? returns) && ParseFlag(returns) == layer.ReturnSequences,
                LayerKind.LayerNorm => kind == "layer_norm" && arguments.Count == 1 && Argument("epsilon", layer.Epsilon),
                _ => kind == ShapedText(layer).Split('(')[0] && arguments.Count == ShapedArguments(layer).Length &&
                    ShapedArguments(layer).All(argument => arguments.TryGetValue(argument.Name, out string? text) && text == Invariant($"{argument.Value}")),
            };
        }

        /// <summary>
        /// A convolution's or pool's arguments as the runtime's weight files record them in <c>nngen.layers</c>
        /// (<c>LayerDescription.ShapedArgumentNames</c>), in that order; none for global average pooling and flatten.
        /// </summary>
        private static (string Name, int Value)[] ShapedArguments(Planning.LayerPlan layer)
        {
            if (layer.Conv is { } c)
            {
                return layer.Kind == LayerKind.Conv1D
                    ? new[] { ("out_channels", c.OutChannels), ("kernel", c.KernelWidth), ("stride", c.StrideWidth), ("pad_left", c.PadLeft), ("pad_right", c.PadRight), ("dilation", c.DilationWidth), ("groups", c.Groups) }
                    : new[]
                    {
                        ("out_channels", c.OutChannels), ("kernel_h", c.KernelHeight), ("kernel_w", c.KernelWidth), ("stride_h", c.StrideHeight), ("stride_w", c.StrideWidth),
                        ("pad_top", c.PadTop), ("pad_bottom", c.PadBottom), ("pad_left", c.PadLeft), ("pad_right", c.PadRight), ("dilation_h", c.DilationHeight), ("dilation_w", c.DilationWidth), ("groups", c.Groups),
                    };
            }

            if (layer.Pool is { } p)
            {
                return layer.Kind is LayerKind.MaxPool1D or LayerKind.AvgPool1D
                    ? new[] { ("kernel", p.KernelWidth), ("stride", p.StrideWidth), ("padding", p.PadWidth) }
                    : new[] { ("kernel_h", p.KernelHeight), ("kernel_w", p.KernelWidth), ("stride_h", p.StrideHeight), ("stride_w", p.StrideWidth), ("pad_h", p.PadHeight), ("pad_w", p.PadWidth) };
            }

            return System.Array.Empty<(string, int)>();
        }

        /// <summary>A shaped layer as <c>nngen.layers</c> spells it: <c>conv2d(out_channels=6 …)</c>, <c>max_pool2d(…)</c>, <c>flatten</c>.</summary>
        private static string ShapedText(Planning.LayerPlan layer)
        {
            string name = layer.Kind switch
            {
                LayerKind.Conv1D => "conv1d",
                LayerKind.Conv2D => "conv2d",
                LayerKind.MaxPool1D => "max_pool1d",
                LayerKind.MaxPool2D => "max_pool2d",
                LayerKind.AvgPool1D => "avg_pool1d",
                LayerKind.AvgPool2D => "avg_pool2d",
                LayerKind.GlobalAvgPool => "global_avg_pool",
                _ => "flatten",
            };
            (string Name, int Value)[] arguments = ShapedArguments(layer);
            return arguments.Length == 0 ? name : name + "(" + string.Join(" ", arguments.Select(argument => Invariant($"{argument.Name}={argument.Value}"))) + ")";
        }

        /// <summary>The network's layers as <c>nngen.layers</c> spells them, for messages.</summary>
        private static string LayerKindsText(Planning.NetworkPlan plan) =>
            "layers " + string.Join(",", plan.Layers.Select(layer => layer.Kind switch
            {
                LayerKind.Dense => "dense",
                LayerKind.Dropout => Invariant($"dropout(rate={(float)layer.Rate})"),
                LayerKind.BatchNorm => Invariant($"batch_norm(epsilon={(float)layer.Epsilon} momentum={(float)layer.Momentum})"),
                LayerKind.Lstm or LayerKind.Gru => Invariant($"{RecurrentName(layer.Kind)}(return_sequences={(layer.ReturnSequences ? "true" : "false")})"),
                LayerKind.LayerNorm => Invariant($"layer_norm(epsilon={(float)layer.Epsilon})"),
                _ => ShapedText(layer),
            }));

        private static string RecurrentName(LayerKind kind) => kind == LayerKind.Lstm ? "lstm" : "gru";

        /// <summary>A return_sequences value as the runtime loader reads it: true/True/1 or false/False/0; null for anything else.</summary>
        private static bool? ParseFlag(string text) => text switch
        {
            "true" or "True" or "1" => true,
            "false" or "False" or "0" => false,
            _ => null,
        };

        /// <summary>The runtime's <c>Standardizer.MeanTensorName</c> and <c>ScaleTensorName</c> (KnownNamesTests compares them).</summary>
        public const string StandardizerMean = "standardizer.mean", StandardizerScale = "standardizer.scale";

        /// <summary>
        /// Whether the extras hold a standardizer, checked with the rules of the runtime's <c>Standardizer.FromWeights</c> for
        /// the network's n[0] columns (both tensors, each of shape (n[0]), finite means, positive scales), so the baked
        /// standardizer can never fail to build at run time. One of the two alone is an error: a model trained on
        /// standardized inputs is wrong without both.
        /// </summary>
        private static bool CheckStandardizer(List<BakedTensor> extras, int columns, NetworkSpec spec, string fileName)
        {
            BakedTensor? mean = extras.FirstOrDefault(extra => extra.Name == StandardizerMean);
            BakedTensor? scale = extras.FirstOrDefault(extra => extra.Name == StandardizerScale);
            if (mean is null && scale is null)
            {
                return false;
            }

            string expected = Invariant($"expected shape ({columns}) F32, one value per input of the network");
            if (mean is null || scale is null)
            {
                (string present, string missing) = mean is null ? (StandardizerScale, StandardizerMean) : (StandardizerMean, StandardizerScale);
                throw new BakeException(Tensor(missing, fileName, spec, $"missing beside '{present}': a standardizer needs both; {expected}"));
            }

            foreach (BakedTensor tensor in new[] { mean, scale })
            {
                if (tensor.Shape.Count != 1 || tensor.Shape[0] != columns)
                {
                    throw new BakeException(Tensor(tensor.Name, fileName, spec, $"{expected}, found ({TensorShapes.Format(tensor.Shape.ToArray())})"));
                }
            }

            // Means are finite (every extra is); a scale divides, so it must also be positive, as Standardizer requires.
            for (int j = 0; j < columns; j++)
            {
                float value = FloatAt(scale.Data, 4 * j);
                if (!(value > 0f))
                {
                    throw new BakeException(Tensor(StandardizerScale, fileName, spec, Invariant($"value at [{j}] is {value.ToString("R", CultureInfo.InvariantCulture)}; a standardizer's scale must be positive")));
                }
            }

            return true;
        }

        /// <summary>The little-endian F32 value at <paramref name="offset"/>, whatever the build machine's byte order.</summary>
        public static float FloatAt(EquatableBytes bytes, int offset)
        {
            byte[] value = { bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3] };
            if (!BitConverter.IsLittleEndian)
            {
                Array.Reverse(value);
            }

            return BitConverter.ToSingle(value, 0);
        }

        private static void CheckMetadata(Dictionary<string, string> metadata, int[] sizes, string[] activations, NetworkSpec spec, string fileName)
        {
            if (metadata.TryGetValue(VersionKey, out string? version))
            {
                if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1)
                {
                    throw new BakeException(Corrupt(fileName, spec, SafetensorsHeader.MetadataKey, 8, $"{VersionKey} must be a positive integer; found '{version}'"));
                }

                if (number > FormatVersion)
                {
                    throw new BakeException(Corrupt(fileName, spec, SafetensorsHeader.MetadataKey, 8, $"format version {number} was written by a newer NnGen; this one reads version {FormatVersion}"));
                }
            }

            string expectedSizes = string.Join(",", sizes.Select(size => size.ToString(CultureInfo.InvariantCulture)));
            string saved = metadata.TryGetValue(NetworkKey, out string? name) ? $" (saved from {name})" : string.Empty;
            if (metadata.TryGetValue(LayerSizesKey, out string? fileSizes) && fileSizes != expectedSizes)
            {
                throw new BakeException(BakeProblem.Create(DiagnosticIds.WeightsArchitectureMismatch, fileName, "layer sizes " + fileSizes + saved, spec.DisplayName, "layer sizes " + expectedSizes, Describe(sizes, activations)));
            }

            string expectedActivations = string.Join(",", activations);
            if (metadata.TryGetValue(ActivationsKey, out string? fileActivations) && fileActivations != expectedActivations)
            {
                throw new BakeException(BakeProblem.Create(DiagnosticIds.WeightsArchitectureMismatch, fileName, "activations " + fileActivations + saved, spec.DisplayName, "activations " + expectedActivations, Describe(sizes, activations)));
            }
        }

        private static (TensorEntry, TensorEntry)[] MatchLayers(List<TensorEntry> entries, int[] sizes, string[] activations, NetworkSpec spec, string fileName, out HashSet<string> used)
        {
            var byName = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (TensorEntry entry in entries)
            {
                byName[entry.Name] = entry;
            }

            int layerCount = sizes.Length - 1;
            var layers = new (TensorEntry, TensorEntry)[layerCount];
            used = new HashSet<string>(StringComparer.Ordinal);
            if (entries.Any(entry => NnGenName.IsMatch(entry.Name)))
            {
                foreach (TensorEntry entry in entries)
                {
                    Match match = NnGenName.Match(entry.Name);
                    if (match.Success && (match.Groups[2].Value.StartsWith("0", StringComparison.Ordinal) ||
                        !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int layer) || layer > layerCount))
                    {
                        throw new BakeException(Tensor(entry.Name, fileName, spec, $"unexpected: the network has layers 1 to {layerCount} ({Describe(sizes, activations)})"));
                    }
                }

                for (int l = 1; l <= layerCount; l++)
                {
                    layers[l - 1] = (Required(byName, Invariant($"W{l}"), Invariant($"({sizes[l]}, {sizes[l - 1]})"), spec, fileName),
                                     Required(byName, Invariant($"b{l}"), Invariant($"({sizes[l]})"), spec, fileName));
                    used.Add(Invariant($"W{l}"));
                    used.Add(Invariant($"b{l}"));
                }

                return layers;
            }

            // PyTorch's state_dict of an nn.Sequential: "<index>.weight" and "<index>.bias" per Linear, under one prefix.
            var modules = new SortedDictionary<long, (TensorEntry? Weight, TensorEntry? Bias)>();
            string? prefix = null;
            foreach (TensorEntry entry in entries)
            {
                Match match = TorchName.Match(entry.Name);
                if (!match.Success)
                {
                    continue;
                }

                if (prefix is not null && prefix != match.Groups[1].Value)
                {
                    throw new BakeException(Tensor(entry.Name, fileName, spec, $"PyTorch parameters under two prefixes ('{prefix}' and '{match.Groups[1].Value}'); one nn.Sequential is expected"));
                }

                prefix = match.Groups[1].Value;
                if (!long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
                {
                    throw new BakeException(Tensor(entry.Name, fileName, spec, $"module index {match.Groups[2].Value} is out of range"));
                }

                modules.TryGetValue(index, out var module);
                modules[index] = match.Groups[3].Value == "weight" ? (entry, module.Bias) : (module.Weight, entry);
                used.Add(entry.Name);
            }

            if (modules.Count == 0)
            {
                string found = entries.Count == 0 ? "no tensors" : string.Join(", ", entries.Take(8).Select(entry => entry.Name)) + (entries.Count > 8 ? ", …" : string.Empty);
                throw new BakeException(Tensor("W1", fileName, spec, Invariant($"missing: expected tensors W1, b1, …, W{layerCount}, b{layerCount} (or PyTorch's 0.weight, 0.bias, …) with W1 of shape ({sizes[1]}, {sizes[0]}) F32; found {found}")));
            }

            if (modules.Count != layerCount)
            {
                throw new BakeException(BakeProblem.Create(
                    DiagnosticIds.WeightsArchitectureMismatch, fileName, Invariant($"PyTorch parameters of {modules.Count} modules ({string.Join(", ", modules.Keys)})"),
                    spec.DisplayName, Invariant($"{layerCount} layers"), Describe(sizes, activations)));
            }

            int position = 0;
            foreach (KeyValuePair<long, (TensorEntry? Weight, TensorEntry? Bias)> module in modules)
            {
                string name = prefix + module.Key.ToString(CultureInfo.InvariantCulture);
                if (module.Value.Weight is null || module.Value.Bias is null)
                {
                    string missing = name + (module.Value.Weight is null ? ".weight" : ".bias");
                    throw new BakeException(Tensor(missing, fileName, spec, $"missing: layer {position + 1} needs both {name}.weight and {name}.bias (a Linear with bias=False is not supported)"));
                }

                layers[position++] = (module.Value.Weight, module.Value.Bias);
            }

            return layers;
        }

        private static TensorEntry Required(Dictionary<string, TensorEntry> byName, string name, string shape, NetworkSpec spec, string fileName) =>
            byName.TryGetValue(name, out TensorEntry? entry)
                ? entry
                : throw new BakeException(Tensor(name, fileName, spec, $"missing: expected shape {shape} F32, found no such tensor"));

        private static void CheckTensor(TensorEntry entry, string role, long[] shape, long[]? alternative, NetworkSpec spec, string fileName)
        {
            string what = entry.Name == role ? string.Empty : $" (used as {role})";
            if (entry.DType != "F32")
            {
                throw new BakeException(Tensor(entry.Name, fileName, spec, $"expected dtype F32{what}, found {entry.DType}"));
            }

            if (!entry.Shape.SequenceEqual(shape) && (alternative is null || !entry.Shape.SequenceEqual(alternative)))
            {
                string also = alternative is null ? string.Empty : $" or ({TensorShapes.Format(alternative)})";
                throw new BakeException(Tensor(entry.Name, fileName, spec, $"expected shape ({TensorShapes.Format(shape)}){also}{what}, found ({TensorShapes.Format(entry.Shape)})"));
            }
        }

        private static void Append(List<byte> parameters, TensorEntry entry, SafetensorsHeader header, byte[] file, NetworkSpec spec, string fileName)
        {
            CheckFinite(entry, header, file, spec, fileName);
            for (long i = header.DataStart + entry.Begin; i < header.DataStart + entry.End; i++)
            {
                parameters.Add(file[i]);
            }
        }

        /// <summary>
        /// A recurrent layer's Wih or Whh: the file holds PyTorch's (G·H, n) and the parameters hold it transposed, (n, G·H)
        /// (the runtime's <c>LayerTensor.IsStoredTransposed</c>), so the bytes of each float are copied column by column.
        /// </summary>
        private static void AppendTransposed(List<byte> parameters, TensorEntry entry, int rows, int columns, SafetensorsHeader header, byte[] file, NetworkSpec spec, string fileName)
        {
            CheckFinite(entry, header, file, spec, fileName);
            long start = header.DataStart + entry.Begin;
            for (int c = 0; c < columns; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    long at = start + (4L * (((long)r * columns) + c));
                    parameters.Add(file[at]);
                    parameters.Add(file[at + 1]);
                    parameters.Add(file[at + 2]);
                    parameters.Add(file[at + 3]);
                }
            }
        }

        private static void CheckFinite(TensorEntry entry, SafetensorsHeader header, byte[] file, NetworkSpec spec, string fileName)
        {
            long start = header.DataStart + entry.Begin;
            for (long i = start; i + 3 < header.DataStart + entry.End; i += 4)
            {
                int bits = file[i] | (file[i + 1] << 8) | (file[i + 2] << 16) | (file[i + 3] << 24);
                if ((bits & 0x7F800000) == 0x7F800000)
                {
                    string value = (bits & 0x007FFFFF) != 0 ? "NaN" : bits < 0 ? "-Infinity" : "Infinity";
                    int index = (int)((i - start) / 4);
                    throw new BakeException(Corrupt(fileName, spec, entry.Name, i, $"value{TensorShapes.Position(entry.Shape, index)} is {value}; every value must be finite"));
                }
            }
        }

        public static BakeProblem TooLarge(string fileName, NetworkSpec spec, long bytes) =>
            BakeProblem.Create(DiagnosticIds.WeightsFileTooLarge, fileName, spec.DisplayName, bytes.ToString(CultureInfo.InvariantCulture), MaxFileBytes.ToString(CultureInfo.InvariantCulture));

        private static BakeProblem Corrupt(string fileName, NetworkSpec spec, string? tensor, long offset, string detail) =>
            BakeProblem.Create(
                DiagnosticIds.WeightsFileUnreadable,
                fileName,
                spec.DisplayName,
                (tensor is null ? string.Empty : $"tensor '{tensor}': ") + detail + Invariant($" (at byte {offset})"));

        private static BakeProblem Tensor(string tensor, string fileName, NetworkSpec spec, string detail) =>
            BakeProblem.Create(DiagnosticIds.WeightsTensorMismatch, tensor, fileName, spec.DisplayName, detail);

        private static string Describe(int[] sizes, string[] activations) =>
            string.Join(" -> ", new[] { sizes[0].ToString(CultureInfo.InvariantCulture) }.Concat(activations.Select((activation, i) => sizes[i + 1].ToString(CultureInfo.InvariantCulture) + " " + activation)));

        /// <summary>The runtime's <c>NetworkArchitecture.ActivationName</c>, which weight files record.</summary>
        public static string ActivationName(ActivationKind activation) => activation switch
        {
            ActivationKind.Sigmoid => "sigmoid",
            ActivationKind.Tanh => "tanh",
            ActivationKind.ReLU => "relu",
            ActivationKind.LeakyReLU => "leaky_relu",
            ActivationKind.Linear => "linear",
            ActivationKind.Softmax => "softmax",
            _ => "unknown",
        };

        public static string FileName(string path)
        {
            int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash < 0 ? path : path.Substring(slash + 1);
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        private sealed class BakeException : Exception
        {
            public BakeException(BakeProblem problem)
                : base(problem.DescriptorId)
            {
                Problem = problem;
            }

            public BakeProblem Problem { get; }
        }
    }
}
