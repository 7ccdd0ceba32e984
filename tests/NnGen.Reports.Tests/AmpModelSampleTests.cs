using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NnGen.Data;
using NnGen.Reports.Tests.Support;
using NnGen.Samples.AmpModel;
using SkiaSharp;

namespace NnGen.Reports.Tests;

/// <summary>
/// The AmpModel sample shortened (<see cref="AmpSettings.Quick"/>: 3 s of playing, 6 passes) and run end to end for each
/// of its networks (the GRU and the causal Conv1D stack): the ESR it reports is recomputed here from scratch (the data
/// regenerated, the network played with <c>Step</c>, the sums written out), the ESR curve is the validation ESR measured
/// directly, training improves it, and the report holds both models side by side.
/// </summary>
public sealed class AmpModelSampleTests
{
    /// <summary>
    /// The held-out ESR the quick conv run must stay below: 10 %. Six passes over 3 s of playing measured 6.37 % (from
    /// 124 % before training); the full run reaches 2.3 %.
    /// </summary>
    private const double ConvQuickBound = 0.10;

    private static readonly Lazy<AmpResult> QuickGru = new(() => AmpExperiment.Run(AmpModel.Gru, AmpSettings.Quick));

    private static readonly Lazy<AmpResult> QuickConv = new(() => AmpExperiment.Run(AmpModel.Conv, AmpSettings.Quick));

    public static TheoryData<string> Models => new(AmpModel.All.Select(model => model.Key));

