using System;
using System.Diagnostics;
using NnGen.Data;
using NnGen.Kernels;

namespace NnGen;

public static partial class Trainer
{
    /// <summary>
    /// Stateful training over long series, as amp models are trained: every pass starts the m series from zero states,
    /// runs their warm-up steps for the state alone, then one update per window of consecutive steps, each window
    /// starting from the states the previous one ended with (truncated backpropagation through time: no gradient flows
    /// into a window's starting state). Validation and the final cost run each held-out (or training) sequence whole,
    /// from the zero state, over its counted steps.
    /// </summary>
    internal static TrainingHistory FitStateful(ISequenceNetwork network, SequenceWindows windows, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(options);
        SequenceDataset data = windows.Data;
        var examples = SequenceExamples.For(network, data, nameof(Fit));
        options.Validate(network.Name, nameof(Fit));
        if (options.BatchSize != 0 && options.BatchSize != data.Count)
        {
            throw new ArgumentException(
                Format(network.Name, nameof(Fit), $"options.BatchSize is {options.BatchSize}; stateful training updates once per window with all {data.Count} series at once (0 or {data.Count})."),
                nameof(options));
        }

        if (!data.LabelsPerStep)
        {
            throw new ArgumentException(Format(network.Name, nameof(Fit), $"stateful training needs labels at every step; these have one label per sequence."), nameof(windows));
        }

        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        ReadOnlySpan<float> allInputs = data.Inputs.Span;
        ReadOnlySpan<float> allLabels = data.Labels.Span;
        ValidateData(examples, nameof(Fit), allInputs, allLabels, loss);
        ValidateParameters(network, nameof(Fit));
        using TrainingLease lease = TrainingLease.Acquire(network, nameof(Fit));
        using KernelParallelism.Scope parallelism = KernelParallelism.Override(options.MaxDegreeOfParallelism);
        long started = Stopwatch.GetTimestamp();
        var session = new Session(examples, options, loss);
        session.Chance.Observe(allLabels);

        int m = data.Count, features = data.Features, outputs = data.Outputs;
        var states = new float[m * network.StateFloats];
        var warmUpInputs = new float[m * windows.WarmUp * features];
        var warmUpOutputs = new float[m * windows.WarmUp * outputs];
        var windowInputs = new float[m * windows.Window * features];
        var windowLabels = new float[m * windows.Window * outputs];
        bool stopped = false;
        for (int pass = 0; pass < options.Iterations && !stopped; pass++)
        {
            session.BeginPass(pass);
            bool recorded = session.IsRecorded(pass);
            Array.Clear(states);
            if (windows.WarmUp > 0)
            {
                for (int i = 0; i < m; i++)
                {
                    windows.WarmUpInputs(i).Span.CopyTo(warmUpInputs.AsSpan(i * windows.WarmUp * features));
                }

                network.PredictSequences(warmUpInputs, windows.WarmUp, warmUpOutputs, states);
            }

            double weightedCost = 0;
            long counted = 0;
            for (int k = 0; k < windows.Count; k++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                int steps = windows.Steps(k);
                Span<float> x = windowInputs.AsSpan(0, m * steps * features);
                Span<float> y = windowLabels.AsSpan(0, m * steps * outputs);
                for (int i = 0; i < m; i++)
                {
                    windows.Inputs(k, i).Span.CopyTo(x.Slice(i * steps * features));
                    windows.Labels(k, i).Span.CopyTo(y.Slice(i * steps * outputs));
                }

                float? cost = network.ComputeGradients(x, steps, y, session.Gradients, session.Workspace, 0, states);
                if (!session.TryUpdate(pass, ref cost, m))
                {
                    // The update was refused, so the parameters are those this window ran with.
                    session.DivergedCost ??= cost;
                    stopped = true;
                    break;
                }

                weightedCost += (double)cost!.Value * steps;
                counted += steps;
            }

            if (!stopped && recorded)
            {
                session.Validate(pass);
                stopped = session.Record(pass, (float)(weightedCost / counted));
            }
        }

        session.Finish();
        bool priced = session.PricesFinalCost(fullBatch: false);
        float finalCost = priced ? PriceFinal(session, allInputs, allLabels, m, loss) : session.LastRecordedCost;
        return session.ToHistory(finalCost, priced, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A recurrent network seen as one example per sequence of fixed length, for the trainer.</summary>
    internal sealed class SequenceExamples : ITrainableNetwork
    {
        private readonly ISequenceNetwork _network;
        private readonly int _steps;
        private readonly int _warmUp;
        private readonly int _labelRows;

        private SequenceExamples(ISequenceNetwork network, int steps, int warmUp)
        {
            _network = network;
            _steps = steps;
            _warmUp = warmUp;
            _labelRows = network.OutputsEveryStep ? steps : 1;
        }

        /// <summary>The view of <paramref name="network"/> for <paramref name="data"/>, after checking that their sizes agree.</summary>
        /// <exception cref="ArgumentException">The sequences' features, outputs or label kind differ from the network's.</exception>
        public static SequenceExamples For(ISequenceNetwork network, SequenceDataset data, string method)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            if (data.Features != network.InputSize || data.Outputs != network.OutputSize || data.LabelsPerStep != network.OutputsEveryStep)
            {
                throw new ArgumentException(
                    Format(network.Name, method, $"the sequences have {data.Features} features and {data.Outputs} outputs {(data.LabelsPerStep ? "per step" : "per sequence")}; the network takes {network.InputSize} features and answers with {network.OutputSize} outputs {(network.OutputsEveryStep ? "per step" : "per sequence")}."),
                    nameof(data));
            }

            return new SequenceExamples(network, data.Steps, data.WarmUp);
        }

        public string Name => _network.Name;

        public int InputSize => _steps * _network.InputSize;

        public int OutputSize => _labelRows * _network.OutputSize;

        public int ParameterCount => _network.ParameterCount;

        public Loss Loss => _network.Loss;

        public Activation OutputActivation => _network.OutputActivation;

        public Span<float> Parameters => _network.Parameters;

        public ReadOnlySpan<Range> WeightRanges => _network.WeightRanges;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
            _network.ComputeGradients(inputs, _steps, labels, gradients, workspace, _warmUp, Span<float>.Empty);

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => _network.PredictSequences(x, _steps, y, Span<float>.Empty);

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => _network.PredictSequences(inputs, _steps, outputs, Span<float>.Empty);

        /// <summary>The mean loss over the counted steps of every sequence, as ComputeGradients returns it.</summary>
        public double Cost(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples)
        {
            Loss loss = Losses.Resolve(_network.Loss, _network.OutputActivation);
            int n = _network.OutputSize;
            int skipped = _network.OutputsEveryStep ? _warmUp : 0;
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
