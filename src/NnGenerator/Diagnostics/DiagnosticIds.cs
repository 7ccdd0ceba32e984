namespace NnGen.Generator.Diagnostics
{
    /// <summary>
    /// The NNG ids as constants, public so the code-fix assembly (which must not be referenced by this one) can name
    /// the diagnostics it fixes without a copy of the catalog.
    /// </summary>
    public static class DiagnosticIds
    {
        /// <summary>Network class must be partial.</summary>
        public const string NetworkNotPartial = "NNG0001";

        /// <summary>Type containing a network must be partial.</summary>
        public const string ContainingTypeNotPartial = "NNG0002";

        /// <summary>Network needs a positive Inputs count.</summary>
        public const string InvalidInputs = "NNG0003";

        /// <summary>Layer needs at least one unit.</summary>
        public const string InvalidUnits = "NNG0004";

        /// <summary>Network has no layers.</summary>
        public const string NoLayers = "NNG0005";

        /// <summary>Unknown enum value.</summary>
        public const string UnknownEnumValue = "NNG0006";

        /// <summary>Network class cannot be static.</summary>
        public const string StaticNetwork = "NNG0007";

        /// <summary>Network is too large to generate.</summary>
        public const string NetworkTooLarge = "NNG0008";

        /// <summary>Layers declared across partial declarations.</summary>
        public const string LayersInSeveralDeclarations = "NNG0009";

        /// <summary>Zero initialization leaves a hidden layer symmetric.</summary>
        public const string ZeroInitSymmetry = "NNG0010";

        /// <summary>Linear activation on a hidden layer.</summary>
        public const string LinearHiddenLayer = "NNG0011";

        /// <summary>Sigmoid activation on a hidden layer.</summary>
        public const string SigmoidHiddenLayer = "NNG0012";

        /// <summary>Loss does not suit the output activation.</summary>
        public const string LossOutputMismatch = "NNG0013";

        /// <summary>Constant-length buffer does not fit the network.</summary>
        public const string BufferLengthMismatch = "NNG0014";

        /// <summary>Generated weights zeroed in a network with a hidden layer.</summary>
        public const string WeightsZeroed = "NNG0015";
    

        /// <summary>A name in the network class clashes with a generated member.</summary>
        public const string GeneratedNameConflict = "NNG0016";

        /// <summary>Network class has a primary constructor.</summary>
        public const string PrimaryConstructor = "NNG0017";

        /// <summary>Network class derives from an unsupported base class.</summary>
        public const string UnsupportedBaseType = "NNG0018";

        /// <summary>Network class is file-local.</summary>
        public const string FileLocalNetwork = "NNG0019";

        /// <summary>Softmax on a hidden layer.</summary>
        public const string SoftmaxHiddenLayer = "NNG0020";

        /// <summary>Softmax output with one unit.</summary>
        public const string SoftmaxSingleUnit = "NNG0021";

        /// <summary>Loss does not suit a softmax output, or categorical cross-entropy without one.</summary>
        public const string SoftmaxLossMismatch = "NNG0022";

        /// <summary>The generator failed on a network.</summary>
        public const string GeneratorFailure = "NNG0023";

        /// <summary>The Weights file is not among the AdditionalFiles.</summary>
        public const string WeightsFileNotFound = "NNG0024";

        /// <summary>The Weights file is unreadable or corrupt.</summary>
        public const string WeightsFileUnreadable = "NNG0025";

        /// <summary>A tensor in the Weights file is missing or has the wrong dtype or shape.</summary>
        public const string WeightsTensorMismatch = "NNG0026";

        /// <summary>The Weights file was saved from another architecture.</summary>
        public const string WeightsArchitectureMismatch = "NNG0027";

        /// <summary>The Weights file is too large to bake.</summary>
        public const string WeightsFileTooLarge = "NNG0028";

        // NNG0029 and NNG0030 are kept for the baking diagnostics' next round.

        /// <summary>A layer argument (dropout rate, ε, momentum) outside its range.</summary>
        public const string LayerArgumentOutOfRange = "NNG0031";

        /// <summary>The last layer is not Dense.</summary>
        public const string LastLayerNotDense = "NNG0032";

        /// <summary>A linear Dense layer's bias is cancelled by the BatchNorm after it.</summary>
        public const string BiasBeforeBatchNorm = "NNG0033";

        /// <summary>A recurrent layer follows one that returns only its last step.</summary>
        public const string RecurrentAfterLastStep = "NNG0034";

        /// <summary>A layer kind a recurrent network does not take (yet).</summary>
        public const string KindInRecurrentNetwork = "NNG0035";

        /// <summary>The Input shape is not (channels, length) or (channels, height, width), or both Inputs and Input are set.</summary>
        public const string InvalidInputShape = "NNG0036";

        /// <summary>A layer gets a shape of the wrong rank: features where it needs (C, L) or (C, H, W), or the other way round.</summary>
        public const string LayerShapeMismatch = "NNG0037";

        /// <summary>A convolution's or pool's window does not fit its input: no output would be left.</summary>
        public const string WindowLeavesNoOutput = "NNG0038";
    }
}
