using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>The Keras-style <c>Summary</c> text, computed at compile time.</summary>
    internal static class SummaryTable
    {
        public static string[] Build(NetworkPlan plan)
        {
            // Columns for γ/β and for the running statistics appear only in networks that have them, so a dense
            // network's table reads as it always has.
            bool normalized = plan.Layers.Any(layer => layer.Kind is LayerKind.BatchNorm or LayerKind.LayerNorm);
            bool state = plan.StateCount > 0;
            var header = new List<string> { "Layer", "Activation", normalized ? "W / γ shape" : "W shape", normalized ? "b / β shape" : "b shape", "Output shape", "Params" };
            // In a recurrent network every layer runs on each of the T steps of m sequences, until one returns only its last step.
            string columns = plan.IsRecurrent ? "T·m" : "m";
            // A convolutional network shows one example's shapes, (C, H, W) as PyTorch prints them.
            var input = new List<string> { "Input", string.Empty, string.Empty, string.Empty, plan.IsShaped ? ShapeRules.Text(plan.InputShape) : $"({Int(plan.InputSize)}, {columns})", "0" };
            if (state)
            {
                header.Add("State");
                input.Add("0");
            }

            var rows = new List<string[]> { header.ToArray(), input.ToArray() };
            foreach (LayerPlan layer in plan.Layers)
            {
                if (!layer.ReturnSequences)
                {
                    columns = "m";
                }

                var cells = new List<string>(LayerEmitters.For(layer.Kind).SummaryCells(layer))
                {
                    Int(layer.Tensors.Where(tensor => !tensor.IsState).Sum(tensor => tensor.Length)),
                };
                cells[4] = plan.IsShaped ? ShapeRules.Text(layer.OutputShape) : $"({Int(layer.Units)}, {columns})";
                if (state)
                {
                    cells.Add(Int(layer.Tensors.Where(tensor => tensor.IsState).Sum(tensor => tensor.Length)));
                }

                rows.Add(cells.ToArray());
            }

            int[] widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
            const int FirstCountColumn = 5;
            string Format(string[] row) => string.Join("  ", row.Select((cell, column) => column >= FirstCountColumn ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column])));
            string rule = new('-', widths.Sum() + (2 * (widths.Length - 1)));

            string inputs = plan.IsShaped ? "input " + ShapeRules.Text(plan.InputShape) : Int(plan.InputSize) + " inputs";
            var lines = new List<string> { $"Network: {plan.Spec.DisplayName} ({inputs}, loss: {Prose(plan.Loss)})", Format(rows[0]), rule };
            lines.AddRange(rows.Skip(1).Select(Format));
            lines.Add(rule);
            lines.Add($"Total parameters: {Int(plan.ParameterCount)}");
            if (state)
            {
                lines.Add($"Total state (running statistics, not trained): {Int(plan.StateCount)}");
            }

            return lines.Select(line => line.TrimEnd()).ToArray();
        }
    }
}
