using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NnGen.Reports;

/// <summary>Writes the report's single HTML page.</summary>
internal static class HtmlPage
{
    // Everything the page uses is inline; the policy makes any accidental external reference fail visibly (a console
    // error) instead of silently needing the network.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
        h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
        h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
        h3 { font-size: 1.05rem; }
        p.lead { color: #444; max-width: 60rem; }
        p.note { color: #555; font-size: 0.88rem; max-width: 60rem; }
        table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
        th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; }
        th { background: #f4f6f8; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .figures { display: flex; flex-wrap: wrap; gap: 1rem; }
        figure { margin: 0; display: table; }
        figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { display: table-caption; caption-side: bottom; font-size: 0.88rem; color: #555; margin-top: 0.3rem; }
        pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; font-size: 0.85rem; }
        footer { margin-top: 3rem; color: #888; font-size: 0.8rem; }
        """;

    // Marks the page with how many figures decoded, and reports any that did not, so a reader (or a headless browser)
    // can tell a broken image from an empty one.
    private const string FigureCheck = """
        window.addEventListener('load', function () {
          var images = document.querySelectorAll('figure img');
          var loaded = 0;
          images.forEach(function (image) {
            if (image.complete && image.naturalWidth > 0) { loaded++; } else { console.error('figure did not load: ' + image.alt); }
          });
          document.body.setAttribute('data-figures-loaded', String(loaded));
        });
        """;

    public static string Write(string title, string? description, ReportContent content)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n");
        html.Append(Invariant($"<body data-figures=\"{content.AllFigures.Count}\">\n"));
        html.Append("<h1>").Append(Encode(title)).Append("</h1>\n");
        if (!string.IsNullOrWhiteSpace(description))
        {
            html.Append("<p class=\"lead\">").Append(Encode(description)).Append("</p>\n");
        }

        WriteRunTable(html, content.Runs);

        html.Append("<h2>Training</h2>\n<div class=\"figures\">\n");
        WriteFigure(html, content.Cost);
        WriteFigure(html, content.Accuracy);
        WriteFigure(html, content.RSquared);
        html.Append("</div>\n");
        if (content.Accuracy is null && content.RSquared is null)
        {
            html.Append("<p>No validation figure was recorded during training (give <code>Fit</code> validation data, <code>TrainingOptions.Validation</code>, to record accuracy or R² at every record point); the table above gives the final figures.</p>\n");
        }

        WriteSection(html, "Decision boundary", content.Boundaries);
        WriteSection(html, "Confusion matrix", content.Confusions);
        WriteSection(html, "Predicted against actual", content.Predictions);

        html.Append("<h2>Runs</h2>\n");
        foreach (RunFacts facts in content.Runs)
        {
            WriteRunDetails(html, facts);
        }

        html.Append("<footer>Written by NnGen.Reports; figures drawn with ScottPlot. This file needs no network access.</footer>\n");
        html.Append("<script>\n").Append(FigureCheck).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteRunTable(StringBuilder html, IReadOnlyList<RunFacts> runs)
    {
        // Metric columns appear for the kinds of network the report holds: accuracy for classifiers, R², MSE and MAE
        // for regression; a run of the other kind shows "—" there.
        bool classifiers = runs.Any(f => f.Run.Network is { } n && Classification.IsClassifier(n));
        bool regressions = runs.Any(f => f.Run.Network is { } n && Classification.IsRegression(n));
        string[] heldNames = runs.Where(f => f.Validation is not null).Select(f => DataNames.HeldOut(f.Run)).Distinct().ToArray();
        string held = heldNames.Length == 1 ? heldNames[0] : "validation or test";
        bool halfSquares = runs.Any(f => HalfSquaredError.Applies(f.Run));

        html.Append("<table class=\"runs\">\n<tr><th>run</th><th>network</th><th>iterations</th><th>α</th><th>optimizer</th><th>schedule</th><th>L2 λ</th><th>early stopping</th><th>time</th><th>status</th>")
            .Append(halfSquares ? "<th>final cost J*</th>" : "<th>final cost J</th>");
        AppendMetricHeaders(html, DataNames.Training, withCost: false, classifiers, regressions);
        AppendMetricHeaders(html, held, withCost: true, classifiers, regressions);
        html.Append("</tr>\n");
        foreach (RunFacts facts in runs)
        {
            ReportRun run = facts.Run;
            TrainingHistory history = run.History;
            TrainingOptions? options = run.Options;
            html.Append("<tr>");
            Cell(html, run.Name);
            Cell(html, run.Network is { } network ? Invariant($"{network.Name}: {network.InputSize} → {network.OutputSize}, {network.ParameterCount:N0} parameters") : "—");
            Cell(html, options is not null ? Invariant($"{history.IterationsCompleted:N0} of {options.Iterations:N0}") : Invariant($"{history.IterationsCompleted:N0}"), numeric: true);
            Cell(html, options is not null ? Invariant($"{options.LearningRate:G6}") : "—", numeric: true);
            Cell(html, options is not null ? Optimizer(options.Optimizer) : "—");
            Cell(html, options is not null ? Schedule(options.Schedule) : "—");
            Cell(html, options is null ? "—" : options.L2 == 0f ? "none" : Invariant($"{options.L2:G6}"), numeric: true);
            Cell(html, options is not null ? EarlyStopping(options.EarlyStopping) : "—");
            Cell(html, Duration(history.Elapsed), numeric: true);
            Cell(html, Status(history));
            Cell(html, Invariant($"{history.FinalCost:F6}"), numeric: true);
            AppendMetricCells(html, facts.Training, withCost: false, classifiers, regressions);
            AppendMetricCells(html, facts.Validation, withCost: true, classifiers, regressions);
            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
        if (halfSquares)
        {
            html.Append("<p class=\"note\">* ").Append(Encode(HalfSquaredError.Note)).Append("</p>\n");
        }
    }

    private static void AppendMetricHeaders(StringBuilder html, string data, bool withCost, bool classifiers, bool regressions)
    {
        if (withCost)
        {
            html.Append("<th>").Append(Encode(data)).Append(" cost J</th>");
        }

        if (classifiers)
        {
            html.Append("<th>").Append(Encode(data)).Append(" accuracy</th>");
        }

        if (regressions)
        {
            html.Append("<th>").Append(Encode(data)).Append(" R²</th><th>").Append(Encode(data)).Append(" MSE</th><th>").Append(Encode(data)).Append(" MAE</th>");
        }
    }

    private static void AppendMetricCells(StringBuilder html, Evaluation? evaluation, bool withCost, bool classifiers, bool regressions)
    {
        if (withCost)
        {
            Cell(html, evaluation is { } e ? Invariant($"{e.Cost:F6}") : "—", numeric: true);
        }

        if (classifiers)
        {
            Cell(html, Percent(evaluation), numeric: true);
        }

        if (regressions)
        {
            // Accuracy is NaN exactly for outputs that are not class scores, where R², MSE and MAE are the figures.
            bool regression = evaluation is { } e && double.IsNaN(e.Accuracy);
            Cell(html, regression ? Invariant($"{evaluation!.RSquared:F4}") : "—", numeric: true);
            Cell(html, regression ? Invariant($"{evaluation!.MeanSquaredError:G6}") : "—", numeric: true);
            Cell(html, regression ? Invariant($"{evaluation!.MeanAbsoluteError:G6}") : "—", numeric: true);
        }
    }

    private static void WriteRunDetails(StringBuilder html, RunFacts facts)
    {
        ReportRun run = facts.Run;
        TrainingHistory history = run.History;
        html.Append("<h3>").Append(Encode(run.Name)).Append("</h3>\n<table class=\"run\">\n");
        if (run.Network is { } network)
        {
            Row(html, "network", Invariant($"{network.Name}: {network.InputSize} inputs, {network.OutputSize} outputs, {network.ParameterCount:N0} parameters"));
            Row(html, "output and loss", Invariant($"{network.OutputActivation}, {network.Loss}") + (HalfSquaredError.Applies(run) ? " (J = ½·MSE)" : string.Empty));
        }

        if (run.Options is { } options)
        {
            Row(html, "learning rate α", Invariant($"{options.LearningRate:G6}"));
            Row(html, "iterations", Invariant($"{options.Iterations:N0}"));
            Row(html, "batches", options.BatchSize == 0 ? "full batch" : Invariant($"mini-batches of {options.BatchSize}, shuffled with seed {options.Seed}"));
            Row(html, "optimizer", Optimizer(options.Optimizer));
            Row(html, "learning-rate schedule", Schedule(options.Schedule));
            Row(html, "L2 λ", options.L2 == 0f ? "none" : Invariant($"{options.L2:G6}"));
            Row(html, "early stopping", EarlyStopping(options.EarlyStopping));
            Row(html, "cost recorded every", Invariant($"{options.RecordEvery:N0} iterations"));
        }

        Row(html, "time", Duration(history.Elapsed));
        Row(html, "status", Status(history));
        if (history.Costs.Count > 0)
        {
            Row(html, "first recorded cost", Invariant($"{history.Costs[0].Cost:F6} (iteration {history.Costs[0].Iteration})"));
        }

        Row(html, "final cost", Invariant($"{history.FinalCost:F6}"));
        if (facts.Training is { } training)
        {
            Row(html, DataNames.Training + " data", Metrics(training));
        }

        if (facts.Validation is { } validation)
        {
            Row(html, DataNames.HeldOut(run) + " data", Metrics(validation));
        }

        html.Append("</table>\n");
        if (!string.IsNullOrWhiteSpace(run.Summary))
        {
            html.Append("<pre>").Append(Encode(run.Summary.TrimEnd())).Append("</pre>\n");
        }
    }

    private static void WriteSection(StringBuilder html, string heading, IReadOnlyList<ReportFigure> figures)
    {
        if (figures.Count == 0)
        {
            return;
        }

        html.Append("<h2>").Append(Encode(heading)).Append("</h2>\n<div class=\"figures\">\n");
        foreach (ReportFigure figure in figures)
        {
            WriteFigure(html, figure);
        }

        html.Append("</div>\n");
    }

    private static void WriteFigure(StringBuilder html, ReportFigure? figure)
    {
        if (figure is null)
        {
            return;
        }

        PlotArea area = figure.Area;
        html.Append(Invariant($"<figure data-figure=\"{KindName(figure.Kind)}\" data-run=\"{Encode(figure.Run)}\""))
            .Append(Invariant($" data-plot-area=\"{area.Left:R},{area.Top:R},{area.Right:R},{area.Bottom:R}\""))
            .Append(Invariant($" data-limits=\"{area.XMin:R},{area.XMax:R},{area.YMin:R},{area.YMax:R}\""));
        if (figure.Counts is { } counts)
        {
            // The numbers drawn in the cells, rows separated by ';', for readers and checks that cannot read pixels.
            var rows = new string[counts.GetLength(0)];
            for (int row = 0; row < rows.Length; row++)
            {
                var cells = new long[counts.GetLength(1)];
                for (int column = 0; column < cells.Length; column++)
                {
                    cells[column] = counts[row, column];
                }

                rows[row] = string.Join(",", cells);
            }

            html.Append(" data-counts=\"").Append(string.Join(";", rows)).Append('"');
        }

        if (figure.ClassNames is { } names)
        {
            html.Append(" data-classes=\"").Append(Encode(string.Join(";", names))).Append('"');
        }

        html.Append(">\n");
        html.Append(Invariant($"<img width=\"{figure.Width}\" height=\"{figure.Height}\" alt=\"{Encode(figure.Caption)}\" src=\"{figure.DataUri}\">\n"));
        html.Append("<figcaption>").Append(Encode(figure.Caption)).Append("</figcaption>\n</figure>\n");
    }

    /// <summary>The figure kind as the page names it (<c>decision-boundary</c>).</summary>
    internal static string KindName(FigureKind kind) => kind switch
    {
        FigureKind.Cost => "cost",
        FigureKind.Accuracy => "accuracy",
        FigureKind.DecisionBoundary => "decision-boundary",
        FigureKind.ConfusionMatrix => "confusion-matrix",
        FigureKind.RSquared => "r-squared",
        FigureKind.PredictedActual => "predicted-actual",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown figure kind."),
    };

    private static string Metrics(Evaluation evaluation) =>
        double.IsNaN(evaluation.Accuracy)
            ? Invariant($"cost {evaluation.Cost:F6}, R² {evaluation.RSquared:F4}, MSE {evaluation.MeanSquaredError:G6}, MAE {evaluation.MeanAbsoluteError:G6} over {evaluation.Examples:N0} examples")
            : Invariant($"cost {evaluation.Cost:F6}, accuracy {evaluation.Accuracy:P2} over {evaluation.Examples:N0} examples");

    private static string Optimizer(Optimizer? optimizer) => optimizer switch
    {
        null or GradientDescent => "gradient descent",
        Momentum m => Invariant($"momentum β {m.Beta:G4}{(m.Nesterov ? ", Nesterov" : string.Empty)}"),
        AdamW a => Invariant($"AdamW β1 {a.Beta1:G4}, β2 {a.Beta2:G4}, ε {a.Epsilon:G3}, weight decay {a.WeightDecay:G4}"),
        Adam a => Invariant($"Adam β1 {a.Beta1:G4}, β2 {a.Beta2:G4}, ε {a.Epsilon:G3}"),
        _ => optimizer.GetType().Name,
    };

    private static string Schedule(LearningRateSchedule? schedule) => schedule switch
    {
        null => "constant",
        StepDecay s => Invariant($"× {s.Factor:G4} every {s.Every:N0} passes"),
        ExponentialDecay e => Invariant($"× {e.Rate:G6} per pass"),
        InverseTimeDecay i => Invariant($"1 / (1 + {i.DecayRate:G4}·⌊pass / {i.Every:N0}⌋)"),
        _ => schedule.GetType().Name,
    };

    private static string EarlyStopping(EarlyStopping? stopping) =>
        stopping is null
            ? "none"
            : Invariant($"patience {stopping.Patience:N0} record points on the validation {(stopping.Monitor == EarlyStoppingMonitor.ValidationMetric ? "metric" : "cost")}{(stopping.MinDelta > 0 ? $", min Δ {stopping.MinDelta:G4}" : string.Empty)}");

    private static string Percent(Evaluation? evaluation) =>
        evaluation is { Accuracy: var accuracy } && !double.IsNaN(accuracy) ? Invariant($"{accuracy:P2}") : "—";

    private static string Status(TrainingHistory history) => history.Status switch
    {
        TrainingStatus.Completed => "completed",
        TrainingStatus.StoppedEarly => Invariant($"stopped early; kept the parameters of iteration {history.BestIteration}"),
        TrainingStatus.Diverged => Invariant($"diverged at iteration {history.DivergedAtIteration}"),
        _ => Invariant($"{history.Status} at iteration {history.ProblemAtIteration}: {history.Problem}"),
    };

    private static string Duration(TimeSpan elapsed) =>
        elapsed.TotalSeconds >= 1 ? Invariant($"{elapsed.TotalSeconds:F2} s") : Invariant($"{elapsed.TotalMilliseconds:F1} ms");

    private static void Cell(StringBuilder html, string text, bool numeric = false) =>
        html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(Encode(text)).Append("</td>");

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>\n");

    // Only the characters HTML gives a meaning to: WebUtility.HtmlEncode also writes Latin-1 symbols such as ½, ² and ×
    // as numeric entities, which a UTF-8 page does not need and which make the source unreadable.
    private static string Encode(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal)
            .Replace("'", "&#39;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
