using NnGen.Generator.Model;

namespace NnGen.Generator.Validation
{
    /// <summary>What this generator emits, and what it decides to emit for one declaration.</summary>
    internal static class GeneratorSupport
    {
        /// <summary>
        /// Activations the emitters generate code for. Activation.Softmax is a runtime enum value whose generated forward
        /// and backward (a normalization over the output units, not an element-wise map) are not emitted yet, so a
        /// network using it is an error (NNG0023) rather than code that would silently treat it as element-wise.
        /// </summary>
        public static bool Generates(ActivationKind activation) => activation != ActivationKind.Softmax;
    }

    /// <summary>What the generator emits for one [Network] declaration.</summary>
    internal enum GenerationKind
    {
        /// <summary>Nothing: the class cannot take a generated part (the NNG or compiler error says why).</summary>
        None,

        /// <summary>Only the public members, each throwing, so the declaration's one error is all the user sees.</summary>
        Surface,

        /// <summary>The network.</summary>
        Network,
    }
}
