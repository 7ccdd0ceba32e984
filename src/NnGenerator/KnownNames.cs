namespace NnGen.Generator
{
    /// <summary>
    /// Metadata names of the runtime's types. The generator cannot reference NnRuntime (net10.0), so a test asserts
    /// that each of these equals the real type's full name.
    /// </summary>
    internal static class KnownNames
    {
        public const string NetworkAttribute = "NnGen.NetworkAttribute";
        public const string LayerAttribute = "NnGen.LayerAttribute";
        public const string ActivationEnum = "NnGen.Activation";
        public const string LossEnum = "NnGen.Loss";
        public const string InitEnum = "NnGen.Init";

        public const string InputsProperty = "Inputs";
        public const string LossProperty = "Loss";
        public const string InitProperty = "Init";

        // Fully qualified names written into generated code, which lives in the user's namespace.
        public const string Span = "global::System.Span<float>";
        public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        public const string Gemm = "global::NnGen.Kernels.Gemm";
        public const string ActivationKernels = "global::NnGen.Kernels.ActivationKernels";
        public const string Layout = "global::NnGen.Kernels.Layout";
        public const string TensorPrimitives = "global::System.Numerics.Tensors.TensorPrimitives";
        public const string Guard = "global::NnGen.Guard";
        public const string Trainer = "global::NnGen.Trainer";
        public const string Losses = "global::NnGen.Losses";
        public const string Workspace = "global::NnGen.Workspace";
        public const string TrainableNetwork = "global::NnGen.ITrainableNetwork";
        public const string NumPyRandom = "global::NnGen.NumPyRandom";
        public const string ParameterInitializer = "global::NnGen.ParameterInitializer";
        public const string TrainingOptions = "global::NnGen.TrainingOptions";
        public const string TrainingHistory = "global::NnGen.TrainingHistory";
        public const string Evaluation = "global::NnGen.Evaluation";
        public const string ArrayPool = "global::System.Buffers.ArrayPool<float>";
        public const string InlineArray = "global::System.Runtime.CompilerServices.InlineArray";
        public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";

        // The forward and backward cores are hot loops called thousands of times from the start of training; tiering
        // would run them as unoptimized code for the first part of a run (measured: cold planar Fit 1.6 s vs 0.18 s).
        public const string HotPath = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";
        public const string ActivationType = "global::NnGen.Activation";
        public const string LossType = "global::NnGen.Loss";
        public const string InitType = "global::NnGen.Init";
        public const string SerializableNetwork = "global::NnGen.ISerializableNetwork";
        public const string NetworkArchitecture = "global::NnGen.NetworkArchitecture";
        public const string WeightsFile = "global::NnGen.WeightsFile";
        public const string NamedTensor = "global::NnGen.NamedTensor";
        public const string LoadedWeights = "global::NnGen.LoadedWeights";
        public const string WeightsFormatException = "global::NnGen.WeightsFormatException";
    }
}
