using System.Linq;
using NnGen.Generator.Model;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The training surface of a network: the typed <c>Gradients</c>, <c>ComputeGradients</c> (forward with cache,
    /// cost, backward), and one-line forwards to the runtime's <c>Trainer</c>, where the size-independent logic lives once.
    /// </summary>
    internal static class TrainingEmitter
    {
        private const string Span = KnownNames.Span;
        private const string ReadOnlySpan = KnownNames.ReadOnlySpan;
        private const string TinyKernels = "global::NnGen.Kernels.TinyKernels";

        public static void Emit(SourceWriter writer, NetworkPlan plan)
        {
            EmitGradientsType(writer, plan);
            EmitPublicApi(writer, plan);
            EmitInterface(writer, plan);
            if (plan.IsTiny)
            {
                TinyEmitter.EmitBackpropagate(writer, plan);
            }
            else
            {
                EmitBackpropagate(writer, plan);
            }
        }

        private static void EmitGradientsType(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("dJ/dθ with the shapes of the parameters: dW[l] like W[l], db[l] like b[l], at the same offsets as <see cref=\"Parameters\"/>.");
            using (writer.Block("public sealed class Gradients"))
            {
                writer.WriteLine("private readonly float[] _values = new float[ParameterCount];");
                writer.WriteLine();
                writer.Summary("The whole gradient vector, laid out like <see cref=\"Parameters\"/>.");
                writer.WriteLine($"public {Span} Values => _values;");
                foreach (LayerPlan layer in plan.Layers)
                {
                    string l = Int(layer.Index);
                    writer.WriteLine();
                    writer.Summary($"dW[{l}]: shape ({Int(layer.Units)}, {Int(layer.Inputs)}), row-major like {layer.W}.");
                    writer.WriteLine($"public {Span} dW{l} => new {Span}(_values, {layer.W}Offset, {Int(layer.WeightLength)});");
                    writer.WriteLine();
                    writer.Summary($"db[{l}]: shape ({Int(layer.Units)}, 1) like {layer.B}.");
                    writer.WriteLine($"public {Span} db{l} => new {Span}(_values, {layer.B}Offset, {Int(layer.Units)});");
                }
            }

            writer.WriteLine();
        }

        private static void EmitPublicApi(SourceWriter writer, NetworkPlan plan)
        {
            writer.Summary("One forward pass over m examples keeping the cache, the cost J, and the backward pass.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}){(plan.Loss == LossKind.BinaryCrossEntropy ? ", values in [0, 1]" : string.Empty)}.</param>");
            writer.WriteLine("/// <param name=\"gradients\">Receives dW[l] and db[l] for every layer.</param>");
            writer.WriteLine("/// <param name=\"workspace\">Scratch for the cache; keep one across calls to allocate nothing. <see langword=\"null\"/> allocates a new one.</param>");
            writer.WriteLine($"/// <returns>The cost J ({Prose(plan.Loss)}) before this step.</returns>");
            writer.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is wrong, a value is not finite, or (for cross-entropy) a label is outside [0, 1]; nothing is written then.</exception>");
            using (writer.Block($"public float ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, Gradients gradients, {KnownNames.Workspace}? workspace = null)"))
            {
                writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(gradients);");
                writer.WriteLine($"int m = {KnownNames.Trainer}.ValidateTrainingData(this, \"ComputeGradients\", inputs, labels);");
                writer.WriteLine($"workspace ??= new {KnownNames.Workspace}();");
                writer.WriteLine("return Backpropagate(inputs, labels, m, gradients.Values, workspace.GetSpan(WorkspacePerExample * " + (plan.IsTiny ? $"{TinyKernels}.PaddedCount(m)" : "m") + "), computeCost: true);");
            }

            writer.WriteLine();
            writer.Summary("Gradient descent: W := W - α·dW, b := b - α·db, in one pass over the parameter buffer.");
            writer.WriteLine("/// <param name=\"gradients\">The gradients, as from <see cref=\"ComputeGradients\"/>.</param>");
            writer.WriteLine("/// <param name=\"learningRate\">α.</param>");
            using (writer.Block("public void Step(Gradients gradients, float learningRate)"))
            {
                writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(gradients);");
                writer.WriteLine($"{KnownNames.Trainer}.Step(this, gradients.Values, learningRate);");
            }

            writer.WriteLine();
            writer.Summary("Trains with gradient descent (full batch or shuffled mini-batches) as <paramref name=\"options\"/> say.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <param name=\"options\">Learning rate, iterations, batch size, seed, progress, cancellation.</param>");
            writer.WriteLine("/// <returns>The cost history, final cost, time, and whether training completed or diverged.</returns>");
            writer.WriteLine($"public {KnownNames.TrainingHistory} Fit({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {KnownNames.TrainingOptions} options) =>");
            writer.WriteLine($"    {KnownNames.Trainer}.Fit(this, inputs, labels, options);");
            writer.WriteLine();
            writer.Summary($"The cost J ({Prose(plan.Loss)}) and the accuracy (outputs on the right side of 0.5) over m examples.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <returns>The cost and the accuracy.</returns>");
            writer.WriteLine($"public {KnownNames.Evaluation} Evaluate({ReadOnlySpan} inputs, {ReadOnlySpan} labels) =>");
            writer.WriteLine($"    {KnownNames.Trainer}.Evaluate(this, inputs, labels);");
            writer.WriteLine();
            writer.Summary("Compares the analytic gradient with central differences over every parameter: ‖g - g̃‖ / (‖g‖ + ‖g̃‖).");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <param name=\"epsilon\">The finite-difference step.</param>");
            writer.WriteLine("/// <returns>The relative difference; well under 1e-3 for a correct backward pass.</returns>");
            writer.WriteLine($"public double GradientCheck({ReadOnlySpan} inputs, {ReadOnlySpan} labels, float epsilon) =>");
            writer.WriteLine($"    {KnownNames.Trainer}.GradientCheck(this, inputs, labels, epsilon);");
            writer.WriteLine();
            writer.Summary("<see cref=\"GradientCheck(global::System.ReadOnlySpan{float}, global::System.ReadOnlySpan{float}, float)\"/> with the runtime's default step.");
            writer.WriteLine($"/// <param name=\"inputs\">m examples, one per row: (m, {Int(plan.InputSize)}).</param>");
            writer.WriteLine($"/// <param name=\"labels\">Y, one example per row: (m, {Int(plan.OutputSize)}).</param>");
            writer.WriteLine("/// <returns>The relative difference; well under 1e-3 for a correct backward pass.</returns>");
            writer.WriteLine($"public double GradientCheck({ReadOnlySpan} inputs, {ReadOnlySpan} labels) =>");
            writer.WriteLine($"    {KnownNames.Trainer}.GradientCheck(this, inputs, labels);");
            writer.WriteLine();
            using (writer.Block($"private int ValidateTrainingData(string method, {ReadOnlySpan} inputs, {ReadOnlySpan} labels)"))
            {
                writer.WriteLine($"int m = {KnownNames.Guard}.ExampleCount(NetworkName, method, inputs.Length, InputSize);");
                writer.WriteLine($"{KnownNames.Guard}.PerExample(NetworkName, method, \"labels\", labels.Length, m, OutputSize, \"OutputSize\");");
                writer.WriteLine("return m;");
            }

            writer.WriteLine();
        }

        private static void EmitInterface(SourceWriter writer, NetworkPlan plan)
        {
            string iface = KnownNames.TrainableNetwork;
            writer.WriteLine($"string {iface}.Name => NetworkName;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.InputSize => InputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.OutputSize => OutputSize;");
            writer.WriteLine();
            writer.WriteLine($"int {iface}.ParameterCount => ParameterCount;");
            writer.WriteLine();
            writer.WriteLine($"{KnownNames.LossType} {iface}.Loss => {KnownNames.LossType}.{plan.Loss};");
            writer.WriteLine();
            writer.WriteLine($"{KnownNames.ActivationType} {iface}.OutputActivation => {KnownNames.ActivationType}.{plan.Output.Activation};");
            writer.WriteLine();
            writer.WriteLine($"float {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {KnownNames.Workspace} workspace) =>");
            writer.WriteLine($"    (({iface})this).ComputeGradients(inputs, labels, gradients, workspace, computeCost: true)!.Value;");
            writer.WriteLine();
            using (writer.Block($"float? {iface}.ComputeGradients({ReadOnlySpan} inputs, {ReadOnlySpan} labels, {Span} gradients, {KnownNames.Workspace} workspace, bool computeCost)"))
            {
                writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(workspace);");
                writer.WriteLine("int m = ValidateTrainingData(\"ComputeGradients\", inputs, labels);");
                writer.WriteLine($"{KnownNames.Guard}.Length(NetworkName, \"ComputeGradients\", \"gradients\", gradients.Length, ParameterCount, \"ParameterCount\");");
                writer.WriteLine("float cost = Backpropagate(inputs, labels, m, gradients, workspace.GetSpan(WorkspacePerExample * " + (plan.IsTiny ? $"{TinyKernels}.PaddedCount(m)" : "m") + "), computeCost);");
                writer.WriteLine("return computeCost ? cost : null;");
            }

            writer.WriteLine();
        }

        private static void EmitBackpropagate(SourceWriter writer, NetworkPlan plan)
        {
            LayerPlan output = plan.Output;
            string L = Int(output.Index);
            writer.WriteLine("// Forward over m examples keeping A1..AL, the cost if asked for, then the layers in reverse with two alternating delta buffers.");
            writer.WriteLine(KnownNames.HotPath);
            using (writer.Block($"private float Backpropagate({ReadOnlySpan} x, {ReadOnlySpan} y, int m, {Span} gradients, {Span} workspace, bool computeCost)"))
            {
                writer.WriteLine($"{Span} cache = workspace.Slice(0, {Int(plan.ActivationUnits)} * m);");
                writer.WriteLine($"{Span} deltaA = workspace.Slice({Int(plan.ActivationUnits)} * m, {Int(plan.MaxUnits)} * m);");
                writer.WriteLine($"{Span} deltaB = workspace.Slice({Int(plan.ActivationUnits + plan.MaxUnits)} * m, {Int(plan.MaxUnits)} * m);");
                writer.WriteLine("ForwardBatch(x, m, cache);");
                foreach (LayerPlan layer in plan.Layers)
                {
                    writer.WriteLine($"{ReadOnlySpan} {layer.A} = cache.Slice({(layer.CacheOffset == 0 ? "0" : Int(layer.CacheOffset) + " * m")}, {Int(layer.Units)} * m);");
                }

                writer.WriteLine("float inverseM = 1f / m;");
                writer.WriteLine();
                if (plan.LabelTransposeUnits > 0)
                {
                    writer.WriteLine("// Y arrives one example per row; A[L] is (n[L] x m), so bring Y to the same layout.");
                    writer.WriteLine($"{Span} labels = workspace.Slice({Int(plan.ActivationUnits + (2 * plan.MaxUnits))} * m, {Int(plan.OutputSize)} * m);");
                    writer.WriteLine($"{KnownNames.Layout}.Transpose(y, labels, m, OutputSize);");
                }
                else
                {
                    writer.WriteLine("// With one output, Y's rows are already the (1 x m) layout of A[L].");
                    writer.WriteLine($"{ReadOnlySpan} labels = y;");
                }

                writer.WriteLine($"float cost = computeCost ? (float){KnownNames.Losses}.Cost({KnownNames.LossType}.{plan.Loss}, {output.A}, labels, m) : float.NaN;");
                writer.WriteLine();
                writer.WriteLine($"{Span} dZ{L} = deltaA.Slice(0, {Int(output.Units)} * m);");
                EmitOutputDelta(writer, plan, "dZ" + L);
                writer.WriteLine();

                string current = "deltaA";
                string next = "deltaB";
                for (int i = plan.Layers.Count - 1; i >= 0; i--)
                {
                    LayerPlan layer = plan.Layers[i];
                    LayerPlan? previous = i > 0 ? plan.Layers[i - 1] : null;
                    LayerEmitter.EmitBackward(writer, layer, previous, "dZ" + Int(layer.Index), next);
                    writer.WriteLine();
                    (current, next) = (next, current);
                }

                writer.WriteLine("return cost;");
            }

            writer.WriteLine();
        }

        private static void EmitOutputDelta(SourceWriter writer, NetworkPlan plan, string deltaZ)
        {
            LayerPlan output = plan.Output;
            string L = Int(output.Index);
            bool canonical = (plan.Loss == LossKind.BinaryCrossEntropy && output.Activation == ActivationKind.Sigmoid) ||
                             (plan.Loss == LossKind.MeanSquaredError && output.Activation == ActivationKind.Linear);
            if (canonical)
            {
                writer.WriteLine($"// dZ{L} = A{L} - Y: {Prose(output.Activation)} and {Prose(plan.Loss)} cancel to this.");
                writer.WriteLine($"{KnownNames.TensorPrimitives}.Subtract({output.A}, labels, {deltaZ});");
                return;
            }

            if (plan.Loss == LossKind.MeanSquaredError)
            {
                writer.WriteLine($"// dA{L} = A{L} - Y, then dZ{L} = dA{L} * {Derivative(output.Activation)} in place.");
                writer.WriteLine($"{KnownNames.TensorPrimitives}.Subtract({output.A}, labels, {deltaZ});");
            }
            else
            {
                writer.WriteLine($"// dA{L} = -(Y/A{L} - (1 - Y)/(1 - A{L})) with the cost's clamping, then dZ{L} = dA{L} * {Derivative(output.Activation)} in place.");
                writer.WriteLine($"{KnownNames.Losses}.BinaryCrossEntropyDerivative({output.A}, labels, {deltaZ});");
            }

            LayerEmitter.EmitDerivative(writer, output.Activation, output.A, deltaZ);
        }
    }
}
