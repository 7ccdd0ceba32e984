// Fashion-MNIST with NnGen: a [784, 256, 128, 10] ReLU/softmax network trained with Adam on mini-batches of 128, early
// stopping on a held-out validation split, then the test accuracy and the confusion matrix.
//
//   sudo apt-get install dataset-fashion-mnist     (or pass a folder holding the four IDX files)
//   dotnet run -c Release --project samples/FashionMnist [folder] [report.html]
using System;
using System.Diagnostics;
using System.Linq;
using NnGen;
using NnGen.Data;
using NnGen.Reports;

string? folder = args.Length > 0 && args[0].Length > 0 ? args[0] : null;  // "" keeps the default, so a report path can follow
if (FashionMnist.TryFindDirectory(folder, out string missing) is null)
{
    Console.Error.WriteLine(missing);
    return 1;
}

// Pixels arrive scaled to [0, 1]; labels as one-hot rows of 10, what a softmax output trains on. 5,000 of the 60,000 training images (stratified by
// class) are held out to decide when to stop; the 10,000 test images are used once, at the end.
(Dataset train, Dataset test) = FashionMnist.Load(folder);
(Dataset fit, Dataset validation) = train.Split(testFraction: 5000.0 / 60000, seed: 0);
Console.WriteLine(FashionNet.Summary);
Console.WriteLine($"Training on {fit.Count} images, validating on {validation.Count}, testing on {test.Count}.");
Console.WriteLine();
Console.WriteLine("epoch  training cost  validation cost  validation accuracy    time");

var net = new FashionNet(seed: 1);
var epochs = new EpochPrinter();
var options = new TrainingOptions
{
    LearningRate = 1e-3f,
    Iterations = 40,
    BatchSize = 128,
    Seed = 2,
    RecordEvery = 1,
    Optimizer = new Adam(),
    Schedule = new ExponentialDecay { Rate = 0.92 },
    Validation = new ValidationData(validation.Inputs, validation.Labels),
    EarlyStopping = new EarlyStopping { Patience = 4, Monitor = EarlyStoppingMonitor.ValidationMetric },
    Progress = epochs,
};
TrainingHistory history = net.Fit(fit.Inputs, fit.Labels, options);

Console.WriteLine();
Console.WriteLine($"{history.Status} after {history.IterationsCompleted} epochs in {history.Elapsed.TotalSeconds:F1} s; kept the parameters of epoch {history.BestIteration + 1}.");
if (history.Problem is not null)
{
    Console.WriteLine(history.Problem);
}

Evaluation result = net.Evaluate(test.Inputs, test.Labels);
Console.WriteLine($"Test accuracy {result.Accuracy:P2} (cost {result.Cost:F4}) on {result.Examples} images.");
Console.WriteLine();
Console.WriteLine(result.ConfusionMatrix!.ToString(FashionMnist.ClassNames));

var report = new TrainingReport("Fashion-MNIST: [784, 256, 128, 10]");
report.Add(new ReportRun("[784, 256, 128, 10], Adam", history)
{
    Network = net,
    Options = options,
    Summary = FashionNet.Summary,
    Training = fit,
    Validation = test,
    ClassNames = FashionMnist.ClassNames.ToList(),
});
Console.WriteLine($"Report: {report.Save(args.Length > 1 ? args[1] : "fashion-mnist-report.html")}");
return result.Accuracy >= 0.89 ? 0 : 2;

/// <summary>One line per epoch, printed on the training thread as Fit records it.</summary>
internal sealed class EpochPrinter : IProgress<TrainingProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Report(TrainingProgress value)
    {
        Console.WriteLine($"{value.Iteration + 1,5}  {value.Cost,13:F4}  {value.ValidationCost,15:F4}  {value.ValidationMetric,19:P2}  {_clock.Elapsed.TotalSeconds,5:F1} s");
        _clock.Restart();
    }
}

/// <summary>The sample's network: 784 pixels → 256 ReLU → 128 ReLU → 10-class softmax (categorical cross-entropy).</summary>
[Network(Inputs = 784)]
[Layer(256, Activation.ReLU)]
[Layer(128, Activation.ReLU)]
[Layer(10, Activation.Softmax)]
internal sealed partial class FashionNet;
