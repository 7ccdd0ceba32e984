// An amp model with NnGen: a guitar-like signal at 48 kHz through an overdrive with memory (both defined in code, so
// nothing is downloaded), two networks trained on it as amp modellers train (a GRU of 16 units and a WaveNet-style stack
// of causal dilated convolutions), then judged on held-out playing: the error-to-signal ratio of Process from a fresh
// state and how many times faster than real time Process (and the frozen copy's) runs. Writes amp-model-report.html
// (both models side by side: target and predicted waveforms, the ESR curves) and each model's trained weights.
//
//   dotnet run -c Release --project samples/AmpModel [report.html] [--quick] [--model=gru|conv]
//
// --quick trains on 3 s for 6 passes (for tests); --model trains only that network. Without them the run takes about
// a minute and a half on two cores and exits with 2 when a held-out ESR misses its model's target.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NnGen;
using NnGen.Samples.AmpModel;

var clock = Stopwatch.StartNew();
const string ModelOption = "--model=";
string[] options = args.Where(arg => arg.StartsWith("--", StringComparison.Ordinal)).ToArray();
string[] paths = args.Except(options).ToArray();
string[] chosen = options.Where(option => option.StartsWith(ModelOption, StringComparison.Ordinal)).Select(option => option[ModelOption.Length..]).ToArray();
string[] keys = AmpModel.All.Select(model => model.Key).ToArray();
if (options.Any(option => option != "--quick" && !option.StartsWith(ModelOption, StringComparison.Ordinal)) || paths.Length > 1
    || chosen.Length > 1 || chosen.Any(key => !keys.Contains(key)))
{
    Console.Error.WriteLine($"Usage: AmpModel [report.html] [--quick] [--model={string.Join('|', keys)}]; got {string.Join(' ', args)}");
    return 1;
}

bool quick = options.Contains("--quick");
string reportPath = paths.FirstOrDefault() ?? "amp-model-report.html";
AmpSettings settings = quick ? AmpSettings.Quick : AmpSettings.Full;
IReadOnlyList<AmpModel> models = chosen.Length == 0 ? AmpModel.All : AmpModel.All.Where(model => model.Key == chosen[0]).ToArray();

Console.WriteLine($"{(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")}, Vector256 {(Vector256.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}");
Console.WriteLine($"Training on {settings.TrainingSeconds} s of playing in sequences of {settings.SequenceSteps} samples ({settings.WarmUp} warm-up), validating on {settings.ValidationSeconds} s, holding out {settings.TestSeconds} s.");
var results = new List<AmpResult>();
foreach (AmpModel model in models)
{
    Console.WriteLine();
    Console.WriteLine($"{model.Title}: {model.Description}");
    Console.WriteLine(model.Summary);
    Console.WriteLine("epoch  training ESR  validation ESR   time");
    AmpResult result = AmpExperiment.Run(model, settings, point =>
    {
        if (point.Epoch == 1 || point.Epoch % 5 == 0)
        {
            Console.WriteLine($"{point.Epoch,5}  {AmpReport.Percent(point.Training),11}  {AmpReport.Percent(point.Validation),14}  {clock.Elapsed.TotalSeconds,5:F1} s");
        }
    });

    EsrPoint best = AmpReport.BestPoint(result);
    Console.WriteLine($"{result.History.Status} after {result.History.IterationsCompleted} passes in {result.History.Elapsed.TotalSeconds:F1} s; kept the parameters of pass {best.Epoch} (validation ESR {AmpReport.Percent(best.Validation)}).");
    if (result.History.Problem is not null)
    {
        Console.WriteLine(result.History.Problem);
    }

    Console.WriteLine($"{model.Title} held-out ESR: {AmpReport.Percent(result.TestEsr)} over {result.TestInput.Length:N0} samples ({settings.TestSeconds} s) from a fresh state (before training: {AmpReport.Percent(result.UntrainedEsr)}).");
    Console.WriteLine($"{model.Title} Process: {result.SamplesPerSecond:N0} samples/s, {result.RealTimeFactor:N0}x faster than real time; frozen: {result.FrozenSamplesPerSecond:N0} samples/s, {result.FrozenRealTimeFactor:N0}x (medians of {AmpExperiment.TimedRuns} runs; {result.Cpu}).");

    string weights = AmpReport.WeightsPath(reportPath, model);
    WeightsFile.Save(result.Network, weights);
    Console.WriteLine($"{model.Title} weights: {weights}");
    results.Add(result);
}

Console.WriteLine();
Console.WriteLine($"Report: {AmpReport.Save(results, reportPath)}");
Console.WriteLine($"Total time: {clock.Elapsed.TotalSeconds:F1} s");

// The full run promises every model's target; a quick run only shows the pipeline works.
return quick || results.All(result => result.TestEsr <= result.Model.TargetEsr) ? 0 : 2;
