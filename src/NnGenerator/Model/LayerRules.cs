using System.Linq;

namespace NnGen.Generator.Model
{
    /// <summary>
    /// What each <see cref="LayerKind"/> is, in one place: its name as users write it, and how many trainable floats and
    /// state floats a layer of that kind holds. The validator counts with it; the plan lays the tensors out to match.
    /// </summary>
    internal static class LayerRules
    {
        /// <summary>The attribute's name, as messages and the summary say it.</summary>
        public static string KindName(LayerKind kind) => kind switch
        {
            LayerKind.Dense => "Dense",
            LayerKind.Dropout => "Dropout",
            LayerKind.BatchNorm => "BatchNorm",
            LayerKind.LayerNorm => "LayerNorm",
            LayerKind.Lstm => "Lstm",
            LayerKind.Gru => "Gru",
            LayerKind.Conv1D => "Conv1D",
            LayerKind.Conv2D => "Conv2D",
            LayerKind.MaxPool1D => "MaxPool1D",
            LayerKind.MaxPool2D => "MaxPool2D",
            LayerKind.AvgPool1D => "AvgPool1D",
            LayerKind.AvgPool2D => "AvgPool2D",
            LayerKind.GlobalAvgPool => "GlobalAvgPool",
            LayerKind.Flatten => "Flatten",
            _ => kind.ToString(),
        };

        /// <summary>
        /// Whether the network runs over time steps, one sample of n[0] features per step: it has an LSTM or GRU layer,
        /// or (declared with <c>Inputs</c>, not an <c>Input</c> shape) a causal Conv1D, which then streams too.
        /// </summary>
        public static bool IsSequenceNetwork(NetworkSpec spec) =>
            spec.Layers.Any(layer => IsRecurrent(layer.Kind)) || (spec.InputShape.Count == 0 && spec.Layers.Any(IsCausalConvolution));

        /// <summary>A Conv1D with causal padding: in a sequence network, a layer with the recent inputs as its stream state.</summary>
        public static bool IsCausalConvolution(LayerSpec layer) => layer.Kind == LayerKind.Conv1D && layer.PaddingMode == PaddingModeKind.Causal;

        /// <summary>
        /// The floats of one stream's history a causal Conv1D keeps: the runtime's <c>CausalConvKernels.HistoryLength</c>,
        /// d·Cin·K + 1 (d phase blocks of Cin × K samples, and the phase).
        /// </summary>
        public static int CausalHistoryFloats(int inChannels, int kernel, int dilation) => (dilation * inChannels * kernel) + 1;

        /// <summary>Whether the kind runs over time steps with a state of its own (LSTM, GRU).</summary>
        public static bool IsRecurrent(LayerKind kind) => kind is LayerKind.Lstm or LayerKind.Gru;

        /// <summary>Whether the kind sets the feature count (Dense, recurrent) rather than keeping the one it is given.</summary>
        public static bool HasUnits(LayerKind kind) => kind == LayerKind.Dense || IsRecurrent(kind);

        /// <summary>G, the gates of a recurrent kind (PyTorch's order: LSTM i, f, g, o; GRU r, z, n); 0 otherwise.</summary>
        public static int GateCount(LayerKind kind) => kind switch
        {
            LayerKind.Lstm => 4,
            LayerKind.Gru => 3,
            _ => 0,
        };

        /// <summary>The floats of one stream's state a layer carries from step to step: h (GRU), h and c (LSTM).</summary>
        public static int StreamStateCount(LayerKind kind, int units) => kind switch
        {
            LayerKind.Lstm => 2 * units,
            LayerKind.Gru => units,
            _ => 0,
        };

        /// <summary>Trainable floats: W and b for Dense, γ and β for the normalizations, none for dropout, Wih, Whh, bih and bhh for the recurrent kinds.</summary>
        public static long ParameterCount(LayerKind kind, long inputs, long units) => kind switch
        {
            LayerKind.Dense => (units * inputs) + units,
            LayerKind.BatchNorm or LayerKind.LayerNorm => 2 * units,
            LayerKind.Lstm or LayerKind.Gru => GateCount(kind) * units * (inputs + units + 2),
            _ => 0,
        };

        /// <summary>Non-trainable floats: batch norm's running mean and variance.</summary>
        public static long StateCount(LayerKind kind, long units) => kind == LayerKind.BatchNorm ? 2 * units : 0;

        /// <summary>Whether training computes something Predict does not (a mask, batch statistics).</summary>
        public static bool HasTrainingMode(LayerKind kind) => kind is LayerKind.Dropout or LayerKind.BatchNorm;
    }
}
