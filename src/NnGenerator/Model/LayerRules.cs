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
            _ => kind.ToString(),
        };

        /// <summary>Trainable floats: W and b for Dense, γ and β for the normalizations, none for dropout.</summary>
        public static long ParameterCount(LayerKind kind, long inputs, long units) => kind switch
        {
            LayerKind.Dense => (units * inputs) + units,
            LayerKind.BatchNorm or LayerKind.LayerNorm => 2 * units,
            _ => 0,
        };

        /// <summary>Non-trainable floats: batch norm's running mean and variance.</summary>
        public static long StateCount(LayerKind kind, long units) => kind == LayerKind.BatchNorm ? 2 * units : 0;

        /// <summary>Whether training computes something Predict does not (a mask, batch statistics).</summary>
        public static bool HasTrainingMode(LayerKind kind) => kind is LayerKind.Dropout or LayerKind.BatchNorm;
    }
}
