using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Data;

namespace NnGen.Reports;

/// <summary>A run's final metrics, measured by the report from its network and data.</summary>
internal sealed record RunFacts(ReportRun Run, Evaluation? Training, Evaluation? Validation);

/// <summary>Everything a report shows, computed before any HTML is written.</summary>
internal sealed class ReportContent
{
    private ReportContent(
        ReportFigure? cost, ReportFigure? accuracy, ReportFigure? rSquared, List<ReportFigure> boundaries, List<ReportFigure> confusions, List<ReportFigure> predictions, List<RunFacts> runs)
    {
        Cost = cost;
        Accuracy = accuracy;
        RSquared = rSquared;
        Boundaries = boundaries;
        Confusions = confusions;
        Predictions = predictions;
        Runs = runs;
        AllFigures = new[] { cost, accuracy, rSquared }.OfType<ReportFigure>().Concat(boundaries).Concat(confusions).Concat(predictions).ToList();
    }

    public ReportFigure? Cost { get; }

    public ReportFigure? Accuracy { get; }

    public ReportFigure? RSquared { get; }

    /// <summary>Predicted against actual, one per regression run with data.</summary>
    public IReadOnlyList<ReportFigure> Predictions { get; }

    public IReadOnlyList<ReportFigure> Boundaries { get; }

    public IReadOnlyList<ReportFigure> Confusions { get; }

    public IReadOnlyList<RunFacts> Runs { get; }

    public IReadOnlyList<ReportFigure> AllFigures { get; }

    public static ReportContent Build(IReadOnlyList<ReportRun> runs)
    {
        var boundaries = new List<ReportFigure>();
        var confusions = new List<ReportFigure>();
        var predictions = new List<ReportFigure>();
        var facts = new List<RunFacts>();
        foreach (ReportRun run in runs)
        {
            if (run.Network is not ITrainableNetwork network)
            {
                facts.Add(new RunFacts(run, null, null));
                continue;
            }

            Evaluation? training = run.Training is { } train ? network.Evaluate(train) : null;
            Evaluation? validation = run.Validation is { } held ? network.Evaluate(held) : null;
            facts.Add(new RunFacts(run, training, validation));

            if (run.Training is { } points && IsPlanarClassifier(network))
            {
                boundaries.Add(Figures.DecisionBoundary(run, network, points));
            }

            // Evaluation counts the classes of a single sigmoid or a softmax output; on held-out data when there is some.
            string dataName = validation is null ? DataNames.Training : DataNames.HeldOut(run);
            if ((validation ?? training)?.ConfusionMatrix is { } matrix)
            {
                IReadOnlyList<string> names = ClassNames(run, matrix.Classes)
                    ?? Enumerable.Range(0, matrix.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
                confusions.Add(Figures.ConfusionMatrix(run, matrix, names, dataName));
            }

            if (Classification.IsRegression(network) && (validation ?? training) is { } evaluation)
            {
                predictions.Add(Figures.PredictedActual(run, network, (run.Validation ?? run.Training)!, dataName, evaluation));
            }
        }

        return new ReportContent(Figures.Cost(runs), Figures.Accuracy(runs), Figures.RSquared(runs), boundaries, confusions, predictions, facts);
    }

    /// <summary>
    /// The run's <see cref="ReportRun.ClassNames"/>, else those its data sets carry (<see cref="Dataset.ClassNames"/>,
    /// as <c>CsvDataset.LoadClassification</c> sets them) when they name as many classes as the matrix has.
    /// </summary>
    private static IReadOnlyList<string>? ClassNames(ReportRun run, int classes) =>
        run.ClassNames
        ?? new[] { run.Validation?.ClassNames, run.Training?.ClassNames }.FirstOrDefault(names => names is not null && names.Count == classes);

    /// <summary>Two inputs and one sigmoid output: the plane can be coloured by the predicted class.</summary>
    private static bool IsPlanarClassifier(ITrainableNetwork network) =>
        network.InputSize == 2 && network.OutputSize == 1 && network.OutputActivation == Activation.Sigmoid;
}
