using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

public enum RecurrentKind
{
    Lstm,
    Gru,
}

/// <summary>
/// One recurrent layer's parameters, a time-major batch of sequences and the states it starts from, with the calls that
/// run the runtime kernels on it; float data, seeded.
/// </summary>
public sealed class RecurrentCase
{
    public RecurrentCase(RecurrentKind kind, int inputs, int units, int steps, int batch, int seed, float weightScale = 0f)
    {
        Kind = kind;
        Inputs = inputs;
        Units = units;
        Steps = steps;
        Batch = batch;
        int gh = Gates * units;

        // PyTorch's U(-1/√H, 1/√H) unless told otherwise.
        float scale = weightScale > 0 ? weightScale : 1f / MathF.Sqrt(units);
        WIh = KernelTestSupport.RandomFloats(gh * inputs, seed, scale);
        WHh = KernelTestSupport.RandomFloats(gh * units, seed + 1, scale);
        BIh = KernelTestSupport.RandomFloats(gh, seed + 2, scale);
        BHh = KernelTestSupport.RandomFloats(gh, seed + 3, scale);
        X = KernelTestSupport.RandomFloats(steps * batch * inputs, seed + 4, 1.5f);
        H0 = KernelTestSupport.RandomFloats(batch * units, seed + 5, 0.5f);
        C0 = kind == RecurrentKind.Lstm ? KernelTestSupport.RandomFloats(batch * units, seed + 6, 0.5f) : [];
        Dhs = KernelTestSupport.RandomFloats(steps * batch * units, seed + 7);
    }

    public RecurrentKind Kind { get; }

    public int Inputs { get; }

    public int Units { get; }

    public int Steps { get; }

    public int Batch { get; }

    public int Gates => Kind == RecurrentKind.Lstm ? RecurrentKernels.LstmGateCount : RecurrentKernels.GruGateCount;

    public float[] WIh { get; }

    public float[] WHh { get; }

    public float[] BIh { get; }

    public float[] BHh { get; }

    /// <summary>(T, m, I).</summary>
    public float[] X { get; }

    public float[] H0 { get; }

    /// <summary>Empty for a GRU.</summary>
    public float[] C0 { get; }

    /// <summary>∂J/∂h_t for a loss J = Σ hs∘Dhs, (T, m, H).</summary>
    public float[] Dhs { get; }

    /// <summary>The layer packed as a frozen network holds it (<c>RecurrentKernels.PackLstm</c>/<c>PackGru</c>).</summary>
    public float[] Packed()
    {
        float[] packed;
        if (Kind == RecurrentKind.Lstm)
        {
            packed = new float[RecurrentKernels.LstmPackedLength(Inputs, Units)];
            RecurrentKernels.PackLstm(WIh, WHh, BIh, BHh, packed, Inputs, Units);
        }
        else
        {
            packed = new float[RecurrentKernels.GruPackedLength(Inputs, Units)];
            RecurrentKernels.PackGru(WIh, WHh, BIh, BHh, packed, Inputs, Units);
        }

        return packed;
    }

    public override string ToString() => $"{Kind} I={Inputs} H={Units} T={Steps} m={Batch}";

    /// <summary>Inference: hs, then the final h and c (c empty for a GRU).</summary>
    internal (float[] Hs, float[] H, float[] C) Forward(SimdWidth width)
    {
        float[] h = (float[])H0.Clone(), c = (float[])C0.Clone();
        var hs = new float[Steps * Batch * Units];
        if (Kind == RecurrentKind.Lstm)
        {
            RecurrentKernels.LstmForward(WIh, WHh, BIh, BHh, X, Steps, Batch, Inputs, Units, h, c, hs, new float[RecurrentKernels.LstmForwardScratch(Steps, Batch, Units)], width);
        }
        else
        {
            RecurrentKernels.GruForward(WIh, WHh, BIh, BHh, X, Steps, Batch, Inputs, Units, h, hs, new float[RecurrentKernels.GruForwardScratch(Steps, Batch, Units)], width);
        }

        return (hs, h, c);
    }

