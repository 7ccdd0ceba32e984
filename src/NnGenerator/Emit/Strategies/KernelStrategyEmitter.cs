using NnGen.Generator.Model;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Strategies
{
    /// <summary>
    /// <see cref="ComputeStrategy.Kernel"/>: m examples layer by layer through the runtime's GEMM kernels, A[l] cached
    /// as (n[l] x m) for the backward pass, which walks the layers in reverse with two alternating delta buffers. Each
    /// layer's forward and backward calls are written by <see cref="LayerEmitter"/>, side by side.
    /// </summary>
    internal sealed class KernelStrategyEmitter : IComputeStrategyEmitter
    {
        public static readonly KernelStrategyEmitter Instance = new();

        private const string Span = RuntimeNames.Span;
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        private KernelStrategyEmitter()
        {
        }

        public string WorkspaceColumns(string m) => m;

        public void EmitWorkspaceConstants(SourceWriter writer, NetworkPlan plan)
        {
            writer.WriteLine("// A training workspace holds, per example: the cache A1..AL (Σ n[l] floats), two alternating dZ/dA buffers as wide");
            writer.WriteLine("// as the widest layer" + (plan.LabelTransposeUnits > 0 ? ", the labels transposed to (n[L] x m)" : string.Empty) +
                (plan.HasTrainingForward ? " and what the backward pass needs beyond A[l] (dropout masks, x̂ and 1/σ)." : "."));
            writer.WriteLine($"private const int CacheFloats = {Int(plan.ActivationUnits)};");
            string forward = "CacheFloats";
            if (plan.IsShaped)
            {
                writer.WriteLine("// The forward pass also takes, per example, " +
                    (plan.InputTransposeFloats > 0 ? "Xᵀ (the first layer reads the inputs feature-major)" : string.Empty) +
                    (plan.InputTransposeFloats > 0 && plan.ConvFloats > 0 ? " and " : string.Empty) +
                    (plan.ConvFloats > 0 ? "the convolutions' scratch (im2col and its gradient for the largest layer)" : string.Empty) + ".");
                if (plan.InputTransposeFloats > 0)
                {
                    writer.WriteLine($"private const int InputFloats = {Int(plan.InputTransposeFloats)};");
                    forward += " + InputFloats";
                }

                if (plan.ConvFloats > 0)
                {
                    writer.WriteLine($"private const int ConvFloats = {Int(plan.ConvFloats)};");
                    forward += " + ConvFloats";
                }

                writer.WriteLine($"private const int ForwardFloats = {forward};");
                forward = "ForwardFloats";
            }

            writer.WriteLine($"private const int DeltaFloats = {Int(plan.MaxUnits)};");
            string total = forward + " + (2 * DeltaFloats)";
            if (plan.LabelTransposeUnits > 0)
            {
                writer.WriteLine($"private const int LabelsStart = {total};");
                total = "LabelsStart + OutputSize";
            }

            if (plan.HasTrainingForward)
            {
                writer.WriteLine($"private const int ExtrasStart = {total};");
                writer.WriteLine($"private const int ExtraFloats = {Int(plan.ExtraCachePerExample)};");
                total = "ExtrasStart + ExtraFloats";
            }

            writer.WriteLine($"private const int WorkspacePerExample = {total};");
        }

        public bool UsesVectorAliases => false;

        public void EmitForwardBatch(SourceWriter writer, NetworkPlan plan, bool withTraining)
        {
            writer.WriteLine("// m examples: A[l] lands in cache at (Σ n[k], k < l)·m as (n[l] x m); returns A[L].");
            writer.WriteLine(RuntimeNames.HotPath);
            using (writer.Block($"private {Span} ForwardBatch({ReadOnlySpan} x, int m, {Span} cache)"))
            {
                EmitShapedScratch(writer, plan, "cache");
                EmitLayersForward(writer, plan, training: false);
            }

            if (!plan.HasTrainingForward || !withTraining)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("// The training forward: what ForwardBatch computes, with dropout masks drawn from stepSeed, batch statistics instead");
            writer.WriteLine("// of running ones (which it updates), and what the backward pass needs beyond A[l] (masks, x̂, 1/σ) kept in extras.");
            writer.WriteLine(RuntimeNames.HotPath);
            using (writer.Block($"private {Span} ForwardBatchTraining({ReadOnlySpan} x, int m, {Span} cache, {Span} extras, ulong stepSeed)"))
            {
                EmitShapedScratch(writer, plan, "cache");
                EmitLayersForward(writer, plan, training: true);
            }
        }

        /// <summary>
        /// A shaped network's Xᵀ and convolution scratch, which follow the cache A[1..L] in <paramref name="buffer"/>
        /// (ForwardFloats per example in all).
        /// </summary>
        private static void EmitShapedScratch(SourceWriter writer, NetworkPlan plan, string buffer)
        {
            if (plan.InputTransposeFloats > 0)
            {
                writer.WriteLine($"{Span} inputsT = {buffer}.Slice(CacheFloats * m, InputFloats * m);");
            }

            if (plan.ConvFloats > 0)
            {
                string start = plan.InputTransposeFloats > 0 ? "(CacheFloats + InputFloats) * m" : "CacheFloats * m";
                writer.WriteLine($"{Span} convScratch = {buffer}.Slice({start}, ConvFloats * m);");
            }
        }

        private static void EmitLayersForward(SourceWriter writer, NetworkPlan plan, bool training)
        {
            string input = "x";
            foreach (LayerPlan layer in plan.Layers)
            {
                LayerEmitters.For(layer.Kind).EmitForwardBatch(writer, layer, input, training);
                input = layer.A;
            }

            writer.WriteLine($"return {plan.Output.A};");
        }

        public void EmitOutputsToRows(SourceWriter writer, NetworkPlan plan)
        {
            if (plan.OutputSize == 1)
            {
                writer.WriteLine("outputActivations.CopyTo(outputs);");
            }
            else
            {
                writer.WriteLine("// A[L] is (n[L] x count); the caller wants one example per row.");
                writer.WriteLine($"{RuntimeNames.Transpose}(outputActivations, outputs, OutputSize, count);");
            }
        }

        public void EmitBackpropagate(SourceWriter writer, NetworkPlan plan)
        {
            LayerPlan output = plan.Output;
            string L = Int(output.Index);
            writer.WriteLine("// Forward over m examples keeping A1..AL, the cost if asked for, then the layers in reverse with two alternating delta buffers.");
            writer.WriteLine(RuntimeNames.HotPath);
            string seed = plan.HasTrainingForward ? ", ulong stepSeed" : string.Empty;
            using (writer.Block($"private float Backpropagate({ReadOnlySpan} x, {ReadOnlySpan} y, int m, {Span} gradients, {Span} workspace, bool computeCost{seed})"))
            {
                string forward = plan.IsShaped ? "ForwardFloats" : "CacheFloats";
                writer.WriteLine($"{Span} cache = workspace.Slice(0, {forward} * m);");
                writer.WriteLine($"{Span} deltaA = workspace.Slice({forward} * m, DeltaFloats * m);");
                writer.WriteLine($"{Span} deltaB = workspace.Slice(({forward} + DeltaFloats) * m, DeltaFloats * m);");
                EmitShapedScratch(writer, plan, "workspace");
                if (plan.HasTrainingForward)
                {
                    writer.WriteLine($"{Span} extras = workspace.Slice(ExtrasStart * m, ExtraFloats * m);");
                    writer.WriteLine("ForwardBatchTraining(x, m, cache, extras, stepSeed);");
                }
                else
                {
                    writer.WriteLine("ForwardBatch(x, m, cache);");
                }

                foreach (LayerPlan layer in plan.Layers)
                {
                    writer.WriteLine($"{ReadOnlySpan} {layer.A} = cache.Slice({(layer.CacheOffset == 0 ? "0" : layer.RowsBefore + " * m")}, {layer.UnitsConstant} * m);");
                }

                writer.WriteLine("float inverseM = 1f / m;");
                writer.WriteLine();
                if (plan.LabelTransposeUnits > 0)
                {
                    writer.WriteLine("// Y arrives one example per row; A[L] is (n[L] x m), so bring Y to the same layout.");
                    writer.WriteLine($"{Span} labels = workspace.Slice(LabelsStart * m, OutputSize * m);");
                    writer.WriteLine($"{RuntimeNames.Transpose}(y, labels, m, OutputSize);");
                }
                else
                {
                    writer.WriteLine("// With one output, Y's rows are already the (1 x m) layout of A[L].");
                    writer.WriteLine($"{ReadOnlySpan} labels = y;");
                }

                writer.WriteLine($"float cost = computeCost ? (float){RuntimeNames.LossesCost}({RuntimeNames.LossType}.{plan.Loss}, {output.A}, labels, m) : float.NaN;");
                writer.WriteLine();
                writer.WriteLine($"{Span} dZ{L} = deltaA.Slice(0, {output.UnitsConstant} * m);");
                EmitOutputDelta(writer, plan, "dZ" + L);
                writer.WriteLine();

                string current = "deltaA";
                string next = "deltaB";
                for (int i = plan.Layers.Count - 1; i >= 0; i--)
                {
                    LayerPlan layer = plan.Layers[i];
                    LayerPlan? previous = i > 0 ? plan.Layers[i - 1] : null;
                    LayerEmitters.For(layer.Kind).EmitBackward(writer, layer, previous, "dZ" + Int(layer.Index), next);
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
            if (plan.OutputDelta == OutputDelta.ActivationMinusLabel)
            {
                writer.WriteLine($"// dZ{L} = A{L} - Y: {Prose(output.Activation)} and {Prose(plan.Loss)} cancel to this.");
                writer.WriteLine($"{RuntimeNames.Subtract}({output.A}, labels, {deltaZ});");
                return;
            }

            if (plan.OutputDelta == OutputDelta.SquaredErrorThroughDerivative)
            {
                writer.WriteLine($"// dA{L} = A{L} - Y, then dZ{L} = dA{L} * {Derivative(output.Activation, output.Index)} in place.");
                writer.WriteLine($"{RuntimeNames.Subtract}({output.A}, labels, {deltaZ});");
            }
            else
            {
                writer.WriteLine($"// dA{L} = -(Y/A{L} - (1 - Y)/(1 - A{L})) with the cost's clamping, then dZ{L} = dA{L} * {Derivative(output.Activation, output.Index)} in place.");
                writer.WriteLine($"{RuntimeNames.BinaryCrossEntropyDerivative}({output.A}, labels, {deltaZ});");
            }

            LayerEmitter.EmitDerivative(writer, output.Activation, output.A, deltaZ);
        }
    }
}
