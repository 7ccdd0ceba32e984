using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// Finds the file a <c>Weights = "…"</c> argument names among the candidate AdditionalFiles: by file name, or by path
    /// suffix when the argument holds directories (<c>"Models/planar.safetensors"</c>); '\' and '/' are the same, and
    /// <c>.</c> and <c>..</c> segments are resolved first. The generator does not know which folder a relative path
    /// started from, so the <c>..</c> segments that lead out of it are dropped: <c>"../Models/planar.safetensors"</c> is
    /// matched as the suffix <c>Models/planar.safetensors</c>.
    /// </summary>
    internal static class WeightsMatcher
    {
        public static BakeInput Match(string weights, string networkName, EquatableArray<WeightsFileContent> files)
        {
            string wanted = Resolve(Normalize(weights));
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

            // Only *.safetensors AdditionalFiles reach the generator (NnGen.targets passes only those on, as base64, and
            // the pipeline reads no other file), so an item under another name exists but can never match.
            if (!wanted.EndsWith(AdditionalWeightsFile.RawSuffix, StringComparison.OrdinalIgnoreCase))
            {
                return new BakeInput(weights, null, BakeProblem.Create(
                    DiagnosticIds.WeightsFileNotFound,
                    networkName,
                    weights,
                    $"NnGen bakes only AdditionalFiles whose name ends in {AdditionalWeightsFile.RawSuffix} (those are the files NnGen.targets passes to the generator); rename the file to '{System.IO.Path.GetFileNameWithoutExtension(WeightsBaker.FileName(wanted))}{AdditionalWeightsFile.RawSuffix}' or save it with SaveWeights under such a name"));
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

        /// <summary>Removes <c>.</c> segments and each <c>..</c> with the segment before it; a leading <c>..</c> has none and is dropped.</summary>
        private static string Resolve(string path)
        {
            string[] parts = path.Split('/');
            if (!parts.Any(part => part is "." or ".."))
            {
                return path;
            }

            var segments = new List<string>();
            foreach (string part in parts)
            {
                if (part == "..")
                {
                    if (segments.Count > 0 && segments[segments.Count - 1].Length > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }
                }
                else if (part != ".")
                {
                    segments.Add(part);
                }
            }

            return string.Join("/", segments);
        }
    }
}
