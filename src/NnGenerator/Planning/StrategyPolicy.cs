using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>
    /// Every choice of how a network is computed, made from its sizes alone before any code is written: which layers one
    /// example goes through as straight-line code, which <see cref="ComputeStrategy"/> batches and training take, and
    /// how dZ[L] is formed. Emitters read these decisions from the plan; none of them re-derives one.
    /// </summary>
    internal static class StrategyPolicy
    {
        /// <summary>
        /// Layers with at most this many weights (fan-in × fan-out) are emitted as straight-line code for one example:
        /// one expression per unit with constant offsets, tanh/sigmoid four units at a time. Chosen by the Dense N→N
        /// benchmarks (tests/NnGen.Benchmarks): unrolled beats the MatVec kernel up to 8 × 8 and loses from 16 × 16 on.
        /// </summary>
        public const int UnrolledWeightLimit = 64;

        /// <summary>
        /// Layers unrolled for one example also have at most this many inputs: a unit's sum over 64 inputs as scalar code
        /// is 64 loads, multiplies and adds where the MatVec kernel does 8 vector FMAs; on [16,64,64,1] the unrolled
        /// 64 → 1 output layer was about 1,100 of the 8,000 instructions of a prediction (valgrind --tool=callgrind).
        /// </summary>
        public const int UnrolledFanInLimit = 16;

        /// <summary>
        /// A network whose every layer is small (<see cref="IsSmall"/>) and whose parameters number at most this many
        /// trains and predicts batches with <see cref="ComputeStrategy.Tiny"/>: one lane per example, every layer's
        /// activations and every gradient accumulator in vector registers.
        /// </summary>
        public const int TinyParameterLimit = 128;

        /// <summary>Whether a layer is small enough for the fused example-vectorized pass of a tiny network.</summary>
        public static bool IsSmall(int inputs, int units) => (long)inputs * units <= UnrolledWeightLimit;

        /// <summary>Whether one example goes through a layer as straight-line code rather than the MatVec kernel.</summary>
        public static bool IsUnrolled(int inputs, int units) => IsSmall(inputs, units) && inputs <= UnrolledFanInLimit;

        /// <summary>How dZ[L] is formed for this output activation and (resolved) loss.</summary>
        public static OutputDelta ChooseOutputDelta(ActivationKind output, LossKind loss) =>
            (loss == LossKind.BinaryCrossEntropy && output == ActivationKind.Sigmoid) ||
            (loss == LossKind.MeanSquaredError && output == ActivationKind.Linear) ||
            (loss == LossKind.CategoricalCrossEntropy && output == ActivationKind.Softmax)
                ? OutputDelta.ActivationMinusLabel
                : loss == LossKind.MeanSquaredError ? OutputDelta.SquaredErrorThroughDerivative
                : OutputDelta.CrossEntropyThroughDerivative;

        /// <summary>
        /// <see cref="ComputeStrategy.Tiny"/> when every layer is small, the parameters fit <see cref="TinyParameterLimit"/>,
        /// and the fused pass forms this dZ[L] (all but cross-entropy after a non-sigmoid output); otherwise the kernels.
        /// The fused pass is dense only: a network with a layer of another kind is never small (<see cref="LayerPlan.IsSmall"/>).
        /// </summary>
        public static ComputeStrategy ChooseStrategy(IReadOnlyList<LayerPlan> layers, int parameterCount, OutputDelta outputDelta) =>
            parameterCount <= TinyParameterLimit && layers.All(layer => layer.IsSmall) && outputDelta != OutputDelta.CrossEntropyThroughDerivative
                ? ComputeStrategy.Tiny
                : ComputeStrategy.Kernel;
    }
}
