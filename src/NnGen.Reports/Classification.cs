namespace NnGen.Reports;

/// <summary>Which networks the report treats as classifiers, by the rule of <see cref="Evaluation.ConfusionMatrix"/>.</summary>
internal static class Classification
{
    /// <summary>One sigmoid output (two classes, 0 and 1) or a softmax layer (one class per output).</summary>
    public static bool IsClassifier(ITrainableNetwork network) =>
        (network.OutputActivation == Activation.Sigmoid && network.OutputSize == 1) || network.OutputActivation == Activation.Softmax;

    /// <summary>
    /// An output whose validation metric is R² (<see cref="CostRecord.ValidationMetric"/>): neither sigmoid nor softmax,
    /// so the outputs are values, not class scores.
    /// </summary>
    public static bool IsRegression(ITrainableNetwork network) =>
        network.OutputActivation is not (Activation.Sigmoid or Activation.Softmax);

    /// <summary>The number of classes a classifier tells apart.</summary>
    public static int ClassCount(ITrainableNetwork network) => network.OutputSize == 1 ? 2 : network.OutputSize;
}
