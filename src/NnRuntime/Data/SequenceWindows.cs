using System;
using System.Globalization;

namespace NnGen.Data;

/// <summary>
/// A <see cref="SequenceDataset"/>'s steps as stateful amp-model training reads them (CoreAudioML's <c>train_epoch</c>,
/// the training code of Wright et al.'s guitar amplifier models): every sequence of the batch first runs its
/// <see cref="WarmUp"/> steps, which only build the recurrent state (no loss, no update); then <see cref="Count"/>
/// consecutive windows follow, window k covering steps [<see cref="Start"/>(k), <see cref="Start"/>(k) +
/// <see cref="Steps"/>(k)), each one an update on its loss with the state carried in from the window before and
/// backpropagation truncated at the window's start.
/// </summary>
/// <remarks>
/// By default the steps after the last whole window (<see cref="DroppedSteps"/>, fewer than <see cref="Window"/>) are
/// not trained on: a short last window would be an update from fewer steps weighted like the others, and every window
/// of the same length lets training size its buffers once. <c>keepLastPartial</c> makes them a shorter last window
/// instead, as CoreAudioML does. Choosing the sequence length as WarmUp + k·Window uses every step either way.
/// The per-sequence accessors are views into the data set's memory; the time-major copies are the one copy the kernels need.
/// </remarks>
public sealed class SequenceWindows
{
    internal SequenceWindows(SequenceDataset data, int window, bool keepLastPartial)
    {
        Data = data;
        Window = window;
        int whole = data.CountedSteps / window;
        int rest = data.CountedSteps - (whole * window);
        bool partial = keepLastPartial && rest > 0;
        Count = partial ? whole + 1 : whole;
        LastWindow = partial ? rest : window;
        DroppedSteps = partial ? 0 : rest;
    }

    /// <summary>The sequences the windows are cut from.</summary>
    public SequenceDataset Data { get; }

    /// <summary>Steps per window (all but a kept partial last window).</summary>
    public int Window { get; }

    /// <summary>Steps in the last window: <see cref="Window"/>, or fewer when a partial last window is kept.</summary>
    public int LastWindow { get; }

    /// <summary>The warm-up steps before the first window (the data set's <see cref="SequenceDataset.WarmUp"/>).</summary>
    public int WarmUp => Data.WarmUp;

    /// <summary>
    /// The number of windows in every sequence, at least 1: ⌊(Steps − WarmUp) / Window⌋, or ⌈(Steps − WarmUp) / Window⌉
    /// when a partial last window is kept.
    /// </summary>
    public int Count { get; }

    /// <summary>The steps at the end of every sequence that no window covers: (Steps − WarmUp) mod Window, or 0 when kept.</summary>
    public int DroppedSteps { get; }

    /// <summary>The first step of window <paramref name="window"/>: WarmUp + window·Window.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not from 0 to <see cref="Count"/> − 1.</exception>
    public int Start(int window)
    {
        CheckWindow(window);
        return WarmUp + (window * Window);
    }

    /// <summary>The steps of window <paramref name="window"/>: <see cref="Window"/>, or <see cref="LastWindow"/> for the last.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not from 0 to <see cref="Count"/> − 1.</exception>
    public int Steps(int window)
    {
        CheckWindow(window);
        return window == Count - 1 ? LastWindow : Window;
    }

    /// <summary>Sequence <paramref name="sequence"/>'s warm-up inputs, [<see cref="WarmUp"/> x Features]: a view (empty without warm-up).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not a sequence of the data set.</exception>
    public ReadOnlyMemory<float> WarmUpInputs(int sequence) => Data.SequenceInputs(sequence)[..(WarmUp * Data.Features)];

    /// <summary>Sequence <paramref name="sequence"/>'s inputs in window <paramref name="window"/>, [<see cref="Steps"/>(window) x Features]: a view.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window or the sequence is out of range.</exception>
    public ReadOnlyMemory<float> Inputs(int window, int sequence) =>
        Data.SequenceInputs(sequence).Slice(Start(window) * Data.Features, Steps(window) * Data.Features);

    /// <summary>Sequence <paramref name="sequence"/>'s labels in window <paramref name="window"/>, [<see cref="Steps"/>(window) x Outputs]: a view.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window or the sequence is out of range.</exception>
    public ReadOnlyMemory<float> Labels(int window, int sequence) =>
        Data.SequenceLabels(sequence).Slice(Start(window) * Data.Outputs, Steps(window) * Data.Outputs);

    /// <summary>
    /// Window <paramref name="window"/> of every sequence, time-major: inputs [<see cref="Steps"/>(window) x m x Features],
    /// labels [<see cref="Steps"/>(window) x m x Outputs] (or empty to skip them). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not from 0 to <see cref="Count"/> − 1.</exception>
    /// <exception cref="ArgumentException">A destination has the wrong length (the message gives both).</exception>
    public void CopyTimeMajor(int window, Span<float> inputs, Span<float> labels) =>
        Data.CopyStepsTimeMajor(Start(window), Steps(window), inputs, labels);

    /// <summary>The warm-up steps of every sequence, time-major: inputs [<see cref="WarmUp"/> x m x Features]. Allocates nothing.</summary>
    /// <exception cref="InvalidOperationException">There is no warm-up.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> has the wrong length (the message gives both).</exception>
    public void CopyWarmUpTimeMajor(Span<float> inputs)
    {
        if (WarmUp == 0)
        {
            throw new InvalidOperationException("There are no warm-up steps to copy (WarmUp is 0); start with window 0.");
        }

        Data.CopyStepsTimeMajor(0, WarmUp, inputs, default);
    }

    private void CheckWindow(int window)
    {
        if ((uint)window >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(window),
                window,
                string.Create(CultureInfo.InvariantCulture, $"window is {window}; there are {Count} windows of {Window} steps (0 to {Count - 1})."));
        }
    }
}
