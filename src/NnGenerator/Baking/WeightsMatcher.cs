using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// Finds the file a <c>Weights = "…"</c> argument names among the candidate AdditionalFiles: by file name, or by path
    /// suffix when the argument holds directories (<c>"Models/planar.safetensors"</c>); '\' and '/' are the same.
    /// </summary>
    internal static class WeightsMatcher
    {
        public static BakeInput Match(string weights, string networkName, EquatableArray<WeightsFileContent> files)
        {
            string wanted = Normalize(weights);
            while (wanted.StartsWith("./", StringComparison.Ordinal))
            {
                wanted = wanted.Substring(2);
            }

            if (wanted.Length == 0 || wanted.EndsWith("/", StringComparison.Ordinal))
            {
                return new BakeInput(weights, null, BakeProblem.Create(DiagnosticIds.WeightsFileNotFound, networkName, weights, "that is not a file name; name a safetensors file, e.g. Weights = \"planar.safetensors\""));
            }

            var matches = files
                .Where(file => Matches(Normalize(file.LogicalPath), wanted))
                .GroupBy(file => Normalize(file.LogicalPath), StringComparer.Ordinal)
                .Select(group => group.First())
                .ToList();
            if (matches.Count == 1)
            {
                return new BakeInput(weights, matches[0], null);
            }

            if (matches.Count > 1)
            {
                string paths = string.Join(", ", matches.Select(file => file.LogicalPath).OrderBy(path => path, StringComparer.Ordinal));
                return new BakeInput(weights, null, BakeProblem.Create(DiagnosticIds.WeightsFileNotFound, networkName, weights, $"{matches.Count} AdditionalFiles match it ({paths}); write more of the path to choose one"));
            }

            string candidates = files.Count == 0
                ? string.Empty
                : " (the safetensors AdditionalFiles are " + string.Join(", ", files.Select(file => WeightsBaker.FileName(file.LogicalPath)).Distinct(StringComparer.Ordinal).OrderBy(name => name, StringComparer.Ordinal).Take(8)) + ")";
            string include = weights.Replace("\"", "&quot;");
            return new BakeInput(weights, null, BakeProblem.Create(
                DiagnosticIds.WeightsFileNotFound,
                networkName,
                weights,
                $"no AdditionalFiles item has that name{candidates}; add the file to the project with <AdditionalFiles Include=\"{include}\" />"));
        }

        private static bool Matches(string path, string wanted) =>
            string.Equals(path, wanted, StringComparison.Ordinal) ||
            (path.EndsWith(wanted, StringComparison.Ordinal) && path[path.Length - wanted.Length - 1] == '/');

        private static string Normalize(string path) => path.Replace('\\', '/');
    }
}
