using System.Collections.Generic;
using System.Linq;

namespace NnGen.Reports;

/// <summary>One curve of a figure: y against the recorded iterations of one run.</summary>
internal sealed record Curve(string Label, double[] X, double[] Y, bool Validation);

/// <summary>Reads the curves a <see cref="TrainingHistory"/> holds.</summary>
internal static class RunSeries
{
    /// <summary>The training cost at each recorded iteration, and the validation cost where <c>Fit</c> had validation data.</summary>
    public static IEnumerable<Curve> Costs(ReportRun run)
    {
        IReadOnlyList<CostRecord> costs = run.History.Costs;
        if (costs.Count == 0)
        {
            yield break;
        }

        yield return new Curve(run.Name, costs.Select(c => (double)c.Iteration).ToArray(), costs.Select(c => (double)c.Cost).ToArray(), Validation: false);
        var validation = costs.Where(c => double.IsFinite(c.ValidationCost)).ToList();
        if (validation.Count > 0)
        {
            yield return new Curve(run.Name, validation.Select(c => (double)c.Iteration).ToArray(), validation.Select(c => c.ValidationCost).ToArray(), Validation: true);
        }
    }

    /// <summary>
    /// The validation accuracy at each recorded iteration, for a classifier whose <c>Fit</c> had validation data (for
    /// other outputs <see cref="CostRecord.ValidationMetric"/> is R², drawn by <see cref="RSquared"/>).
    /// </summary>
    public static IEnumerable<Curve> Accuracies(ReportRun run) =>
        run.Network is { } network && Classification.IsClassifier(network) ? ValidationMetric(run) : [];

    /// <summary>The validation R² at each recorded iteration, for a regression network whose <c>Fit</c> had validation data.</summary>
    public static IEnumerable<Curve> RSquared(ReportRun run) =>
        run.Network is { } network && Classification.IsRegression(network) ? ValidationMetric(run) : [];

    private static IEnumerable<Curve> ValidationMetric(ReportRun run)
    {
        var points = run.History.Costs.Where(c => double.IsFinite(c.ValidationMetric)).ToList();
        if (points.Count > 0)
        {
            yield return new Curve(run.Name, points.Select(c => (double)c.Iteration).ToArray(), points.Select(c => c.ValidationMetric).ToArray(), Validation: true);
        }
    }
}
