using System;
using System.Linq;
using System.Numerics;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// <see cref="SoftmaxKernels"/> at every width (512 bits emulated where the CPU lacks it) against softmax in double,
/// for unit counts and example counts that leave every kind of tail; stability for large z; the same bits wherever
/// the buffer sits; argument checks that write nothing.
/// </summary>
public sealed class SoftmaxKernelsTests
{
    // float32 exp (VectorMath, within a few ulps) and one division: a few ulps of the largest value.
    private const double Tolerance = 2e-6;

    public static TheoryData<string, int, int> WidthsAndShapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto })
        {
            foreach ((int units, int examples) in new[] { (1, 5), (2, 1), (3, 45), (10, 37), (10, 64), (7, 16 + 8 + 4 + 3) })
            {
                data.Add(width.ToString(), units, examples);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndShapes))]
    public void Forward_EachWidth_MatchesDoubleReference(string widthName, int units, int examples)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        float[] z = Random(units * examples, seed: units * 100 + examples, scale: 8f);
        float[] a = (float[])z.Clone();

        SoftmaxKernels.Forward(a, units, examples, width);

        double[] expected = Reference(z, units, examples);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - expected[i]) <= Tolerance, $"{width}, {units} x {examples}: a[{i}] = {a[i]:R}, expected {expected[i]:R}.");
        }

        for (int i = 0; i < examples; i++)
        {
            double sum = Enumerable.Range(0, units).Sum(j => (double)a[(j * examples) + i]);
            Assert.True(Math.Abs(sum - 1) <= units * 1e-6, $"{width}: example {i} sums to {sum:R}.");
        }
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("V128")]
    [InlineData("V256")]
    [InlineData("V512")]
    public void Forward_LargeLogits_StableWithoutOverflow(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        // exp(1000) overflows float; with the maximum subtracted first the answer is exact: (1/2, 1/2, 0) per example.
        const int Examples = 19;
        float[] a = new float[3 * Examples];
        a.AsSpan(0, Examples).Fill(1000f);
        a.AsSpan(Examples, Examples).Fill(1000f);
        a.AsSpan(2 * Examples, Examples).Fill(-1000f);

        SoftmaxKernels.Forward(a, 3, Examples, width);

        Assert.All(a.AsSpan(0, 2 * Examples).ToArray(), value => Assert.Equal(0.5f, value));
        Assert.All(a.AsSpan(2 * Examples).ToArray(), value => Assert.Equal(0f, value));
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("V128")]
    [InlineData("V256")]
    [InlineData("V512")]
    [InlineData("Auto")]
    public void Forward_BufferShiftedByEachAlignment_SameBits(string widthName)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        const int Units = 5, Examples = 53;
        float[] z = Random(Units * Examples, seed: 3, scale: 4f);
        float[] first = (float[])z.Clone();
        SoftmaxKernels.Forward(first, Units, Examples, width);
        for (int shift = 1; shift <= 15; shift++)
        {
            float[] shifted = new float[z.Length + shift];
            z.CopyTo(shifted, shift);
            SoftmaxKernels.Forward(shifted.AsSpan(shift), Units, Examples, width);
            Assert.True(first.AsSpan().SequenceEqual(shifted.AsSpan(shift)), $"{width}: shift {shift} changed the result.");
        }
    }

    [Fact]
    public void Forward_EachLaneOfAVectorBlock_SameBitsAsTheScalarReference()
    {
        // The scalar path is the reference: one example's lane of a vector block performs the same operations in the same order.
        const int Units = 4, Examples = 32;
        float[] z = Random(Units * Examples, seed: 5, scale: 6f);
        float[] scalar = (float[])z.Clone();
        float[] vector = (float[])z.Clone();
        SoftmaxKernels.Forward(scalar, Units, Examples, SimdWidth.Scalar);
        SoftmaxKernels.Forward(vector, Units, Examples, SimdWidth.V256);
        Assert.Equal(scalar, vector);
    }

    [Theory]
    [InlineData(3, 4, 11)]
    [InlineData(3, 4, 13)]
    [InlineData(0, 0, 0)]
    public void Forward_WrongLengthOrUnits_ThrowsAndWritesNothing(int units, int examples, int length)
    {
        float[] values = Enumerable.Range(0, length).Select(i => (float)i).ToArray();
        float[] before = (float[])values.Clone();

        Exception error = Record.Exception(() => SoftmaxKernels.Forward(values, units, examples));

        Assert.IsAssignableFrom<ArgumentException>(error);
        if (units > 0)
        {
            Assert.Contains($"{units} x {examples} = {units * examples}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"got {length}", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, values);
    }

    [Fact]
    public void AddCrossEntropy_MaskedLanes_MatchDoubleCost()
    {
        int count = Vector<float>.Count;
        float[] a = Enumerable.Range(0, count).Select(i => (i + 1f) / (count + 2f)).ToArray();
        a[0] = 0f; // floored at 1e-7 like the runtime's cost
        float[] y = Enumerable.Range(0, count).Select(i => i % 2 == 0 ? 1f : 0f).ToArray();
        Vector<float> mask = TinyKernels.ExampleMask(0, count - 1);
        Vector<double> sum = default;

        SoftmaxKernels.AddCrossEntropy(ref sum, new Vector<float>(a), new Vector<float>(y), mask);

        double expected = -Enumerable.Range(0, count - 1).Sum(i => y[i] * Math.Log(Math.Max(a[i], Losses.ProbabilityFloor)));
        Assert.Equal(expected, TinyKernels.Total(sum), 4);
    }

    private static double[] Reference(float[] z, int units, int examples)
    {
        var a = new double[z.Length];
        for (int i = 0; i < examples; i++)
        {
            double max = Enumerable.Range(0, units).Max(j => (double)z[(j * examples) + i]);
            double sum = Enumerable.Range(0, units).Sum(j => Math.Exp(z[(j * examples) + i] - max));
            for (int j = 0; j < units; j++)
            {
                a[(j * examples) + i] = Math.Exp(z[(j * examples) + i] - max) / sum;
            }
        }

        return a;
    }

    private static float[] Random(int count, int seed, float scale)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(((2 * random.NextDouble()) - 1) * scale)).ToArray();
    }
}
