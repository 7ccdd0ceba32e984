using System;
using System.Globalization;

namespace NnGen;

/// <summary>Figures for networks that model a signal sample by sample (audio effects, amp models).</summary>
public static class SignalMetrics
{
    /// <summary>
    /// The error-to-signal ratio of a prediction, Σ(y − ŷ)² / Σy², in double: 0 for a perfect prediction, 1 for
    /// predicting silence; the figure amp models are compared by.
    /// </summary>
    /// <param name="target">y, the true output.</param>
    /// <param name="predicted">ŷ, as many samples.</param>
    /// <returns>The ratio; NaN when a value of either series is not finite.</returns>
    /// <exception cref="ArgumentException">
    /// The lengths differ or are 0, or the target is all zeros (the ratio is then undefined).
    /// </exception>
    public static double ErrorToSignalRatio(ReadOnlySpan<float> target, ReadOnlySpan<float> predicted)
    {
        if (target.Length != predicted.Length || target.IsEmpty)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"predicted has {predicted.Length} samples and target {target.Length}; they must be the same positive number."),
                nameof(predicted));
        }

        double error = 0, signal = 0;
        for (int i = 0; i < target.Length; i++)
        {
            double y = target[i];
            double difference = y - predicted[i];
            error += difference * difference;
            signal += y * y;
        }

        if (signal == 0)
        {
            throw new ArgumentException("target is all zeros; the error-to-signal ratio divides by Σy², so it needs a target with some signal.", nameof(target));
        }

        return double.IsFinite(error) && double.IsFinite(signal) ? error / signal : double.NaN;
    }
}
