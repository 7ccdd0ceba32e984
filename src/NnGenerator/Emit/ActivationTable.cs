using System;
using NnGen.Generator.Model;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// Everything the generator writes about one activation: how comments name it and its derivative, and the calls
    /// that compute it in each kind of emitted code. Adding an activation is one row here (a test fails when a runtime
    /// <c>NnGen.Activation</c> value has none), the enum value, and the runtime's operator.
    /// </summary>
    /// <param name="Kind">The activation.</param>
    /// <param name="Prose">Its name in comments and the Summary table.</param>
    /// <param name="Derivative">g'(z) written in terms of a = g(z), as the course writes it; "A" stands for the layer's A[l] (Literals.Derivative numbers it).</param>
    /// <param name="Vector">a = g(z) on one vector of examples (the tiny pass); <paramref name="Kind"/>'s z unchanged when linear.</param>
    /// <param name="BackwardKernel">
    /// The ActivationKernels method for dZ = dA * g'(A), with a vector overload (tiny pass) and a span overload
    /// (kernel path); <see langword="null"/> when g' = 1.
    /// </param>
    /// <param name="Scalar">
    /// a = g(z) for one unit of an unrolled layer as a scalar expression, or <see langword="null"/> when the unrolled
    /// layer computes it four units at a time through <paramref name="Vector128"/>.
    /// </param>
    /// <param name="ScalarNeedsZ">Whether <paramref name="Scalar"/> reads z more than once, so z is a local first.</param>
    /// <param name="Vector128">The VectorMath function an unrolled layer applies four units at a time.</param>
    /// <param name="VectorPair">
    /// The VectorMath method that computes g on two vectors of examples at once, their dependency chains side by side
    /// (the tiny pass's training loops), or <see langword="null"/> when <paramref name="Vector"/> is cheap enough per vector.
    /// </param>
    /// <param name="AcrossUnits">
    /// Whether g normalizes across a layer's units (softmax) rather than acting on each z alone: the calls above are
    /// then the identity, and the emitters apply the normalization to the whole layer afterwards.
    /// </param>
    internal sealed record ActivationRow(
        ActivationKind Kind,
        string Prose,
        string Derivative,
        Func<string, string> Vector,
        string? BackwardKernel,
        Func<string, string>? Scalar,
        bool ScalarNeedsZ,
        string? Vector128,
        string? VectorPair = null,
        bool AcrossUnits = false)
    {
        /// <summary>The activation a kernel applies as it stores Z: this one, or none (linear) when the layer normalizes afterwards.</summary>
        public ActivationKind Epilogue => AcrossUnits ? ActivationKind.Linear : Kind;
    }

    /// <summary>One <see cref="ActivationRow"/> per activation, indexed by its value.</summary>
    internal static class ActivationTable
    {
        private static readonly ActivationRow[] Rows =
        {
            new(ActivationKind.Sigmoid, "sigmoid", "A(1 - A)", z => $"{RuntimeNames.Sigmoid}({z})", RuntimeNames.SigmoidBackward, null, false, RuntimeNames.Sigmoid, RuntimeNames.Sigmoid),
            new(ActivationKind.Tanh, "tanh", "(1 - A²)", z => $"{RuntimeNames.Tanh}({z})", RuntimeNames.TanhBackward, null, false, RuntimeNames.Tanh, RuntimeNames.Tanh),
            new(ActivationKind.ReLU, "ReLU", "(A > 0 ? 1 : 0)", z => $"{RuntimeNames.ReLU}({z})", RuntimeNames.ReLUBackward, z => $"{RuntimeNames.MathFMax}({z}, 0f)", false, null),
            new(ActivationKind.LeakyReLU, "leaky ReLU", "(A > 0 ? 1 : 0.01)", z => $"{RuntimeNames.LeakyReLU}({z})", RuntimeNames.LeakyReLUBackward, z => $"{z} > 0f ? {z} : {RuntimeNames.LeakySlope} * {z}", true, null),
            new(ActivationKind.Linear, "linear", "1", z => z, null, z => z, false, null),

            // Only on an output layer with categorical cross-entropy (EmissionSupport), where dZ = A - Y needs no g'.
            new(ActivationKind.Softmax, "softmax", "(no element-wise derivative)", z => z, null, z => z, false, null, AcrossUnits: true),
        };

        /// <summary>Every row, in enum order.</summary>
        public static ReadOnlySpan<ActivationRow> All => Rows;

        /// <summary>The row of <paramref name="activation"/> (a validated network has only defined values).</summary>
        public static ActivationRow Of(ActivationKind activation) => Rows[(int)activation];
    }
}
