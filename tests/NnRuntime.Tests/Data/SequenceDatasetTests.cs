using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NnGen.Data;

namespace NnGen.Tests.Data;

public class SequenceDatasetTests
{
    /// <summary>Value of sequence s, step t, feature f: every float tells where it came from.</summary>
    private static float Code(int s, int t, int f) => (1000 * s) + (10 * t) + f;

    private static float[] Series(int sequences, int steps, int width, float offset = 0) =>
        Enumerable.Range(0, sequences * steps * width).Select(i => Code(i / (steps * width), i / width % steps, i % width) + offset).ToArray();

    [Fact]
    public void PerStep_ShapesAndViews_WrapTheArraysWithoutCopying()
    {
        float[] x = Series(3, 5, 2), y = Series(3, 5, 1, offset: 0.5f);

        SequenceDataset data = SequenceDataset.PerStep(x, y, steps: 5, features: 2, outputs: 1, warmUp: 2);

        Assert.Equal((3, 5, 2, 1, true, 2, 3), (data.Count, data.Steps, data.Features, data.Outputs, data.LabelsPerStep, data.WarmUp, data.CountedSteps));
        Assert.True(SameStart(data.Inputs.Span, x, 0));
        Assert.True(SameStart(data.SequenceInputs(2).Span, x, 2 * 5 * 2));
        Assert.True(SameStart(data.SequenceLabels(1).Span, y, 5));
        Assert.Equal(10, data.SequenceInputs(2).Length);
        Assert.Equal(Code(2, 0, 0), data.SequenceInputs(2).Span[0]);
    }

    [Fact]
    public void PerSequence_OneLabelRowPerSequence_NoWarmUpAndNoWindows()
    {
        float[] x = Series(4, 3, 1), y = [0, 1, 0, 1, 1, 0, 1, 0];

        SequenceDataset data = SequenceDataset.PerSequence(x, y, steps: 3, features: 1, outputs: 2);

        Assert.Equal((4, false, 0, 1), (data.Count, data.LabelsPerStep, data.WarmUp, data.CountedSteps));
        Assert.Equal([1f, 0f], data.SequenceLabels(2).ToArray());
        Assert.True(SameStart(data.SequenceLabels(3).Span, y, 6));
        var error = Assert.Throws<InvalidOperationException>(() => data.Windows(1));
        Assert.Contains("the labels are one row per sequence", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => data.CopyStepsTimeMajor(0, 3, new float[3 * 4], new float[3 * 4 * 2]));
    }

