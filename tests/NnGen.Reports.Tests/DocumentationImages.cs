using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Data;
using NnGen.Reports.Tests.Support;
using NnGen.Tests.Data;
using SkiaSharp;

namespace NnGen.Reports.Tests;

/// <summary>
/// The images in docs/images are figures of the samples' reports. With <c>NNGEN_WRITE_DOC_IMAGES=1</c> these tests
/// write them (the cat images train the course's three models in full with the test set as validation data, a few minutes); otherwise they check that each
/// image is there and has the size the report code gives that figure today, so a change to a figure's layout shows up.
/// </summary>
public sealed class DocumentationImages
{
    private const string WriteVariable = "NNGEN_WRITE_DOC_IMAGES";

    private static bool Writing => Environment.GetEnvironmentVariable(WriteVariable) == "1";

    [Fact]
    public void PlanarImages_AreTheReportsFigures()
    {
        IReadOnlyList<ReportFigure> figures = SampleReports.PlanarReport().Render().Figures;
        Check("planar-cost.png", [figures.Single(f => f.Kind == FigureKind.Cost)]);
        Check("planar-decision-boundaries.png", figures.Where(f => f.Kind == FigureKind.DecisionBoundary).ToList());
    }

    [DataFact("catvnoncat/train.csv", "catvnoncat/test.csv")]
    public void CatImages_AreTheReportsFigures()
    {
        string path = Path.Combine(Repository.Root(), "docs", "images", "cat-confusion.png");
        if (!Writing)
        {
            using SKBitmap existing = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path} is missing or not a PNG; write it with {WriteVariable}=1.");
            Assert.True(existing.Width > 1000, $"{path} should hold the three models' matrices side by side.");
            return;
        }

        Dataset train = CsvDataset.Load(SharedData.Find("catvnoncat/train.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
        Dataset test = CsvDataset.Load(SharedData.Find("catvnoncat/test.csv"), CsvLabelColumn.First, featureScale: 1.0 / 255);
        var report = new TrainingReport("Cat or not");
        Add(report, "logistic regression", new CatLogisticRegression(), 2000, 0.005f, train, test);
        Add(report, "[12288, 7, 1]", new TwoLayerCatNet(seed: 1), 2500, 0.0075f, train, test);
        Add(report, "[12288, 20, 7, 5, 1]", new DeepCatNet(seed: 1), 2500, 0.0075f, train, test);
        IReadOnlyList<ReportFigure> figures = report.Render().Figures;
        Check("cat-confusion.png", figures.Where(f => f.Kind == FigureKind.ConfusionMatrix).ToList());
        Check("cat-cost.png", [figures.Single(f => f.Kind == FigureKind.Cost)]);
        Check("cat-accuracy.png", [figures.Single(f => f.Kind == FigureKind.Accuracy)]);
    }

    private static void Add(TrainingReport report, string name, ITrainableNetwork network, int iterations, float learningRate, Dataset train, Dataset test)
    {
        var options = new TrainingOptions { LearningRate = learningRate, Iterations = iterations, RecordEvery = 100, Validation = new ValidationData(test.Inputs, test.Labels) };
        TrainingHistory history = Trainer.Fit(network, train.Inputs, train.Labels, options);
        report.Add(new ReportRun(name, history) { Network = network, Options = options, Training = train, Validation = test, ClassNames = ["non-cat", "cat"] });
    }

    /// <summary>Writes the figures side by side (when writing), or checks the file's size against them.</summary>
    private static void Check(string name, IReadOnlyList<ReportFigure> figures)
    {
        Assert.NotEmpty(figures);
        int width = figures.Sum(f => f.Width), height = figures.Max(f => f.Height);
        string path = Path.Combine(Repository.Root(), "docs", "images", name);
        if (Writing)
        {
            using var combined = new SKBitmap(width, height);
            using (var canvas = new SKCanvas(combined))
            {
                canvas.Clear(SKColors.White);
                int left = 0;
                foreach (ReportFigure figure in figures)
                {
                    using SKBitmap image = SKBitmap.Decode(figure.Png);
                    canvas.DrawBitmap(image, left, 0);
                    left += figure.Width;
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using SKData png = combined.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }

        using SKBitmap written = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path} is missing or not a PNG; write it with {WriteVariable}=1.");
        Assert.Equal((width, height), (written.Width, written.Height));
    }
}
