using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Data;
using NnGen.Tests.Support;

namespace NnGen.Tests.Data;

public class StandardizerTests
{
    [Fact]
    public void Fit_MatchesDoubleTwoPassMeanAndPopulationStd()
    {
        const int rows = 1000;
        const int columns = 7;
        float[] data = RandomRows(rows, columns, seed: 3, offset: 1e4f);

        Standardizer standardizer = Standardizer.Fit(data, columns);

        for (int j = 0; j < columns; j++)
        {
            double[] column = Enumerable.Range(0, rows).Select(i => (double)data[(i * columns) + j]).ToArray();
            double mean = column.Average();
            double std = Math.Sqrt(column.Select(x => (x - mean) * (x - mean)).Sum() / rows);
            Assert.Equal((float)mean, standardizer.Mean[j]);
            Assert.Equal((float)std, standardizer.Scale[j]);
        }
    }

    [Fact]
    public void Fit_SmallMatrix_MatchesNumPy()
    {
        // X.astype(np.float64).mean(axis=0) and .std(axis=0), rounded to float32, with NumPy 1.24.2.
        float[] x =
        [
            1.5f, -2, 7, 3,
            2.25f, -2, 7, -1e3f,
            100.125f, -2, 7, 0.5f,
            -3, -2, 7, 2,
            0.5f, -2, 7, 9,
        ];

        Standardizer standardizer = Standardizer.Fit(new Dataset(x, 4, new float[5], 1));

        Assert.Equal([20.274999618530273f, -2f, 7f, -197.10000610351562f], standardizer.Mean.ToArray());
        Assert.Equal([39.965484619140625f, 1f, 1f, 401.46038818359375f], standardizer.Scale.ToArray());
    }

    [Fact]
    public void Fit_ConstantColumn_ScaleOneAndBecomesZeros()
    {
        // 0.1f summed 3001 times in double is not exactly 3001 · 0.1f; the mean must still be the value itself.
        float[] x = Enumerable.Range(0, 3001).SelectMany(i => new[] { 0.1f, i }).ToArray();

        Standardizer standardizer = Standardizer.Fit(x, 2);
        standardizer.Transform(x);

        Assert.Equal(0.1f, standardizer.Mean[0]);
        Assert.Equal(1f, standardizer.Scale[0]);
        Assert.All(Enumerable.Range(0, 3001), i => Assert.Equal(0f, x[2 * i]));
    }

    [Fact]
    public void Transform_IsElementwiseFloatFormula_InPlaceAndToDestination()
    {
        const int columns = 13;
        float[] train = RandomRows(64, columns, seed: 5, offset: -3f);
        float[] other = RandomRows(37, columns, seed: 6, offset: 2f);
        Standardizer standardizer = Standardizer.Fit(train, columns);

        var destination = new float[other.Length];
        standardizer.Transform(other, destination);
        float[] inPlace = (float[])other.Clone();
        standardizer.Transform(inPlace);

        for (int i = 0; i < other.Length; i++)
        {
            int j = i % columns;
            float expected = (other[i] - standardizer.Mean[j]) / standardizer.Scale[j];
            Assert.Equal(expected, destination[i]);
            Assert.Equal(expected, inPlace[i]);

            // Against double: two float roundings stay within a few ulp of the exact quotient.
            double exact = (other[i] - (double)standardizer.Mean[j]) / standardizer.Scale[j];
            Assert.Equal(exact, destination[i], 1e-6 * Math.Max(1, Math.Abs(exact)));
        }
    }

