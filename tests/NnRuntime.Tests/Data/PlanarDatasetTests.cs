using System;
using System.Globalization;
using System.IO;
using NnGen.Data;
using Xunit.Abstractions;

namespace NnGen.Tests.Data;

public class PlanarDatasetTests
{
    // planar.csv was written by NumPy 1.24 on an AVX-512 machine, where np.sin/np.cos use SVML kernels that are
    // within 4 ulp but not correctly rounded; .NET calls the C library (glibc on Linux). With NumPy's AVX-512 paths
    // disabled (NPY_DISABLE_CPU_FEATURES) NumPy reproduces our doubles bit for bit; against the file they differ by
    // at most 1.78e-15 (5 ulp where r = 4 sin 4θ + noise cancels), and every float is identical.
    private const double CoordinateTolerance = 4e-15;

    private readonly ITestOutputHelper _output;

    public PlanarDatasetTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generate_Default_Has400RowsAnd200OfEachLabel()
    {
        Dataset dataset = PlanarDataset.Generate();

        Assert.Equal(400, dataset.Count);
        Assert.Equal(2, dataset.InputSize);
        Assert.Equal(1, dataset.LabelSize);
        Assert.All(dataset.Labels[..200], label => Assert.Equal(0f, label));
        Assert.All(dataset.Labels[200..], label => Assert.Equal(1f, label));
    }

    [Theory]
    // Rows 0, 199, 200 and 399 of planar.csv (file lines 2, 201, 202, 401), as numpy's doubles.
    [InlineData(0, 1.2044422922543192, 3.5761141481288452)]
    [InlineData(199, -0.58584641013584571, -3.0912599389506239)]
    [InlineData(200, -1.0704958072229525, 3.682524609580073)]
    [InlineData(399, 0.73078082500075148, 3.0683292081876554)]
    public void Generate_Default_KnownRowsMatchNumPy(int row, double x1, double x2)
    {
        double[] points = PlanarDataset.GeneratePoints(1);
        Assert.Equal(x1, points[2 * row], CoordinateTolerance);
        Assert.Equal(x2, points[(2 * row) + 1], CoordinateTolerance);

        Dataset dataset = PlanarDataset.Generate();
        Assert.Equal((float)x1, dataset.Inputs[2 * row]);
        Assert.Equal((float)x2, dataset.Inputs[(2 * row) + 1]);
    }

    [Fact]
    public void Generate_OtherSeed_GivesOtherPointsOfTheSameShape()
    {
        Dataset course = PlanarDataset.Generate(1);
        Dataset other = PlanarDataset.Generate(2);

        Assert.Equal(course.Count, other.Count);
        Assert.Equal(course.Labels, other.Labels);
        Assert.NotEqual(course.Inputs, other.Inputs);
    }

    [DataFact("planar/planar.csv")]
    public void Generate_Default_MatchesEveryValueOfPlanarCsv()
    {
        string[] lines = File.ReadAllLines(SharedData.Find("planar/planar.csv"));
        double[] points = PlanarDataset.GeneratePoints(1);
        Dataset dataset = PlanarDataset.Generate();
        Assert.Equal("x1,x2,label", lines[0]);
        Assert.Equal(401, lines.Length);

        // Doubles within CoordinateTolerance (sin/cos implementations differ in the last bits); the floats the networks
        // train on must be identical.
        int inexact = 0;
        double largest = 0;
        for (int row = 0; row < 400; row++)
        {
            string[] fields = lines[row + 1].Split(',');
            for (int column = 0; column < 2; column++)
            {
                double expected = double.Parse(fields[column], CultureInfo.InvariantCulture);
                double actual = points[(2 * row) + column];
                double difference = Math.Abs(expected - actual);
                Assert.True(
                    difference <= CoordinateTolerance,
                    $"row {row}, column {column}: expected {expected:R}, generated {actual:R} ({difference:R} apart, {UlpDistance(expected, actual)} ulp)");
                Assert.Equal((float)expected, dataset.Inputs[(2 * row) + column]);
                inexact += difference == 0 ? 0 : 1;
                largest = Math.Max(largest, difference);
            }

            Assert.Equal(float.Parse(fields[2], CultureInfo.InvariantCulture), dataset.Labels[row]);
        }

        _output.WriteLine($"{800 - inexact} of 800 coordinates bit-identical to planar.csv; largest difference {largest:R}; all floats equal.");
    }

    [DataFact("planar/planar.csv")]
    public void Generate_Default_EqualsCsvDatasetLoadOfPlanarCsv()
    {
        Dataset loaded = CsvDataset.Load(SharedData.Find("planar/planar.csv"), CsvLabelColumn.Last);
        Dataset generated = PlanarDataset.Generate();

        Assert.Equal(generated.Count, loaded.Count);
        Assert.Equal(generated.InputSize, loaded.InputSize);
        Assert.Equal(generated.Inputs, loaded.Inputs);
        Assert.Equal(generated.Labels, loaded.Labels);
    }

    private static long UlpDistance(double a, double b)
    {
        if (a == b)
        {
            return 0;
        }

        long bitsA = BitConverter.DoubleToInt64Bits(a);
        long bitsB = BitConverter.DoubleToInt64Bits(b);
        return (bitsA < 0) != (bitsB < 0) ? long.MaxValue : Math.Abs(bitsA - bitsB);
    }
}
