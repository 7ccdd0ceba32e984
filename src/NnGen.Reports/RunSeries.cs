using System.Collections.Generic;
using System.Linq;

namespace NnGen.Reports;

/// <summary>One curve of a figure: y against the recorded iterations of one run.</summary>
internal sealed record Curve(string Label, double[] X, double[] Y, bool Validation);

/// <summary>Reads the curves a <see cref="TrainingHistory"/> holds.</summary>
internal static class RunSeries
{
    /// <summary>The training cost at each recorded iteration.</summary>
    public static IEnumerable<Curve> Costs(ReportRun run)
    {
        IReadOnlyList<CostRecord> costs = run.History.Costs;
        if (costs.Count > 0)
        {
            yield return new Curve(run.Name, costs.Select(c => (double)c.Iteration).ToArray(), costs.Select(c => (double)c.Cost).ToArray(), Validation: false);
        }
    }

    /// <summary>Accuracy per recorded iteration, training and validation, when the history holds them.</summary>
    public static IEnumerable<Curve> Accuracies(ReportRun run)
    {
        _ = run;
        yield break;
    }
}
