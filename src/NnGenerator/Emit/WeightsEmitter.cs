using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Baking;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The network's architecture as run-time data and its weight-file members, which forward to the runtime's
    /// <c>WeightsFile</c>: the format and every check live there, the generated part only says what the network is.
    /// </summary>
    internal static class WeightsEmitter
    {
        public static void Emit(SourceWriter writer, NetworkPlan plan)
        {
            string sizes = string.Join(", ", new[] { plan.InputSize }.Concat(plan.Layers.Select(layer => layer.Units)).Select(Int));
            string activations = string.Join(", ", plan.Layers.Select(layer => $"{RuntimeNames.ActivationType}.{layer.Activation}"));

            if (plan.Layers.All(layer => layer.IsDense))
            {
                writer.Summary($"The layer sizes n[0..L] = ({sizes}) and activations, saved with the weights and checked when they are loaded.");
                writer.WriteLine($"public static {RuntimeNames.NetworkArchitecture} Architecture {{ get; }} = new {RuntimeNames.NetworkArchitecture}(");
                writer.WriteLine($"    NetworkName, new int[] {{ {sizes} }}, new {RuntimeNames.ActivationType}[] {{ {activations} }}, {RuntimeNames.LossType}.{plan.Loss});");
            }
            else
            {
                writer.Summary("Every layer with its kind, arguments and tensors (names, shapes, offsets), saved with the weights and checked when they are loaded.");
                writer.WriteLine($"public static {RuntimeNames.NetworkArchitecture} Architecture {{ get; }} = new {RuntimeNames.NetworkArchitecture}(");
                writer.WriteLine($"    NetworkName,");
                writer.WriteLine(plan.IsShaped ? $"    new int[] {{ {string.Join(", ", plan.InputShape.Select(Int))} }}," : "    InputSize,");
                writer.WriteLine($"    new {RuntimeNames.LayerDescription}[]");
                writer.WriteLine("    {");
                foreach (LayerPlan layer in plan.Layers)
                {
                    writer.WriteLine($"        {Describe(layer)},");
                }

                writer.WriteLine("    },");
                writer.WriteLine($"    {RuntimeNames.LossType}.{plan.Loss});");
            }

            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.NetworkArchitecture} {RuntimeNames.SerializableNetwork}.Architecture => Architecture;");
            writer.WriteLine();

            const string Extras = RuntimeNames.NamedTensors + "? extras = null";
            foreach ((string type, string name, string what) in new[] { ("string", "path", "the file at <paramref name=\"path\"/> (replaced only once written in full)"), (RuntimeNames.Stream, "stream", "<paramref name=\"stream\"/>") })
            {
                writer.Summary($"Saves the parameters to {what} as safetensors: W1, b1, … in F32, W[l] (n[l], n[l-1]), b[l] (n[l]), with the architecture in the metadata.");
                writer.WriteLine($"/// <param name=\"{name}\">Where to write.</param>");
                writer.WriteLine("/// <param name=\"extras\">Tensors to save beside the weights (a standardizer's mean and scale, …).</param>");
                writer.WriteLine($"public void SaveWeights({type} {name}, {Extras}) => {RuntimeNames.WeightsFileSave}(this, {name}, extras);");
                writer.WriteLine();
            }

            foreach ((string type, string name, string what) in new[] { ("string", "path", "the file at <paramref name=\"path\"/>"), (RuntimeNames.Stream, "stream", "the rest of <paramref name=\"stream\"/>") })
            {
                writer.Summary($"Loads parameters saved by SaveWeights (or exported from PyTorch) from {what}, after checking every tensor against this network.");
                writer.WriteLine($"/// <param name=\"{name}\">Where to read.</param>");
                writer.WriteLine("/// <returns>The file's metadata and the extra tensors saved beside the weights.</returns>");
                writer.WriteLine($"/// <exception cref=\"{RuntimeNames.WeightsFormatException}\">The file is malformed or for another architecture; the parameters are then unchanged.</exception>");
                writer.WriteLine($"/// <exception cref=\"{RuntimeNames.InvalidOperationException}\">Fit, GradientCheck, Step or another load is writing this instance (on another thread, or this is a Progress callback of its Fit); the parameters are then unchanged.</exception>");
                writer.WriteLine($"public {RuntimeNames.LoadedWeights} LoadWeights({type} {name}) => {RuntimeNames.WeightsFileLoad}(this, {name});");
                writer.WriteLine();
            }
        }

        /// <summary>The runtime's <c>LayerDescription</c> factory call for <paramref name="layer"/>, in the generated constants.</summary>
        private static string Describe(LayerPlan layer)
        {
            string l = Int(layer.Index);
            string factory = RuntimeNames.LayerDescription;
            return layer.Kind switch
            {
                Model.LayerKind.Dense => $"{factory}.Dense({l}, {layer.InputsConstant}, {layer.UnitsConstant}, {RuntimeNames.ActivationType}.{layer.Activation}, {layer.WeightOffsetConstant})",
                Model.LayerKind.Dropout => $"{factory}.Dropout({l}, {layer.UnitsConstant}, Layer{l}Rate)",
                Model.LayerKind.BatchNorm => $"{factory}.BatchNorm({l}, {layer.UnitsConstant}, Layer{l}Epsilon, Layer{l}Momentum, " +
                    $"{layer.Tensor(TensorRole.Scale).OffsetConstant}, {layer.Tensor(TensorRole.RunningMean).OffsetConstant})",
                Model.LayerKind.Conv1D or Model.LayerKind.Conv2D =>
                    $"{factory}.Convolution({l}, {RuntimeNames.LayerKindType}.{Model.LayerRules.KindName(layer.Kind)}, {layer.GeometryField}, {RuntimeNames.ActivationType}.{layer.Activation}, {layer.WeightOffsetConstant})",
                Model.LayerKind.MaxPool1D or Model.LayerKind.MaxPool2D or Model.LayerKind.AvgPool1D or Model.LayerKind.AvgPool2D =>
                    $"{factory}.Pooling({l}, {RuntimeNames.LayerKindType}.{Model.LayerRules.KindName(layer.Kind)}, {layer.GeometryField})",
                Model.LayerKind.GlobalAvgPool or Model.LayerKind.Flatten =>
                    $"{factory}.{Model.LayerRules.KindName(layer.Kind)}({l}, {Int(layer.InputShape[0])}, {Int(layer.InputShape.Count == 3 ? layer.InputShape[1] : 1)}, {Int(layer.InputShape[layer.InputShape.Count - 1])})",
                Model.LayerKind.Lstm or Model.LayerKind.Gru => $"{factory}.{Model.LayerRules.KindName(layer.Kind)}({l}, {layer.InputsConstant}, {layer.UnitsConstant}, " +
                    $"{(layer.ReturnSequences ? "true" : "false")}, {layer.Tensor(TensorRole.InputWeight).OffsetConstant})",
                _ => $"{factory}.LayerNorm({l}, {layer.UnitsConstant}, Layer{l}Epsilon, {layer.Tensor(TensorRole.Scale).OffsetConstant})",
            };
        }

        /// <summary>Bytes per line of the baked data: four F32 values, so each line's comment shows the values it holds.</summary>
        private const int BytesPerLine = 16;

        /// <summary>
        /// The baked weights: <c>ResetToBakedWeights</c>, which the parameterless constructor calls, and the bytes themselves
        /// as a <c>ReadOnlySpan&lt;byte&gt;</c> over an array initializer, which the compiler stores in the assembly's data
        /// section (no allocation, no static constructor, trimming- and AOT-safe).
        /// </summary>
        public static void EmitBaked(SourceWriter writer, NetworkPlan plan, BakedWeights baked)
        {
            string file = NetworkEmitter.Xml(baked.FileName);
            string what = plan.StateCount > 0 ? "<see cref=\"Parameters\"/> and <see cref=\"State\"/>" : "<see cref=\"Parameters\"/>";
            writer.Summary($"Sets {what} to the weights baked in at build time from <c>{file}</c>, as <c>new {NetworkEmitter.Xml(plan.Spec.Name)}()</c> does.");
            if (plan.StateCount == 0)
            {
                writer.WriteLine($"public void {GeneratedNames.ResetToBakedWeights}() => {RuntimeNames.WeightsFileReadBaked}({GeneratedNames.BakedParameters}, _parameters.Span);");
            }
            else
            {
                using (writer.Block($"public void {GeneratedNames.ResetToBakedWeights}()"))
                {
                    writer.WriteLine("// The running statistics follow the parameters in the baked bytes.");
                    writer.WriteLine($"{RuntimeNames.WeightsFileReadBaked}({GeneratedNames.BakedParameters}.Slice(0, ParameterCount * sizeof(float)), _parameters.Span);");
                    writer.WriteLine($"{RuntimeNames.WeightsFileReadBaked}({GeneratedNames.BakedParameters}.Slice(ParameterCount * sizeof(float)), _state.Span);");
                }
            }

            writer.WriteLine();

            EquatableBytes bytes = baked.Parameters!;
            string[] layout = baked.Layout.Select(entry => Describe(entry)).ToArray();
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// The parameters baked in from <c>{file}</c> (Weights = \"{NetworkEmitter.Xml(baked.Weights)}\"): {Int(bytes.Length / 4)} F32 values,");
            writer.WriteLine("/// little-endian, in the order of <see cref=\"Parameters\"/>" + (plan.StateCount > 0 ? " then <see cref=\"State\"/>" : string.Empty) + ": " + string.Join(", ", layout) + ".");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"private static {RuntimeNames.ByteSpan} {GeneratedNames.BakedParameters} => new byte[]");
            writer.WriteLine("{");
            int offset = 0;
            foreach (string entry in baked.Layout)
            {
                string[] parts = entry.Split('|');
                int length = int.Parse(parts[3], CultureInfo.InvariantCulture) * 4;
                string source = parts[1] == parts[0] ? string.Empty : $" from tensor '{parts[1]}'";
                writer.WriteLine($"    // {parts[0]} ({parts[2]}){source}: bytes [{Int(offset)}, {Int(offset + length)})");
                for (int line = offset; line < offset + length; line += BytesPerLine)
                {
                    int end = Math.Min(line + BytesPerLine, offset + length);
                    var text = new StringBuilder("    ");
                    var values = new StringBuilder();
                    for (int i = line; i < end; i++)
                    {
                        text.Append("0x").Append(bytes[i].ToString("X2", CultureInfo.InvariantCulture)).Append(", ");
                    }

                    for (int i = line; i + 3 < end; i += 4)
                    {
                        values.Append(values.Length == 0 ? string.Empty : ", ").Append(Float(bytes, i));
                    }

                    writer.WriteLine(text.ToString().TrimEnd() + " // " + values);
                }

                offset += length;
            }

            writer.WriteLine("};");
            writer.WriteLine();
            EmitExtras(writer, baked);
        }

        /// <summary>Values per line of a baked extra tensor.</summary>
        private const int ValuesPerLine = 8;

        /// <summary>
        /// The extra tensors the file carries beside the weights, so that a model shipped as one binary needs no file for
        /// them either: <c>BakedExtra(name)</c>, a <c>ReadOnlySpan&lt;float&gt;</c> per tensor, and <c>BakedStandardizer</c>
        /// when the baker found a valid standardizer among them. Written as float arrays converted to spans, which the
        /// compiler stores in the assembly's data (RuntimeHelpers.CreateSpan: no allocation, right on big-endian machines).
        /// </summary>
        private static void EmitExtras(SourceWriter writer, BakedWeights baked)
        {
            if (baked.Extras.Count == 0)
            {
                return;
            }

            string file = NetworkEmitter.Xml(baked.FileName);
            string list = string.Join(", ", baked.Extras.Select(extra => $"<c>{NetworkEmitter.Xml(Literal(extra.Name))}</c> ({Shape(extra)})"));
            if (baked.HasStandardizer)
            {
                string standardizer = $"{RuntimeNames.Standardizer}({GeneratedNames.BakedExtra}({Literal(WeightsBaker.StandardizerMean)}), {GeneratedNames.BakedExtra}({Literal(WeightsBaker.StandardizerScale)}))";
                writer.WriteLine("/// <summary>");
                writer.WriteLine($"/// The standardizer saved beside the weights in <c>{file}</c> (its tensors {WeightsBaker.StandardizerMean} and {WeightsBaker.StandardizerScale}),");
                writer.WriteLine("/// baked in at build time: standardize every input with it before predicting, as the training inputs were.");
                writer.WriteLine("/// </summary>");
                writer.WriteLine($"public static {RuntimeNames.Standardizer} {GeneratedNames.BakedStandardizer} {{ get; }} = new {standardizer};");
                writer.WriteLine();
            }

            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// An extra tensor saved beside the weights in <c>{file}</c>, baked in at build time: its F32 values, row-major, read");
            writer.WriteLine("/// from the assembly's data without allocating. The file carries " + list + ".");
            writer.WriteLine("/// </summary>");
            writer.WriteLine("/// <param name=\"name\">The tensor's name in the file.</param>");
            writer.WriteLine("/// <returns>The tensor's values.</returns>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentNullException}\"><paramref name=\"name\"/> is null.</exception>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">The file carries no tensor called <paramref name=\"name\"/>; the message lists those it carries.</exception>");
            using (writer.Block($"public static {RuntimeNames.ReadOnlySpan} {GeneratedNames.BakedExtra}(string name)"))
            {
                writer.WriteLine($"{RuntimeNames.ThrowIfNull}(name);");
                using (writer.Block("switch (name)"))
                {
                    foreach (BakedTensor extra in baked.Extras)
                    {
                        writer.WriteLine($"case {Literal(extra.Name)}: // ({Shape(extra)})");
                        writer.WriteLine("    return new float[]");
                        writer.WriteLine("    {");
                        for (int line = 0; line < extra.Count; line += ValuesPerLine)
                        {
                            IEnumerable<string> values = Enumerable.Range(line, Math.Min(ValuesPerLine, extra.Count - line)).Select(i => FloatLiteral(WeightsBaker.FloatAt(extra.Data, 4 * i)) + ",");
                            writer.WriteLine("        " + string.Join(" ", values));
                        }

                        writer.WriteLine("    };");
                    }

                    string carried = string.Join(", ", baked.Extras.Select(extra => $"{extra.Name} ({Shape(extra)})"));
                    writer.WriteLine("default:");
                    writer.WriteLine($"    throw new {RuntimeNames.ArgumentException}(\"'\" + name + {Literal($"' is not an extra tensor of {baked.FileName}; it carries {carried}.")}, nameof(name));");
                }
            }

            writer.WriteLine();
        }

        private static string Shape(BakedTensor tensor) => string.Join(", ", tensor.Shape.Select(dimension => Int(dimension)));

        /// <summary>A C# string literal of <paramref name="text"/>, escaped as the compiler reads it back (any tensor name is valid JSON).</summary>
        private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

        /// <summary>
        /// A float literal that reads back to the same bits: the shortest round-trip form where the host's "R" gives one
        /// (.NET Framework's does not always), nine significant digits otherwise, which always suffice for a float.
        /// </summary>
        private static string FloatLiteral(float value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (BitConverter.ToInt32(BitConverter.GetBytes(float.Parse(text, CultureInfo.InvariantCulture)), 0) != BitConverter.ToInt32(BitConverter.GetBytes(value), 0))
            {
                text = value.ToString("G9", CultureInfo.InvariantCulture);
            }

            return text + "f";
        }

        // "W1|source|4, 2|8" → "W1 (4, 2) at bytes [0, 32)" is written per tensor above; the summary keeps it short.
        private static string Describe(string entry)
        {
            string[] parts = entry.Split('|');
            return $"{parts[0]} ({parts[2]})";
        }

        private static string Float(EquatableBytes bytes, int index) => WeightsBaker.FloatAt(bytes, index).ToString("R", CultureInfo.InvariantCulture);
    }
}