    [Fact]
    public void Transform_TrainingRows_HaveMeanZeroAndStdOne()
    {
        const int columns = 5;
        float[] train = RandomRows(500, columns, seed: 8, offset: 250f);
        Standardizer standardizer = Standardizer.Fit(train, columns);

        standardizer.Transform(train);

        for (int j = 0; j < columns; j++)
        {
            double[] column = Enumerable.Range(0, 500).Select(i => (double)train[(i * columns) + j]).ToArray();
            double mean = column.Average();
            Assert.Equal(0, mean, 1e-5);
            Assert.Equal(1, Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Sum() / 500), 1e-5);
        }
    }

    [Fact]
    public void Transform_AllocatesNothing()
    {
        float[] rows = RandomRows(128, 30, seed: 1, offset: 0);
        Standardizer standardizer = Standardizer.Fit(rows, 30);
        var destination = new float[rows.Length];

        AllocationAssert.NoAllocation(() => standardizer.Transform(rows, destination), 20, "Standardizer.Transform(rows, destination)");
        AllocationAssert.NoAllocation(() => standardizer.Transform(destination), 20, "Standardizer.Transform(rows)");
    }

    [Fact]
    public void Constructor_FromSavedMeanAndScale_TransformsLikeTheFittedOne()
    {
        float[] rows = RandomRows(20, 4, seed: 2, offset: 10);
        Standardizer fitted = Standardizer.Fit(rows, 4);

        var restored = new Standardizer(fitted.Mean, fitted.Scale);

        Assert.Equal(fitted.Transform(new Dataset(rows, 4, new float[20], 1)).Inputs, restored.Transform(new Dataset(rows, 4, new float[20], 1)).Inputs);
        Assert.Equal("standardizer.mean", Standardizer.MeanTensorName);
        Assert.Equal("standardizer.scale", Standardizer.ScaleTensorName);
    }

    [Fact]
    public void ToTensorsAndFromWeights_RoundTripTheSavedStandardizer()
    {
        Standardizer fitted = Standardizer.Fit(RandomRows(40, 3, seed: 9, offset: 5), 3);

        NamedTensor[] tensors = fitted.ToTensors();
        var loaded = new LoadedWeights("model.safetensors", new Dictionary<string, string>(), tensors);
        Standardizer restored = Standardizer.FromWeights(loaded, 3);

        Assert.Equal(["standardizer.mean", "standardizer.scale"], tensors.Select(t => t.Name));
        Assert.All(tensors, t => Assert.Equal([3], t.Shape));
        Assert.Equal(fitted.Mean.ToArray(), restored.Mean.ToArray());
        Assert.Equal(fitted.Scale.ToArray(), restored.Scale.ToArray());
    }

    [Fact]
    public void FromWeights_MissingWrongShapedOrInvalidTensor_ThrowsNamingFileAndTensor()
    {
        NamedTensor mean = new("standardizer.mean", [1f, 2f]);
        var noScale = new LoadedWeights("m.safetensors", new Dictionary<string, string>(), [mean]);
        var zeroScale = new LoadedWeights("m.safetensors", new Dictionary<string, string>(), [mean, new NamedTensor("standardizer.scale", [1f, 0f])]);

        Assert.StartsWith("m.safetensors: tensor 'standardizer.scale': missing", Assert.Throws<WeightsFormatException>(() => Standardizer.FromWeights(noScale, 2)).Message, StringComparison.Ordinal);
        Assert.Equal("m.safetensors: tensor 'standardizer.mean': expected shape (3), found (2).", Assert.Throws<WeightsFormatException>(() => Standardizer.FromWeights(zeroScale, 3)).Message);
        Assert.Equal("m.safetensors: tensor 'standardizer.scale': scale[1] is 0; expected a finite positive number.", Assert.Throws<WeightsFormatException>(() => Standardizer.FromWeights(zeroScale, 2)).Message);
    }

    [Fact]
    public void TransformDataset_SharesLabelsAndClassNames()
    {
        var data = new Dataset([1, 10, 3, 30], 2, [0, 1], 1, ["neg", "pos"]);

        Dataset standardized = Standardizer.Fit(data).Transform(data);

        Assert.Equal([-1f, -1f, 1f, 1f], standardized.Inputs);
        Assert.Same(data.Labels, standardized.Labels);
        Assert.Equal(data.ClassNames!, standardized.ClassNames!);
        Assert.Equal([1f, 10f, 3f, 30f], data.Inputs);
    }

    [Fact]
    public void InvalidInput_ThrowsNamingWhatAndWhere()
    {
        Assert.Equal(
            "rows[1, 0] (float 2) is NaN; a standardizer needs finite values. (Parameter 'rows')",
            Assert.Throws<ArgumentException>(() => Standardizer.Fit([1, 2, float.NaN, 4], 2)).Message);
        Assert.StartsWith("rows has 3 floats; expected a positive multiple of columns 2.", Assert.Throws<ArgumentException>(() => Standardizer.Fit([1, 2, 3], 2)).Message, StringComparison.Ordinal);
        Assert.StartsWith("scale[1] is 0; expected a finite positive number.", Assert.Throws<ArgumentException>(() => new Standardizer([0f, 0f], [1f, 0f])).Message, StringComparison.Ordinal);
        Assert.StartsWith("mean[0] is Infinity; expected a finite number.", Assert.Throws<ArgumentException>(() => new Standardizer([float.PositiveInfinity], [1f])).Message, StringComparison.Ordinal);
        Assert.StartsWith("mean has 2 values and scale 1;", Assert.Throws<ArgumentException>(() => new Standardizer([0f, 0f], [1f])).Message, StringComparison.Ordinal);

        var standardizer = new Standardizer([0f, 0f], [1f, 1f]);
        Assert.StartsWith("rows has 3 floats; expected a multiple of Columns 2.", Assert.Throws<ArgumentException>(() => standardizer.Transform(new float[3])).Message, StringComparison.Ordinal);
        Assert.StartsWith("destination has 2 floats; expected 4", Assert.Throws<ArgumentException>(() => standardizer.Transform(new float[4], new float[2])).Message, StringComparison.Ordinal);
        Assert.StartsWith("The data set has 1 input columns, but the standardizer was fitted on 2.", Assert.Throws<ArgumentException>(() => standardizer.Transform(new Dataset([1f], 1, [0f], 1))).Message, StringComparison.Ordinal);
    }

    private static float[] RandomRows(int rows, int columns, int seed, float offset)
    {
        var random = new NumPyRandom(seed);
        var data = new float[rows * columns];
        for (int i = 0; i < data.Length; i++)
        {
            // Columns of different spreads, all around the offset, so a one-pass E[x²] − E[x]² would visibly lose digits.
            data[i] = offset + (float)(random.NextGaussian() * (1 + (i % columns)));
        }

        return data;
    }
}
