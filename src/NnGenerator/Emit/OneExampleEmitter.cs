using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// <c>ForwardSingle(x, y)</c>, the forward pass of one example behind Predict. It is the same for every
    /// <see cref="ComputeStrategy"/>: each layer is straight-line code or a MatVec call as the plan decided for that
    /// layer (<see cref="LayerPlan.IsUnrolled"/>).
    /// </summary>
    internal static class OneExampleEmitter
    {
        private const string Span = RuntimeNames.Span;
        private const string ReadOnlySpan = RuntimeNames.ReadOnlySpan;

        /// <param name="writer">Where the method goes.</param>
        /// <param name="plan">The network.</param>
        /// <param name="frozen">
        /// For the frozen form: its dense layers that call MatVec run the same product from their packed copies
        /// (<see cref="LayerEmitter.EmitFrozenForwardSingle"/>, members declared by <see cref="FrozenEmitter"/>).
        /// </param>
        public static void EmitForwardSingle(SourceWriter writer, NetworkPlan plan, bool frozen)
        {
            if (frozen && IsDenseStackWhenFrozen(plan))
            {
                writer.WriteLine("// One example: every layer in one call of the dense stack, the network's products in its order (from packed copies where the stack keeps them).");
                writer.WriteLine($"private void ForwardSingle({ReadOnlySpan} x, {Span} y) => {DenseStackMember}.Forward(x, y);");
            }
            else if (plan.Layers.Any(layer => layer.IsUnrolled))
            {
                EmitForwardSingleMixed(writer, plan, frozen);
            }
            else
            {
                writer.WriteLine("// One example: matrix-vector products, hidden activations in a constant-size scratch.");
                writer.WriteLine(RuntimeNames.HotPath);
                using (writer.Block($"private void ForwardSingle({ReadOnlySpan} x, {Span} y)"))
                {
                    if (plan.Layers.Count == 1)
                    {
                        EmitLayer(writer, plan.Layers[0], "x", "y", frozen);
                    }
                    else
                    {
                        int size = plan.HiddenUnits + plan.ConvFloats;
                        Scratch.Emit(writer, "hidden", Int(size), size, body =>
                        {
                            EmitConvScratch(body, plan);
                            string input = "x";
                            foreach (LayerPlan layer in plan.Layers)
                            {
                                bool isOutput = layer.Index == plan.Layers.Count;
                                string output = isOutput ? "y" : layer.A;
                                if (!isOutput)
                                {
                                    body.WriteLine($"{Span} {layer.A} = hidden.Slice({layer.RowsBefore}, {layer.UnitsConstant});");
                                }

                                EmitLayer(body, layer, input, output, frozen);
                                input = output;
                            }
                        });
                    }
                }
            }
        }

        /// <summary>The frozen form's <c>PackedDenseStack</c>, declared by <see cref="FrozenEmitter"/> when <see cref="IsDenseStackWhenFrozen"/>.</summary>
        public const string DenseStackMember = "_dense";

        /// <summary>
        /// Whether the frozen form runs Predict's one example through a <c>PackedDenseStack</c>: every layer dense and
        /// none unrolled, so the whole pass is products the stack runs with the network's bits in one call (the per-layer
        /// checks and dispatch of <see cref="EmitForwardSingle"/>'s MatVec calls paid once).
        /// </summary>
        public static bool IsDenseStackWhenFrozen(NetworkPlan plan) =>
            plan.Layers.All(layer => layer.Kind == Model.LayerKind.Dense && !layer.IsUnrolled);

        /// <summary>Whether the frozen form keeps a packed copy of this layer's W for one-example products: its dense layers that call MatVec, with at least one 8-row block (the narrowest packed block).</summary>
        public static bool IsPackedWhenFrozen(LayerPlan layer) => layer.Kind == Model.LayerKind.Dense && !layer.IsUnrolled && layer.Units >= 8;

        private static void EmitLayer(SourceWriter writer, LayerPlan layer, string input, string output, bool frozen)
        {
            if (frozen && IsPackedWhenFrozen(layer))
            {
                LayerEmitter.EmitFrozenForwardSingle(writer, layer, input, output);
            }
            else
            {
                LayerEmitters.For(layer.Kind).EmitForwardSingle(writer, layer, input, output);
            }
        }

        /// <summary>A convolutional network's im2col scratch for one example, after the hidden activations.</summary>
        private static void EmitConvScratch(SourceWriter writer, NetworkPlan plan)
        {
            if (plan.ConvFloats > 0)
            {
                writer.WriteLine($"{Span} convScratch = hidden.Slice({Int(plan.HiddenUnits)}, {Int(plan.ConvFloats)});");
            }
        }

        /// <summary>
        /// One example when some layers are small enough to unroll (<see cref="LayerPlan.IsUnrolled"/>): those are
        /// straight-line code on scalar locals, the others call MatVec on spans; values cross between the two
        /// representations only where an unrolled layer meets a kernel layer.
        /// </summary>
        private static void EmitForwardSingleMixed(SourceWriter writer, NetworkPlan plan, bool frozen)
        {
            bool needsHidden = plan.Layers.Any(layer => !layer.IsUnrolled) && plan.Layers.Count > 1;
            writer.WriteLine("// One example: small layers as straight-line code with constant offsets, large ones through MatVec.");
            writer.WriteLine(RuntimeNames.HotPath);
            using (writer.Block($"private void ForwardSingle({ReadOnlySpan} x, {Span} y)"))
            {
                writer.WriteLine("// Sliced to the constant ParameterCount, so the JIT drops the bounds checks on the constant offsets below.");
                writer.WriteLine($"{ReadOnlySpan} p = _parameters.Slice(0, ParameterCount);");
                System.Action<SourceWriter> body = w =>
                {
                    string span = "x";
                    IReadOnlyList<string>? scalars = null;
                    foreach (LayerPlan layer in plan.Layers)
                    {
                        bool isOutput = layer.Index == plan.Layers.Count;
                        string output = isOutput ? "y" : layer.A;
                        LayerPlan? next = isOutput ? null : plan.Layers[layer.Index];
                        if (layer.IsUnrolled)
                        {
                            if (scalars is null)
                            {
                                var names = new List<string>();
                                for (int k = 0; k < layer.Inputs; k++)
                                {
                                    string name = layer.Index == 1 ? "x" + Int(k) : $"a{Int(layer.Index - 1)}_{Int(k)}";
                                    w.WriteLine($"float {name} = {span}[{Int(k)}];");
                                    names.Add(name);
                                }

                                scalars = names;
                            }

                            scalars = LayerEmitter.EmitForwardUnrolled(w, layer, scalars);
                            if (isOutput || !next!.IsUnrolled)
                            {
                                if (!isOutput)
                                {
                                    w.WriteLine($"{Span} {layer.A} = hidden.Slice({layer.RowsBefore}, {layer.UnitsConstant});");
                                }

                                for (int j = 0; j < layer.Units; j++)
                                {
                                    w.WriteLine($"{output}[{Int(j)}] = {scalars[j]};");
                                }

                                LayerEmitter.EmitAcrossUnits(w, layer, output, "1");

                                span = output;
                                scalars = null;
                            }
                        }
                        else
                        {
                            if (!isOutput)
                            {
                                w.WriteLine($"{Span} {layer.A} = hidden.Slice({layer.RowsBefore}, {layer.UnitsConstant});");
                            }

                            EmitLayer(w, layer, span, output, frozen);
                            span = output;
                            scalars = null;
                        }
                    }
                };

                if (needsHidden)
                {
                    int size = plan.HiddenUnits + plan.ConvFloats;
                    Scratch.Emit(writer, "hidden", Int(size), size, w =>
                    {
                        EmitConvScratch(w, plan);
                        body(w);
                    });
                }
                else
                {
                    body(writer);
                }
            }
        }
    }
}
