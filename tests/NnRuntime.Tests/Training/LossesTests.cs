using System;

namespace NnGen.Tests.Training;

public class LossesTests
{
    // Both sides accumulate in double; only the summation order differs (vector lanes vs one scalar loop).
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(300, 1)]
    [InlineData(257, 4)]
    public void BinaryCrossEntropy_RandomValues_MatchesScalarReference(int examples, int outputs)
    {
        (float[] a, float[] y) = RandomPair(examples * outputs, seed: examples + outputs, binaryLabels: false);
        double expected = ScalarCrossEntropy(a, y, examples);

        double actual = Losses.BinaryCrossEntropy(a, y, examples);

        Assert.Equal(expected, actual, Tolerance * Math.Max(1, Math.Abs(expected)));
        Assert.Equal(actual, Losses.Cost(Loss.BinaryCrossEntropy, a, y, examples));
    }

    [Fact]
    public void BinaryCrossEntropy_SaturatedOutputs_IsFiniteAndClamped()
    {
        float[] a = [0f, 1f, 0f, 1f];
        float[] y = [1f, 0f, 0f, 1f];

        double cost = Losses.BinaryCrossEntropy(a, y, examples: 4);

        // The two confidently wrong outputs cost about -log(1e-7) = 16.1 each (a = 1 is clamped to 1 - 1e-7, and
        // 1 - (1 - 1e-7) is not exactly 1e-7 in double); the two right ones cost -log(1 - 1e-7) each.
        double expected = -(Math.Log(1e-7) + Math.Log(1 - (1 - 1e-7)) + (2 * Math.Log(1 - 1e-7))) / 4;
        Assert.True(double.IsFinite(cost));
        Assert.Equal(expected, cost, 1e-12);
        Assert.Equal(expected, ScalarCrossEntropy(a, y, 4), 1e-12);
    }

    [Fact]
    public void BinaryCrossEntropy_CoursePlanarStart_IsLog2()
    {
        // Every output 0.5 (a network with zero weights) costs log 2 per output whatever the labels.
        var a = new float[400];
        Array.Fill(a, 0.5f);
        (_, float[] y) = RandomPair(400, seed: 1, binaryLabels: true);

        Assert.Equal(Math.Log(2), Losses.BinaryCrossEntropy(a, y, examples: 400), 1e-12);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 2)]
    [InlineData(1000, 3)]
    public void MeanSquaredError_RandomValues_MatchesScalarReference(int examples, int outputs)
    {
        (float[] a, float[] y) = RandomPair(examples * outputs, seed: 3 * examples, binaryLabels: false);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (a[i] - 0.5f) * 40f;
        }

        double expected = 0;
        for (int i = 0; i < a.Length; i++)
        {
            expected += ((double)a[i] - y[i]) * ((double)a[i] - y[i]);
        }

        expected /= 2.0 * examples;

        double actual = Losses.MeanSquaredError(a, y, examples);

        Assert.Equal(expected, actual, Tolerance * Math.Max(1, expected));
        Assert.Equal(actual, Losses.Cost(Loss.MeanSquaredError, a, y, examples));
    }

    [Fact]
    public void MeanSquaredError_LargePredictions_DoesNotOverflow()
    {
        float[] a = [3e38f, -3e38f];
        float[] y = [0f, 0f];

        double cost = Losses.MeanSquaredError(a, y, examples: 1);

        Assert.Equal((((double)3e38f * 3e38f) * 2) / 2, cost, 1e65);
        Assert.True(double.IsFinite(cost));
    }

    [Fact]
    public void Cost_Default_ThrowsArgumentException()
    {
        float[] a = [0.5f];
        var error = Assert.Throws<ArgumentException>(() => Losses.Cost(Loss.Default, a, a, 1));
        Assert.Equal("loss", error.ParamName);
        Assert.Contains("Losses.Resolve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cost_LengthMismatch_Throws()
    {
        float[] a = [0.5f, 0.5f];
        float[] y = [1f];
        var error = Assert.Throws<ArgumentException>(() => Losses.Cost(Loss.MeanSquaredError, a, y, 1));
        Assert.StartsWith("predictions has 2 floats but labels has 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cost_LengthNotAMultipleOfExamples_Throws()
    {
        float[] a = [0.5f, 0.5f, 0.5f];
        var error = Assert.Throws<ArgumentException>(() => Losses.Cost(Loss.BinaryCrossEntropy, a, a, 2));
        Assert.StartsWith("predictions has 3 floats, which is not a whole number of values for each of 2 examples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cost_ZeroExamples_Throws()
    {
        float[] a = [0.5f];
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Cost(Loss.MeanSquaredError, a, a, 0));
    }

    [Theory]
    [InlineData(Loss.Default, Activation.Sigmoid, Loss.BinaryCrossEntropy)]
    [InlineData(Loss.Default, Activation.Linear, Loss.MeanSquaredError)]
    [InlineData(Loss.Default, Activation.Tanh, Loss.MeanSquaredError)]
    [InlineData(Loss.Default, Activation.ReLU, Loss.MeanSquaredError)]
    [InlineData(Loss.Default, Activation.LeakyReLU, Loss.MeanSquaredError)]
    [InlineData(Loss.MeanSquaredError, Activation.Sigmoid, Loss.MeanSquaredError)]
    [InlineData(Loss.BinaryCrossEntropy, Activation.Sigmoid, Loss.BinaryCrossEntropy)]
    public void Resolve_DeclaredLossAndOutput_ReturnsConcreteLoss(Loss declared, Activation output, Loss expected) =>
        Assert.Equal(expected, Losses.Resolve(declared, output));

    [Fact]
    public void Resolve_UnknownValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Resolve((Loss)42, Activation.Sigmoid));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Resolve(Loss.Default, (Activation)42));
    }

    private static double ScalarCrossEntropy(float[] a, float[] y, int examples)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double p = Math.Clamp((double)a[i], 1e-7, 1 - 1e-7);
            sum += (y[i] * Math.Log(p)) + ((1.0 - y[i]) * Math.Log(1 - p));
        }

        return -sum / examples;
    }

    private static (float[] A, float[] Y) RandomPair(int length, int seed, bool binaryLabels)
    {
        var random = new NumPyRandom(seed);
        var a = new float[length];
        var y = new float[length];
        for (int i = 0; i < length; i++)
        {
            a[i] = (float)random.NextDouble();
            y[i] = binaryLabels ? (random.NextDouble() < 0.5 ? 0f : 1f) : (float)random.NextDouble();
        }

        return (a, y);
    }
}
