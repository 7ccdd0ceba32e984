using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics.Tensors;
using NnGen.Kernels;

namespace NnGen;

public static partial class Trainer
{
    /// <summary>
    /// Everything one call to <c>Fit</c> needs besides the data: buffers allocated once before the first update
    /// (gradients, workspace, optimizer state, validation outputs, best parameters), the update with its divergence
    /// guard, the record points with validation and early stopping, and the verdict on how training went.
    /// </summary>
    private sealed class Session
    {
        // The cost counts as rising, and the parameters as growing, over this many consecutive record intervals.
        private const int RisingIntervals = 3;

        // Differences smaller than this fraction of the value are float noise, not a rise.
        private const double RelativeNoise = 1e-6;

        private readonly List<CostRecord> _costs;
        private readonly int _recordEvery;
        private readonly int _iterations;
        private readonly float _initialLearningRate;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly Loss _loss;
        private readonly Optimizer? _optimizer;
        private readonly LearningRateSchedule? _schedule;
        private readonly float _l2;
        private readonly float? _clipGradientNorm;
        private readonly Range[] _weights;
        private readonly float[] _state;
        private readonly EarlyStopping? _earlyStopping;

        // Validation: the inputs as given, the label rows (converted once from class indices), and an output buffer.
        private readonly ReadOnlyMemory<float> _validationInputs;
        private readonly ReadOnlyMemory<float> _validationLabels;
        private readonly float[]? _validationOutputs;
        private readonly int _validationExamples;
        private readonly float[]? _best;

        // Batch norm's running statistics belong to the parameters they were gathered with, so they travel together.
        private readonly float[]? _bestState;

        // The largest |θ| at the last record points, newest last, to see parameters growing without bound.
        private readonly double[] _magnitudes = new double[RisingIntervals + 1];
        private int _magnitudeCount;

        // Gradient descent: an upper bound on max|θ|. Each accepted update raises it by ‖Δ‖ instead of rescanning the
        // parameters, so a typical update costs one extra pass (the ‖Δ‖ that also detects a non-finite step) and needs
        // no backup copy: an update within the bound cannot overflow, so nothing non-finite is ever written.
        private double _parameterBound;
        private float[]? _candidate;
        private int? _divergedAt;
        private string? _divergence;
        private float _learningRate;
        private long _updates;
        private double _pendingValidationCost = double.NaN;
        private double _pendingValidationMetric = double.NaN;
        private double _bestValue;
        private int? _bestIteration;
        private long _steps;

        // Whether batches may be cut into example chunks and the fewest examples a chunk takes (decided once: it
        // reflects on the network's type and reads its description), and the chunks' buffers, kept with the network.
        private readonly bool _splitsExamples;
        private readonly int _minimumChunkExamples;
        private ChunkedGradients? _chunked;

        // Updates applied so far, and how many had been applied when the best parameters were copied: with full batches a
        // record point validates the parameters before its own update, so even the last record point can be one update
        // behind the network.
        private long _applied;
        private long _appliedAtBest;
        private bool _restored;
        private int _sinceBest;
        private int? _stoppedAt;
        private int _lastRecorded = -1;

