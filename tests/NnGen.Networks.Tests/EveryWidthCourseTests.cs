using System;
using System.Diagnostics;
using NnGen.Data;
using NnGen.Kernels;
using NnGen.Tests.Data;
using Xunit.Abstractions;

namespace NnGen.Networks.Tests;

/// <summary>The course's two-layer cat classifier: 12288 → 7 ReLU → 1 sigmoid, randn·0.01 weights.</summary>
[Network(Inputs = 12288, Init = Init.Scaled)]
[Layer(7, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class TwoLayerCatNet;

/// <summary>
/// The course's published figures at every vector width the runtime can choose: each test forces a width for every
/// kernel (and for the code generated for tiny networks, its 512-bit path or its <c>Vector&lt;float&gt;</c> path) and
/// asserts the exact figures, not a tolerance: the planar cost trace to six decimals and 90.75 %, and the cat models'
/// train/test accuracies. Widths the CPU lacks run in software, so every width is checked on any machine. The tiny
/// networks' code runs at 512 bits or at <c>Vector&lt;float&gt;</c>'s width, so the planar test forces those two;
/// <c>ExampleSumTests</c> covers the 128-bit form of its sums. The scalar kernels are left out here: a cat run takes
/// minutes at that width (their sums are checked against the reference in the kernel tests).
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class EveryWidthCourseTests(ITestOutputHelper output)
{
    /// <summary>
    /// The course's planar cost at iterations 0, 1000, …, 7000, as printed to six decimals (later iterations oscillate
    /// and their last digits depend on the course's own rounding, as the data README notes).
    /// </summary>
    private static readonly double[] PlanarTrace = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504];

    /// <summary>Widths of the tiny networks' generated code: its 512-bit path, and its Vector&lt;float&gt; path (Auto without 512).</summary>
    public static TheoryData<string> TinyWidths() => [nameof(SimdWidth.V512), nameof(SimdWidth.V256)];

    /// <summary>Every width the matrix kernels can run at.</summary>
    public static TheoryData<string> KernelWidths() => [nameof(SimdWidth.V512), nameof(SimdWidth.V256), nameof(SimdWidth.V128)];

    [Theory]
    [MemberData(nameof(TinyWidths))]
    public void Fit_PlanarNetAtWidth_CourseTraceToSixDecimalsAnd9075Percent(string widthName)
    {
        SimdWidth width = Enum.Parse<SimdWidth>(widthName);
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 2);
        TrainingHistory history;
        Evaluation result;
        using (ForceWidth(width))
        {
            history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 1000 });
            result = net.Evaluate(data.Inputs, data.Labels);
        }

        for (int i = 0; i < history.Costs.Count; i++)
        {
            output.WriteLine($"{width}: iteration {history.Costs[i].Iteration} cost {history.Costs[i].Cost:F6}");
        }

        output.WriteLine($"{width}: accuracy {result.Accuracy:P2}");
        for (int i = 0; i < PlanarTrace.Length; i++)
        {
            Assert.Equal(i * 1000, history.Costs[i].Iteration);
            Assert.Equal(PlanarTrace[i], Math.Round(history.Costs[i].Cost, 6));
        }

        Assert.Equal(363, (int)Math.Round(result.Accuracy * result.Examples));
        Assert.Equal(0.9075, result.Accuracy);
    }

    [Fact]
    public void Fit_PlanarNet_SameWeightsBitForBitAt512And256Bits()
    {
        float[] Train(SimdWidth width)
        {
            Dataset data = PlanarDataset.Generate(seed: 1);
            var net = new PlanarNet(seed: 2);
            using (ForceWidth(width))
            {
                net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 2000, RecordEvery = 1000 });
            }

            return net.Parameters.ToArray();
        }

        DeterminismTests.AssertBitIdentical(Train(SimdWidth.V256), Train(SimdWidth.V512), "PlanarNet weights, 512-bit pass against Vector<float>");
    }

    [DataTheory("catvnoncat/train.csv", "catvnoncat/test.csv")]
    [MemberData(nameof(KernelWidths))]
    public void Fit_CatLogisticRegressionAtWidth_99Point04And70Percent(string widthName)
    {
        (Dataset train, Dataset test) = LoadCat();
        var net = new CatLogisticRegression();
        (double trainAccuracy, double testAccuracy) = Train(widthName, net, train, test, 0.005f, 2000);
        Assert.Equal((0.9904, 0.70), (Math.Round(trainAccuracy, 4), Math.Round(testAccuracy, 2)));
    }

    [DataTheory("catvnoncat/train.csv", "catvnoncat/test.csv")]
    [MemberData(nameof(KernelWidths))]
    public void Fit_TwoLayerCatNetAtWidth_100And72Percent(string widthName)
    {
        (Dataset train, Dataset test) = LoadCat();
        var net = new TwoLayerCatNet(seed: 1);
        (double trainAccuracy, double testAccuracy) = Train(widthName, net, train, test, 0.0075f, 2500);
        Assert.Equal((1.0, 0.72), (Math.Round(trainAccuracy, 4), Math.Round(testAccuracy, 2)));
    }

    [DataTheory("catvnoncat/train.csv", "catvnoncat/test.csv")]
    [MemberData(nameof(KernelWidths))]
    public void Fit_FourLayerCatNetAtWidth_98Point56And80Percent(string widthName)
    {
        (Dataset train, Dataset test) = LoadCat();
        var net = new DeepCatNet(seed: 1);
        (double trainAccuracy, double testAccuracy) = Train(widthName, net, train, test, 0.0075f, 2500);
        Assert.Equal((0.9856, 0.80), (Math.Round(trainAccuracy, 4), Math.Round(testAccuracy, 2)));
    }

    /// <summary>
    /// The reason the figures hold at every width, checked cheaply: a few iterations of the four-layer cat network
    /// (every product orientation, a 12288-long sum, the db row sums) end with the same weights bit for bit.
    /// </summary>
    [DataFact("catvnoncat/train.csv")]
    public void Fit_FourLayerCatNet_SameWeightsBitForBitAtEveryWidth()
    {
        Dataset train = CsvDataset.Load(SharedData.Find("catvnoncat/train.csv"), CsvLabelColumn.First, 1.0 / 255);
        float[] Weights(SimdWidth width)
        {
            var net = new DeepCatNet(seed: 1);
            using (ForceWidth(width))
            {
                Trainer.Fit(net, train.Inputs, train.Labels, new TrainingOptions { LearningRate = 0.0075f, Iterations = 20, RecordEvery = 20 });
            }

            return net.Parameters.ToArray();
        }

        float[] expected = Weights(SimdWidth.V512);
        DeterminismTests.AssertBitIdentical(expected, Weights(SimdWidth.V256), "DeepCatNet weights after 20 iterations, 256 bits against 512");
        DeterminismTests.AssertBitIdentical(expected, Weights(SimdWidth.V128), "DeepCatNet weights after 20 iterations, 128 bits against 512");
    }

    private (double Train, double Test) Train(string widthName, ITrainableNetwork net, Dataset train, Dataset test, float learningRate, int iterations)
    {
        SimdWidth width = Enum.Parse<SimdWidth>(widthName);
        var clock = Stopwatch.StartNew();
        using (ForceWidth(width))
        {
            Trainer.Fit(net, train.Inputs, train.Labels, new TrainingOptions { LearningRate = learningRate, Iterations = iterations, RecordEvery = iterations });
            double trainAccuracy = Trainer.Evaluate(net, train.Inputs, train.Labels).Accuracy;
            double testAccuracy = Trainer.Evaluate(net, test.Inputs, test.Labels).Accuracy;
            output.WriteLine($"{net.Name} at {width}: train {trainAccuracy:P2}, test {testAccuracy:P2}, {clock.Elapsed.TotalSeconds:F1} s");
            return (trainAccuracy, testAccuracy);
        }
    }

    private static SimdWidths.ForcedScope ForceWidth(SimdWidth width) => SimdWidths.ForceForTesting(width);

    private static (Dataset Train, Dataset Test) LoadCat() =>
        (CsvDataset.Load(SharedData.Find("catvnoncat/train.csv"), CsvLabelColumn.First, 1.0 / 255),
         CsvDataset.Load(SharedData.Find("catvnoncat/test.csv"), CsvLabelColumn.First, 1.0 / 255));
}

/// <summary>A <see cref="TheoryAttribute"/> reported as skipped, with the path searched, when a shared data file is missing.</summary>
public sealed class DataTheoryAttribute : TheoryAttribute
{
    /// <summary>Requires each of <paramref name="relativePaths"/>, relative to the shared data directory.</summary>
    public DataTheoryAttribute(params string[] relativePaths)
    {
        foreach (string relativePath in relativePaths)
        {
            if (SharedData.TryFind(relativePath, out string searched) is null)
            {
                Skip = $"{relativePath} not found: {searched}";
                return;
            }
        }
    }
}
