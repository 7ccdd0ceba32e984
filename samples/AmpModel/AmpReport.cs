using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NnGen.Data;
using ScottPlot;

namespace NnGen.Samples.AmpModel;

/// <summary>One figure of the amp-model report: a PNG and what it shows.</summary>
/// <param name="Name">Its <c>data-figure</c> attribute: <c>esr</c>, <c>waveform</c> or <c>difference</c>.</param>
/// <param name="Caption">The sentence under it.</param>
/// <param name="Png">The image.</param>
public sealed record AmpFigure(string Name, string Caption, byte[] Png);

/// <summary>
/// The sample's HTML page, the models side by side: a table of their held-out figures, their ESR curves over the run,
/// target and predicted waveforms over a short held-out window and their differences, the settings and each network's
/// summary. Built like NnGen.Reports' pages (one file, PNGs drawn with ScottPlot inside it as <c>data:</c> URIs, a content
/// security policy that forbids loading anything, a check that counts the figures that decoded) because
/// <c>TrainingReport</c> draws the figures of one example per row, not of a signal played through a streaming network.
/// </summary>
public static class AmpReport
{
    /// <summary>Milliseconds of held-out playing the waveform figures show.</summary>
    public const int WindowMilliseconds = 30;

    private const string ContentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
        h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
        h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
        p.lead { color: #444; max-width: 60rem; }
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

    // As NnGen.Reports' pages do: the page marks how many figures decoded and logs any that did not.
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

    private static readonly Color TargetColor = Color.FromHex("#1f77b4");

    // One colour per model, in AmpModel.All's order: its prediction, its error and its ESR curves.
    private static readonly Color[] ModelColors = [Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd")];

    /// <summary>The figures of <paramref name="results"/> (the models side by side), in the order the page shows them.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is empty, or its runs were not on the same held-out playing.</exception>
    public static IReadOnlyList<AmpFigure> Figures(IReadOnlyList<AmpResult> results)
    {
        CheckComparable(results);
        (int start, int length) = Window(results[0].TestTarget);
        return [EsrFigure(results), WaveformFigure(results, start, length), DifferenceFigure(results, start, length)];
    }

    /// <summary>
    /// The held-out window the waveform figures show: <see cref="WindowMilliseconds"/> around the loudest target sample
    /// after the first quarter second (the model's state has settled by then), where the clipper works hardest, starting
    /// a third of the window before it.
    /// </summary>
    /// <returns>The first sample and the number of samples.</returns>
    public static (int Start, int Length) Window(ReadOnlySpan<float> target)
    {
        int length = Math.Min(target.Length, WindowMilliseconds * SyntheticAmp.SampleRate / 1000);
        int first = Math.Min(SyntheticAmp.SampleRate / 4, target.Length - length);
        int loudest = first;
        for (int n = first + 1; n < target.Length; n++)
        {
            if (Math.Abs(target[n]) > Math.Abs(target[loudest]))
            {
                loudest = n;
            }
        }

        return (Math.Clamp(loudest - (length / 3), 0, target.Length - length), length);
    }

    /// <summary>The file a model's trained weights go to beside the report: <c>amp-model-report.gru.safetensors</c> for <c>amp-model-report.html</c>.</summary>
    public static string WeightsPath(string reportPath, AmpModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Path.GetFullPath(Path.ChangeExtension(reportPath, "." + model.Key + ".safetensors"));
    }

    /// <summary>Draws every figure and writes the page, the models side by side.</summary>
    /// <param name="results">Runs of the sample, one per model, on the same data and settings.</param>
    /// <returns>The HTML.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is empty, or its runs were not on the same held-out playing.</exception>
    public static string Render(IReadOnlyList<AmpResult> results)
    {
        IReadOnlyList<AmpFigure> figures = Figures(results);
        AmpSettings settings = results[0].Settings;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>Amp model</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n");
        html.Append(Invariant($"<body data-figures=\"{figures.Count}\" data-models=\"{results.Count}\">\n"));
        html.Append("<h1>Amp model: ").Append(Encode(string.Join(" and ", results.Select(result => result.Model.Title)))).Append(" learn an overdrive with memory</h1>\n");
        html.Append("<p class=\"lead\">").Append(Encode(Invariant(
            $"A guitar-like signal at 48 kHz (plucked strings by Karplus–Strong, chords, phrases of varying loudness, a little noise) through an overdrive whose drive sags with a slow envelope, after a 3.5 kHz low-pass: NnGen.Data.SyntheticAmp, defined in code. Each network was trained on {settings.TrainingSeconds} s of playing, stopped by {settings.ValidationSeconds} s of other playing, and is judged on {settings.TestSeconds} s of yet other playing, run through Process from a fresh state."))).Append("</p>\n<ul class=\"models\">\n");
        foreach (AmpResult result in results)
        {
            html.Append("<li data-model=\"").Append(result.Model.Key).Append("\"><b>").Append(Encode(result.Model.Title)).Append("</b>: ").Append(Encode(result.Model.Description)).Append("</li>\n");
        }

        html.Append("</ul>\n<h2>Result</h2>\n<table class=\"result\">\n<tr><th></th>");
        foreach (AmpResult result in results)
        {
            html.Append("<th data-model=\"").Append(result.Model.Key).Append("\">").Append(Encode(result.Model.Title)).Append("</th>");
        }

        html.Append("</tr>\n");
        Row(html, "held-out ESR, Σ(y − ŷ)² / Σy²", "esr", results, result => Percent(result.TestEsr));
        Row(html, "target for the held-out ESR", "target-esr", results, result => Percent(result.Model.TargetEsr));
        Row(html, "held-out ESR before training", "untrained-esr", results, result => Percent(result.UntrainedEsr));
        Row(html, "validation ESR at the best pass", "validation-esr", results, result => Invariant($"{Percent(BestPoint(result).Validation)} (pass {BestPoint(result).Epoch})"));
        Row(html, "training ESR at that pass", "training-esr", results, result => Percent(BestPoint(result).Training));
        Row(html, "Process, times faster than real time", "real-time-factor", results, result => Invariant($"{result.RealTimeFactor:N0}×"));
        Row(html, "Process, samples per second", "samples-per-second", results, result => Invariant($"{result.SamplesPerSecond:N0}"));
        Row(html, "frozen copy's Process, times faster than real time", "frozen-real-time-factor", results, result => Invariant($"{result.FrozenRealTimeFactor:N0}×"));
        Row(html, "frozen copy's Process, samples per second", "frozen-samples-per-second", results, result => Invariant($"{result.FrozenSamplesPerSecond:N0}"));
        Row(html, "parameters", "parameters", results, result => Invariant($"{result.Network.ParameterCount:N0}"));
        Row(html, "training", "training", results, result => Invariant($"{result.History.Status}, {result.History.IterationsCompleted} of {settings.Epochs} passes in {result.History.Elapsed.TotalSeconds:F1} s"));
        html.Append("</table>\n<p>").Append(Encode(Invariant($"Times are medians of {AmpExperiment.TimedRuns} runs over the held-out segment, each from a fresh state, on {results[0].Cpu}."))).Append("</p>\n");

        html.Append("<h2>Figures</h2>\n<div class=\"figures\">\n");
        foreach (AmpFigure figure in figures)
        {
            html.Append("<figure data-figure=\"").Append(figure.Name).Append("\">\n<img src=\"data:image/png;base64,").Append(Convert.ToBase64String(figure.Png))
                .Append("\" alt=\"").Append(Encode(figure.Caption)).Append("\">\n<figcaption>").Append(Encode(figure.Caption)).Append("</figcaption>\n</figure>\n");
        }

        html.Append("</div>\n<h2>Training</h2>\n<table class=\"settings\">\n");
        Row(html, "data", Invariant($"{settings.TrainingSeconds} s training, {settings.ValidationSeconds} s validation, {settings.TestSeconds} s held out; seeds {AmpSettings.DataSeed}, {AmpSettings.DataSeed + 1}, {AmpSettings.DataSeed + 2}"));
        Row(html, "sequences", Invariant($"{settings.SequenceSteps} samples ({settings.SequenceSteps * 1000.0 / SyntheticAmp.SampleRate:F1} ms), the first {settings.WarmUp} warming the state up, not counted in the loss"));
        Row(html, "optimizer", Invariant($"Adam, α = {settings.LearningRate:G3} × {settings.Decay:G3} per pass, batches of {settings.BatchSize} sequences"));
        Row(html, "gradient clipping", Invariant($"global norm ≤ {settings.ClipGradientNorm:G3}"));
        Row(html, "early stopping", Invariant($"patience {settings.Patience} passes on the validation loss; the best pass's parameters kept"));
        html.Append("</table>\n<h2>Networks</h2>\n");
        foreach (AmpResult result in results)
        {
            html.Append("<pre class=\"summary\" data-model=\"").Append(result.Model.Key).Append("\">").Append(Encode(result.Model.Summary)).Append("</pre>\n");
        }

        html.Append("<footer>Written by the NnGen AmpModel sample; figures drawn with ScottPlot. This file needs no network access.</footer>\n");
        html.Append("<script>\n").Append(FigureCheck).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Renders the page and writes it to <paramref name="path"/> (UTF-8), creating the folder if needed.</summary>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is empty, or its runs were not on the same held-out playing.</exception>
    public static string Save(IReadOnlyList<AmpResult> results, string path)
    {
        string html = Render(results);
        string fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(fullPath, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return fullPath;
    }

    /// <summary>The pass whose parameters the network kept (the best validation loss).</summary>
    public static EsrPoint BestPoint(AmpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.History.BestIteration is int best ? result.EsrCurve.First(point => point.Epoch == best + 1) : result.EsrCurve[^1];
    }

    // Side by side means the same held-out playing and settings; a page mixing runs would compare nothing.
    private static void CheckComparable(IReadOnlyList<AmpResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("The report needs at least one run of the sample; got none.", nameof(results));
        }

        if (results.Count > ModelColors.Length)
        {
            throw new ArgumentException($"The report draws at most {ModelColors.Length} models side by side; got {results.Count}.", nameof(results));
        }

        foreach (AmpResult result in results.Skip(1))
        {
            if (result.Settings != results[0].Settings || !result.TestTarget.AsSpan().SequenceEqual(results[0].TestTarget))
            {
                throw new ArgumentException(
                    $"The runs side by side must share settings and held-out playing: {result.Model.Title} ran with {result.Settings}, {results[0].Model.Title} with {results[0].Settings}.",
                    nameof(results));
            }
        }
    }

    private static AmpFigure EsrFigure(IReadOnlyList<AmpResult> results)
    {
        using var plot = NewPlot();
        var allValues = new List<double> { 0 };
        for (int m = 0; m < results.Count; m++)
        {
            IReadOnlyList<EsrPoint> curve = results[m].EsrCurve;
            double[] epochs = curve.Select(point => (double)point.Epoch).ToArray();
            double[] training = curve.Select(point => Math.Log10(point.Training * 100)).ToArray();
            double[] validation = curve.Select(point => Math.Log10(point.Validation * 100)).ToArray();
            allValues.AddRange(training.Concat(validation).Where(double.IsFinite));
            var trainingLine = plot.Add.ScatterLine(epochs, training, ModelColors[m]);
            trainingLine.LineWidth = 2;
            trainingLine.LegendText = results[m].Model.Title + " training";
            var validationLine = plot.Add.ScatterLine(epochs, validation, ModelColors[m]);
            validationLine.LineWidth = 2;
            validationLine.LinePattern = LinePattern.Dashed;
            validationLine.LegendText = results[m].Model.Title + " validation";
        }

        // ESR falls by decades, so the axis is logarithmic; the 1 % target is drawn across it.
        var target = plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
        target.LegendText = "1 %";
        (double[] positions, string[] labels) = PercentTicks(allValues);
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Title("Error-to-signal ratio");
        plot.XLabel("epoch (pass over the training sequences)");
        plot.YLabel("ESR, % (log scale)");
        plot.ShowLegend(Edge.Bottom);
        string kept = string.Join("; ", results.Select(result => Invariant($"{result.Model.Title}: pass {BestPoint(result).Epoch}, {Percent(BestPoint(result).Validation)} on validation")));
        string caption = Invariant(
            $"ESR = Σ(y − ŷ)² / Σy² over the counted steps after every pass: training (solid, the mean over the pass's batches as they trained) and validation (dashed, after the pass). Parameters kept: {kept}.");
        return Render(plot, "esr", caption, 720, 480);
    }

    private static AmpFigure WaveformFigure(IReadOnlyList<AmpResult> results, int start, int length)
    {
        double[] time = Milliseconds(start, length);
        using var plot = NewPlot();
        var target = plot.Add.ScatterLine(time, ToDouble(results[0].TestTarget.AsSpan(start, length)), TargetColor);
        target.LineWidth = 3;
        target.LegendText = "target (the effect)";
        for (int m = 0; m < results.Count; m++)
        {
            var predicted = plot.Add.ScatterLine(time, ToDouble(results[m].TestPrediction.AsSpan(start, length)), ModelColors[m]);
            predicted.LineWidth = 1.5f;
            predicted.LegendText = results[m].Model.Title + " (Process)";
        }

        plot.Title("Held-out waveform");
        plot.XLabel("time in the held-out segment, ms");
        plot.YLabel("sample");
        plot.ShowLegend(Edge.Bottom);
        string caption = Invariant(
            $"{WindowMilliseconds} ms of held-out playing around its loudest sample, where the clipper works hardest: the effect's output and each network's, played through Process from a fresh state at the start of the segment.");
        return Render(plot, "waveform", caption, 960, 440);
    }

    private static AmpFigure DifferenceFigure(IReadOnlyList<AmpResult> results, int start, int length)
    {
        double[] time = Milliseconds(start, length);
        using var plot = NewPlot();
        var peaks = new List<string>();
        for (int m = 0; m < results.Count; m++)
        {
            var difference = new double[length];
            for (int n = 0; n < length; n++)
            {
                difference[n] = (double)results[m].TestTarget[start + n] - results[m].TestPrediction[start + n];
            }

            var line = plot.Add.ScatterLine(time, difference, ModelColors[m]);
            line.LineWidth = 1.5f;
            line.LegendText = results[m].Model.Title;
            peaks.Add(Invariant($"{results[m].Model.Title} {difference.Max(Math.Abs):G3}"));
        }

        plot.Title("Target − predicted");
        plot.XLabel("time in the held-out segment, ms");
        plot.YLabel("error");
        plot.ShowLegend(Edge.Bottom);
        double signal = Enumerable.Range(start, length).Max(n => Math.Abs(results[0].TestTarget[n]));
        string caption = Invariant(
            $"The errors over the same window, on their own scale: at most {string.Join(", ", peaks)} against target peaks of {signal:G3}.");
        return Render(plot, "difference", caption, 960, 360);
    }

    /// <summary>Ticks at 1, 2 and 5 times each power of ten (in %) within the values, given as log10 of percents.</summary>
    private static (double[] Positions, string[] Labels) PercentTicks(IEnumerable<double> logValues)
    {
        double[] values = logValues.ToArray();
        double low = values.Min(), high = values.Max();
        var positions = new List<double>();
        var labels = new List<string>();
        for (int exponent = (int)Math.Floor(low); exponent <= (int)Math.Ceiling(high); exponent++)
        {
            foreach (int mantissa in (int[])[1, 2, 5])
            {
                double position = exponent + Math.Log10(mantissa);
                if (position >= low - 0.02 && position <= high + 0.02)
                {
                    positions.Add(position);
                    labels.Add((mantissa * Math.Pow(10, exponent)).ToString("G3", CultureInfo.InvariantCulture) + " %");
                }
            }
        }

        return (positions.ToArray(), labels.ToArray());
    }

    private static double[] Milliseconds(int start, int length) =>
        Enumerable.Range(start, length).Select(n => n * 1000.0 / SyntheticAmp.SampleRate).ToArray();

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        return plot;
    }

    private static AmpFigure Render(Plot plot, string name, string caption, int width, int height) =>
        new(name, caption, plot.GetImageBytes(width, height, ImageFormat.Png));

    private static void Row(StringBuilder html, string name, string key, IReadOnlyList<AmpResult> results, Func<AmpResult, string> value)
    {
        html.Append("<tr data-key=\"").Append(key).Append("\"><th>").Append(Encode(name)).Append("</th>");
        foreach (AmpResult result in results)
        {
            html.Append("<td class=\"num\" data-model=\"").Append(result.Model.Key).Append("\">").Append(Encode(value(result))).Append("</td>");
        }

        html.Append("</tr>\n");
    }

    private static void Row(StringBuilder html, string name, string value, string? key = null)
    {
        html.Append("<tr").Append(key is null ? string.Empty : " data-key=\"" + key + "\"").Append("><th>").Append(Encode(name))
            .Append("</th><td class=\"num\">").Append(Encode(value)).Append("</td></tr>\n");
    }

    /// <summary>An ESR as the sample prints it: a percentage with three decimals.</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("F3", CultureInfo.InvariantCulture) + " %";

    // Only what HTML needs escaped, as NnGen.Reports does, so ×, Σ and ŷ stay readable in the page's source.
    private static string Encode(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
