using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Data;
using NnGen.Reports.Tests.Support;
using SkiaSharp;

namespace NnGen.Reports.Tests;

/// <summary>
/// Golden checks of what the figures show, read back from the PNGs embedded in the HTML: every pixel of the decision
/// boundary is the class the network predicts at that point (asked one example at a time, not through the batch call
/// the report uses), the curve passes through every recorded cost, the confusion matrix holds the network's counts.
/// </summary>
public sealed class FigureTests
{
    [Fact]
    public void DecisionBoundary_EveryPixelShowsTheClassTheNetworkPredictsThere()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        var figures = ReportHtml.Figures(SampleReports.PlanarReport().Render().Html).Where(figure => figure.Kind == "decision-boundary").ToList();
        Assert.Equal(["2-4-1 tanh/sigmoid", "logistic regression"], figures.Select(figure => figure.Run));

        foreach (HtmlFigure figure in figures)
        {
            ITrainableNetwork network = figure.Run == "logistic regression" ? runs.Logistic : runs.Net;
            PlotArea area = figure.Area;
            var points = PointPixels(area, runs.Data);
            var perClass = new int[2];
            var mismatches = new List<string>();
            for (int row = (int)area.Top + 3; row < (int)area.Bottom - 3; row += 3)
            {
                for (int column = (int)area.Left + 3; column < (int)area.Right - 3; column += 3)
                {
                    // Pixels under a data point show the point; pixels within 3 of the boundary may show the cell next door.
                    if (points.Any(p => Math.Abs(p.Column - column) < 7 && Math.Abs(p.Row - row) < 7))
                    {
                        continue;
                    }

                    int predicted = ClassAt(network, area, column + 0.5, row + 0.5);
                    bool nearBoundary = false;
                    foreach ((int dx, int dy) in (ReadOnlySpan<(int, int)>)[(-3, -3), (-3, 3), (3, -3), (3, 3), (0, 3), (3, 0), (0, -3), (-3, 0)])
                    {
                        nearBoundary |= ClassAt(network, area, column + 0.5 + dx, row + 0.5 + dy) != predicted;
                    }

                    if (nearBoundary)
                    {
                        continue;
                    }

                    SKColor pixel = figure.Image.GetPixel(column, row);
                    double toPredicted = ReportHtml.Distance(pixel, Figures.RegionColors[predicted]);
                    double toOther = ReportHtml.Distance(pixel, Figures.RegionColors[1 - predicted]);
                    if (!(toPredicted < toOther && toPredicted < 40))
                    {
                        mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"pixel ({column}, {row}) is {pixel} but the network predicts class {predicted}"));
                    }

                    perClass[predicted]++;
                }
            }

            Assert.True(mismatches.Count == 0, $"{figure.Run}: {mismatches.Count} pixels disagree with the network, e.g.\n" + string.Join("\n", mismatches.Take(10)));
            Assert.True(perClass[0] > 1000 && perClass[1] > 1000, $"{figure.Run}: checked {perClass[0]} pixels of class 0 and {perClass[1]} of class 1.");
        }
    }

    [Fact]
    public void DecisionBoundary_DataPointsAreDrawnInTheirLabelsColour()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        HtmlFigure figure = ReportHtml.Figures(SampleReports.PlanarReport().Render().Html).First(f => f.Kind == "decision-boundary");
        var points = PointPixels(figure.Area, runs.Data);
        int matching = 0;
        for (int i = 0; i < points.Count; i++)
        {
            SKColor centre = figure.Image.GetPixel((int)points[i].Column, (int)points[i].Row);
            int label = runs.Data.Labels[i] > 0.5f ? 1 : 0;
            if (ReportHtml.Distance(centre, Figures.ClassColors[label]) < ReportHtml.Distance(centre, Figures.ClassColors[1 - label]))
            {
                matching++;
            }
        }

        // Points overlap near the flower's centre, where a later point covers an earlier one of the other class.
        Assert.True(matching >= points.Count * 0.9, $"{matching} of {points.Count} points are drawn in their label's colour.");
    }

    [Fact]
    public void CostCurve_PassesThroughEveryRecordedCost()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        HtmlFigure figure = ReportHtml.Figures(SampleReports.PlanarReport().Render().Html).Single(f => f.Kind == "cost");
        (TrainingHistory History, int Index)[] curves = [(runs.NetHistory, 0), (runs.LogisticHistory, 1)];
        int checkedPoints = 0;
        foreach ((TrainingHistory history, int index) in curves)
        {
            foreach (CostRecord record in history.Costs)
            {
                (double column, double row) = figure.Area.ToPixel(record.Iteration, record.Cost);
                bool nearOtherCurve = curves.Where(c => c.Index != index).SelectMany(c => c.History.Costs)
                    .Any(other => Math.Abs(figure.Area.ToPixel(other.Iteration, other.Cost).Row - row) < 6 && Math.Abs(other.Iteration - record.Iteration) <= 200);
                if (nearOtherCurve)
                {
                    continue;
                }

                Assert.True(
                    HasColourNear(figure.Image, column, row, Figures.RunColors[index], radius: 2),
                    $"No pixel of run {index}'s colour within 2 pixels of ({column:F1}, {row:F1}), where iteration {record.Iteration}, cost {record.Cost} is plotted.");
                checkedPoints++;
            }
        }

        Assert.True(checkedPoints > 150, $"Only {checkedPoints} recorded costs were checked.");
    }

    [Fact]
    public void ValidationData_AddsTheValidationCostAndAccuracyCurvesThroughEveryRecordedValue()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        Dataset held = PlanarDataset.Generate(seed: 5);
        var net = new PlanarNet(seed: 2);
        var options = new TrainingOptions { LearningRate = 1.2f, Iterations = 3000, RecordEvery = 100, Validation = new ValidationData(held.Inputs, held.Labels) };
        TrainingHistory history = net.Fit(data.Inputs, data.Labels, options);
        var report = new TrainingReport("validation").Add(new ReportRun("2-4-1", history) { Network = net, Training = data, Validation = held, Options = options });

        var figures = ReportHtml.Figures(report.Render().Html);

        Assert.Equal(["cost", "accuracy", "decision-boundary", "confusion-matrix"], figures.Select(f => f.Kind));
        HtmlFigure cost = figures[0], accuracy = figures[1];
        foreach (CostRecord record in history.Costs)
        {
            Assert.True(double.IsFinite(record.ValidationCost) && double.IsFinite(record.ValidationMetric), $"iteration {record.Iteration} has no validation figures");
            (double column, double row) = cost.Area.ToPixel(record.Iteration, record.ValidationCost);
            Assert.True(
                HasColourNear(cost.Image, column, row, Figures.RunColors[0], radius: 3),
                $"No line pixel within 3 pixels of ({column:F1}, {row:F1}), where the validation cost {record.ValidationCost} of iteration {record.Iteration} is plotted.");
            (column, row) = accuracy.Area.ToPixel(record.Iteration, record.ValidationMetric * 100);
            Assert.True(
                HasColourNear(accuracy.Image, column, row, Figures.RunColors[0], radius: 3),
                $"No line pixel within 3 pixels of ({column:F1}, {row:F1}), where the validation accuracy {record.ValidationMetric} of iteration {record.Iteration} is plotted.");
        }

        // The confusion matrix is on the held-out data, as the network classifies it one example at a time.
        var counts = new long[2, 2];
        var y = new float[1];
        for (int i = 0; i < held.Count; i++)
        {
            net.Predict(held.Inputs.AsSpan(2 * i, 2), y);
            counts[held.Labels[i] > 0.5f ? 1 : 0, y[0] > 0.5f ? 1 : 0]++;
        }

        Assert.Equal($"{counts[0, 0]},{counts[0, 1]};{counts[1, 0]},{counts[1, 1]}", figures[3].Counts);
    }

    [Fact]
    public void ConfusionMatrix_HoldsTheNetworksCountsOnTheTrainingData()
    {
        PlanarRuns runs = SampleReports.PlanarTrained;
        var figures = ReportHtml.Figures(SampleReports.PlanarReport().Render().Html).Where(f => f.Kind == "confusion-matrix").ToList();
        Assert.Equal(2, figures.Count);
        foreach (HtmlFigure figure in figures)
        {
            ITrainableNetwork network = figure.Run == "logistic regression" ? runs.Logistic : runs.Net;
            var counts = new long[2, 2];
            var y = new float[1];
            for (int i = 0; i < runs.Data.Count; i++)
            {
                network.Predict(runs.Data.Inputs.AsSpan(2 * i, 2), y);
                counts[runs.Data.Labels[i] > 0.5f ? 1 : 0, y[0] > 0.5f ? 1 : 0]++;
            }

            Assert.Equal($"{counts[0, 0]},{counts[0, 1]};{counts[1, 0]},{counts[1, 1]}", figure.Counts);
            double accuracy = (counts[0, 0] + counts[1, 1]) / 400.0;
            Assert.Equal(Trainer.Evaluate(network, runs.Data.Inputs, runs.Data.Labels).Accuracy, accuracy, 12);
            Assert.True(ReportHtml.InkedPixels(figure) > 1000, $"{figure.Run}: the confusion matrix is nearly blank.");
        }
    }

    [Fact]
    public void TwoInputClassifier_AccuracyInTheTableIsTheCourses()
    {
        string html = SampleReports.PlanarReport().Render().Html;
        Assert.Contains("<td class=\"num\">90.75 %</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">47.00 %</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFigure_HasInkInItsDataArea()
    {
        foreach (HtmlFigure figure in ReportHtml.Figures(SampleReports.PlanarReport().Render().Html))
        {
            Assert.True(ReportHtml.InkedPixels(figure) > 2000, $"{figure.Kind} of '{figure.Run}' is nearly blank.");
        }
    }

    private static int ClassAt(ITrainableNetwork network, PlotArea area, double column, double row)
    {
        double x = area.XMin + ((column - area.Left) / (area.Right - area.Left) * (area.XMax - area.XMin));
        double y = area.YMax - ((row - area.Top) / (area.Bottom - area.Top) * (area.YMax - area.YMin));
        Span<float> output = stackalloc float[1];
        network.Predict([(float)x, (float)y], output);
        return output[0] > 0.5f ? 1 : 0;
    }

    private static List<(double Column, double Row)> PointPixels(PlotArea area, Dataset data) =>
        Enumerable.Range(0, data.Count).Select(i => area.ToPixel(data.Inputs[2 * i], data.Inputs[(2 * i) + 1])).ToList();

    internal static bool HasColourNear(SKBitmap image, double column, double row, ScottPlot.Color color, int radius)
    {
        for (int dy = -radius; dy <= radius; dy++)
        {
            for (int dx = -radius; dx <= radius; dx++)
            {
                int x = (int)Math.Round(column) + dx, y = (int)Math.Round(row) + dy;
                if (x >= 0 && y >= 0 && x < image.Width && y < image.Height && ReportHtml.Distance(image.GetPixel(x, y), color) < 60)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