    /// <summary>The training forward pass: hs, the final states and the cache.</summary>
    internal (float[] Hs, float[] H, float[] C, float[] Cache) ForwardTraining(SimdWidth width)
    {
        float[] h = (float[])H0.Clone(), c = (float[])C0.Clone();
        var hs = new float[Steps * Batch * Units];
        float[] cache;
        if (Kind == RecurrentKind.Lstm)
        {
            cache = new float[RecurrentKernels.LstmCacheLength(Steps, Batch, Units)];
            RecurrentKernels.LstmForwardTraining(WIh, WHh, BIh, BHh, X, Steps, Batch, Inputs, Units, h, c, hs, cache, width);
        }
        else
        {
            cache = new float[RecurrentKernels.GruCacheLength(Steps, Batch, Units)];
            RecurrentKernels.GruForwardTraining(WIh, WHh, BIh, BHh, X, Steps, Batch, Inputs, Units, h, hs, cache, width);
        }

        return (hs, h, c, cache);
    }

    /// <summary>The gradients of J = Σ hs∘Dhs: training forward, then backward into zeroed gradients.</summary>
    internal RecurrentGradients<float> Backward(SimdWidth width)
    {
        (float[] hs, _, _, float[] cache) = ForwardTraining(width);
        int gh = Gates * Units;
        var gradients = new RecurrentGradients<float>(new float[gh * Inputs], new float[gh * Units], new float[gh], new float[gh], new float[X.Length]);
        Backward(hs, cache, gradients, width);
        return gradients;
    }

    /// <summary>One backward call adding into <paramref name="gradients"/>.</summary>
    internal void Backward(float[] hs, float[] cache, RecurrentGradients<float> gradients, SimdWidth width)
    {
        if (Kind == RecurrentKind.Lstm)
        {
            var scratch = new float[RecurrentKernels.LstmBackwardScratch(Steps, Batch, Inputs, Units)];
            RecurrentKernels.LstmBackward(
                WIh, WHh, BIh, BHh, X, H0, C0, hs, cache, Dhs, Steps, Batch, Inputs, Units,
                gradients.WIh, gradients.WHh, gradients.BIh, gradients.BHh, gradients.X, scratch, width);
        }
        else
        {
            var scratch = new float[RecurrentKernels.GruBackwardScratch(Steps, Batch, Inputs, Units)];
            RecurrentKernels.GruBackward(
                WIh, WHh, BIh, BHh, X, H0, hs, cache, Dhs, Steps, Batch, Inputs, Units,
                gradients.WIh, gradients.WHh, gradients.BIh, gradients.BHh, gradients.X, scratch, width);
        }
    }

    /// <summary>Sequence <paramref name="e"/> streamed one step at a time: every step's h, then the final h and c.</summary>
    internal (float[] Hs, float[] H, float[] C) Stream(int e, SimdWidth width)
    {
        float[] h = H0.AsSpan(e * Units, Units).ToArray();
        float[] c = Kind == RecurrentKind.Lstm ? C0.AsSpan(e * Units, Units).ToArray() : [];
        var hs = new float[Steps * Units];
        var scratch = new float[Kind == RecurrentKind.Lstm ? RecurrentKernels.LstmStepScratch(Units) : RecurrentKernels.GruStepScratch(Units)];
        for (int t = 0; t < Steps; t++)
        {
            ReadOnlySpan<float> x = X.AsSpan(((t * Batch) + e) * Inputs, Inputs);
            if (Kind == RecurrentKind.Lstm)
            {
                RecurrentKernels.LstmStep(WIh, WHh, BIh, BHh, x, h, c, scratch, Inputs, Units, width);
            }
            else
            {
                RecurrentKernels.GruStep(WIh, WHh, BIh, BHh, x, h, scratch, Inputs, Units, width);
            }

            h.CopyTo(hs, t * Units);
        }

        return (hs, h, c);
    }
}

/// <summary>∂J/∂(W_ih, W_hh, b_ih, b_hh, x).</summary>
public sealed record RecurrentGradients<T>(T[] WIh, T[] WHh, T[] BIh, T[] BHh, T[] X);

/// <summary>
/// The double-precision scalar reference: PyTorch's LSTM and GRU equations written out per unit, and backpropagation
/// through time by the chain rule per step, independent of the kernels' products and vector math. W_ih and W_hh are
/// indexed in the layout the layers store, transposed (W_ihᵀ (I × G·H), W_hhᵀ (H × G·H)), and so are their gradients.
/// </summary>
public static class RecurrentReference
{
    /// <summary>hs (T, m, H) and the final h, c for the case's float data, in double.</summary>
    public static (double[] Hs, double[] H, double[] C) Forward(RecurrentCase data)
    {
        Trace trace = Run(data, Parameters.Of(data), Array.ConvertAll(data.X, v => (double)v));
        return (trace.Hs, trace.FinalH, trace.FinalC);
    }

