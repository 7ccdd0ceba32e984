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
        return Trainer.Fit(Examples(network, data), data.Inputs.Span, data.Labels.Span, options);
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

    private static SequenceExamples Examples(ISequenceNetwork network, SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (data.Features != network.InputSize || data.Outputs != network.OutputSize || data.LabelsPerStep != network.OutputsEveryStep)
        {
            throw new ArgumentException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{network.Name}: the sequences have {data.Features} features and {data.Outputs} outputs {(data.LabelsPerStep ? "per step" : "per sequence")}; the network takes {network.InputSize} features and answers with {network.OutputSize} outputs {(network.OutputsEveryStep ? "per step" : "per sequence")}."),
                nameof(data));
        }

        return new SequenceExamples(network, data.Steps, data.WarmUp);
    }

    /// <summary>A recurrent network seen as one example per sequence of fixed length, for the trainer.</summary>
    private sealed class SequenceExamples(ISequenceNetwork network, int steps, int warmUp) : ITrainableNetwork
    {
        private readonly int _labelRows = network.OutputsEveryStep ? steps : 1;

        public string Name => network.Name;

        public int InputSize => steps * network.InputSize;

        public int OutputSize => _labelRows * network.OutputSize;

        public int ParameterCount => network.ParameterCount;

        public Loss Loss => network.Loss;

        public Activation OutputActivation => network.OutputActivation;

        public Span<float> Parameters => network.Parameters;

        public ReadOnlySpan<Range> WeightRanges => network.WeightRanges;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
            network.ComputeGradients(inputs, steps, labels, gradients, workspace, warmUp);

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => network.PredictSequences(x, steps, y);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => network.PredictSequences(inputs, steps, outputs);

        /// <summary>The mean loss over the counted steps of every sequence, as ComputeGradients returns it.</summary>
        public double Cost(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples)
        {
            Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
            int n = network.OutputSize;
            int skipped = network.OutputsEveryStep ? warmUp : 0;
            int counted = _labelRows - skipped;
            double sum = 0;
            for (int i = 0; i < examples; i++)
            {
                int start = ((i * _labelRows) + skipped) * n;
                sum += Losses.Cost(loss, predictions.Slice(start, counted * n), labels.Slice(start, counted * n), counted) * counted;
            }

            return sum / ((double)examples * counted);
        }
    }
}
