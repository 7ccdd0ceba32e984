using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Emit.Strategies;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// Valid <see cref="NetworkSpec"/> → one C# source file: the network's part of the partial class. Writes the public
    /// surface once (constants, parameters, construction, I/O types, prediction, summary, training) and leaves the
    /// private compute members to the plan's <see cref="IComputeStrategyEmitter"/>.
    /// </summary>
    internal static class NetworkEmitter
    {
        private const string Span = RuntimeNames.Span;
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        /// <summary>The generator's version, written into [GeneratedCode]; snapshot tests replace it with a placeholder.</summary>
        public static readonly string GeneratorVersion = typeof(NetworkEmitter).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>A unique, deterministic hint name: namespace, containing types and the type, with generic arity.</summary>
        public static string HintName(NetworkSpec spec)
        {
            IEnumerable<string> parts = spec.ContainingTypes.Select(type => Sanitize(type.Name)).Concat(new[] { Sanitize(spec.DisplayName) });
            if (spec.Namespace is not null)
            {
                parts = new[] { spec.Namespace }.Concat(parts);
            }

            return string.Join(".", parts) + ".g.cs";
        }

        /// <param name="spec">A network the validator accepted.</param>
        /// <param name="baked">Its baked weights, when it has a Weights file that passed every check; null otherwise.</param>
        /// <param name="shadowed">Simple names the user's code gives another meaning where the network is declared.</param>
        public static string Emit(NetworkSpec spec, Baking.BakedWeights? baked = null, EquatableArray<string> shadowed = default)
        {
            NetworkPlan plan = NetworkPlan.Create(spec);
            IComputeStrategyEmitter strategy = ComputeStrategyEmitters.For(plan.Strategy);
            var writer = new SourceWriter();
            EmitHeader(writer, plan);

            var blocks = new Stack<SourceWriter.BlockScope>();
            if (spec.Namespace is not null)
            {
                blocks.Push(writer.Block($"namespace {spec.Namespace}"));
            }

            writer.WriteLine(ImportedNames.Marker);
            VectorAliases.Emit(writer, plan, strategy);

            foreach (ContainingTypeSpec outer in spec.ContainingTypes)
            {
                blocks.Push(writer.Block($"partial {outer.Keyword} {outer.Name}"));
            }

            writer.WriteLine($"[{RuntimeNames.GeneratedCode}(\"NnGenerator\", \"{GeneratorVersion}\")]");
            string interfaces = plan.IsRecurrent ? RuntimeNames.SequenceNetwork : $"{RuntimeNames.TrainableNetwork}, {RuntimeNames.SerializableNetwork}, {RuntimeNames.ChunkedPredictor}";
            using (writer.Block($"partial {spec.Keyword} {spec.DisplayName} : {interfaces}"))
            {
                if (plan.IsRecurrent)
                {
                    RecurrentNetworkEmitter.EmitBody(writer, plan, baked);
                }
                else
                {
                    EmitDenseBody(writer, plan, strategy, baked);
                }
            }

            while (blocks.Count > 0)
            {
                blocks.Pop().Dispose();
            }

            return LineWrapper.Wrap(ImportedNames.Apply(writer.ToString(), shadowed));
        }

        /// <summary>The class body of a network without recurrent layers: the dense surface and its compute strategy.</summary>
        private static void EmitDenseBody(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy, Baking.BakedWeights? baked)
        {
            EmitConstants(writer, plan, strategy, baked is not null);
            EmitParameters(writer, plan);
            EmitConstruction(writer, plan, baked);
            EmitIoTypes(writer, plan);
            EmitSummary(writer, plan);
            WeightsEmitter.Emit(writer, plan);
            if (baked is not null)
            {
                WeightsEmitter.EmitBaked(writer, plan, baked);
            }

            // The course's order: forward, cost, backward, update.
            writer.WriteLine("// Forward propagation: A[l] = g[l](W[l]·A[l-1] + b[l]) for l = 1..L, A[0] = X.");
            EmitPrediction(writer, plan, strategy, string.Empty);
            OneExampleEmitter.EmitForwardSingle(writer, plan, frozen: false);
            writer.WriteLine();
            strategy.EmitForwardBatch(writer, plan, withTraining: true);
            writer.WriteLine();
            FrozenEmitter.Emit(writer, plan, strategy);
            TrainingEmitter.EmitCostAndBackward(writer, plan, strategy);
            TrainingEmitter.EmitUpdateAndEvaluation(writer, plan, strategy);
        }

        internal static void EmitHeader(SourceWriter writer, NetworkPlan plan)
        {
            writer.WriteLine("// <auto-generated/>");
            string inputs = plan.IsShaped ? $"{ShapeRules.Text(plan.InputShape)} inputs" : $"{Int(plan.InputSize)} inputs";
            string architecture = string.Join(" -> ", new[] { inputs }.Concat(plan.Layers.Select(layer =>
                layer.IsDense ? $"{Int(layer.Units)} {Prose(layer.Activation)}"
                : layer.Kind == LayerKind.Dropout ? $"dropout {Literals.Float(layer.Rate).TrimEnd('f')}"
                : layer.IsRecurrent ? $"{LayerRules.KindName(layer.Kind)} {Int(layer.Units)}"
                : ShapeRules.IsConvolution(layer.Kind) ? $"{LayerRules.KindName(layer.Kind)} {ShapeRules.Text(layer.OutputShape)} {Prose(layer.Activation)}"
                : ShapeRules.IsShaped(layer.Kind) ? $"{LayerRules.KindName(layer.Kind)} {ShapeRules.Text(layer.OutputShape)}"
                : LayerRules.KindName(layer.Kind))));
            writer.WriteLine($"// NnGen network {plan.Spec.DisplayName}: {architecture}; {Int(plan.ParameterCount)} parameters; loss: {Prose(plan.Loss)}.");
            foreach (LayerPlan layer in plan.Layers)
            {
                writer.WriteLine($"// {LayerEmitters.For(layer.Kind).Describe(layer)}");
            }

            writer.WriteLine(plan.IsRecurrent
                ? "// Sequences: one per row, batch-first (m, T, n[0]); inside, time-major rows, step t of sequence i at row t·m + i."
                : plan.IsShaped
                ? "// Batches: one example per row, (C, H, W) flattened as PyTorch's NCHW; inside, A[l] is (C·H·W x m), element (c, y, x) of example j at ((c·H + y)·W + x)·m + j."
                : "// Batches: inputs, outputs and labels hold one example per row; inside, A[l] is (n[l] x m) as in the course.");
            writer.WriteLine("#nullable enable");
            writer.WriteLine();
        }

        private static void EmitConstants(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy, bool baked)
        {
            Constant(writer, plan.IsShaped
                ? $"n[0] = {string.Join("·", plan.InputShape.Select(Int))}: the number of input features of one example, whose shape is {ShapeRules.Text(plan.InputShape)} (PyTorch's order, flattened)."
                : "n[0]: the number of input features of one example.", GeneratedNames.InputSize, plan.InputSize);
            writer.WriteLine();
            Constant(writer, $"n[L] = n[{Int(plan.Layers.Count)}]: the number of outputs (and labels) of one example.", GeneratedNames.OutputSize, plan.OutputSize);
            writer.WriteLine();
            Constant(writer, "L: the number of layers with parameters (the input layer is not counted).", GeneratedNames.LayerCount, plan.Layers.Count);
            writer.WriteLine();
            Constant(writer, "The number of trainable floats: the length of <see cref=\"Parameters\"/> and of a gradient.", "ParameterCount", plan.ParameterCount);
            writer.WriteLine();
            Constant(
                writer,
                baked
                    ? "The seed of the random stream <see cref=\"Initialize(int)\"/> is usually given; <c>new " + Xml(plan.Spec.Name) + "()</c> starts from the baked weights instead."
                    : "The seed <c>new " + Xml(plan.Spec.Name) + "()</c> initializes from.",
                "DefaultSeed",
                0);
            if (plan.StateCount > 0)
            {
                writer.WriteLine();
                Constant(writer, "The number of state floats (running statistics): the length of <see cref=\"State\"/>.", "StateCount", plan.StateCount);
            }

            foreach (LayerPlan layer in plan.Layers)
            {
                string l = Int(layer.Index);
                writer.WriteLine();
                Constant(writer, $"n[{Int(layer.Index - 1)}]: the inputs of layer {l}.", layer.InputsConstant, layer.Inputs);
                writer.WriteLine();
                Constant(writer, layer.IsDense
                    ? $"n[{l}]: the units of layer {l} ({Prose(layer.Activation)})."
                    : ShapeRules.IsShaped(layer.Kind)
                    ? $"n[{l}] = {string.Join("·", layer.OutputShape.Select(Int))}: the features of layer {l}'s {ShapeRules.Text(layer.OutputShape)} output ({LayerRules.KindName(layer.Kind)})."
                    : $"n[{l}]: the features of layer {l} ({LayerRules.KindName(layer.Kind)}), as many as it is given.", layer.UnitsConstant, layer.Units);
                foreach (TensorPlan tensor in layer.Tensors)
                {
                    writer.WriteLine();
                    Constant(writer, $"Where {tensor.Member} starts in <see cref=\"{(tensor.IsState ? "State" : "Parameters")}\"/>.", tensor.OffsetConstant, tensor.Offset);
                }

                LayerEmitters.For(layer.Kind).EmitConstants(writer, layer);
            }

            writer.WriteLine();
            writer.WriteLine($"private const string NetworkName = \"{plan.Spec.DisplayName}\";");
            writer.WriteLine();
            strategy.EmitWorkspaceConstants(writer, plan);
            writer.WriteLine();
            writer.WriteLine($"// Inference runs in chunks of up to {Int(plan.BatchChunk)} examples so its scratch ({Int(plan.BatchScratch)} floats) has a fixed size.");
            writer.WriteLine($"private const int BatchChunk = {Int(plan.BatchChunk)};");
            writer.WriteLine($"private const int BatchScratch = {Int(plan.BatchScratch)};");
            writer.WriteLine();
        }

        /// <summary>A documented <c>public const int</c>.</summary>
        internal static void Constant(SourceWriter writer, string summary, string name, int value)
        {
            writer.Summary(summary);
            writer.WriteLine($"public const int {name} = {Int(value)};");
        }

        internal static void EmitParameters(SourceWriter writer, NetworkPlan plan)
        {
            writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _parameters = new(ParameterCount);");
            writer.WriteLine();
            writer.Summary("All parameters in one contiguous buffer starting on a 64-byte boundary: " + string.Join(", ", plan.Tensors.Where(tensor => !tensor.IsState).Select(tensor => tensor.Member)) + ", each W row-major.");
            writer.WriteLine($"public {Span} {GeneratedNames.Parameters} => _parameters.Span;");
            if (plan.StateCount > 0)
            {
                writer.WriteLine();
                writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _state = new(StateCount);");
                writer.WriteLine();
                writer.Summary("The non-trainable state in one buffer: " + string.Join(", ", plan.Tensors.Where(tensor => tensor.IsState).Select(tensor => tensor.Member)) +
                    ". Training updates it; Predict reads it; it is saved, loaded and baked with the parameters.");
                writer.WriteLine($"public {Span} State => _state.Span;");
            }

            ParameterViews.Emit(writer, plan, "_parameters", "_state", tensor => tensor.Member, ParameterViews.Describe);
            writer.WriteLine();
        }

        private static void EmitConstruction(SourceWriter writer, NetworkPlan plan, Baking.BakedWeights? baked) =>
            EmitConstruction(writer, plan, baked, new[]
            {
                $"Draws new weights and zeroes the biases of this {Xml(plan.Spec.Name)}. Weights come from NumPy's legacy",
                "<c>RandomState(seed).randn</c> stream, layer by layer in row-major order, so the same seed gives the same",
                "weights on every run and machine (and the same as the course's NumPy code).",
            });

        /// <summary>
        /// The constructors (a seed, or the baked weights for a plain <c>new</c>) and <c>Initialize(seed)</c>, whose summary
        /// is <paramref name="initializeSummary"/> and whose body is each layer's <see cref="ILayerEmitter.EmitInitialize"/>.
        /// </summary>
        internal static void EmitConstruction(SourceWriter writer, NetworkPlan plan, Baking.BakedWeights? baked, string[] initializeSummary)
        {
            if (baked is null)
            {
                writer.Summary($"Creates the network with weights drawn from <see cref=\"DefaultSeed\"/>; see <see cref=\"Initialize(int)\"/>.");
                writer.WriteLine($"public {plan.Spec.Name}()");
                writer.WriteLine("    : this(DefaultSeed)");
                writer.WriteLine("{");
                writer.WriteLine("}");
            }
            else
            {
                // Baked weights are the reason to declare Weights, so they are what a plain `new` gives; a seed still means random.
                writer.Summary($"Creates the network with the weights baked in at build time from <c>{Xml(baked.FileName)}</c>; see <see cref=\"ResetToBakedWeights\"/>.");
                using (writer.Block($"public {plan.Spec.Name}()"))
                {
                    writer.WriteLine("ResetToBakedWeights();");
                }
            }

            writer.WriteLine();
            writer.Summary($"Creates the network with weights drawn from <paramref name=\"seed\"/>; see <see cref=\"Initialize(int)\"/>.");
            writer.WriteLine("/// <param name=\"seed\">The seed of the NumPy-compatible random stream (at least 0).</param>");
            using (writer.Block($"public {plan.Spec.Name}(int seed)"))
            {
                writer.WriteLine("Initialize(seed);");
            }

            writer.WriteLine();
            writer.WriteLine("/// <summary>");
            foreach (string line in initializeSummary)
            {
                writer.WriteLine("/// " + line);
            }

            writer.WriteLine("/// </summary>");
            writer.WriteLine("/// <param name=\"seed\">The seed of the random stream (at least 0).</param>");
            using (writer.Block("public void Initialize(int seed)"))
            {
                writer.WriteLine($"var random = new {RuntimeNames.NumPyRandom}(seed);");
                foreach (LayerPlan layer in plan.Layers)
                {
                    LayerEmitters.For(layer.Kind).EmitInitialize(writer, layer);
                }
            }

            writer.WriteLine();
        }

        private static void EmitIoTypes(SourceWriter writer, NetworkPlan plan)
        {
            EmitFixedBuffer(writer, "Input", plan.InputSize, $"One input example: n[0] = {Int(plan.InputSize)} features. Its size is part of its type, so a wrong-sized input does not compile.");
            EmitFixedBuffer(writer, "Output", plan.OutputSize, $"One output: A[L] for one example, n[L] = {Int(plan.OutputSize)} values.");
        }

        private static void EmitFixedBuffer(SourceWriter writer, string name, int size, string summary)
        {
            writer.Summary(summary);
            writer.WriteLine($"[{RuntimeNames.InlineArray}({Int(size)})]");
            using (writer.Block($"public struct {name}"))
            {
                writer.WriteLine("private float _element0;");
            }

            writer.WriteLine();
        }

        /// <summary>
        /// Predict (typed and on spans) and PredictBatch over <c>ForwardSingle</c> and <c>ForwardBatch</c>, for the network
        /// and for its <c>Frozen</c> form; <paramref name="owner"/> ("" or "Frozen.") prefixes the method in error messages.
        /// </summary>
        internal static void EmitPrediction(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy, string owner)
        {
            writer.Summary("Runs the forward pass for one example: A[L] = g[L](W[L]·…g[1](W[1]·x + b[1])… + b[L]).");
            writer.WriteLine($"/// <param name=\"x\">The example, n[0] = {Int(plan.InputSize)} features.</param>");
            writer.WriteLine($"/// <returns>A[L], n[L] = {Int(plan.OutputSize)} values.</returns>");
            writer.WriteLine("/// <remarks>Allocation-free and safe to call from many threads at once.</remarks>");
            using (writer.Block($"public Output {GeneratedNames.Predict}(in Input {GeneratedNames.X})"))
            {
                writer.WriteLine("Output y = default;");
                writer.WriteLine("ForwardSingle(x, y);");
                writer.WriteLine("return y;");
            }

            writer.WriteLine();
            writer.Summary("Runs the forward pass for one example.");
            writer.WriteLine($"/// <param name=\"x\">The example: exactly <see cref=\"InputSize\"/> = {Int(plan.InputSize)} floats.</param>");
            writer.WriteLine($"/// <param name=\"y\">Receives A[L]: exactly <see cref=\"OutputSize\"/> = {Int(plan.OutputSize)} floats.</param>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"y\"/> is then left untouched.</exception>");
            writer.WriteLine("/// <remarks>Allocation-free and safe to call from many threads at once.</remarks>");
            using (writer.Block($"public void {GeneratedNames.Predict}({ReadOnlySpan} {GeneratedNames.X}, {Span} {GeneratedNames.Y})"))
            {
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"{owner}Predict\", \"x\", x.Length, InputSize, \"InputSize\");");
                writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"{owner}Predict\", \"y\", y.Length, OutputSize, \"OutputSize\");");
                writer.WriteLine("ForwardSingle(x, y);");
            }

            writer.WriteLine();
            EmitPredictBatch(writer, plan, strategy, owner);
        }

        /// <summary>
        /// <c>PredictBatch(inputs, outputs)</c> and the <c>IChunkedPredictor.PredictChunk</c> it runs through
        /// <c>BatchPrediction.Run</c>, for a class whose <c>ForwardBatch</c> is the plan's: the class must list
        /// <see cref="RuntimeNames.ChunkedPredictor"/> among its interfaces. <paramref name="owner"/> prefixes the method in error messages.
        /// </summary>
        internal static void EmitPredictBatch(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy, string owner)
        {
            writer.Summary("Runs the forward pass for m examples.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, n[0]) = (m, {Int(plan.InputSize)}) row-major, m = inputs.Length / <see cref=\"InputSize\"/>.</param>");
            writer.WriteLine($"/// <param name=\"outputs\">Receives A[L]ᵀ, one example per row: (m, n[L]) = (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong; <paramref name=\"outputs\"/> is then left untouched.</exception>");
            writer.WriteLine("/// <remarks>Allocation-free once warm and safe to call from many threads at once.</remarks>");
            using (writer.Block($"public void {GeneratedNames.PredictBatch}({ReadOnlySpan} {GeneratedNames.Inputs}, {Span} {GeneratedNames.Outputs})"))
            {
                writer.WriteLine($"int m = {RuntimeNames.GuardExampleCount}(NetworkName, \"{owner}PredictBatch\", inputs.Length, InputSize);");
                writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, \"{owner}PredictBatch\", \"outputs\", outputs.Length, m, OutputSize, \"OutputSize\");");
                writer.WriteLine("// Chunks of BatchChunk examples, over several threads when there are enough; a chunk's bits do not depend on its thread.");
                writer.WriteLine($"{RuntimeNames.BatchPredictionRun}(this, inputs, outputs, InputSize, OutputSize, BatchChunk, BatchScratch, ParameterCount);");
            }

            writer.WriteLine();
            writer.WriteLine("// One chunk of PredictBatch: count ≤ BatchChunk examples, A[l] in scratch (BatchScratch floats).");
            writer.WriteLine(RuntimeNames.HotPath);
            using (writer.Block($"void {RuntimeNames.ChunkedPredictor}.PredictChunk({ReadOnlySpan} inputs, {Span} outputs, int count, {Span} scratch)"))
            {
                writer.WriteLine($"{ReadOnlySpan} outputActivations = ForwardBatch(inputs, count, scratch);");
                strategy.EmitOutputsToRows(writer, plan);
            }

            writer.WriteLine();
        }

        internal static void EmitSummary(SourceWriter writer, NetworkPlan plan)
        {
            string[] lines = SummaryTable.Build(plan);
            writer.WriteLine("/// <summary>A Keras-style table of the layers, their shapes and parameter counts, fixed at compile time:");
            writer.WriteLine("/// <code>");
            foreach (string line in lines)
            {
                writer.WriteLine("/// " + Xml(line));
            }

            writer.WriteLine("/// </code>");
            writer.WriteLine("/// </summary>");
            writer.WriteLine("public static string Summary =>");
            for (int i = 0; i < lines.Length; i++)
            {
                writer.WriteLine($"    \"{lines[i]}\\n\"{(i == lines.Length - 1 ? ";" : " +")}");
            }

            writer.WriteLine();
        }

        internal static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        private static string Sanitize(string name) => name.Replace("<", "{").Replace(">", "}").Replace(", ", ",");
    }
}