        public Session(ITrainableNetwork network, TrainingOptions options, Loss loss)
        {
            Network = network;
            Options = options;
            _loss = loss;
            int parameterCount = network.ParameterCount;
            Gradients = new float[parameterCount];
            Workspace = new Workspace();
            _splitsExamples = ExampleChunks.SplitsExamples(network);
            _minimumChunkExamples = _splitsExamples ? ExampleChunks.MinimumExamplesOf(network) : ExampleChunks.MinimumChunkExamples;
            _iterations = options.Iterations;
            _recordEvery = options.RecordEvery;
            _initialLearningRate = options.LearningRate;
            _learningRate = options.LearningRate;
            _progress = options.Progress;
            _schedule = options.Schedule;
            _l2 = options.L2;
            _clipGradientNorm = options.ClipGradientNorm;
            _optimizer = options.Optimizer is GradientDescent ? null : options.Optimizer;
            _earlyStopping = options.EarlyStopping;

            bool needsWeights = _l2 > 0f || (_optimizer?.NeedsWeightRanges ?? false);
            _weights = needsWeights ? WeightRangesOf(network, options) : [];

            long stateLength = _optimizer?.StateLength(parameterCount) ?? 0;
            if (stateLength > Array.MaxLength)
            {
                throw new ArgumentException(
                    Format(network.Name, nameof(Fit), $"the optimizer state needs {stateLength} floats ({_optimizer!.StateSlots + 1} x ParameterCount {parameterCount}), more than one array holds."),
                    nameof(options));
            }

            _state = stateLength == 0 ? [] : new float[stateLength];

            if (options.Validation is { } validation)
            {
                _validationInputs = validation.Inputs;
                _validationLabels = validation.HasClassIndices
                    ? ClassLabelRowsForValidation(network, validation)
                    : validation.Labels;
                _validationExamples = ValidateData(
                    network, nameof(Fit), _validationInputs.Span, _validationLabels.Span, loss, "options.Validation.Inputs", "options.Validation.Labels");
                _validationOutputs = new float[_validationLabels.Length];
                _best = _earlyStopping is null ? null : new float[parameterCount];
                _bestState = _earlyStopping is null ? null : new float[network.State.Length];
            }

            Chance = new ChanceLevel(loss, network.OutputSize);

            // Grows as points are recorded: a run of int.MaxValue iterations that is cancelled after a few thousand
            // must not reserve room for 2^31 points up front.
            _costs = new List<CostRecord>((int)Math.Min(RecordCount(_iterations, _recordEvery), 1024));
            _parameterBound = MaxAbs(network.Parameters);
        }

        public ITrainableNetwork Network { get; }

        public TrainingOptions Options { get; }

        public float[] Gradients { get; }

        public Workspace Workspace { get; }

        /// <summary>
        /// One pass over a batch of <paramref name="examples"/>: the gradients into <see cref="Gradients"/> and J (null
        /// when <paramref name="computeCost"/> is false and the network skipped it). The batch runs whole, or in example
        /// chunks on the threads <see cref="KernelParallelism"/> allows, as <see cref="ExampleChunks"/> decides from the
        /// network and the batch size alone.
        /// </summary>
        public float? ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples, bool computeCost, ulong stepSeed)
        {
            ExampleChunks chunks = ChunksOf(examples);
            if (chunks.Count == 1)
            {
                return Network.ComputeGradients(inputs, labels, Gradients, Workspace, computeCost, stepSeed);
            }

            _chunked ??= ChunkedGradients.Of(Network);
            return _chunked.Compute(Network, inputs, labels, Gradients, chunks, computeCost, stepSeed, KernelParallelism.Current);
        }

        /// <summary>
        /// J of the current parameters on a batch, as the steps compute it (and with the gradients written, which the
        /// callers discard): the parameters a refused update left, or a record point whose step skipped the cost.
        /// </summary>
        public float CostOf(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples) =>
            ChunksOf(examples).Count == 1
                ? Network.ComputeGradients(inputs, labels, Gradients, Workspace)
                : ComputeGradients(inputs, labels, examples, computeCost: true, stepSeed: 0) ?? float.NaN;

        private ExampleChunks ChunksOf(int examples) =>
            _splitsExamples ? ExampleChunks.For(examples, Network.ParameterCount, _minimumChunkExamples) : ExampleChunks.Whole(examples);

        /// <summary>The training labels' class frequencies, counted once per run, for the chance-level verdict.</summary>
        public ChanceLevel Chance { get; }

        /// <summary>The cost of the step that diverged, once known; <see langword="null"/> while training runs.</summary>
        public float? DivergedCost { get; set; }

        /// <summary>
        /// The seed of the next training step (dropout masks), from the run's seed and the step's number, so a run is
        /// the same whatever the width or thread count.
        /// </summary>
        public ulong NextStepSeed() => Kernels.DropoutKernels.StepSeed(Options.Seed, _steps++);

