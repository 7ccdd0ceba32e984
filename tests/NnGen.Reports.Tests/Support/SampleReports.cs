using System;
using NnGen.Data;
using NnGen.Tests.Data;

namespace NnGen.Reports.Tests.Support;

/// <summary>The reports the samples write, built the same way (with fewer cat iterations, to keep the tests quick).</summary>
internal static class SampleReports
{
    private static readonly Lazy<PlanarRuns> Planar = new(TrainPlanar);

    public static PlanarRuns PlanarTrained => Planar.Value;

    /// <summary>The planar sample's report: the 2-4-1 network and logistic regression, trained as the course does.</summary>
    public static TrainingReport PlanarReport()
    {
        PlanarRuns runs = Planar.Value;
        var report = new TrainingReport("Planar data: a 2-4-1 network against logistic regression") { Description = "The course's flower data." };
        report.Add(new ReportRun("2-4-1 tanh/sigmoid", runs.NetHistory) { Network = runs.Net, Training = runs.Data, Options = runs.Options, Summary = PlanarNet.Summary });
        report.Add(new ReportRun("logistic regression", runs.LogisticHistory) { Network = runs.Logistic, Training = runs.Data, Options = runs.Options, Summary = PlanarLogisticRegression.Summary });
        return report;
    }

    /// <summary>A cat report: the two-layer network for 300 iterations, with the test set held out.</summary>
    public static (TrainingReport Report, TwoLayerCatNet Net, Dataset Test) CatReport()
    {
        Dataset train = CsvDataset.Load(SharedData.Find("catvnoncat/train.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
        Dataset test = CsvDataset.Load(SharedData.Find("catvnoncat/test.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
        var net = new TwoLayerCatNet(seed: 1);
        var options = new TrainingOptions { LearningRate = 0.0075f, Iterations = 300, RecordEvery = 20, Validation = new ValidationData(test.Inputs, test.Labels) };
        TrainingHistory history = net.Fit(train.Inputs, train.Labels, options);
        var report = new TrainingReport("Cat or not");
        report.Add(new ReportRun("[12288, 7, 1]", history)
        {
            Network = net, Options = options, Training = train, Validation = test, Summary = TwoLayerCatNet.Summary, ClassNames = ["non-cat", "cat"],
        });
        return (report, net, test);
    }

    private static PlanarRuns TrainPlanar()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var options = new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 100 };
        var net = new PlanarNet(seed: 2);
        TrainingHistory netHistory = net.Fit(data.Inputs, data.Labels, options);
        var logistic = new PlanarLogisticRegression();
        TrainingHistory logisticHistory = logistic.Fit(data.Inputs, data.Labels, options);
        return new PlanarRuns(data, options, net, netHistory, logistic, logisticHistory);
    }
}

internal sealed record PlanarRuns(
    Dataset Data,
    TrainingOptions Options,
    PlanarNet Net,
    TrainingHistory NetHistory,
    PlanarLogisticRegression Logistic,
    TrainingHistory LogisticHistory);