    /// <summary>J = Σ hs∘Dhs in double, for finite differences.</summary>
    public static double Loss(RecurrentCase data, Parameters parameters, double[] x)
    {
        double[] hs = Run(data, parameters, x).Hs;
        double loss = 0;
        for (int i = 0; i < hs.Length; i++)
        {
            loss += hs[i] * data.Dhs[i];
        }

        return loss;
    }

    /// <summary>∂J/∂(parameters, x) for J = Σ hs∘Dhs by backpropagation through time, truncated at h0 and c0.</summary>
    public static RecurrentGradients<double> Backward(RecurrentCase data) => Backward(data, Parameters.Of(data), Array.ConvertAll(data.X, v => (double)v));

    public static RecurrentGradients<double> Backward(RecurrentCase data, Parameters p, double[] x)
    {
        int inputs = data.Inputs, units = data.Units, gh = data.Gates * units, steps = data.Steps, batch = data.Batch;
        Trace trace = Run(data, p, x);
        var g = new RecurrentGradients<double>(new double[gh * inputs], new double[gh * units], new double[gh], new double[gh], new double[x.Length]);
        for (int e = 0; e < batch; e++)
        {
            var dhNext = new double[units];
            var dcNext = new double[units];
            for (int t = steps - 1; t >= 0; t--)
            {
                int row = (t * batch) + e;
                double[] hPrev = t == 0 ? Slice(trace.H0, e * units, units) : Slice(trace.Hs, (row - batch) * units, units);
                var dax = new double[gh];
                var dah = new double[gh];
                var dhPrevDirect = new double[units];
                for (int j = 0; j < units; j++)
                {
                    double dh = data.Dhs[(row * units) + j] + dhNext[j];
                    double[] s = trace.Gates[row];
                    if (data.Kind == RecurrentKind.Lstm)
                    {
                        double i = s[j], f = s[units + j], gg = s[(2 * units) + j], o = s[(3 * units) + j];
                        double c = trace.Cells[row][j];
                        double cPrev = t == 0 ? trace.C0[(e * units) + j] : trace.Cells[row - batch][j];
                        double tc = Math.Tanh(c);
                        double dc = dcNext[j] + (dh * o * (1 - (tc * tc)));
                        dax[j] = dc * gg * i * (1 - i);
                        dax[units + j] = dc * cPrev * f * (1 - f);
                        dax[(2 * units) + j] = dc * i * (1 - (gg * gg));
                        dax[(3 * units) + j] = dh * tc * o * (1 - o);
                        dcNext[j] = dc * f;
                    }
                    else
                    {
                        double r = s[j], z = s[units + j], n = s[(2 * units) + j], hn = trace.Cells[row][j];
                        double dn = dh * (1 - z) * (1 - (n * n));
                        double dz = dh * (hPrev[j] - n) * z * (1 - z);
                        double dr = dn * hn * r * (1 - r);
                        dax[j] = dr;
                        dax[units + j] = dz;
                        dax[(2 * units) + j] = dn;
                        dhPrevDirect[j] = dh * z;
                    }
                }

                for (int k = 0; k < gh; k++)
                {
                    // The hidden side equals the input side but for the GRU's n, which the reset gate scales.
                    dah[k] = data.Kind == RecurrentKind.Gru && k >= 2 * units ? dax[k] * trace.Gates[row][k - (2 * units)] : dax[k];
                }

                for (int k = 0; k < gh; k++)
                {
                    g.BIh[k] += dax[k];
                    g.BHh[k] += dah[k];
                    for (int q = 0; q < inputs; q++)
                    {
                        g.WIh[(q * gh) + k] += dax[k] * x[(row * inputs) + q];
                        g.X[(row * inputs) + q] += dax[k] * p.WIh[(q * gh) + k];
                    }

                    for (int q = 0; q < units; q++)
                    {
                        g.WHh[(q * gh) + k] += dah[k] * hPrev[q];
                    }
                }

                for (int q = 0; q < units; q++)
                {
                    double sum = dhPrevDirect[q];
                    for (int k = 0; k < gh; k++)
                    {
                        sum += dah[k] * p.WHh[(q * gh) + k];
                    }

                    dhNext[q] = sum;
                }
            }
        }

        return g;
    }

