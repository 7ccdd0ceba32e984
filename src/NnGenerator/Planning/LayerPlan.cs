using NnGen.Generator.Model;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Planning
{
    /// <summary>One layer's sizes, where its parameters and cached activations live, and how one example goes through it.</summary>
    internal sealed record LayerPlan(int Index, int Inputs, int Units, ActivationKind Activation, InitKind Init, int WeightOffset, int BiasOffset, int CacheOffset)
    {
        public int WeightLength => Units * Inputs;

        /// <summary>Whether the layer is small enough for the fused example-vectorized pass (<see cref="StrategyPolicy.IsSmall"/>).</summary>
        public bool IsSmall { get; } = StrategyPolicy.IsSmall(Inputs, Units);

        /// <summary>Whether one example goes through this layer as straight-line code (<see cref="StrategyPolicy.IsUnrolled"/>).</summary>
        public bool IsUnrolled { get; } = StrategyPolicy.IsUnrolled(Inputs, Units);

        /// <summary>The parameter index of W[j, k].</summary>
        public int WeightIndex(int j, int k) => WeightOffset + (j * Inputs) + k;

        public string W => GeneratedNames.WeightPrefix + Int(Index);

        public string B => "b" + Int(Index);

        public string A => "a" + Int(Index);
    }
}
