using System;
using System.Globalization;

namespace NnGen.Data;

/// <summary>
/// Sequences for a recurrent network, batch-first: <see cref="Inputs"/> is [<see cref="Count"/> x <see cref="Steps"/> x
/// <see cref="Features"/>], one sequence per row, and <see cref="Labels"/> is either one label row per step
/// ([<see cref="Count"/> x <see cref="Steps"/> x <see cref="Outputs"/>], <see cref="LabelsPerStep"/>) or one per sequence
/// ([<see cref="Count"/> x <see cref="Outputs"/>], a many-to-one network). Every constructor wraps the memory it is
/// given and every accessor returns a view of it: nothing is copied until a batch is laid out time-major for the
/// kernels (<see cref="CopyStepsTimeMajor"/>), once.
/// </summary>
/// <remarks>
/// With per-step labels the first <see cref="WarmUp"/> steps of every sequence run through the network (they build its
/// state) but are not counted in the loss: a model of an effect with memory cannot know the state the target was
/// recorded in until it has heard some input. <see cref="Windows"/> cuts the counted steps into consecutive windows for
/// stateful training with truncated backpropagation through time.
/// </remarks>
public sealed class SequenceDataset
{
    private SequenceDataset(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels, int count, int steps, int features, int outputs, bool labelsPerStep, int warmUp)
    {
        Inputs = inputs;
        Labels = labels;
        Count = count;
        Steps = steps;
        Features = features;
        Outputs = outputs;
        LabelsPerStep = labelsPerStep;
        WarmUp = warmUp;
    }

    /// <summary>The inputs, [<see cref="Count"/> x <see cref="Steps"/> x <see cref="Features"/>] row-major, as given.</summary>
    public ReadOnlyMemory<float> Inputs { get; }

    /// <summary>
    /// The labels, as given: [<see cref="Count"/> x <see cref="Steps"/> x <see cref="Outputs"/>] with
    /// <see cref="LabelsPerStep"/>, otherwise [<see cref="Count"/> x <see cref="Outputs"/>].
    /// </summary>
    public ReadOnlyMemory<float> Labels { get; }

    /// <summary>m, the number of sequences.</summary>
    public int Count { get; }

    /// <summary>T, the steps of every sequence.</summary>
    public int Steps { get; }

    /// <summary>Features per step (the network's <c>Inputs</c>).</summary>
    public int Features { get; }

    /// <summary>Floats per label row (the network's outputs).</summary>
    public int Outputs { get; }

    /// <summary>Whether every step has a label row (sequence to sequence) rather than every sequence (many to one).</summary>
    public bool LabelsPerStep { get; }

    /// <summary>
    /// Steps at the start of every sequence that are run but not counted in the loss; 0 for none, and always 0 for
    /// labels per sequence (the one label is the last step's).
    /// </summary>
    public int WarmUp { get; }

    /// <summary>Label rows per sequence that count in the loss: <see cref="Steps"/> − <see cref="WarmUp"/>, or 1 per sequence.</summary>
    public int CountedSteps => LabelsPerStep ? Steps - WarmUp : 1;

    /// <summary>
    /// Sequences with a label row per step (the output of a recurrent network that returns its sequences, a Dense layer
    /// applied at every step). Wraps the memory without copying.
    /// </summary>
    /// <param name="inputs">m sequences of <paramref name="steps"/> x <paramref name="features"/> floats, one after another.</param>
    /// <param name="labels">m sequences of <paramref name="steps"/> x <paramref name="outputs"/> floats, in the same order.</param>
    /// <param name="steps">T, the steps of every sequence; at least 1.</param>
    /// <param name="features">Features per step; at least 1.</param>
    /// <param name="outputs">Floats per label row; at least 1.</param>
    /// <param name="warmUp">Steps at the start of every sequence not counted in the loss; from 0 to T − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or <paramref name="warmUp"/> leaves no step counted.</exception>
    /// <exception cref="ArgumentException">
    /// The inputs are empty or not whole sequences, or the labels are not one row per step of the same sequences (the
    /// message gives both lengths and the shape expected).
    /// </exception>
    public static SequenceDataset PerStep(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels, int steps, int features, int outputs, int warmUp = 0)
    {
        int count = CountSequences(inputs.Length, steps, features, outputs);
        CheckWarmUp(warmUp, steps);
        long expected = (long)count * steps * outputs;
        if (labels.Length != expected)
        {
            throw new ArgumentException(
                Format($"labels has {labels.Length} floats; expected {expected} ({count} sequences x {steps} steps x {outputs} outputs, a label row per step)."),
                nameof(labels));
        }

        return new SequenceDataset(inputs, labels, count, steps, features, outputs, labelsPerStep: true, warmUp);
    }

