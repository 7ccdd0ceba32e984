namespace NnGen;

/// <summary>How a call to <see cref="Trainer.Fit"/> ended (cancellation throws instead).</summary>
public enum TrainingStatus
{
    /// <summary>Every requested pass ran.</summary>
    Completed = 0,

    /// <summary>
    /// A cost or gradient was not finite, or the next update would have made a parameter non-finite; training stopped
    /// with the finite parameters it had.
    /// </summary>
    Diverged = 1,
}
