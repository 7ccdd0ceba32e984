using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using NnGen.Data;

namespace NnGen.Samples.AmpModel;

/// <summary>One point of the ESR curve: the error-to-signal ratio on the training and validation sequences after a pass.</summary>
/// <param name="Epoch">Passes over the training sequences, from 1.</param>
/// <param name="Training">The mean over that pass's batches, measured while it trained (as the cost is recorded).</param>
/// <param name="Validation">On the validation sequences with the parameters at the end of the pass.</param>
public readonly record struct EsrPoint(int Epoch, double Training, double Validation);

/// <summary>What a run of the sample produced and measured.</summary>
public sealed class AmpResult
{
    /// <summary>Which of the sample's networks this is.</summary>
    public required AmpModel Model { get; init; }

    /// <summary>The trained network (the parameters of the best validation point).</summary>
    public required IAmpNetwork Network { get; init; }

    /// <summary>The settings it was trained with.</summary>
    public required AmpSettings Settings { get; init; }

    /// <summary>The options given to <c>Fit</c>.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>What <c>Fit</c> returned.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Training and validation ESR at every pass.</summary>
    public required IReadOnlyList<EsrPoint> EsrCurve { get; init; }

    /// <summary>The held-out input, <see cref="AmpSettings.TestSeconds"/> of playing at 48 kHz.</summary>
    public required float[] TestInput { get; init; }

    /// <summary>What the effect made of <see cref="TestInput"/>: the target.</summary>
    public required float[] TestTarget { get; init; }

    /// <summary>What the trained network made of <see cref="TestInput"/> with <c>Process</c> from a fresh state.</summary>
    public required float[] TestPrediction { get; init; }

    /// <summary>The held-out ESR of the network before training, from the same fresh state.</summary>
    public required double UntrainedEsr { get; init; }

    /// <summary>Σ(y − ŷ)² / Σy² of <see cref="TestPrediction"/> against <see cref="TestTarget"/>.</summary>
    public required double TestEsr { get; init; }

    /// <summary>The median wall-clock time of <c>Process</c> over the whole held-out segment.</summary>
    public required TimeSpan ProcessTime { get; init; }

    /// <summary>The same for the frozen copy's <c>Process</c> (<c>Freeze()</c>), which gives the same bits.</summary>
    public required TimeSpan FrozenProcessTime { get; init; }

    /// <summary>The processor the times were measured on.</summary>
    public required string Cpu { get; init; }

    /// <summary>Held-out samples per second of <c>Process</c>.</summary>
    public double SamplesPerSecond => TestInput.Length / ProcessTime.TotalSeconds;

    /// <summary>How many times faster than real time (48,000 samples a second) <c>Process</c> runs.</summary>
    public double RealTimeFactor => SamplesPerSecond / SyntheticAmp.SampleRate;

    /// <summary>Held-out samples per second of the frozen copy's <c>Process</c>.</summary>
    public double FrozenSamplesPerSecond => TestInput.Length / FrozenProcessTime.TotalSeconds;

    /// <summary>How many times faster than real time the frozen copy's <c>Process</c> runs.</summary>
    public double FrozenRealTimeFactor => FrozenSamplesPerSecond / SyntheticAmp.SampleRate;
}

/// <summary>The sample's work, apart from printing: generate the playing, train, measure on held-out playing.</summary>
public static class AmpExperiment
{
    /// <summary>Timed runs of <c>Process</c> over the held-out segment; the median is reported.</summary>
    public const int TimedRuns = 7;

