using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>
    /// How a recurrent network streams, decided from its layers alone: whether <c>Step</c>, <c>Process</c> and the frozen
    /// copy run the whole network as one kernel call per block of steps, the recurrent layer's step with its Dense readout
    /// summed as h' leaves the cell (<c>RecurrentKernels.LstmDenseSteps</c>, <c>GruDenseSteps</c> and their packed forms),
    /// or layer by layer through <c>StepCore</c> (the layer's step, then <c>Gemm.MatVec</c> for a Dense layer).
    /// </summary>
    internal static class StreamingPolicy
    {
        /// <summary>
        /// The most outputs a fused readout takes. Each output adds a multiply-add per vector of h' and sixteen partial
        /// sums reduced once per step; the amp-model shapes this is for have one. Wider layers keep <c>Gemm.MatVec</c>,
        /// whose row blocks share their loads of h across eight or sixteen rows.
        /// </summary>
        public const int FusedReadoutOutputLimit = 8;

        /// <summary>
        /// Whether the network is one recurrent layer returning every step followed by a linear Dense output layer of at
        /// most <see cref="FusedReadoutOutputLimit"/> units: the shape whose streaming step runs fused. Anything else
        /// (stacked or many-to-one layers, a Dense layer with an activation or more outputs, other kinds before or after)
        /// streams layer by layer.
        /// </summary>
        public static bool FusesReadout(NetworkPlan plan) =>
            plan.IsRecurrent && plan.Layers.Count == 2 && plan.Layers[0].IsRecurrent && plan.Layers[0].ReturnSequences &&
            plan.Layers[1].IsDense && plan.Layers[1].Activation == ActivationKind.Linear && plan.Layers[1].Units <= FusedReadoutOutputLimit;
    }
}