    [Fact]
    public void Models_AreTheGruAndTheCausalConvolutionStack()
    {
        Assert.Equal(["gru", "conv"], AmpModel.All.Select(model => model.Key));
        Assert.IsType<AmpModelNet>(AmpModel.Gru.Create(1));
        Assert.IsType<AmpConvNet>(AmpModel.Conv.Create(1));
        Assert.Contains("Gru 1", AmpModel.Gru.Summary, StringComparison.Ordinal);
        Assert.Equal(AmpConvNet.LayerCount - 1, Regex.Matches(AmpModel.Conv.Summary, @"^Conv1D \d", RegexOptions.Multiline).Count);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void QuickRun_HeldOutEsr_IsSumOfSquaredErrorsOverSumOfSquares_OfStepFromAFreshState(string model)
    {
        AmpResult result = Quick(model);
        (float[] input, float[] target) = SyntheticAmp.Generate(AmpSettings.Quick.TestSeconds * SyntheticAmp.SampleRate, AmpSettings.DataSeed + 2);
        Assert.Equal(input, result.TestInput);
        Assert.Equal(target, result.TestTarget);

        Func<float, float> step = Stepper(result.Network, frozen: false);
        double error = 0, signal = 0;
        for (int n = 0; n < input.Length; n++)
        {
            float predicted = step(input[n]);
            Assert.Equal(BitConverter.SingleToInt32Bits(predicted), BitConverter.SingleToInt32Bits(result.TestPrediction[n]));
            error += ((double)target[n] - predicted) * ((double)target[n] - predicted);
            signal += (double)target[n] * target[n];
        }

        Assert.Equal(error / signal, result.TestEsr, 12);
        Assert.True(result.TestEsr > 0 && result.RealTimeFactor > 0, $"ESR {result.TestEsr}, real-time factor {result.RealTimeFactor}");
        Assert.Equal(input.Length / result.ProcessTime.TotalSeconds / SyntheticAmp.SampleRate, result.RealTimeFactor, 9);
        Assert.Equal(input.Length / result.FrozenProcessTime.TotalSeconds / SyntheticAmp.SampleRate, result.FrozenRealTimeFactor, 9);
    }

    [Fact]
    public void QuickRun_Gru_TrainingImprovesTheHeldOutEsr()
    {
        AmpResult result = QuickGru.Value;

        // Six passes over 3 s of playing take the held-out ESR from hundreds of percent to a fraction of the signal.
        Assert.True(result.History.Status is TrainingStatus.Completed or TrainingStatus.StoppedEarly, result.History.Problem);
        Assert.True(result.TestEsr < 0.6 && result.TestEsr < result.UntrainedEsr / 10, $"held-out ESR {result.UntrainedEsr} before training, {result.TestEsr} after");
        Assert.True(result.EsrCurve[^1].Validation < result.EsrCurve[0].Validation / 3, string.Join(", ", result.EsrCurve));
    }

    [Fact]
    public void QuickRun_Conv_TrainsBelowTheStatedHeldOutEsr()
    {
        AmpResult result = QuickConv.Value;

        Assert.True(result.History.Status is TrainingStatus.Completed or TrainingStatus.StoppedEarly, result.History.Problem);
        Assert.True(result.TestEsr < ConvQuickBound && result.TestEsr < result.UntrainedEsr / 10, $"held-out ESR {result.UntrainedEsr} before training, {result.TestEsr} after");
        Assert.True(result.EsrCurve[^1].Validation < result.EsrCurve[0].Validation, string.Join(", ", result.EsrCurve));
    }

    [Fact]
    public void QuickRun_Conv_ProcessStepAndFrozenGiveTheSameBits_OnTheTrainedNetwork()
    {
        var net = (AmpConvNet)QuickConv.Value.Network;
        float[] input = QuickConv.Value.TestInput.AsSpan(0, 5_000).ToArray();
        var processed = new float[input.Length];
        var frozenProcessed = new float[input.Length];
        AmpConvNet.State processState = default, frozenState = default;
        net.Process(input, processed, ref processState);
        net.Freeze().Process(input, frozenProcessed, ref frozenState);

        Func<float, float> step = Stepper(net, frozen: false), frozenStep = Stepper(net, frozen: true);
        for (int n = 0; n < input.Length; n++)
        {
            int bits = BitConverter.SingleToInt32Bits(step(input[n]));
            Assert.Equal(bits, BitConverter.SingleToInt32Bits(processed[n]));
            Assert.Equal(bits, BitConverter.SingleToInt32Bits(frozenStep(input[n])));
            Assert.Equal(bits, BitConverter.SingleToInt32Bits(frozenProcessed[n]));
        }

        // The states the two forms carried are the same floats too, so the next block would also agree.
        Assert.Equal(
            MemoryMarshal.Cast<AmpConvNet.State, float>(new Span<AmpConvNet.State>(ref processState)).ToArray(),
            MemoryMarshal.Cast<AmpConvNet.State, float>(new Span<AmpConvNet.State>(ref frozenState)).ToArray());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void QuickRun_EsrCurve_KeptPassIsTheValidationEsrMeasuredDirectly(string model)
    {
        AmpResult result = Quick(model);
        AmpSettings settings = result.Settings;
        (float[] input, float[] target) = SyntheticAmp.Generate(settings.ValidationSeconds * SyntheticAmp.SampleRate, AmpSettings.DataSeed + 1);
        var validation = SequenceDataset.FromSeries(input, target, 1, 1, settings.SequenceSteps, settings.WarmUp);
        var predicted = new float[validation.Count * settings.SequenceSteps];
        result.Network.PredictSequences(validation.Inputs.Span, settings.SequenceSteps, predicted, default);

        // The counted steps only: every sequence after its warm-up, as the loss and the curve count them.
        float[] countedTarget = Counted(validation.Labels.Span, settings), countedPredicted = Counted(predicted, settings);
        double direct = SignalMetrics.ErrorToSignalRatio(countedTarget, countedPredicted);

        EsrPoint kept = AmpReport.BestPoint(result);
        Assert.Equal(result.History.BestIteration + 1, kept.Epoch);
        Assert.Equal(direct, kept.Validation, direct * 1e-6);
        Assert.Equal(result.History.Costs.Count, result.EsrCurve.Count);
    }

    [Fact]
    public void QuickRun_Report_HoldsBothModelsSideBySide_FiguresEsrsRealTimeFactorsAndSummaries()
    {
        AmpResult[] results = [QuickGru.Value, QuickConv.Value];
        string html = AmpReport.Render(results);

        Assert.Equal(["esr", "waveform", "difference"], Regex.Matches(html, "<figure data-figure=\"([^\"]+)\"").Select(match => match.Groups[1].Value));
        Assert.Contains("<body data-figures=\"3\" data-models=\"2\">", html, StringComparison.Ordinal);
        foreach ((AmpFigure figure, int width, int height) in AmpReport.Figures(results).Zip([(720, 480), (960, 440), (960, 360)], (f, size) => (f, size.Item1, size.Item2)))
        {
            using SKBitmap image = SKBitmap.Decode(figure.Png) ?? throw new InvalidOperationException($"{figure.Name} is not a PNG.");
            Assert.Equal((width, height), (image.Width, image.Height));
            Assert.Contains(Convert.ToBase64String(figure.Png), html, StringComparison.Ordinal);
            if (figure.Name != "waveform")
            {
                // The ESR caption names each model's kept pass, the difference caption each model's largest error.
                Assert.All(results, result => Assert.Contains(result.Model.Title + (figure.Name == "esr" ? ": pass " : " "), figure.Caption, StringComparison.Ordinal));
            }
        }

        foreach (AmpResult result in results)
        {
            string key = result.Model.Key;
            Assert.Matches(Cell("esr", key, AmpReport.Percent(result.TestEsr)), html);
            Assert.Matches(Cell("untrained-esr", key, AmpReport.Percent(result.UntrainedEsr)), html);
            Assert.Matches(Cell("real-time-factor", key, $"{result.RealTimeFactor:N0}×"), html);
            Assert.Matches(Cell("frozen-real-time-factor", key, $"{result.FrozenRealTimeFactor:N0}×"), html);
            Assert.Matches(Cell("parameters", key, $"{result.Network.ParameterCount:N0}"), html);
            Assert.Contains($"<pre class=\"summary\" data-model=\"{key}\">{result.Model.Summary}</pre>", html, StringComparison.Ordinal);
            Assert.Contains($"<th data-model=\"{key}\">{result.Model.Title}</th>", html, StringComparison.Ordinal);
        }

        Assert.NotEqual(QuickGru.Value.TestEsr, QuickConv.Value.TestEsr);
        Assert.DoesNotContain("http", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Report_RunsOnOtherPlaying_AreRefusedWithBothSettingsNamed()
    {
        AmpResult other = new()
        {
            Model = QuickConv.Value.Model,
            Network = QuickConv.Value.Network,
            Settings = QuickConv.Value.Settings with { TestSeconds = 2 },
            Options = QuickConv.Value.Options,
            History = QuickConv.Value.History,
            EsrCurve = QuickConv.Value.EsrCurve,
            TestInput = QuickConv.Value.TestInput,
            TestTarget = QuickConv.Value.TestTarget,
            TestPrediction = QuickConv.Value.TestPrediction,
            UntrainedEsr = QuickConv.Value.UntrainedEsr,
            TestEsr = QuickConv.Value.TestEsr,
            ProcessTime = QuickConv.Value.ProcessTime,
            FrozenProcessTime = QuickConv.Value.FrozenProcessTime,
            Cpu = QuickConv.Value.Cpu,
        };

        var error = Assert.Throws<ArgumentException>(() => AmpReport.Render([QuickGru.Value, other]));
        Assert.Contains("TestSeconds = 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("TestSeconds = 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AmpReport.Render([]));
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
        AmpReport.Save([QuickGru.Value, QuickConv.Value], path);

        (string dom, var console) = Chromium.DumpDom(path);

        Assert.True(console.Count == 0, "The page logged:\n" + string.Join("\n", console));
        Assert.Contains("data-figures-loaded=\"3\"", dom, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sample as a user runs it (<c>dotnet run -- --quick</c>): exit code 0, and each model's held-out ESR it prints is
    /// the one its saved weights give here, played with <c>Process</c> over the regenerated segment. A real build: filter it out
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
            Assert.Contains($"Report: {report}", output, StringComparison.Ordinal);
            (float[] input, float[] target) = SyntheticAmp.Generate(SyntheticAmp.SampleRate, AmpSettings.DataSeed + 2);
            foreach (AmpModel model in AmpModel.All)
            {
                Match printed = Regex.Match(output, $@"^{model.Title} held-out ESR: (\d+\.\d{{3}} %) over 48,000 samples \(1 s\) from a fresh state", RegexOptions.Multiline);
                Assert.True(printed.Success, output);
                Assert.Matches($@"{model.Title} Process: [\d,]+ samples/s, [\d,]+x faster than real time; frozen: [\d,]+ samples/s", output);

                IAmpNetwork net = model.Create(0);
                WeightsFile.Load(net, AmpReport.WeightsPath(report, model));
                var predicted = new float[input.Length];
                net.PlayFromRest(input, predicted);
                Assert.Equal(AmpReport.Percent(SignalMetrics.ErrorToSignalRatio(target, predicted)), printed.Groups[1].Value);
            }

            Assert.Contains("data-models=\"2\"", File.ReadAllText(report), StringComparison.Ordinal);
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

    private static AmpResult Quick(string model) => model switch
    {
        "gru" => QuickGru.Value,
        "conv" => QuickConv.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Expected gru or conv."),
    };

    // Step of the network (or of its frozen copy) from a fresh state, one sample at a time.
    private static Func<float, float> Stepper(IAmpNetwork network, bool frozen)
    {
        switch (network)
        {
            case AmpModelNet gru when frozen:
            {
                AmpModelNet.Frozen copy = gru.Freeze();
                AmpModelNet.State state = default;
                return x => copy.Step(x, ref state);
            }

            case AmpModelNet gru:
            {
                AmpModelNet.State state = default;
                return x => gru.Step(x, ref state);
            }

            case AmpConvNet conv when frozen:
            {
                AmpConvNet.Frozen copy = conv.Freeze();
                AmpConvNet.State state = default;
                return x => copy.Step(x, ref state);
            }

            case AmpConvNet conv:
            {
                AmpConvNet.State state = default;
                return x => conv.Step(x, ref state);
            }

            default:
                throw new ArgumentException($"Expected one of the sample's networks; got {network.GetType().Name}.", nameof(network));
        }
    }

    private static string Cell(string row, string model, string value) =>
        $"data-key=\"{row}\"><th>[^<]*</th>(<td[^>]*>[^<]*</td>)*<td class=\"num\" data-model=\"{model}\">{Regex.Escape(value)}</td>";

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
