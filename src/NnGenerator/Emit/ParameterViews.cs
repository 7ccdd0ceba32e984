using System;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// The per-layer span views over a buffer laid out like the parameters: the network's W[l] and b[l], and the
    /// gradient's dW[l] and db[l] at the same offsets.
    /// </summary>
    internal static class ParameterViews
    {
        /// <summary>
        /// For every layer, a blank line, then the documented weight view and the documented bias view over
        /// <paramref name="buffer"/>; the members are named by <paramref name="weightName"/> and <paramref name="biasName"/>.
        /// </summary>
        public static void Emit(
            SourceWriter writer,
            NetworkPlan plan,
            string buffer,
            Func<LayerPlan, string> weightName,
            Func<LayerPlan, string> weightSummary,
            Func<LayerPlan, string> biasName,
            Func<LayerPlan, string> biasSummary)
        {
            foreach (LayerPlan layer in plan.Layers)
            {
                writer.WriteLine();
                writer.Summary(weightSummary(layer));
                writer.WriteLine($"public {RuntimeNames.Span} {weightName(layer)} => {buffer}.Slice({layer.WeightOffsetConstant}, {layer.WeightLengthExpression});");
                writer.WriteLine();
                writer.Summary(biasSummary(layer));
                writer.WriteLine($"public {RuntimeNames.Span} {biasName(layer)} => {buffer}.Slice({layer.BiasOffsetConstant}, {layer.UnitsConstant});");
            }
        }

        /// <summary>The course's shape of W[l], (n[l], n[l-1]), as "(units, inputs)".</summary>
        public static string WeightShape(LayerPlan layer) => $"({Int(layer.Units)}, {Int(layer.Inputs)})";
    }
}
