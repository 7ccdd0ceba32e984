using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// One dense layer's code: its forward pass (single example and batch) and, beside it, its backward pass,
    /// in the course's names (Z1, A1, dZ1, dW1, db1, dA0).
    /// </summary>
    internal static class LayerEmitter
    {
        /// <summary>A comment that says what a layer is and where its parameters live.</summary>
        public static string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: Dense {Int(layer.Inputs)} -> {Int(layer.Units)}, {Prose(layer.Activation)}. " +
            $"{layer.W} [{Int(layer.Units)} x {Int(layer.Inputs)}] at params[{Int(layer.WeightOffset)}..{Int(layer.BiasOffset)}), " +
            $"{layer.B} [{Int(layer.Units)}] at params[{Int(layer.BiasOffset)}..{Int(layer.BiasOffset + layer.Units)})";

        /// <summary>z = W·a_prev + b, a = g(z) for one example; <paramref name="input"/> and <paramref name="output"/> name the spans.</summary>
        public static void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{RuntimeNames.MatVec}({layer.W}, {input}, {layer.B}, {output}, {layer.UnitsConstant}, {layer.InputsConstant}, {ProductActivation(layer)});");
            EmitAcrossUnits(writer, layer, output, "1");
        }

        /// <summary>The frozen form's packed copy of a dense layer's W for one-example products (<c>PackedMatVec</c>).</summary>
        public static string PackedMember(LayerPlan layer) => "_packed" + layer.W;

        /// <summary>The activation a dense layer's one-example product applies (softmax is applied across units after it).</summary>
        public static string ProductActivation(LayerPlan layer) => ActivationValue(ActivationTable.Of(layer.Activation).Epilogue);

        /// <summary>
        /// The frozen form's z = W·a_prev + b, a = g(z) for one example: the same product from the packed copy
        /// (<see cref="PackedMember"/>), which gives <see cref="EmitForwardSingle"/>'s bits.
        /// </summary>
        public static void EmitFrozenForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}; the product from its packed copy, with the network's bits");
            writer.WriteLine($"{PackedMember(layer)}.Forward({layer.W}, {input}, {layer.B}, {output});");
            EmitAcrossUnits(writer, layer, output, "1");
        }

        /// <summary>
        /// z = W·a_prev + b, a = g(z) for one example as straight-line code: one expression per unit with its weights
        /// at constant offsets into <c>p</c>, tanh and sigmoid four units at a time in a Vector128. Returns the names
        /// of the scalar locals holding a.
        /// </summary>
        public static List<string> EmitForwardUnrolled(SourceWriter writer, LayerPlan layer, IReadOnlyList<string> inputs)
        {
            string l = Int(layer.Index);
            writer.WriteLine($"// {Describe(layer)}");
            var outputs = new List<string>(layer.Units);
            ActivationRow activation = ActivationTable.Of(layer.Activation);
            if (inputs.Count + 1 > 4)
            {
                writer.WriteLine("// Sums as balanced trees: the JIT keeps the written association, and a flat sum is one chain of dependent adds.");
            }

            for (int j = 0; j < layer.Units; j++)
            {
                string sum = BalancedSum(
                    new[] { $"p[{Int(layer.BiasOffset + j)}]" }.Concat(inputs.Select((input, k) => $"(p[{Int(layer.WeightIndex(j, k))}] * {input})")).ToList(),
                    0,
                    inputs.Count + 1);
                string a = $"a{l}_{Int(j)}";
                string z = $"z{l}_{Int(j)}";
                outputs.Add(a);
                if (activation.Scalar is null || activation.ScalarNeedsZ)
                {
                    writer.WriteLine($"float {z} = {sum};");
                }

                if (activation.Scalar is not null)
                {
                    writer.WriteLine($"float {a} = {activation.Scalar(activation.ScalarNeedsZ ? z : sum)};");
                }
            }

            if (activation.Vector128 is not null)
            {
                for (int start = 0; start < layer.Units; start += 4)
                {
                    string lanes = string.Join(", ", Enumerable.Range(start, 4).Select(j => j < layer.Units ? $"z{l}_{Int(j)}" : "0f"));
                    string t = $"t{l}_{Int(start / 4)}";
                    writer.WriteLine($"{VectorAliases.Vec128} {t} = {activation.Vector128}({RuntimeNames.Vector128Create}({lanes}));");
                    for (int j = start; j < System.Math.Min(start + 4, layer.Units); j++)
                    {
                        writer.WriteLine($"float a{l}_{Int(j)} = {t}[{Int(j - start)}];");
                    }
                }
            }

            return outputs;
        }

        /// <summary>
        /// terms[start..start+count) added as a balanced tree. The JIT keeps the source's association, so a sum written
        /// left to right is one chain of dependent adds (64 inputs: 64 adds of 3–4 cycles each, back to back), while
        /// the tree needs only log₂ of that in latency and the same number of adds.
        /// </summary>
        private static string BalancedSum(IReadOnlyList<string> terms, int start, int count)
        {
            if (count == 1)
            {
                return terms[start];
            }

            if (count <= 4)
            {
                // Short sums stay flat and readable; their chain is as short as a tree's.
                return string.Join(" + ", Enumerable.Range(start, count).Select(i => terms[i]));
            }

            int half = count / 2;
            return $"({BalancedSum(terms, start, half)}) + ({BalancedSum(terms, start + half, count - half)})";
        }

        /// <summary>
        /// Z = W·A_prev + b, A = g(Z) for m examples, feature-major (n[l] x m). Layer 1 reads the example-major
        /// inputs as Xᵀ through the NT product, so the user's rows are never transposed.
        /// </summary>
        public static void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input)
        {
            string units = Int(layer.Units);
            string l = Int(layer.Index);
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"// A{l} = {Prose(layer.Activation)}({layer.W}·{(layer.Index == 1 ? "Xᵀ" : "A" + Int(layer.Index - 1))} + {layer.B}) [{units} x m]: " +
                (ActivationTable.Of(layer.Activation).AcrossUnits
                    ? $"the bias is added as each tile of Z{l} is stored, then each example's column is normalized."
                    : $"the bias and the activation are applied as each tile of Z{l} is stored."));
            writer.WriteLine($"{RuntimeNames.Span} {layer.A} = cache.Slice({CacheSlice(layer)});");
            string product = layer.Index == 1 ? RuntimeNames.MultiplyNT : RuntimeNames.MultiplyNN;
            writer.WriteLine($"{product}({layer.W}, {input}, {layer.A}, {layer.UnitsConstant}, {layer.InputsConstant}, m, 1f, {layer.B}, {ProductActivation(layer)});");
            EmitAcrossUnits(writer, layer, layer.A, "m");
        }

        /// <summary>
        /// The backward pass of one layer, given dZ[l] in <paramref name="deltaZ"/>: dW, db and (for l &gt; 1) dA[l-1]
        /// into <paramref name="nextDelta"/>, then dZ[l-1] = dA[l-1] * g'[l-1] in place.
        /// </summary>
        public static void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            string l = Int(layer.Index);
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"// dW{l} = (1/m) dZ{l}·{(previous is null ? "X" : "A" + Int(previous.Index) + "ᵀ")}; db{l} = (1/m) Σ dZ{l} over examples.");
            writer.WriteLine($"{RuntimeNames.Span} dW{l} = gradients.Slice({layer.WeightOffsetConstant}, {layer.WeightLengthExpression});");
            writer.WriteLine($"{RuntimeNames.Span} db{l} = gradients.Slice({layer.BiasOffsetConstant}, {layer.UnitsConstant});");
            if (previous is null)
            {
                // X is example-major (m x n[0]), which is exactly the (Xᵀ)ᵀ the weight gradient needs: an NN product.
                writer.WriteLine($"{RuntimeNames.MultiplyNN}({deltaZ}, x, dW{l}, {layer.UnitsConstant}, m, {layer.InputsConstant}, inverseM);");
            }
            else
            {
                writer.WriteLine($"{RuntimeNames.MultiplyNT}({deltaZ}, {previous.A}, dW{l}, {layer.UnitsConstant}, m, {layer.InputsConstant}, inverseM);");
            }

            writer.WriteLine($"{RuntimeNames.SumRows}({deltaZ}, db{l}, m, inverseM);");
            if (previous is null)
            {
                writer.WriteLine("// dA0 is not needed: the inputs are not trained.");
                return;
            }

            string p = Int(previous.Index);
            writer.WriteLine($"// dZ{p} = dA{p} * {Derivative(previous.Activation, previous.Index)} with dA{p} = {layer.W}ᵀ·dZ{l} [{Int(previous.Units)} x m]: the derivative is applied as each tile is stored.");
            writer.WriteLine($"{RuntimeNames.Span} dZ{p} = {nextDelta}.Slice(0, {previous.UnitsConstant} * m);");
            writer.WriteLine($"{RuntimeNames.MultiplyTN}({layer.W}, dZ{l}, dZ{p}, {previous.UnitsConstant}, {layer.UnitsConstant}, m, 1f, {previous.A}, {ActivationValue(previous.Activation)});");
        }

        /// <summary>
        /// For an activation that normalizes across units (softmax), applies it to <paramref name="activations"/>, Z of
        /// <paramref name="examples"/> examples in the (n[l] x examples) layout, after the kernel stored Z.
        /// </summary>
        public static void EmitAcrossUnits(SourceWriter writer, LayerPlan layer, string activations, string examples)
        {
            if (ActivationTable.Of(layer.Activation).AcrossUnits)
            {
                writer.WriteLine($"{RuntimeNames.SoftmaxForward}({activations}, {layer.UnitsConstant}, {examples});");
            }
        }

        /// <summary>The runtime's <c>Activation</c> value for <paramref name="activation"/>.</summary>
        public static string ActivationValue(ActivationKind activation) => $"{RuntimeNames.ActivationType}.{activation}";

        /// <summary>Multiplies <paramref name="delta"/> by g'(A) in place (nothing for a linear layer).</summary>
        public static void EmitDerivative(SourceWriter writer, ActivationKind activation, string activations, string delta)
        {
            if (ActivationTable.Of(activation).BackwardKernel is { } kernel)
            {
                writer.WriteLine($"{kernel}({activations}, {delta});");
            }
        }

        private static string CacheSlice(LayerPlan layer) =>
            layer.CacheOffset == 0 ? $"0, {layer.UnitsConstant} * m" : $"{layer.RowsBefore} * m, {layer.UnitsConstant} * m";
    }
}
