namespace NnGen.Generator
{
    /// <summary>
    /// Every type and member of the runtime (and of the framework) that generated code names, fully qualified because
    /// generated code lives in the user's namespace. The generator cannot reference NnRuntime (net10.0), so
    /// RuntimeNamesTests resolves each of these against the real assemblies.
    /// </summary>
    internal static class RuntimeNames
    {
        // NnGen: the user-facing runtime.
        public const string ActivationType = "global::NnGen.Activation";
        public const string LossType = "global::NnGen.Loss";
        public const string InitType = "global::NnGen.Init";
        public const string TrainableNetwork = "global::NnGen.ITrainableNetwork";
        public const string Workspace = "global::NnGen.Workspace";
        public const string AlignedBuffer = "global::NnGen.Kernels.AlignedBuffer";

        public const string PackedMatVec = "global::NnGen.Kernels.PackedMatVec";
        public const string PackedDenseStack = "global::NnGen.Kernels.PackedDenseStack";
        public const string TrainingOptions = "global::NnGen.TrainingOptions";
        public const string TrainingHistory = "global::NnGen.TrainingHistory";
        public const string Evaluation = "global::NnGen.Evaluation";
        public const string SerializableNetwork = "global::NnGen.ISerializableNetwork";
        public const string SequenceNetwork = "global::NnGen.ISequenceNetwork";
        public const string NetworkArchitecture = "global::NnGen.NetworkArchitecture";
        public const string LayerDescription = "global::NnGen.LayerDescription";
        public const string LayerKindType = "global::NnGen.LayerKind";
        public const string WeightsFile = "global::NnGen.WeightsFile";
        public const string WeightsFileSave = WeightsFile + ".Save";
        public const string WeightsFileLoad = WeightsFile + ".Load";
        public const string WeightsFileReadBaked = WeightsFile + ".ReadBaked";
        public const string NamedTensor = "global::NnGen.NamedTensor";
        public const string LoadedWeights = "global::NnGen.LoadedWeights";
        public const string WeightsFormatException = "global::NnGen.WeightsFormatException";
        public const string Standardizer = "global::NnGen.Data.Standardizer";
        public const string NumPyRandom = "global::NnGen.NumPyRandom";
        public const string ParameterInitializer = "global::NnGen.ParameterInitializer";
        public const string FillWeights = ParameterInitializer + ".FillWeights";

        public const string Guard = "global::NnGen.Guard";
        public const string GuardLength = Guard + ".Length";
        public const string GuardExampleCount = Guard + ".ExampleCount";
        public const string GuardPerExample = Guard + ".PerExample";

        public const string Trainer = "global::NnGen.Trainer";
        public const string TrainerValidateTrainingData = Trainer + ".ValidateTrainingData";
        public const string TrainerStep = Trainer + ".Step";
        public const string TrainerFit = Trainer + ".Fit";
        public const string TrainerEvaluate = Trainer + ".Evaluate";
        public const string TrainerGradientCheck = Trainer + ".GradientCheck";

        public const string Losses = "global::NnGen.Losses";
        public const string LossesCost = Losses + ".Cost";
        public const string BinaryCrossEntropyDerivative = Losses + ".BinaryCrossEntropyDerivative";

        // NnGen.Kernels: called only by generated code.
        public const string Gemm = "global::NnGen.Kernels.Gemm";
        public const string MatVec = Gemm + ".MatVec";
        public const string MultiplyNN = Gemm + ".MultiplyNN";
        public const string MultiplyNT = Gemm + ".MultiplyNT";
        public const string MultiplyTN = Gemm + ".MultiplyTN";

        public const string ChunkedPredictor = "global::NnGen.Kernels.IChunkedPredictor";
        public const string BatchPredictionRun = "global::NnGen.Kernels.BatchPrediction.Run";

        public const string Layout = "global::NnGen.Kernels.Layout";
        public const string Transpose = Layout + ".Transpose";