    /// <summary>
    /// Sequences with one label row each (a many-to-one network: a recurrent layer that returns only its last step).
    /// Wraps the memory without copying.
    /// </summary>
    /// <param name="inputs">m sequences of <paramref name="steps"/> x <paramref name="features"/> floats, one after another.</param>
    /// <param name="labels">m label rows of <paramref name="outputs"/> floats, in the same order.</param>
    /// <param name="steps">T, the steps of every sequence; at least 1.</param>
    /// <param name="features">Features per step; at least 1.</param>
    /// <param name="outputs">Floats per label row; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">
    /// The inputs are empty or not whole sequences, or the labels are not one row per sequence (the message gives both
    /// lengths and the shape expected).
    /// </exception>
    public static SequenceDataset PerSequence(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels, int steps, int features, int outputs)
    {
        int count = CountSequences(inputs.Length, steps, features, outputs);
        long expected = (long)count * outputs;
        if (labels.Length != expected)
        {
            throw new ArgumentException(
                Format($"labels has {labels.Length} floats; expected {expected} ({count} sequences x {outputs} outputs, a label row per sequence)."),
                nameof(labels));
        }

        return new SequenceDataset(inputs, labels, count, steps, features, outputs, labelsPerStep: false, warmUp: 0);
    }

    /// <summary>
    /// One long recording (an input series and the target series it produced, step by step) cut into consecutive
    /// sequences of <paramref name="sequenceSteps"/> steps: sequence i is steps [i·T, (i + 1)·T) of the series. Since the
    /// series is already batch-first for that shape, the cut is a reshape and nothing is copied. Steps left over at
    /// the end (fewer than T) are not used; <c>seriesSteps − Count·Steps</c> says how many.
    /// </summary>
    /// <param name="inputs">The input series, <paramref name="features"/> floats per step.</param>
    /// <param name="targets">The target series, <paramref name="outputs"/> floats per step, as many steps as the inputs.</param>
    /// <param name="features">Features per step; at least 1.</param>
    /// <param name="outputs">Targets per step; at least 1.</param>
    /// <param name="sequenceSteps">T; <see langword="null"/> for the whole series as one sequence.</param>
    /// <param name="warmUp">Steps at the start of every sequence not counted in the loss; from 0 to T − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A size is below 1, <paramref name="sequenceSteps"/> is longer than the series, or <paramref name="warmUp"/>
    /// leaves no step counted.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A series is empty or not whole steps, or the two series have different numbers of steps.
    /// </exception>
    public static SequenceDataset FromSeries(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> targets, int features, int outputs, int? sequenceSteps = null, int warmUp = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (inputs.Length == 0 || inputs.Length % features != 0)
        {
            throw new ArgumentException(
                Format($"inputs has {inputs.Length} floats; expected a positive whole number of steps of {features} features."),
                nameof(inputs));
        }

        int seriesSteps = inputs.Length / features;
        if (targets.Length != (long)seriesSteps * outputs)
        {
            throw new ArgumentException(
                Format($"targets has {targets.Length} floats; expected {(long)seriesSteps * outputs} ({seriesSteps} steps, as the inputs have, x {outputs} outputs)."),
                nameof(targets));
        }

        int steps = sequenceSteps ?? seriesSteps;
        if (steps < 1 || steps > seriesSteps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(sequenceSteps),
                sequenceSteps,
                Format($"sequenceSteps is {steps}; it must be from 1 to the {seriesSteps} steps of the series."));
        }

