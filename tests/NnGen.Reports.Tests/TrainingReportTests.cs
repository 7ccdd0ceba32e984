using System;
using System.IO;
using System.Linq;
using NnGen.Data;
using NnGen.Reports.Tests.Support;

namespace NnGen.Reports.Tests;

/// <summary>What a report contains for each kind of run, and how it refuses what it cannot draw.</summary>
public sealed class TrainingReportTests
{
    [Fact]
    public void HistoryOnly_GivesTheCostCurveAndTheRunTable()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        var report = new TrainingReport("history only").Add(new ReportRun("2-4-1", runs.NetHistory));

        RenderedReport rendered = report.Render();

        Assert.Equal([FigureKind.Cost], rendered.Figures.Select(figure => figure.Kind));
        Assert.Contains("0.217753", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("No validation figure was recorded", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void RegressionNetwork_HasNoConfusionMatrixOrDecisionBoundary()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new RegressionNet(seed: 3);
        var options = new TrainingOptions { LearningRate = 0.05f, Iterations = 200, RecordEvery = 10 };
        TrainingHistory history = net.Fit(data.Inputs, data.Labels, options);

        RenderedReport rendered = new TrainingReport("regression").Add(new ReportRun("2-3-1 linear", history) { Network = net, Training = data, Options = options }).Render();

        Assert.Equal([FigureKind.Cost, FigureKind.PredictedActual], rendered.Figures.Select(figure => figure.Kind));
        Assert.Contains("cost ", rendered.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("accuracy 0", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void CostFallingMoreThanADecade_IsDrawnOnALogScale()
    {
        (double[] positions, string[] labels) = Figures.LogTicks(0.04, 0.77);
        Assert.Equal(["0.05", "0.07", "0.1", "0.2", "0.3", "0.5", "0.7"], labels);
        Assert.Equal(positions, labels.Select(label => Math.Log10(double.Parse(label, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Save_WritesOneFileWithNoExternalReference()
    {
        string path = Path.Combine(Path.GetTempPath(), "nngen-report-" + Guid.NewGuid().ToString("N"), "report.html");
        try
        {
            string written = SampleReports.PlanarReport().Save(path);

            Assert.Equal(Path.GetFullPath(path), written);
            string html = File.ReadAllText(written);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            Assert.Contains("img-src data:", html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Add_RejectsADuplicateNameAndDataOfTheWrongShape()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        var report = new TrainingReport("checks").Add(new ReportRun("run", runs.NetHistory));

        var duplicate = Assert.Throws<ArgumentException>(() => report.Add(new ReportRun("run", runs.NetHistory)));
        Assert.Contains("already has a run named 'run'", duplicate.Message, StringComparison.Ordinal);

        var wide = new Dataset(new float[12], 3, new float[4], 1);
        var shape = Assert.Throws<ArgumentException>(() => report.Add(new ReportRun("other", runs.NetHistory) { Network = runs.Net, Training = wide }));
        Assert.Contains("Training has 3 inputs and 1 labels per example, but PlanarNet takes 2 inputs and gives 1 outputs", shape.Message, StringComparison.Ordinal);

        var names = Assert.Throws<ArgumentException>(() => report.Add(new ReportRun("named", runs.NetHistory) { Network = runs.Net, ClassNames = ["a", "b", "c"] }));
        Assert.Contains("ClassNames has 3 names but PlanarNet tells 2 classes apart", names.Message, StringComparison.Ordinal);
        Assert.Single(report.Runs);
    }

    [Fact]
    public void Render_WithoutRuns_SaysWhatIsMissing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new TrainingReport("empty").Render());
        Assert.Contains("has no run", error.Message, StringComparison.Ordinal);
    }
}
