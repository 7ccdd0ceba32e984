using System;
using System.Collections.Generic;

namespace NnGen;

/// <summary>What happened during one call to <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/>.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(
        IReadOnlyList<CostRecord> costs,
        float finalCost,
        bool finalCostIsPriced,
        TimeSpan elapsed,
        TrainingStatus status,
        int iterationsCompleted,
        int? divergedAtIteration,
        float divergedCost,
        int? bestIteration = null,
        string? problem = null,
        int? problemAtIteration = null)
    {
        BestIteration = bestIteration;
        Problem = problem;
        ProblemAtIteration = problemAtIteration;
        Costs = costs;
        FinalCost = finalCost;
        FinalCostIsPriced = finalCostIsPriced;
        Elapsed = elapsed;
        Status = status;
        IterationsCompleted = iterationsCompleted;
        DivergedAtIteration = divergedAtIteration;
        DivergedCost = divergedCost;
    }

    /// <summary>
    /// The costs measured at iteration 0, every <see cref="TrainingOptions.RecordEvery"/>-th iteration, and the last
    /// iteration that ran, in order, with the validation figures when there is validation data. A diverging iteration
    /// is not recorded here (see <see cref="DivergedCost"/>). The list grows as points are recorded, so a run of
    /// <see cref="int.MaxValue"/> iterations (train until cancelled) allocates only for the points it reaches.
    /// </summary>
    public IReadOnlyList<CostRecord> Costs { get; }

    /// <summary>
    /// When <see cref="FinalCostIsPriced"/> (always with full batches): the cost of the parameters the network holds now,
    /// after the last update, from one extra forward pass over the whole data set evaluated by <see cref="Losses"/> in
    /// double. It is the number to compare with the course's final cost; the last entry of <see cref="Costs"/> was
    /// measured one update earlier. Otherwise (mini-batches and batch sources, unless
    /// <see cref="TrainingOptions.PriceFinalCost"/> asks for the pass): the last pass's recorded cost, the mean of its
    /// batch costs weighted by batch size, measured while that pass's updates ran.
    /// After divergence it is the cost of the finite parameters kept, which may itself be too large for a float (∞).
    /// </summary>
    public float FinalCost { get; }

    /// <summary>
    /// Whether <see cref="FinalCost"/> was priced by a forward pass over the whole training data with the final
    /// parameters, rather than taken from the last pass's batch costs (see <see cref="TrainingOptions.PriceFinalCost"/>).
    /// </summary>
    public bool FinalCostIsPriced { get; }

    /// <summary>Wall-clock time of the training loop, including the final forward pass.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// How training ended: <see cref="TrainingStatus.Completed"/> or <see cref="TrainingStatus.StoppedEarly"/> when it
    /// went as intended, otherwise what went wrong (see <see cref="Problem"/>).
    /// </summary>
    public TrainingStatus Status { get; }

    /// <summary>
    /// A sentence saying what went wrong, with the iteration and the figures (for example "the cost ended at 8.1, above
    /// the 0.69 it started at"); <see langword="null"/> when <see cref="Status"/> is <see cref="TrainingStatus.Completed"/>
    /// or <see cref="TrainingStatus.StoppedEarly"/>.
    /// </summary>
    public string? Problem { get; }

    /// <summary>
    /// The iteration (pass) where the problem of <see cref="Problem"/> shows: the divergent pass, the pass after which
    /// the cost or the parameters started the rise that training ended in, or the last pass when the cost ended above
    /// where it started; <see langword="null"/> when there is no problem.
    /// </summary>
    public int? ProblemAtIteration { get; }

    /// <summary>
    /// With <see cref="TrainingOptions.Validation"/>: the record point (iteration) with the best validation figure (the one
    /// <see cref="TrainingOptions.EarlyStopping"/> watches, the validation cost without early stopping). With early
    /// stopping the network holds the parameters of that point. <see langword="null"/> without validation data.
    /// </summary>
    public int? BestIteration { get; }

    /// <summary>
    /// Passes over the data that ran to completion: <see cref="TrainingOptions.Iterations"/> when every pass ran, the
    /// passes before the stop with <see cref="TrainingStatus.StoppedEarly"/>, and the same as
    /// <see cref="DivergedAtIteration"/> with <see cref="TrainingStatus.Diverged"/>.
    /// </summary>
    public int IterationsCompleted { get; }

    /// <summary>
    /// The pass during which divergence was detected (0-based, so also the number of completed passes), or
    /// <see langword="null"/> when training completed. With full batches the parameters are exactly those after this
    /// many updates; with mini-batches, those after the last batch update that stayed finite.
    /// </summary>
    public int? DivergedAtIteration { get; }

    /// <summary>
    /// The cost reported by the step that diverged: the non-finite cost itself, or the (finite) cost of the step whose
    /// gradient was non-finite or whose update would have overflowed. <see cref="float.NaN"/> when training completed,
    /// so check <see cref="Status"/> first.
    /// </summary>
    public float DivergedCost { get; }
}
