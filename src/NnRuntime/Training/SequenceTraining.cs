using System;
using NnGen.Data;

namespace NnGen;

/// <summary>
/// Training and checking recurrent networks on sequence data with the trainer every network uses: its optimizers,
/// schedules, gradient clipping, validation, early stopping and status. An example is a whole sequence (every sequence
/// from the zero state, truncated backpropagation through time over its steps); the first <see cref="SequenceDataset.WarmUp"/>
/// steps of each let the state settle and are left out of the cost.
/// </summary>
public static class SequenceTraining
{
    /// <summary>Trains <paramref name="network"/> on <paramref name="data"/>: batches of sequences, as <see cref="Trainer.Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/> trains batches of examples.</summary>
    /// <param name="network">The network.</param>
    /// <param name="data">Sequences with labels per step or per sequence, matching the network's sizes.</param>
    /// <param name="options">As for every network; <see cref="TrainingOptions.BatchSize"/> counts sequences, and
    /// <see cref="TrainingOptions.Validation"/> holds held-out sequences of the same length, one per row.</param>
    /// <returns>The history; its costs are means over the counted steps (or the sequences).</returns>
    /// <exception cref="ArgumentException">The data does not fit the network (sizes named), or an option is out of range.</exception>
    public static TrainingHistory Fit(this ISequenceNetwork network, SequenceDataset data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        Trainer.SequenceExamples examples = Examples(network, data);
        using Trainer.TrainingLease lease = Trainer.TrainingLease.Acquire(network, nameof(Fit));
        return Trainer.Fit(examples, data.Inputs.Span, data.Labels.Span, options);
    }

    /// <summary>The loss, accuracy and errors of <paramref name="network"/> on <paramref name="data"/>, over the counted steps.</summary>
    /// <exception cref="ArgumentException">The data does not fit the network.</exception>
    public static Evaluation Evaluate(this ISequenceNetwork network, SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trainer.Evaluate(Examples(network, data), data.Inputs.Span, data.Labels.Span);
    }

    /// <summary>
    /// Compares backpropagation through time with central differences of the cost over every parameter, as
    /// <see cref="Trainer.GradientCheck(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/> does for one example per row.
    /// </summary>
    /// <returns>‖g − g̃‖ / (‖g‖ + ‖g̃‖).</returns>
    /// <exception cref="ArgumentException">The data does not fit the network.</exception>
    public static double GradientCheck(this ISequenceNetwork network, SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trainer.GradientCheck(Examples(network, data), data.Inputs.Span, data.Labels.Span);
    }

    /// <summary>
    /// Trains <paramref name="network"/> statefully over long series, as amp models are trained: per pass, the warm-up
    /// steps set the state up, then one update per window of consecutive steps of all series at once, each window
    /// starting from the states the previous one ended with. Validation and the final cost run whole sequences.
    /// </summary>
    /// <param name="network">The network; it must answer at every step.</param>
    /// <param name="windows">The windows of a data set with labels per step (<see cref="SequenceDataset.Windows"/>).</param>
    /// <param name="options">As for every network; <see cref="TrainingOptions.Iterations"/> counts passes over the series,
    /// and <see cref="TrainingOptions.BatchSize"/> must be 0 (all series at once).</param>
    /// <returns>The history; each recorded cost is the mean over the pass's windows.</returns>
    /// <exception cref="ArgumentException">The data does not fit the network, or an option is out of range.</exception>
    public static TrainingHistory FitStateful(this ISequenceNetwork network, SequenceWindows windows, TrainingOptions options) =>
        Trainer.FitStateful(network, windows, options);

    private static Trainer.SequenceExamples Examples(ISequenceNetwork network, SequenceDataset data) =>
        Trainer.SequenceExamples.For(network, data, nameof(Fit));
}