        CheckWarmUp(warmUp, steps);
        int count = seriesSteps / steps;
        return new SequenceDataset(
            inputs[..(count * steps * features)],
            targets[..(count * steps * outputs)],
            count,
            steps,
            features,
            outputs,
            labelsPerStep: true,
            warmUp);
    }

    /// <summary>Sequence <paramref name="sequence"/>'s inputs, [<see cref="Steps"/> x <see cref="Features"/>]: a view.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not from 0 to <see cref="Count"/> − 1.</exception>
    public ReadOnlyMemory<float> SequenceInputs(int sequence)
    {
        CheckSequence(sequence);
        int length = Steps * Features;
        return Inputs.Slice(sequence * length, length);
    }

    /// <summary>
    /// Sequence <paramref name="sequence"/>'s labels, [<see cref="Steps"/> x <see cref="Outputs"/>] or [<see cref="Outputs"/>]:
    /// a view.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not from 0 to <see cref="Count"/> − 1.</exception>
    public ReadOnlyMemory<float> SequenceLabels(int sequence)
    {
        CheckSequence(sequence);
        int length = LabelsPerStep ? Steps * Outputs : Outputs;
        return Labels.Slice(sequence * length, length);
    }

    /// <summary>
    /// The counted steps of every sequence cut into consecutive windows of <paramref name="window"/> steps, after the
    /// <see cref="WarmUp"/> steps: what stateful training with truncated backpropagation through time updates on.
    /// </summary>
    /// <param name="window">Steps per window; from 1 to <see cref="CountedSteps"/>.</param>
    /// <param name="keepLastPartial">
    /// Whether the steps after the last whole window (fewer than <paramref name="window"/>) make a shorter last window
    /// (as CoreAudioML's <c>train_epoch</c> does) rather than being left out (the default).
    /// </param>
    /// <exception cref="InvalidOperationException">The labels are per sequence: there is nothing to cut.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is below 1 or longer than the counted steps.</exception>
    public SequenceWindows Windows(int window, bool keepLastPartial = false)
    {
        if (!LabelsPerStep)
        {
            throw new InvalidOperationException(
                Format($"Windows({window}): the labels are one row per sequence, so a window has no labels of its own; windows need labels per step (SequenceDataset.PerStep or FromSeries)."));
        }

        if (window < 1 || window > CountedSteps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(window),
                window,
                Format($"window is {window} steps; it must be from 1 to the {CountedSteps} steps of a sequence after its {WarmUp} warm-up steps ({Steps} in all)."));
        }

        return new SequenceWindows(this, window, keepLastPartial);
    }

    /// <summary>
    /// Copies steps [<paramref name="firstStep"/>, <paramref name="firstStep"/> + <paramref name="steps"/>) of every
    /// sequence into the time-major layout the recurrent kernels read: step t's batch contiguous, inputs
    /// [steps x <see cref="Count"/> x <see cref="Features"/>], labels [steps x <see cref="Count"/> x <see cref="Outputs"/>].
    /// Allocates nothing.
    /// </summary>
    /// <param name="firstStep">The first step to copy, from 0.</param>
    /// <param name="steps">How many steps; with <paramref name="firstStep"/>, within <see cref="Steps"/>.</param>
    /// <param name="inputs">Exactly steps x <see cref="Count"/> x <see cref="Features"/> floats.</param>
    /// <param name="labels">
    /// Exactly steps x <see cref="Count"/> x <see cref="Outputs"/> floats, or empty to copy the inputs only (always
    /// empty for labels per sequence, which are already [<see cref="Count"/> x <see cref="Outputs"/>] in <see cref="Labels"/>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The steps are not within the sequences.</exception>
    /// <exception cref="ArgumentException">A destination has the wrong length (the message gives both), or labels are asked of a per-sequence data set.</exception>
    public void CopyStepsTimeMajor(int firstStep, int steps, Span<float> inputs, Span<float> labels)
    {
        if (firstStep < 0 || steps < 1 || steps > Steps - firstStep)
        {
            throw new ArgumentOutOfRangeException(
                nameof(steps),
                steps,
                Format($"steps {firstStep} to {(long)firstStep + steps - 1} are not within the {Steps} steps of a sequence (firstStep {firstStep}, steps {steps})."));
        }

        CheckLength(inputs.Length, (long)steps * Count * Features, nameof(inputs), steps, Features, "features");
        if (!labels.IsEmpty)
        {
            if (!LabelsPerStep)
            {
                throw new ArgumentException(
                    "labels must be empty: the labels are one row per sequence, not per step, and Labels already holds them [Count x Outputs].",
                    nameof(labels));
            }

            CheckLength(labels.Length, (long)steps * Count * Outputs, nameof(labels), steps, Outputs, "outputs");
            Gather(Labels.Span, labels, firstStep, steps, Outputs);
        }

        Gather(Inputs.Span, inputs, firstStep, steps, Features);
    }

    private void Gather(ReadOnlySpan<float> source, Span<float> destination, int firstStep, int steps, int width)
    {
        int rowLength = Steps * width;
        for (int t = 0; t < steps; t++)
        {
            for (int s = 0; s < Count; s++)
            {
                source.Slice((s * rowLength) + ((firstStep + t) * width), width)
                    .CopyTo(destination.Slice(((t * Count) + s) * width, width));
            }
        }
    }

    private void CheckLength(int actual, long expected, string name, int steps, int width, string unit)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                Format($"{name} has {actual} floats; expected {expected} ({steps} steps x {Count} sequences x {width} {unit})."),
                name);
        }
    }

    private void CheckSequence(int sequence)
    {
        if ((uint)sequence >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, Format($"sequence is {sequence}; there are {Count} sequences (0 to {Count - 1})."));
        }
    }

    private static int CountSequences(int inputLength, int steps, int features, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        long perSequence = (long)steps * features;
        if (inputLength == 0 || inputLength % perSequence != 0)
        {
            throw new ArgumentException(
                Format($"inputs has {inputLength} floats; expected a positive whole number of sequences of {steps} steps x {features} features ({perSequence} floats each)."),
                "inputs");
        }

        return (int)(inputLength / perSequence);
    }

    private static void CheckWarmUp(int warmUp, int steps)
    {
        if (warmUp < 0 || warmUp >= steps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(warmUp),
                warmUp,
                Format($"warmUp is {warmUp} steps; it must be from 0 to {steps - 1}, so that at least one of the {steps} steps of a sequence counts in the loss."));
        }
    }

    private static string Format(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
