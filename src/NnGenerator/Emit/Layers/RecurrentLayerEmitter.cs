using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>
    /// LSTM and GRU layers (<see cref="RecurrentNetworkEmitter"/> drives them). Inside a recurrent network batches are
    /// time-major rows, as the recurrent kernels want them: step t of sequence i is row t·m + i, so one step's batch is
    /// contiguous. The one-example forward is one time step of one stream, reading and updating its h (and c) in the
    /// stream's <c>State</c>; the batch forward runs m sequences of <c>steps</c> steps from given states; the backward
    /// pass goes back through time (truncated at the sequence's start).
    /// </summary>
    internal sealed class RecurrentLayerEmitter : ILayerEmitter
    {
        public static readonly RecurrentLayerEmitter Instance = new();

        private RecurrentLayerEmitter()
        {
        }

        public string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: {LayerRules.KindName(layer.Kind)} {Int(layer.Inputs)} -> {Int(layer.Units)}, {Gates(layer)}" +
            (layer.ReturnSequences ? string.Empty : ", last step only") + ". " +
            string.Join(", ", System.Linq.Enumerable.Select(layer.Tensors, tensor => $"{tensor.Member} {tensor.StoredShapeText}{(tensor.IsStoredTransposed ? " (transposed)" : string.Empty)} at params[{Int(tensor.Offset)}..{Int(tensor.Offset + tensor.Length)})"));

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"{LayerRules.KindName(layer.Kind)} {Int(layer.Index)}",
            layer.ReturnSequences ? Gates(layer) : Gates(layer) + ", last step",
            $"({Int(layer.Inputs)}, {Int(layer.GateRows)}) + ({Int(layer.Units)}, {Int(layer.GateRows)})",
            $"2 x ({Int(layer.GateRows)}, 1)",
            $"({Int(layer.Units)}, m)",
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
            // PyTorch's initialization of nn.LSTM and nn.GRU: every tensor uniform in ±1/√H, drawn in PyTorch's element order
            // (the weights written transposed), so a seed gives the matrices PyTorch's order would, transposed.
            writer.WriteLine($"// Layer {Int(layer.Index)}: PyTorch's U(-1/√{Int(layer.Units)}, 1/√{Int(layer.Units)}) for Wih, Whh, bih and bhh, drawn in PyTorch's order.");
            foreach (TensorPlan tensor in layer.Tensors)
            {
                writer.WriteLine(tensor.IsStoredTransposed
                    ? $"{RuntimeNames.FillRecurrentTransposed}({tensor.Member}, {Int(LayerRules.GateCount(layer.Kind))} * {layer.UnitsConstant}, {layer.UnitsConstant}, random);"
                    : $"{RuntimeNames.FillRecurrent}({tensor.Member}, {layer.UnitsConstant}, random);");
            }
        }

        /// <summary>One step of one stream: <paramref name="input"/> in, h updated in place in the stream's state, h out.</summary>
        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            string l = Int(layer.Index);
            string weights = $"Wih{l}, Whh{l}, bih{l}, bhh{l}";
            writer.WriteLine($"{RuntimeNames.Span} {output} = state.Slice({layer.StreamStateOffsetExpression}, {layer.UnitsConstant});");
            if (layer.Kind == LayerKind.Lstm)
            {
                writer.WriteLine($"{RuntimeNames.Span} c{l} = state.Slice({layer.StreamStateOffsetExpression} + {layer.UnitsConstant}, {layer.UnitsConstant});");
                writer.WriteLine($"{RuntimeNames.LstmStep}({weights}, {input}, {output}, c{l}, {layer.InputsConstant}, {layer.UnitsConstant});");
            }
            else
            {
                writer.WriteLine($"{RuntimeNames.GruStep}({weights}, {input}, {output}, {layer.InputsConstant}, {layer.UnitsConstant});");
            }
        }

        /// <summary>
        /// m sequences of <c>steps</c> steps from the states in <c>h{l}</c> (and <c>c{l}</c>), which end as the last
        /// step's: <paramref name="input"/> (rows x I) in, every step's h into <c>hs{l}</c> (rows x H); in training the
        /// gates are cached for the backward pass in <c>cache{l}</c>.
        /// </summary>
        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            string l = Int(layer.Index);
            string weights = $"Wih{l}, Whh{l}, bih{l}, bhh{l}";
            string kind = layer.Kind == LayerKind.Lstm ? "Lstm" : "Gru";
            string state = layer.Kind == LayerKind.Lstm ? $"h{l}, c{l}" : $"h{l}";
            string last = training ? $"cache{l}" : "scratch";
            string call = training ? $"{kind}ForwardTraining" : $"{kind}Forward";
            writer.WriteLine($"{RuntimeNames.RecurrentKernels}.{call}({weights}, {input}, steps, m, {layer.InputsConstant}, {layer.UnitsConstant}, {state}, hs{l}, {last});");
        }

        /// <summary>
        /// Back through time: dL/dh at every step in <paramref name="deltaZ"/> (rows x H, zero but the last step's for a
        /// layer that returns only its last step), the gradients of Wih, Whh, bih and bhh accumulated, and dL/dx into
        /// <paramref name="nextDelta"/> (rows x I) unless the layer is the first.
        /// </summary>
        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            string l = Int(layer.Index);
            string kind = layer.Kind == LayerKind.Lstm ? "Lstm" : "Gru";
            string input = previous is null ? "x0" : "a" + Int(previous.Index);
            string initial = layer.Kind == LayerKind.Lstm ? $"h{l}, c{l}" : $"h{l}";
            string gradients = string.Join(", ", System.Linq.Enumerable.Select(layer.Tensors, tensor => "d" + tensor.Member));
            writer.WriteLine("// The window's starting states are constants (truncated backpropagation): no gradient flows into them.");
            writer.WriteLine($"h0_{l}.CopyTo(h{l});");
            if (layer.Kind == LayerKind.Lstm)
            {
                writer.WriteLine($"c0_{l}.CopyTo(c{l});");
            }

            string dx = previous is null ? RuntimeNames.Span + ".Empty" : nextDelta;
            writer.WriteLine($"{RuntimeNames.RecurrentKernels}.{kind}Backward(Wih{l}, Whh{l}, bih{l}, bhh{l}, {input}, {initial}, hs{l}, cache{l}, {deltaZ}, steps, m, " +
                $"{layer.InputsConstant}, {layer.UnitsConstant}, {gradients}, {dx}, scratch.Slice(0, {RuntimeNames.RecurrentKernels}.{kind}BackwardScratch(steps, m, " +
                $"{layer.InputsConstant}, {layer.UnitsConstant})));");
        }

        private static string Gates(LayerPlan layer) => layer.Kind == LayerKind.Lstm ? "gates i, f, g, o" : "gates r, z, n";
    }
}