        public const string ActivationKernels = "global::NnGen.Kernels.ActivationKernels";
        public const string SumRows = ActivationKernels + ".SumRows";
        public const string LeakySlope = ActivationKernels + ".LeakySlope";
        public const string ReLU = ActivationKernels + ".ReLU";
        public const string LeakyReLU = ActivationKernels + ".LeakyReLU";
        public const string SigmoidBackward = ActivationKernels + ".SigmoidBackward";
        public const string TanhBackward = ActivationKernels + ".TanhBackward";
        public const string ReLUBackward = ActivationKernels + ".ReLUBackward";
        public const string LeakyReLUBackward = ActivationKernels + ".LeakyReLUBackward";

        public const string VectorMath = "global::NnGen.Kernels.VectorMath";
        public const string Sigmoid = VectorMath + ".Sigmoid";
        public const string Tanh = VectorMath + ".Tanh";

        public const string ExampleSum = "global::NnGen.Kernels.ExampleSum";

        public const string TinyKernels = "global::NnGen.Kernels.TinyKernels";
        public const string PaddedCount = TinyKernels + ".PaddedCount";
        public const string TransposePadded = TinyKernels + ".TransposePadded";
        public const string ExampleMask = TinyKernels + ".ExampleMask";
        public const string ExampleMask512 = TinyKernels + ".ExampleMask512";
        public const string Reduce = TinyKernels + ".Reduce";
        public const string Total = TinyKernels + ".Total";
        public const string AddCrossEntropy = TinyKernels + ".AddCrossEntropy";
        public const string AddSquaredError = TinyKernels + ".AddSquaredError";

        public const string NormalizationKernels = "global::NnGen.Kernels.NormalizationKernels";
        public const string BatchNormTraining = NormalizationKernels + ".BatchNormTraining";
        public const string BatchNormInference = NormalizationKernels + ".BatchNormInference";
        public const string BatchNormBackward = NormalizationKernels + ".BatchNormBackward";
        public const string LayerNorm = NormalizationKernels + ".LayerNorm";
        public const string LayerNormBackward = NormalizationKernels + ".LayerNormBackward";

        public const string DropoutKernels = "global::NnGen.Kernels.DropoutKernels";
        public const string DropoutForward = DropoutKernels + ".Forward";
        public const string DropoutBackward = DropoutKernels + ".Backward";

        public const string RecurrentKernels = "global::NnGen.Kernels.RecurrentKernels";
        public const string LstmStep = RecurrentKernels + ".LstmStep";
        public const string GruStep = RecurrentKernels + ".GruStep";
        public const string LstmDenseSteps = RecurrentKernels + ".LstmDenseSteps";
        public const string GruDenseSteps = RecurrentKernels + ".GruDenseSteps";
        public const string LstmDenseStepsPacked = RecurrentKernels + ".LstmDenseStepsPacked";
        public const string GruDenseStepsPacked = RecurrentKernels + ".GruDenseStepsPacked";
        public const string LstmDenseStep = RecurrentKernels + ".LstmDenseStep";
        public const string GruDenseStep = RecurrentKernels + ".GruDenseStep";
        public const string LstmDenseStepPacked = RecurrentKernels + ".LstmDenseStepPacked";
        public const string GruDenseStepPacked = RecurrentKernels + ".GruDenseStepPacked";
        public const string LstmDensePackedLength = RecurrentKernels + ".LstmDensePackedLength";
        public const string GruDensePackedLength = RecurrentKernels + ".GruDensePackedLength";
        public const string PackLstmDense = RecurrentKernels + ".PackLstmDense";
        public const string PackGruDense = RecurrentKernels + ".PackGruDense";
        public const string SequenceLayout = "global::NnGen.Kernels.SequenceLayout";
        public const string ToTimeMajor = SequenceLayout + ".ToTimeMajor";
        public const string FromTimeMajor = SequenceLayout + ".FromTimeMajor";
        public const string ActivationForward = ActivationKernels + ".Forward";
        public const string ConvKernels = "global::NnGen.Kernels.ConvKernels";
        public const string ConvForward = ConvKernels + ".ConvForward";
        public const string ConvBackward = ConvKernels + ".ConvBackward";
        public const string MaxPoolForward = ConvKernels + ".MaxPoolForward";
        public const string MaxPoolBackward = ConvKernels + ".MaxPoolBackward";
        public const string AvgPoolForward = ConvKernels + ".AvgPoolForward";
        public const string AvgPoolBackward = ConvKernels + ".AvgPoolBackward";
        public const string GlobalAvgPoolForward = ConvKernels + ".GlobalAvgPoolForward";
        public const string GlobalAvgPoolBackward = ConvKernels + ".GlobalAvgPoolBackward";
        public const string ConvGeometry = "global::NnGen.Kernels.ConvGeometry";
        public const string CausalConvKernels = "global::NnGen.Kernels.CausalConvKernels";
        public const string CausalConvStep = CausalConvKernels + ".Step";
        public const string PoolGeometry = "global::NnGen.Kernels.PoolGeometry";
        public const string ActivationBackward = ActivationKernels + ".Backward";
        public const string FillRecurrent = ParameterInitializer + ".FillRecurrent";
        public const string FillRecurrentTransposed = ParameterInitializer + ".FillRecurrentTransposed";
        public const string TensorAdd = TensorPrimitives + ".Add";
        public const string TensorMultiply = TensorPrimitives + ".Multiply";
        public const string SoftMax = TensorPrimitives + ".SoftMax";

