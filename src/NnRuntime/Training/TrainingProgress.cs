namespace NnGen;

/// <summary>The figures at one record point of <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/>, as reported to <see cref="TrainingOptions.Progress"/>.</summary>
/// <param name="Iteration">Completed passes over the data before the cost was measured (0 is the initial cost).</param>
/// <param name="Iterations">The total number of passes requested.</param>
/// <param name="Cost">The cost J at that point (see <see cref="CostRecord"/>).</param>
/// <param name="ValidationCost">The validation cost (see <see cref="CostRecord.ValidationCost"/>); NaN without validation data.</param>
/// <param name="ValidationMetric">The validation metric (see <see cref="CostRecord.ValidationMetric"/>); NaN without validation data.</param>
public readonly record struct TrainingProgress(int Iteration, int Iterations, float Cost, double ValidationCost = double.NaN, double ValidationMetric = double.NaN);
