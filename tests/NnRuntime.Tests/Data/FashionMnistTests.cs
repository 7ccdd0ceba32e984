using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NnGen.Data;
using Xunit.Abstractions;

namespace NnGen.Tests.Data;

// Expected values computed with NumPy 1.24.2 from the Debian files: np.frombuffer(gzip.open(f).read(), np.uint8, offset=8|16).
public sealed class FashionMnistTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly IdxTestFiles _files = new();

    public FashionMnistTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _files.Dispose();

    [FashionMnistFact]
    public void Load_DebianFiles_HaveTheDocumentedShapeLabelsAndPixels()
    {
        var stopwatch = Stopwatch.StartNew();
        var (train, test) = FashionMnist.Load();
        _output.WriteLine($"Loaded Fashion-MNIST from {FashionMnist.DebianDirectory} in {stopwatch.Elapsed.TotalMilliseconds:F0} ms.");

        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(784, train.InputSize);
        Assert.Equal(10, train.LabelSize);
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames!);

        int[] trainClasses = train.ClassIndices();
        int[] testClasses = test.ClassIndices();
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9], trainClasses[..12]);
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5], testClasses[..12]);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, trainClasses.Count(x => x == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, testClasses.Count(x => x == c)));

        // Pixel sums recover the bytes exactly: every float is byte / 255 rounded once.
        Assert.Equal(76247, PixelSum(train, 0));
        Assert.Equal(16684, PixelSum(train, 59999));
        Assert.Equal(33456, PixelSum(test, 0));
        Assert.Equal([1 / 255.0, 13 / 255.0, 73 / 255.0, 1 / 255.0, 4 / 255.0], new[] { 96, 99, 100, 103, 104 }.Select(i => (double)train.Inputs[i]).ToArray(), new FloatOf());
        Assert.InRange(train.Inputs.Min(), 0f, 0f);
        Assert.InRange(train.Inputs.Max(), 1f, 1f);

        // NumPy sums pairwise, this sequentially: 47 million terms agree to about 1e-12 relative.
        Assert.Equal(0.2860406021939525, train.Inputs.Average(value => (double)value), 1e-9);
    }

    [FashionMnistFact]
    public void Load_ClassIndices_MatchOneHot()
    {
        Dataset indices = LoadTestSet(LabelEncoding.ClassIndex);
        Dataset oneHot = LoadTestSet(LabelEncoding.OneHot);

        Assert.Equal(1, indices.LabelSize);
        Assert.Equal([9f, 2f, 1f, 1f, 6f], indices.Labels[..5]);
        Assert.Equal(indices.Labels, oneHot.ToClassIndices().Labels);
    }

    [FashionMnistFact]
    public void Batches_StreamTheSameExamplesAsLoad()
    {
        Dataset test = LoadTestSet(LabelEncoding.OneHot);
        BatchReader reader = FashionMnist.Batches(128, test: true);

        int row = 0;
        foreach (var (inputs, labels) in reader)
        {
            int count = labels.Length / 10;
            Assert.True(inputs.Span.SequenceEqual(test.Inputs.AsSpan(row * 784, count * 784)), $"inputs of the batch at row {row}");
            Assert.True(labels.Span.SequenceEqual(test.Labels.AsSpan(row * 10, count * 10)), $"labels of the batch at row {row}");
            row += count;
        }

        Assert.Equal(10000, row);
        Assert.Equal(79, reader.BatchCount);
    }

    [Fact]
    public void Load_FolderWithPlainAndGzipFiles_ReadsThem()
    {
        _files.Write(FashionMnist.TrainImagesFile, [3, 28, 28], Enumerable.Range(0, 3 * 784).Select(i => (byte)i).ToArray(), gzip: true);
        _files.Write(FashionMnist.TrainLabelsFile, [3], [9, 0, 4], gzip: false);
        _files.Write(FashionMnist.TestImagesFile, [2, 28, 28], new byte[2 * 784], gzip: false);
        _files.Write(FashionMnist.TestLabelsFile, [2], [1, 8], gzip: true);

        var (train, test) = FashionMnist.Load(_files.Folder, LabelEncoding.ClassIndex);

        Assert.Equal([9f, 0f, 4f], train.Labels);
        Assert.Equal([1f, 8f], test.Labels);
        Assert.Equal((float)(255 / 255.0), train.Inputs[255]);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
        Assert.Equal(_files.Folder, FashionMnist.TryFindDirectory(_files.Folder, out string missing));
        Assert.Equal(string.Empty, missing);
    }

    [Fact]
    public void Load_FolderMissingAFile_ThrowsListingWhatWasTried()
    {
        _files.Write(FashionMnist.TrainImagesFile, [1, 28, 28], new byte[784], gzip: true);

        var exception = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_files.Folder));

        string expected = Path.Combine(_files.Folder, FashionMnist.TrainLabelsFile);
        Assert.Equal($"Fashion-MNIST file not found: looked for '{expected}' and '{expected}.gz'.", exception.Message);
        Assert.Null(FashionMnist.TryFindDirectory(_files.Folder, out string missing));
        Assert.Equal(exception.Message, missing);
    }

    [Fact]
    public void ClassNames_AreTheTenFromTheReadme()
    {
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], FashionMnist.ClassNames);
    }

    private static Dataset LoadTestSet(LabelEncoding encoding)
    {
        string folder = FashionMnist.DebianDirectory;
        return IdxReader.LoadDataset(
            Path.Combine(folder, FashionMnist.TestImagesFile + ".gz"),
            Path.Combine(folder, FashionMnist.TestLabelsFile + ".gz"),
            FashionMnist.ClassCount,
            encoding,
            classNames: FashionMnist.ClassNames);
    }

    private static long PixelSum(Dataset data, int example) =>
        data.Inputs.AsSpan(example * 784, 784).ToArray().Sum(value => (long)Math.Round(value * 255.0));

    /// <summary>Compares a float read back as double with the double it was rounded from.</summary>
    private sealed class FloatOf : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double expected, double actual) => (float)expected == actual;

        public int GetHashCode(double value) => ((float)value).GetHashCode();
    }
}
