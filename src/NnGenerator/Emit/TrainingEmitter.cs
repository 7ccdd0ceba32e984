using System.Linq;
using NnGen.Generator.Emit.Strategies;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The training surface of a network: the typed <c>Gradients</c>, <c>ComputeGradients</c> (forward with cache,
    /// cost, backward), and one-line forwards to the runtime's <c>Trainer</c>, where the size-independent logic lives once.
    /// </summary>
    internal static class TrainingEmitter
    {
        private const string Span = RuntimeNames.Span;
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        /// <summary>Cost and backward propagation: the typed Gradients, ComputeGradients, and the strategy's Backpropagate.</summary>
        public static void EmitCostAndBackward(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy)
        {
            writer.WriteLine("// Cost and backward propagation: J, then dZ[l], dW[l], db[l] from layer L down to layer 1.");
            EmitGradientsType(writer, plan);
            EmitComputeGradients(writer, plan, strategy);
            strategy.EmitBackpropagate(writer, plan);
        }

        /// <summary>Update, evaluation and the ITrainableNetwork members through which the runtime's Trainer drives the network.</summary>
        public static void EmitUpdateAndEvaluation(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy)
        {
            writer.WriteLine("// Update: W[l] := W[l] - α·dW[l], b[l] := b[l] - α·db[l], one step or a whole training run.");
            EmitUpdate(writer, plan);
            EmitEvaluation(writer, plan);
            EmitInterface(writer, plan, strategy);
        }

        private static void EmitGradientsType(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("dJ/dθ with the shapes of the parameters: dW[l] like W[l], db[l] like b[l], at the same offsets as <see cref=\"Parameters\"/>.");
            using (writer.Block("public sealed class Gradients"))
            {
                writer.WriteLine($"private readonly {RuntimeNames.AlignedBuffer} _values = new(ParameterCount);");
                writer.WriteLine();
                writer.Summary("The whole gradient vector, laid out like <see cref=\"Parameters\"/>.");
                writer.WriteLine($"public {Span} Values => _values.Span;");
                ParameterViews.Emit(writer, plan, "_values", stateBuffer: null, ParameterViews.GradientName, ParameterViews.DescribeGradient);
            }

            writer.WriteLine();
        }

        private static void EmitComputeGradients(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy)
        {
            writer.Summary("One forward pass over m examples keeping the cache, the cost J, and the backward pass.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}){LossTable.Of(plan.Loss).LabelRange}.</param>");
            writer.WriteLine("/// <param name=\"gradients\">Receives dW[l] and db[l] for every layer.</param>");
            writer.WriteLine("/// <param name=\"workspace\">Scratch for the cache; keep one across calls to allocate nothing. <see langword=\"null\"/> allocates a new one.</param>");
            writer.WriteLine($"/// <returns>The cost J ({Prose(plan.Loss)}) before this step.</returns>");
            if (plan.HasTrainingForward)
            {
                writer.WriteLine("/// <param name=\"stepSeed\">The training step's seed: dropout masks are drawn from it, the same at every vector width and thread count.</param>");
            }

            writer.WriteLine($"/// <exception cref=\"{RuntimeNames.ArgumentException}\">A length is wrong, a value is not finite, or (for cross-entropy) a label is outside [0, 1]; nothing is written then.</exception>");
            if (plan.HasTrainingForward)
            {
                writer.WriteLine("/// <remarks>Runs the training forward pass: batch norm uses the batch's statistics and updates its running ones.</remarks>");
            }

            string seedParameter = plan.HasTrainingForward ? ", ulong stepSeed = 0" : string.Empty;
            using (writer.Block($"public float {GeneratedNames.ComputeGradients}({ReadOnlySpan} {GeneratedNames.Inputs}, {ReadOnlySpan} {GeneratedNames.Labels}, Gradients gradients, {RuntimeNames.Workspace}? workspace = null{seedParameter})"))
            {
                writer.WriteLine($"{RuntimeNames.ThrowIfNull}(gradients);");
                writer.WriteLine($"int m = {RuntimeNames.TrainerValidateTrainingData}(this, \"ComputeGradients\", inputs, labels);");
                writer.WriteLine($"workspace ??= new {RuntimeNames.Workspace}();");
                writer.WriteLine("return Backpropagate(inputs, labels, m, gradients.Values, workspace.GetSpan(WorkspacePerExample, " + strategy.WorkspaceColumns("m") + ", NetworkName, \"ComputeGradients\"), computeCost: true" + (plan.HasTrainingForward ? ", stepSeed" : string.Empty) + ");");
            }

            writer.WriteLine();
        }

        private static void EmitUpdate(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("Gradient descent: W := W - α·dW, b := b - α·db, in one pass over the parameter buffer.");
            writer.WriteLine("/// <param name=\"gradients\">The gradients, as from <see cref=\"ComputeGradients\"/>.</param>");
            writer.WriteLine("/// <param name=\"learningRate\">α.</param>");
            using (writer.Block("public void Step(Gradients gradients, float learningRate)"))
            {
                writer.WriteLine($"{RuntimeNames.ThrowIfNull}(gradients);");
                writer.WriteLine($"{RuntimeNames.TrainerStep}(this, gradients.Values, learningRate);");
            }

            writer.WriteLine();
            writer.Summary("Trains with gradient descent (full batch or shuffled mini-batches) as <paramref name=\"options\"/> say.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <param name=\"options\">Learning rate, iterations, batch size, seed, progress, cancellation.</param>");
            writer.WriteLine("/// <returns>The cost history, final cost, time, and whether training completed or diverged.</returns>");
            writer.WriteLine($"public {RuntimeNames.TrainingHistory} {GeneratedNames.Fit}({ReadOnlySpan} {GeneratedNames.Inputs}, {ReadOnlySpan} {GeneratedNames.Labels}, {RuntimeNames.TrainingOptions} options) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerFit}(this, inputs, labels, options);");
            writer.WriteLine();
            writer.Summary("Trains as <see cref=\"Fit(global::System.ReadOnlySpan{float}, global::System.ReadOnlySpan{float}, global::NnGen.TrainingOptions)\"/> does, with one class index per example instead of label rows.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">m class indices in [0, {Int(plan.OutputSize > 1 ? plan.OutputSize : 2)}), one per example.</param>");
            writer.WriteLine("/// <param name=\"options\">Learning rate, iterations, batch size, seed, progress, cancellation.</param>");
            writer.WriteLine("/// <returns>The cost history, final cost, time, and how training ended.</returns>");
            writer.WriteLine($"public {RuntimeNames.TrainingHistory} {GeneratedNames.Fit}({ReadOnlySpan} {GeneratedNames.Inputs}, {RuntimeNames.ClassIndexSpan} {GeneratedNames.Labels}, {RuntimeNames.TrainingOptions} options) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerFit}(this, inputs, labels, options);");
            writer.WriteLine();
        }

        private static void EmitEvaluation(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary($"The cost J ({Prose(plan.Loss)}) and the accuracy ({(ActivationTable.Of(plan.Output.Activation).AcrossUnits ? "the largest output is the labelled class" : "outputs on the right side of 0.5")}) over m examples.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <returns>The cost and the accuracy.</returns>");
            writer.WriteLine($"public {RuntimeNames.Evaluation} {GeneratedNames.Evaluate}({ReadOnlySpan} {GeneratedNames.Inputs}, {ReadOnlySpan} {GeneratedNames.Labels}) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerEvaluate}(this, inputs, labels);");
            writer.WriteLine();
            writer.Summary("The cost and the metrics over m examples labelled by class index.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">m class indices in [0, {Int(plan.OutputSize > 1 ? plan.OutputSize : 2)}), one per example.</param>");
            writer.WriteLine("/// <returns>The cost and the accuracy.</returns>");
            writer.WriteLine($"public {RuntimeNames.Evaluation} {GeneratedNames.Evaluate}({ReadOnlySpan} {GeneratedNames.Inputs}, {RuntimeNames.ClassIndexSpan} {GeneratedNames.Labels}) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerEvaluate}(this, inputs, labels);");
            writer.WriteLine();
            writer.Summary("Compares the analytic gradient with central differences over every parameter: ‖g - g̃‖ / (‖g‖ + ‖g̃‖).");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <param name=\"epsilon\">The finite-difference step.</param>");
            writer.WriteLine("/// <returns>The relative difference; well under 1e-3 for a correct backward pass.</returns>");
            writer.WriteLine($"public double {GeneratedNames.GradientCheck}({ReadOnlySpan} {GeneratedNames.Inputs}, {ReadOnlySpan} {GeneratedNames.Labels}, float epsilon) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerGradientCheck}(this, inputs, labels, epsilon);");
            writer.WriteLine();
            writer.Summary("<see cref=\"GradientCheck(global::System.ReadOnlySpan{float}, global::System.ReadOnlySpan{float}, float)\"/> with the runtime's default step.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <returns>The relative difference; well under 1e-3 for a correct backward pass.</returns>");
            writer.WriteLine($"public double {GeneratedNames.GradientCheck}({ReadOnlySpan} {GeneratedNames.Inputs}, {ReadOnlySpan} {GeneratedNames.Labels}) =>");
            writer.WriteLine($"    {RuntimeNames.TrainerGradientCheck}(this, inputs, labels);");
            writer.WriteLine();
            using (writer.Block($"private int ValidateTrainingData(string method, {ReadOnlySpan} inputs, {ReadOnlySpan} labels)"))
            {
                writer.WriteLine($"int m = {RuntimeNames.GuardExampleCount}(NetworkName, method, inputs.Length, InputSize);");
                writer.WriteLine($"{RuntimeNames.GuardPerExample}(NetworkName, method, \"labels\", labels.Length, m, OutputSize, \"OutputSize\");");
                writer.WriteLine("return m;");
            }

            writer.WriteLine();
        }

        private static void EmitInterface(SourceWriter writer, NetworkPlan plan, IComputeStrategyEmitter strategy)
        {
            string iface = RuntimeNames.TrainableNetwork;
            writer.WriteLine($"string {iface}.Name => NetworkName;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.InputSize => InputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.OutputSize => OutputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.ParameterCount => ParameterCount;");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.LossType} {iface}.Loss => {RuntimeNames.LossType}.{plan.Loss};");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.ActivationType} {iface}.OutputActivation => {RuntimeNames.ActivationType}.{plan.Output.Activation};");
            writer.WriteLine();
            writer.WriteLine($"{RuntimeNames.RangeSpan} {iface}.WeightRanges => {GeneratedNames.WeightRanges};");
            writer.WriteLine();
            writer.WriteLine(plan.Layers.All(layer => layer.IsDense)
                ? "// W1, W2, …: what L2 regularization and AdamW's weight decay apply to (the biases are left out)."
                : "// The dense weights: what L2 regularization and AdamW's weight decay apply to (biases, γ and β are left out).");
            string ranges = string.Join(", ", plan.Layers.Where(layer => layer.IsDense).Select(layer => $"{layer.WeightOffsetConstant}..{layer.BiasOffsetConstant}"));
            writer.WriteLine($"private static readonly {RuntimeNames.Range}[] {GeneratedNames.WeightRanges} = {{ {ranges} }};");
            writer.WriteLine();
            writer.WriteLine($"float {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace} workspace) =>");
            writer.WriteLine($"    (({iface})this).ComputeGradients(inputs, labels, gradients, workspace, computeCost: true)!.Value;");
            writer.WriteLine();
            if (!plan.HasTrainingForward)
            {
                using (writer.Block($"float? {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace} workspace, bool computeCost)"))
                {
                    EmitInterfaceComputeGradients(writer, strategy, string.Empty);
                }

                writer.WriteLine();
                return;
            }

            writer.WriteLine($"float? {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace} workspace, bool computeCost) =>");
            writer.WriteLine($"    (({iface})this).ComputeGradients(inputs, labels, gradients, workspace, computeCost, stepSeed: 0);");
            writer.WriteLine();
            using (writer.Block($"float? {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {RuntimeNames.Workspace} workspace, bool computeCost, ulong stepSeed)"))
            {
                EmitInterfaceComputeGradients(writer, strategy, ", stepSeed");
            }

            writer.WriteLine();
            writer.WriteLine($"bool {iface}.HasTrainingMode => {(plan.HasTrainingMode ? "true" : "false")};");
            writer.WriteLine();
            if (plan.StateCount > 0)
            {
                writer.WriteLine($"{Span} {iface}.State => State;");
                writer.WriteLine();
            }
        }

        private static void EmitInterfaceComputeGradients(SourceWriter writer, IComputeStrategyEmitter strategy, string seed)
        {
            writer.WriteLine($"{RuntimeNames.ThrowIfNull}(workspace);");
            writer.WriteLine("int m = ValidateTrainingData(\"ComputeGradients\", inputs, labels);");
            writer.WriteLine($"{RuntimeNames.GuardLength}(NetworkName, \"ComputeGradients\", \"gradients\", gradients.Length, ParameterCount, \"ParameterCount\");");
            writer.WriteLine("float cost = Backpropagate(inputs, labels, m, gradients, workspace.GetSpan(WorkspacePerExample, " + strategy.WorkspaceColumns("m") + ", NetworkName, \"ComputeGradients\"), computeCost" + seed + ");");
            writer.WriteLine("return computeCost ? cost : null;");
        }
    }
}
