using System;

namespace NnGen.Kernels;

/// <summary>
/// Changes between the batch-first layout users see (m sequences × T steps × features, one sequence per row) and the
/// time-major layout the recurrent kernels work in (T × m × features: each step's batch contiguous, so the input
/// projection of all steps is one product and each step's recurrent product reads one block).
/// </summary>
public static class SequenceLayout
{
    /// <summary>timeMajor[t, e, :] = batchFirst[e, t, :].</summary>
    /// <param name="batchFirst">The sequences, batch × steps × features.</param>
    /// <param name="timeMajor">The same values, steps × batch × features; overwritten. Must not overlap the source.</param>
    /// <param name="batch">m, the number of sequences.</param>
    /// <param name="steps">T, the steps per sequence.</param>
    /// <param name="features">Floats per step.</param>
    /// <exception cref="ArgumentException">A length is not batch × steps × features, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void ToTimeMajor(ReadOnlySpan<float> batchFirst, Span<float> timeMajor, int batch, int steps, int features)
    {
        const string Kernel = "SequenceLayout.ToTimeMajor";
        Check(batchFirst, timeMajor, batch, steps, features, Kernel, nameof(batchFirst), nameof(timeMajor));
        for (int e = 0; e < batch; e++)
        {
            for (int t = 0; t < steps; t++)
            {
                batchFirst.Slice(((e * steps) + t) * features, features).CopyTo(timeMajor.Slice(((t * batch) + e) * features, features));
            }
        }
    }

    /// <summary>batchFirst[e, t, :] = timeMajor[t, e, :], the inverse of <see cref="ToTimeMajor"/>.</summary>
    /// <param name="timeMajor">The values, steps × batch × features.</param>
    /// <param name="batchFirst">The sequences, batch × steps × features; overwritten. Must not overlap the source.</param>
    /// <param name="batch">m, the number of sequences.</param>
    /// <param name="steps">T, the steps per sequence.</param>
    /// <param name="features">Floats per step.</param>
    /// <exception cref="ArgumentException">A length is not batch × steps × features, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void FromTimeMajor(ReadOnlySpan<float> timeMajor, Span<float> batchFirst, int batch, int steps, int features)
    {
        const string Kernel = "SequenceLayout.FromTimeMajor";
        Check(timeMajor, batchFirst, batch, steps, features, Kernel, nameof(timeMajor), nameof(batchFirst));
        for (int t = 0; t < steps; t++)
        {
            for (int e = 0; e < batch; e++)
            {
                timeMajor.Slice(((t * batch) + e) * features, features).CopyTo(batchFirst.Slice(((e * steps) + t) * features, features));
            }
        }
    }

    private static void Check(
        ReadOnlySpan<float> source, ReadOnlySpan<float> destination, int batch, int steps, int features, string kernel, string sourceName, string destinationName)
    {
        KernelGuard.NonNegative(batch, kernel, nameof(batch));
        KernelGuard.NonNegative(steps, kernel, nameof(steps));
        KernelGuard.NonNegative(features, kernel, nameof(features));
        RecurrentKernels.CheckTensor(source.Length, steps, batch, features, kernel, sourceName, "features");
        RecurrentKernels.CheckTensor(destination.Length, steps, batch, features, kernel, destinationName, "features");
        KernelGuard.NoOverlap(destination, source, kernel, destinationName, sourceName);
    }
}