        /// <summary>Sets the learning rate of pass <paramref name="pass"/> from the schedule.</summary>
        public void BeginPass(int pass)
        {
            if (_schedule is not null)
            {
                _learningRate = (float)(_initialLearningRate * _schedule.Multiplier(pass));
            }
        }

        /// <summary>λ/(2m)·Σ‖W‖², the L2 term of the cost for a batch of <paramref name="examples"/>, in double; 0 without L2.</summary>
        public double Penalty(int examples)
        {
            if (_l2 == 0f)
            {
                return 0;
            }

            ReadOnlySpan<float> parameters = Network.Parameters;
            double squares = 0;
            foreach (Range range in _weights)
            {
                foreach (float w in parameters[range])
                {
                    squares += (double)w * w;
                }
            }

            return _l2 / (2.0 * examples) * squares;
        }

        /// <summary>
        /// Adds the L2 term to <paramref name="cost"/> and the gradients, clips the gradients by their global norm when
        /// asked, then applies the optimizer's update unless the cost (when this iteration computed one) or the step is
        /// not finite or the update would make a parameter non-finite; then records the divergence, leaves the
        /// parameters untouched and returns false.
        /// </summary>
        /// <remarks>
        /// On an iteration that skipped the cost the step decides alone, and it catches what matters: a NaN or infinite
        /// prediction makes dZ[L] = A[L] − Y, and with it every gradient and every optimizer's step, non-finite in the same
        /// iteration. (For a generated network the cost can overflow with finite gradients only under mean squared error
        /// beyond |a − y| ≈ 1.8e19; the parameters then stay finite and the growing gradients stop the run a few steps later.)
        /// </remarks>
        public bool TryUpdate(int iteration, ref float? cost, int examples)
        {
            if (cost is float known && !float.IsFinite(known))
            {
                return Diverge(iteration, known, "the cost is not finite");
            }

            Span<float> parameters = Network.Parameters;
            if (_l2 > 0f)
            {
                if (cost is float finite)
                {
                    cost = (float)(finite + Penalty(examples));
                }

                float scale = _l2 / examples;
                foreach (Range range in _weights)
                {
                    Span<float> dW = Gradients.AsSpan(range);
                    TensorPrimitives.MultiplyAdd<float>(parameters[range], scale, dW, dW);
                }
            }

            // Clipped after the L2 term, which is part of this batch's cost and so of its gradient, as PyTorch clips a
            // gradient whose loss includes the penalty.
            if (_clipGradientNorm is float maxNorm)
            {
                GradientClipping.Scale(Gradients, maxNorm, GradientClipping.GlobalNorm(Gradients));
            }

            // Plain gradient descent steps along the gradients themselves, scaled by α, exactly as before optimizers
            // existed. Any other optimizer updates in one pass that keeps the old parameters in the last slot of the
            // state buffer and writes no non-finite value: a refused update is undone from there.
            if (_optimizer is not null)
            {
                int n = parameters.Length;
                int slots = _optimizer.StateSlots;
                Span<float> backup = _state.AsSpan(slots * n, n);
                UpdateRule rule = _optimizer.Rule(_learningRate, ++_updates);
                OptimizerUpdate.Outcome outcome = OptimizerUpdate.Apply(
                    rule, parameters, Gradients, _state.AsSpan(0, slots * n), backup, _weights, KernelParallelism.Current);
                if (outcome == OptimizerUpdate.Outcome.Applied)
                {
                    _applied++;
                    return true;
                }

                OptimizerUpdate.Undo(backup, parameters);
                return Diverge(
                    iteration,
                    cost,
                    outcome == OptimizerUpdate.Outcome.StepNotFinite ? "a gradient or the optimizer's step is not finite" : "the update would make a parameter infinite");
            }

            ReadOnlySpan<float> direction = Gradients;
            float factor = _learningRate;

            // Gradient descent has no state buffer (its StateLength is 0), so no slot to undo from: it bounds the update.
            // ‖Δ‖₂ ≥ max|Δ| bounds the step, and its one pass (as cheap as the update itself) also catches NaN and ±∞:
            // a non-finite element makes the sum of squares non-finite. So can finite steps beyond 1.8e19, which
            // are told apart by a second, rarer pass. Float rounding keeps the norm within 2^-22 of the true one, and
            // squares that underflow belong to steps below 1e-22; both vanish in the margin of SafeMagnitude.
            double directionBound = Math.Sqrt(TensorPrimitives.SumOfSquares(direction));
            if (!double.IsFinite(directionBound))
            {
                if (!TensorPrimitives.IsFiniteAll(direction))
                {
                    return Diverge(iteration, cost, "a gradient is not finite");
                }

                directionBound = MaxAbs(direction);
            }

            double reach = _parameterBound + (factor * directionBound);
            if (reach <= SafeMagnitude)
            {
                Apply(parameters, direction, factor, parameters);
                _parameterBound = reach;
                _applied++;
                return true;
            }

            // Near the edge of the float range the bound is too coarse (it ignores signs, and it only grows): compute
            // the update aside and keep it only if every value is finite. This buffer is the one allocation that is
            // not made up front, because only a run that is about to overflow ever needs it.
            _candidate ??= new float[parameters.Length];
            Apply(parameters, direction, factor, _candidate);
            if (!TensorPrimitives.IsFiniteAll<float>(_candidate))
            {
                return Diverge(iteration, cost, "the update would make a parameter infinite");
            }

            _candidate.CopyTo(parameters);
            _parameterBound = MaxAbs(_candidate);
            _applied++;
            return true;
        }

