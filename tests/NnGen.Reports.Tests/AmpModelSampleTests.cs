using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Data;
using NnGen.Reports.Tests.Support;
using NnGen.Samples.AmpModel;
using SkiaSharp;

namespace NnGen.Reports.Tests;

/// <summary>
/// The AmpModel sample shortened (<see cref="AmpSettings.Quick"/>: 3 s of playing, 6 passes) and run end to end: the ESR
/// it reports is recomputed here from scratch (the data regenerated, the network played with <c>Step</c>, the sums written
/// out), the ESR curve is the validation ESR measured directly, training improves it, and the report holds what it must.
/// </summary>
public sealed class AmpModelSampleTests
{
    private static readonly Lazy<AmpResult> Quick = new(() => AmpExperiment.Run(AmpSettings.Quick));

    [Fact]
    public void QuickRun_HeldOutEsr_IsSumOfSquaredErrorsOverSumOfSquares_OfStepFromAFreshState()
    {
        AmpResult result = Quick.Value;
        (float[] input, float[] target) = SyntheticAmp.Generate(AmpSettings.Quick.TestSeconds * SyntheticAmp.SampleRate, AmpSettings.DataSeed + 2);
        Assert.Equal(input, result.TestInput);
        Assert.Equal(target, result.TestTarget);

        AmpModelNet.State state = default;
        double error = 0, signal = 0;
        for (int n = 0; n < input.Length; n++)
        {
            float predicted = result.Network.Step(input[n], ref state);
            Assert.Equal(predicted, result.TestPrediction[n]);
            error += ((double)target[n] - predicted) * ((double)target[n] - predicted);
            signal += (double)target[n] * target[n];
        }

        Assert.Equal(error / signal, result.TestEsr, 12);
        Assert.True(result.TestEsr > 0 && result.RealTimeFactor > 0, $"ESR {result.TestEsr}, real-time factor {result.RealTimeFactor}");
        Assert.Equal(input.Length / result.ProcessTime.TotalSeconds / SyntheticAmp.SampleRate, result.RealTimeFactor, 9);
    }

    [Fact]
    public void QuickRun_Training_ImprovesTheHeldOutEsr()
    {
        AmpResult result = Quick.Value;

        // Six passes over 3 s of playing take the held-out ESR from hundreds of percent to a fraction of the signal.
        Assert.True(result.History.Status is TrainingStatus.Completed or TrainingStatus.StoppedEarly, result.History.Problem);
        Assert.True(result.TestEsr < 0.6 && result.TestEsr < result.UntrainedEsr / 10, $"held-out ESR {result.UntrainedEsr} before training, {result.TestEsr} after");
        Assert.True(result.EsrCurve[^1].Validation < result.EsrCurve[0].Validation / 3, string.Join(", ", result.EsrCurve));
    }

    [Fact]
    public void QuickRun_EsrCurve_KeptPassIsTheValidationEsrMeasuredDirectly()
    {
        AmpResult result = Quick.Value;
        AmpSettings settings = result.Settings;
        (float[] input, float[] target) = SyntheticAmp.Generate(settings.ValidationSeconds * SyntheticAmp.SampleRate, AmpSettings.DataSeed + 1);
        var validation = SequenceDataset.FromSeries(input, target, 1, 1, settings.SequenceSteps, settings.WarmUp);
        var predicted = new float[validation.Count * settings.SequenceSteps];
        result.Network.PredictSequences(validation.Inputs.Span, settings.SequenceSteps, predicted);

        // The counted steps only: every sequence after its warm-up, as the loss and the curve count them.
        float[] countedTarget = Counted(validation.Labels.Span, settings), countedPredicted = Counted(predicted, settings);
        double direct = SignalMetrics.ErrorToSignalRatio(countedTarget, countedPredicted);

        EsrPoint kept = AmpReport.BestPoint(result);
        Assert.Equal(result.History.BestIteration + 1, kept.Epoch);
        Assert.Equal(direct, kept.Validation, direct * 1e-6);
        Assert.Equal(result.History.Costs.Count, result.EsrCurve.Count);
    }

