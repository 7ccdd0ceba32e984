using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// How the learning rate changes from pass to pass: pass p (0-based) trains with α·<see cref="Multiplier"/>(p), where
/// α is <see cref="TrainingOptions.LearningRate"/>. Set one on <see cref="TrainingOptions.Schedule"/>; without one α
/// stays constant. The rate is computed in double once per pass and rounded to float.
/// </summary>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The factor applied to the initial learning rate during pass <paramref name="pass"/>.</summary>
    /// <param name="pass">The 0-based pass over the data (with full batches, the iteration).</param>
    /// <returns>A positive factor; 1 at pass 0.</returns>
    public abstract double Multiplier(int pass);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the network, the method and the bad setting.</summary>
    internal abstract void Validate(string network, string method);

    private protected static void Throw(string network, string method, FormattableString problem) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: ") + problem.ToString(CultureInfo.InvariantCulture),
            "options");
}

/// <summary>Step decay: α·<see cref="Factor"/>^⌊p / <see cref="Every"/>⌋, the rate multiplied by the factor every few passes.</summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Passes between drops, at least 1.</summary>
    public required int Every { get; init; }

    /// <summary>The factor of each drop, in (0, 1]. Default 0.5.</summary>
    public double Factor { get; init; } = 0.5;

    /// <inheritdoc/>
    public override double Multiplier(int pass) => Math.Pow(Factor, pass / Every);

    internal override void Validate(string network, string method)
    {
        if (Every < 1)
        {
            Throw(network, method, $"options.Schedule.Every is {Every}; it must be at least 1 pass.");
        }

        if (!(Factor > 0 && Factor <= 1))
        {
            Throw(network, method, $"options.Schedule.Factor is {Factor}; it must be in (0, 1].");
        }
    }
}

/// <summary>Exponential decay: α·<see cref="Rate"/>^p, a constant fraction lost every pass.</summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>The factor per pass, in (0, 1], for example 0.95.</summary>
    public required double Rate { get; init; }

    /// <inheritdoc/>
    public override double Multiplier(int pass) => Math.Pow(Rate, pass);

    internal override void Validate(string network, string method)
    {
        if (!(Rate > 0 && Rate <= 1))
        {
            Throw(network, method, $"options.Schedule.Rate is {Rate}; it must be in (0, 1].");
        }
    }
}

/// <summary>
/// Inverse-time decay, the course's <c>schedule_lr_decay</c>: α / (1 + <see cref="DecayRate"/>·⌊p / <see cref="Every"/>⌋).
/// </summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>The decay rate, at least 0 and finite, for example 1.</summary>
    public required double DecayRate { get; init; }

    /// <summary>Passes between changes of the rate, at least 1. Default 1.</summary>
    public int Every { get; init; } = 1;

    /// <inheritdoc/>
    public override double Multiplier(int pass) => 1.0 / (1.0 + (DecayRate * (pass / Every)));

    internal override void Validate(string network, string method)
    {
        if (!(DecayRate >= 0) || !double.IsFinite(DecayRate))
        {
            Throw(network, method, $"options.Schedule.DecayRate is {DecayRate}; it must be at least 0 and finite.");
        }

        if (Every < 1)
        {
            Throw(network, method, $"options.Schedule.Every is {Every}; it must be at least 1 pass.");
        }
    }
}
