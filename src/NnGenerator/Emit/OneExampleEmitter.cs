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

        public static void EmitForwardSingle(SourceWriter writer, NetworkPlan plan)
        {
            if (plan.Layers.Any(layer => layer.IsUnrolled))
            {
                EmitForwardSingleMixed(writer, plan);
            }
            else
            {
                writer.WriteLine("// One example: matrix-vector products, hidden activations in a constant-size scratch.");
                writer.WriteLine(RuntimeNames.HotPath);
                using (writer.Block($"private void ForwardSingle({ReadOnlySpan} x, {Span} y)"))
                {
                    if (plan.Layers.Count == 1)
                    {
                        LayerEmitters.For(plan.Layers[0].Kind).EmitForwardSingle(writer, plan.Layers[0], "x", "y");
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

                                LayerEmitters.For(layer.Kind).EmitForwardSingle(body, layer, input, output);
                                input = output;
                            }
                        });
                    }
                }
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
        private static void EmitForwardSingleMixed(SourceWriter writer, NetworkPlan plan)
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

                            LayerEmitters.For(layer.Kind).EmitForwardSingle(w, layer, span, output);
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
