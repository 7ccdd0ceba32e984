namespace NnGen;

/// <summary>One point of the cost curve recorded by <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/>.</summary>
/// <param name="Iteration">
/// Completed passes over the data before the cost was measured, so iteration 0 is the initial cost, as the course
/// prints it ("Cost after iteration 0").
/// </param>
/// <param name="Cost">
/// J as the network computed it (plus the L2 term when <see cref="TrainingOptions.L2"/> is set). With full batches: the
/// cost of the parameters after <paramref name="Iteration"/> updates. With mini-batches: the mean of the batch costs
/// during that pass, weighted by batch size (the parameters change between batches), as the course's mini-batch
/// assignment reports it.
/// </param>
/// <param name="ValidationCost">
/// J on <see cref="TrainingOptions.Validation"/> (without any L2 term) for the parameters at the end of that pass, in
/// double; NaN without validation data.
/// </param>
/// <param name="ValidationMetric">
/// On the validation data: the accuracy (see <see cref="Evaluation.Accuracy"/>) for a sigmoid or softmax output,
/// R² (see <see cref="Evaluation.RSquared"/>) for any other; NaN without validation data.
/// </param>
public readonly record struct CostRecord(int Iteration, float Cost, double ValidationCost = double.NaN, double ValidationMetric = double.NaN);
