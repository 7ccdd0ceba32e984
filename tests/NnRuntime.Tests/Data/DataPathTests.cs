using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NnGen.Data;
using NnGen.Tests.Training;
using Xunit.Abstractions;

namespace NnGen.Tests.Data;

/// <summary>The whole path of docs/data.md on a tabular file: load with class names, split, standardize, batch, train, evaluate.</summary>
public sealed class DataPathTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nngen-path-" + Guid.NewGuid().ToString("N"));

    public DataPathTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CsvWithClassNames_SplitStandardizedAndTrained_ClassifiesHeldOutExamples()
    {
        string path = WriteTwoClassCsv(rows: 600, seed: 4);

        Dataset data = CsvDataset.LoadClassification(path, CsvLabelColumn.Last);
        var (train, test) = data.Split(0.25, seed: 42);
        Standardizer standardizer = Standardizer.Fit(train);
        Dataset trainStd = standardizer.Transform(train);
        Dataset testStd = standardizer.Transform(test);

        Assert.Equal(["benign", "malignant"], data.ClassNames!);
        Assert.Equal(150, test.Count);

        // The raw features differ in scale by 10^5; standardized, one learning rate suits both.
        var raw = ScalarNetwork.LogisticRegression(3).Initialize(seed: 1, scale: 0.01);
        var standardized = ScalarNetwork.LogisticRegression(3).Initialize(seed: 1, scale: 0.01);
        var options = new TrainingOptions { LearningRate = 0.5f, Iterations = 300, BatchSize = 64, Seed = 3, RecordEvery = 300 };
        Trainer.Fit(raw, train.Inputs, train.Labels, options);
        Trainer.Fit(standardized, trainStd.Inputs, trainStd.Labels, options);
        Evaluation rawResult = Trainer.Evaluate(raw, test.Inputs, test.Labels);
        Evaluation result = Trainer.Evaluate(standardized, testStd.Inputs, testStd.Labels);
        _output.WriteLine($"Held-out accuracy: {result.Accuracy:P2} standardized, {rawResult.Accuracy:P2} raw.");

        Assert.True(result.Accuracy >= 0.95, $"standardized accuracy {result.Accuracy:P2}");
        Assert.True(result.Accuracy > rawResult.Accuracy, $"standardized {result.Accuracy:P2} should beat raw {rawResult.Accuracy:P2}");
    }

    [Fact]
    public void BatchesOfAStandardizedSplit_FeedComputeGradients()
    {
        Dataset data = CsvDataset.LoadClassification(WriteTwoClassCsv(rows: 100, seed: 5), CsvLabelColumn.Last);
        var (train, _) = data.Split(0.2, seed: 1);
        Dataset trainStd = Standardizer.Fit(train).Transform(train);
        var network = ScalarNetwork.LogisticRegression(3).Initialize(seed: 2);
        var gradients = new float[network.ParameterCount];
        var workspace = new Workspace();

        int examples = 0;
        foreach (var (inputs, labels) in BatchReader.FromDataset(trainStd, batchSize: 32, shuffleSeed: 9))
        {
            float cost = network.ComputeGradients(inputs.Span, labels.Span, gradients, workspace);
            Assert.True(float.IsFinite(cost));
            examples += labels.Length;
        }

        Assert.Equal(80, examples);
    }

    [Fact]
    public void ShuffledBatchReader_VisitsExamplesInTheOrderOfFitsMiniBatches()
    {
        Dataset data = CsvDataset.LoadClassification(WriteTwoClassCsv(rows: 50, seed: 6), CsvLabelColumn.Last);
        Dataset standardized = Standardizer.Fit(data).Transform(data);
        var fitted = ScalarNetwork.LogisticRegression(3).Initialize(seed: 4);
        var manual = ScalarNetwork.LogisticRegression(3).Initialize(seed: 4);

        Trainer.Fit(fitted, standardized.Inputs, standardized.Labels, new TrainingOptions { LearningRate = 0.3f, Iterations = 3, BatchSize = 8, Seed = 5, RecordEvery = 1 });

        // The same passes by hand: plain gradient-descent steps over the reader's batches.
        BatchReader reader = BatchReader.FromDataset(standardized, batchSize: 8, shuffleSeed: 5);
        var gradients = new float[manual.ParameterCount];
        var workspace = new Workspace();
        for (int pass = 0; pass < 3; pass++)
        {
            foreach (var (inputs, labels) in reader)
            {
                manual.ComputeGradients(inputs.Span, labels.Span, gradients, workspace);
                Trainer.Step(manual, gradients, 0.3f);
            }
        }

        Assert.Equal(fitted.CopyParameters(), manual.CopyParameters());
    }

    [Fact]
    public void FitOnAsTrainingBatches_EqualsFitOnTheDataWithTheSameBatchesAndSeed()
    {
        Dataset data = CsvDataset.LoadClassification(WriteTwoClassCsv(rows: 70, seed: 8), CsvLabelColumn.Last);
        Dataset standardized = Standardizer.Fit(data).Transform(data);
        var inMemory = ScalarNetwork.LogisticRegression(3).Initialize(seed: 4);
        var streamed = ScalarNetwork.LogisticRegression(3).Initialize(seed: 4);

        TrainingHistory memoryHistory = Trainer.Fit(inMemory, standardized.Inputs, standardized.Labels, new TrainingOptions { LearningRate = 0.2f, Iterations = 4, BatchSize = 16, Seed = 2, RecordEvery = 1 });
        TrainingHistory sourceHistory = Trainer.Fit(
            streamed,
            BatchReader.FromDataset(standardized, batchSize: 16, shuffleSeed: 2).AsTrainingBatches(),
            new TrainingOptions { LearningRate = 0.2f, Iterations = 4, RecordEvery = 1 });

        Assert.Equal(inMemory.CopyParameters(), streamed.CopyParameters());
        Assert.Equal(memoryHistory.Costs.Select(c => c.Cost), sourceHistory.Costs.Select(c => c.Cost));
        Assert.Equal(memoryHistory.Status, sourceHistory.Status);
    }

    // Two classes separated along a direction that mixes a feature of scale 1000 and one of scale 0.01, plus noise.
    private string WriteTwoClassCsv(int rows, int seed)
    {
        var random = new NumPyRandom(seed);
        var text = new StringBuilder("area,smoothness,noise,diagnosis\n");
        for (int i = 0; i < rows; i++)
        {
            bool malignant = random.NextDouble() < 0.4;
            double shift = malignant ? 1.5 : -1.5;
            double area = 1000 + (300 * (random.NextGaussian() + shift));
            double smoothness = 0.01 * (random.NextGaussian() + shift);
            double noise = random.NextGaussian();
            text.Append(CultureInfo.InvariantCulture, $"{area:R},{smoothness:R},{noise:R},{(malignant ? "malignant" : "benign")}\n");
        }

        string path = Path.Combine(_directory, "tumours.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
