using System;
using System.Globalization;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>Shared data, widths and the independent double-precision references for the kernel tests.</summary>
public static class KernelTestSupport
{
    /// <summary>Every width this CPU accelerates (a width it lacks would only test the software emulation).</summary>
    public static TheoryData<string> SupportedWidths()
    {
        var data = new TheoryData<string>();
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto })
        {
            if (SimdWidths.IsAccelerated(width))
            {
                data.Add(width.ToString());
            }
        }

        return data;
    }

    /// <summary>
    /// Every supported width with each register-tile shape: the products' shape follows the CPU's register file, and
    /// both must be right on any machine, so the tests force each in turn.
    /// </summary>
    public static TheoryData<string, string> SupportedWidthsAndTileShapes()
    {
        var data = new TheoryData<string, string>();
        foreach (string width in SupportedWidths())
        {
            foreach (TileShape shape in Enum.GetValues<TileShape>())
            {
                data.Add(width, shape.ToString());
            }
        }

        return data;
    }

    internal static SimdWidth ParseWidth(string name) => Enum.Parse<SimdWidth>(name);

    /// <summary>Runs the products this thread starts with the named tile shape until disposed.</summary>
    internal static TileShapes.Scope ForceTileShape(string name) => TileShapes.Force(Enum.Parse<TileShape>(name));

    /// <summary>Uniform in [-1, 1), reproducible.</summary>
    public static float[] RandomFloats(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = scale * ((2f * random.NextSingle()) - 1f);
        }

        return values;
    }

    /// <summary>
    /// C = alpha · A · B in double, with A(i, p) = a[i·aRowStride + p·aDepthStride] and
    /// B(p, j) = b[p·bDepthStride + j·bColStride], so one loop serves NN, NT and TN. Also returns, per element,
    /// |alpha| · Σ_p |A(i, p)|·|B(p, j)|, the scale that float rounding error is relative to.
    /// </summary>
    internal static (double[] Product, double[] Magnitude) ReferenceProduct(
        ReadOnlySpan<float> a, int aRowStride, int aDepthStride, ReadOnlySpan<float> b, int bDepthStride, int bColStride,
        int m, int k, int n, float alpha)
    {
        var product = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[(i * aRowStride) + (p * aDepthStride)] * b[(p * bDepthStride) + (j * bColStride)];
                    sum += term;
                    abs += Math.Abs(term);
                }

                product[(i * n) + j] = alpha * sum;
                magnitude[(i * n) + j] = Math.Abs(alpha) * abs;
            }
        }

        return (product, magnitude);
    }

    /// <summary>Fails on the first element with |actual - expected| &gt; relative · magnitude + absolute.</summary>
    internal static void AssertClose(
        ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude, double relative, double absolute, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = (relative * magnitude[i]) + absolute;
            if (!(error <= allowed))
            {
                Assert.Fail(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E3}, allowed {allowed:E3})."));
            }
        }
    }

    /// <summary>Fails on the first element of a row-major (·, <paramref name="columns"/>) matrix whose bits differ, naming its row and column.</summary>
    internal static void AssertBitIdentical(float[] expected, float[] actual, int columns, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int index = 0; index < expected.Length; index++)
        {
            if (BitConverter.SingleToInt32Bits(expected[index]) != BitConverter.SingleToInt32Bits(actual[index]))
            {
                Assert.Fail(
                    $"{what}: element [{index / columns}, {index % columns}] (index {index}) is {actual[index]:R} " +
                    $"(0x{BitConverter.SingleToInt32Bits(actual[index]):X8}), expected {expected[index]:R} (0x{BitConverter.SingleToInt32Bits(expected[index]):X8})");
            }
        }
    }

    /// <summary>Every float after <paramref name="start"/> must still be the sentinel: kernels write only their output.</summary>
    internal static void AssertUntouched(ReadOnlySpan<float> buffer, int start, float sentinel, string context)
    {
        for (int i = start; i < buffer.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(buffer[i]) != BitConverter.SingleToInt32Bits(sentinel))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{context}: wrote {buffer[i]:R} past the output at index {i}."));
            }
        }
    }
}
