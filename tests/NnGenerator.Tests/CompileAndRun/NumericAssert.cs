using System;
using System.Collections.Generic;
using System.Globalization;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// Tolerance comparisons against the double-precision reference. The relative error of a value a against the
/// reference r is |a - r| / max(|r|, floor): relative for ordinary values, absolute (scaled by 1/floor) near zero,
/// where float rounding of a sum that cancels to ~0 cannot be small relative to the result.
/// </summary>
internal static class NumericAssert
{
    /// <summary>The near-zero floor of the relative error: outputs, costs and gradients here are O(0.01..1).</summary>
    public const double Floor = 1e-3;

    public static double RelativeError(double actual, double reference, double floor = Floor) =>
        Math.Abs(actual - reference) / Math.Max(Math.Abs(reference), floor);

    /// <summary>Fails with the worst element when any element's relative error exceeds <paramref name="tolerance"/>; returns the worst error.</summary>
    public static double Close(IReadOnlyList<double> reference, ReadOnlySpan<float> actual, double tolerance, string what, double floor = Floor)
    {
        Assert.True(reference.Count == actual.Length, $"{what}: expected {reference.Count} values, got {actual.Length}.");
        var widened = new double[actual.Length];
        for (int i = 0; i < actual.Length; i++)
        {
            widened[i] = actual[i];
        }

        return Close(reference, widened, tolerance, what, floor);
    }

    public static double Close(IReadOnlyList<double> reference, IReadOnlyList<double> actual, double tolerance, string what, double floor = Floor)
    {
        Assert.True(reference.Count == actual.Count, $"{what}: expected {reference.Count} values, got {actual.Count}.");
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < reference.Count; i++)
        {
            double error = RelativeError(actual[i], reference[i], floor);
            if (double.IsNaN(error) || error > worst)
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                worstIndex = i;
            }
        }

        Assert.True(
            worst <= tolerance,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{what}: max relative error {worst:E3} at [{worstIndex}] (actual {(worstIndex < 0 ? 0 : actual[worstIndex]):R}, reference {(worstIndex < 0 ? 0 : reference[worstIndex]):R}) exceeds {tolerance:E1}; error = |a - r| / max(|r|, {floor:E0})."));
        return worst;
    }
}
