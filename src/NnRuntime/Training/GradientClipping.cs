using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen;

/// <summary>
/// Gradient clipping by global norm with PyTorch's <c>torch.nn.utils.clip_grad_norm_</c> rule: the L2 norm of all the
/// gradients taken together, and when <c>maxNorm / (norm + 1e-6)</c> is below 1, every gradient scaled by it. The
/// trainer applies it when <see cref="TrainingOptions.ClipGradientNorm"/> is set; a hand-written training loop can call
/// it between computing the gradients and stepping.
/// </summary>
public static class GradientClipping
{
    /// <summary>Added to the norm before dividing, as PyTorch does, so a zero gradient never divides by zero.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>
    /// √Σ g², accumulated in double in a fixed order, so the same gradients give the same bits on every machine, at
    /// every vector width and thread count. Non-finite when a gradient is (the sum of squares of finite floats cannot
    /// overflow a double).
    /// </summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        // Four interleaved accumulators keep the adds independent (one would serialize on the add latency). The square
        // of a float is exact in double, so a fused multiply-add rounds exactly as a multiply then an add does: the
        // result depends on the order below only, whatever the JIT emits.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i <= gradients.Length - 4; i += 4)
        {
            double g0 = gradients[i], g1 = gradients[i + 1], g2 = gradients[i + 2], g3 = gradients[i + 3];
            s0 += g0 * g0;
            s1 += g1 * g1;
            s2 += g2 * g2;
            s3 += g3 * g3;
        }

        for (; i < gradients.Length; i++)
        {
            double g = gradients[i];
            s0 += g * g;
        }

        return Math.Sqrt((s0 + s1) + (s2 + s3));
    }

    /// <summary>
    /// Scales <paramref name="gradients"/> in place by <c>maxNorm / (norm + 1e-6)</c> (rounded to float) when that factor
    /// is below 1, PyTorch's <c>clip_grad_norm_(parameters, maxNorm)</c>; otherwise leaves every bit as it is.
    /// Allocates nothing.
    /// </summary>
    /// <param name="gradients">All the gradients of one update, clipped together.</param>
    /// <param name="maxNorm">The largest global norm let through; positive and finite.</param>
    /// <returns>
    /// The global norm before clipping (<see cref="GlobalNorm"/>), as PyTorch returns it. When it is not finite (a
    /// gradient is NaN or infinite) the gradients are left as they are, so the caller's own check sees the bad value
    /// (PyTorch would turn every gradient into NaN).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive and finite.</exception>
    public static double ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0f) || !float.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxNorm),
                maxNorm,
                string.Create(CultureInfo.InvariantCulture, $"maxNorm is {maxNorm}; it must be positive and finite."));
        }

        double norm = GlobalNorm(gradients);
        Scale(gradients, maxNorm, norm);
        return norm;
    }

    /// <summary>The scaling step alone, for a caller that validated <paramref name="maxNorm"/> once up front.</summary>
    internal static void Scale(Span<float> gradients, float maxNorm, double norm)
    {
        if (!double.IsFinite(norm))
        {
            return;
        }

        double factor = maxNorm / (norm + Epsilon);
        if (factor < 1)
        {
            TensorPrimitives.Multiply(gradients, (float)factor, gradients);
        }
    }
}
