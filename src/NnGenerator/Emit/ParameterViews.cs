using System;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The span views over a buffer laid out like the parameters (or the state), one per tensor of the plan: the
    /// network's W[l], b[l], γ[l], β[l] and running statistics, and the gradient's dW[l], db[l], dγ[l], dβ[l] at the same
    /// offsets.
    /// </summary>
    internal static class ParameterViews
    {
        /// <summary>
        /// For every tensor that <paramref name="include"/> accepts, a blank line, then its documented view over
        /// <paramref name="buffer"/> (<paramref name="stateBuffer"/> for state tensors), named by <paramref name="name"/>.
        /// </summary>
        public static void Emit(
            SourceWriter writer,
            NetworkPlan plan,
            string buffer,
            string? stateBuffer,
            Func<TensorPlan, string> name,
            Func<LayerPlan, TensorPlan, string> summary)
        {
            foreach (LayerPlan layer in plan.Layers)
            {
                foreach (TensorPlan tensor in layer.Tensors)
                {
                    if (tensor.IsState && stateBuffer is null)
                    {
                        continue;
                    }

                    writer.WriteLine();
                    writer.Summary(summary(layer, tensor));
                    writer.WriteLine($"public {RuntimeNames.Span} {name(tensor)} => {(tensor.IsState ? stateBuffer : buffer)}.Slice({tensor.OffsetConstant}, {LengthExpression(layer, tensor)});");
                }
            }
        }

        /// <summary>The tensor's length in the generated constants: n[l] x n[l-1] for W, n[l] for the others.</summary>
        public static string LengthExpression(LayerPlan layer, TensorPlan tensor) => layer.Conv is not null ? Int(tensor.Length) : tensor.Role switch
        {
            TensorRole.Weight => layer.WeightLengthExpression,
            TensorRole.InputWeight => $"{Int(Model.LayerRules.GateCount(layer.Kind))} * {layer.UnitsConstant} * {layer.InputsConstant}",
            TensorRole.RecurrentWeight => $"{Int(Model.LayerRules.GateCount(layer.Kind))} * {layer.UnitsConstant} * {layer.UnitsConstant}",
            TensorRole.InputBias or TensorRole.RecurrentBias => $"{Int(Model.LayerRules.GateCount(layer.Kind))} * {layer.UnitsConstant}",
            _ => layer.UnitsConstant,
        };

        /// <summary>The course's shape of W[l], (n[l], n[l-1]), as "(units, inputs)".</summary>
        public static string WeightShape(LayerPlan layer) => $"({Int(layer.Units)}, {Int(layer.Inputs)})";

        /// <summary>What a parameter or state tensor of the network holds, for its view's summary.</summary>
        public static string Describe(LayerPlan layer, TensorPlan tensor)
        {
            string l = Int(layer.Index);
            string kind = LayerRules.KindName(layer.Kind) + " layer " + l;
            if (layer.Conv is { } conv)
            {
                return tensor.Role == TensorRole.Weight
                    ? $"The kernels of {kind}: shape {tensor.ShapeText} (out, in / groups, {(layer.Kind == LayerKind.Conv2D ? "kh, kw" : "k")}), row-major as PyTorch's weight: " +
                      $"output channel o's kernel is the {Int(conv.KernelVolume)} floats from o * {Int(conv.KernelVolume)}."
                    : $"The bias of {kind}: shape ({Int(conv.OutChannels)}), one per output channel, added at every position.";
            }

            return tensor.Role switch
            {
                TensorRole.Weight => $"W[{l}]: shape (n[{l}], n[{Int(layer.Index - 1)}]) = {WeightShape(layer)}, row-major: " +
                    $"element [j, k] is at j * {Int(layer.Inputs)} + k and weighs input k of unit j.",
                TensorRole.Bias => $"b[{l}]: shape (n[{l}], 1) = ({Int(layer.Units)}, 1), broadcast over the examples.",
                TensorRole.Scale => $"γ of {kind}: shape ({Int(layer.Units)}), one scale per feature (PyTorch's weight); starts at 1.",
                TensorRole.Shift => $"β of {kind}: shape ({Int(layer.Units)}), one shift per feature (PyTorch's bias); starts at 0.",
                TensorRole.RunningMean => $"The running mean of {kind}: shape ({Int(layer.Units)}), state that training updates and Predict uses; starts at 0.",
                TensorRole.InputWeight or TensorRole.RecurrentWeight or TensorRole.InputBias or TensorRole.RecurrentBias => DescribeRecurrent(layer, tensor, kind),
                _ => $"The running variance of {kind}: shape ({Int(layer.Units)}), state that training updates and Predict uses; starts at 1.",
            };
        }

        private static string DescribeRecurrent(LayerPlan layer, TensorPlan tensor, string kind)
        {
            string what = tensor.Role switch
            {
                TensorRole.InputWeight => "input weights",
                TensorRole.RecurrentWeight => "recurrent weights",
                TensorRole.InputBias => "input bias",
                _ => "recurrent bias",
            };
            string gates = layer.Kind == Model.LayerKind.Lstm ? "i, f, g, o" : "r, z, n";
            string pytorch = tensor.Role switch
            {
                TensorRole.InputWeight => "weight_ih",
                TensorRole.RecurrentWeight => "weight_hh",
                TensorRole.InputBias => "bias_ih",
                _ => "bias_hh",
            };
            return tensor.IsStoredTransposed
                ? $"The {what} of {kind}: shape {tensor.StoredShapeText}, row-major, PyTorch's {pytorch}_l0 {tensor.ShapeText} transposed: " +
                  $"row k holds the weights of {(tensor.Role == TensorRole.InputWeight ? "input k" : "h[k]")} for every gate row, gate blocks {gates} of {Int(layer.Units)} columns each."
                : $"The {what} of {kind}: shape {tensor.ShapeText}, gate blocks {gates} of {Int(layer.Units)} rows each, as PyTorch's {pytorch}_l0.";
        }

        /// <summary>What a gradient tensor holds, for its view's summary.</summary>
        public static string DescribeGradient(LayerPlan layer, TensorPlan tensor)
        {
            string l = Int(layer.Index);
            if (layer.Conv is not null)
            {
                return $"d{tensor.Member}: shape {tensor.ShapeText} like {tensor.Member}.";
            }

            return tensor.Role switch
            {
                TensorRole.Weight => $"dW[{l}]: shape {WeightShape(layer)}, row-major like {layer.W}.",
                TensorRole.Bias => $"db[{l}]: shape ({Int(layer.Units)}, 1) like {layer.B}.",
                _ => $"d{tensor.Member}: shape {tensor.StoredShapeText} like {tensor.Member}.",
            };
        }

        /// <summary>The gradient view's name: dW1, db1, dgamma2, dbeta2.</summary>
        public static string GradientName(TensorPlan tensor) => "d" + tensor.Member;
    }
}
