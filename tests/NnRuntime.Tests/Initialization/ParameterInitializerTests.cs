using System;

namespace NnGen.Tests.Initialization;

public class ParameterInitializerTests
{
    [Fact]
    public void FillWeights_Seed2Scaled_ReproducesCourseWeek3Weights()
    {
        // Course: np.random.seed(2); W1 = randn(4, 2) * 0.01; W2 = randn(1, 4) * 0.01. The doubles are numpy's.
        double[] w1Numpy =
        [
            -0.004167578474054706, -0.0005626682722632948, -0.02136196095668454, 0.016402708084049887,
            -0.017934355851948632, -0.00841747365656204, 0.005028814171580428, -0.012452880866072316,
        ];
        double[] w2Numpy = [-0.010579522188623389, -0.009090076149268494, 0.005514540445464244, 0.022922080128149575];

        // What the notebook prints (8 decimals; 6e-9 covers that rounding plus the float narrowing).
        double[] w1Printed = [-0.00416758, -0.00056267, -0.02136196, 0.01640271, -0.01793436, -0.00841747, 0.00502881, -0.01245288];
        double[] w2Printed = [-0.01057952, -0.00909008, 0.00551454, 0.02292208];

        var random = new NumPyRandom(2);
        var w1 = new float[8];
        var w2 = new float[4];
        ParameterInitializer.FillWeights(w1, fanIn: 2, Init.Scaled, random);
        ParameterInitializer.FillWeights(w2, fanIn: 4, Init.Scaled, random);

        for (int i = 0; i < w1.Length; i++)
        {
            Assert.Equal((float)w1Numpy[i], w1[i]);
            Assert.Equal(w1Printed[i], w1[i], 6e-9);
        }

        for (int i = 0; i < w2.Length; i++)
        {
            Assert.Equal((float)w2Numpy[i], w2[i]);
            Assert.Equal(w2Printed[i], w2[i], 6e-9);
        }
    }

    [Fact]
    public void FillWeights_Seed1Xavier_MatchesNumPyDivisionBySqrtFanIn()
    {
        // np.float32(RandomState(1).randn(3, 5) / np.sqrt(5)), first row's first four.
        var weights = new float[15];
        ParameterInitializer.FillWeights(weights, fanIn: 5, Init.Xavier, new NumPyRandom(1));
        Assert.Equal([0.7264293432235718f, -0.27358579635620117f, -0.236205592751503f, -0.47984614968299866f], weights[..4]);
    }

    [Fact]
    public void FillWeights_Seed1He_MatchesNumPyScaleBySqrtTwoOverFanIn()
    {
        // np.float32(RandomState(1).randn(3, 5) * np.sqrt(2 / 5)), first row's first four.
        var weights = new float[15];
        ParameterInitializer.FillWeights(weights, fanIn: 5, Init.He, new NumPyRandom(1));
        Assert.Equal([1.027326226234436f, -0.38690873980522156f, -0.3340451419353485f, -0.6786049604415894f], weights[..4]);
    }

    [Theory]
    [InlineData(Init.Xavier, 50, 0.1414213562373095)] // sqrt(1 / 50)
    [InlineData(Init.He, 50, 0.2)] // sqrt(2 / 50)
    [InlineData(Init.Scaled, 50, 0.01)]
    [InlineData(Init.He, 12288, 0.012757759)] // sqrt(2 / 12288)
    public void FillWeights_LargeDraw_HasZeroMeanAndExpectedStd(Init init, int fanIn, double expectedStd)
    {
        // 200 000 normal draws: the sample mean's standard error is std/447 and the sample std's relative error about
        // 0.16%, so |mean| < std/100 and a 1% std tolerance are each more than four standard errors.
        var weights = new float[fanIn * (200_000 / fanIn + 1)];
        ParameterInitializer.FillWeights(weights, fanIn, init, new NumPyRandom(123));

        double sum = 0, sumOfSquares = 0;
        foreach (float w in weights)
        {
            sum += w;
            sumOfSquares += (double)w * w;
        }

        double mean = sum / weights.Length;
        double std = Math.Sqrt((sumOfSquares / weights.Length) - (mean * mean));
        Assert.InRange(Math.Abs(mean), 0, expectedStd / 100);
        Assert.InRange(std / expectedStd, 0.99, 1.01);
    }

