// Fashion-MNIST with NnGen: a [784, 256, 128, 10] ReLU/softmax network, and a wider one with batch norm, dropout and
// layer norm, each trained with Adam (AdamW for the second) on mini-batches of 128, early stopping on a held-out
// validation split, then the test accuracy and the confusion matrix; the report shows both runs side by side.
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
Console.WriteLine($"Training on {fit.Count} images, validating on {validation.Count}, testing on {test.Count}.");

// The same data, mini-batches, validation split and early stopping for both networks. The normalized, wider one trains
// with AdamW (weight decay on the dense weights only, never on γ, β or the running statistics), a slower schedule and
// more patience: dropout makes its validation accuracy noisier from epoch to epoch.
TrainingOptions Options(IProgress<TrainingProgress> progress, bool normalized) => new()
{
    LearningRate = 1e-3f,
    Iterations = 40,
    BatchSize = 128,
    Seed = 2,
    RecordEvery = 1,
    Optimizer = normalized ? new AdamW { WeightDecay = 0.05f } : new Adam(),
    Schedule = new ExponentialDecay { Rate = normalized ? 0.95 : 0.92 },
    Validation = new ValidationData(validation.Inputs, validation.Labels),
    EarlyStopping = new EarlyStopping { Patience = normalized ? 8 : 4, Monitor = EarlyStoppingMonitor.ValidationMetric },
    Progress = progress,
};

var report = new TrainingReport("Fashion-MNIST: a dense network and one with batch norm, dropout and layer norm");
var dense = Train("[784, 256, 128, 10], Adam", new FashionNet(seed: 1), FashionNet.Summary, normalized: false);
var normalized = Train("[784, BN, 512, BN, Drop 0.3, 256, LN, Drop 0.3, 10], AdamW", new FashionNormNet(seed: 1), FashionNormNet.Summary, normalized: true);

Console.WriteLine();
Console.WriteLine("network                                                    test accuracy  epochs  mean epoch");
foreach ((string name, Evaluation result, TrainingHistory history) in new[] { dense, normalized })
{
    Console.WriteLine($"{name,-58} {result.Accuracy,13:P2} {history.IterationsCompleted,7}  {history.Elapsed.TotalSeconds / history.IterationsCompleted,8:F2} s");
}

Console.WriteLine($"Report: {report.Save(args.Length > 1 ? args[1] : "fashion-mnist-report.html")}");
return dense.Result.Accuracy >= 0.89 && normalized.Result.Accuracy >= 0.90 ? 0 : 2;

(string Name, Evaluation Result, TrainingHistory History) Train(string name, ITrainableNetwork net, string summary, bool normalized)
{
    Console.WriteLine();
    Console.WriteLine(summary);
    Console.WriteLine("epoch  training cost  validation cost  validation accuracy    time");
    TrainingOptions options = Options(new EpochPrinter(), normalized);
    TrainingHistory history = Trainer.Fit(net, fit.Inputs, fit.Labels, options);
    Console.WriteLine($"{history.Status} after {history.IterationsCompleted} epochs in {history.Elapsed.TotalSeconds:F1} s; kept the parameters of epoch {history.BestIteration + 1}.");
    if (history.Problem is not null)
    {
        Console.WriteLine(history.Problem);
    }

    Evaluation result = Trainer.Evaluate(net, test.Inputs, test.Labels);
    Console.WriteLine($"Test accuracy {result.Accuracy:P2} (cost {result.Cost:F4}) on {result.Examples} images.");
    Console.WriteLine();
    Console.WriteLine(result.ConfusionMatrix!.ToString(FashionMnist.ClassNames));
    report.Add(new ReportRun(name, history)
    {
        Network = net,
        Options = options,
        Summary = summary,
        Training = fit,
        Validation = test,
        ClassNames = FashionMnist.ClassNames.ToList(),
    });
    return (name, result, history);
}

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

/// <summary>
/// Batch norm on the pixels (a learned standardizer), a wider 512 → 256 body with batch norm and dropout after the first
/// layer and layer norm and dropout after the second: the normalizations let AdamW take larger effective steps, and
/// dropout keeps the wider network from memorizing the training set.
/// </summary>
[Network(Inputs = 784)]
[BatchNorm]
[Dense(512, Activation.ReLU)]
[BatchNorm]
[Dropout(0.3)]
[Dense(256, Activation.ReLU)]
[LayerNorm]
[Dropout(0.3)]
[Dense(10, Activation.Softmax)]
internal sealed partial class FashionNormNet;