        /// <summary>Whether iteration (or pass) <paramref name="iteration"/> records its cost: every k-th and the last.</summary>
        public bool IsRecorded(int iteration) => iteration % _recordEvery == 0 || iteration == _iterations - 1;

        /// <summary>
        /// Evaluates the current parameters on the validation data, keeps the figures for the next record, and tracks the
        /// best point (copying its parameters when early stopping may restore them). Allocates nothing.
        /// </summary>
        public void Validate(int iteration)
        {
            if (_validationOutputs is null)
            {
                return;
            }

            Network.PredictBatch(_validationInputs.Span, _validationOutputs);
            ReadOnlySpan<float> labels = _validationLabels.Span;
            _pendingValidationCost = Network.Cost(_validationOutputs, labels, _validationExamples);
            _pendingValidationMetric = Metrics.Metric(Network.OutputActivation, _validationOutputs, labels, Network.OutputSize);

            bool watchMetric = _earlyStopping?.Monitor == EarlyStoppingMonitor.ValidationMetric;
            double value = watchMetric ? _pendingValidationMetric : _pendingValidationCost;
            double minDelta = _earlyStopping?.MinDelta ?? 0;
            bool better = !double.IsNaN(value) &&
                (_bestIteration is null || (watchMetric ? value > _bestValue + minDelta : value < _bestValue - minDelta));
            if (better)
            {
                _bestValue = value;
                _bestIteration = iteration;
                _sinceBest = 0;
                if (_best is not null)
                {
                    Network.Parameters.CopyTo(_best);
                    Network.State.CopyTo(_bestState);
                    _appliedAtBest = _applied;
                }
            }
            else
            {
                _sinceBest++;
            }
        }

