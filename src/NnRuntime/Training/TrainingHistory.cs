using System;
using System.Collections.Generic;

namespace NnGen;

/// <summary>What happened during one call to <see cref="Trainer.Fit"/>.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(
        IReadOnlyList<CostRecord> costs,
        float finalCost,
        TimeSpan elapsed,
        TrainingStatus status,
        int iterationsCompleted,
        int? divergedAtIteration,
        float divergedCost)
    {
        Costs = costs;
        FinalCost = finalCost;
        Elapsed = elapsed;
        Status = status;
        IterationsCompleted = iterationsCompleted;
        DivergedAtIteration = divergedAtIteration;
        DivergedCost = divergedCost;
    }

    /// <summary>
    /// The costs measured at iteration 0, every <see cref="TrainingOptions.RecordEvery"/>-th iteration, and the last
    /// iteration that ran, in order. A diverging iteration is not recorded here (see <see cref="DivergedCost"/>).
    /// </summary>
    public IReadOnlyList<CostRecord> Costs { get; }

    /// <summary>
    /// The cost of the parameters the network holds now, after the last update: one extra forward pass over the whole
    /// data set, evaluated by <see cref="Losses"/> in double. It is the number to compare with the course's final cost;
    /// the last entry of <see cref="Costs"/> was measured one update (or, with mini-batches, one pass) earlier.
    /// After divergence it is the cost of the finite parameters kept, which may itself be too large for a float (∞).
    /// </summary>
    public float FinalCost { get; }

    /// <summary>Wall-clock time of the training loop, including the final forward pass.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Whether every pass ran or training stopped on divergence.</summary>
    public TrainingStatus Status { get; }

    /// <summary>
    /// Passes over the data that ran to completion: <see cref="TrainingOptions.Iterations"/> when
    /// <see cref="Status"/> is <see cref="TrainingStatus.Completed"/>, otherwise the same as <see cref="DivergedAtIteration"/>.
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
