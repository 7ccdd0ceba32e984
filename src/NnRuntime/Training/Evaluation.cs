namespace NnGen;

/// <summary>How well a network fits a data set, from <see cref="Trainer.Evaluate(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float})"/>.</summary>
/// <param name="Cost">J of the network's loss, in double precision (see <see cref="Losses"/>).</param>
/// <param name="Accuracy">
/// The fraction of examples classified right, in [0, 1]. For a softmax output: the largest output is the labelled
/// class (the largest label value). For a sigmoid output: every output is on the right side of 0.5 (prediction &gt; 0.5
/// exactly when label &gt; 0.5), so with several outputs an example counts only when all of its labels are right (see
/// <see cref="LabelAccuracy"/> for the per-label figure). For any other output activation there is no class, so it is
/// <see cref="double.NaN"/> and the regression figures below apply. NaN too when a prediction is not finite.
/// </param>
/// <param name="Examples">m, the number of examples evaluated.</param>
public sealed record Evaluation(double Cost, double Accuracy, int Examples)
{
    /// <summary>
    /// For a sigmoid output, the fraction of the m × n[L] label values on the right side of 0.5 (NnGen's accuracy
    /// before multi-label outputs were counted per example); the same as <see cref="Accuracy"/> with one output.
    /// NaN for other outputs.
    /// </summary>
    public double LabelAccuracy { get; init; } = double.NaN;

    /// <summary>
    /// Counts of (actual, predicted) classes for a softmax output (n[L] classes) or a single sigmoid output (2 classes:
    /// 0 and 1); <see langword="null"/> for multi-label sigmoid outputs, regression outputs, or non-finite predictions.
    /// </summary>
    public ConfusionMatrix? ConfusionMatrix { get; init; }

    /// <summary>(1 / (m·n[L])) Σ (a − y)², the mean of the squared errors (the cost of squared error is half of this per output). Always computed.</summary>
    public double MeanSquaredError { get; init; } = double.NaN;

    /// <summary>(1 / (m·n[L])) Σ |a − y|. Always computed.</summary>
    public double MeanAbsoluteError { get; init; } = double.NaN;

    /// <summary>
    /// R² = 1 − Σ (a − y)² / Σ (y − ȳ)², per output and then averaged over the outputs (scikit-learn's
    /// <c>r2_score</c> with uniform averaging): 1 is a perfect fit, 0 is no better than predicting the mean, negative is
    /// worse. An output whose labels are all equal scores 1 when predicted exactly and 0 otherwise. Always computed.
    /// </summary>
    public double RSquared { get; init; } = double.NaN;
}