        /// <summary>
        /// Records a point (with the validation figures of the last <see cref="Validate"/>), reports progress, and returns
        /// true when early stopping says to stop.
        /// </summary>
        public bool Record(int iteration, float cost)
        {
            var record = new CostRecord(iteration, cost, _pendingValidationCost, _pendingValidationMetric);
            _costs.Add(record);
            _lastRecorded = iteration;
            _progress?.Report(new TrainingProgress(iteration, _iterations, cost, record.ValidationCost, record.ValidationMetric));

            if (_magnitudeCount == _magnitudes.Length)
            {
                Array.Copy(_magnitudes, 1, _magnitudes, 0, _magnitudes.Length - 1);
                _magnitudeCount--;
            }

            // Measured after the progress callback, which may have changed the parameters: the exact max|θ| then also
            // replaces the gradient-descent bound, which only ever tracked the trainer's own updates.
            double magnitude = MaxAbs(Network.Parameters);
            _magnitudes[_magnitudeCount++] = magnitude;
            _parameterBound = magnitude;

            if (_earlyStopping is not null && _sinceBest >= _earlyStopping.Patience && iteration < _iterations - 1)
            {
                _stoppedAt = iteration;
                return true;
            }

            return false;
        }

        /// <summary>With early stopping, puts back the parameters of the best record point unless the network still holds them.</summary>
        public void Finish()
        {
            if (_best is not null && _bestIteration is not null && _applied != _appliedAtBest && _divergedAt is null)
            {
                _best.CopyTo(Network.Parameters);
                _bestState!.CopyTo(Network.State);
                _restored = true;
            }
        }

        /// <summary>
        /// Whether the final cost needs its own pass over the data (see <see cref="TrainingOptions.PriceFinalCost"/>):
        /// asked for, full-batch, or the parameters left are not those the last recorded pass ended with.
        /// </summary>
        public bool PricesFinalCost(bool fullBatch) =>
            _divergedAt is not null || _restored || _costs.Count == 0 || (Options.PriceFinalCost ?? fullBatch);

        /// <summary>The cost recorded for the last pass: with mini-batches, the mean of its batch costs.</summary>
        public float LastRecordedCost => _costs[^1].Cost;

        public TrainingHistory ToHistory(float finalCost, bool priced, TimeSpan elapsed)
        {
            if (_divergedAt is int at)
            {
                string problem = Format(Network.Name, nameof(Fit), $"training diverged at iteration {at}: {_divergence}; the parameters are those before that update.");
                return new TrainingHistory(_costs.AsReadOnly(), finalCost, priced, elapsed, TrainingStatus.Diverged, at, at, DivergedCost ?? float.NaN, _bestIteration, problem, at);
            }

            int completed = _stoppedAt is int stopped ? stopped + 1 : _iterations;
            (TrainingStatus status, string? message, int? problemAt) = Verdict(finalCost);
            if (status == TrainingStatus.Completed && _stoppedAt is not null)
            {
                status = TrainingStatus.StoppedEarly;
            }

            return new TrainingHistory(_costs.AsReadOnly(), finalCost, priced, elapsed, status, completed, null, float.NaN, _bestIteration, message, problemAt);
        }

