using System.Linq;
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
            string activations = string.Join(", ", plan.Layers.Select(layer => $"{KnownNames.ActivationType}.{layer.Activation}"));

            writer.Summary($"The layer sizes n[0..L] = ({sizes}) and activations, saved with the weights and checked when they are loaded.");
            writer.WriteLine($"public static {KnownNames.NetworkArchitecture} Architecture {{ get; }} = new {KnownNames.NetworkArchitecture}(");
            writer.WriteLine($"    NetworkName, new int[] {{ {sizes} }}, new {KnownNames.ActivationType}[] {{ {activations} }}, {KnownNames.LossType}.{plan.Loss});");
            writer.WriteLine();
            writer.WriteLine($"{KnownNames.NetworkArchitecture} {KnownNames.SerializableNetwork}.Architecture => Architecture;");
            writer.WriteLine();

            const string Extras = "global::System.Collections.Generic.IReadOnlyList<" + KnownNames.NamedTensor + ">? extras = null";
            foreach ((string type, string name, string what) in new[] { ("string", "path", "the file at <paramref name=\"path\"/> (replaced only once written in full)"), ("global::System.IO.Stream", "stream", "<paramref name=\"stream\"/>") })
            {
                writer.Summary($"Saves the parameters to {what} as safetensors: W1, b1, … in F32, W[l] (n[l], n[l-1]), b[l] (n[l]), with the architecture in the metadata.");
                writer.WriteLine($"/// <param name=\"{name}\">Where to write.</param>");
                writer.WriteLine("/// <param name=\"extras\">Tensors to save beside the weights (a standardizer's mean and scale, …).</param>");
                writer.WriteLine($"public void SaveWeights({type} {name}, {Extras}) => {KnownNames.WeightsFile}.Save(this, {name}, extras);");
                writer.WriteLine();
            }

            foreach ((string type, string name, string what) in new[] { ("string", "path", "the file at <paramref name=\"path\"/>"), ("global::System.IO.Stream", "stream", "the rest of <paramref name=\"stream\"/>") })
            {
                writer.Summary($"Loads parameters saved by SaveWeights (or exported from PyTorch) from {what}, after checking every tensor against this network.");
                writer.WriteLine($"/// <param name=\"{name}\">Where to read.</param>");
                writer.WriteLine("/// <returns>The file's metadata and the extra tensors saved beside the weights.</returns>");
                writer.WriteLine($"/// <exception cref=\"{KnownNames.WeightsFormatException}\">The file is malformed or for another architecture; the parameters are then unchanged.</exception>");
                writer.WriteLine($"public {KnownNames.LoadedWeights} LoadWeights({type} {name}) => {KnownNames.WeightsFile}.Load(this, {name});");
                writer.WriteLine();
            }
        }
    }
}
