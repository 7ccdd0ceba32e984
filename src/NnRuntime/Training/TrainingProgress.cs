namespace NnGen;

/// <summary>The cost at one record point of <see cref="Trainer.Fit"/>, as reported to <see cref="TrainingOptions.Progress"/>.</summary>
/// <param name="Iteration">Completed passes over the data before the cost was measured (0 is the initial cost).</param>
/// <param name="Iterations">The total number of passes requested.</param>
/// <param name="Cost">The cost J at that point (see <see cref="CostRecord"/>).</param>
public readonly record struct TrainingProgress(int Iteration, int Iterations, float Cost);
