using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NnGen;
using NnGen.Data;
using NnGen.Samples.ShipIt;

// ShipIt: a trained network shipped as a program. Modes:
//   ShipIt [predict] [weights]   print predictions with the weights baked in at build time, or with those loaded from a file
//   ShipIt train <weights>       train the course's planar network (seed 2, α 1.2, 10,000 iterations) and save it
//   ShipIt bench                 time training and prediction, to compare a Native AOT build with the JIT
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 ? args[0] : "predict";
try
{
    return mode switch
    {
        "predict" => Modes.Predict(args.Length > 1 ? args[1] : null),
        "train" when args.Length > 1 => Modes.Train(args[1]),
        "bench" => Modes.Bench(),
        _ => Modes.Usage(),
    };
}
catch (IOException exception)
{
    // A malformed or mismatched weight file: the message names the file, the tensor, and what was expected and found.
    Console.Error.WriteLine(exception.Message);
    return 2;
}

internal static class Modes
{
    /// <summary>Points across the flower, petals and gaps, so the predictions exercise every unit.</summary>
    private static readonly float[] Probes =
    [
        0f, 0f,
        1.5f, 2.5f,
        -2.25f, 1.125f,
        3.1f, -0.7f,
        -1.3f, -3.3f,
        0.4f, -1.9f,
        2.8f, 2.8f,
        -3.9f, 0.2f,
    ];

    public static int Predict(string? weights)
    {
        // The baked weights need no file: the native binary runs alone.
        var net = new PlanarNet();
        if (weights is not null)
        {
            net.LoadWeights(weights);
        }

        Console.WriteLine($"{PlanarNet.Architecture} from {(weights is null ? "planar.safetensors, baked in at build time" : Path.GetFileName(weights))} ({Runtime()})");
        Span<float> y = stackalloc float[PlanarNet.OutputSize];
        for (int i = 0; i < Probes.Length; i += 2)
        {
            net.Predict(Probes.AsSpan(i, 2), y);
            // Bits as well as decimals, so two builds can be compared exactly.
            Console.WriteLine(
                $"predict x=({Probes[i]:R}, {Probes[i + 1]:R}) bits=({Bits(Probes[i])}, {Bits(Probes[i + 1])}) -> {y[0]:F6} bits={Bits(y[0])}");
        }

        Dataset data = PlanarDataset.Generate(seed: 1);
        var batch = new float[data.Count];
        net.PredictBatch(data.Inputs, batch);
        int correct = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            correct += (batch[i] > 0.5f) == (data.Labels[i] > 0.5f) ? 1 : 0;
        }

        Console.WriteLine($"accuracy on the {data.Count} planar points: {100.0 * correct / data.Count:F2}%");
        return 0;
    }

    public static int Train(string weights)
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 2);
        TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10_000, RecordEvery = 10_000 });
        Evaluation result = net.Evaluate(data.Inputs, data.Labels);
        net.SaveWeights(weights);
        Console.WriteLine($"trained {PlanarNet.Architecture}: cost {history.FinalCost:F6}, accuracy {result.Accuracy:P2}; saved to {weights}");
        return 0;
    }

    public static int Bench()
    {
        Console.WriteLine($"{Runtime()}; {Environment.ProcessorCount} logical CPUs");
        Dataset data = PlanarDataset.Generate(seed: 1);
        var options = new TrainingOptions { LearningRate = 1.2f, Iterations = 10_000, RecordEvery = 10_000 };

        // First call includes the start-up of the code paths (the JIT's compilation, AOT's nothing): reported apart.
        var net = new PlanarNet(seed: 2);
        long start = Stopwatch.GetTimestamp();
        TrainingHistory first = net.Fit(data.Inputs, data.Labels, options);
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        double planarMs = double.MaxValue;
        float cost = first.FinalCost;
        for (int run = 0; run < 10; run++)
        {
            net = new PlanarNet(seed: 2);
            start = Stopwatch.GetTimestamp();
            cost = net.Fit(data.Inputs, data.Labels, options).FinalCost;
            planarMs = Math.Min(planarMs, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        double logisticMs = double.MaxValue;
        float logisticCost = 0;
        for (int run = 0; run < 10; run++)
        {
            var logistic = new PlanarLogisticRegression();
            start = Stopwatch.GetTimestamp();
            logisticCost = logistic.Fit(data.Inputs, data.Labels, options).FinalCost;
            logisticMs = Math.Min(logisticMs, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var x = new PlanarNet.Input();
        x[0] = 1.5f;
        x[1] = -0.5f;
        // Many short runs, the best kept: a run of 10,000 takes a fraction of a millisecond, so on a busy machine some
        // runs are never preempted (one run of a million never escapes the other processes' time slices).
        const int Predictions = 10_000;
        float sink = 0;
        double predictNs = double.MaxValue;
        for (int run = 0; run < 200; run++)
        {
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Predictions; i++)
            {
                sink += net.Predict(x)[0];
                x[0] += 1e-7f;
            }

            predictNs = Math.Min(predictNs, Stopwatch.GetElapsedTime(start).TotalNanoseconds / Predictions);
        }

        var batch = new float[data.Count];
        double batchUs = double.MaxValue;
        for (int run = 0; run < 200; run++)
        {
            start = Stopwatch.GetTimestamp();
            net.PredictBatch(data.Inputs, batch);
            batchUs = Math.Min(batchUs, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        Console.WriteLine($"planar 2-4-1 Fit, 10,000 iterations:    {planarMs,9:F1} ms (first run {firstMs:F1} ms), final cost {cost:F6}");
        Console.WriteLine($"logistic regression Fit, 10,000 iter.:  {logisticMs,9:F1} ms, final cost {logisticCost:F6}");
        Console.WriteLine($"Predict, one example:                   {predictNs,9:F1} ns");
        Console.WriteLine($"PredictBatch, 400 examples:             {batchUs,9:F1} µs");
        Console.WriteLine($"(checksum {sink:F3})");
        return 0;
    }

    public static int Usage()
    {
        Console.Error.WriteLine("usage: ShipIt [predict [weights.safetensors]] | train <weights.safetensors> | bench");
        return 1;
    }

    private static string Runtime() =>
        (RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT") +
        $", Vector256 {(Vector256.IsHardwareAccelerated ? "accelerated" : "not accelerated")}" +
        $", Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}";

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);
}
