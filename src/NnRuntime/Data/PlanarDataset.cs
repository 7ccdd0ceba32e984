using System;

namespace NnGen.Data;

/// <summary>
/// The course's two-class "flower" data (week 3, <c>load_planar_dataset()</c> in <c>planar_utils.py</c>), regenerated
/// with <see cref="NumPyRandom"/> so it equals the notebook's X and Y without shipping a file.
/// </summary>
public static class PlanarDataset
{
    /// <summary>Examples per class (N in the course).</summary>
    public const int ExamplesPerClass = 200;

    // Maximum petal radius (a in the course) and the angular span of one class.
    private const double PetalRadius = 4.0;
    private const double ClassSpan = 3.12;

    /// <summary>
    /// Generates the 400 points: rows 0–199 are class 0, rows 200–399 class 1 (the course's column order, not shuffled).
    /// Inputs are (x1, x2) = (r·sin θ, r·cos θ); the label is 0 or 1.
    /// </summary>
    /// <param name="seed">The <c>np.random.seed</c> value; the course uses 1.</param>
    /// <returns>A <see cref="Dataset"/> with <see cref="Dataset.InputSize"/> 2 and <see cref="Dataset.LabelSize"/> 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seed"/> is negative.</exception>
    public static Dataset Generate(int seed = 1)
    {
        double[] points = GeneratePoints(seed);
        var inputs = new float[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            inputs[i] = (float)points[i];
        }

        var labels = new float[2 * ExamplesPerClass];
        labels.AsSpan(ExamplesPerClass).Fill(1f);
        return new Dataset(inputs, 2, labels, 1);
    }

    /// <summary>The points in double precision, (x1, x2) per row, exactly as numpy computes them before any narrowing.</summary>
    internal static double[] GeneratePoints(int seed)
    {
        var random = new NumPyRandom(seed);
        const int n = ExamplesPerClass;
        var points = new double[2 * n * 2];
        var theta = new double[n];
        for (int j = 0; j < 2; j++)
        {
            // numpy.linspace: step = (stop - start) / (num - 1); y = arange(num) * step + start; y[-1] = stop.
            double start = j * ClassSpan;
            double stop = (j + 1) * ClassSpan;
            double step = (stop - start) / (n - 1);

            // All theta noise is drawn before any radius noise, as in the course's two randn(N) calls.
            for (int i = 0; i < n; i++)
            {
                double grid = i == n - 1 ? stop : (i * step) + start;
                theta[i] = grid + (random.NextGaussian() * 0.2);
            }

            for (int i = 0; i < n; i++)
            {
                double t = theta[i];
                double r = (PetalRadius * Math.Sin(4 * t)) + (random.NextGaussian() * 0.2);
                int row = (j * n) + i;
                points[2 * row] = r * Math.Sin(t);
                points[(2 * row) + 1] = r * Math.Cos(t);
            }
        }

        return points;
    }
}
