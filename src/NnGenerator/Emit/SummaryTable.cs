using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit
{
    /// <summary>The Keras-style <c>Summary</c> text, computed at compile time.</summary>
    internal static class SummaryTable
    {
        public static string[] Build(NetworkPlan plan)
        {
            var rows = new List<string[]>
            {
                new[] { "Layer", "Activation", "W shape", "b shape", "Output shape", "Params" },
                new[] { "Input", string.Empty, string.Empty, string.Empty, $"({Int(plan.InputSize)}, m)", "0" },
            };
            foreach (LayerPlan layer in plan.Layers)
            {
                rows.Add(new[]
                {
                    $"Dense {Int(layer.Index)}",
                    Prose(layer.Activation),
                    $"({Int(layer.Units)}, {Int(layer.Inputs)})",
                    $"({Int(layer.Units)}, 1)",
                    $"({Int(layer.Units)}, m)",
                    Int(layer.WeightLength + layer.Units),
                });
            }

            int[] widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
            string Format(string[] row) => string.Join("  ", row.Select((cell, column) => column == row.Length - 1 ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column])));
            string rule = new('-', widths.Sum() + (2 * (widths.Length - 1)));

            var lines = new List<string> { $"Network: {plan.Spec.DisplayName} ({Int(plan.InputSize)} inputs, loss: {Prose(plan.Loss)})", Format(rows[0]), rule };
            lines.AddRange(rows.Skip(1).Select(Format));
            lines.Add(rule);
            lines.Add($"Total parameters: {Int(plan.ParameterCount)}");
            return lines.Select(line => line.TrimEnd()).ToArray();
        }
    }
}
