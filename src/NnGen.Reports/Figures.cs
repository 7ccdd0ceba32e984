using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Data;
using ScottPlot;

namespace NnGen.Reports;

/// <summary>Draws each kind of figure with ScottPlot and renders it to PNG.</summary>
internal static class Figures
{
    /// <summary>Class 0 and class 1 as the course draws them (matplotlib's Spectral ends): red and blue.</summary>
    internal static readonly Color[] ClassColors = [Color.FromHex("#d7191c"), Color.FromHex("#2b83ba")];

    /// <summary>The tints the decision boundary fills each class's region with.</summary>
    internal static readonly Color[] RegionColors = [Color.FromHex("#f6c1b0"), Color.FromHex("#b9d8ec")];

    /// <summary>Cells per side of the decision boundary grid.</summary>
    internal const int BoundaryResolution = 300;

    // A cost curve whose largest recorded value is at least this many times its smallest is drawn on a log scale:
    // below one decade a log axis only compresses the part of the curve worth reading.
    private const double LogScaleRatio = 10;

    // A log axis gets at least this many labelled ticks, so a curve that spans one or two decades can still be read.
    private const int MinimumLogTicks = 5;

    // The R² figure's axis stops here (see RSquared).
    private const double RSquaredFloor = -1;

    /// <summary>The colour of each run's lines, in the order runs were added (then repeating).</summary>
    internal static readonly Color[] RunColors =
        [Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2")];

    public static ReportFigure? Cost(IReadOnlyList<ReportRun> runs)
    {
        var curves = runs.Select((run, index) => (Index: index, Curves: RunSeries.Costs(run).ToList())).Where(r => r.Curves.Count > 0).ToList();
        if (curves.Count == 0)
        {
            return null;
        }

        double[] all = curves.SelectMany(r => r.Curves).SelectMany(c => c.Y).Where(double.IsFinite).ToArray();
        bool log = all.Length > 0 && all.Min() > 0 && all.Max() / all.Min() >= LogScaleRatio;

        using var plot = NewPlot();
        foreach ((int index, List<Curve> runCurves) in curves)
        {
            foreach (Curve curve in runCurves)
            {
                double[] ys = log ? curve.Y.Select(Math.Log10).ToArray() : curve.Y;
                AddLine(plot, curve, ys, RunColors[index % RunColors.Length], label: curve.Validation ? curve.Label + " (validation)" : curve.Label);
            }
        }

        if (log)
        {
            (double[] positions, string[] labels) = LogTicks(all.Min(), all.Max());
            plot.Axes.Left.SetTicks(positions, labels);
        }

        plot.Title("Cost");
        plot.XLabel(IterationLabel(runs));
        plot.YLabel(log ? "J (log scale)" : "J");
        ShowLegend(plot, runs.Count > 1 || curves.Any(r => r.Curves.Any(c => c.Validation)));
        string caption = "The cost J at each recorded iteration" + (log ? ", on a log scale (it falls by more than a decade)." : ".");
        if (runs.Any(HalfSquaredError.Applies))
        {
            caption += " " + HalfSquaredError.Note;
        }

        return Render(plot, FigureKind.Cost, string.Empty, caption, 720, 440);
    }

    /// <summary>The validation R² of regression runs at each recorded iteration (<see cref="CostRecord.ValidationMetric"/>).</summary>
    public static ReportFigure? RSquared(IReadOnlyList<ReportRun> runs)
    {
        var curves = runs.Select((run, index) => (Index: index, Curves: RunSeries.RSquared(run).ToList())).Where(r => r.Curves.Count > 0).ToList();
        if (curves.Count == 0)
        {
            return null;
        }

        using var plot = NewPlot();
        foreach ((int index, List<Curve> runCurves) in curves)
        {
            foreach (Curve curve in runCurves)
            {
                AddLine(plot, curve, curve.Y, RunColors[index % RunColors.Length], curve.Label + " (validation)");
            }
        }

        // An untrained network's R² can be hugely negative; below −1 it says only "far worse than the mean", so the
        // axis stops there and keeps the part of the curve worth reading in view.
        double[] values = curves.SelectMany(r => r.Curves).SelectMany(c => c.Y).Where(double.IsFinite).ToArray();
        double low = Math.Max(RSquaredFloor, values.Min()), high = Math.Min(1, values.Max());
        double margin = Math.Max(0.02, (high - low) * 0.05);
        plot.Axes.SetLimitsY(low - margin, Math.Min(1, high) + margin);
        plot.Title("R²");
        plot.XLabel(IterationLabel(runs));
        plot.YLabel("R² (1 is a perfect fit)");
        ShowLegend(plot, show: true);
        string caption = "R² = 1 − Σ(a − y)² / Σ(y − ȳ)² on the validation data at each recorded iteration (0 is no better than predicting the mean)"
            + (values.Min() < RSquaredFloor ? "; values below −1 are cut off at the bottom." : ".");
        return Render(plot, FigureKind.RSquared, string.Empty, caption, 720, 440);
    }

    /// <summary>
    /// A regression network's prediction against the label for every example and output of <paramref name="data"/>,
    /// with the diagonal where they are equal.
    /// </summary>
    public static ReportFigure PredictedActual(ReportRun run, ITrainableNetwork network, Dataset data, string dataName, Evaluation evaluation)
    {
        var outputs = new float[data.Labels.Length];
        network.PredictBatch(data.Inputs, outputs);
        int n = network.OutputSize;
        double low = double.MaxValue, high = double.MinValue;
        using var plot = NewPlot();
        for (int j = 0; j < n; j++)
        {
            var actual = new double[data.Count];
            var predicted = new double[data.Count];
            for (int e = 0; e < data.Count; e++)
            {
                actual[e] = data.Labels[(e * n) + j];
                predicted[e] = outputs[(e * n) + j];
                low = Math.Min(low, Math.Min(actual[e], predicted[e]));
                high = Math.Max(high, Math.Max(actual[e], predicted[e]));
            }

            var markers = plot.Add.Markers(actual, predicted, MarkerShape.FilledCircle, 5, RunColors[j % RunColors.Length].WithAlpha(0.7));
            markers.LegendText = n == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"output {j}");
        }

        double pad = Math.Max((high - low) * 0.05, 1e-6);
        low -= pad;
        high += pad;
        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LineWidth = 1;
        plot.Axes.SetLimits(low, high, low, high);
        plot.Title(run.Name, size: 14);
        plot.XLabel("actual (label)");
        plot.YLabel("predicted");
        ShowLegend(plot, n > 1);
        string caption = string.Create(
            CultureInfo.InvariantCulture,
            $"{run.Name} on the {dataName} data ({data.Count} examples{(n > 1 ? $" x {n} outputs" : string.Empty)}): each prediction against its label; points on the dashed diagonal are exact. R² {evaluation.RSquared:F4}, MSE {evaluation.MeanSquaredError:G4}, MAE {evaluation.MeanAbsoluteError:G4}.");
        return Render(plot, FigureKind.PredictedActual, run.Name, caption, 520, 500);
    }