        public const string SoftmaxKernels = "global::NnGen.Kernels.SoftmaxKernels";
        public const string SoftmaxForward = SoftmaxKernels + ".Forward";
        public const string SoftmaxAddCrossEntropy = SoftmaxKernels + ".AddCrossEntropy";

        public const string VectorMathExp = VectorMath + ".Exp";
        public const string Vector512Max = Vector512 + ".Max";
        public const string VectorMax = Vector + ".Max";

        public const string Use512Bit = "global::NnGen.Kernels.SimdPolicy.Use512Bit";

        // The framework.
        public const string Span = "global::System.Span<float>";
        public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        public const string ByteSpan = "global::System.ReadOnlySpan<byte>";
        public const string ClassIndexSpan = "global::System.ReadOnlySpan<int>";
        public const string Range = "global::System.Range";
        public const string RangeSpan = "global::System.ReadOnlySpan<global::System.Range>";
        public const string TensorPrimitives = "global::System.Numerics.Tensors.TensorPrimitives";
        public const string Subtract = TensorPrimitives + ".Subtract";
        public const string ArrayPool = "global::System.Buffers.ArrayPool<float>";
        public const string InlineArray = "global::System.Runtime.CompilerServices.InlineArray";
        public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
        public const string ArgumentException = "global::System.ArgumentException";
        public const string ArgumentNullException = "global::System.ArgumentNullException";
        public const string InvalidOperationException = "global::System.InvalidOperationException";
        public const string NamedTensors = "global::System.Collections.Generic.IReadOnlyList<global::NnGen.NamedTensor>";
        public const string Stream = "global::System.IO.Stream";
        public const string ThrowIfNull = "global::System.ArgumentNullException.ThrowIfNull";
        public const string MathMin = "global::System.Math.Min";
        public const string MathFMax = "global::System.MathF.Max";
        public const string Vector128 = "global::System.Runtime.Intrinsics.Vector128";
        public const string Vector128Create = Vector128 + ".Create";
        public const string Vector512 = "global::System.Runtime.Intrinsics.Vector512";
        public const string Vector512Create = Vector512 + ".Create";
        public const string Vector512CopyTo = Vector512 + ".CopyTo";
        public const string Vector = "global::System.Numerics.Vector";
        public const string VectorLoadUnsafe = Vector + ".LoadUnsafe";
        public const string VectorStoreUnsafe = Vector + ".StoreUnsafe";
        public const string Vector512LoadUnsafe = Vector512 + ".LoadUnsafe";
        public const string Vector512StoreUnsafe = Vector512 + ".StoreUnsafe";
        public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
        public const string GetReference = MemoryMarshal + ".GetReference";
        public const string ArgumentOutOfRangeException = "global::System.ArgumentOutOfRangeException";
        public const string MathMax = "global::System.Math.Max";

        // The forward and backward cores are hot loops called thousands of times from the start of training; tiering
        // would run them as unoptimized code for the first part of a run (measured: cold planar Fit 1.6 s vs 0.18 s).
        public const string MethodImpl = "global::System.Runtime.CompilerServices.MethodImpl";
        public const string AggressiveOptimization = "global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization";
        public const string HotPath = "[" + MethodImpl + "(" + AggressiveOptimization + ")]";
    }
}
