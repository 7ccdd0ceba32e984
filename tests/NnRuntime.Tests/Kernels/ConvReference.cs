using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Double-precision convolution and pooling written straight from the definitions over NCHW data (one example per row,
/// as PyTorch holds it): direct loops over every output and kernel tap, no im2col, no CHWN, nothing shared with the
/// kernels but the geometry's sizes. Each result comes with the magnitude its float rounding is relative to (Σ|terms|).
/// </summary>
internal static class ConvReference
{
    /// <summary>Z[j, co, oy, ox] = b[co] + Σ W[co, ci, ky, kx]·X[j, group's ci, y, x] over the taps inside the input.</summary>
    public static (double[] Z, double[] Magnitude) ConvForward(in ConvGeometry g, float[] x, float[] w, float[] b, int m)
    {
        var z = new double[m * g.OutputFeatures];
        var magnitude = new double[z.Length];
        int groupIn = g.InChannels / g.Groups, groupOut = g.OutChannels / g.Groups;
        for (int j = 0; j < m; j++)
        {
            for (int co = 0; co < g.OutChannels; co++)
            {
                int group = co / groupOut;
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double sum = b[co], abs = Math.Abs(b[co]);
                        for (int ci = 0; ci < groupIn; ci++)
                        {
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                            {
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int y = (oy * g.StrideHeight) + (ky * g.DilationHeight) - g.PadTop;
                                    int xx = (ox * g.StrideWidth) + (kx * g.DilationWidth) - g.PadLeft;
                                    if (y < 0 || y >= g.InHeight || xx < 0 || xx >= g.InWidth)
                                    {
                                        continue;
                                    }

                                    double term = (double)w[WeightIndex(g, co, ci, ky, kx)] * x[InputIndex(g, j, (group * groupIn) + ci, y, xx)];
                                    sum += term;
                                    abs += Math.Abs(term);
                                }
                            }
                        }

                        int index = (((j * g.OutChannels) + co) * g.OutHeight + oy) * g.OutWidth + ox;
                        z[index] = sum;
                        magnitude[index] = abs;
                    }
                }
            }
        }

        return (z, magnitude);
    }

    /// <summary>The gradients of Σ dZ·Z: dW and db scaled by <paramref name="scale"/>, dX unscaled, each with its magnitude.</summary>
    public static ConvGradients ConvBackward(in ConvGeometry g, float[] x, float[] w, float[] dz, int m, float scale)
    {
        var result = new ConvGradients(g.WeightCount, g.OutChannels, m * g.InputFeatures);
        int groupIn = g.InChannels / g.Groups, groupOut = g.OutChannels / g.Groups;
        for (int j = 0; j < m; j++)
        {
            for (int co = 0; co < g.OutChannels; co++)
            {
                int group = co / groupOut;
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double delta = dz[(((j * g.OutChannels) + co) * g.OutHeight + oy) * g.OutWidth + ox];
                        result.DBias[co] += delta;
                        result.DBiasMagnitude[co] += Math.Abs(delta);
                        for (int ci = 0; ci < groupIn; ci++)
                        {
                            for (int ky = 0; ky < g.KernelHeight; ky++)
                            {
                                for (int kx = 0; kx < g.KernelWidth; kx++)
                                {
                                    int y = (oy * g.StrideHeight) + (ky * g.DilationHeight) - g.PadTop;
                                    int xx = (ox * g.StrideWidth) + (kx * g.DilationWidth) - g.PadLeft;
                                    if (y < 0 || y >= g.InHeight || xx < 0 || xx >= g.InWidth)
                                    {
                                        continue;
                                    }

                                    int wi = WeightIndex(g, co, ci, ky, kx), xi = InputIndex(g, j, (group * groupIn) + ci, y, xx);
                                    result.DWeight[wi] += delta * x[xi];
                                    result.DWeightMagnitude[wi] += Math.Abs(delta * x[xi]);
                                    result.DInput[xi] += delta * w[wi];
                                    result.DInputMagnitude[xi] += Math.Abs(delta * w[wi]);
                                }
                            }
                        }
                    }
                }
            }
        }

        Scale(result.DWeight, scale);
        Scale(result.DWeightMagnitude, Math.Abs(scale));
        Scale(result.DBias, scale);
        Scale(result.DBiasMagnitude, Math.Abs(scale));
        return result;
    }

    /// <summary>PyTorch's max pool: −∞ padding, a later tap replaces the maximum when greater or NaN; also the chosen input per output.</summary>
    public static (double[] Output, int[] Chosen) MaxPool(in PoolGeometry g, float[] x, int m)
    {
        var output = new double[m * g.OutputFeatures];
        var chosen = new int[output.Length];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        double best = double.NegativeInfinity;
                        int at = -1;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int y = (oy * g.StrideHeight) + ky - g.PadHeight, xx = (ox * g.StrideWidth) + kx - g.PadWidth;
                                if (y < 0 || y >= g.InHeight || xx < 0 || xx >= g.InWidth)
                                {
                                    continue;
                                }

                                int index = (((j * g.Channels) + c) * g.InHeight + y) * g.InWidth + xx;
                                at = at < 0 ? index : at;
                                if (x[index] > best || float.IsNaN(x[index]))
                                {
                                    best = x[index];
                                    at = index;
                                }
                            }
                        }

                        int o = (((j * g.Channels) + c) * g.OutHeight + oy) * g.OutWidth + ox;
                        output[o] = best;
                        chosen[o] = at;
                    }
                }
            }
        }

        return (output, chosen);
    }

    /// <summary>The max pool's input gradient: each output's gradient added to the input it chose.</summary>
    public static double[] MaxPoolBackward(in PoolGeometry g, float[] x, float[] deltaOut, int m)
    {
        int[] chosen = MaxPool(g, x, m).Chosen;
        var dx = new double[m * g.InputFeatures];
        for (int o = 0; o < chosen.Length; o++)
        {
            dx[chosen[o]] += deltaOut[o];
        }

        return dx;
    }

    /// <summary>The average over kh·kw taps, the padding counting as zeros (count_include_pad=True).</summary>
    public static double[] AvgPool(in PoolGeometry g, float[] x, int m)
    {
        var output = new double[m * g.OutputFeatures];
        ForEachTap(g, m, (o, i) => output[o] += x[i]);
        for (int o = 0; o < output.Length; o++)
        {
            output[o] /= g.KernelHeight * g.KernelWidth;
        }

        return output;
    }

    /// <summary>The average pool's input gradient.</summary>
    public static double[] AvgPoolBackward(in PoolGeometry g, float[] deltaOut, int m)
    {
        var dx = new double[m * g.InputFeatures];
        double size = g.KernelHeight * g.KernelWidth;
        ForEachTap(g, m, (o, i) => dx[i] += deltaOut[o] / size);
        return dx;
    }

    /// <summary>The mean of each channel over its positions.</summary>
    public static double[] GlobalAvgPool(int channels, int positions, float[] x, int m)
    {
        var output = new double[m * channels];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int p = 0; p < positions; p++)
                {
                    sum += x[(((j * channels) + c) * positions) + p];
                }

                output[(j * channels) + c] = sum / positions;
            }
        }

        return output;
    }

    /// <summary>Each position's share of its channel's gradient.</summary>
    public static double[] GlobalAvgPoolBackward(int channels, int positions, float[] deltaOut, int m)
    {
        var dx = new double[m * channels * positions];
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = (double)deltaOut[i / positions] / positions;
        }

        return dx;
    }

    /// <summary>NCHW (m rows of features) to the kernels' CHWN (features rows of m).</summary>
    public static T[] ToChwn<T>(T[] nchw, int features, int m)
    {
        var chwn = new T[nchw.Length];
        for (int j = 0; j < m; j++)
        {
            for (int f = 0; f < features; f++)
            {
                chwn[(f * m) + j] = nchw[(j * features) + f];
            }
        }

        return chwn;
    }

    /// <summary>CHWN back to NCHW.</summary>
    public static T[] ToNchw<T>(T[] chwn, int features, int m)
    {
        var nchw = new T[chwn.Length];
        for (int j = 0; j < m; j++)
        {
            for (int f = 0; f < features; f++)
            {
                nchw[(j * features) + f] = chwn[(f * m) + j];
            }
        }

        return nchw;
    }

    private static void ForEachTap(in PoolGeometry g, int m, Action<int, int> visit)
    {
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutWidth; ox++)
                    {
                        int o = (((j * g.Channels) + c) * g.OutHeight + oy) * g.OutWidth + ox;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int y = (oy * g.StrideHeight) + ky - g.PadHeight, xx = (ox * g.StrideWidth) + kx - g.PadWidth;
                                if (y >= 0 && y < g.InHeight && xx >= 0 && xx < g.InWidth)
                                {
                                    visit(o, (((j * g.Channels) + c) * g.InHeight + y) * g.InWidth + xx);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int WeightIndex(in ConvGeometry g, int co, int ci, int ky, int kx) =>
        (((co * (g.InChannels / g.Groups)) + ci) * g.KernelHeight + ky) * g.KernelWidth + kx;

    private static int InputIndex(in ConvGeometry g, int j, int c, int y, int x) =>
        (((j * g.InChannels) + c) * g.InHeight + y) * g.InWidth + x;

    private static void Scale(double[] values, double scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= scale;
        }
    }
}

/// <summary>The reference's gradients, NCHW, each with the Σ|terms| it is accurate relative to.</summary>
internal sealed class ConvGradients(int weights, int biases, int inputs)
{
    public double[] DWeight { get; } = new double[weights];

    public double[] DWeightMagnitude { get; } = new double[weights];

    public double[] DBias { get; } = new double[biases];

    public double[] DBiasMagnitude { get; } = new double[biases];

    public double[] DInput { get; } = new double[inputs];

    public double[] DInputMagnitude { get; } = new double[inputs];
}