    [Fact]
    public void BadShapes_AreRefusedNamingBothSizes()
    {
        float[] x = new float[30], y = new float[10];

        Assert.Equal(
            "inputs has 30 floats; expected a positive whole number of sequences of 4 steps x 2 features (8 floats each). (Parameter 'inputs')",
            Assert.Throws<ArgumentException>(() => SequenceDataset.PerStep(x, y, steps: 4, features: 2, outputs: 1)).Message);
        Assert.Equal(
            "labels has 10 floats; expected 15 (3 sequences x 5 steps x 1 outputs, a label row per step). (Parameter 'labels')",
            Assert.Throws<ArgumentException>(() => SequenceDataset.PerStep(x, y, steps: 5, features: 2, outputs: 1)).Message);
        Assert.Equal(
            "labels has 10 floats; expected 6 (3 sequences x 2 outputs, a label row per sequence). (Parameter 'labels')",
            Assert.Throws<ArgumentException>(() => SequenceDataset.PerSequence(x, y, steps: 5, features: 2, outputs: 2)).Message);
        Assert.Throws<ArgumentException>(() => SequenceDataset.PerStep(ReadOnlyMemory<float>.Empty, ReadOnlyMemory<float>.Empty, steps: 4, features: 2, outputs: 1));
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.PerStep(x, y, steps: 0, features: 2, outputs: 1)).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.PerStep(x, y, steps: 5, features: 0, outputs: 1)).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.PerSequence(x, y, steps: 5, features: 2, outputs: -1)).ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(9)]
    public void WarmUp_LeavingNoCountedStep_IsRefused(int warmUp)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.PerStep(new float[10], new float[10], steps: 5, features: 1, outputs: 1, warmUp));

        Assert.Equal("warmUp", error.ParamName);
        Assert.StartsWith(FormattableString.Invariant($"warmUp is {warmUp} steps; it must be from 0 to 4, so that at least one of the 5 steps of a sequence counts in the loss."), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SequenceIndex_OutOfRange_IsRefused()
    {
        SequenceDataset data = SequenceDataset.PerStep(new float[10], new float[10], steps: 5, features: 1, outputs: 1);

        Assert.StartsWith("sequence is 2; there are 2 sequences (0 to 1).", Assert.Throws<ArgumentOutOfRangeException>(() => data.SequenceInputs(2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.SequenceLabels(-1));
    }

    [Fact]
    public void FromSeries_CutsConsecutiveSequencesAsAReshape_DroppingTheShortTail()
    {
        // 23 steps of 2 features, 1 target; sequences of 5 steps: 4 sequences, 3 steps left over.
        float[] x = Enumerable.Range(0, 46).Select(i => (float)i).ToArray();
        float[] y = Enumerable.Range(0, 23).Select(i => -(float)i).ToArray();

        SequenceDataset data = SequenceDataset.FromSeries(x, y, features: 2, outputs: 1, sequenceSteps: 5, warmUp: 1);

        Assert.Equal((4, 5, 1, true), (data.Count, data.Steps, data.WarmUp, data.LabelsPerStep));
        Assert.Equal(40, data.Inputs.Length);
        Assert.Equal(20, data.Labels.Length);
        Assert.True(SameStart(data.Inputs.Span, x, 0));
        Assert.True(SameStart(data.SequenceInputs(3).Span, x, 30));
        Assert.Equal(-15f, data.SequenceLabels(3).Span[0]);

        SequenceDataset whole = SequenceDataset.FromSeries(x, y, features: 2, outputs: 1);
        Assert.Equal((1, 23), (whole.Count, whole.Steps));
        Assert.True(SameStart(whole.SequenceLabels(0).Span, y, 0));
    }

    [Fact]
    public void FromSeries_BadArguments_AreRefusedNamingTheSizes()
    {
        float[] x = new float[12], y = new float[6];

        Assert.Equal(
            "targets has 6 floats; expected 12 (12 steps, as the inputs have, x 1 outputs). (Parameter 'targets')",
            Assert.Throws<ArgumentException>(() => SequenceDataset.FromSeries(x, y, features: 1, outputs: 1)).Message);
        Assert.Equal(
            "inputs has 12 floats; expected a positive whole number of steps of 5 features. (Parameter 'inputs')",
            Assert.Throws<ArgumentException>(() => SequenceDataset.FromSeries(x, y, features: 5, outputs: 1)).Message);
        Assert.StartsWith(
            "sequenceSteps is 7; it must be from 1 to the 6 steps of the series.",
            Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.FromSeries(x, y, features: 2, outputs: 1, sequenceSteps: 7)).Message,
            StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.FromSeries(x, y, features: 2, outputs: 1, sequenceSteps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.FromSeries(x, y, features: 2, outputs: 1, sequenceSteps: 3, warmUp: 3));
    }

    [Theory]
    [InlineData(20, 0, 5, 4, 0)] // exact fit
    [InlineData(20, 0, 6, 3, 2)] // the short last window is dropped
    [InlineData(20, 4, 5, 3, 1)] // warm-up first, then whole windows
    [InlineData(20, 4, 16, 1, 0)] // one window of every counted step
    [InlineData(20, 19, 1, 1, 0)] // a single counted step
    [InlineData(7, 0, 1, 7, 0)]
    public void Windows_Arithmetic_WarmUpThenConsecutiveWholeWindows(int steps, int warmUp, int window, int count, int dropped)
    {
        SequenceDataset data = SequenceDataset.PerStep(Series(2, steps, 1), Series(2, steps, 1), steps, features: 1, outputs: 1, warmUp);

        SequenceWindows windows = data.Windows(window);

        Assert.Equal((count, dropped, warmUp, window, window), (windows.Count, windows.DroppedSteps, windows.WarmUp, windows.Window, windows.LastWindow));
        Assert.Equal(steps, warmUp + (count * window) + dropped);
        for (int k = 0; k < count; k++)
        {
            // Window k + 1 starts where window k ends, so the state can be carried from one to the next.
            Assert.Equal(warmUp + (k * window), windows.Start(k));
            Assert.Equal(window, windows.Steps(k));
            Assert.Equal(Code(1, windows.Start(k), 0), windows.Inputs(k, 1).Span[0]);
            Assert.Equal(Code(1, windows.Start(k) + window - 1, 0), windows.Labels(k, 1).Span[^1]);
        }

        Assert.Equal(warmUp, windows.WarmUpInputs(0).Length);
    }

    [Theory]
    [InlineData(20, 0, 6, 4, 2)] // the short last window is kept: 6, 6, 6, 2
    [InlineData(20, 4, 5, 4, 1)] // 5, 5, 5, 1 after the warm-up
    [InlineData(20, 4, 4, 4, 4)] // nothing left over: the same windows as without the option
    [InlineData(20, 4, 16, 1, 16)]
    public void Windows_KeepLastPartial_EndsWithAShorterWindowCoveringEveryStep(int steps, int warmUp, int window, int count, int last)
    {
        float[] x = Series(2, steps, 3), y = Series(2, steps, 1);
        SequenceDataset data = SequenceDataset.PerStep(x, y, steps, features: 3, outputs: 1, warmUp);

        SequenceWindows windows = data.Windows(window, keepLastPartial: true);

        Assert.Equal((count, last, 0), (windows.Count, windows.LastWindow, windows.DroppedSteps));
        Assert.Equal(steps, windows.Start(count - 1) + windows.Steps(count - 1));
        Assert.Equal(last * 3, windows.Inputs(count - 1, 1).Length);
        Assert.Equal(Code(1, steps - 1, 2), windows.Inputs(count - 1, 1).Span[^1]);
        Assert.Equal(Code(1, steps - 1, 0), windows.Labels(count - 1, 1).Span[^1]);

        float[] inputs = new float[last * 2 * 3], labels = new float[last * 2];
        windows.CopyTimeMajor(count - 1, inputs, labels);
        Assert.Equal(Code(1, steps - 1, 2), inputs[^1]);
        Assert.Equal(Code(0, windows.Start(count - 1), 0), labels[0]);
        if (count > 1)
        {
            Assert.Equal(window, windows.Steps(count - 2));
        }

        if (last < window)
        {
            Assert.Throws<ArgumentException>(() => windows.CopyTimeMajor(count - 1, new float[window * 2 * 3], default));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(-2)]
    public void Windows_WindowThatDoesNotFit_IsRefusedNamingTheSteps(int window)
    {
        SequenceDataset data = SequenceDataset.PerStep(new float[20], new float[20], steps: 20, features: 1, outputs: 1, warmUp: 4);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => data.Windows(window));

        Assert.StartsWith(FormattableString.Invariant($"window is {window} steps; it must be from 1 to the 16 steps of a sequence after its 4 warm-up steps (20 in all)."), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_IndexOutOfRange_IsRefused()
    {
        SequenceWindows windows = SequenceDataset.PerStep(new float[20], new float[20], steps: 20, features: 1, outputs: 1, warmUp: 4).Windows(5);

        Assert.StartsWith("window is 3; there are 3 windows of 5 steps (0 to 2).", Assert.Throws<ArgumentOutOfRangeException>(() => windows.Start(3)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => windows.Inputs(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => windows.Labels(0, 1));
    }

    [Fact]
    public void Windows_AreViewsIntoTheCallersArrays()
    {
        float[] x = Series(3, 12, 2), y = Series(3, 12, 1, offset: 0.25f);
        SequenceWindows windows = SequenceDataset.PerStep(x, y, steps: 12, features: 2, outputs: 1, warmUp: 2).Windows(4);

        Assert.True(SameStart(windows.Inputs(1, 2).Span, x, (2 * 24) + (6 * 2)));
        Assert.True(SameStart(windows.Labels(1, 2).Span, y, (2 * 12) + 6));
        Assert.True(SameStart(windows.WarmUpInputs(1).Span, x, 24));

        // A view sees a later change to the caller's array: nothing was copied.
        x[(2 * 24) + (6 * 2)] = -7f;
        Assert.Equal(-7f, windows.Inputs(1, 2).Span[0]);
    }

    [Fact]
    public void CopyTimeMajor_PutsEachStepsBatchTogether()
    {
        float[] x = Series(3, 12, 2), y = Series(3, 12, 1, offset: 0.25f);
        SequenceWindows windows = SequenceDataset.PerStep(x, y, steps: 12, features: 2, outputs: 1, warmUp: 2).Windows(4);
        float[] inputs = new float[4 * 3 * 2], labels = new float[4 * 3];

        windows.CopyTimeMajor(1, inputs, labels);

        for (int t = 0; t < 4; t++)
        {
            for (int s = 0; s < 3; s++)
            {
                for (int f = 0; f < 2; f++)
                {
                    Assert.Equal(Code(s, 6 + t, f), inputs[(((t * 3) + s) * 2) + f]);
                }

                Assert.Equal(Code(s, 6 + t, 0) + 0.25f, labels[(t * 3) + s]);
            }
        }

        float[] warm = new float[2 * 3 * 2];
        windows.CopyWarmUpTimeMajor(warm);
        Assert.Equal(Code(2, 1, 1), warm[(((1 * 3) + 2) * 2) + 1]);

        float[] inputsOnly = new float[4 * 3 * 2];
        windows.CopyTimeMajor(0, inputsOnly, default);
        Assert.Equal(Code(0, 2, 0), inputsOnly[0]);
    }

    [Fact]
    public void CopyTimeMajor_WrongLengthsOrSteps_AreRefusedNamingTheShape()
    {
        SequenceDataset data = SequenceDataset.PerStep(Series(3, 12, 2), Series(3, 12, 1), steps: 12, features: 2, outputs: 1);

        Assert.Equal(
            "inputs has 20 floats; expected 24 (4 steps x 3 sequences x 2 features). (Parameter 'inputs')",
            Assert.Throws<ArgumentException>(() => data.CopyStepsTimeMajor(0, 4, new float[20], default)).Message);
        Assert.Equal(
            "labels has 11 floats; expected 12 (4 steps x 3 sequences x 1 outputs). (Parameter 'labels')",
            Assert.Throws<ArgumentException>(() => data.CopyStepsTimeMajor(0, 4, new float[24], new float[11])).Message);
        Assert.StartsWith(
            "steps 10 to 13 are not within the 12 steps of a sequence (firstStep 10, steps 4).",
            Assert.Throws<ArgumentOutOfRangeException>(() => data.CopyStepsTimeMajor(10, 4, new float[24], default)).Message,
            StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => data.Windows(3).CopyWarmUpTimeMajor(new float[6]));
    }

    [Fact]
    public void CopyTimeMajor_AllocatesNothing()
    {
        SequenceWindows windows = SequenceDataset.PerStep(Series(8, 64, 1), Series(8, 64, 1), steps: 64, features: 1, outputs: 1, warmUp: 16).Windows(16);
        float[] inputs = new float[16 * 8], labels = new float[16 * 8];

        Support.AllocationAssert.NoAllocation(
            () =>
            {
                for (int k = 0; k < windows.Count; k++)
                {
                    windows.CopyTimeMajor(k, inputs, labels);
                }
            },
            calls: 10,
            "copying windows time-major");
    }

    private static bool SameStart(ReadOnlySpan<float> view, float[] array, int offset) =>
        Unsafe.AreSame(ref MemoryMarshal.GetReference(view), ref array[offset]);
}