    public static ReportFigure? Accuracy(IReadOnlyList<ReportRun> runs)
    {
        var curves = runs.Select((run, index) => (Index: index, Curves: RunSeries.Accuracies(run).ToList())).Where(r => r.Curves.Count > 0).ToList();
        if (curves.Count == 0)
        {
            return null;
        }

        using var plot = NewPlot();
        foreach ((int index, List<Curve> runCurves) in curves)
        {
            foreach (Curve curve in runCurves)
            {
                AddLine(plot, curve, curve.Y.Select(y => y * 100).ToArray(), RunColors[index % RunColors.Length], curve.Label + " (validation)");
            }
        }

        // At least ten points of percentage in view, so a flat curve reads as flat rather than as noise magnified.
        double[] percents = curves.SelectMany(r => r.Curves).SelectMany(c => c.Y).Where(double.IsFinite).Select(y => y * 100).ToArray();
        double low = percents.Min(), high = percents.Max();
        double margin = Math.Max(2, (10 - (high - low)) / 2);
        plot.Axes.SetLimitsY(Math.Max(0, low - margin), Math.Min(100, high + margin));
        plot.Title("Accuracy");
        plot.XLabel(IterationLabel(runs));
        plot.YLabel("accuracy (%)");
        ShowLegend(plot, show: true);
        return Render(plot, FigureKind.Accuracy, string.Empty, "Accuracy on the validation data at each recorded iteration.", 720, 440);
    }

