using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen.Reports;

/// <summary>A run's final metrics, measured by the report from its network and data.</summary>
internal sealed record RunFacts(ReportRun Run, Evaluation? Training, Evaluation? Validation);

/// <summary>Everything a report shows, computed before any HTML is written.</summary>
internal sealed class ReportContent
{
    private ReportContent(ReportFigure? cost, ReportFigure? accuracy, List<ReportFigure> boundaries, List<ReportFigure> confusions, List<RunFacts> runs)
    {
        Cost = cost;
        Accuracy = accuracy;
        Boundaries = boundaries;
        Confusions = confusions;
        Runs = runs;
        AllFigures = new[] { cost, accuracy }.OfType<ReportFigure>().Concat(boundaries).Concat(confusions).ToList();
    }

    public ReportFigure? Cost { get; }

    public ReportFigure? Accuracy { get; }

    public IReadOnlyList<ReportFigure> Boundaries { get; }

    public IReadOnlyList<ReportFigure> Confusions { get; }

    public IReadOnlyList<RunFacts> Runs { get; }

    public IReadOnlyList<ReportFigure> AllFigures { get; }

    public static ReportContent Build(IReadOnlyList<ReportRun> runs)
    {
        var boundaries = new List<ReportFigure>();
        var confusions = new List<ReportFigure>();
        var facts = new List<RunFacts>();
        foreach (ReportRun run in runs)
        {
            if (run.Network is not ITrainableNetwork network)
            {
                facts.Add(new RunFacts(run, null, null));
                continue;
            }

            Evaluation? training = run.Training is { } train ? Trainer.Evaluate(network, train.Inputs, train.Labels) : null;
            Evaluation? validation = run.Validation is { } held ? Trainer.Evaluate(network, held.Inputs, held.Labels) : null;
            facts.Add(new RunFacts(run, training, validation));

            if (run.Training is { } points && IsPlanarClassifier(network))
            {
                boundaries.Add(Figures.DecisionBoundary(run, network, points));
            }

            // Evaluation counts the classes of a single sigmoid or a softmax output; on held-out data when there is some.
            if ((validation ?? training)?.ConfusionMatrix is { } matrix)
            {
                IReadOnlyList<string> names = run.ClassNames
                    ?? Enumerable.Range(0, matrix.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
                confusions.Add(Figures.ConfusionMatrix(run, matrix, names, validation is null ? "training" : "held-out"));
            }
        }

        return new ReportContent(Figures.Cost(runs), Figures.Accuracy(runs), boundaries, confusions, facts);
    }

    /// <summary>Two inputs and one sigmoid output: the plane can be coloured by the predicted class.</summary>
    private static bool IsPlanarClassifier(ITrainableNetwork network) =>
        network.InputSize == 2 && network.OutputSize == 1 && network.OutputActivation == Activation.Sigmoid;
}
