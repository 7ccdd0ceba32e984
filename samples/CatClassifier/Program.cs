using System;
using System.Globalization;
using System.IO;
using NnGen;
using NnGen.Data;
using NnGen.Reports;
using NnGen.Samples;
using NnGen.Samples.CatClassifier;

// The course's cat/non-cat models on its own data: logistic regression (week 2) and the 2- and 4-layer networks
// (week 4), with the course's initializations, learning rates and iteration counts. Writes cat-report.html (or the
// path given as the second argument): cost and accuracy curves, confusion matrices on the test set.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length is < 1 or > 2 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: CatClassifier <folder with train.csv and test.csv> [report.html]   (e.g. ../shared/data/catvnoncat)");
    return 2;
}

string reportPath = args.Length > 1 ? args[1] : "cat-report.html";

Dataset train;
Dataset test;
try
{
    // The course's only preprocessing: X / 255.
    train = CsvDataset.Load(Path.Combine(args[0], "train.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
    test = CsvDataset.Load(Path.Combine(args[0], "test.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
}
catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 1;
}

if (train.InputSize != DeepCatNet.InputSize || test.InputSize != DeepCatNet.InputSize)
{
    Console.Error.WriteLine($"error: expected {DeepCatNet.InputSize} pixels per image (64x64x3), found {train.InputSize} in train.csv and {test.InputSize} in test.csv");
    return 1;
}

Console.WriteLine($"cat/non-cat: {train.Count} training and {test.Count} test images of {train.InputSize} pixels, scaled by 1/255.");
Console.WriteLine();
Console.WriteLine("model                                 iterations  lr       train    test     course (train / test)  time");

var report = new TrainingReport("Cat or not: the course's three models")
{
    Description = $"{train.Count} training and {test.Count} test images of 64x64 pixels. Logistic regression (week 2) and the "
        + "two- and four-layer networks of week 4, with the course's initializations, learning rates and iteration counts.",
};
Train("logistic regression (zeros)", 2000, 0.005f, "99.04% / 70%", new CatLogisticRegression(), CatLogisticRegression.Summary);
Train("[12288, 7, 1] (randn*0.01)", 2500, 0.0075f, "100% / 72%", new TwoLayerCatNet(seed: 1), TwoLayerCatNet.Summary);
Train("[12288, 20, 7, 5, 1] (randn/sqrt n)", 2500, 0.0075f, "98.56% / 80%", new DeepCatNet(seed: 1), DeepCatNet.Summary);
Console.WriteLine();
Console.WriteLine($"Report: {report.Save(reportPath)}");
return 0;

void Train(string name, int iterations, float learningRate, string course, ITrainableNetwork network, string summary)
{
    // The cost every 100 iterations, as the course prints it, and the test set's cost and accuracy at the same points
    // (never trained on), for the bar and the report's curves.
    TrainingOptions options = null!;
    TrainingHistory history = LiveProgress.Run(
        name,
        progress =>
        {
            options = new TrainingOptions
            {
                LearningRate = learningRate,
                Iterations = iterations,
                RecordEvery = 100,
                Validation = new ValidationData(test.Inputs, test.Labels),
                Progress = progress,
            };
            return Trainer.Fit(network, train.Inputs, train.Labels, options);
        });
    Evaluation trainResult = Trainer.Evaluate(network, train.Inputs, train.Labels);
    Evaluation testResult = Trainer.Evaluate(network, test.Inputs, test.Labels);
    Console.WriteLine($"{name,-36} {iterations,5}  {learningRate,7:0.####}  {trainResult.Accuracy,7:P2}  {testResult.Accuracy,7:P2}   {course,-20}  {history.Elapsed.TotalSeconds,6:F1} s  (cost {history.Costs[0].Cost:F6} -> {history.FinalCost:F6}, {history.Status})");
    report.Add(new ReportRun(name, history) { Network = network, Options = options, Summary = summary, Training = train, Validation = test, ClassNames = ["non-cat", "cat"] });
}
