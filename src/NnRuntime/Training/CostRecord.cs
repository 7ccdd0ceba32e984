namespace NnGen;

/// <summary>One point of the cost curve recorded by <see cref="Trainer.Fit"/>.</summary>
/// <param name="Iteration">
/// Completed passes over the data before the cost was measured, so iteration 0 is the initial cost, as the course
/// prints it ("Cost after iteration 0").
/// </param>
/// <param name="Cost">
/// J as the network computed it. With full batches: the cost of the parameters after <paramref name="Iteration"/>
/// updates. With mini-batches: the mean of the batch costs during that pass, weighted by batch size (the parameters
/// change between batches), as the course's mini-batch assignment reports it.
/// </param>
public readonly record struct CostRecord(int Iteration, float Cost);
