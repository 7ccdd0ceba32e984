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
                writer.WriteLine($"public {RuntimeNames.LoadedWeights} LoadWeights({type} {name}) => {RuntimeNames.WeightsFileLoad}(this, {name});");
                writer.WriteLine();
            }
        }
    }
}