    private static double[] Slice(double[] source, int start, int length) => source.AsSpan(start, length).ToArray();

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static Trace Run(RecurrentCase data, Parameters p, double[] x)
    {
        int inputs = data.Inputs, units = data.Units, gh = data.Gates * units, steps = data.Steps, batch = data.Batch;
        var trace = new Trace(steps * batch, units, batch, data.Kind == RecurrentKind.Lstm)
        {
            H0 = Array.ConvertAll(data.H0, v => (double)v),
            C0 = Array.ConvertAll(data.C0, v => (double)v),
        };
        trace.H0.CopyTo(trace.FinalH, 0);
        trace.C0.CopyTo(trace.FinalC, 0);
        for (int t = 0; t < steps; t++)
        {
            for (int e = 0; e < batch; e++)
            {
                int row = (t * batch) + e;
                double[] h = Slice(trace.FinalH, e * units, units);
                var ax = new double[gh];
                var ah = new double[gh];
                for (int k = 0; k < gh; k++)
                {
                    ax[k] = p.BIh[k];
                    for (int q = 0; q < inputs; q++)
                    {
                        ax[k] += p.WIh[(q * gh) + k] * x[(row * inputs) + q];
                    }

                    ah[k] = p.BHh[k];
                    for (int q = 0; q < units; q++)
                    {
                        ah[k] += p.WHh[(q * gh) + k] * h[q];
                    }
                }

                var gates = new double[gh];
                var cells = new double[units];
                for (int j = 0; j < units; j++)
                {
                    double hNext;
                    if (data.Kind == RecurrentKind.Lstm)
                    {
                        double i = Sigmoid(ax[j] + ah[j]);
                        double f = Sigmoid(ax[units + j] + ah[units + j]);
                        double g = Math.Tanh(ax[(2 * units) + j] + ah[(2 * units) + j]);
                        double o = Sigmoid(ax[(3 * units) + j] + ah[(3 * units) + j]);
                        double c = (f * trace.FinalC[(e * units) + j]) + (i * g);
                        hNext = o * Math.Tanh(c);
                        (gates[j], gates[units + j], gates[(2 * units) + j], gates[(3 * units) + j]) = (i, f, g, o);
                        cells[j] = c;
                        trace.FinalC[(e * units) + j] = c;
                    }
                    else
                    {
                        double r = Sigmoid(ax[j] + ah[j]);
                        double z = Sigmoid(ax[units + j] + ah[units + j]);
                        double hn = ah[(2 * units) + j];
                        double n = Math.Tanh(ax[(2 * units) + j] + (r * hn));
                        hNext = ((1 - z) * n) + (z * h[j]);
                        (gates[j], gates[units + j], gates[(2 * units) + j]) = (r, z, n);
                        cells[j] = hn;
                    }

                    trace.Hs[(row * units) + j] = hNext;
                    trace.FinalH[(e * units) + j] = hNext;
                }

                trace.Gates[row] = gates;
                trace.Cells[row] = cells;
            }
        }

        return trace;
    }

    /// <summary>The parameters in double, so finite differences can move one of them.</summary>
    public sealed record Parameters(double[] WIh, double[] WHh, double[] BIh, double[] BHh)
    {
        public static Parameters Of(RecurrentCase data) => new(
            Array.ConvertAll(data.WIh, v => (double)v),
            Array.ConvertAll(data.WHh, v => (double)v),
            Array.ConvertAll(data.BIh, v => (double)v),
            Array.ConvertAll(data.BHh, v => (double)v));
    }

    /// <summary>Everything the forward pass computed: per row (t, e) the gate activations and c_t (LSTM) or W_hn·h + b_hn (GRU).</summary>
    private sealed class Trace(int rows, int units, int batch, bool hasCell)
    {
        public double[] H0 { get; init; } = [];

        public double[] C0 { get; init; } = [];

        public double[] Hs { get; } = new double[rows * units];

        public double[] FinalH { get; } = new double[batch * units];

        public double[] FinalC { get; } = new double[hasCell ? batch * units : 0];

        public double[][] Gates { get; } = new double[rows][];

        public double[][] Cells { get; } = new double[rows][];
    }
}