    [Fact]
    public void QuickRun_Report_HoldsTheFiguresTheFinalEsrTheRealTimeFactorAndTheSummary()
    {
        AmpResult result = Quick.Value;
        string html = AmpReport.Render(result, AmpModelNet.Summary);

        Assert.Equal(["esr", "waveform", "difference"], Regex.Matches(html, "<figure data-figure=\"([^\"]+)\"").Select(match => match.Groups[1].Value));
        Assert.Contains("<body data-figures=\"3\">", html, StringComparison.Ordinal);
        foreach ((AmpFigure figure, int width, int height) in AmpReport.Figures(result).Zip([(720, 440), (960, 440), (960, 320)], (f, size) => (f, size.Item1, size.Item2)))
        {
            using SKBitmap image = SKBitmap.Decode(figure.Png) ?? throw new InvalidOperationException($"{figure.Name} is not a PNG.");
            Assert.Equal((width, height), (image.Width, image.Height));
            Assert.Contains(Convert.ToBase64String(figure.Png), html, StringComparison.Ordinal);
        }

        Assert.Matches($"data-key=\"esr\"><th>[^<]*</th><td class=\"num\">{Regex.Escape(AmpReport.Percent(result.TestEsr))}</td>", html);
        Assert.Matches($"data-key=\"untrained-esr\"><th>[^<]*</th><td class=\"num\">{Regex.Escape(AmpReport.Percent(result.UntrainedEsr))}</td>", html);
        Assert.Matches($"data-key=\"real-time-factor\"><th>[^<]*</th><td class=\"num\">{result.RealTimeFactor:N0}×</td>", html);
        Assert.Contains("<pre class=\"summary\">" + AmpModelNet.Summary + "</pre>", html, StringComparison.Ordinal);
        Assert.Contains("Gru 1", AmpModelNet.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Window_IsAroundTheLoudestSampleAfterTheFirstQuarterSecond()
    {
        var target = new float[SyntheticAmp.SampleRate];
        target[100] = -0.9f;     // louder, but while the state settles
        target[30_000] = 0.5f;
        (int start, int length) = AmpReport.Window(target);
        Assert.Equal(AmpReport.WindowMilliseconds * 48, length);
        Assert.Equal(30_000 - (length / 3), start);
    }

    [ChromiumFact]
    public void QuickRun_Report_OpensInABrowserWithEveryFigureDrawnAndNothingLogged()
    {
        string path = Path.Combine(Repository.Artifacts(), "amp-model-report.html");
        AmpReport.Save(Quick.Value, AmpModelNet.Summary, path);

        (string dom, var console) = Chromium.DumpDom(path);

        Assert.True(console.Count == 0, "The page logged:\n" + string.Join("\n", console));
        Assert.Contains("data-figures-loaded=\"3\"", dom, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sample as a user runs it (<c>dotnet run -- --quick</c>): exit code 0, and the held-out ESR it prints is the one
    /// its saved weights give here, played with <c>Process</c> over the regenerated segment. A real build: filter it out
    /// with <c>Category!=RealBuild</c>.
    /// </summary>
    [Fact]
    [Trait("Category", "RealBuild")]
    public void QuickSample_DotnetRun_PrintsTheEsrItsSavedWeightsGive()
    {
        string directory = Path.Combine(Path.GetTempPath(), "nngen-amp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string report = Path.Combine(directory, "amp-model-report.html");
            string project = Path.Combine(Repository.Root(), "samples", "AmpModel", "AmpModel.csproj");
            (int exitCode, string output) = Processes.Run(
                "dotnet",
                $"run -c Release --project \"{project}\" --artifacts-path \"{Path.Combine(directory, "art")}\" -p:NuGetAudit=false -- \"{report}\" --quick",
                directory,
                TimeSpan.FromMinutes(15));

            Assert.True(exitCode == 0, output);
            Match printed = Regex.Match(output, @"^Held-out ESR: (\d+\.\d{3} %) over 48,000 samples \(1 s\) from a fresh state", RegexOptions.Multiline);
            Assert.True(printed.Success, output);
            Assert.Contains($"Report: {report}", output, StringComparison.Ordinal);
            Assert.Matches(@"Process: [\d,]+ samples/s, [\d,]+x faster than real time", output);

            var net = new AmpModelNet();
            net.LoadWeights(Path.Combine(directory, "amp-model-report.safetensors"));
            (float[] input, float[] target) = SyntheticAmp.Generate(SyntheticAmp.SampleRate, AmpSettings.DataSeed + 2);
            var predicted = new float[input.Length];
            AmpModelNet.State state = default;
            net.Process(input, predicted, ref state);
            Assert.Equal(AmpReport.Percent(SignalMetrics.ErrorToSignalRatio(target, predicted)), printed.Groups[1].Value);
            Assert.Contains("data-figure=\"waveform\"", File.ReadAllText(report), StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }

    private static float[] Counted(ReadOnlySpan<float> sequences, AmpSettings settings)
    {
        int count = sequences.Length / settings.SequenceSteps, counted = settings.SequenceSteps - settings.WarmUp;
        var result = new float[count * counted];
        for (int s = 0; s < count; s++)
        {
            sequences.Slice((s * settings.SequenceSteps) + settings.WarmUp, counted).CopyTo(result.AsSpan(s * counted, counted));
        }

        return result;
    }
}
