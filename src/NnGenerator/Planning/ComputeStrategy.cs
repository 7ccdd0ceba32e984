namespace NnGen.Generator.Planning
{
    /// <summary>How batches and training are computed; chosen by <see cref="StrategyPolicy"/>, stored in the plan.</summary>
    internal enum ComputeStrategy
    {
        /// <summary>
        /// Example-vectorized straight-line code: one example per vector lane, every unit of every layer one vector
        /// expression with its weights at constant offsets; inference in one fused pass, training layer by layer over
        /// the padded batch with the gradient sums in registers.
        /// </summary>
        Tiny,

        /// <summary>Layer by layer through the runtime's GEMM kernels, A[l] cached as (n[l] x m) between them.</summary>
        Kernel,
    }

    /// <summary>How dZ[L] follows from A[L] and Y; decided from the output activation and the loss.</summary>
    internal enum OutputDelta
    {
        /// <summary>dZ[L] = A[L] - Y: the activation and the loss cancel (sigmoid with binary cross-entropy, softmax with categorical cross-entropy, linear with MSE).</summary>
        ActivationMinusLabel,

        /// <summary>dA[L] = A[L] - Y (mean squared error), then dZ[L] = dA[L] * g'(A[L]).</summary>
        SquaredErrorThroughDerivative,

        /// <summary>dA[L] = -(Y/A - (1 - Y)/(1 - A)) (binary cross-entropy), then dZ[L] = dA[L] * g'(A[L]).</summary>
        CrossEntropyThroughDerivative,
    }
}
