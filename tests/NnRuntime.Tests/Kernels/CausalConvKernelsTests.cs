using System;
using System.Globalization;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The streaming causal Conv1D kernels (issue 25, point 3) against the double-precision reference, the backward pass
/// against finite differences, and the kernels' own promises: the batch forward pass gives the streamed step's bits at
/// every width (across windows that carry the history), buffers' positions change no bit, gradients accumulate, nothing
/// allocates, and bad arguments are named.
/// </summary>
public sealed class CausalConvKernelsTests
{
    /// <summary>
    /// Outputs within this absolute error of the double reference: inputs and weights are O(1)/√(fan-in), so outputs
    /// are O(1), and a float sum of at most 160 products errs by a few ulps of its largest terms.
    /// </summary>
    private const double ForwardTolerance = 1e-5;

    private const int MaxShift = 15;

    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    /// <summary>
    /// Cin, Cout, K, d, g: RTNeural's rows, grouped and depthwise layers, K = 1, groups with a vector of columns but
    /// fewer rows than a block, and layers large enough for the 512-bit block of 16 rows.
    /// </summary>
    public static TheoryData<int, int, int, int, int> Layers() => new()
    {
        { 8, 8, 7, 1, 1 },
        { 1, 8, 3, 1, 1 },
        { 8, 8, 3, 2, 1 },
        { 8, 8, 3, 4, 1 },
        { 6, 4, 3, 2, 2 },
        { 4, 4, 2, 3, 4 },
        { 3, 5, 1, 1, 1 },
        { 12, 20, 5, 1, 1 },
        { 16, 32, 3, 2, 1 },
        { 32, 16, 4, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Step_EveryWidth_MatchesDoubleReferenceOverThousandSteps(int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        var data = new ConvCase(new CausalConvLayer(inChannels, outChannels, kernel, dilation, groups), seed: 100 + inChannels + kernel);
        float[] inputs = data.Inputs(1000, seed: 5);
        double[] expected = data.Layer.Forward(data.Weight, data.Bias, inputs, first: 0, steps: 1000);
        foreach (SimdWidth width in AllWidths)
        {
            float[] history = new float[CausalConvKernels.HistoryLength(inChannels, kernel, dilation)];
            float[] actual = data.Stream(inputs, history, width);
            AssertWithin(expected, actual, ForwardTolerance, $"{data.Layer} at {width} from a zero history");
        }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Forward_TwoWindowsOfThreeStreams_SameBitsAsStep_EveryWidth(int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        var data = new ConvCase(new CausalConvLayer(inChannels, outChannels, kernel, dilation, groups), seed: 200 + outChannels + dilation);
        const int Batch = 3, First = 400, Second = 600;
        int historyLength = CausalConvKernels.HistoryLength(inChannels, kernel, dilation);
        float[][] streams = Enumerable.Range(0, Batch).Select(j => data.Inputs(First + Second, seed: 10 + j)).ToArray();
        foreach (SimdWidth width in AllWidths)
        {
            // Nonzero starting histories, a different phase per stream: 17, 18 and 19 samples already seen.
            float[] histories = new float[Batch * historyLength];
            for (int j = 0; j < Batch; j++)
            {
                data.Stream(data.Inputs(17 + j, seed: 30 + j), histories.AsSpan(j * historyLength, historyLength), width);
            }

            float[] streamed = (float[])histories.Clone();
            float[][] expected = new float[Batch][];
            for (int j = 0; j < Batch; j++)
            {
                expected[j] = data.Stream(streams[j], streamed.AsSpan(j * historyLength, historyLength), width);
            }

            float[] y = new float[(First + Second) * Batch * outChannels];
            foreach ((int start, int steps) in new[] { (0, First), (First, Second) })
            {
                float[] x = new float[steps * Batch * inChannels];
                for (int t = 0; t < steps; t++)
                {
                    for (int j = 0; j < Batch; j++)
                    {
                        streams[j].AsSpan((start + t) * inChannels, inChannels).CopyTo(x.AsSpan(((t * Batch) + j) * inChannels));
                    }
                }

                CausalConvKernels.Forward(
                    data.Weight, data.Bias, x, histories, y.AsSpan(start * Batch * outChannels, steps * Batch * outChannels), steps, Batch,
                    inChannels, outChannels, kernel, dilation, groups, [], width);
            }

            for (int j = 0; j < Batch; j++)
            {
                float[] forward = new float[(First + Second) * outChannels];
                for (int t = 0; t < First + Second; t++)
                {
                    y.AsSpan(((t * Batch) + j) * outChannels, outChannels).CopyTo(forward.AsSpan(t * outChannels));
                }

                AssertBitIdentical(expected[j], forward, $"{data.Layer} at {width}, stream {j}: Forward in two windows against Step");
            }

            AssertBitIdentical(streamed, histories, $"{data.Layer} at {width}: the histories after the last step");
        }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Backward_MatchesFiniteDifferencesOfTheReference(int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        var data = new ConvCase(new CausalConvLayer(inChannels, outChannels, kernel, dilation, groups), seed: 300 + inChannels + outChannels);
        CausalConvLayer layer = data.Layer;
        const int Batch = 2, Steps = 9;
        int past = (dilation * (kernel - 1)) + 2, historyLength = CausalConvKernels.HistoryLength(inChannels, kernel, dilation);

        // Batch-first whole streams (past samples, then the window), and their time-major window and histories.
        float[] whole = KernelTestSupport.RandomFloats(Batch * (past + Steps) * inChannels, seed: 41);
        float[] r = KernelTestSupport.RandomFloats(Batch * Steps * outChannels, seed: 42);
        (float[] x, float[] historyBefore, float[] dy) = data.Window(whole, r, past, Steps, Batch);

        float[] dWeight = new float[layer.WeightLength], dBias = new float[outChannels], dx = new float[x.Length];
        CausalConvKernels.Backward(
            data.Weight, x, historyBefore, dy, Steps, Batch, inChannels, outChannels, kernel, dilation, groups, dWeight, dBias, dx,
            new float[CausalConvKernels.BackwardScratch(Steps, Batch, inChannels, outChannels, kernel, dilation, groups)]);

        // The loss is linear in each parameter and input, so a central difference is exact up to the double sums' rounding.
        double Loss(float[] weight, float[] bias, float[] inputs) => layer.Loss(weight, bias, inputs, past, Steps, Batch, r);
        AssertGradient(dWeight, data.Weight, w => Loss(w, data.Bias, whole), $"{layer}: dW");
        AssertGradient(dBias, data.Bias, b => Loss(data.Weight, b, whole), $"{layer}: db");
        float[] expectedDx = new float[x.Length];
        for (int j = 0; j < Batch; j++)
        {
            for (int t = 0; t < Steps; t++)
            {
                for (int c = 0; c < inChannels; c++)
                {
                    int index = (((j * (past + Steps)) + past + t) * inChannels) + c;
                    expectedDx[(((t * Batch) + j) * inChannels) + c] = (float)Difference(whole, index, w => Loss(data.Weight, data.Bias, w));
                }
            }
        }

        AssertWithin(expectedDx.Select(v => (double)v).ToArray(), dx, 1e-4, $"{layer}: dx of the window (none flows into the history)");
    }

    [Fact]
    public void Backward_Accumulates_OverwritesDx_AndSkipsItWhenEmpty()
    {
        var data = new ConvCase(new CausalConvLayer(6, 4, 3, 2, 2), seed: 7);
        const int Batch = 3, Steps = 11;
        int past = 6;
        (float[] x, float[] historyBefore, float[] dy) = data.Window(
            KernelTestSupport.RandomFloats(Batch * (past + Steps) * 6, seed: 8), KernelTestSupport.RandomFloats(Batch * Steps * 4, seed: 9), past, Steps, Batch);
        float[] scratch = new float[CausalConvKernels.BackwardScratch(Steps, Batch, 6, 4, 3, 2, 2)];
        float[] once = new float[data.Layer.WeightLength], onceBias = new float[4], dx = new float[x.Length];
        CausalConvKernels.Backward(data.Weight, x, historyBefore, dy, Steps, Batch, 6, 4, 3, 2, 2, once, onceBias, dx, scratch);

        float[] twice = Enumerable.Repeat(0.25f, once.Length).ToArray(), twiceBias = Enumerable.Repeat(-0.5f, 4).ToArray();
        float[] dxAgain = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        CausalConvKernels.Backward(data.Weight, x, historyBefore, dy, Steps, Batch, 6, 4, 3, 2, 2, twice, twiceBias, dxAgain, scratch);
        CausalConvKernels.Backward(data.Weight, x, historyBefore, dy, Steps, Batch, 6, 4, 3, 2, 2, twice, twiceBias, [], scratch);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(0.25f + once[i] + once[i], twice[i], 5e-6f);
        }

        for (int i = 0; i < onceBias.Length; i++)
        {
            Assert.Equal(-0.5f + onceBias[i] + onceBias[i], twiceBias[i], 5e-6f);
        }

        AssertBitIdentical(dx, dxAgain, "dx is overwritten, whatever it held");
    }

    /// <summary>
    /// Each dW, db and dx element is one running sum in a fixed order, whatever the width: dW and db over (t, j)
    /// ascending from 0, dx over (o, k) ascending from 0. Written here as the scalar loops it must equal to the bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Layers))]
    public void Backward_EveryWidth_IsTheScalarOrderedSums_BitForBit(int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        var data = new ConvCase(new CausalConvLayer(inChannels, outChannels, kernel, dilation, groups), seed: 600 + inChannels);
        const int Batch = 3, Steps = 13;
        int past = dilation * (kernel - 1), cg = inChannels / groups, og = outChannels / groups;
        (float[] x, float[] historyBefore, float[] dy) = data.Window(
            KernelTestSupport.RandomFloats(Batch * (past + 2 + Steps) * inChannels, seed: 61), KernelTestSupport.RandomFloats(Batch * Steps * outChannels, seed: 62), past + 2, Steps, Batch);

        // The window's inputs with the history's samples before it, per stream, read back by the forward pass.
        var unrolled = new float[Batch][];
        for (int j = 0; j < Batch; j++)
        {
            unrolled[j] = new float[(past + Steps) * inChannels];
        }

        // x_{t−s} for s ≤ past is what a step at t reads at tap k = K−1−s/d; recover it with unit impulses of W instead of
        // re-deriving the history layout: a layer whose W picks channel c at tap k outputs x_{t−(K−1−k)d}[c].
        for (int c = 0; c < inChannels; c++)
        {
            for (int k = 0; k < kernel; k++)
            {
                var picker = new float[inChannels * kernel];
                picker[(c * kernel) + k] = 1f;
                var picked = new float[Steps * Batch];
                float[] start = (float[])historyBefore.Clone();
                CausalConvKernels.Forward(picker, [0f], x, start, picked, Steps, Batch, inChannels, 1, kernel, dilation, 1, []);
                for (int t = 0; t < Steps; t++)
                {
                    for (int j = 0; j < Batch; j++)
                    {
                        unrolled[j][((t + (k * dilation)) * inChannels) + c] = picked[(t * Batch) + j];
                    }
                }
            }
        }

        float[] expectedWeight = new float[data.Layer.WeightLength], expectedBias = new float[outChannels], expectedDx = new float[x.Length];
        for (int o = 0; o < outChannels; o++)
        {
            float biasSum = 0f;
            for (int t = 0; t < Steps; t++)
            {
                for (int j = 0; j < Batch; j++)
                {
                    biasSum += dy[(((t * Batch) + j) * outChannels) + o];
                }
            }

            expectedBias[o] = 0.5f + biasSum;
            for (int c = 0; c < cg; c++)
            {
                for (int k = 0; k < kernel; k++)
                {
                    float sum = 0f;
                    for (int t = 0; t < Steps; t++)
                    {
                        for (int j = 0; j < Batch; j++)
                        {
                            sum = MathF.FusedMultiplyAdd(dy[(((t * Batch) + j) * outChannels) + o], unrolled[j][((t + (k * dilation)) * inChannels) + (o / og * cg) + c], sum);
                        }
                    }

                    expectedWeight[(((o * cg) + c) * kernel) + k] = 0.5f + sum;
                }
            }
        }

        for (int t = 0; t < Steps; t++)
        {
            for (int j = 0; j < Batch; j++)
            {
                for (int c = 0; c < inChannels; c++)
                {
                    int group = c / cg;
                    float sum = 0f;
                    for (int o = group * og; o < (group + 1) * og; o++)
                    {
                        for (int k = 0; k < kernel; k++)
                        {
                            int later = t + ((kernel - 1 - k) * dilation);
                            if (later < Steps)
                            {
                                sum = MathF.FusedMultiplyAdd(data.Weight[(((o * cg) + (c - (group * cg))) * kernel) + k], dy[(((later * Batch) + j) * outChannels) + o], sum);
                            }
                        }
                    }

                    expectedDx[(((t * Batch) + j) * inChannels) + c] = sum;
                }
            }
        }

        foreach (SimdWidth width in AllWidths)
        {
            using (SimdWidths.ForceForTesting(width))
            {
                float[] dWeight = Enumerable.Repeat(0.5f, data.Layer.WeightLength).ToArray(), dBias = Enumerable.Repeat(0.5f, outChannels).ToArray(), dx = new float[x.Length];
                CausalConvKernels.Backward(
                    data.Weight, x, historyBefore, dy, Steps, Batch, inChannels, outChannels, kernel, dilation, groups, dWeight, dBias, dx,
                    new float[CausalConvKernels.BackwardScratch(Steps, Batch, inChannels, outChannels, kernel, dilation, groups)]);
                AssertBitIdentical(expectedWeight, dWeight, $"{data.Layer} at {width}: dW");
                AssertBitIdentical(expectedBias, dBias, $"{data.Layer} at {width}: db");
                AssertBitIdentical(expectedDx, dx, $"{data.Layer} at {width}: dx");
            }
        }
    }

    [Theory]
    [InlineData(8, 8, 7, 1, 1)]
    [InlineData(8, 8, 3, 4, 1)]
    [InlineData(16, 32, 3, 2, 1)]
    [InlineData(6, 4, 3, 2, 2)]
    public void EveryKernel_OperandsShifted_SameBits(int inChannels, int outChannels, int kernel, int dilation, int groups)
    {
        var data = new ConvCase(new CausalConvLayer(inChannels, outChannels, kernel, dilation, groups), seed: 400);
        foreach (SimdWidth width in AllWidths)
        {
            float[] expected = data.ShiftedRun(0, width);
            for (int shift = 1; shift <= MaxShift; shift++)
            {
                AssertBitIdentical(expected, data.ShiftedRun(shift, width), $"{data.Layer} at {width}, operands shifted by {shift}");
            }
        }
    }

    [Fact]
    public void EveryKernel_AfterWarmUp_AllocatesNothing()
    {
        foreach ((int cin, int cout, int k, int d, int g) in new[] { (8, 8, 7, 1, 1), (1, 8, 3, 1, 1), (8, 8, 3, 4, 1), (16, 32, 3, 2, 1), (4, 4, 2, 3, 4) })
        {
            var data = new ConvCase(new CausalConvLayer(cin, cout, k, d, g), seed: 500);
            const int Batch = 3, Steps = 8;
            int historyLength = CausalConvKernels.HistoryLength(cin, k, d);
            float[] x = KernelTestSupport.RandomFloats(Steps * Batch * cin, seed: 1), dy = KernelTestSupport.RandomFloats(Steps * Batch * cout, seed: 2);
            float[] history = new float[historyLength], histories = new float[Batch * historyLength], before = new float[Batch * historyLength];
            float[] yStep = new float[cout], y = new float[dy.Length], dWeight = new float[data.Layer.WeightLength], dBias = new float[cout], dx = new float[x.Length];
            float[] scratch = new float[CausalConvKernels.BackwardScratch(Steps, Batch, cin, cout, k, d, g)];
            float[] forwardScratch = new float[CausalConvKernels.ForwardScratch(Steps, Batch, cin, k, d)];

            void RunAll()
            {
                CausalConvKernels.Step(data.Weight, data.Bias, x.AsSpan(0, cin), history, yStep, cin, cout, k, d, g);
                CausalConvKernels.Forward(data.Weight, data.Bias, x, histories, y, Steps, Batch, cin, cout, k, d, g, forwardScratch);
                CausalConvKernels.Backward(data.Weight, x, before, dy, Steps, Batch, cin, cout, k, d, g, dWeight, dBias, dx, scratch);
            }

            AllocationAssert.NoAllocation(RunAll, calls: 5, $"{data.Layer}: Step, Forward and Backward");
        }
    }

    [Fact]
    public void HistoryLength_IsPhaseBlocksAndThePhase()
    {
        Assert.Equal((7 * 8) + 1, CausalConvKernels.HistoryLength(8, 7, 1));
        Assert.Equal((4 * 8 * 3) + 1, CausalConvKernels.HistoryLength(8, 3, 4));
        Assert.Equal(2, CausalConvKernels.HistoryLength(1, 1, 1));
        Assert.Equal(0, CausalConvKernels.ForwardScratch(25, 3, 8, 3, 2));
        Assert.Equal((3 * ((2 * 2) + 25) * 8) + (2 * 8 * 8 * 3) + 8, CausalConvKernels.BackwardScratch(25, 3, 8, 8, 3, 2, 1));
        Assert.Equal((3 * ((2 * 2) + 25) * 6) + (2 * 4 * 3 * 3) + 4, CausalConvKernels.BackwardScratch(25, 3, 6, 4, 3, 2, 2));
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => CausalConvKernels.HistoryLength(8, 0, 1));
        Assert.Contains("kernel is 0", zero.Message, StringComparison.Ordinal);
        var huge = Assert.Throws<ArgumentOutOfRangeException>(() => CausalConvKernels.HistoryLength(1 << 16, 1 << 10, 1 << 10));
        Assert.Contains("more than one span holds", huge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_WrongArguments_NameTheSpanAndBothSizes()
    {
        var data = new ConvCase(new CausalConvLayer(8, 8, 3, 2, 1), seed: 600);
        float[] x = new float[8], history = new float[CausalConvKernels.HistoryLength(8, 3, 2)], y = new float[8];

        var weight = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight.AsSpan(1), data.Bias, x, history, y, 8, 8, 3, 2, 1));
        Assert.Equal("weight", weight.ParamName);
        Assert.Contains("weight has 191 floats, expected 192 (outChannels x inChannels/groups x kernel)", weight.Message, StringComparison.Ordinal);

        var shortHistory = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, new float[48], y, 8, 8, 3, 2, 1));
        Assert.Contains("history has 48 floats, expected 49 (HistoryLength(inChannels, kernel, dilation))", shortHistory.Message, StringComparison.Ordinal);

        var input = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, new float[7], history, y, 8, 8, 3, 2, 1));
        Assert.Contains("x has 7 floats, expected 8 (inChannels)", input.Message, StringComparison.Ordinal);

        var output = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, history, new float[9], 8, 8, 3, 2, 1));
        Assert.Contains("y has 9 floats, expected 8 (outChannels)", output.Message, StringComparison.Ordinal);

        var groups = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, history, y, 8, 8, 3, 2, 3));
        Assert.Contains("8 input and 8 output channels must both divide by 3 groups", groups.Message, StringComparison.Ordinal);

        var dilation = Assert.Throws<ArgumentOutOfRangeException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, history, y, 8, 8, 3, 0, 1));
        Assert.Contains("dilation is 0; it must be at least 1", dilation.Message, StringComparison.Ordinal);

        float[] shared = new float[history.Length + 8];
        var overlap = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, shared.AsSpan(0, history.Length), shared.AsSpan(history.Length - 1, 8), 8, 8, 3, 2, 1));
        Assert.Contains("y overlaps history", overlap.Message, StringComparison.Ordinal);

        var intoWeight = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, data.Weight.AsSpan(0, 8), history, data.Weight.AsSpan(100, 8), 8, 8, 3, 2, 1));
        Assert.Contains("y overlaps weight", intoWeight.Message, StringComparison.Ordinal);

        foreach (float phase in new[] { 2f, 0.5f, -1f, float.NaN })
        {
            float[] bad = new float[history.Length];
            bad[^1] = phase;
            var badPhase = Assert.Throws<ArgumentException>(() => CausalConvKernels.Step(data.Weight, data.Bias, x, bad, y, 8, 8, 3, 2, 1));
            Assert.Equal("history", badPhase.ParamName);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"holds the phase {phase:R} in its last float (index 48), expected an integer from 0 to 1 (dilation 2)"), badPhase.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ForwardAndBackward_WrongArguments_NameTheSpanAndBothSizes()
    {
        var data = new ConvCase(new CausalConvLayer(8, 8, 3, 2, 1), seed: 700);
        const int Steps = 5, Batch = 2;
        int historyLength = CausalConvKernels.HistoryLength(8, 3, 2);
        float[] x = new float[Steps * Batch * 8], histories = new float[Batch * historyLength], y = new float[Steps * Batch * 8];

        var wrongX = Assert.Throws<ArgumentException>(() => CausalConvKernels.Forward(data.Weight, data.Bias, x.AsSpan(1), histories, y, Steps, Batch, 8, 8, 3, 2, 1, []));
        Assert.Contains("CausalConvKernels.Forward: x has 79 floats, expected 80 (steps x batch x inChannels)", wrongX.Message, StringComparison.Ordinal);

        var wrongHistory = Assert.Throws<ArgumentException>(() => CausalConvKernels.Forward(data.Weight, data.Bias, x, new float[historyLength], y, Steps, Batch, 8, 8, 3, 2, 1, []));
        Assert.Contains("history has 49 floats, expected 98 (batch x HistoryLength(inChannels, kernel, dilation))", wrongHistory.Message, StringComparison.Ordinal);

        histories[historyLength + historyLength - 1] = 3f;
        var badPhase = Assert.Throws<ArgumentException>(() => CausalConvKernels.Forward(data.Weight, data.Bias, x, histories, y, Steps, Batch, 8, 8, 3, 2, 1, []));
        Assert.Contains("history of stream 1 holds the phase 3", badPhase.Message, StringComparison.Ordinal);
        Assert.All(y, value => Assert.Equal(0f, value));
        histories[^1] = 0f;

        float[] dWeight = new float[data.Weight.Length], dBias = new float[8], dx = new float[x.Length];
        float[] scratch = new float[CausalConvKernels.BackwardScratch(Steps, Batch, 8, 8, 3, 2, 1)];
        var wrongDy = Assert.Throws<ArgumentException>(() => CausalConvKernels.Backward(data.Weight, x, histories, new float[3], Steps, Batch, 8, 8, 3, 2, 1, dWeight, dBias, dx, scratch));
        Assert.Contains("CausalConvKernels.Backward: dy has 3 floats, expected 80 (steps x batch x outChannels)", wrongDy.Message, StringComparison.Ordinal);

        var wrongDx = Assert.Throws<ArgumentException>(() => CausalConvKernels.Backward(data.Weight, x, histories, y, Steps, Batch, 8, 8, 3, 2, 1, dWeight, dBias, new float[4], scratch));
        Assert.Contains("dx has 4 floats, expected 80 (steps x batch x inChannels, or empty)", wrongDx.Message, StringComparison.Ordinal);

        var wrongScratch = Assert.Throws<ArgumentException>(() => CausalConvKernels.Backward(data.Weight, x, histories, y, Steps, Batch, 8, 8, 3, 2, 1, dWeight, dBias, dx, new float[1]));
        Assert.Contains("scratch has 1 floats, expected 536", wrongScratch.Message, StringComparison.Ordinal);

        var aliased = Assert.Throws<ArgumentException>(() => CausalConvKernels.Backward(data.Weight, x, histories, y, Steps, Batch, 8, 8, 3, 2, 1, dWeight, dBias, x, scratch));
        Assert.Contains("dx overlaps x", aliased.Message, StringComparison.Ordinal);
    }

    private static void AssertGradient(float[] actual, float[] parameters, Func<float[], double> loss, string what)
    {
        double[] expected = new double[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            expected[i] = Difference(parameters, i, loss);
        }

        AssertWithin(expected, actual, 1e-4 * Math.Max(1, expected.Max(Math.Abs)), what);
    }

    /// <summary>(L(p + h) − L(p − h)) / (the floats' actual difference) with h = 2⁻⁷ at element i.</summary>
    private static double Difference(float[] values, int i, Func<float[], double> loss)
    {
        float original = values[i];
        float plus = original + 0.0078125f, minus = original - 0.0078125f;
        values[i] = plus;
        double up = loss(values);
        values[i] = minus;
        double down = loss(values);
        values[i] = original;
        return (up - down) / ((double)plus - minus);
    }

    internal static void AssertWithin(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E3}, allowed {tolerance:E3})."));
            }
        }
    }

    internal static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} bit for bit."));
            }
        }
    }

    /// <summary>A layer with weights and biases as PyTorch initializes them (uniform in ±1/√(fan-in)) and its kernel calls.</summary>
    private sealed class ConvCase(CausalConvLayer layer, int seed)
    {
        public CausalConvLayer Layer { get; } = layer;

        public float[] Weight { get; } = KernelTestSupport.RandomFloats(layer.WeightLength, seed, 1f / MathF.Sqrt(layer.ChannelsPerGroup * layer.Kernel));

        public float[] Bias { get; } = KernelTestSupport.RandomFloats(layer.OutChannels, seed + 1, 1f / MathF.Sqrt(layer.ChannelsPerGroup * layer.Kernel));

        public float[] Inputs(int steps, int seed) => KernelTestSupport.RandomFloats(steps * Layer.InChannels, seed);

        /// <summary>Every sample of <paramref name="inputs"/> through the step from <paramref name="history"/>: the outputs, steps × Cout.</summary>
        public float[] Stream(ReadOnlySpan<float> inputs, Span<float> history, SimdWidth width)
        {
            int steps = inputs.Length / Layer.InChannels;
            float[] y = new float[steps * Layer.OutChannels];
            for (int t = 0; t < steps; t++)
            {
                CausalConvKernels.Step(
                    Weight, Bias, inputs.Slice(t * Layer.InChannels, Layer.InChannels), history, y.AsSpan(t * Layer.OutChannels, Layer.OutChannels),
                    Layer.InChannels, Layer.OutChannels, Layer.Kernel, Layer.Dilation, Layer.Groups, width);
            }

            return y;
        }

        /// <summary>
        /// From batch-first whole streams (<paramref name="past"/> samples, then the window) and r (m, T, Cout): the window
        /// time-major, the histories after the past samples (streamed through the step from zero) and dy = r time-major.
        /// </summary>
        public (float[] X, float[] Histories, float[] Dy) Window(float[] whole, float[] r, int past, int steps, int batch)
        {
            int cin = Layer.InChannels, cout = Layer.OutChannels, historyLength = CausalConvKernels.HistoryLength(cin, Layer.Kernel, Layer.Dilation);
            float[] x = new float[steps * batch * cin], histories = new float[batch * historyLength], dy = new float[steps * batch * cout];
            for (int j = 0; j < batch; j++)
            {
                ReadOnlySpan<float> stream = whole.AsSpan(j * (past + steps) * cin, (past + steps) * cin);
                Stream(stream[..(past * cin)], histories.AsSpan(j * historyLength, historyLength), SimdWidth.Auto);
                for (int t = 0; t < steps; t++)
                {
                    stream.Slice((past + t) * cin, cin).CopyTo(x.AsSpan(((t * batch) + j) * cin));
                    r.AsSpan(((j * steps) + t) * cout, cout).CopyTo(dy.AsSpan(((t * batch) + j) * cout));
                }
            }

            return (x, histories, dy);
        }

        /// <summary>Step, Forward and Backward with every operand and output placed <paramref name="shift"/> floats into a larger buffer.</summary>
        public float[] ShiftedRun(int shift, SimdWidth width)
        {
            const int Batch = 3, Steps = 13;
            int cin = Layer.InChannels, cout = Layer.OutChannels, k = Layer.Kernel, d = Layer.Dilation, g = Layer.Groups;
            int historyLength = CausalConvKernels.HistoryLength(cin, k, d);
            Span<float> weight = Place(Weight), bias = Place(Bias), x = Place(KernelTestSupport.RandomFloats(Steps * Batch * cin, seed: 3));
            Span<float> dy = Place(KernelTestSupport.RandomFloats(Steps * Batch * cout, seed: 4));
            Span<float> histories = Place(new float[Batch * historyLength]), y = Place(new float[Steps * Batch * cout]);
            for (int j = 0; j < Batch; j++)
            {
                Stream(KernelTestSupport.RandomFloats((5 + j) * cin, seed: 5 + j), histories.Slice(j * historyLength, historyLength), width);
            }

            float[] before = histories.ToArray();
            Span<float> stepHistory = Place(before.AsSpan(0, historyLength).ToArray()), stepY = Place(new float[cout]);
            CausalConvKernels.Step(weight, bias, x[..cin], stepHistory, stepY, cin, cout, k, d, g, width);
            CausalConvKernels.Forward(weight, bias, x, histories, y, Steps, Batch, cin, cout, k, d, g, [], width);
            Span<float> dWeight = Place(new float[Layer.WeightLength]), dBias = Place(new float[cout]), dx = Place(new float[x.Length]);
            CausalConvKernels.Backward(
                weight, x, Place(before), dy, Steps, Batch, cin, cout, k, d, g, dWeight, dBias, dx,
                Place(new float[CausalConvKernels.BackwardScratch(Steps, Batch, cin, cout, k, d, g)]));
            return [.. stepY, .. stepHistory, .. y, .. histories, .. dWeight, .. dBias, .. dx];

            Span<float> Place(float[] values)
            {
                float[] buffer = new float[values.Length + MaxShift];
                values.CopyTo(buffer, shift);
                return buffer.AsSpan(shift, values.Length);
            }
        }
    }
}
