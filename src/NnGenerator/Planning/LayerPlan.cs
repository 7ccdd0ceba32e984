using System.Linq;
using NnGen.Generator.Model;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Planning
{
    /// <summary>
    /// One layer's kind and sizes, where its tensors and cached activations live, and how one example goes through it.
    /// For Dense, <see cref="WeightOffset"/> and <see cref="BiasOffset"/> place W and b; the normalizations put γ and β
    /// there; every kind lists its tensors in <see cref="Tensors"/>, which is what names and places them everywhere.
    /// </summary>
    internal sealed record LayerPlan(int Index, int Inputs, int Units, ActivationKind Activation, InitKind Init, int WeightOffset, int BiasOffset, int CacheOffset)
    {
        public LayerKind Kind { get; init; } = LayerKind.Dense;

        /// <summary>Dropout's p; the normalizations' ε; batch norm's momentum (0 where the kind has none).</summary>
        public double Rate { get; init; }

        public double Epsilon { get; init; }

        public double Momentum { get; init; }

        /// <summary>Recurrent kinds: whether the next layer sees every step (true) or only the last one.</summary>
        public bool ReturnSequences { get; init; } = true;

        /// <summary>Recurrent kinds: where the layer's h (then, for LSTM, c) starts in a stream's <c>State</c>.</summary>
        public int StreamStateOffset { get; init; }

        /// <summary>
        /// <see cref="StreamStateOffset"/> in the generated constants: the earlier recurrent layers' h (and c) sizes, "0"
        /// for the first, "(2 * Layer1Units)" after an LSTM of layer 1.
        /// </summary>
        public string StreamStateOffsetExpression { get; init; } = "0";

        public bool IsRecurrent => LayerRules.IsRecurrent(Kind);

        /// <summary>A causal Conv1D of a network over time steps: it streams, its history in the stream's <c>State</c>.</summary>
        public bool IsCausalStep => Kind == LayerKind.Conv1D && StreamStateFloats > 0;

        /// <summary>
        /// The floats of one stream's state the layer carries from step to step: h (GRU), h and c (LSTM), a causal Conv1D's
        /// history (<see cref="LayerRules.CausalHistoryFloats"/>); 0 for the other kinds and outside networks over time.
        /// </summary>
        public int StreamStateFloats { get; init; }

        /// <summary>One example's shape in and out: (n) for features, (C, L) or (C, H, W) for the shaped kinds.</summary>
        public EquatableArray<int> InputShape { get; init; } = EquatableArray<int>.Empty;

        public EquatableArray<int> OutputShape { get; init; } = EquatableArray<int>.Empty;

        /// <summary>Convolutions: the arithmetic (the runtime's ConvGeometry is built from it).</summary>
        public ConvShape? Conv { get; init; }

        /// <summary>Max and average pools: the arithmetic (the runtime's PoolGeometry is built from it).</summary>
        public PoolShape? Pool { get; init; }

        /// <summary>The generated static field holding the layer's ConvGeometry or PoolGeometry.</summary>
        public string GeometryField => "Layer" + Int(Index) + "Geometry";

        /// <summary>Recurrent kinds: G·H, the rows of Wih, Whh, bih and bhh.</summary>
        public int GateRows => LayerRules.GateCount(Kind) * Units;

        /// <summary>The layer's parameter and state tensors, in buffer order.</summary>
        public EquatableArray<TensorPlan> Tensors { get; init; } = EquatableArray<TensorPlan>.Empty;

        /// <summary>
        /// Where the layer's training cache beyond A[l] starts, in floats per example, in the workspace's extra region:
        /// the dropout mask, the normalizations' x̂ and 1/σ. <see cref="ExtraCachePerExample"/> floats per example.
        /// </summary>
        public int ExtraCacheOffset { get; init; }

        public int ExtraCachePerExample => Kind switch
        {
            LayerKind.Dropout => Units,
            // x̂ (n x m) and 1/σ per feature: n floats, which fit the second n x m block for every m ≥ 1.
            LayerKind.BatchNorm => 2 * Units,
            // x̂ (n x m) and 1/σ per example.
            LayerKind.LayerNorm => Units + 1,
            _ => 0,
        };

        public int WeightLength => Kind == LayerKind.Dense ? Units * Inputs : 0;

        public bool IsDense => Kind == LayerKind.Dense;

        /// <summary>Whether the layer is small enough for the fused example-vectorized pass (<see cref="StrategyPolicy.IsSmall"/>).</summary>
        public bool IsSmall => IsDense && StrategyPolicy.IsSmall(Inputs, Units);

        /// <summary>Whether one example goes through this layer as straight-line code (<see cref="StrategyPolicy.IsUnrolled"/>).</summary>
        public bool IsUnrolled => IsDense && StrategyPolicy.IsUnrolled(Inputs, Units);

        /// <summary>The tensor with <paramref name="role"/>.</summary>
        public TensorPlan Tensor(TensorRole role) => System.Linq.Enumerable.First(Tensors, tensor => tensor.Role == role);

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
