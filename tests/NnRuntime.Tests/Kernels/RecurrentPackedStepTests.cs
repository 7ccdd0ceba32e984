using System;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The packed streaming step (a frozen network's form): bit for bit the unpacked step at every width over 1,000 steps,
/// wherever the buffers sit, with nothing allocated, and clear errors for wrong lengths and overlaps.
/// </summary>
public sealed class RecurrentPackedStepTests
{
    private const int MaxShift = 15;

    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    public static TheoryData<RecurrentKind, int, int> Shapes() => new()
    {
        // kind, inputs, units. The RTNeural rows (GRU 8/16, LSTM 16/32/40) at one and three inputs (GRU 8: 24 gate rows,
        // padded to 32 in the packed W_hhᵀ); padded W_hhᵀ rows whose last vector holds 12, 4, 15, 8, 12 and 13 gate rows
        // (GRU 20: 60, LSTM 33: 132, GRU 47: 141, GRU 40: 120, LSTM 47: 188, GRU 33: 99); rows below a vector's width
        // and odd sizes, whose two partial chains differ in length (H 13, 5, 3, 1).
        { RecurrentKind.Lstm, 1, 8 },
        { RecurrentKind.Gru, 1, 33 },
        { RecurrentKind.Gru, 1, 40 },
        { RecurrentKind.Lstm, 1, 47 },
        { RecurrentKind.Gru, 1, 8 },
        { RecurrentKind.Gru, 3, 8 },
        { RecurrentKind.Gru, 1, 16 },
        { RecurrentKind.Gru, 3, 16 },
        { RecurrentKind.Lstm, 1, 16 },
        { RecurrentKind.Lstm, 3, 16 },
        { RecurrentKind.Lstm, 1, 32 },
        { RecurrentKind.Lstm, 3, 32 },
        { RecurrentKind.Lstm, 1, 40 },
        { RecurrentKind.Lstm, 3, 40 },
        { RecurrentKind.Gru, 1, 20 },
        { RecurrentKind.Lstm, 1, 33 },
        { RecurrentKind.Gru, 2, 47 },
        { RecurrentKind.Gru, 20, 13 },
        { RecurrentKind.Lstm, 2, 13 },
        { RecurrentKind.Lstm, 70, 5 },
        { RecurrentKind.Lstm, 17, 3 },
        { RecurrentKind.Gru, 2, 1 },
    };

    public static TheoryData<RecurrentKind> Kinds() => new() { RecurrentKind.Lstm, RecurrentKind.Gru };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void StepPacked_EveryWidth_SameBitsAsStepOverThousandSteps(RecurrentKind kind, int inputs, int units)
    {
        var data = new RecurrentCase(kind, inputs, units, steps: 1000, batch: 1, seed: 900 + inputs + units);
        float[] packed = data.Packed();
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = RowMajorSteps(data, width);
            float[] actual = PackedSteps(data, packed, width, shift: 0);
            KernelDeterminismTests.AssertBitIdentical(expected, actual, $"{data} at {width}: every step's h, then the final c");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Step_EveryWidth_SameBitsOverThousandSteps(RecurrentKind kind, int inputs, int units)
    {
        // Each gate row is one lane's chain of fused multiply-adds in the same order at every width (the one-lane tail
        // included), and the gates are lane-wise, so the step itself is width-independent.
        var data = new RecurrentCase(kind, inputs, units, steps: 1000, batch: 1, seed: 300 + inputs + units);
        float[] scalar = RowMajorSteps(data, SimdWidth.Scalar);
        foreach (SimdWidth width in AllWidths)
        {
            KernelDeterminismTests.AssertBitIdentical(scalar, RowMajorSteps(data, width), $"{data} at {width} against the scalar width");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepPacked_SaturatingWeights_SameBitsAsStep(RecurrentKind kind)
    {
        // Weights large enough that the gates saturate and the cell state wanders: σ and tanh's far ranges.
        foreach (int units in new[] { 8, 16, 32, 33, 40, 47 })
        {
            var data = new RecurrentCase(kind, 1, units, steps: 1000, batch: 1, seed: 17 + units, weightScale: 0.6f);
            float[] packed = data.Packed();
            foreach (SimdWidth width in AllWidths)
            {
                KernelDeterminismTests.AssertBitIdentical(RowMajorSteps(data, width), PackedSteps(data, packed, width, shift: 0), $"{data} at {width}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void StepPacked_OperandsShifted_SameBits(RecurrentKind kind, int inputs, int units)
    {
        var data = new RecurrentCase(kind, inputs, units, steps: 5, batch: 1, seed: 700 + inputs + units);
        float[] packed = data.Packed();
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = PackedSteps(data, packed, width, shift: 0);
            for (int shift = 1; shift <= MaxShift; shift++)
            {
                KernelDeterminismTests.AssertBitIdentical(expected, PackedSteps(data, packed, width, shift), $"{data} at {width}, operands shifted by {shift}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepPacked_AfterWarmUp_AllocatesNothing(RecurrentKind kind)
    {
        foreach ((int inputs, int units) in new[] { (1, 8), (1, 32), (3, 40), (2, 5) })
        {
            var data = new RecurrentCase(kind, inputs, units, steps: 1, batch: 1, seed: 41);
            bool lstm = kind == RecurrentKind.Lstm;
            float[] packed = data.Packed(), h = (float[])data.H0.Clone(), c = (float[])data.C0.Clone();
            float[] scratch = new float[lstm ? RecurrentKernels.LstmStepPackedScratch(units) : RecurrentKernels.GruStepPackedScratch(units)];
            float[] x = data.X;
            void Step()
            {
                if (lstm)
                {
                    RecurrentKernels.LstmStepPacked(packed, x, h, c, scratch, inputs, units);
                }
                else
                {
                    RecurrentKernels.GruStepPacked(packed, x, h, scratch, inputs, units);
                }
            }

            AllocationAssert.NoAllocation(Step, calls: 5, $"{data}: the packed step");
        }
    }

    [Fact]
    public void PackedLength_PartsRoundedToSixteenFloats()
    {
        // LSTM I = 1, H = 32: W_ihᵀ 128, b_ih 128, b_hh 128, W_hhᵀ 32 rows of 128 (already 16-float multiples), and H = 40
        // likewise with rows of 160. GRU I = 1, H = 8: 24 → 32 three times, then W_hhᵀ 8 rows of 24 padded to 32; LSTM
        // I = 1, H = 33: 132 → 144 three times, then 33 rows of 144. GRU I = 3, H = 5: 45 → 48, 15 → 16, 15 → 16, then
        // 75 (no padding below 16 gate rows).
        Assert.Equal(128 + 128 + 128 + 4096, RecurrentKernels.LstmPackedLength(1, 32));
        Assert.Equal(160 + 160 + 160 + 6400, RecurrentKernels.LstmPackedLength(1, 40));
        Assert.Equal(32 + 32 + 32 + (8 * 32), RecurrentKernels.GruPackedLength(1, 8));
        Assert.Equal(144 + 144 + 144 + (33 * 144), RecurrentKernels.LstmPackedLength(1, 33));
        Assert.Equal(48 + 16 + 16 + 75, RecurrentKernels.GruPackedLength(3, 5));
        Assert.Equal(0, RecurrentKernels.GruPackedLength(3, 0));
        Assert.Equal(8 * 7, RecurrentKernels.LstmStepPackedScratch(7));
        Assert.Equal(6 * 7, RecurrentKernels.GruStepPackedScratch(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.LstmPackedLength(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.GruPackedLength(1, -4));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.LstmPackedLength(1, 30_000));
    }

    [Fact]
    public void PackAndStepPacked_WrongLengthsOrOverlaps_NameExpectedAndActual()
    {
        var data = new RecurrentCase(RecurrentKind.Lstm, inputs: 2, units: 3, steps: 1, batch: 1, seed: 59);
        int length = RecurrentKernels.LstmPackedLength(2, 3);
        float[] packed = new float[length], h = new float[3], c = new float[3], scratch = new float[RecurrentKernels.LstmStepPackedScratch(3)];
        float[] x = [1f, 2f];

        var wrongWeights = Assert.Throws<ArgumentException>(() => RecurrentKernels.PackLstm(data.WIh.AsSpan(1), data.WHh, data.BIh, data.BHh, packed, 2, 3));
        Assert.Contains("RecurrentKernels.PackLstm: wIh has 23 floats, expected 24", wrongWeights.Message, StringComparison.Ordinal);

        var wrongPacked = Assert.Throws<ArgumentException>(() => RecurrentKernels.PackLstm(data.WIh, data.WHh, data.BIh, data.BHh, new float[length - 1], 2, 3));
        Assert.Equal("packed", wrongPacked.ParamName);
        Assert.Contains(
            $"RecurrentKernels.PackLstm: packed has {length - 1} floats, expected {length} (RecurrentKernels.LstmPackedLength(inputs 2, units 3)).",
            wrongPacked.Message,
            StringComparison.Ordinal);

        float[] big = new float[length + data.WIh.Length];
        data.WIh.CopyTo(big, 0);
        var overlapping = Assert.Throws<ArgumentException>(() => RecurrentKernels.PackLstm(big.AsSpan(0, data.WIh.Length), data.WHh, data.BIh, data.BHh, big.AsSpan(1, length), 2, 3));
        Assert.Contains("packed overlaps wIh", overlapping.Message, StringComparison.Ordinal);

        RecurrentKernels.PackLstm(data.WIh, data.WHh, data.BIh, data.BHh, packed, 2, 3);
        var stepPacked = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStepPacked(packed.AsSpan(1), x, h, c, scratch, 2, 3));
        Assert.Contains(
            $"RecurrentKernels.LstmStepPacked: packed has {length - 1} floats, expected {length} (RecurrentKernels.LstmPackedLength(inputs 2, units 3)).",
            stepPacked.Message,
            StringComparison.Ordinal);

        var wrongX = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStepPacked(packed, [1f], h, c, scratch, 2, 3));
        Assert.Contains("RecurrentKernels.LstmStepPacked: x has 1 floats, expected 2", wrongX.Message, StringComparison.Ordinal);

        var wrongScratch = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStepPacked(packed, x, h, c, new float[5], 2, 3));
        Assert.Contains("scratch has 5 floats, expected 24 (RecurrentKernels.LstmStepPackedScratch(units))", wrongScratch.Message, StringComparison.Ordinal);

        var wrongC = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStepPacked(packed, x, h, new float[4], scratch, 2, 3));
        Assert.Equal("c", wrongC.ParamName);

        var hOverPacked = Assert.Throws<ArgumentException>(() => RecurrentKernels.LstmStepPacked(packed, x, packed.AsSpan(length - 3, 3), c, scratch, 2, 3));
        Assert.Contains("h overlaps packed; they must not overlap", hOverPacked.Message, StringComparison.Ordinal);

        float[] shared = new float[3 + scratch.Length];
        var gruOverlap = Assert.Throws<ArgumentException>(
            () => RecurrentKernels.GruStepPacked(new float[RecurrentKernels.GruPackedLength(2, 3)], x, shared.AsSpan(0, 3), shared.AsSpan(2, RecurrentKernels.GruStepPackedScratch(3)), 2, 3));
        Assert.Contains("RecurrentKernels.GruStepPacked: scratch overlaps h", gruOverlap.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentKernels.GruStepPacked(packed, x, h, scratch, 2, -1));
    }

    /// <summary>The unpacked step from the case's first states: every step's h, then the final c.</summary>
    private static float[] RowMajorSteps(RecurrentCase data, SimdWidth width)
    {
        (float[] hs, _, float[] c) = data.Stream(0, width);
        return [.. hs, .. c];
    }

    /// <summary>The packed step over the same steps, every operand placed <paramref name="shift"/>-dependently in a NaN-filled array.</summary>
    private static float[] PackedSteps(RecurrentCase data, float[] packedValues, SimdWidth width, int shift)
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
        Span<float> packed = Place(packedValues), x = Place(data.X);
        Span<float> h = Place(data.H0.AsSpan(0, units).ToArray()), c = Place(lstm ? data.C0.AsSpan(0, units).ToArray() : []);
        Span<float> scratch = Place(new float[lstm ? RecurrentKernels.LstmStepPackedScratch(units) : RecurrentKernels.GruStepPackedScratch(units)]);
        var outputs = new float[(data.Steps * units) + c.Length];
        for (int t = 0; t < data.Steps; t++)
        {
            // The case is time-major (T, m, I); with m = 1 step t's input starts at t·I.
            if (lstm)
            {
                RecurrentKernels.LstmStepPacked(packed, x.Slice(t * inputs, inputs), h, c, scratch, inputs, units, width);
            }
            else
            {
                RecurrentKernels.GruStepPacked(packed, x.Slice(t * inputs, inputs), h, scratch, inputs, units, width);
            }

            h.CopyTo(outputs.AsSpan(t * units));
        }

        c.CopyTo(outputs.AsSpan(data.Steps * units));
        return outputs;
    }
}