    [Fact]
    public void FillWeights_Zeros_ClearsWithoutDrawing()
    {
        var random = new NumPyRandom(2);
        float[] weights = [1f, 2f, 3f, 4f, 5f, 6f];
        ParameterInitializer.FillWeights(weights, fanIn: 3, Init.Zeros, random);

        Assert.All(weights, w => Assert.Equal(0f, w));
        Assert.Equal(-0.4167578474054706, random.NextGaussian()); // still the first randn of seed 2
    }

    [Fact]
    public void FillWeights_OddCount_LeavesCachedGaussianForNextLayer()
    {
        // Three draws use two Box–Muller pairs; the fourth randn is the cached half of the second pair, as in numpy.
        var random = new NumPyRandom(2);
        ParameterInitializer.FillWeights(new float[3], fanIn: 1, Init.Scaled, random);
        Assert.Equal(1.6402708084049886, random.NextGaussian());
    }

    [Fact]
    public void FillWeights_Default_ThrowsArgumentException()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => ParameterInitializer.FillWeights(new float[4], fanIn: 2, Init.Default, new NumPyRandom(0)));
        Assert.Equal("init", exception.ParamName);
        Assert.Contains("Resolve", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FillWeights_LengthNotWholeRows_ThrowsNamingBothSizes()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => ParameterInitializer.FillWeights(new float[5], fanIn: 2, Init.He, new NumPyRandom(0)));
        Assert.Equal("weights", exception.ParamName);
        Assert.Contains("5 floats", exception.Message, StringComparison.Ordinal);
        Assert.Contains("fanIn 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FillWeights_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillWeights(new float[4], fanIn: 0, Init.He, new NumPyRandom(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillWeights(new float[4], fanIn: 2, (Init)99, new NumPyRandom(0)));
        Assert.Throws<ArgumentNullException>(() => ParameterInitializer.FillWeights(new float[4], fanIn: 2, Init.He, null!));
    }

    [Theory]
    [InlineData(Activation.ReLU, Init.He)]
    [InlineData(Activation.LeakyReLU, Init.He)]
    [InlineData(Activation.Sigmoid, Init.Xavier)]
    [InlineData(Activation.Tanh, Init.Xavier)]
    [InlineData(Activation.Linear, Init.Xavier)]
    public void Resolve_Default_PicksByActivation(Activation activation, Init expected)
    {
        Assert.Equal(expected, ParameterInitializer.Resolve(Init.Default, activation));
    }

    [Theory]
    [InlineData(Init.Xavier)]
    [InlineData(Init.He)]
    [InlineData(Init.Scaled)]
    [InlineData(Init.Zeros)]
    public void Resolve_Explicit_ReturnsItUnchanged(Init init)
    {
        Assert.Equal(init, ParameterInitializer.Resolve(init, Activation.ReLU));
        Assert.Equal(init, ParameterInitializer.Resolve(init, Activation.Sigmoid));
    }

    [Fact]
    public void Resolve_UndefinedValues_ThrowArgumentOutOfRange()
    {
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.Resolve((Init)99, Activation.ReLU)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.Resolve(Init.Default, (Activation)99)).ParamName);
    }

    [Fact]
    public void FillRecurrentTransposed_SameDrawsAsFillRecurrent_Transposed()
    {
        // PyTorch's (G·H, n) = (12, 5) drawn in its row-major order, written at [k, r] of the (5, 12) the layers hold.
        const int Rows = 12, Columns = 5, Units = 3;
        var pytorch = new float[Rows * Columns];
        ParameterInitializer.FillRecurrent(pytorch, Units, new NumPyRandom(11));
        var transposed = new float[Rows * Columns];
        ParameterInitializer.FillRecurrentTransposed(transposed, Rows, Units, new NumPyRandom(11));

        for (int r = 0; r < Rows; r++)
        {
            for (int k = 0; k < Columns; k++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(pytorch[(r * Columns) + k]), BitConverter.SingleToInt32Bits(transposed[(k * Rows) + r]));
            }
        }
    }

    [Fact]
    public void FillRecurrentTransposed_LengthNotWholeGateRows_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => ParameterInitializer.FillRecurrentTransposed(new float[13], 12, 3, new NumPyRandom(1)));
        Assert.StartsWith("A transposed recurrent weight of 12 gate rows has a multiple of 12 floats; found 13.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillRecurrentTransposed(new float[12], 0, 3, new NumPyRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillRecurrentTransposed(new float[12], 12, 0, new NumPyRandom(1)));
        Assert.Throws<ArgumentNullException>(() => ParameterInitializer.FillRecurrentTransposed(new float[12], 12, 3, null!));
    }
}