        /// <summary>
        /// The honest verdict on a run that stayed finite: parameters growing without bound, a cost that ended above where
        /// it started, a cost rising at the end, or a classifier no better than guessing the class frequencies are
        /// failures even though every pass ran.
        /// </summary>
        private (TrainingStatus Status, string? Problem, int? At) Verdict(float finalCost)
        {
            int count = _costs.Count;
            if (_magnitudeCount == _magnitudes.Length && count > RisingIntervals)
            {
                bool growing = _magnitudes[^1] > 1;
                for (int i = 1; i < _magnitudes.Length; i++)
                {
                    growing &= _magnitudes[i] >= 2 * _magnitudes[i - 1];
                }

                if (growing)
                {
                    int from = _costs[count - 1 - RisingIntervals].Iteration;
                    return (
                        TrainingStatus.ParametersGrowing,
                        Format(Network.Name, nameof(Fit), $"the largest parameter magnitude at least doubled between each of the last {RisingIntervals} record points, from {_magnitudes[0]:G4} at iteration {from} to {_magnitudes[^1]:G4}: the parameters are growing without bound (lower the learning rate)."),
                        from);
                }
            }

            if (count > 0)
            {
                float first = _costs[0].Cost;
                if (!(finalCost <= first + (RelativeNoise * Math.Abs(first))))
                {
                    int at = _lastRecorded;
                    for (int i = 1; i < count; i++)
                    {
                        if (_costs[i].Cost > first + (RelativeNoise * Math.Abs(first)))
                        {
                            at = _costs[i].Iteration;
                            break;
                        }
                    }

                    return (
                        TrainingStatus.CostIncreased,
                        Format(Network.Name, nameof(Fit), $"the cost ended at {finalCost:G6}, above the {first:G6} it started at (first above it at iteration {at}): training made the network worse (lower the learning rate, or scale the inputs)."),
                        at);
                }
            }

            if (count > RisingIntervals)
            {
                bool rising = true;
                for (int i = count - RisingIntervals; i < count; i++)
                {
                    float previous = _costs[i - 1].Cost;
                    rising &= _costs[i].Cost > previous + (RelativeNoise * Math.Abs(previous));
                }

                if (rising)
                {
                    CostRecord from = _costs[count - 1 - RisingIntervals];
                    return (
                        TrainingStatus.CostRising,
                        Format(Network.Name, nameof(Fit), $"the cost rose at each of the last {RisingIntervals} record points, from {from.Cost:G6} at iteration {from.Iteration} to {_costs[^1].Cost:G6} at iteration {_costs[^1].Iteration}: training was getting worse when it ended."),
                        from.Iteration);
                }
            }

            // The L2 term is not part of what guessing costs, so it is taken off before the comparison.
            if (Chance.Cost() is double chance && Chance.Examples <= int.MaxValue)
            {
                double cost = finalCost - Penalty((int)Chance.Examples);
                if (cost > (1 - ChanceLevel.Margin) * chance)
                {
                    int at = Math.Max(_lastRecorded, 0);
                    return (
                        TrainingStatus.NoBetterThanChance,
                        Format(Network.Name, nameof(Fit), $"the cost ended at {cost:G6}{(_l2 > 0f ? " (without the L2 term)" : string.Empty)}, no better than the {chance:G6} of always guessing the class frequencies ({Chance.Describe()}): the network learned nothing usable (check the learning rate, the depth and activations, and the input scaling)."),
                        at);
                }
            }

            return (TrainingStatus.Completed, null, null);
        }

        /// <summary>The number of record points: multiples of k below the iteration count, plus the last iteration.</summary>
        private static long RecordCount(int iterations, int recordEvery) =>
            ((iterations - 1L) / recordEvery) + 1 + ((iterations - 1L) % recordEvery == 0 ? 0 : 1);

        private static double MaxAbs(ReadOnlySpan<float> values) => Math.Abs(TensorPrimitives.MaxMagnitude(values));

        // θ + g·(−α), rounded as NumPy's float32 W - learning_rate * dW (MultiplyAdd is not fused).
        private static void Apply(ReadOnlySpan<float> parameters, ReadOnlySpan<float> direction, float factor, Span<float> destination) =>
            TensorPrimitives.MultiplyAdd(direction, -factor, parameters, destination);

        private static float[] ClassLabelRowsForValidation(ITrainableNetwork network, ValidationData validation)
        {
            int examples = Guard.ExampleCount(network.Name, nameof(Fit), validation.Inputs.Length, network.InputSize, "options.Validation.Inputs");
            if (validation.Classes.Length != examples)
            {
                throw new ArgumentException(
                    Format(network.Name, nameof(Fit), $"options.Validation.Classes has {validation.Classes.Length} class indices, expected {examples} (one per example)."),
                    "options");
            }

            return ClassIndices.ToRows(network, nameof(Fit), "options.Validation.Classes", validation.Classes.Span);
        }

