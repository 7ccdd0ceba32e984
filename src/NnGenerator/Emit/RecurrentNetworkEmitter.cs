using System.Linq;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The class body of a network with Lstm or Gru layers: the streaming surface (<c>State</c>, <c>Step</c>,
    /// <c>Process</c>), batch inference over sequences, and the sequence training pass (forward over time, cost,
    /// backpropagation through time). Every layer runs at every time step, except the layers after one that returns only
    /// its last step, which run once per sequence. Inside the batch passes, data is time-major rows (see
    /// <see cref="RecurrentLayerEmitter"/>); the public data is batch-first, one sequence per row.
    /// </summary>
    internal static class RecurrentNetworkEmitter
    {
        private const string Span = RuntimeNames.Span;
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        public static void EmitBody(SourceWriter writer, NetworkPlan plan, Baking.BakedWeights? baked)
        {
            EmitConstants(writer, plan);
            NetworkEmitter.EmitParameters(writer, plan);
            NetworkEmitter.EmitConstruction(writer, plan, baked, new[]
            {
                "Draws new parameters, layer by layer in buffer order from NumPy's legacy <c>RandomState(seed)</c> stream: the recurrent",
                "layers' tensors uniform in ±1/√H as PyTorch initializes them, the dense layers' W as the dense networks do, b zero.",
            });
            EmitState(writer, plan);
            NetworkEmitter.EmitSummary(writer, plan);
            WeightsEmitter.Emit(writer, plan);
            if (baked is not null)
            {
                WeightsEmitter.EmitBaked(writer, plan, baked);
            }

            writer.WriteLine("// Streaming: one time step of one stream at a time, its h (and c) carried in a State.");
            EmitStep(writer, plan);
            EmitProcess(writer, plan);
            EmitFrozen(writer, plan);
            EmitPredictSequences(writer, plan);
            EmitComputeGradients(writer, plan);
            EmitTrainableNetwork(writer, plan);
        }

        /// <summary>Whether the layer's output has a row per step (true) or per sequence (after a last-step-only layer).</summary>
        private static bool PerStep(NetworkPlan plan, LayerPlan layer) =>
            plan.Layers.TakeWhile(before => before != layer).All(before => before.ReturnSequences) && layer.ReturnSequences;

        /// <summary>Whether the labels (and outputs of PredictSequences) have a row per step or one per sequence.</summary>
        private static bool OutputPerStep(NetworkPlan plan) => PerStep(plan, plan.Output);

        private static void EmitConstants(SourceWriter writer, NetworkPlan plan)
        {
            NetworkEmitter.Constant(writer, "n[0]: the input features of one time step.", GeneratedNames.InputSize, plan.InputSize);
            writer.WriteLine();
            NetworkEmitter.Constant(writer, OutputPerStep(plan)
                ? $"n[L] = n[{Int(plan.Layers.Count)}]: the outputs (and labels) of one time step."
                : $"n[L] = n[{Int(plan.Layers.Count)}]: the outputs (and labels) of one sequence, read after its last step.", GeneratedNames.OutputSize, plan.OutputSize);
            writer.WriteLine();
            NetworkEmitter.Constant(writer, "L: the number of layers.", GeneratedNames.LayerCount, plan.Layers.Count);
            writer.WriteLine();
            NetworkEmitter.Constant(writer, "The number of trainable floats: the length of <see cref=\"Parameters\"/> and of a gradient.", "ParameterCount", plan.ParameterCount);
            writer.WriteLine();
            NetworkEmitter.Constant(writer, "The seed <c>new " + NetworkEmitter.Xml(plan.Spec.Name) + "()</c> initializes from.", "DefaultSeed", 0);
            writer.WriteLine();
            NetworkEmitter.Constant(writer, "The floats of one stream's <see cref=\"State\"/>: " + StateContents(plan) + ".", "StateFloats", plan.StreamStateCount);
            foreach (LayerPlan layer in plan.Layers)
            {
                string l = Int(layer.Index);
                writer.WriteLine();
                NetworkEmitter.Constant(writer, $"n[{Int(layer.Index - 1)}]: the inputs of layer {l} at each step.", layer.InputsConstant, layer.Inputs);
                writer.WriteLine();
                NetworkEmitter.Constant(writer, $"n[{l}]: the units of layer {l} ({LayerRules.KindName(layer.Kind)}).", layer.UnitsConstant, layer.Units);
                foreach (TensorPlan tensor in layer.Tensors)
                {
                    writer.WriteLine();
                    NetworkEmitter.Constant(writer, $"Where {tensor.Member} starts in <see cref=\"Parameters\"/>.", tensor.OffsetConstant, tensor.Offset);
                }

                if (layer.IsCausalStep)
                {
                    LayerEmitters.For(layer.Kind).EmitConstants(writer, layer);
                }
            }

            writer.WriteLine();
            writer.WriteLine($"private const string NetworkName = \"{plan.Spec.DisplayName}\";");
            writer.WriteLine();
        }

        private static string StateContents(NetworkPlan plan) =>
            string.Join(", ", plan.Layers.Where(layer => layer.StreamStateFloats > 0).Select(layer =>
                layer.IsCausalStep
                    ? $"layer {Int(layer.Index)}'s recent inputs ({Int(layer.StreamStateFloats)} floats: the last {Int(layer.Conv!.PadLeft)} steps by phase, and the phase)"
                    : layer.Kind == LayerKind.Lstm
                    ? $"h{Int(layer.Index)} and c{Int(layer.Index)} ({Int(layer.Units)} each)"
                    : $"h{Int(layer.Index)} ({Int(layer.Units)})"));

        private static void EmitState(SourceWriter writer, NetworkPlan plan)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// The state of one stream between time steps: {StateContents(plan)}, <see cref=\"StateFloats\"/> floats in all.");
            writer.WriteLine("/// <c>default</c> is the state before the first sample (all zeros); assign <c>default</c> to reset a stream. Keep one");
            writer.WriteLine("/// per stream (stereo audio is two) and per thread; the network itself is only read by <c>Step</c> and <c>Process</c>.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"[{RuntimeNames.InlineArray}(StateFloats)]");
            using (writer.Block("public struct State"))
            {
                writer.WriteLine("private float _element0;");
            }

            writer.WriteLine();
        }

        private static void EmitStep(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("Runs one time step of one stream: x in, the outputs of this step out, the stream's state advanced.");
            writer.WriteLine($"/// <param name=\"x\">The step's features: exactly <see cref=\"InputSize\"/> = {Int(plan.InputSize)} floats.</param>");
            writer.WriteLine($"/// <param name=\"y\">Receives the step's outputs: exactly <see cref=\"OutputSize\"/> = {Int(plan.OutputSize)} floats" +
                (OutputPerStep(plan) ? "." : " (what the network would answer if the sequence ended here).") + "</param>");
            writer.WriteLine("/// <param name=\"state\">The stream's state, read and updated in place.</param>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"y\"/> and <paramref name=\"state\"/> are then untouched.</exception>");
            writer.WriteLine("/// <remarks>Allocation-free; safe from many threads at once, each with its own state.</remarks>");
            using (writer.Block($"public void {GeneratedNames.Step}({ReadOnlySpan} {GeneratedNames.X}, {Span} {GeneratedNames.Y}, ref State state)"))
            {
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Step\", \"x\", x.Length, InputSize, \"InputSize\");");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Step\", \"y\", y.Length, OutputSize, \"OutputSize\");");
                writer.WriteLine("StepCore(x, y, state);");
            }

            writer.WriteLine();
            if (plan.InputSize == 1 && plan.OutputSize == 1)
            {
                writer.Summary("Runs one time step of one stream with one input and one output: one sample in, one sample out.");
                writer.WriteLine("/// <param name=\"x\">The sample.</param>");
                writer.WriteLine("/// <param name=\"state\">The stream's state, read and updated in place.</param>");
                writer.WriteLine("/// <returns>The step's output.</returns>");
                writer.WriteLine("/// <remarks>Allocation-free; safe from many threads at once, each with its own state.</remarks>");
                EmitSampleStep(writer, plan, "_parameters.Span", packed: false);
                writer.WriteLine();
            }

            if (StreamingPolicy.FusesReadout(plan))
            {
                writer.WriteLine("// x, y and the state hold whole layers. One kernel call runs both: layer 1's step, updating h (and c) in place in the");
                writer.WriteLine("// state, with layer 2's sums taken from each vector of h' as the cell produces it.");
                writer.WriteLine($"// {LayerEmitters.For(plan.Layers[0].Kind).Describe(plan.Layers[0])}");
                writer.WriteLine($"// {LayerEmitters.For(plan.Output.Kind).Describe(plan.Output)}");
                writer.WriteLine(RuntimeNames.HotPath);
                writer.WriteLine($"private void StepCore({ReadOnlySpan} x, {Span} y, {Span} state) =>");
                writer.WriteLine($"    {FusedSteps(plan, packed: false)}(_parameters.Span, x, state, y, 1, {FusedSizes(plan)});");
                writer.WriteLine();
                return;
            }

            writer.WriteLine("// x, y and the state hold whole layers; the layers run in order, each recurrent one updating its h (and c) in place.");
            writer.WriteLine(RuntimeNames.HotPath);
            using (writer.Block($"private void StepCore({ReadOnlySpan} x, {Span} y, {Span} state)"))
            {
                EmitStepLayers(writer, plan, describe: true, (layer, input) => RecurrentLayerEmitter.Instance.EmitForwardSingle(writer, layer, input, "h" + Int(layer.Index)));
            }

            writer.WriteLine();
        }

        /// <summary>
        /// <c>Freeze()</c> and the nested <c>Frozen</c> class: an immutable copy for streaming inference whose recurrent layers
        /// are packed once (<c>RecurrentKernels.Pack*</c>: one aligned buffer per layer, the rows of W_hhᵀ padded to whole 512-bit
        /// vectors where that aligns them) and whose other layers are copied. Its step is the network's: the packed kernels sum in the unpacked step's order, so
        /// <c>Frozen.Step</c> gives <c>Step</c>'s bits at every width, on the same <c>State</c>.
        /// </summary>
        private static void EmitFrozen(SourceWriter writer, NetworkPlan plan)
        {
            string name = NetworkEmitter.Xml(plan.Spec.Name);
            writer.Summary($"An immutable copy of this network for streaming inference (<see cref=\"Frozen\"/>): the same outputs as <see cref=\"Step(global::System.ReadOnlySpan{{float}}, global::System.Span{{float}}, ref State)\"/>, bit for bit, from parameters packed once.");
            writer.WriteLine("/// <returns>A new <see cref=\"Frozen\"/> holding the parameters as they are now; later changes to this network do not reach it.</returns>");
            writer.WriteLine($"public Frozen Freeze() => new(this);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// {name} frozen for streaming: its parameters copied once, the recurrent layers packed for the step (one aligned");
            writer.WriteLine("/// buffer per layer, the rows of W_hhᵀ padded to whole 512-bit vectors where that aligns them), every step the same bits as the network's own");
            writer.WriteLine("/// <c>Step</c> on the same <see cref=\"State\"/>. Immutable, allocation-free per call and safe from many threads at once,");
            writer.WriteLine("/// each stream with its own state.");
            writer.WriteLine("/// </summary>");
            bool fused = StreamingPolicy.FusesReadout(plan);
            using (writer.Block("public sealed class Frozen"))
            {
                if (fused)
                {
                    EmitFrozenFusedConstruction(writer, plan);
                }
                else
                {
                    EmitFrozenLayersConstruction(writer, plan);
                }

                writer.WriteLine();
                writer.Summary("Runs one time step of one stream, as the network's <c>Step</c> does, with the same bits.");
                writer.WriteLine($"/// <param name=\"x\">The step's features: exactly <see cref=\"InputSize\"/> = {Int(plan.InputSize)} floats.</param>");
                writer.WriteLine($"/// <param name=\"y\">Receives the step's outputs: exactly <see cref=\"OutputSize\"/> = {Int(plan.OutputSize)} floats.</param>");
                writer.WriteLine("/// <param name=\"state\">The stream's state, read and updated in place.</param>");
                writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"y\"/> and <paramref name=\"state\"/> are then untouched.</exception>");
                using (writer.Block($"public void {GeneratedNames.Step}({ReadOnlySpan} {GeneratedNames.X}, {Span} {GeneratedNames.Y}, ref State state)"))
                {
                    writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Frozen.Step\", \"x\", x.Length, InputSize, \"InputSize\");");
                    writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Frozen.Step\", \"y\", y.Length, OutputSize, \"OutputSize\");");
                    writer.WriteLine("StepCore(x, y, state);");
                }

                if (plan.InputSize == 1 && plan.OutputSize == 1)
                {
                    writer.WriteLine();
                    writer.Summary("Runs one time step of one stream with one input and one output, as the network's <c>Step</c> does.");
                    writer.WriteLine("/// <param name=\"x\">The sample.</param>");
                    writer.WriteLine("/// <param name=\"state\">The stream's state, read and updated in place.</param>");
                    writer.WriteLine("/// <returns>The step's output.</returns>");
                    EmitSampleStep(writer, plan, "_packed.Span", packed: true);
                }

                writer.WriteLine();
                writer.Summary("Runs a block of time steps of one stream, exactly as calling <c>Step</c> for each.");
                writer.WriteLine("/// <param name=\"input\">T steps, one per row: (T, n[0]).</param>");
                writer.WriteLine("/// <param name=\"output\">Receives each step's outputs, one per row: (T, n[L]).</param>");
                writer.WriteLine("/// <param name=\"state\">The stream's state, carried through the block.</param>");
                writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"output\"/> and <paramref name=\"state\"/> are then untouched.</exception>");
                using (writer.Block($"public void {GeneratedNames.Process}({ReadOnlySpan} {GeneratedNames.Input}, {Span} {GeneratedNames.Output}, ref State state)"))
                {
                    writer.WriteLine("int steps = input.Length / InputSize;");
                    writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Frozen.Process\", \"input\", input.Length, steps * InputSize, \"a whole number of steps of InputSize\");");
                    writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Frozen.Process\", \"output\", output.Length, steps * OutputSize, \"(input.Length / InputSize) * OutputSize\");");
                    EmitProcessSteps(writer, plan, "_packed.Span", packed: true);
                }

                writer.WriteLine();
                writer.WriteLine(RuntimeNames.HotPath);
                if (fused)
                {
                    writer.WriteLine($"private void StepCore({ReadOnlySpan} x, {Span} y, {Span} state) =>");
                    writer.WriteLine($"    {FusedSteps(plan, packed: true)}(_packed.Span, x, state, y, 1, {FusedSizes(plan)});");
                }
                else
                {
                    EmitFrozenStepCore(writer, plan);
                }
            }

            writer.WriteLine();
        }

        /// <summary>The frozen copy of a network whose step runs fused (<see cref="StreamingPolicy.FusesReadout"/>): the recurrent layer and its readout packed into one buffer.</summary>
        private static void EmitFrozenFusedConstruction(SourceWriter writer, NetworkPlan plan)
        {
            string kind = plan.Layers[0].Kind == LayerKind.Lstm ? "Lstm" : "Gru";
            string lengthName = kind == "Lstm" ? RuntimeNames.LstmDensePackedLength : RuntimeNames.GruDensePackedLength;
            string pack = kind == "Lstm" ? RuntimeNames.PackLstmDense : RuntimeNames.PackGruDense;
            writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _packed;");
            writer.WriteLine();
            using (writer.Block($"internal Frozen({plan.Spec.DisplayName} network)"))
            {
                writer.WriteLine($"_packed = new({lengthName}({FusedSizes(plan)}));");
                writer.WriteLine($"{pack}(network._parameters.Span, _packed.Span, {FusedSizes(plan)});");
            }
        }

        /// <summary>The frozen copy of a network stepped layer by layer: each recurrent layer packed, each other layer's tensors copied.</summary>
        private static void EmitFrozenLayersConstruction(SourceWriter writer, NetworkPlan plan)
        {
            foreach (LayerPlan layer in plan.Layers)
            {
                writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _layer{Int(layer.Index)};");
            }

            writer.WriteLine();
            using (writer.Block($"internal Frozen({plan.Spec.DisplayName} network)"))
            {
                foreach (LayerPlan layer in plan.Layers)
                {
                    string l = Int(layer.Index);
                    if (layer.IsRecurrent)
                    {
                        string kind = layer.Kind == LayerKind.Lstm ? "Lstm" : "Gru";
                        writer.WriteLine($"_layer{l} = new({RuntimeNames.RecurrentKernels}.{kind}PackedLength({layer.InputsConstant}, {layer.UnitsConstant}));");
                        writer.WriteLine($"{RuntimeNames.RecurrentKernels}.Pack{kind}(network.Wih{l}, network.Whh{l}, network.bih{l}, network.bhh{l}, _layer{l}.Span, {layer.InputsConstant}, {layer.UnitsConstant});");
                    }
                    else
                    {
                        int length = layer.Tensors.Sum(tensor => tensor.Length);
                        writer.WriteLine($"_layer{l} = new({Int(length)});");
                        writer.WriteLine($"network._parameters.Slice({layer.Tensors[0].OffsetConstant}, {Int(length)}).CopyTo(_layer{l}.Span);");
                    }
                }
            }

            foreach (LayerPlan layer in plan.Layers.Where(layer => !layer.IsRecurrent))
            {
                string l = Int(layer.Index);
                TensorPlan w = layer.Tensor(TensorRole.Weight);
                TensorPlan b = layer.Tensor(TensorRole.Bias);
                writer.WriteLine();
                writer.WriteLine($"private {ReadOnlySpan} {layer.W} => _layer{l}.Slice(0, {Int(w.Length)});");
                writer.WriteLine();
                writer.WriteLine($"private {ReadOnlySpan} {layer.B} => _layer{l}.Slice({Int(w.Length)}, {Int(b.Length)});");
            }
        }

        /// <summary>The frozen network's step layer by layer: the packed recurrent steps, the other layers as the network's.</summary>
        private static void EmitFrozenStepCore(SourceWriter writer, NetworkPlan plan)
        {
            using (writer.Block($"private void StepCore({ReadOnlySpan} x, {Span} y, {Span} state)"))
            {
                EmitStepLayers(writer, plan, describe: false, (layer, input) =>
                {
                    string l = Int(layer.Index);
                    writer.WriteLine($"{Span} h{l} = state.Slice({layer.StreamStateOffsetExpression}, {layer.UnitsConstant});");
                    if (layer.Kind == LayerKind.Lstm)
                    {
                        writer.WriteLine($"{Span} c{l} = state.Slice({layer.StreamStateOffsetExpression} + {layer.UnitsConstant}, {layer.UnitsConstant});");
                        writer.WriteLine($"{RuntimeNames.RecurrentKernels}.LstmStepPacked(_layer{l}.Span, {input}, h{l}, c{l}, {layer.InputsConstant}, {layer.UnitsConstant});");
                    }
                    else
                    {
                        writer.WriteLine($"{RuntimeNames.RecurrentKernels}.GruStepPacked(_layer{l}.Span, {input}, h{l}, {layer.InputsConstant}, {layer.UnitsConstant});");
                    }
                });
            }
        }

        /// <summary>
        /// One step's layers in order, the network's and the frozen form's alike: <paramref name="recurrent"/> writes a
        /// recurrent layer's step from its input's name (its h is then the next input, <c>h{l}</c>); the other layers get
        /// an output on the stack (or y) and their causal or dense step.
        /// </summary>
        private static void EmitStepLayers(SourceWriter writer, NetworkPlan plan, bool describe, System.Action<LayerPlan, string> recurrent)
        {
            string input = "x";
            foreach (LayerPlan layer in plan.Layers)
            {
                string l = Int(layer.Index);
                if (describe)
                {
                    writer.WriteLine($"// {LayerEmitters.For(layer.Kind).Describe(layer)}");
                }

                if (layer.IsRecurrent)
                {
                    recurrent(layer, input);
                    input = "h" + l;
                    continue;
                }

                string output = layer == plan.Output ? "y" : "a" + l;
                if (layer != plan.Output)
                {
                    writer.WriteLine($"{Span} {output} = stackalloc float[{layer.UnitsConstant}];");
                }

                if (layer.IsCausalStep)
                {
                    EmitCausalStep(writer, layer, input, output);
                }
                else
                {
                    EmitDenseStep(writer, layer, input, output);
                }

                input = output;
            }
        }

        /// <summary>
        /// The body of <c>Process</c> after its length checks: for a fused network one kernel call over the whole block
        /// (the checks, the scratch and the width taken once per block), otherwise <c>StepCore</c> per step.
        /// </summary>
        private static void EmitProcessSteps(SourceWriter writer, NetworkPlan plan, string parameters, bool packed)
        {
            if (StreamingPolicy.FusesReadout(plan))
            {
                writer.WriteLine($"{FusedSteps(plan, packed)}({parameters}, input, state, output, steps, {FusedSizes(plan)});");
                return;
            }

            using (writer.Block("for (int t = 0; t < steps; t++)"))
            {
                writer.WriteLine("StepCore(input.Slice(t * InputSize, InputSize), output.Slice(t * OutputSize, OutputSize), state);");
            }
        }

        /// <summary>
        /// <c>Step(float x, ref State state)</c> of a network of one input and one output. A fused one (<see cref="StreamingPolicy.FusesReadout"/>)
        /// calls the kernel's one-sample entry, which takes the sample and gives the output by value, so a per-sample call checks
        /// only the parameters and the state; the others run StepCore on spans over the two floats.
        /// </summary>
        private static void EmitSampleStep(SourceWriter writer, NetworkPlan plan, string parameters, bool packed)
        {
            if (StreamingPolicy.FusesReadout(plan))
            {
                string kernel = (plan.Layers[0].Kind == LayerKind.Lstm, packed) switch
                {
                    (true, false) => RuntimeNames.LstmDenseStep,
                    (true, true) => RuntimeNames.LstmDenseStepPacked,
                    (false, false) => RuntimeNames.GruDenseStep,
                    _ => RuntimeNames.GruDenseStepPacked,
                };
                writer.WriteLine($"public float Step(float x, ref State state) => {kernel}({parameters}, x, state, {plan.Layers[0].UnitsConstant});");
                return;
            }

            using (writer.Block("public float Step(float x, ref State state)"))
            {
                writer.WriteLine("float y = 0f;");
                writer.WriteLine($"StepCore({RuntimeNames.MemoryMarshal}.CreateReadOnlySpan(ref x, 1), {RuntimeNames.MemoryMarshal}.CreateSpan(ref y, 1), state);");
                writer.WriteLine("return y;");
            }
        }

        /// <summary>The kernel that steps a fused network (<see cref="StreamingPolicy.FusesReadout"/>), on its parameters or packed.</summary>
        private static string FusedSteps(NetworkPlan plan, bool packed) => (plan.Layers[0].Kind == LayerKind.Lstm, packed) switch
        {
            (true, false) => RuntimeNames.LstmDenseSteps,
            (true, true) => RuntimeNames.LstmDenseStepsPacked,
            (false, false) => RuntimeNames.GruDenseSteps,
            _ => RuntimeNames.GruDenseStepsPacked,
        };

        /// <summary>The fused kernels' sizes: the recurrent layer's inputs and units, the readout's outputs.</summary>
        private static string FusedSizes(NetworkPlan plan) =>
            $"{plan.Layers[0].InputsConstant}, {plan.Layers[0].UnitsConstant}, {plan.Output.UnitsConstant}";

        /// <summary>One step of a causal Conv1D: the step's output from its input and the stream's history, which it advances.</summary>
        private static void EmitCausalStep(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            ConvShape c = layer.Conv!;
            writer.WriteLine($"{RuntimeNames.CausalConvStep}({layer.W}, {layer.B}, {input}, state.Slice({layer.StreamStateOffsetExpression}, {Int(layer.StreamStateFloats)}), {output}, " +
                $"{layer.InputsConstant}, {layer.UnitsConstant}, {Int(c.KernelWidth)}, {Int(c.DilationWidth)}, {Int(c.Groups)});");
            if (layer.Activation != ActivationKind.Linear)
            {
                writer.WriteLine($"{RuntimeNames.ActivationForward}({RuntimeNames.ActivationType}.{layer.Activation}, {output}, {output});");
            }
        }

        /// <summary>The argument list of the causal convolution kernels after the data: sizes, kernel, dilation, groups.</summary>
        private static string CausalSizes(LayerPlan layer) =>
            $"{layer.InputsConstant}, {layer.UnitsConstant}, {Int(layer.Conv!.KernelWidth)}, {Int(layer.Conv.DilationWidth)}, {Int(layer.Conv.Groups)}";

        /// <summary>Whether dZ of <paramref name="layer"/> needs g' applied to the dA its successor wrote: a dense or causal conv layer with an activation.</summary>
        private static bool HasDerivative(LayerPlan layer) =>
            (layer.IsDense || layer.IsCausalStep) && layer.Activation != ActivationKind.Linear;

        /// <summary>One dense layer on one step: the fused matrix-vector product, softmax across the units if it is the activation.</summary>
        private static void EmitDenseStep(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            bool softmax = layer.Activation == ActivationKind.Softmax;
            string activation = $"{RuntimeNames.ActivationType}.{(softmax ? ActivationKind.Linear : layer.Activation)}";
            writer.WriteLine($"{RuntimeNames.MatVec}({layer.W}, {input}, {layer.B}, {output}, {layer.UnitsConstant}, {layer.InputsConstant}, {activation});");
            if (softmax)
            {
                writer.WriteLine($"{RuntimeNames.SoftmaxForward}({output}, {layer.UnitsConstant}, 1);");
            }
        }

        private static void EmitProcess(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("Runs a block of time steps of one stream, giving exactly the bits that calling Step for each would.");
            writer.WriteLine("/// <param name=\"input\">T steps, one per row: (T, n[0]) row-major, T = input.Length / <see cref=\"InputSize\"/>.</param>");
            writer.WriteLine("/// <param name=\"output\">Receives each step's outputs, one per row: (T, n[L]).</param>");
            writer.WriteLine("/// <param name=\"state\">The stream's state, carried through the block and left after its last step.</param>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"output\"/> and <paramref name=\"state\"/> are then untouched.</exception>");
            writer.WriteLine("/// <remarks>Allocation-free; safe from many threads at once, each with its own state.</remarks>");
            using (writer.Block($"public void {GeneratedNames.Process}({ReadOnlySpan} {GeneratedNames.Input}, {Span} {GeneratedNames.Output}, ref State state)"))
            {
                writer.WriteLine($"int steps = input.Length / InputSize;");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Process\", \"input\", input.Length, steps * InputSize, \"a whole number of steps of InputSize\");");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Process\", \"output\", output.Length, steps * OutputSize, \"(input.Length / InputSize) * OutputSize\");");
                EmitProcessSteps(writer, plan, "_parameters.Span", packed: false);
            }

            writer.WriteLine();
        }

        private static void EmitPredictSequences(SourceWriter writer, NetworkPlan plan)
        {
            bool perStep = OutputPerStep(plan);
            writer.Summary("Runs m sequences of T steps each, every one from the zero state, as Process would on a fresh State.");
            writer.WriteLine("/// <param name=\"inputs\">m sequences, one per row: (m, T, n[0]) row-major (PyTorch's batch_first).</param>");
            writer.WriteLine("/// <param name=\"steps\">T, the steps of every sequence; at least 1.</param>");
            writer.WriteLine(perStep
                ? "/// <param name=\"outputs\">Receives every step's outputs: (m, T, n[L]) row-major.</param>"
                : "/// <param name=\"outputs\">Receives each sequence's outputs after its last step: (m, n[L]) row-major.</param>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"outputs\"/> is then untouched.</exception>");
            writer.WriteLine("/// <param name=\"states\">Empty to start every sequence from the zero state; otherwise m states of <see cref=\"StateFloats\"/> floats,");
            writer.WriteLine("/// read as the starting states and overwritten with the states after the last step.</param>");
            writer.WriteLine("/// <remarks>Allocation-free and safe to call from many threads at once.</remarks>");
            using (writer.Block($"public void PredictSequences({ReadOnlySpan} inputs, int steps, {Span} outputs, {Span} states = default)"))
            {
                writer.WriteLine($"{RuntimeNames.ArgumentOutOfRangeException}.ThrowIfLessThan(steps, 1);");
                writer.WriteLine($"int m = {RuntimeNames.GuardExampleCount}(NetworkName, \"PredictSequences\", inputs.Length, steps * InputSize);");
                writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, \"PredictSequences\", \"outputs\", outputs.Length, m, {(perStep ? "steps * OutputSize" : "OutputSize")}, \"{(perStep ? "steps * OutputSize" : "OutputSize")}\");");
                using (writer.Block("if (!states.IsEmpty)"))
                {
                    writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, \"PredictSequences\", \"states\", states.Length, m, StateFloats, \"StateFloats\");");
                }

                writer.WriteLine("State state = default;");
                writer.WriteLine($"{Span} stream = state;");
                writer.WriteLine($"{Span} last = stackalloc float[OutputSize];");
                using (writer.Block("for (int i = 0; i < m; i++)"))
                {
                    using (writer.Block("if (states.IsEmpty)"))
                    {
                        writer.WriteLine("stream.Clear();");
                    }

                    using (writer.Block("else"))
                    {
                        writer.WriteLine("states.Slice(i * StateFloats, StateFloats).CopyTo(stream);");
                    }

                    writer.WriteLine($"{ReadOnlySpan} sequence = inputs.Slice(i * steps * InputSize, steps * InputSize);");
                    using (writer.Block("for (int t = 0; t < steps; t++)"))
                    {
                        writer.WriteLine(perStep
                            ? "StepCore(sequence.Slice(t * InputSize, InputSize), outputs.Slice(((i * steps) + t) * OutputSize, OutputSize), state);"
                            : "StepCore(sequence.Slice(t * InputSize, InputSize), last, state);");
                    }

                    if (!perStep)
                    {
                        writer.WriteLine("last.CopyTo(outputs.Slice(i * OutputSize, OutputSize));");
                    }

                    using (writer.Block("if (!states.IsEmpty)"))
                    {
                        writer.WriteLine("stream.CopyTo(states.Slice(i * StateFloats, StateFloats));");
                    }
                }
            }

            writer.WriteLine();
        }

        private static void EmitComputeGradients(SourceWriter writer, NetworkPlan plan)
        {
            bool perStep = OutputPerStep(plan);
            LayerPlan output = plan.Output;
            string labelRows = perStep ? "rows" : "m";
            writer.Summary("One training pass over m sequences from zero states: forward through time, the cost, and backpropagation through time.");
            writer.WriteLine("/// <param name=\"inputs\">m sequences, one per row: (m, T, n[0]) row-major.</param>");
            writer.WriteLine("/// <param name=\"steps\">T, the steps of every sequence; at least 1.</param>");
            writer.WriteLine(perStep
                ? "/// <param name=\"labels\">Y for every step: (m, T, n[L]) row-major.</param>"
                : "/// <param name=\"labels\">Y for every sequence: (m, n[L]) row-major.</param>");
            writer.WriteLine("/// <param name=\"gradients\">Receives dJ/dθ: exactly <see cref=\"ParameterCount\"/> floats, laid out as <see cref=\"Parameters\"/>.</param>");
            writer.WriteLine("/// <param name=\"workspace\">Scratch for the pass; keep one across calls to allocate nothing. <see langword=\"null\"/> makes a new one.</param>");
            writer.WriteLine(perStep
                ? "/// <param name=\"warmUp\">Steps at the start of every sequence left out of the cost (the state settles over them); 0 to T-1.</param>"
                : "/// <param name=\"warmUp\">Must be 0: the cost of a sequence is read after its last step.</param>");
            writer.WriteLine("/// <param name=\"states\">Empty to start every sequence from the zero state; otherwise m states of <see cref=\"StateFloats\"/> floats,");
            writer.WriteLine("/// one per sequence as a <see cref=\"State\"/> lays them out, read as the starting states and overwritten with the states after the");
            writer.WriteLine("/// last step, so consecutive windows of long series carry their state (no gradient flows back into a window's starting state).</param>");
            writer.WriteLine($"/// <returns>J, the loss averaged over the {(perStep ? "counted steps of every sequence" : "sequences")}.</returns>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length or count is wrong; <paramref name=\"gradients\"/> is then untouched.</exception>");
            using (writer.Block($"public float ComputeGradients({ReadOnlySpan} inputs, int steps, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace}? workspace = null, int warmUp = 0, {Span} states = default)"))
            {
                writer.WriteLine($"{RuntimeNames.ArgumentOutOfRangeException}.ThrowIfLessThan(steps, 1);");
                writer.WriteLine($"int m = {RuntimeNames.GuardExampleCount}(NetworkName, \"ComputeGradients\", inputs.Length, steps * InputSize);");
                writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, \"ComputeGradients\", \"labels\", labels.Length, m, {(perStep ? "steps * OutputSize" : "OutputSize")}, \"{(perStep ? "steps * OutputSize" : "OutputSize")}\");");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"ComputeGradients\", \"gradients\", gradients.Length, ParameterCount, \"ParameterCount\");");
                using (writer.Block("if (!states.IsEmpty)"))
                {
                    writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, \"ComputeGradients\", \"states\", states.Length, m, StateFloats, \"StateFloats\");");
                }

                writer.WriteLine(perStep
                    ? $"{RuntimeNames.ArgumentOutOfRangeException}.ThrowIfGreaterThanOrEqual((uint)warmUp, (uint)steps, nameof(warmUp));"
                    : $"{RuntimeNames.ArgumentOutOfRangeException}.ThrowIfNotEqual(warmUp, 0);");
                writer.WriteLine("workspace ??= new " + RuntimeNames.Workspace + "();");
                writer.WriteLine("int rows = steps * m;");
                writer.WriteLine();

                // The workspace, in the order the buffers are sliced below; every size is linear in m.
                var parts = new System.Collections.Generic.List<(string Name, string Length)>
                {
                    ("x0", "rows * InputSize"),
                    ("labelsT", $"{labelRows} * OutputSize"),
                };
                foreach (LayerPlan layer in plan.Layers)
                {
                    string l = Int(layer.Index);
                    string rowsOut = PerStep(plan, layer) ? "rows" : "m";
                    if (layer.IsCausalStep)
                    {
                        parts.Add(("a" + l, $"rows * {layer.UnitsConstant}"));
                        parts.Add(("delta" + l, $"rows * {layer.UnitsConstant}"));
                        parts.Add(("history" + l, $"m * {Int(layer.StreamStateFloats)}"));
                        parts.Add(("history0_" + l, $"m * {Int(layer.StreamStateFloats)}"));
                    }
                    else if (layer.IsRecurrent)
                    {
                        string kind = layer.Kind == LayerKind.Lstm ? "Lstm" : "Gru";
                        parts.Add(("hs" + l, $"rows * {layer.UnitsConstant}"));
                        parts.Add(("cache" + l, $"{RuntimeNames.RecurrentKernels}.{kind}CacheLength(steps, m, {layer.UnitsConstant})"));
                        parts.Add(("h" + l, $"m * {layer.UnitsConstant}"));
                        parts.Add(("h0_" + l, $"m * {layer.UnitsConstant}"));
                        if (layer.Kind == LayerKind.Lstm)
                        {
                            parts.Add(("c" + l, $"m * {layer.UnitsConstant}"));
                            parts.Add(("c0_" + l, $"m * {layer.UnitsConstant}"));
                        }

                        parts.Add(("delta" + l, $"rows * {layer.UnitsConstant}"));
                    }
                    else
                    {
                        parts.Add(("a" + l, $"{rowsOut} * {layer.UnitsConstant}"));
                        parts.Add(("delta" + l, $"{rowsOut} * {layer.UnitsConstant}"));
                    }
                }

                var scratchSizes = plan.Layers.Where(layer => layer.IsRecurrent).Select(layer =>
                    $"{RuntimeNames.RecurrentKernels}.{(layer.Kind == LayerKind.Lstm ? "Lstm" : "Gru")}BackwardScratch(steps, m, {layer.InputsConstant}, {layer.UnitsConstant})")
                    .Concat(plan.Layers.Where(layer => layer.IsCausalStep).SelectMany(layer => new[]
                    {
                        $"{RuntimeNames.CausalConvKernels}.ForwardScratch(steps, m, {layer.InputsConstant}, {Int(layer.Conv!.KernelWidth)}, {Int(layer.Conv.DilationWidth)})",
                        $"{RuntimeNames.CausalConvKernels}.BackwardScratch(steps, m, {CausalSizes(layer)})",
                    }))
                    .ToList();
                parts.Add(("scratch", scratchSizes.Aggregate((left, right) => $"{RuntimeNames.MathMax}({left}, {right})")));

                // Each size is formed in long ("(long)rows * Layer1Units"), so a batch too large for one buffer fails the check below.
                writer.WriteLine("long total = " + string.Join(" + ", parts.Select(part => "(long)" + part.Length)) + ";");
                writer.WriteLine($"{Span} buffer = workspace.GetSpan(total > int.MaxValue ? -1 : (int)total);");
                writer.WriteLine("int at = 0;");
                foreach ((string name, string length) in parts)
                {
                    writer.WriteLine($"{Span} {name} = buffer.Slice(at, {length});");
                    writer.WriteLine($"at += {name}.Length;");
                }

                writer.WriteLine();
                writer.WriteLine("// Batch-first in, time-major inside: step t of sequence i is row t·m + i.");
                writer.WriteLine($"{RuntimeNames.ToTimeMajor}(inputs, x0, m, steps, InputSize);");
                writer.WriteLine(perStep
                    ? $"{RuntimeNames.ToTimeMajor}(labels, labelsT, m, steps, OutputSize);"
                    : "labels.CopyTo(labelsT);");

                string input = "x0";
                foreach (LayerPlan layer in plan.Layers)
                {
                    string l = Int(layer.Index);
                    writer.WriteLine($"// {LayerEmitters.For(layer.Kind).Describe(layer)}");
                    if (layer.IsCausalStep)
                    {
                        EmitCausalForward(writer, layer, input);
                    }
                    else if (layer.IsRecurrent)
                    {
                        EmitStartingStates(writer, layer);
                        RecurrentLayerEmitter.Instance.EmitForwardBatch(writer, layer, input, training: true);
                        EmitFinalStates(writer, layer);
                        bool last = !PerStep(plan, layer);
                        writer.WriteLine(last
                            ? $"{Span} a{l} = hs{l}.Slice((steps - 1) * m * {layer.UnitsConstant}, m * {layer.UnitsConstant});"
                            : $"{Span} a{l} = hs{l};");
                    }
                    else
                    {
                        EmitDenseRows(writer, layer, input, PerStep(plan, layer) ? "rows" : "m");
                    }

                    input = "a" + l;
                }

                string L = Int(output.Index);
                writer.WriteLine();
                writer.WriteLine(perStep
                    ? "// The cost and dZ over the counted steps: the warm-up rows come first in time-major order, and get dZ = 0."
                    : "// The cost and dZ over the sequences' last steps.");
                writer.WriteLine($"int skipped = {(perStep ? "warmUp * m" : "0")};");
                writer.WriteLine($"int counted = {labelRows} - skipped;");
                writer.WriteLine($"{ReadOnlySpan} countedA = a{L}.Slice(skipped * OutputSize);");
                writer.WriteLine($"{ReadOnlySpan} countedY = labelsT.Slice(skipped * OutputSize);");
                writer.WriteLine($"float cost = (float){RuntimeNames.LossesCost}({RuntimeNames.LossType}.{plan.Loss}, countedA, countedY, counted);");
                writer.WriteLine($"delta{L}.Slice(0, skipped * OutputSize).Clear();");
                writer.WriteLine($"{Span} dZ{L} = delta{L}.Slice(skipped * OutputSize);");
                switch (plan.OutputDelta)
                {
                    case OutputDelta.ActivationMinusLabel:
                        writer.WriteLine($"// dZ{L} = (A{L} - Y) / count: the activation and the loss cancel.");
                        writer.WriteLine($"{RuntimeNames.Subtract}(countedA, countedY, dZ{L});");
                        break;
                    case OutputDelta.SquaredErrorThroughDerivative:
                        writer.WriteLine($"// dZ{L} = (A{L} - Y) * {Derivative(output.Activation, output.Index)} / count.");
                        writer.WriteLine($"{RuntimeNames.Subtract}(countedA, countedY, dZ{L});");
                        writer.WriteLine($"{RuntimeNames.ActivationBackward}({RuntimeNames.ActivationType}.{output.Activation}, countedA, dZ{L});");
                        break;
                    default:
                        writer.WriteLine($"// dA{L} = -(Y/A{L} - (1 - Y)/(1 - A{L})) with the cost's clamping, then dZ{L} = dA{L} * {Derivative(output.Activation, output.Index)} / count.");
                        writer.WriteLine($"{RuntimeNames.BinaryCrossEntropyDerivative}(countedA, countedY, dZ{L});");
                        writer.WriteLine($"{RuntimeNames.ActivationBackward}({RuntimeNames.ActivationType}.{output.Activation}, countedA, dZ{L});");
                        break;
                }

                writer.WriteLine($"{RuntimeNames.TensorMultiply}(dZ{L}, 1f / counted, dZ{L});");
                writer.WriteLine();
                writer.WriteLine("// Backward, layers in reverse; each writes the gradient of its tensors once (the recurrent ones accumulate into cleared ones).");
                writer.WriteLine("gradients.Clear();");
                for (int i = plan.Layers.Count - 1; i >= 0; i--)
                {
                    LayerPlan layer = plan.Layers[i];
                    LayerPlan? previous = i > 0 ? plan.Layers[i - 1] : null;
                    string l = Int(layer.Index);
                    writer.WriteLine($"// Layer {l} backward.");
                    foreach (TensorPlan tensor in layer.Tensors)
                    {
                        writer.WriteLine($"{Span} d{tensor.Member} = gradients.Slice({tensor.OffsetConstant}, {Int(tensor.Length)});");
                    }

                    string layerInput = previous is null ? "x0" : "a" + Int(previous.Index);
                    string nextDelta = previous is null ? string.Empty : "delta" + Int(previous.Index);
                    if (layer.IsCausalStep)
                    {
                        writer.WriteLine("// The window's starting history is constant (truncated backpropagation): no gradient flows into it.");
                        writer.WriteLine($"{RuntimeNames.CausalConvKernels}.Backward({layer.W}, {layerInput}, history0_{l}, delta{l}, steps, m, {CausalSizes(layer)}, " +
                            $"d{layer.W}, d{layer.B}, {(previous is null ? Span + ".Empty" : nextDelta)}, " +
                            $"scratch.Slice(0, {RuntimeNames.CausalConvKernels}.BackwardScratch(steps, m, {CausalSizes(layer)})));");
                        if (previous is not null && HasDerivative(previous))
                        {
                            string p = Int(previous.Index);
                            writer.WriteLine($"// dZ{p} = dA{p} * {Derivative(previous.Activation, previous.Index)}.");
                            writer.WriteLine($"{RuntimeNames.ActivationBackward}({RuntimeNames.ActivationType}.{previous.Activation}, a{p}, {nextDelta});");
                        }
                    }
                    else if (layer.IsRecurrent)
                    {
                        RecurrentLayerEmitter.Instance.EmitBackward(writer, layer, previous, "delta" + l, nextDelta);
                        if (previous is not null && HasDerivative(previous))
                        {
                            string p = Int(previous.Index);
                            writer.WriteLine($"// dZ{p} = dA{p} * {Derivative(previous.Activation, previous.Index)}.");
                            writer.WriteLine($"{RuntimeNames.ActivationBackward}({RuntimeNames.ActivationType}.{previous.Activation}, a{p}, {nextDelta});");
                        }
                    }
                    else
                    {
                        string rowsOut = PerStep(plan, layer) ? "rows" : "m";
                        EmitDenseRowsBackward(writer, layer, layerInput, rowsOut, previous is null ? null : nextDelta, previous, plan, i);
                    }
                }

                writer.WriteLine("return cost;");
            }

            writer.WriteLine();
        }

        /// <summary>
        /// A causal Conv1D over time-major rows: its history per sequence from <c>states</c> (zeros when there are none),
        /// kept in history0_l for the backward pass, every step's output (then the activation), and the history after the
        /// last step back into <c>states</c>.
        /// </summary>
        private static void EmitCausalForward(SourceWriter writer, LayerPlan layer, string input)
        {
            string l = Int(layer.Index);
            string floats = Int(layer.StreamStateFloats);
            using (writer.Block("if (states.IsEmpty)"))
            {
                writer.WriteLine($"history{l}.Clear();");
            }

            using (writer.Block("else"))
            {
                using (writer.Block("for (int i = 0; i < m; i++)"))
                {
                    writer.WriteLine($"states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression}, {floats}).CopyTo(history{l}.Slice(i * {floats}, {floats}));");
                }
            }

            writer.WriteLine($"history{l}.CopyTo(history0_{l});");
            writer.WriteLine($"{RuntimeNames.CausalConvKernels}.Forward({layer.W}, {layer.B}, {input}, history{l}, a{l}, steps, m, {CausalSizes(layer)}, " +
                $"scratch.Slice(0, {RuntimeNames.CausalConvKernels}.ForwardScratch(steps, m, {layer.InputsConstant}, {Int(layer.Conv!.KernelWidth)}, {Int(layer.Conv.DilationWidth)})));");
            if (layer.Activation != ActivationKind.Linear)
            {
                writer.WriteLine($"{RuntimeNames.ActivationForward}({RuntimeNames.ActivationType}.{layer.Activation}, a{l}, a{l});");
            }

            using (writer.Block("if (!states.IsEmpty)"))
            {
                using (writer.Block("for (int i = 0; i < m; i++)"))
                {
                    writer.WriteLine($"history{l}.Slice(i * {floats}, {floats}).CopyTo(states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression}, {floats}));");
                }
            }
        }

        /// <summary>The layer's starting h (and c) per sequence, zeros or from <c>states</c>, kept in h0_l (c0_l) for the backward pass.</summary>
        private static void EmitStartingStates(SourceWriter writer, LayerPlan layer)
        {
            string l = Int(layer.Index);
            bool lstm = layer.Kind == LayerKind.Lstm;
            using (writer.Block("if (states.IsEmpty)"))
            {
                writer.WriteLine($"h{l}.Clear();");
                if (lstm)
                {
                    writer.WriteLine($"c{l}.Clear();");
                }
            }

            using (writer.Block("else"))
            {
                using (writer.Block("for (int i = 0; i < m; i++)"))
                {
                    writer.WriteLine($"states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression}, {layer.UnitsConstant}).CopyTo(h{l}.Slice(i * {layer.UnitsConstant}, {layer.UnitsConstant}));");
                    if (lstm)
                    {
                        writer.WriteLine($"states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression} + {layer.UnitsConstant}, {layer.UnitsConstant}).CopyTo(c{l}.Slice(i * {layer.UnitsConstant}, {layer.UnitsConstant}));");
                    }
                }
            }

            writer.WriteLine($"h{l}.CopyTo(h0_{l});");
            if (lstm)
            {
                writer.WriteLine($"c{l}.CopyTo(c0_{l});");
            }
        }

        /// <summary>The states after the last step back into <c>states</c>, for the next window.</summary>
        private static void EmitFinalStates(SourceWriter writer, LayerPlan layer)
        {
            string l = Int(layer.Index);
            using (writer.Block("if (!states.IsEmpty)"))
            {
                using (writer.Block("for (int i = 0; i < m; i++)"))
                {
                    writer.WriteLine($"h{l}.Slice(i * {layer.UnitsConstant}, {layer.UnitsConstant}).CopyTo(states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression}, {layer.UnitsConstant}));");
                    if (layer.Kind == LayerKind.Lstm)
                    {
                        writer.WriteLine($"c{l}.Slice(i * {layer.UnitsConstant}, {layer.UnitsConstant}).CopyTo(states.Slice((i * StateFloats) + {layer.StreamStateOffsetExpression} + {layer.UnitsConstant}, {layer.UnitsConstant}));");
                    }
                }
            }
        }

        /// <summary>A dense layer over time-major rows: A = g(X·Wᵀ + b), one row per step (or per sequence).</summary>
        private static void EmitDenseRows(SourceWriter writer, LayerPlan layer, string input, string rows)
        {
            string l = Int(layer.Index);
            writer.WriteLine($"{RuntimeNames.MultiplyNT}({input}, {layer.W}, a{l}, {rows}, {layer.InputsConstant}, {layer.UnitsConstant});");
            using (writer.Block($"for (int r = 0; r < {rows}; r++)"))
            {
                writer.WriteLine($"{Span} row = a{l}.Slice(r * {layer.UnitsConstant}, {layer.UnitsConstant});");
                writer.WriteLine($"{RuntimeNames.TensorAdd}(row, {layer.B}, row);");
                if (layer.Activation == ActivationKind.Softmax)
                {
                    writer.WriteLine($"{RuntimeNames.SoftmaxForward}(row, {layer.UnitsConstant}, 1);");
                }
            }

            if (layer.Activation is not (ActivationKind.Linear or ActivationKind.Softmax))
            {
                writer.WriteLine($"{RuntimeNames.ActivationForward}({RuntimeNames.ActivationType}.{layer.Activation}, a{l}, a{l});");
            }
        }

        /// <summary>
        /// The backward pass of a dense layer over rows, given dZ in delta{l}: dW = dZᵀ·X, db = Σ rows of dZ, and for a
        /// layer that is not the first, dA[l-1] = dZ·W into the previous layer's delta (times g'(A[l-1]) for a dense one).
        /// </summary>
        private static void EmitDenseRowsBackward(SourceWriter writer, LayerPlan layer, string input, string rows, string? nextDelta, LayerPlan? previous, NetworkPlan plan, int index)
        {
            string l = Int(layer.Index);
            writer.WriteLine($"{RuntimeNames.MultiplyTN}(delta{l}, {input}, d{layer.W}, {layer.UnitsConstant}, {rows}, {layer.InputsConstant});");
            using (writer.Block($"for (int r = 0; r < {rows}; r++)"))
            {
                writer.WriteLine($"{RuntimeNames.TensorAdd}(d{layer.B}, delta{l}.Slice(r * {layer.UnitsConstant}, {layer.UnitsConstant}), d{layer.B});");
            }

            if (nextDelta is null || previous is null)
            {
                return;
            }

            string p = Int(previous.Index);
            bool previousPerStep = PerStep(plan, previous);
            if (previous.IsRecurrent && !previousPerStep)
            {
                // The previous layer returned only its last step: its dh is dA there and zero at every earlier step.
                writer.WriteLine($"{nextDelta}.Clear();");
                writer.WriteLine($"{RuntimeNames.MultiplyNN}(delta{l}, {layer.W}, {nextDelta}.Slice((steps - 1) * m * {previous.UnitsConstant}), {rows}, {layer.UnitsConstant}, {layer.InputsConstant});");
                return;
            }

            writer.WriteLine($"{RuntimeNames.MultiplyNN}(delta{l}, {layer.W}, {nextDelta}, {rows}, {layer.UnitsConstant}, {layer.InputsConstant});");
            if (HasDerivative(previous))
            {
                writer.WriteLine($"// dZ{p} = dA{p} * {Derivative(previous.Activation, previous.Index)}.");
                writer.WriteLine($"{RuntimeNames.ActivationBackward}({RuntimeNames.ActivationType}.{previous.Activation}, a{p}, {nextDelta});");
            }
        }

        private static void EmitTrainableNetwork(SourceWriter writer, NetworkPlan plan)
        {
            // The runtime's contract reads an example as one row; for a recurrent network that is a sequence of one step.
            string t = RuntimeNames.TrainableNetwork;
            writer.WriteLine("// ITrainableNetwork sees one example per row: here, a sequence of one step from the zero state.");
            writer.WriteLine($"string {t}.Name => NetworkName;");
            writer.WriteLine();
            writer.WriteLine($"int {t}.InputSize => InputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {t}.OutputSize => OutputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {t}.ParameterCount => ParameterCount;");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.LossType} {t}.Loss => {RuntimeNames.LossType}.{plan.Loss};");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.ActivationType} {t}.OutputActivation => {RuntimeNames.ActivationType}.{plan.Output.Activation};");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.RangeSpan} {t}.WeightRanges => _weightRanges;");
            writer.WriteLine();
            writer.WriteLine("// The tensors L2 and AdamW's decay shrink: the dense W and the recurrent Wih and Whh, not the biases.");
            string ranges = string.Join(", ", plan.Tensors.Where(tensor => tensor.Decays).Select(tensor => $"{tensor.OffsetConstant}..({tensor.OffsetConstant} + {Int(tensor.Length)})"));
            writer.WriteLine($"private static readonly {RuntimeNames.Range}[] _weightRanges = {{ {ranges} }};");
            writer.WriteLine();
            writer.WriteLine($"float {t}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace} workspace) =>");
            writer.WriteLine("    ComputeGradients(inputs, 1, labels, gradients, workspace);");
            writer.WriteLine();
            using (writer.Block($"void {t}.Predict({ReadOnlySpan} x, {Span} y)"))
            {
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Predict\", \"x\", x.Length, InputSize, \"InputSize\");");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"Predict\", \"y\", y.Length, OutputSize, \"OutputSize\");");
                writer.WriteLine("State state = default;");
                writer.WriteLine("StepCore(x, y, state);");
            }

            writer.WriteLine();
            writer.WriteLine($"void {t}.PredictBatch({ReadOnlySpan} inputs, {Span} outputs) => PredictSequences(inputs, 1, outputs);");
            writer.WriteLine();
            string sequence = RuntimeNames.SequenceNetwork;
            writer.WriteLine($"bool {sequence}.OutputsEveryStep => {(OutputPerStep(plan) ? "true" : "false")};");
            writer.WriteLine();
            writer.WriteLine($"int {sequence}.StateFloats => StateFloats;");
            writer.WriteLine();
            writer.WriteLine($"float {sequence}.ComputeGradients({ReadOnlySpan} inputs, int steps, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace}? workspace, int warmUp, {Span} states) =>");
            writer.WriteLine("    ComputeGradients(inputs, steps, labels, gradients, workspace, warmUp, states);");
            writer.WriteLine();
            writer.WriteLine($"void {sequence}.PredictSequences({ReadOnlySpan} inputs, int steps, {Span} outputs, {Span} states) => PredictSequences(inputs, steps, outputs, states);");
        }
    }
}
