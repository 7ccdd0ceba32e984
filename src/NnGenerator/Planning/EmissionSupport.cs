using System.Linq;
using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>
    /// Declarations that validate but that the emitters have no code for. Softmax normalizes across the output units
    /// and pairs only with categorical cross-entropy (its backward is dZ[L] = A[L] − Y): on a hidden layer, on a single
    /// unit (where it is the constant 1), or with another loss, the generator emits nothing; nor for a network that does
    /// not end in a Dense layer, whose output no loss is defined on. The validator reports these
    /// declarations as errors; this check keeps the generator from emitting wrong code should a rule be missing.
    /// </summary>
    internal static class EmissionSupport
    {
        public static bool CanEmit(NetworkSpec spec)
        {
            if (spec.Layers.Count == 0)
            {
                return true;
            }

            LayerSpec output = spec.Layers[spec.Layers.Count - 1];
            if (output.Kind != LayerKind.Dense)
            {
                return false;
            }

            bool softmaxOutput = output.Activation == ActivationKind.Softmax;
            bool categorical = NetworkRules.ResolveLoss((LossKind)spec.LossValue, output.Activation) == LossKind.CategoricalCrossEntropy;
            return spec.Layers.Take(spec.Layers.Count - 1).All(layer => layer.Activation != ActivationKind.Softmax) &&
                   softmaxOutput == categorical &&
                   (!softmaxOutput || output.Units > 1);
        }
    }
}
