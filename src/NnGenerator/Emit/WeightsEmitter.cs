using System;
using System.Globalization;
using System.Linq;
using System.Text;
using NnGen.Generator.Baking;
using NnGen.Generator.Planning;
using NnGen.Generator.Validation;
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

            writer.Summary($"The layer sizes n[0..L] = ({sizes}) and activations, saved with the weights and checked when they are loaded.");
            writer.WriteLine($"public static {RuntimeNames.NetworkArchitecture} Architecture {{ get; }} = new {RuntimeNames.NetworkArchitecture}(");
            writer.WriteLine($"    NetworkName, new int[] {{ {sizes} }}, new {RuntimeNames.ActivationType}[] {{ {activations} }}, {RuntimeNames.LossType}.{plan.Loss});");
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
                writer.WriteLine("/// <exception cref=\"global::System.InvalidOperationException\">Fit, GradientCheck, Step or another load is writing this instance (on another thread, or this is a Progress callback of its Fit); the parameters are then unchanged.</exception>");
                writer.WriteLine($"public {RuntimeNames.LoadedWeights} LoadWeights({type} {name}) => {RuntimeNames.WeightsFileLoad}(this, {name});");
                writer.WriteLine();
            }
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
            writer.Summary($"Sets <see cref=\"Parameters\"/> to the weights baked in at build time from <c>{file}</c>, as <c>new {NetworkEmitter.Xml(plan.Spec.Name)}()</c> does.");
            writer.WriteLine($"public void {GeneratedMemberNames.ResetToBakedWeights}() => {RuntimeNames.WeightsFileReadBaked}({GeneratedMemberNames.BakedParameters}, _parameters.Span);");
            writer.WriteLine();

            EquatableBytes bytes = baked.Parameters!;
            string[] layout = baked.Layout.Select(entry => Describe(entry)).ToArray();
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// The parameters baked in from <c>{file}</c> (Weights = \"{NetworkEmitter.Xml(baked.Weights)}\"): {Int(bytes.Length / 4)} F32 values,");
            writer.WriteLine("/// little-endian, in the order of <see cref=\"Parameters\"/>: " + string.Join(", ", layout) + ".");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"private static {RuntimeNames.ByteSpan} {GeneratedMemberNames.BakedParameters} => new byte[]");
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
        }

        // "W1|source|4, 2|8" → "W1 (4, 2) at bytes [0, 32)" is written per tensor above; the summary keeps it short.
        private static string Describe(string entry)
        {
            string[] parts = entry.Split('|');
            return $"{parts[0]} ({parts[2]})";
        }

        private static string Float(EquatableBytes bytes, int index)
        {
            byte[] value = { bytes[index], bytes[index + 1], bytes[index + 2], bytes[index + 3] };
            if (!BitConverter.IsLittleEndian)
            {
                Array.Reverse(value);
            }

            return BitConverter.ToSingle(value, 0).ToString("R", CultureInfo.InvariantCulture);
        }
    }
}
