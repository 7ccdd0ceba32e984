namespace NnGen.Generator
{
    /// <summary>
    /// Names of generated members (and their parameters) that code outside the emitters depends on: the usage analyzer
    /// reads a network's shape and checks call sites through them. The emitters declare the members with these
    /// constants, and GeneratedNamesTests finds each one in compiled generated code.
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
        public const string PredictBatch = "PredictBatch";
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
    }
}