    /// <summary>
    /// The course's planar figure: the class the network predicts at the centre of each cell of a
    /// <see cref="BoundaryResolution"/>² grid over the data (with a margin of one unit, as the course's
    /// <c>plot_decision_boundary</c>), and the data points coloured by their label.
    /// </summary>
    public static ReportFigure DecisionBoundary(ReportRun run, ITrainableNetwork network, Dataset data)
    {
        float[] inputs = data.Inputs;
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < inputs.Length; i += 2)
        {
            xMin = Math.Min(xMin, inputs[i]);
            xMax = Math.Max(xMax, inputs[i]);
            yMin = Math.Min(yMin, inputs[i + 1]);
            yMax = Math.Max(yMax, inputs[i + 1]);
        }

        xMin -= 1;
        xMax += 1;
        yMin -= 1;
        yMax += 1;

        int n = BoundaryResolution;
        double cellWidth = (xMax - xMin) / n, cellHeight = (yMax - yMin) / n;
        var grid = new float[n * n * 2];
        for (int row = 0; row < n; row++)
        {
            // Row 0 is the top of the image, so it holds the largest y.
            double y = yMax - ((row + 0.5) * cellHeight);
            for (int column = 0; column < n; column++)
            {
                int cell = (row * n) + column;
                grid[2 * cell] = (float)(xMin + ((column + 0.5) * cellWidth));
                grid[(2 * cell) + 1] = (float)y;
            }
        }

        var outputs = new float[n * n];
        network.PredictBatch(grid, outputs);
        var classes = new double[n, n];
        for (int row = 0; row < n; row++)
        {
            for (int column = 0; column < n; column++)
            {
                classes[row, column] = outputs[(row * n) + column] > 0.5f ? 1 : 0;
            }
        }

        using var plot = NewPlot();
        var heatmap = plot.Add.Heatmap(classes);
        heatmap.Rectangle = new CoordinateRect(xMin, xMax, yMin, yMax);
        heatmap.Colormap = new ScottPlot.Colormaps.Custom(RegionColors, false);
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Smooth = false;

