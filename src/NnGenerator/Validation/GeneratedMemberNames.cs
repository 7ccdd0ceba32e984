using System;
using System.Globalization;

namespace NnGen.Generator.Validation
{
    /// <summary>
    /// The names NnGen declares inside a network class, public and private, so a user member, type parameter or base
    /// member with one of them is reported (NNG0016) instead of producing CS0102/CS0108/CS0542 in generated code.
    /// One table, checked against the members of compiled generated networks by a test (GeneratedMemberNamesTests).
    /// </summary>
    internal static class GeneratedMemberNames
    {
        /// <summary>Names declared once per network, whatever its layers.</summary>
        public static readonly string[] Fixed =
        {
            "InputSize", "OutputSize", "LayerCount", "ParameterCount", "DefaultSeed",
            "NetworkName", "WorkspacePerExample", "BatchChunk", "BatchScratch",
            "_parameters", "Parameters", "Initialize", "Input", "Output", "Predict", "PredictBatch", "Summary",
            "Gradients", "ComputeGradients", "Step", "Fit", "Evaluate", "GradientCheck",
            "ValidateTrainingData", "ForwardSingle", "ForwardBatch", "Backpropagate",
            "Architecture", "SaveWeights", "LoadWeights", GeneratedNames.WeightRanges, "StateCount", "_state", "State",
            GeneratedNames.Vec128, GeneratedNames.Vec512, GeneratedNames.Vec512D, GeneratedNames.Vec, GeneratedNames.VecD,
        };

        /// <summary>
        /// Declared by a network with <c>Weights = "…"</c> (the last two when the file carries extra tensors, a standardizer);
        /// reserved in every network so adding Weights, or extras to its file, never creates a clash.
        /// </summary>
        public const string BakedParameters = "BakedParameters", ResetToBakedWeights = "ResetToBakedWeights", BakedExtra = "BakedExtra", BakedStandardizer = "BakedStandardizer";

        /// <summary>The names only a network with baked weights declares.</summary>
        public static readonly string[] Baked = { BakedParameters, ResetToBakedWeights, BakedExtra, BakedStandardizer };

        /// <summary>Names declared once per layer l = 1…L, as prefix + l + suffix.</summary>
        public static readonly (string Prefix, string Suffix)[] PerLayer =
        {
            ("Layer", "Inputs"), ("Layer", "Units"), ("W", "Offset"), ("b", "Offset"), ("W", string.Empty), ("b", string.Empty),
            ("gamma", "Offset"), ("beta", "Offset"), ("gamma", string.Empty), ("beta", string.Empty),
            ("RunningMean", "Offset"), ("RunningVariance", "Offset"), ("RunningMean", string.Empty), ("RunningVariance", string.Empty),
            ("Layer", "Rate"), ("Layer", "Epsilon"), ("Layer", "Momentum"),
        };

        /// <summary>Private helpers whose names carry a suffix chosen by the emitter (a vector width, a lane count).</summary>
        public static readonly string[] Prefixes = { "ForwardBatch", "Backpropagate" };

        /// <summary>True when a network with <paramref name="layerCount"/> layers generates a member named <paramref name="name"/>.</summary>
        public static bool IsGenerated(string name, int layerCount)
        {
            if (Array.IndexOf(Fixed, name) >= 0 || Array.IndexOf(Baked, name) >= 0)
            {
                return true;
            }

            foreach (string prefix in Prefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            foreach ((string prefix, string suffix) in PerLayer)
            {
                if (name.Length > prefix.Length + suffix.Length &&
                    name.StartsWith(prefix, StringComparison.Ordinal) &&
                    name.EndsWith(suffix, StringComparison.Ordinal) &&
                    LayerNumber(name.Substring(prefix.Length, name.Length - prefix.Length - suffix.Length)) is { } layer &&
                    layer <= layerCount)
                {
                    return true;
                }
            }

            return false;
        }

        // "3" → 3; "03", "", "x" → null: only the spellings the emitter writes.
        private static int? LayerNumber(string digits)
        {
            if (digits.Length == 0 || digits.Length > 9 || digits[0] == '0')
            {
                return null;
            }

            foreach (char c in digits)
            {
                if (c < '0' || c > '9')
                {
                    return null;
                }
            }

            return int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }
}
