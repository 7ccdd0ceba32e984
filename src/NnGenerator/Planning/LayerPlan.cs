using System.Linq;
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

        /// <summary>The generated constant n[l].</summary>
        public string UnitsConstant => "Layer" + Int(Index) + "Units";

        /// <summary>The generated constant n[l-1].</summary>
        public string InputsConstant => "Layer" + Int(Index) + "Inputs";

        /// <summary>The generated constant where W[l] starts in the parameters.</summary>
        public string WeightOffsetConstant => W + "Offset";

        /// <summary>The generated constant where b[l] starts in the parameters.</summary>
        public string BiasOffsetConstant => B + "Offset";

        /// <summary>Σ n[k] for k &lt; l in the generated constants: where A[l] starts, in rows, in a cache of A[1..L].</summary>
        public string RowsBefore => Index == 1 ? "0"
            : Index == 2 ? "Layer1Units"
            : "(" + string.Join(" + ", Enumerable.Range(1, Index - 1).Select(k => "Layer" + Int(k) + "Units")) + ")";

        /// <summary>The weight count n[l] x n[l-1] in the generated constants.</summary>
        public string WeightLengthExpression => UnitsConstant + " * " + InputsConstant;
    }
}