    /// <summary>Generates the data, trains a new network of <paramref name="model"/> and measures it.</summary>
    /// <param name="model">Which network: every one is trained on the same data with the same settings.</param>
    /// <param name="settings">What to generate and how to train.</param>
    /// <param name="progress">Told every pass's figures on the training thread; <see langword="null"/> for none.</param>
    /// <returns>The network and every figure the sample prints and reports.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A timed run of <c>Process</c> or of the frozen copy gave other bits than the measured one.</exception>
    public static AmpResult Run(AmpModel model, AmpSettings settings, Action<EsrPoint>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        (float[] trainInput, float[] trainTarget) = SyntheticAmp.Generate(AmpSettings.Samples(settings.TrainingSeconds), AmpSettings.DataSeed);
        (float[] validationInput, float[] validationTarget) = SyntheticAmp.Generate(AmpSettings.Samples(settings.ValidationSeconds), AmpSettings.DataSeed + 1);
        (float[] testInput, float[] testTarget) = SyntheticAmp.Generate(AmpSettings.Samples(settings.TestSeconds), AmpSettings.DataSeed + 2);

        var train = SequenceDataset.FromSeries(trainInput, trainTarget, features: 1, outputs: 1, settings.SequenceSteps, settings.WarmUp);
        var validation = SequenceDataset.FromSeries(validationInput, validationTarget, features: 1, outputs: 1, settings.SequenceSteps, settings.WarmUp);

        // The loss is the course's J = (1/2N)·Σ(ŷ − y)² over the counted steps, so ESR = Σ(y − ŷ)² / Σy² = 2J / mean(y²)
        // over the same steps: the ESR curve is the cost curve rescaled, with no extra pass over the data.
        double trainingScale = 2 / CountedMeanSquare(train);
        double validationScale = 2 / CountedMeanSquare(validation);
        EsrPoint Point(int iteration, float cost, double validationCost) =>
            new(iteration + 1, cost * trainingScale, validationCost * validationScale);

        IAmpNetwork net = model.Create(AmpSettings.TrainingSeed);
        var testPrediction = new float[testInput.Length];
        double untrained = HeldOutEsr(net, testInput, testTarget, testPrediction);

        var options = new TrainingOptions
        {
            LearningRate = settings.LearningRate,
            Iterations = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = AmpSettings.TrainingSeed,
            RecordEvery = 1,
            Optimizer = new Adam(),
            Schedule = new ExponentialDecay { Rate = settings.Decay },
            ClipGradientNorm = settings.ClipGradientNorm,
            Validation = new ValidationData(validation.Inputs, validation.Labels),
            EarlyStopping = new EarlyStopping { Patience = settings.Patience },
            Progress = progress is null ? null
                : new SynchronousProgress<TrainingProgress>(record => progress(Point(record.Iteration, record.Cost, record.ValidationCost))),
        };
        TrainingHistory history = net.Fit(train, options);

        double esr = HeldOutEsr(net, testInput, testTarget, testPrediction);
        return new AmpResult
        {
            Model = model,
            Network = net,
            Settings = settings,
            Options = options,
            History = history,
            EsrCurve = history.Costs.Select(record => Point(record.Iteration, record.Cost, record.ValidationCost)).ToList(),
            TestInput = testInput,
            TestTarget = testTarget,
            TestPrediction = testPrediction,
            UntrainedEsr = untrained,
            TestEsr = esr,
            ProcessTime = TimeProcess(net.PlayFromRest, "Process", testInput, testPrediction),
            FrozenProcessTime = TimeProcess(net.FreezeForPlaying(), "the frozen copy's Process", testInput, testPrediction),
            Cpu = CpuName(),
        };
    }

    /// <summary>Plays <paramref name="input"/> through <paramref name="net"/> from a fresh state and compares with the target.</summary>
    private static double HeldOutEsr(IAmpNetwork net, float[] input, float[] target, float[] prediction)
    {
        net.PlayFromRest(input, prediction);
        return SignalMetrics.ErrorToSignalRatio(target, prediction);
    }

    /// <summary>
    /// The median of <see cref="TimedRuns"/> runs of <paramref name="play"/> over the segment, each from a fresh state,
    /// each checked to give the bits of the measured <paramref name="output"/>.
    /// </summary>
    private static TimeSpan TimeProcess(AmpPlayer play, string what, float[] input, float[] output)
    {
        var times = new TimeSpan[TimedRuns];
        var scratch = new float[output.Length];
        for (int run = 0; run < TimedRuns; run++)
        {
            scratch.AsSpan().Clear();
            long start = Stopwatch.GetTimestamp();
            play(input, scratch);
            times[run] = Stopwatch.GetElapsedTime(start);
            if (!scratch.AsSpan().SequenceEqual(output))
            {
                throw new InvalidOperationException($"Timed run {run + 1} of {what} gave other outputs than the measured Process; both must give the same bits.");
            }
        }

        Array.Sort(times);
        return times[TimedRuns / 2];
    }

    /// <summary>The model name /proc/cpuinfo gives (Linux) and the cores .NET sees, else the architecture.</summary>
    private static string CpuName()
    {
        const string Prefix = "model name";
        string? model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith(Prefix, StringComparison.Ordinal)) is { } line ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : null
            : null;
        return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical cores";
    }

    /// <summary>mean(y²) over the steps the loss counts: every sequence's steps after its warm-up.</summary>
    private static double CountedMeanSquare(SequenceDataset data)
    {
        double sum = 0;
        for (int s = 0; s < data.Count; s++)
        {
            ReadOnlySpan<float> labels = data.SequenceLabels(s).Span[data.WarmUp..];
            foreach (float y in labels)
            {
                sum += (double)y * y;
            }
        }

        return sum / ((double)data.Count * data.CountedSteps);
    }
}
