using System;
using System.Globalization;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The LSTM and GRU kernels (issue 24) against the double-precision reference, the reference against finite
/// differences, and the kernels' own promises: the streamed step matches the reference at every width, the training
/// forward equals inference, gradients accumulate, nothing allocates, and buffers' positions (and, for the batch
/// kernels, vector widths) change no bit.
/// </summary>
public sealed class RecurrentKernelsTests
{
    /// <summary>
    /// hs and the final states within this absolute error of the double reference: |h| &lt; 1 and c stays small, float
    /// sums and <see cref="VectorMath"/>'s σ and tanh (a few ulps) err by ulps of those values per step, and the layers'
    /// contraction keeps that from growing over 1,000 steps (measured at most 2.6e-7 on these cases, every width).
    /// </summary>
    private const double ForwardTolerance = 1e-5;

    /// <summary>
    /// Each gradient tensor within this fraction of its largest element: sums of up to T·m float products, in another
    /// order at the scalar width (measured at most 5.1e-7 of the largest element, every width).
    /// </summary>
    private const double GradientTolerance = 1e-5;

    private const int MaxShift = 15;

    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    private static readonly SimdWidth[] VectorWidths = [SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    public static TheoryData<RecurrentKind, int, int, int, int> Shapes() => new()
    {
        // kind, inputs, units, steps, batch: whole vectors and tails of units, one and several inputs (16 ≤ I ≤ 64
        // and I > 64 take other product paths; I·G·H above 4,096 transposes W_ih into a pooled array), a GRU whose
        // 3H < 4 runs its products scalar, m from 1 to 12.
        { RecurrentKind.Lstm, 1, 8, 25, 3 },
        { RecurrentKind.Lstm, 40, 32, 5, 2 },
        { RecurrentKind.Gru, 50, 32, 5, 2 },
        { RecurrentKind.Lstm, 3, 16, 25, 3 },
        { RecurrentKind.Lstm, 20, 13, 9, 12 },
        { RecurrentKind.Lstm, 70, 5, 7, 2 },
        { RecurrentKind.Lstm, 1, 32, 30, 1 },
        { RecurrentKind.Gru, 1, 8, 25, 3 },
        { RecurrentKind.Gru, 3, 16, 25, 3 },
        { RecurrentKind.Gru, 20, 13, 9, 12 },
        { RecurrentKind.Gru, 70, 5, 7, 2 },
        { RecurrentKind.Gru, 2, 1, 11, 4 },
    };

    public static TheoryData<RecurrentKind> Kinds() => new() { RecurrentKind.Lstm, RecurrentKind.Gru };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_EveryWidth_MatchesDoubleReference(RecurrentKind kind, int inputs, int units, int steps, int batch)
    {
        var data = new RecurrentCase(kind, inputs, units, steps, batch, seed: 100 + inputs + units);
        (double[] hs, double[] h, double[] c) = RecurrentReference.Forward(data);
        foreach (SimdWidth width in AllWidths)
        {
            (float[] actualHs, float[] actualH, float[] actualC) = data.Forward(width);
            AssertWithin(hs, actualHs, ForwardTolerance, $"{data} at {width}: hs");
            AssertWithin(h, actualH, ForwardTolerance, $"{data} at {width}: final h");
            AssertWithin(c, actualC, ForwardTolerance, $"{data} at {width}: final c");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_ThousandSteps_MatchesDoubleReferenceAtEveryStep(RecurrentKind kind)
    {
        foreach ((int inputs, int units) in new[] { (1, 8), (1, 16), (3, 8), (3, 16) })
        {
            // Weights larger than PyTorch's default, so the gates saturate at times and the cell state wanders.
            var data = new RecurrentCase(kind, inputs, units, steps: 1000, batch: 1, seed: 7 + units, weightScale: 0.5f);
            (double[] hs, double[] h, double[] c) = RecurrentReference.Forward(data);
            (float[] actualHs, float[] actualH, float[] actualC) = data.Forward(SimdWidth.Auto);
            AssertWithin(hs, actualHs, ForwardTolerance, $"{data}: hs");
            AssertWithin(h, actualH, ForwardTolerance, $"{data}: final h");
            AssertWithin(c, actualC, ForwardTolerance, $"{data}: final c");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_EveryWidth_MatchesDoubleReference(RecurrentKind kind, int inputs, int units, int steps, int batch)
    {
        var data = new RecurrentCase(kind, inputs, units, steps, batch, seed: 200 + inputs + units);
        RecurrentGradients<double> expected = RecurrentReference.Backward(data);
        foreach (SimdWidth width in AllWidths)
        {
            RecurrentGradients<float> actual = data.Backward(width);
            AssertGradientsClose(expected, actual, $"{data} at {width}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ReferenceBackward_MatchesFiniteDifferences(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 3, units: 4, steps: 6, batch: 2, seed: 31, weightScale: 0.8f);
        var p = RecurrentReference.Parameters.Of(data);
        double[] x = Array.ConvertAll(data.X, v => (double)v);
        RecurrentGradients<double> analytic = RecurrentReference.Backward(data, p, x);
        CheckNumeric(p.WIh, analytic.WIh, "dW_ih");
        CheckNumeric(p.WHh, analytic.WHh, "dW_hh");
        CheckNumeric(p.BIh, analytic.BIh, "db_ih");
        CheckNumeric(p.BHh, analytic.BHh, "db_hh");
        CheckNumeric(x, analytic.X, "dx");

        void CheckNumeric(double[] values, double[] gradient, string name)
        {
            const double Epsilon = 1e-6;
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + Epsilon;
                double plus = RecurrentReference.Loss(data, p, x);
                values[i] = saved - Epsilon;
                double minus = RecurrentReference.Loss(data, p, x);
                values[i] = saved;
                double numeric = (plus - minus) / (2 * Epsilon);
                Assert.True(
                    Math.Abs(numeric - gradient[i]) <= 1e-7 * (1 + Math.Abs(numeric)),
                    $"{kind} {name}[{i}]: back-propagated {gradient[i]:R}, finite difference {numeric:R}");
            }
        }
    }

    public static TheoryData<RecurrentKind, int, int> StepShapes() => new()
    {
        // kind, inputs, units. The streaming shapes (input 1, H 8 to 47): gate rows in whole vectors of four and one
        // (H 16, 32, 40), rows ending in narrower vectors and one-lane tails (GRU 8: 24, GRU 20: 60, LSTM 33: 132, GRU 47:
        // 141, LSTM 47: 188), odd H whose two partial chains differ in length; several inputs, where W_ihᵀ goes through
        // the same product; and layers smaller than a vector.
        { RecurrentKind.Lstm, 1, 8 },
        { RecurrentKind.Lstm, 1, 33 },
        { RecurrentKind.Lstm, 1, 47 },
        { RecurrentKind.Gru, 1, 47 },
        { RecurrentKind.Lstm, 1, 16 },
        { RecurrentKind.Lstm, 1, 32 },
        { RecurrentKind.Lstm, 1, 40 },
        { RecurrentKind.Gru, 1, 8 },
        { RecurrentKind.Gru, 1, 16 },
        { RecurrentKind.Gru, 1, 20 },
        { RecurrentKind.Lstm, 3, 16 },
        { RecurrentKind.Lstm, 40, 32 },
        { RecurrentKind.Gru, 50, 32 },
        { RecurrentKind.Gru, 20, 13 },
        { RecurrentKind.Lstm, 70, 5 },
        { RecurrentKind.Lstm, 17, 3 },
        { RecurrentKind.Gru, 2, 1 },
    };

    /// <summary>
    /// The streaming step sums its products in its own order (two partial chains per gate row, not the batch forward's
    /// outer product), so it is held to the double reference directly: 1,000 steps of two streams at every width.
    /// </summary>
    [Theory]
    [MemberData(nameof(StepShapes))]
    public void Step_EveryWidth_MatchesDoubleReferenceOverThousandSteps(RecurrentKind kind, int inputs, int units)
    {
        var data = new RecurrentCase(kind, inputs, units, steps: 1000, batch: 2, seed: 300 + inputs + units);
        (double[] hs, double[] h, double[] c) = RecurrentReference.Forward(data);
        foreach (SimdWidth width in AllWidths)
        {
            for (int e = 0; e < data.Batch; e++)
            {
                (float[] streamedHs, float[] streamedH, float[] streamedC) = data.Stream(e, width);
                double[] expected = new double[data.Steps * units];
                for (int t = 0; t < data.Steps; t++)
                {
                    Array.Copy(hs, ((t * data.Batch) + e) * units, expected, t * units, units);
                }

                AssertWithin(expected, streamedHs, ForwardTolerance, $"{data} at {width}, stream {e}: every step's h");
                AssertWithin(h.AsSpan(e * units, units).ToArray(), streamedH, ForwardTolerance, $"{data} at {width}, stream {e}: final h");
                AssertWithin(c.AsSpan(e * c.Length / data.Batch, c.Length / data.Batch).ToArray(), streamedC, ForwardTolerance, $"{data} at {width}, stream {e}: final c");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Step_SaturatingWeightsThousandSteps_MatchesDoubleReferenceAtEveryWidth(RecurrentKind kind)
    {
        foreach ((int inputs, int units) in new[] { (1, 8), (1, 16), (3, 16) })
        {
            // Weights larger than PyTorch's default, so the gates saturate at times and the cell state wanders.
            var data = new RecurrentCase(kind, inputs, units, steps: 1000, batch: 1, seed: 7 + units, weightScale: 0.5f);
            (double[] hs, double[] h, double[] c) = RecurrentReference.Forward(data);
            foreach (SimdWidth width in AllWidths)
            {
                (float[] streamedHs, float[] streamedH, float[] streamedC) = data.Stream(0, width);
                AssertWithin(hs, streamedHs, ForwardTolerance, $"{data} at {width}: every step's h");
                AssertWithin(h, streamedH, ForwardTolerance, $"{data} at {width}: final h");
                AssertWithin(c, streamedC, ForwardTolerance, $"{data} at {width}: final c");
            }
        }
    }

    [Theory]
    [MemberData(nameof(StepShapes))]
    public void Step_OperandsShifted_SameBits(RecurrentKind kind, int inputs, int units)
    {
        var data = new RecurrentCase(kind, inputs, units, steps: 5, batch: 1, seed: 600 + inputs + units);
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = ShiftedSteps(data, 0, width);
            for (int shift = 1; shift <= MaxShift; shift++)
            {
                AssertBitIdentical(expected, ShiftedSteps(data, shift, width), $"{data} at {width}, operands shifted by {shift}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Step_ManyThreadsOneStateEach_SameBitsAsOneThread(RecurrentKind kind)
    {
        // Eight streams over the same weights, each with its own state and scratch, all at once.
        var data = new RecurrentCase(kind, inputs: 3, units: 16, steps: 200, batch: 8, seed: 71);
        float[][] alone = Enumerable.Range(0, data.Batch).Select(e => data.Stream(e, SimdWidth.Auto).Hs).ToArray();
        var together = new float[data.Batch][];
        using var start = new System.Threading.Barrier(data.Batch);
        System.Threading.Thread[] threads = Enumerable.Range(0, data.Batch).Select(e => new System.Threading.Thread(() =>
        {
            start.SignalAndWait();
            together[e] = data.Stream(e, SimdWidth.Auto).Hs;
        })).ToArray();
        foreach (System.Threading.Thread thread in threads)
        {
            thread.Start();
        }

        foreach (System.Threading.Thread thread in threads)
        {
            thread.Join();
        }

        for (int e = 0; e < data.Batch; e++)
        {
            AssertBitIdentical(alone[e], together[e], $"{data}: stream {e} on its own thread against alone");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardTraining_SameBitsAsInference(RecurrentKind kind, int inputs, int units, int steps, int batch)
    {
        var data = new RecurrentCase(kind, inputs, units, steps, batch, seed: 400 + inputs + units);
        foreach (SimdWidth width in AllWidths)
        {
            (float[] hs, float[] h, float[] c) = data.Forward(width);
            (float[] trainingHs, float[] trainingH, float[] trainingC, _) = data.ForwardTraining(width);
            AssertBitIdentical(hs, trainingHs, $"{data} at {width}: hs");
            AssertBitIdentical(h, trainingH, $"{data} at {width}: final h");
            AssertBitIdentical(c, trainingC, $"{data} at {width}: final c");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void VectorWidths_SameBits(RecurrentKind kind, int inputs, int units, int steps, int batch)
    {
        // The products sum in the 512-bit order at every width and the gates run lane by lane, so only the scalar
        // width (sequential sums) may differ.
        var data = new RecurrentCase(kind, inputs, units, steps, batch, seed: 500 + inputs + units);
        float[] hs = data.Forward(SimdWidth.V512).Hs;
        RecurrentGradients<float> gradients = data.Backward(SimdWidth.V512);
        foreach (SimdWidth width in VectorWidths)
        {
            AssertBitIdentical(hs, data.Forward(width).Hs, $"{data}: hs at {width} against 512 bits");
            AssertGradientsBitIdentical(gradients, data.Backward(width), $"{data} at {width} against 512 bits");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Backward_Accumulates_AndOverwritesDx(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 3, units: 6, steps: 5, batch: 2, seed: 41);
        (float[] hs, _, _, float[] cache) = data.ForwardTraining(SimdWidth.Auto);
        RecurrentGradients<float> once = data.Backward(SimdWidth.Auto);
        var twice = new RecurrentGradients<float>(
            new float[once.WIh.Length], new float[once.WHh.Length], new float[once.BIh.Length], new float[once.BHh.Length], new float[once.X.Length]);
        data.Backward(hs, cache, twice, SimdWidth.Auto);
        Array.Fill(twice.X, float.NaN);
        data.Backward(hs, cache, twice, SimdWidth.Auto);

        // g + g is exact, so the accumulated gradients are exactly twice one call's; dx is one call's.
        AssertBitIdentical(once.WIh.Select(v => v * 2).ToArray(), twice.WIh, $"{kind}: dW_ih after two calls");
        AssertBitIdentical(once.WHh.Select(v => v * 2).ToArray(), twice.WHh, $"{kind}: dW_hh after two calls");
        AssertBitIdentical(once.BIh.Select(v => v * 2).ToArray(), twice.BIh, $"{kind}: db_ih after two calls");
        AssertBitIdentical(once.BHh.Select(v => v * 2).ToArray(), twice.BHh, $"{kind}: db_hh after two calls");
        AssertBitIdentical(once.X, twice.X, $"{kind}: dx after two calls");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Backward_WithoutDx_SameParameterGradients(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 2, units: 9, steps: 4, batch: 3, seed: 43);
        (float[] hs, _, _, float[] cache) = data.ForwardTraining(SimdWidth.Auto);
        RecurrentGradients<float> full = data.Backward(SimdWidth.Auto);
        var withoutDx = new RecurrentGradients<float>(
            new float[full.WIh.Length], new float[full.WHh.Length], new float[full.BIh.Length], new float[full.BHh.Length], []);
        data.Backward(hs, cache, withoutDx, SimdWidth.Auto);
        AssertGradientsBitIdentical(full with { X = [] }, withoutDx, $"{kind} without dx");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKernel_OperandsShifted_SameBits(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 3, units: 13, steps: 6, batch: 5, seed: 47);
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = ShiftedRun(data, 0, width);
            for (int shift = 1; shift <= MaxShift; shift++)
            {
                AssertBitIdentical(expected, ShiftedRun(data, shift, width), $"{data} at {width}, operands shifted by {shift}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKernel_AfterWarmUp_AllocatesNothing(RecurrentKind kind)
    {
        // I·G·H of 2,560 puts W_ihᵀ on the stack, 12,800 in a pooled array.
        foreach ((int inputs, int units) in new[] { (1, 32), (20, 32), (100, 32) })
        {
            var data = new RecurrentCase(kind, inputs, units, steps: 8, batch: 3, seed: 53);
            bool lstm = kind == RecurrentKind.Lstm;
            int gh = data.Gates * units;
            float[] h = (float[])data.H0.Clone(), c = (float[])data.C0.Clone(), hs = new float[data.Dhs.Length];
            float[] stepScratch = new float[lstm ? RecurrentKernels.LstmStepScratch(units) : RecurrentKernels.GruStepScratch(units)];
            float[] scratch = new float[lstm ? RecurrentKernels.LstmForwardScratch(8, 3, units) : RecurrentKernels.GruForwardScratch(8, 3, units)];
            float[] cache = new float[lstm ? RecurrentKernels.LstmCacheLength(8, 3, units) : RecurrentKernels.GruCacheLength(8, 3, units)];
            float[] backwardScratch = new float[lstm ? RecurrentKernels.LstmBackwardScratch(8, 3, inputs, units) : RecurrentKernels.GruBackwardScratch(8, 3, inputs, units)];
            float[] dWih = new float[gh * inputs], dWhh = new float[gh * units], dbIh = new float[gh], dbHh = new float[gh], dx = new float[data.X.Length];
            float[] hStep = new float[units], cStep = new float[units];

            void RunAll()
            {
                if (lstm)
                {
                    RecurrentKernels.LstmStep(data.WIh, data.WHh, data.BIh, data.BHh, data.X.AsSpan(0, inputs), hStep, cStep, stepScratch, inputs, units);
                    RecurrentKernels.LstmForward(data.WIh, data.WHh, data.BIh, data.BHh, data.X, 8, 3, inputs, units, h, c, hs, scratch);
                    RecurrentKernels.LstmForwardTraining(data.WIh, data.WHh, data.BIh, data.BHh, data.X, 8, 3, inputs, units, h, c, hs, cache);
                    RecurrentKernels.LstmBackward(
                        data.WIh, data.WHh, data.BIh, data.BHh, data.X, data.H0, data.C0, hs, cache, data.Dhs, 8, 3, inputs, units, dWih, dWhh, dbIh, dbHh, dx, backwardScratch);
                }
                else
                {
                    RecurrentKernels.GruStep(data.WIh, data.WHh, data.BIh, data.BHh, data.X.AsSpan(0, inputs), hStep, stepScratch, inputs, units);
                    RecurrentKernels.GruForward(data.WIh, data.WHh, data.BIh, data.BHh, data.X, 8, 3, inputs, units, h, hs, scratch);
                    RecurrentKernels.GruForwardTraining(data.WIh, data.WHh, data.BIh, data.BHh, data.X, 8, 3, inputs, units, h, hs, cache);
                    RecurrentKernels.GruBackward(
                        data.WIh, data.WHh, data.BIh, data.BHh, data.X, data.H0, hs, cache, data.Dhs, 8, 3, inputs, units, dWih, dWhh, dbIh, dbHh, dx, backwardScratch);
                }
            }

            AllocationAssert.NoAllocation(RunAll, calls: 5, $"{data}: Step, Forward, ForwardTraining and Backward");
        }
    }

    [Fact]
    public void Step_WrongLengths_NameExpectedAndActual()
    {
        var data = new RecurrentCase(RecurrentKind.Lstm, inputs: 2, units: 3, steps: 1, batch: 1, seed: 59);
        float[] h = new float[3], c = new float[3], scratch = new float[RecurrentKernels.LstmStepScratch(3)];
        float[] x = [1f, 2f];

        var wrongWeights = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStep(data.WIh.AsSpan(1), data.WHh, data.BIh, data.BHh, x, h, c, scratch, 2, 3));
        Assert.Equal("wIh", wrongWeights.ParamName);
        Assert.Contains("RecurrentKernels.LstmStep: wIh has 23 floats, expected 24 (inputs 2 x 4 gates x 3 units = 12).", wrongWeights.Message, StringComparison.Ordinal);

        var wrongX = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStep(data.WIh, data.WHh, data.BIh, data.BHh, [1f], h, c, scratch, 2, 3));
        Assert.Contains("RecurrentKernels.LstmStep: x has 1 floats, expected 2", wrongX.Message, StringComparison.Ordinal);

        var wrongScratch = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStep(data.WIh, data.WHh, data.BIh, data.BHh, x, h, c, new float[5], 2, 3));
        Assert.Contains("scratch has 5 floats, expected 24 (RecurrentKernels.LstmStepScratch(units))", wrongScratch.Message, StringComparison.Ordinal);

        var wrongC = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStep(data.WIh, data.WHh, data.BIh, data.BHh, x, h, new float[4], scratch, 2, 3));
        Assert.Equal("c", wrongC.ParamName);

        float[] shared = new float[3 + scratch.Length];
        var overlap = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStep(data.WIh, data.WHh, data.BIh, data.BHh, x, shared.AsSpan(0, 3), c, shared.AsSpan(2, scratch.Length), 2, 3));
        Assert.Contains("overlaps", overlap.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.GruStep(data.WIh, data.WHh, data.BIh, data.BHh, x, h, scratch, 2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.LstmStepScratch(-1));
    }

    [Theory]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.Gru)]
    public void Step_WrittenBufferOverlapsAnyOperand_NamesBoth_AndTouchingIsFine(RecurrentKind kind)
    {
        // Every buffer the step writes against every operand, the written one overlapping the operand's last float (or
        // its first), then ending exactly where the operand starts: the overlap check compares address ranges, and
        // one float off either way must be caught, touching must not.
        const int Inputs = 2, Units = 3;
        var data = new RecurrentCase(kind, Inputs, Units, steps: 1, batch: 1, seed: 61);
        bool lstm = kind == RecurrentKind.Lstm;
        int scratchLength = lstm ? RecurrentKernels.LstmStepScratch(Units) : RecurrentKernels.GruStepScratch(Units);
        string[] operands = ["wIh", "wHh", "bIh", "bHh", "x"];
        string[] written = lstm ? ["h", "c", "scratch"] : ["h", "scratch"];
        float[][] values = [data.WIh, data.WHh, data.BIh, data.BHh, data.X.AsSpan(0, Inputs).ToArray()];
        int[] writtenLengths = lstm ? [Units, Units, scratchLength] : [Units, scratchLength];
        for (int o = 0; o < operands.Length; o++)
        {
            for (int w = 0; w < written.Length; w++)
            {
                foreach (int shift in new[] { -1, 1, 0 })
                {
                    // One array holds the operand and the written buffer. −1: the written buffer's last float is the
                    // operand's first; 1: its first float is the operand's last; 0: it ends where the operand starts.
                    int operandLength = values[o].Length, length = writtenLengths[w];
                    (int writtenAt, int operandAt) = shift switch { -1 => (0, length - 1), 1 => (operandLength - 1, 0), _ => (0, length) };
                    var shared = new float[operandLength + length + 2];
                    values[o].CopyTo(shared, operandAt);
                    float[] h = new float[Units], c = new float[lstm ? Units : 0], scratch = new float[scratchLength];
                    void Run()
                    {
                        ReadOnlySpan<float> Pick(int index) => index == o ? shared.AsSpan(operandAt, operandLength) : values[index];
                        Span<float> target = shared.AsSpan(writtenAt, length);
                        Span<float> hSpan = w == 0 ? target : h, cSpan = lstm && w == 1 ? target : c, scratchSpan = w == written.Length - 1 ? target : scratch;
                        if (lstm)
                        {
                            RecurrentKernels.LstmStep(Pick(0), Pick(1), Pick(2), Pick(3), Pick(4), hSpan, cSpan, scratchSpan, Inputs, Units);
                        }
                        else
                        {
                            RecurrentKernels.GruStep(Pick(0), Pick(1), Pick(2), Pick(3), Pick(4), hSpan, scratchSpan, Inputs, Units);
                        }
                    }

                    if (shift == 0)
                    {
                        Run();
                        continue;
                    }

                    var error = Assert.Throws<ArgumentException>(Run);
                    Assert.Contains($"{written[w]} overlaps {operands[o]}; they must not overlap", error.Message, StringComparison.Ordinal);
                    Assert.Equal(written[w], error.ParamName);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ForwardAndBackward_WrongLengths_NameExpectedAndActual(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 1, units: 4, steps: 3, batch: 2, seed: 61);
        bool lstm = kind == RecurrentKind.Lstm;
        string name = lstm ? "Lstm" : "Gru";
        float[] h = (float[])data.H0.Clone(), c = (float[])data.C0.Clone(), hs = new float[3 * 2 * 4];
        float[] scratch = new float[lstm ? RecurrentKernels.LstmForwardScratch(3, 2, 4) : RecurrentKernels.GruForwardScratch(3, 2, 4)];

        void Forward(float[] x, float[] outputs, float[] work)
        {
            if (lstm)
            {
                RecurrentKernels.LstmForward(data.WIh, data.WHh, data.BIh, data.BHh, x, 3, 2, 1, 4, h, c, outputs, work);
            }
            else
            {
                RecurrentKernels.GruForward(data.WIh, data.WHh, data.BIh, data.BHh, x, 3, 2, 1, 4, h, outputs, work);
            }
        }

        var wrongX = Assert.Throws<ArgumentException>(() => Forward(new float[5], hs, scratch));
        Assert.Equal("x", wrongX.ParamName);
        Assert.Contains($"RecurrentKernels.{name}Forward: x has 5 floats, expected 6 (steps 3 x batch 2 x inputs 1)", wrongX.Message, StringComparison.Ordinal);

        var wrongHs = Assert.Throws<ArgumentException>(() => Forward(data.X, new float[25], scratch));
        Assert.Contains("hs has 25 floats, expected 24 (steps 3 x batch 2 x units 4)", wrongHs.Message, StringComparison.Ordinal);

        var wrongScratch = Assert.Throws<ArgumentException>(() => Forward(data.X, hs, new float[scratch.Length - 1]));
        Assert.Contains($"scratch has {scratch.Length - 1} floats, expected {scratch.Length}", wrongScratch.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => lstm
            ? RecurrentKernels.LstmForwardScratch(-3, 2, 4)
            : RecurrentKernels.GruForwardScratch(3, -2, 4));
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            if (lstm)
            {
                RecurrentKernels.LstmForward(data.WIh, data.WHh, data.BIh, data.BHh, data.X, -3, 2, 1, 4, h, c, hs, scratch);
            }
            else
            {
                RecurrentKernels.GruForward(data.WIh, data.WHh, data.BIh, data.BHh, data.X, -3, 2, 1, 4, h, hs, scratch);
            }
        });
        Assert.Equal("steps", negative.ParamName);
        Assert.Contains($"RecurrentKernels.{name}Forward: steps is -3", negative.Message, StringComparison.Ordinal);

        (float[] trainingHs, _, _, float[] cache) = data.ForwardTraining(SimdWidth.Auto);
        var gradients = new RecurrentGradients<float>(new float[data.WIh.Length], new float[data.WHh.Length], new float[data.BIh.Length], new float[data.BHh.Length], new float[7]);
        var wrongDx = Assert.Throws<ArgumentException>(() => data.Backward(trainingHs, cache, gradients, SimdWidth.Auto));
        Assert.Equal("dx", wrongDx.ParamName);
        Assert.Contains("dx has 7 floats, expected 6 (steps 3 x batch 2 x inputs 1)", wrongDx.Message, StringComparison.Ordinal);

        var shortCache = Assert.Throws<ArgumentException>(
            () => data.Backward(trainingHs, cache.AsSpan(1).ToArray(), gradients with { X = new float[6] }, SimdWidth.Auto));
        Assert.Equal("cache", shortCache.ParamName);

        // A gradient written over an input it still reads.
        var aliased = gradients with { X = new float[6], WHh = data.WHh };
        var overlap = Assert.Throws<ArgumentException>(() => data.Backward(trainingHs, cache, aliased, SimdWidth.Auto));
        Assert.Contains("dWhh overlaps wHh", overlap.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NoSteps_LeavesStatesAndGradientsAlone(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 2, units: 3, steps: 0, batch: 2, seed: 67);
        (float[] hs, float[] h, float[] c) = data.Forward(SimdWidth.Auto);
        Assert.Empty(hs);
        AssertBitIdentical(data.H0, h, "h after no steps");
        AssertBitIdentical(data.C0, c, "c after no steps");
        RecurrentGradients<float> gradients = data.Backward(SimdWidth.Auto);
        Assert.All(gradients.WIh.Concat(gradients.WHh).Concat(gradients.BIh).Concat(gradients.BHh), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SequenceLayout_RoundTrip_PlacesEveryStep()
    {
        const int Batch = 3, Steps = 4, Features = 2;
        float[] batchFirst = Enumerable.Range(0, Batch * Steps * Features).Select(i => (float)i).ToArray();
        var timeMajor = new float[batchFirst.Length];
        SequenceLayout.ToTimeMajor(batchFirst, timeMajor, Batch, Steps, Features);
        for (int e = 0; e < Batch; e++)
        {
            for (int t = 0; t < Steps; t++)
            {
                for (int f = 0; f < Features; f++)
                {
                    Assert.Equal(batchFirst[(((e * Steps) + t) * Features) + f], timeMajor[(((t * Batch) + e) * Features) + f]);
                }
            }
        }

        var back = new float[batchFirst.Length];
        SequenceLayout.FromTimeMajor(timeMajor, back, Batch, Steps, Features);
        Assert.Equal(batchFirst, back);

        var wrong = Assert.Throws<ArgumentException>(() => SequenceLayout.ToTimeMajor(batchFirst, new float[5], Batch, Steps, Features));
        Assert.Contains("timeMajor has 5 floats, expected 24 (steps 4 x batch 3 x features 2)", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SequenceLayout.FromTimeMajor(timeMajor, timeMajor, Batch, Steps, Features));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceLayout.ToTimeMajor(batchFirst, timeMajor, Batch, -1, Features));
    }

    /// <summary>
    /// Step, Forward, ForwardTraining and Backward with every operand <paramref name="shift"/> (or a multiple of it,
    /// modulo 16) floats into a NaN-filled array; returns all their outputs concatenated.
    /// </summary>
    private static float[] ShiftedRun(RecurrentCase data, int shift, SimdWidth width)
    {
        int next = 0;
        Span<float> Place(float[] values)
        {
            int offset = (shift * ++next) % (MaxShift + 1);
            var buffer = new float[values.Length + MaxShift + 1];
            Array.Fill(buffer, float.NaN);
            values.CopyTo(buffer, offset);
            return buffer.AsSpan(offset, values.Length);
        }

        Span<float> Zeros(int length)
        {
            Span<float> span = Place(new float[length]);
            return span;
        }

        int inputs = data.Inputs, units = data.Units, steps = data.Steps, batch = data.Batch, gh = data.Gates * units;
        bool lstm = data.Kind == RecurrentKind.Lstm;
        Span<float> wIh = Place(data.WIh), wHh = Place(data.WHh), bIh = Place(data.BIh), bHh = Place(data.BHh), x = Place(data.X);
        Span<float> h0 = Place(data.H0), c0 = Place(data.C0), dhs = Place(data.Dhs);

        Span<float> hStep = Place(data.H0.AsSpan(0, units).ToArray()), cStep = Place(lstm ? data.C0.AsSpan(0, units).ToArray() : []);
        Span<float> stepScratch = Zeros(lstm ? RecurrentKernels.LstmStepScratch(units) : RecurrentKernels.GruStepScratch(units));
        Span<float> h = Place(data.H0), c = Place(data.C0), hs = Zeros(steps * batch * units);
        Span<float> scratch = Zeros(lstm ? RecurrentKernels.LstmForwardScratch(steps, batch, units) : RecurrentKernels.GruForwardScratch(steps, batch, units));
        Span<float> hT = Place(data.H0), cT = Place(data.C0), hsT = Zeros(steps * batch * units);
        Span<float> cache = Zeros(lstm ? RecurrentKernels.LstmCacheLength(steps, batch, units) : RecurrentKernels.GruCacheLength(steps, batch, units));
        Span<float> dWih = Zeros(gh * inputs), dWhh = Zeros(gh * units), dbIh = Zeros(gh), dbHh = Zeros(gh), dx = Zeros(data.X.Length);
        Span<float> backwardScratch = Zeros(lstm ? RecurrentKernels.LstmBackwardScratch(steps, batch, inputs, units) : RecurrentKernels.GruBackwardScratch(steps, batch, inputs, units));
        if (lstm)
        {
            RecurrentKernels.LstmStep(wIh, wHh, bIh, bHh, x[..inputs], hStep, cStep, stepScratch, inputs, units, width);
            RecurrentKernels.LstmForward(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, c, hs, scratch, width);
            RecurrentKernels.LstmForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, hT, cT, hsT, cache, width);
            RecurrentKernels.LstmBackward(wIh, wHh, bIh, bHh, x, h0, c0, hsT, cache, dhs, steps, batch, inputs, units, dWih, dWhh, dbIh, dbHh, dx, backwardScratch, width);
        }
        else
        {
            RecurrentKernels.GruStep(wIh, wHh, bIh, bHh, x[..inputs], hStep, stepScratch, inputs, units, width);
            RecurrentKernels.GruForward(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, h, hs, scratch, width);
            RecurrentKernels.GruForwardTraining(wIh, wHh, bIh, bHh, x, steps, batch, inputs, units, hT, hsT, cache, width);
            RecurrentKernels.GruBackward(wIh, wHh, bIh, bHh, x, h0, hsT, cache, dhs, steps, batch, inputs, units, dWih, dWhh, dbIh, dbHh, dx, backwardScratch, width);
        }

        return [.. hStep, .. cStep, .. h, .. c, .. hs, .. dWih, .. dWhh, .. dbIh, .. dbHh, .. dx];
    }

    /// <summary>Every step of the case's one stream with each operand at its own shift into a NaN-filled array: the h after each step, then the final c.</summary>
    private static float[] ShiftedSteps(RecurrentCase data, int shift, SimdWidth width)
    {
        int next = 0;
        Span<float> Place(float[] values)
        {
            int offset = (shift * ++next) % (MaxShift + 1);
            var buffer = new float[values.Length + MaxShift + 1];
            Array.Fill(buffer, float.NaN);
            values.CopyTo(buffer, offset);
            return buffer.AsSpan(offset, values.Length);
        }

        int inputs = data.Inputs, units = data.Units;
        bool lstm = data.Kind == RecurrentKind.Lstm;
        Span<float> wIh = Place(data.WIh), wHh = Place(data.WHh), bIh = Place(data.BIh), bHh = Place(data.BHh), x = Place(data.X);
        Span<float> h = Place(data.H0), c = Place(data.C0);
        Span<float> scratch = Place(new float[lstm ? RecurrentKernels.LstmStepScratch(units) : RecurrentKernels.GruStepScratch(units)]);
        var outputs = new float[(data.Steps * units) + data.C0.Length];
        for (int t = 0; t < data.Steps; t++)
        {
            if (lstm)
            {
                RecurrentKernels.LstmStep(wIh, wHh, bIh, bHh, x.Slice(t * inputs, inputs), h, c, scratch, inputs, units, width);
            }
            else
            {
                RecurrentKernels.GruStep(wIh, wHh, bIh, bHh, x.Slice(t * inputs, inputs), h, scratch, inputs, units, width);
            }

            h.CopyTo(outputs.AsSpan(t * units));
        }

        c.CopyTo(outputs.AsSpan(data.Steps * units));
        return outputs;
    }

    private static void AssertGradientsClose(RecurrentGradients<double> expected, RecurrentGradients<float> actual, string what)
    {
        AssertRelative(expected.WIh, actual.WIh, $"{what}: dW_ih");
        AssertRelative(expected.WHh, actual.WHh, $"{what}: dW_hh");
        AssertRelative(expected.BIh, actual.BIh, $"{what}: db_ih");
        AssertRelative(expected.BHh, actual.BHh, $"{what}: db_hh");
        AssertRelative(expected.X, actual.X, $"{what}: dx");
    }

    private static void AssertGradientsBitIdentical(RecurrentGradients<float> expected, RecurrentGradients<float> actual, string what)
    {
        AssertBitIdentical(expected.WIh, actual.WIh, $"{what}: dW_ih");
        AssertBitIdentical(expected.WHh, actual.WHh, $"{what}: dW_hh");
        AssertBitIdentical(expected.BIh, actual.BIh, $"{what}: db_ih");
        AssertBitIdentical(expected.BHh, actual.BHh, $"{what}: db_hh");
        AssertBitIdentical(expected.X, actual.X, $"{what}: dx");
    }

    /// <summary>Every element within <see cref="GradientTolerance"/> of the tensor's largest reference value.</summary>
    private static void AssertRelative(double[] expected, float[] actual, string what)
    {
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        AssertWithin(expected, actual, GradientTolerance * scale, what);
    }

    private static void AssertWithin(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance))
            {
                Assert.Fail(string.Create(
                    CultureInfo.InvariantCulture, $"{what}[{i}]: {actual[i]:R}, reference {expected[i]:R} (error {error:E3}, allowed {tolerance:E3})."));
            }
        }
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what) =>
        KernelDeterminismTests.AssertBitIdentical(expected, actual, what);
}
