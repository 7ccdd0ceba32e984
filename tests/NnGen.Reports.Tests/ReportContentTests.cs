using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NnGen.Data;
using NnGen.Reports.Tests.Support;

namespace NnGen.Reports.Tests;

/// <summary>
/// What a newcomer's report says, checked in the rendered page: regression metrics and figures, the squared-error
/// convention, the options in the run table, class names from the data, one name per data set.
/// </summary>
public sealed class ReportContentTests
{
    [Fact]
    public void Regression_WithValidationData_ShowsRSquaredMseMaeTheirFiguresAndTheHalfInTheCost()
    {
        Dataset train = Diabetes(200, seed: 1), validation = Diabetes(80, seed: 2);
        var net = new RegressionNet(seed: 3);
        var options = new TrainingOptions { LearningRate = 0.05f, Iterations = 300, RecordEvery = 20, Validation = new ValidationData(validation.Inputs, validation.Labels) };
        TrainingHistory history = net.Fit(train, options);

        string html = new TrainingReport("diabetes").Add(new ReportRun("2-3-1", history) { Network = net, Training = train, Validation = validation, Options = options }).Render().Html;

        Evaluation held = net.Evaluate(validation), fit = net.Evaluate(train);
        Assert.DoesNotContain("give <code>Fit</code> validation data", html, StringComparison.Ordinal);
        Assert.DoesNotContain("accuracy", html, StringComparison.Ordinal);
        Assert.Contains("<th>training R²</th><th>training MSE</th><th>training MAE</th><th>validation cost J</th><th>validation R²</th>", html, StringComparison.Ordinal);
        Assert.Contains(Cells(fit.RSquared.ToString("F4", CultureInfo.InvariantCulture), fit.MeanSquaredError.ToString("G6", CultureInfo.InvariantCulture), fit.MeanAbsoluteError.ToString("G6", CultureInfo.InvariantCulture)), html, StringComparison.Ordinal);
        Assert.Contains(Cells(held.RSquared.ToString("F4", CultureInfo.InvariantCulture), held.MeanSquaredError.ToString("G6", CultureInfo.InvariantCulture), held.MeanAbsoluteError.ToString("G6", CultureInfo.InvariantCulture)), html, StringComparison.Ordinal);
        Assert.True(held.RSquared > 0.8, $"R² {held.RSquared}");
        Assert.Contains("<th>final cost J*</th>", html, StringComparison.Ordinal);
        Assert.Contains("half the mean squared error (MSE) that Keras and scikit-learn report", html, StringComparison.Ordinal);
        Assert.Contains("MeanSquaredError (J = ½·MSE)", html, StringComparison.Ordinal);

        var figures = ReportHtml.Figures(html);
        Assert.Equal(["cost", "r-squared", "predicted-actual"], figures.Select(f => f.Kind));
        HtmlFigure rSquared = figures[1];
        foreach (CostRecord record in history.Costs.Where(r => r.ValidationMetric >= rSquared.Area.YMin))
        {
            (double column, double row) = rSquared.Area.ToPixel(record.Iteration, record.ValidationMetric);
            Assert.True(
                FigureTests.HasColourNear(rSquared.Image, column, row, Figures.RunColors[0], radius: 3),
                $"No line pixel near ({column:F1}, {row:F1}), where the validation R² {record.ValidationMetric} of iteration {record.Iteration} is plotted.");
        }

        Assert.True(ReportHtml.InkedPixels(figures[2]) > 1000, "the predicted-against-actual figure is nearly blank");
    }

