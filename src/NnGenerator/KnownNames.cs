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
        public const string Conv1DAttribute = "NnGen.Conv1DAttribute";
        public const string Conv2DAttribute = "NnGen.Conv2DAttribute";
        public const string MaxPool1DAttribute = "NnGen.MaxPool1DAttribute";
        public const string MaxPool2DAttribute = "NnGen.MaxPool2DAttribute";
        public const string AvgPool1DAttribute = "NnGen.AvgPool1DAttribute";
        public const string AvgPool2DAttribute = "NnGen.AvgPool2DAttribute";
        public const string GlobalAvgPoolAttribute = "NnGen.GlobalAvgPoolAttribute";
        public const string FlattenAttribute = "NnGen.FlattenAttribute";
        public const string PaddingModeEnum = "NnGen.PaddingMode";
        public const string ActivationEnum = "NnGen.Activation";
        public const string LossEnum = "NnGen.Loss";
        public const string InitEnum = "NnGen.Init";

        public const string InputsProperty = "Inputs";
        public const string InputProperty = "Input";
        public const string KernelProperty = "Kernel";
        public const string StrideProperty = "Stride";
        public const string PaddingProperty = "Padding";
        public const string PaddingModeProperty = "PaddingMode";
        public const string DilationProperty = "Dilation";
        public const string GroupsProperty = "Groups";
        public const string ActivationProperty = "Activation";
        public const string LossProperty = "Loss";
        public const string InitProperty = "Init";
        public const string WeightsProperty = "Weights";
        public const string MomentumProperty = "Momentum";
        public const string EpsilonProperty = "Epsilon";
        public const string ReturnSequencesProperty = "ReturnSequences";
    }
}
