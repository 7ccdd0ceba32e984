namespace NnGen.Generator
{
    /// <summary>
    /// Metadata names of the runtime's attributes and enums, as the parser looks them up. The generator cannot reference
    /// NnRuntime (net10.0), so a test asserts that each of these equals the real type's full name. Names written into
    /// generated code are in <see cref="RuntimeNames"/>.
    /// </summary>
    internal static class KnownNames
    {
        public const string NetworkAttribute = "NnGen.NetworkAttribute";
        public const string LayerAttribute = "NnGen.LayerAttribute";
        public const string DenseAttribute = "NnGen.DenseAttribute";
        public const string DropoutAttribute = "NnGen.DropoutAttribute";
        public const string BatchNormAttribute = "NnGen.BatchNormAttribute";
        public const string LayerNormAttribute = "NnGen.LayerNormAttribute";
        public const string LstmAttribute = "NnGen.LstmAttribute";
        public const string GruAttribute = "NnGen.GruAttribute";
        public const string ActivationEnum = "NnGen.Activation";
        public const string LossEnum = "NnGen.Loss";
        public const string InitEnum = "NnGen.Init";

        public const string InputsProperty = "Inputs";
        public const string LossProperty = "Loss";
        public const string InitProperty = "Init";
        public const string WeightsProperty = "Weights";
        public const string MomentumProperty = "Momentum";
        public const string EpsilonProperty = "Epsilon";
        public const string ReturnSequencesProperty = "ReturnSequences";
    }
}