    [Fact]
    public void Regression_ThreeTargetsFromCsv_PredictedAgainstActualShowsEveryOutput()
    {
        string path = Path.Combine(Path.GetTempPath(), "nngen-linnerud-" + Guid.NewGuid().ToString("N") + ".csv");
        var text = new StringBuilder("Chins,Situps,Jumps,Weight,Waist,Pulse\n");
        var random = new NumPyRandom(4);
        for (int i = 0; i < 40; i++)
        {
            double a = random.NextDouble(), b = random.NextDouble(), c = random.NextDouble();
            text.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{c:R},{a + b:R},{b - c:R},{0.5 * a:R}\n");
        }

        File.WriteAllText(path, text.ToString());
        try
        {
            Dataset data = CsvDataset.Load(path, CsvLabelColumn.Last, labelColumns: 3);
            var net = new LinnerudNet(seed: 5);
            var options = new TrainingOptions { LearningRate = 0.1f, Iterations = 200, RecordEvery = 50 };
            TrainingHistory history = net.Fit(data, options);

            RenderedReport rendered = new TrainingReport("linnerud").Add(new ReportRun("3-6-3", history) { Network = net, Training = data, Options = options }).Render();

            ReportFigure figure = rendered.Figures.Single(f => f.Kind == FigureKind.PredictedActual);
            Assert.Contains("3-6-3 on the training data (40 examples x 3 outputs)", figure.Caption, StringComparison.Ordinal);
            Assert.Contains("No validation figure was recorded during training", rendered.Html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RunTable_ListsOptimizerScheduleL2AndEarlyStopping()
    {
        (Dataset train, Dataset validation) = Wine(150, seed: 6).Split(0.3, seed: 0);
        var net = new WineNet(seed: 7);
        var options = new TrainingOptions
        {
            LearningRate = 0.01f,
            Iterations = 200,
            RecordEvery = 10,
            Optimizer = new Adam(),
            Schedule = new StepDecay { Every = 50 },
            L2 = 0.01f,
            Validation = new ValidationData(validation.Inputs, validation.ToOneHot().Labels),
            EarlyStopping = new EarlyStopping { Patience = 3 },
        };
        TrainingHistory history = net.Fit(train, options);

        string html = new TrainingReport("wine").Add(new ReportRun("4-8-3", history) { Network = net, Options = options }).Render().Html;

        Assert.Contains("<th>optimizer</th><th>schedule</th><th>L2 λ</th><th>early stopping</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Adam β1 0.9, β2 0.999, ε 1E-08</td><td>× 0.5 every 50 passes</td><td class=\"num\">0.01</td><td>patience 3 record points on the validation cost</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfusionMatrix_TakesTheClassNamesFromTheDataSet()
    {
        Dataset data = Wine(90, seed: 8);
        var net = new WineNet(seed: 9);
        TrainingHistory history = net.Fit(data, new TrainingOptions { LearningRate = 0.3f, Iterations = 100 });

        var figures = ReportHtml.Figures(new TrainingReport("wine").Add(new ReportRun("4-8-3", history) { Network = net, Training = data }).Render().Html);

        Assert.Equal(["barolo", "grignolino", "barbera"], figures.Single(f => f.Kind == "confusion-matrix").Classes!);
    }

    [Fact]
    public void HeldOutData_IsCalledValidationWhenFitValidatedOnItAndTestOtherwiseNeverHeldOut()
    {
        Dataset all = Wine(180, seed: 10);
        (Dataset rest, Dataset test) = all.Split(0.2, seed: 0);
        (Dataset train, Dataset validation) = rest.Split(0.2, seed: 0);
        Dataset validationRows = validation.ToOneHot();
        var options = new TrainingOptions { LearningRate = 0.3f, Iterations = 100, RecordEvery = 10, Validation = new ValidationData(validationRows.Inputs, validationRows.Labels) };
        var net = new WineNet(seed: 11);
        TrainingHistory history = net.Fit(train, options);

        string onTest = new TrainingReport("test").Add(new ReportRun("run", history) { Network = net, Training = train, Validation = test.ToOneHot(), Options = options }).Render().Html;
        string onValidation = new TrainingReport("validation").Add(new ReportRun("run", history) { Network = net, Training = train, Validation = validationRows, Options = options }).Render().Html;

        Assert.Contains("<th>test cost J</th><th>test accuracy</th>", onTest, StringComparison.Ordinal);
        Assert.Contains("<tr><th>test data</th>", onTest, StringComparison.Ordinal);
        Assert.Contains("run on the test data (36 examples)", onTest, StringComparison.Ordinal);
        Assert.Contains("<th>validation cost J</th><th>validation accuracy</th>", onValidation, StringComparison.Ordinal);
        Assert.Contains("run on the validation data (29 examples)", onValidation, StringComparison.Ordinal);
        foreach (string html in (string[])[onTest, onValidation])
        {
            Assert.DoesNotContain("held-out", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void CostLogAxis_SpanningAboutADecade_HasAtLeastFiveLabelledTicks()
    {
        Assert.Equal(["0.3", "0.5", "0.7", "1", "2", "3"], Figures.LogTicks(0.3, 3.5).Labels);
        Assert.Equal(["0.2", "0.3", "0.5", "0.7", "1", "2"], Figures.LogTicks(0.2, 2.1).Labels);
        Assert.Equal(["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1"], Figures.LogTicks(0.001, 0.1).Labels);
    }

    private static string Cells(params string[] values) => string.Concat(values.Select(v => $"<td class=\"num\">{v}</td>"));

    /// <summary>y = 2·x0 − 3·x1 + 0.5 + noise, a diabetes-like regression target.</summary>
    private static Dataset Diabetes(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[2 * m];
        var labels = new float[m];
        for (int e = 0; e < m; e++)
        {
            float x0 = (float)((2 * random.NextDouble()) - 1), x1 = (float)((2 * random.NextDouble()) - 1);
            inputs[2 * e] = x0;
            inputs[(2 * e) + 1] = x1;
            labels[e] = (2 * x0) - (3 * x1) + 0.5f + (float)(0.2 * (random.NextDouble() - 0.5));
        }

        return new Dataset(inputs, 2, labels, 1);
    }

    /// <summary>Three named classes of four features around separate centres, labels as class indices.</summary>
    private static Dataset Wine(int m, int seed)
    {
        var random = new NumPyRandom(seed);
        var inputs = new float[m * 4];
        var labels = new float[m];
        for (int e = 0; e < m; e++)
        {
            int c = e % 3;
            labels[e] = c;
            for (int f = 0; f < 4; f++)
            {
                inputs[(e * 4) + f] = (c == f ? 1.5f : 0f) + (float)((random.NextDouble() - 0.5) * 0.8);
            }
        }

        return new Dataset(inputs, 4, labels, 1, ["barolo", "grignolino", "barbera"]);
    }
}
