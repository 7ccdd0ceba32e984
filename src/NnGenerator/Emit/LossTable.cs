using NnGen.Generator.Model;

namespace NnGen.Generator.Emit
{
    /// <summary>Everything the generator writes about one (resolved) loss.</summary>
    /// <param name="Kind">The loss.</param>
    /// <param name="Prose">Its name in comments, docs and the Summary table.</param>
    /// <param name="TinyCostTerm">The method that adds one unit's per-lane cost terms in the tiny pass.</param>
    /// <param name="CostDivisor">What the tiny pass divides the summed terms by to get J: m, or 2m for the ½ of MSE.</param>
    /// <param name="LabelRange">What a label must be, for the docs; empty when any finite value will do.</param>
    internal sealed record LossRow(LossKind Kind, string Prose, string TinyCostTerm, string CostDivisor, string LabelRange);

    /// <summary>One <see cref="LossRow"/> per resolved loss.</summary>
    internal static class LossTable
    {
        private static readonly LossRow BinaryCrossEntropy = new(LossKind.BinaryCrossEntropy, "binary cross-entropy", RuntimeNames.AddCrossEntropy, "m", ", values in [0, 1]");
        private static readonly LossRow MeanSquaredError = new(LossKind.MeanSquaredError, "mean squared error", RuntimeNames.AddSquaredError, "(2.0 * m)", string.Empty);
        private static readonly LossRow CategoricalCrossEntropy = new(LossKind.CategoricalCrossEntropy, "categorical cross-entropy", RuntimeNames.SoftmaxAddCrossEntropy, "m", ", one-hot rows (values in [0, 1])");

        /// <summary>The row of a resolved loss (never <see cref="LossKind.Default"/> after planning).</summary>
        public static LossRow Of(LossKind loss) => loss switch
        {
            LossKind.BinaryCrossEntropy => BinaryCrossEntropy,
            LossKind.CategoricalCrossEntropy => CategoricalCrossEntropy,
            _ => MeanSquaredError,
        };
    }
}
