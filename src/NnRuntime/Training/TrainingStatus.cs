namespace NnGen;

/// <summary>
/// How a call to <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> ended (cancellation throws instead). Only <see cref="Completed"/> and
/// <see cref="StoppedEarly"/> mean training went as intended; every other value says plainly that it did not, with
/// <see cref="TrainingHistory.Problem"/> and <see cref="TrainingHistory.ProblemAtIteration"/> saying what and where.
/// </summary>
public enum TrainingStatus
{
    /// <summary>Every requested pass ran and none of the failures below was seen.</summary>
    Completed = 0,

    /// <summary>
    /// A cost or gradient was not finite, or the next update would have made a parameter non-finite; training stopped
    /// with the finite parameters it had.
    /// </summary>
    Diverged = 1,

    /// <summary>
    /// <see cref="TrainingOptions.EarlyStopping"/> stopped training because the validation figure stopped improving;
    /// the network holds the parameters of the best record point.
    /// </summary>
    StoppedEarly = 2,

    /// <summary>
    /// Every pass ran, but the final cost is above the first recorded cost: training made the network worse (typically a
    /// learning rate far too large, which saturates the outputs instead of overflowing).
    /// </summary>
    CostIncreased = 3,

    /// <summary>Every pass ran, but the cost rose at each of the last record points: training was getting worse when it ended.</summary>
    CostRising = 4,

    /// <summary>
    /// Every pass ran, but the largest parameter magnitude at least doubled between each of the last record points:
    /// the parameters were growing without bound (divergence in progress).
    /// </summary>
    ParametersGrowing = 5,

    /// <summary>
    /// Training ran without a failure above, but the final cost of a classifier (binary or categorical cross-entropy,
    /// without the L2 term) is no better than guessing: within 1 % of, or above, the cost of always predicting the
    /// training labels' class frequencies (their entropy, ln 10 ≈ 2.303 for ten balanced classes). The network learned
    /// nothing usable: typically saturated layers (deep sigmoid stacks), a learning rate far too large, or unscaled inputs.
    /// </summary>
    NoBetterThanChance = 6,
}
