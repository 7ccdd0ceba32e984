using System;
using System.Globalization;

namespace NnGen.Generator
{
    /// <summary>
    /// The one table of generated names: members (and their parameters) that code outside the emitters depends on (the
    /// usage analyzer reads a network's shape and checks call sites through them; the emitters declare the members with
    /// these constants, and GeneratedNamesTests finds each one in compiled generated code), and every name a network
    /// reserves, which the declaration analyzer checks user names against (NNG0016).
    /// </summary>
    internal static class GeneratedNames
    {
        public const string InputSize = "InputSize";
        public const string OutputSize = "OutputSize";
        public const string LayerCount = "LayerCount";
        public const string Parameters = "Parameters";

        /// <summary>W1 … WL: each layer's weights as a span, the prefix followed by the layer number.</summary>
        public const string WeightPrefix = "W";

        public const string Predict = "Predict";

        /// <summary>The frozen inference form every network declares: the method and the nested class it returns.</summary>
        public const string Freeze = "Freeze", Frozen = "Frozen";

        public const string PredictBatch = "PredictBatch";

        /// <summary>A recurrent network's streaming members: one step (x, y) and a block of steps (input, output).</summary>
        public const string Step = "Step", Process = "Process";
        public const string ComputeGradients = "ComputeGradients";
        public const string Fit = "Fit";
        public const string Evaluate = "Evaluate";
        public const string GradientCheck = "GradientCheck";

        /// <summary>The private table of W1 … WL's ranges in the parameters, behind ITrainableNetwork.WeightRanges.</summary>
        public const string WeightRanges = "_weightRanges";

        /// <summary>Predict's example.</summary>
        public const string X = "x";

        /// <summary>Predict's output.</summary>
        public const string Y = "y";

        /// <summary>The examples of PredictBatch and of every training method.</summary>
        public const string Inputs = "inputs";

        /// <summary>PredictBatch's outputs.</summary>
        public const string Outputs = "outputs";

        /// <summary>Process's samples and its outputs, a row of each per step.</summary>
        public const string Input = "input", Output = "output";

        /// <summary>The labels of every training method.</summary>
        public const string Labels = "labels";

        // Using aliases for the vector types, declared at the top of the emitted namespace. A user type of the same
        // name in that namespace, or a member of the network class, would take their place, so the names are NnGen's own.

        /// <summary>Four floats: an unrolled layer's tanh or sigmoid, four units at a time.</summary>
        public const string Vec128 = "NnVec128";

        /// <summary>One vector of examples of the tiny pass on AVX-512 CPUs.</summary>
        public const string Vec512 = "NnVec512";

        /// <summary>Its per-lane cost accumulator.</summary>
        public const string Vec512D = "NnVec512D";

        /// <summary>One vector of examples of the tiny pass at Vector&lt;float&gt;'s width.</summary>
        public const string Vec = "NnVec";

        /// <summary>Its per-lane cost accumulator.</summary>
        public const string VecD = "NnVecD";

        // The reserved names: every name NnGen declares inside a network class, public and private, so a user member,
        // type parameter or base member with one of them is reported (NNG0016) instead of producing CS0102/CS0108/CS0542
        // in generated code. GeneratedMemberNamesTests checks them against the members of compiled generated networks.

        /// <summary>Names declared once per network, whatever its layers.</summary>
        public static readonly string[] Fixed =
        {
            "InputSize", "OutputSize", "LayerCount", "ParameterCount", "DefaultSeed",
            "NetworkName", "WorkspacePerExample", "BatchChunk", "BatchScratch",
            "_parameters", "Parameters", "Initialize", "Input", "Output", "Predict", "PredictBatch", "Summary",
            "Gradients", "ComputeGradients", Step, "Fit", "Evaluate", "GradientCheck",
            "ValidateTrainingData", "ForwardSingle", "ForwardBatch", "Backpropagate",
            "Architecture", "SaveWeights", "LoadWeights", WeightRanges, "StateCount", "_state", "State", Freeze, Frozen,
            Vec128, Vec512, Vec512D, Vec, VecD,
        };

        /// <summary>
        /// Declared by a network with <c>Weights = "…"</c> (the last two when the file carries extra tensors, a standardizer);
        /// reserved in every network so adding Weights, or extras to its file, never creates a clash.
        /// </summary>
        public const string BakedParameters = "BakedParameters", ResetToBakedWeights = "ResetToBakedWeights", BakedExtra = "BakedExtra", BakedStandardizer = "BakedStandardizer";

        /// <summary>The names only a network with baked weights declares.</summary>
        public static readonly string[] Baked = { BakedParameters, ResetToBakedWeights, BakedExtra, BakedStandardizer };

        /// <summary>
        /// The named parts of a training workspace, declared by networks on the kernel strategy (the tiny one slices by
        /// the layer constants); reserved in every network so a change of strategy never creates a clash.
        /// </summary>
        public static readonly string[] WorkspaceParts = { "CacheFloats", "DeltaFloats", "LabelsStart", "ExtrasStart", "ExtraFloats", "InputFloats", "ConvFloats", "ForwardFloats" };

        /// <summary>Declared by networks with recurrent layers (the streaming surface); reserved in every network.</summary>
        public static readonly string[] Recurrent = { Process, "PredictSequences", "StepCore", "StepScratch", "StateFloats" };

        /// <summary>Names declared once per layer l = 1…L, as prefix + l + suffix.</summary>
        public static readonly (string Prefix, string Suffix)[] PerLayer =
        {
            ("Layer", "Inputs"), ("Layer", "Units"), ("W", "Offset"), ("b", "Offset"), ("W", string.Empty), ("b", string.Empty),
            ("gamma", "Offset"), ("beta", "Offset"), ("gamma", string.Empty), ("beta", string.Empty),
            ("RunningMean", "Offset"), ("RunningVariance", "Offset"), ("RunningMean", string.Empty), ("RunningVariance", string.Empty),
            ("Layer", "Rate"), ("Layer", "Epsilon"), ("Layer", "Momentum"),
            ("Wih", "Offset"), ("Whh", "Offset"), ("bih", "Offset"), ("bhh", "Offset"), ("Wih", string.Empty), ("Whh", string.Empty), ("bih", string.Empty), ("bhh", string.Empty),
            ("Layer", "Geometry"),
        };

        /// <summary>Private helpers whose names carry a suffix chosen by the emitter (a vector width, a lane count).</summary>
        public static readonly string[] Prefixes = { "ForwardBatch", "Backpropagate" };

        /// <summary>True when a network with <paramref name="layerCount"/> layers generates a member named <paramref name="name"/>.</summary>
        public static bool IsGenerated(string name, int layerCount)
        {
            if (Array.IndexOf(Fixed, name) >= 0 || Array.IndexOf(Baked, name) >= 0 || Array.IndexOf(WorkspaceParts, name) >= 0 || Array.IndexOf(Recurrent, name) >= 0)
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
