using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>Defaults that depend on the architecture, resolved at compile time. Mirrors the runtime's rules (tested).</summary>
    internal static class NetworkRules
    {
        /// <summary>Default loss: binary cross-entropy for a sigmoid output, categorical cross-entropy for softmax, mean squared error otherwise.</summary>
        public static LossKind ResolveLoss(LossKind loss, ActivationKind output) =>
            loss != LossKind.Default ? loss
            : output == ActivationKind.Sigmoid ? LossKind.BinaryCrossEntropy
            : output == ActivationKind.Softmax ? LossKind.CategoricalCrossEntropy
            : LossKind.MeanSquaredError;

        /// <summary>A layer's own Init wins over the network's; Default follows the activation (He for ReLU family, Xavier otherwise).</summary>
        public static InitKind ResolveInit(InitKind layer, InitKind network, ActivationKind activation)
        {
            InitKind chosen = layer != InitKind.Default ? layer : network;
            if (chosen != InitKind.Default)
            {
                return chosen;
            }

            return activation is ActivationKind.ReLU or ActivationKind.LeakyReLU ? InitKind.He : InitKind.Xavier;
        }
    }
}