        /// <summary>
        /// The weight ranges of the network, checked once: inside the parameters, in order, not overlapping. Options that
        /// treat weights apart from biases are refused for a network that does not list them.
        /// </summary>
        private static Range[] WeightRangesOf(ITrainableNetwork network, TrainingOptions options)
        {
            ReadOnlySpan<Range> ranges = network.WeightRanges;
            if (ranges.IsEmpty)
            {
                string what = options.L2 > 0f
                    ? string.Create(CultureInfo.InvariantCulture, $"options.L2 is {options.L2}")
                    : "options.Optimizer is AdamW";
                throw new ArgumentException(
                    Format(network.Name, nameof(Fit), $"{what}, but the network does not list its weights (ITrainableNetwork.WeightRanges is empty), so the biases cannot be kept out of the regularization."),
                    nameof(options));
            }

            var result = ranges.ToArray();
            int end = 0;
            for (int i = 0; i < result.Length; i++)
            {
                int offset = result[i].Start.GetOffset(network.ParameterCount);
                int stop = result[i].End.GetOffset(network.ParameterCount);
                if (offset < end || stop < offset || stop > network.ParameterCount)
                {
                    throw new ArgumentException(
                        Format(network.Name, nameof(Fit), $"WeightRanges[{i}] is {offset}..{stop}; ranges must lie in 0..{network.ParameterCount}, in order and without overlap."),
                        nameof(network));
                }

                result[i] = new Range(offset, stop);
                end = stop;
            }

            return result;
        }

        private bool Diverge(int iteration, float? cost, string reason)
        {
            _divergedAt = iteration;
            _divergence = reason;
            DivergedCost = cost;
            return false;
        }
    }

    /// <summary>
    /// Reads batches from a lazy source: checks each one, turns class indices into label rows in a buffer that grows only
    /// when a larger batch arrives, and prices the final parameters with one more pass.
    /// </summary>
    private sealed class BatchReader(Session session, Loss loss)
    {
        private float[] _labels = [];
        private float[] _outputs = [];

        /// <summary>Checks a batch and returns its example count, with the inputs and the label rows to train on.</summary>
        public int Read(TrainingBatch batch, int pass, int index, out ReadOnlySpan<float> inputs, out ReadOnlySpan<float> labels)
        {
            ITrainableNetwork network = session.Network;
            inputs = batch.Inputs.Span;
            try
            {
                if (batch.HasClassIndices)
                {
                    int count = Guard.ExampleCount(network.Name, nameof(Fit), inputs.Length, network.InputSize);
                    if (batch.Classes.Length != count)
                    {
                        throw new ArgumentException(
                            Format(network.Name, nameof(Fit), $"labels has {batch.Classes.Length} class indices, expected {count} (one per example)."),
                            "labels");
                    }

                    int length = count * network.OutputSize;
                    if (_labels.Length < length)
                    {
                        _labels = new float[length];
                    }

                    ClassIndices.ToRows(network, nameof(Fit), "labels", batch.Classes.Span, _labels);
                    labels = _labels.AsSpan(0, length);
                }
                else
                {
                    labels = batch.Labels.Span;
                }

                return ValidateData(network, nameof(Fit), inputs, labels, loss);
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException(
                    Format(network.Name, nameof(Fit), $"batch {index} of pass {pass} is invalid ({exception.Message}); the updates of the batches before it were kept."),
                    "batches",
                    exception);
            }
        }

        /// <summary>J of the parameters left in the network over every batch of the source, weighted by batch size.</summary>
        public float PriceFinalParameters(IEnumerable<TrainingBatch> batches)
        {
            ITrainableNetwork network = session.Network;
            double weighted = 0;
            long examples = 0;
            int index = 0;
            foreach (TrainingBatch batch in batches)
            {
                int count = Read(batch, session.Options.Iterations, index++, out ReadOnlySpan<float> x, out ReadOnlySpan<float> y);
                if (_outputs.Length < y.Length)
                {
                    _outputs = new float[y.Length];
                }

                Span<float> outputs = _outputs.AsSpan(0, y.Length);
                network.PredictBatch(x, outputs);
                weighted += (network.Cost(outputs, y, count) + session.Penalty(count)) * count;
                examples += count;
            }

            return examples == 0 ? float.NaN : (float)(weighted / examples);
        }
    }
}