        for (int label = 0; label < 2; label++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < data.Count; i++)
            {
                if ((data.Labels[i] > 0.5f ? 1 : 0) == label)
                {
                    xs.Add(inputs[2 * i]);
                    ys.Add(inputs[(2 * i) + 1]);
                }
            }

            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 6, ClassColors[label]);
            markers.MarkerLineColor = Colors.Black;
            markers.MarkerLineWidth = 0.5f;
        }

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.Title(run.Name, size: 14);
        plot.XLabel("x1");
        plot.YLabel("x2");
        string caption = string.Create(
            CultureInfo.InvariantCulture,
            $"{run.Name}: the class predicted over the plane (red region: 0, blue region: 1) and the {data.Count} data points coloured by label.");
        return Render(plot, FigureKind.DecisionBoundary, run.Name, caption, 520, 460);
    }

    public static ReportFigure ConfusionMatrix(ReportRun run, NnGen.ConfusionMatrix matrix, IReadOnlyList<string> classNames, string dataName)
    {
        int classes = matrix.Classes;
        var counts = new long[classes, classes];
        for (int actual = 0; actual < classes; actual++)
        {
            for (int predicted = 0; predicted < classes; predicted++)
            {
                counts[actual, predicted] = matrix[actual, predicted];
            }
        }

        // Shaded by each cell's share of its true class (its row), so a small class's mistakes show as clearly as a large one's.
        var shares = new double[classes, classes];
        for (int actual = 0; actual < classes; actual++)
        {
            long rowTotal = 0;
            for (int predicted = 0; predicted < classes; predicted++)
            {
                rowTotal += counts[actual, predicted];
            }

            for (int predicted = 0; predicted < classes; predicted++)
            {
                shares[actual, predicted] = rowTotal == 0 ? 0 : (double)counts[actual, predicted] / rowTotal;
            }
        }

        using var plot = NewPlot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Rectangle = new CoordinateRect(-0.5, classes - 0.5, -0.5, classes - 0.5);
        heatmap.Colormap = new ScottPlot.Colormaps.CustomInterpolated([Color.FromHex("#f7fbff"), Color.FromHex("#6baed6"), Color.FromHex("#08306b")]);
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Smooth = false;

        float fontSize = classes <= 4 ? 18 : classes <= 10 ? 11 : 8;
        for (int actual = 0; actual < classes; actual++)
        {
            for (int predicted = 0; predicted < classes; predicted++)
            {
                // Row 0 of the heatmap is drawn at the top: true class 0 is the top row.
                var text = plot.Add.Text(counts[actual, predicted].ToString(CultureInfo.InvariantCulture), predicted, classes - 1 - actual);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = shares[actual, predicted] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = Enumerable.Range(0, classes).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, classNames.ToArray());
        plot.Axes.Left.SetTicks(positions, classNames.Reverse().ToArray());
        plot.Axes.SetLimits(-0.5, classes - 0.5, -0.5, classes - 0.5);
        plot.HideGrid();
        plot.Title(run.Name, size: 14);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        int size = classes <= 4 ? 440 : 560;
        string caption = string.Create(
            CultureInfo.InvariantCulture,
            $"{run.Name} on the {dataName} data ({matrix.Total} examples): how many of each true class (row) were predicted as each class (column); shading is the share of the row.");
        return Render(plot, FigureKind.ConfusionMatrix, run.Name, caption, size, size - 20, counts, classNames);
    }

    /// <summary>
    /// Ticks at 1, 2 and 5 times each power of ten within [min, max], at their log10 positions; where that gives fewer
    /// than <see cref="MinimumLogTicks"/> (a range of one or two decades), at 1, 2, 3, 5 and 7 times each, which puts
    /// five in any range of a decade or more (the only ranges drawn on a log scale).
    /// </summary>
    internal static (double[] Positions, string[] Labels) LogTicks(double min, double max)
    {
        (double[] Positions, string[] Labels) ticks = LogTicks(min, max, [1, 2, 5]);
        return ticks.Positions.Length >= MinimumLogTicks ? ticks : LogTicks(min, max, [1, 2, 3, 5, 7]);
    }

    private static (double[] Positions, string[] Labels) LogTicks(double min, double max, int[] mantissas)
    {
        var positions = new List<double>();
        var labels = new List<string>();
        for (int exponent = (int)Math.Floor(Math.Log10(min)); exponent <= (int)Math.Ceiling(Math.Log10(max)); exponent++)
        {
            foreach (int mantissa in mantissas)
            {
                // Dividing for negative exponents rounds once, so 3 × 10⁻¹ is the double nearest 0.3, as parsing "0.3" gives.
                double value = exponent >= 0 ? mantissa * Math.Pow(10, exponent) : mantissa / Math.Pow(10, -exponent);
                if (value >= min / 1.05 && value <= max * 1.05)
                {
                    positions.Add(Math.Log10(value));
                    labels.Add(value.ToString("G3", CultureInfo.InvariantCulture));
                }
            }
        }

        return (positions.ToArray(), labels.ToArray());
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        return plot;
    }

    private static void AddLine(Plot plot, Curve curve, double[] ys, Color color, string label)
    {
        var line = plot.Add.ScatterLine(curve.X, ys, color);
        line.LineWidth = 2;
        line.LegendText = label;
        if (curve.Validation)
        {
            // Dashed, with a ring on every recorded point so no value falls in a gap between dashes.
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 5;
            line.MarkerShape = MarkerShape.OpenCircle;
        }
        else if (curve.X.Length <= 25)
        {
            line.MarkerSize = 5;
            line.MarkerShape = MarkerShape.FilledCircle;
        }
    }

    private static void ShowLegend(Plot plot, bool show)
    {
        if (show)
        {
            // Below the data area, where it can never hide a curve.
            plot.ShowLegend(Edge.Bottom);
        }
        else
        {
            plot.HideLegend();
        }
    }

    private static string IterationLabel(IReadOnlyList<ReportRun> runs) =>
        runs.Any(run => run.Options is { BatchSize: > 0 }) ? "epoch (pass over the data)" : "iteration";

    private static ReportFigure Render(Plot plot, FigureKind kind, string run, string caption, int width, int height, long[,]? counts = null, IReadOnlyList<string>? classNames = null)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        PixelRect data = plot.LastRender.DataRect;
        AxisLimits limits = plot.LastRender.AxisLimits;
        var area = new PlotArea(data.Left, data.Top, data.Right, data.Bottom, limits.Left, limits.Right, limits.Bottom, limits.Top);
        return new ReportFigure(kind, run, caption, png, width, height, area, counts, classNames);
    }
}
