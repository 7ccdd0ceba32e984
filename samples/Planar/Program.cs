using System;
using System.Globalization;
using NnGen;
using NnGen.Data;
using NnGen.Samples.Planar;

// The course's week-3 assignment, end to end: the "flower" data (generated in code, identical to the notebook's),
// a 2-4-1 tanh/sigmoid network trained with full-batch gradient descent, and logistic regression for comparison.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Dataset data = PlanarDataset.Generate(seed: 1);
Console.WriteLine($"Planar \"flower\" data: {data.Count} points, 2 features, classes 0/1 (200 each), np.random.seed(1) recipe.");
Console.WriteLine();

var net = new PlanarNet(seed: 2);
Console.WriteLine(PlanarNet.Summary);
Console.WriteLine($"Initial weights (seed 2, randn * 0.01): W1[0] = {net.W1[0]:F8}, W1[1] = {net.W1[1]:F8} (course: -0.00416758, -0.00056267)");
Evaluation initial = net.Evaluate(data.Inputs, data.Labels);
Console.WriteLine($"Before training: cost {initial.Cost:F6}, accuracy {initial.Accuracy:P2}");
Span<float> firstPrediction = stackalloc float[PlanarNet.OutputSize];
net.Predict(data.Inputs.AsSpan(0, PlanarNet.InputSize), firstPrediction);
Console.WriteLine($"  first point ({data.Inputs[0]:F3}, {data.Inputs[1]:F3}) label {data.Labels[0]:F0}: prediction {firstPrediction[0]:F6}");
Console.WriteLine();

Console.WriteLine("Training 2-4-1 (tanh, sigmoid): learning rate 1.2, 10000 full-batch iterations, as the course did.");
var courseCosts = new[] { 0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504, 0.219454, 0.218607 };
var progress = new ConsoleProgress(courseCosts);
TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions
{
    LearningRate = 1.2f,
    Iterations = 10000,
    RecordEvery = 1000,
    Progress = progress,
});
Evaluation trained = net.Evaluate(data.Inputs, data.Labels);
Console.WriteLine($"Done in {history.Elapsed.TotalMilliseconds:F1} ms ({history.Status}); final cost {history.FinalCost:F6}.");
Console.WriteLine();

var logistic = new PlanarLogisticRegression();
TrainingHistory logisticHistory = logistic.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 10000 });
Evaluation logisticResult = logistic.Evaluate(data.Inputs, data.Labels);

Console.WriteLine("Training accuracy          NnGen     course");
Console.WriteLine($"  logistic regression      {logisticResult.Accuracy,6:P2}    47%  (sklearn LogisticRegressionCV)");
Console.WriteLine($"  2-4-1 tanh/sigmoid       {trained.Accuracy,6:P2}    90%  (printed as %d; 90.75% exactly)");
Console.WriteLine($"Logistic regression trained in {logisticHistory.Elapsed.TotalMilliseconds:F1} ms. A line cannot separate the petals; four tanh units can.");

/// <summary>Prints each recorded cost beside the course's, as the notebook prints them.</summary>
internal sealed class ConsoleProgress(double[] courseCosts) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        int index = value.Iteration / 1000;
        string course = value.Iteration % 1000 == 0 && index < courseCosts.Length ? courseCosts[index].ToString("F6", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"  Cost after iteration {value.Iteration,5}: {value.Cost:F6}   (course: {course})");
    }
}
