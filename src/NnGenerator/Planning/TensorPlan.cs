using NnGen.Generator.Model;

namespace NnGen.Generator.Planning
{
    /// <summary>What a tensor of a layer holds; mirror of the runtime's NnGen.TensorRole.</summary>
    internal enum TensorRole
    {
        Weight = 0,
        Bias = 1,
        Scale = 2,
        Shift = 3,
        RunningMean = 4,
        RunningVariance = 5,
        InputWeight = 6,
        RecurrentWeight = 7,
        InputBias = 8,
        RecurrentBias = 9,
    }

    /// <summary>
    /// One tensor of a layer, as the plan lays it out: its name in weight files (<paramref name="FileName"/>, the
    /// runtime's <c>LayerTensor.Name</c>), the generated member that views it, its shape, and where it starts in the
    /// parameters or, for state (<paramref name="IsState"/>), in the state buffer. Everything that names or places a
    /// tensor (views, offsets, the summary, the architecture the weight files read) derives from this list.
    /// </summary>
    internal sealed record TensorPlan(string FileName, string Member, TensorRole Role, int Rows, int Columns, int Offset, bool IsState, bool Decays)
    {
        public int Length => Rows * Columns;

        /// <summary>The shape when it has more than two dimensions (a convolution's (Cout, Cin / groups, kh, kw)); empty otherwise.</summary>
        public EquatableArray<int> Dimensions { get; init; } = EquatableArray<int>.Empty;

        /// <summary>The generated constant that holds <see cref="Offset"/>.</summary>
        public string OffsetConstant => Member + "Offset";

        /// <summary>
        /// Whether the parameters hold the tensor transposed: a recurrent layer's Wih and Whh, whose shape here is the
        /// file's (PyTorch's (G·H, n)) while the buffer holds (n, G·H) row-major (the runtime's <c>LayerTensor.IsStoredTransposed</c>).
        /// </summary>
        public bool IsStoredTransposed => Role is TensorRole.InputWeight or TensorRole.RecurrentWeight;

        /// <summary>The shape as the parameters hold it: <see cref="ShapeText"/>, or "(n, G·H)" for a tensor stored transposed.</summary>
        public string StoredShapeText => IsStoredTransposed
            ? "(" + Emit.Literals.Int(Columns) + ", " + Emit.Literals.Int(Rows) + ")"
            : ShapeText;

        /// <summary>The shape as weight files and PyTorch write it: "(4, 2)" or "(4)".</summary>
        public string ShapeText => Dimensions.Count > 0
            ? "(" + string.Join(", ", System.Linq.Enumerable.Select(Dimensions, Emit.Literals.Int)) + ")"
            : Columns == 1 && Role is not (TensorRole.Weight or TensorRole.InputWeight or TensorRole.RecurrentWeight)
            ? "(" + Emit.Literals.Int(Rows) + ")"
            : "(" + Emit.Literals.Int(Rows) + ", " + Emit.Literals.Int(Columns) + ")";
    }
}
