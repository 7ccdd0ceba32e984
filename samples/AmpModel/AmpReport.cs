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
/// The sample's HTML page: the held-out figures, the ESR curve over the run, target and predicted waveforms over a short
/// held-out window and their difference, the settings and the network's summary. Built like NnGen.Reports' pages (one
/// file, PNGs drawn with ScottPlot inside it as <c>data:</c> URIs, a content security policy that forbids loading anything,
/// a check that counts the figures that decoded) because <c>TrainingReport</c> draws the figures of one example per row,
/// not of a signal played through a recurrent network.
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
    private static readonly Color PredictionColor = Color.FromHex("#ff7f0e");
    private static readonly Color ErrorColor = Color.FromHex("#d62728");

    /// <summary>The figures of <paramref name="result"/>, in the order the page shows them.</summary>
    public static IReadOnlyList<AmpFigure> Figures(AmpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        (int start, int length) = Window(result.TestTarget);
        return [EsrFigure(result), WaveformFigure(result, start, length), DifferenceFigure(result, start, length)];
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

    /// <summary>Draws every figure and writes the page.</summary>
    /// <param name="result">A run of the sample.</param>
    /// <param name="summary">The network's summary (<c>AmpModelNet.Summary</c>).</param>
    /// <returns>The HTML.</returns>
    public static string Render(AmpResult result, string summary)
    {
        ArgumentNullException.ThrowIfNull(result);
        IReadOnlyList<AmpFigure> figures = Figures(result);
        AmpSettings settings = result.Settings;
        EsrPoint best = BestPoint(result);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>Amp model</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n");
        html.Append(Invariant($"<body data-figures=\"{figures.Count}\">\n"));
        html.Append("<h1>Amp model: a GRU learns an overdrive with memory</h1>\n");
        html.Append("<p class=\"lead\">").Append(Encode(Invariant(
            $"A guitar-like signal at 48 kHz (plucked strings by Karplus–Strong, chords, phrases of varying loudness, a little noise) through an overdrive whose drive sags with a slow envelope, after a 3.5 kHz low-pass: NnGen.Data.SyntheticAmp, defined in code. A GRU of {AmpModelNet.Layer1Units} units with a linear read-out was trained on {settings.TrainingSeconds} s of playing, stopped by {settings.ValidationSeconds} s of other playing, and is judged on {settings.TestSeconds} s of yet other playing, run through Process from a fresh state."))).Append("</p>\n");

        html.Append("<h2>Result</h2>\n<table class=\"result\">\n");
        Row(html, "held-out ESR, Σ(y − ŷ)² / Σy² (target ≤ 1 %)", Percent(result.TestEsr), "esr");
        Row(html, "held-out ESR before training", Percent(result.UntrainedEsr), "untrained-esr");
        Row(html, Invariant($"validation ESR at the best pass ({best.Epoch})"), Percent(best.Validation), "validation-esr");
        Row(html, "training ESR at that pass", Percent(best.Training), "training-esr");
        Row(html, "Process, times faster than real time", Invariant($"{result.RealTimeFactor:N0}×"), "real-time-factor");
        Row(html, "Process, samples per second", Invariant($"{result.SamplesPerSecond:N0} (median of {AmpExperiment.TimedRuns} runs over the held-out segment)"), "samples-per-second");
        Row(html, "CPU", result.Cpu, "cpu");
        Row(html, "training", Invariant($"{result.History.Status}, {result.History.IterationsCompleted} of {settings.Epochs} passes in {result.History.Elapsed.TotalSeconds:F1} s"), "training");
        html.Append("</table>\n");

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
        html.Append("</table>\n<h2>Network</h2>\n<pre class=\"summary\">").Append(Encode(summary)).Append("</pre>\n");
        html.Append("<footer>Written by the NnGen AmpModel sample; figures drawn with ScottPlot. This file needs no network access.</footer>\n");
        html.Append("<script>\n").Append(FigureCheck).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Renders the page and writes it to <paramref name="path"/> (UTF-8), creating the folder if needed.</summary>
    /// <returns>The full path written.</returns>
    public static string Save(AmpResult result, string summary, string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(fullPath, Render(result, summary), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return fullPath;
    }

    /// <summary>The pass whose parameters the network kept (the best validation loss).</summary>
    public static EsrPoint BestPoint(AmpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.History.BestIteration is int best ? result.EsrCurve.First(point => point.Epoch == best + 1) : result.EsrCurve[^1];
    }

    private static AmpFigure EsrFigure(AmpResult result)
    {
        IReadOnlyList<EsrPoint> curve = result.EsrCurve;
        double[] epochs = curve.Select(point => (double)point.Epoch).ToArray();
        double[] training = curve.Select(point => Math.Log10(point.Training * 100)).ToArray();
        double[] validation = curve.Select(point => Math.Log10(point.Validation * 100)).ToArray();

        using var plot = NewPlot();
        var trainingLine = plot.Add.ScatterLine(epochs, training, TargetColor);
        trainingLine.LineWidth = 2;
        trainingLine.LegendText = "training";
        var validationLine = plot.Add.ScatterLine(epochs, validation, PredictionColor);
        validationLine.LineWidth = 2;
        validationLine.LinePattern = LinePattern.Dashed;
        validationLine.LegendText = "validation";

        // ESR falls by decades, so the axis is logarithmic; the 1 % target is drawn across it.
        var target = plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
        target.LegendText = "1 % target";
        (double[] positions, string[] labels) = PercentTicks(training.Concat(validation).Append(0).Where(double.IsFinite));
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Title("Error-to-signal ratio");
        plot.XLabel("epoch (pass over the training sequences)");
        plot.YLabel("ESR, % (log scale)");
        plot.ShowLegend(Edge.Bottom);
        EsrPoint best = BestPoint(result);
        string caption = Invariant(
            $"ESR = Σ(y − ŷ)² / Σy² over the counted steps after every pass: training (the mean over the pass's batches as they trained) and validation (after the pass). The parameters of pass {best.Epoch} ({Percent(best.Validation)} on validation) were kept.");
        return Render(plot, "esr", caption, 720, 440);
    }

    private static AmpFigure WaveformFigure(AmpResult result, int start, int length)
    {
        double[] time = Milliseconds(start, length);
        using var plot = NewPlot();
        var target = plot.Add.ScatterLine(time, ToDouble(result.TestTarget.AsSpan(start, length)), TargetColor);
        target.LineWidth = 3;
        target.LegendText = "target (the effect)";
        var predicted = plot.Add.ScatterLine(time, ToDouble(result.TestPrediction.AsSpan(start, length)), PredictionColor);
        predicted.LineWidth = 1.5f;
        predicted.LegendText = "predicted (Process)";
        plot.Title("Held-out waveform");
        plot.XLabel("time in the held-out segment, ms");
        plot.YLabel("sample");
        plot.ShowLegend(Edge.Bottom);
        string caption = Invariant(
            $"{WindowMilliseconds} ms of held-out playing around its loudest sample, where the clipper works hardest: the effect's output and the network's, played through Process from a fresh state at the start of the segment.");
        return Render(plot, "waveform", caption, 960, 440);
    }

    private static AmpFigure DifferenceFigure(AmpResult result, int start, int length)
    {
        double[] time = Milliseconds(start, length);
        var difference = new double[length];
        for (int n = 0; n < length; n++)
        {
            difference[n] = (double)result.TestTarget[start + n] - result.TestPrediction[start + n];
        }

        using var plot = NewPlot();
        var line = plot.Add.ScatterLine(time, difference, ErrorColor);
        line.LineWidth = 1.5f;
        plot.Title("Target − predicted");
        plot.XLabel("time in the held-out segment, ms");
        plot.YLabel("error");
        double peak = difference.Max(Math.Abs);
        double signal = Enumerable.Range(start, length).Max(n => Math.Abs(result.TestTarget[n]));
        string caption = Invariant(
            $"The error over the same window, on its own scale: at most {peak:G3} against target peaks of {signal:G3}.");
        return Render(plot, "difference", caption, 960, 320);
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
