using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Issue 25: the pooling kernels against the double-precision direct reference (<see cref="ConvReference"/>) at every
/// width, for one example and for 37 (whole vectors plus a scalar tail at each width), with ties and NaNs; the same bits
/// at every width and wherever the buffers sit; no allocation; lengths named.
/// </summary>
/// <remarks>
/// Max pooling is exact (compared bit for bit with the reference rounded to float). Its gradient, where windows overlap,
/// and the averages are float sums of a few terms (at most kh·kw, or P, divided once): within 1e-6 of Σ|terms|, plus 1e-7
/// absolute; a gradient routed to the wrong input misses by the whole term.
/// </remarks>
public sealed class PoolKernelsTests
{
    private static readonly IReadOnlyDictionary<string, PoolGeometry> Geometries = new Dictionary<string, PoolGeometry>
    {
        ["2x2"] = new(3, 8, 6, 2, 2, 2, 2, 0, 0),
        ["3x3 stride 2 pad 1"] = new(2, 7, 9, 3, 3, 2, 2, 1, 1),
        ["3x2 stride 1x2 pad 1x1"] = new(2, 6, 6, 3, 2, 1, 2, 1, 1),
        ["stride 3 > window 2"] = new(2, 8, 7, 2, 2, 3, 3, 0, 0),
        ["window = input"] = new(3, 4, 5, 4, 5, 1, 1, 0, 0),
        ["1-D 3 stride 2 pad 1"] = PoolGeometry.OneDimensional(3, 12, 3, 2, 1),
        ["1-D 4 stride 1 pad 2"] = PoolGeometry.OneDimensional(2, 9, 4, 1, 2),
        ["2x2 stride 2 pad 1"] = new(2, 5, 5, 2, 2, 2, 2, 1, 1),
        ["2x2 on 5x7, last row and column in no window"] = new(3, 5, 7, 2, 2, 2, 2, 0, 0),
        ["LeNet-5 pool1"] = new(6, 28, 28, 2, 2, 2, 2, 0, 0),
    };

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string geometry in Geometries.Keys)
        {
            foreach (string width in KernelTestSupport.SupportedWidths())
            {
                data.Add(geometry, width, 1);
                data.Add(geometry, width, 37);
            }
        }

        return data;
    }

    public static TheoryData<string> Widths() => KernelTestSupport.SupportedWidths();

    [Theory]
    [MemberData(nameof(Cases))]
    public void MaxPool_ForwardAndBackward_MatchReferenceExactly(string geometry, string widthName, int batch)
    {
        PoolGeometry g = Geometries[geometry];
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach ((string what, float[] x) in Inputs(g, batch))
        {
            float[] dOut = KernelTestSupport.RandomFloats(g.OutputFeatures * batch, seed: 3);
            (float[] output, float[] dInput) = RunMax(g, x, dOut, batch, width);
            string context = $"{geometry}, {what}, at {widthName}, m = {batch}";
            AssertExactly(ConvReference.MaxPool(g, x, batch).Output, ConvReference.ToNchw(output, g.OutputFeatures, batch), $"{context}: output");
            AssertClose(
                ConvReference.MaxPoolBackward(g, x, dOut, batch), ConvReference.ToNchw(dInput, g.InputFeatures, batch),
                ConvReference.MaxPoolBackward(g, x, dOut.Select(Math.Abs).ToArray(), batch), $"{context}: dInput");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AvgPool_ForwardAndBackward_MatchReference(string geometry, string widthName, int batch)
    {
        PoolGeometry g = Geometries[geometry];
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] x = KernelTestSupport.RandomFloats(g.InputFeatures * batch, seed: 4);
        float[] dOut = KernelTestSupport.RandomFloats(g.OutputFeatures * batch, seed: 5);
        float[] output = Fresh(g.OutputFeatures * batch), dInput = Fresh(g.InputFeatures * batch);
        ConvKernels.AvgPoolForward(g, ConvReference.ToChwn(x, g.InputFeatures, batch), output, batch, width);
        ConvKernels.AvgPoolBackward(g, ConvReference.ToChwn(dOut, g.OutputFeatures, batch), dInput, batch, width);
        string context = $"{geometry} at {widthName}, m = {batch}";
        double window = g.KernelHeight * g.KernelWidth;
        double[] magnitude = ConvReference.AvgPool(g, x.Select(Math.Abs).ToArray(), batch);
        AssertClose(ConvReference.AvgPool(g, x, batch), ConvReference.ToNchw(output, g.OutputFeatures, batch), magnitude, $"{context}: output");
        double[] dMagnitude = ConvReference.AvgPoolBackward(g, dOut.Select(Math.Abs).ToArray(), batch);
        AssertClose(ConvReference.AvgPoolBackward(g, dOut, batch), ConvReference.ToNchw(dInput, g.InputFeatures, batch), dMagnitude, $"{context}: dInput");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void GlobalAvgPool_ForwardAndBackward_MatchReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach ((int channels, int positions, int batch) in new[] { (4, 30, 37), (3, 9, 1), (1, 1, 16), (5, 49, 19) })
        {
            float[] x = KernelTestSupport.RandomFloats(channels * positions * batch, seed: 6);
            float[] dOut = KernelTestSupport.RandomFloats(channels * batch, seed: 7);
            float[] output = Fresh(channels * batch), dInput = Fresh(channels * positions * batch);
            ConvKernels.GlobalAvgPoolForward(channels, positions, ConvReference.ToChwn(x, channels * positions, batch), output, batch, width);
            ConvKernels.GlobalAvgPoolBackward(channels, positions, ConvReference.ToChwn(dOut, channels, batch), dInput, batch, width);
            string context = $"C {channels}, P {positions} at {widthName}, m = {batch}";
            AssertClose(
                ConvReference.GlobalAvgPool(channels, positions, x, batch), ConvReference.ToNchw(output, channels, batch),
                ConvReference.GlobalAvgPool(channels, positions, x.Select(Math.Abs).ToArray(), batch), $"{context}: output");
            double[] expected = ConvReference.GlobalAvgPoolBackward(channels, positions, dOut, batch);
            AssertClose(expected, ConvReference.ToNchw(dInput, channels * positions, batch), expected.Select(Math.Abs).ToArray(), $"{context}: dInput");
        }
    }

    /// <summary>Each lane does the scalar arithmetic, so every width (and the scalar loop) gives the same bits; so do shifted buffers.</summary>
    [Theory]
    [InlineData("3x3 stride 2 pad 1")]
    [InlineData("1-D 4 stride 1 pad 2")]
    public void Pools_EveryWidthAndShiftedBuffers_SameBits(string geometry)
    {
        PoolGeometry g = Geometries[geometry];
        const int M = 53;
        float[] x = ConvReference.ToChwn(KernelTestSupport.RandomFloats(g.InputFeatures * M, seed: 8), g.InputFeatures, M);
        float[] dOut = KernelTestSupport.RandomFloats(g.OutputFeatures * M, seed: 9);
        float[][] baseline = Run(SimdWidth.Scalar, shift: 0);
        foreach ((SimdWidth width, int shift) in new[] { (SimdWidth.V128, 1), (SimdWidth.V256, 3), (SimdWidth.V512, 5), (SimdWidth.Auto, 16) })
        {
            float[][] other = Run(width, shift);
            for (int i = 0; i < baseline.Length; i++)
            {
                ConvKernelsTests.AssertSameBits(baseline[i], other[i], $"{geometry}: result {i} at {width}, buffers shifted by {shift}");
            }
        }

        float[][] Run(SimdWidth width, int shift)
        {
            Span<float> input = Shifted(x, shift), delta = Shifted(dOut, shift);
            Span<float> maxOut = Shifted(new float[dOut.Length], shift), avgOut = Shifted(new float[dOut.Length], shift);
            Span<float> maxIn = Shifted(new float[x.Length], shift), avgIn = Shifted(new float[x.Length], shift);
            Span<float> globalOut = Shifted(new float[g.Channels * M], shift), globalIn = Shifted(new float[x.Length], shift);
            ConvKernels.MaxPoolForward(g, input, maxOut, M, width);
            ConvKernels.MaxPoolBackward(g, input, delta, maxIn, M, width);
            ConvKernels.AvgPoolForward(g, input, avgOut, M, width);
            ConvKernels.AvgPoolBackward(g, delta, avgIn, M, width);
            ConvKernels.GlobalAvgPoolForward(g.Channels, g.InHeight * g.InWidth, input, globalOut, M, width);
            ConvKernels.GlobalAvgPoolBackward(g.Channels, g.InHeight * g.InWidth, globalOut, globalIn, M, width);
            return [maxOut.ToArray(), maxIn.ToArray(), avgOut.ToArray(), avgIn.ToArray(), globalOut.ToArray(), globalIn.ToArray()];
        }
    }

    /// <summary>
    /// Max-pool backward shares its channels over threads from 64K input floats: 1, 2, 3 and 4 threads at every width
    /// give the single-threaded scalar bits, for disjoint windows that cover the input, disjoint windows that leave
    /// inputs out (which must come back zero from a buffer of garbage), and overlapping windows (whose gradients add up).
    /// </summary>
    [Theory]
    [InlineData("LeNet-5 pool1", 37)]
    [InlineData("2x2 on 5x7, last row and column in no window", 700)]
    [InlineData("stride 3 > window 2", 600)]
    [InlineData("3x3 stride 2 pad 1", 600)]
    public void MaxPoolBackward_ParallelSized_AnyThreadCountAndWidth_SameBits(string geometry, int batch)
    {
        PoolGeometry g = Geometries[geometry];
        Assert.True((long)g.InputFeatures * batch >= 1 << 16, $"{geometry} at m = {batch} is too small to be shared.");
        var random = new Random(12);

        // Small integers: ties in most windows, so the first maximum has to be the one picked on every thread.
        float[] x = Enumerable.Range(0, g.InputFeatures * batch).Select(_ => (float)random.Next(-2, 3)).ToArray();
        float[] dOut = KernelTestSupport.RandomFloats(g.OutputFeatures * batch, seed: 13);
        float[] expected = Run(SimdWidth.Scalar, 1);
        AssertClose(
            ConvReference.MaxPoolBackward(g, ConvReference.ToNchw(x, g.InputFeatures, batch), ConvReference.ToNchw(dOut, g.OutputFeatures, batch), batch),
            ConvReference.ToNchw(expected, g.InputFeatures, batch),
            ConvReference.MaxPoolBackward(g, ConvReference.ToNchw(x, g.InputFeatures, batch), ConvReference.ToNchw(dOut, g.OutputFeatures, batch).Select(Math.Abs).ToArray(), batch),
            $"{geometry}, m = {batch}: dInput on one thread");
        foreach (string width in KernelTestSupport.SupportedWidths())
        {
            foreach (int degree in new[] { 1, 2, 3, 4 })
            {
                ConvKernelsTests.AssertSameBits(expected, Run(KernelTestSupport.ParseWidth(width), degree), $"{geometry}, m = {batch}: dInput at {width} on {degree} threads");
            }
        }

        float[] Run(SimdWidth width, int degree)
        {
            float[] dInput = Fresh(x.Length);
            using (KernelParallelism.Override(degree))
            {
                ConvKernels.MaxPoolBackward(g, x, dOut, dInput, batch, width);
            }

            return dInput;
        }
    }

    [Fact]
    public void Pools_AfterWarmUp_AllocateNothing()
    {
        PoolGeometry g = Geometries["3x3 stride 2 pad 1"];
        PoolGeometry shared = Geometries["LeNet-5 pool1"];
        const int M = 128;
        float[] x = KernelTestSupport.RandomFloats(g.InputFeatures * M, seed: 10), dOut = KernelTestSupport.RandomFloats(g.OutputFeatures * M, seed: 11);
        float[] output = new float[dOut.Length], dInput = new float[x.Length], pooled = new float[g.Channels * M];
        float[] sharedX = KernelTestSupport.RandomFloats(shared.InputFeatures * M, seed: 14), sharedDOut = new float[shared.OutputFeatures * M];
        float[] sharedDInput = new float[sharedX.Length];
        AllocationAssert.NoAllocation(
            () =>
            {
                ConvKernels.MaxPoolForward(g, x, output, M);
                ConvKernels.MaxPoolBackward(g, x, dOut, dInput, M);
                ConvKernels.MaxPoolBackward(shared, sharedX, sharedDOut, sharedDInput, M);
                ConvKernels.AvgPoolForward(g, x, output, M);
                ConvKernels.AvgPoolBackward(g, dOut, dInput, M);
                ConvKernels.GlobalAvgPoolForward(g.Channels, g.InHeight * g.InWidth, x, pooled, M);
                ConvKernels.GlobalAvgPoolBackward(g.Channels, g.InHeight * g.InWidth, pooled, dInput, M);
            },
            calls: 3,
            "every pooling kernel at m = 128, and max-pool backward shared over threads");
    }

    [Fact]
    public void Pools_WrongLengths_NameSpanExpectedAndActual()
    {
        PoolGeometry g = Geometries["2x2"];
        const int M = 2;
        float[] x = new float[g.InputFeatures * M], z = new float[g.OutputFeatures * M];
        string input = $"{x.Length} (C·H·W {g.InputFeatures} x batch 2)", output = $"{z.Length} (C·Ho·Wo {g.OutputFeatures} x batch 2)";
        ConvKernelsTests.AssertNames("input", x.Length - 1, input, () => ConvKernels.MaxPoolForward(g, x.AsSpan(1), z, M));
        ConvKernelsTests.AssertNames("output", z.Length + 1, output, () => ConvKernels.MaxPoolForward(g, x, new float[z.Length + 1], M));
        ConvKernelsTests.AssertNames("input", 3, input, () => ConvKernels.MaxPoolBackward(g, new float[3], z, x.ToArray(), M));
        ConvKernelsTests.AssertNames("deltaOut", z.Length - 1, output, () => ConvKernels.MaxPoolBackward(g, x, z.AsSpan(1), new float[x.Length], M));
        ConvKernelsTests.AssertNames("dInput", x.Length - 2, input, () => ConvKernels.MaxPoolBackward(g, x, z, new float[x.Length - 2], M));
        ConvKernelsTests.AssertNames("input", 0, input, () => ConvKernels.AvgPoolForward(g, [], z, M));
        ConvKernelsTests.AssertNames("dInput", x.Length + 1, input, () => ConvKernels.AvgPoolBackward(g, z, new float[x.Length + 1], M));
        ConvKernelsTests.AssertNames("output", 5, "6 (C 3 x batch 2)", () => ConvKernels.GlobalAvgPoolForward(3, 4, new float[24], new float[5], M));
        ConvKernelsTests.AssertNames("dInput", 23, "24 (C·P 12 x batch 2)", () => ConvKernels.GlobalAvgPoolBackward(3, 4, new float[6], new float[23], M));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvKernels.GlobalAvgPoolForward(3, 0, [], new float[6], M));
        var overlap = Assert.Throws<ArgumentException>(() => ConvKernels.AvgPoolForward(g, x, x.AsSpan(0, z.Length), M));
        Assert.StartsWith("ConvKernels.AvgPoolForward: output overlaps input", overlap.Message, StringComparison.Ordinal);
    }

    /// <summary>Random values; small integers (ties in almost every window); values with NaNs, one or several per window; all −∞.</summary>
    private static IEnumerable<(string What, float[] X)> Inputs(PoolGeometry g, int batch)
    {
        int count = g.InputFeatures * batch;
        yield return ("random values", KernelTestSupport.RandomFloats(count, seed: 1));
        var random = new Random(2);
        yield return ("ties", Enumerable.Range(0, count).Select(_ => (float)random.Next(-1, 2)).ToArray());
        yield return ("NaNs", Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.2 ? float.NaN : (float)random.NextDouble()).ToArray());
        yield return ("all -infinity", Enumerable.Repeat(float.NegativeInfinity, count).ToArray());
    }

    private static (float[] Output, float[] DInput) RunMax(PoolGeometry g, float[] xNchw, float[] dOutNchw, int batch, SimdWidth width)
    {
        float[] x = ConvReference.ToChwn(xNchw, g.InputFeatures, batch);
        float[] output = Fresh(g.OutputFeatures * batch), dInput = Fresh(g.InputFeatures * batch);
        ConvKernels.MaxPoolForward(g, x, output, batch, width);
        ConvKernels.MaxPoolBackward(g, x, ConvReference.ToChwn(dOutNchw, g.OutputFeatures, batch), dInput, batch, width);
        return (output, dInput);
    }

    /// <summary>A buffer full of garbage the kernel must overwrite.</summary>
    private static float[] Fresh(int length) => Enumerable.Repeat(12345f, length).ToArray();

    private static Span<float> Shifted(float[] values, int shift)
    {
        var buffer = new float[values.Length + shift];
        values.CopyTo(buffer, shift);
        return buffer.AsSpan(shift);
    }

    private static void AssertExactly(double[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float rounded = (float)expected[i];
            if (!(rounded.Equals(actual[i]) || (float.IsNaN(rounded) && float.IsNaN(actual[i]))))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]:R}, expected {rounded:R}.");
            }
        }
    }

    private static void AssertClose(double[] expected, float[] actual, double[] magnitude, string context) =>
        KernelTestSupport.AssertClose(actual, expected, magnitude, relative: 1e-6, absolute: 1e-7, context);
}
