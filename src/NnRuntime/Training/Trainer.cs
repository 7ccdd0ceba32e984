using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Threading;
using NnGen.Kernels;

namespace NnGen;

/// <summary>
/// Gradient descent, evaluation and gradient checking for any <see cref="ITrainableNetwork"/>. Generated networks
/// forward their <c>Fit</c>, <c>Evaluate</c>, <c>GradientCheck</c> and <c>Step</c> here, so the training logic exists once.
/// </summary>
/// <remarks>
/// Inputs hold one example per row (m × n[0], row-major) and labels one example per row (m × n[L]), the layout of
/// <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/>.
/// </remarks>
public static partial class Trainer
{
    // An update whose bound max|θ| + α·‖dW‖ stays below this is applied in place without further checks. The margin
    // below float.MaxValue covers the float rounding of α·dW and of the difference (each at most 2^-24 relative) and the
    // double rounding of the bound itself, so such an update can never produce ±∞.
    private const double SafeMagnitude = float.MaxValue * (1.0 - (1.0 / (1 << 20)));

    /// <summary>
    /// Trains <paramref name="network"/> by gradient descent: each update is W := W − α·dW with the gradients of
    /// <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/>, over the whole data set or over shuffled mini-batches.
    /// </summary>
    /// <param name="network">The network; its <see cref="ITrainableNetwork.Parameters"/> are updated in place.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">
    /// Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row; each in [0, 1] for
    /// <see cref="Loss.BinaryCrossEntropy"/>.
    /// </param>
    /// <param name="options">Learning rate, passes, batching, recording, progress and cancellation.</param>
    /// <returns>
    /// The recorded costs, the final cost and how training ended. On divergence the parameters are the last finite
    /// ones (nothing non-finite is ever written) and <see cref="TrainingHistory.Status"/> is
    /// <see cref="TrainingStatus.Diverged"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A size, a value or an option is invalid, or the current parameters are not finite. Everything is checked before
    /// the first update, so the parameters are untouched when this is thrown.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <see cref="TrainingOptions.CancellationToken"/> was cancelled; the parameters are those of the last completed update.
    /// </exception>
    public static TrainingHistory Fit(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(network.Name, nameof(Fit));
        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(Fit), inputs, labels, loss);
        ValidateParameters(network, nameof(Fit));

        using KernelParallelism.Scope parallelism = KernelParallelism.Override(options.MaxDegreeOfParallelism);
        long started = Stopwatch.GetTimestamp();
        var session = new Session(network, options);
        if (options.BatchSize == 0 || options.BatchSize >= examples)
        {
            RunFullBatch(session, inputs, labels);
        }
        else
        {
            RunMiniBatches(session, inputs, labels, examples);
        }

        // One extra forward pass prices the parameters actually left in the network, in double like Evaluate, so the
        // number matches the course's final cost rather than the cost measured one update earlier.
        var outputs = new float[labels.Length];
        network.PredictBatch(inputs, outputs);
        float finalCost = (float)Losses.Cost(loss, outputs, labels, examples);

        return session.ToHistory(finalCost, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// One plain gradient-descent update of every parameter, W := W − α·dW, in a single vectorized pass.
    /// It does not guard against divergence; <see cref="Fit"/> does.
    /// </summary>
    /// <param name="network">The network whose <see cref="ITrainableNetwork.Parameters"/> are updated in place.</param>
    /// <param name="gradients">dW1, db1, … laid out like the parameters; <see cref="ITrainableNetwork.ParameterCount"/> floats.</param>
    /// <param name="learningRate">α, positive and finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">The gradient length or the learning rate is invalid.</exception>
    public static void Step(ITrainableNetwork network, ReadOnlySpan<float> gradients, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length(network.Name, nameof(Step), nameof(gradients), gradients.Length, network.ParameterCount, "ParameterCount");
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
        {
            throw new ArgumentException(Format(network.Name, nameof(Step), $"learningRate is {learningRate}; it must be positive and finite."), nameof(learningRate));
        }

        Span<float> parameters = network.Parameters;
        Guard.Length(network.Name, nameof(Step), "Parameters", parameters.Length, network.ParameterCount, "ParameterCount");
        ApplyStep(parameters, gradients, learningRate);
    }

    /// <summary>
    /// Computes θ + dW·(−α): α·dW is rounded to float before the subtraction, exactly as NumPy's
    /// <c>W - learning_rate * dW</c> on float32 arrays (MultiplyAdd is not fused).
    /// </summary>
    private static void ApplyStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate) =>
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);

    private static void RunFullBatch(Session session, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels)
    {
        ITrainableNetwork network = session.Network;
        CancellationToken token = session.Options.CancellationToken;
        int iterations = session.Options.Iterations;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            token.ThrowIfCancellationRequested();
            bool recorded = session.IsRecorded(iteration);
            float? cost = network.ComputeGradients(inputs, labels, session.Gradients, session.Workspace, computeCost: recorded);
            if (!session.TryUpdate(iteration, cost))
            {
                // The update was refused, so the parameters are those this step ran with: price them for the report.
                session.DivergedCost ??= network.ComputeGradients(inputs, labels, session.Gradients, session.Workspace);
                return;
            }

            if (recorded)
            {
                session.Record(iteration, cost ?? network.ComputeGradients(inputs, labels, session.Gradients, session.Workspace));
            }
        }
    }

    private static void RunMiniBatches(Session session, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples)
    {
        ITrainableNetwork network = session.Network;
        TrainingOptions options = session.Options;
        CancellationToken token = options.CancellationToken;
        int inputSize = network.InputSize;
        int outputSize = network.OutputSize;
        int batchSize = options.BatchSize;

        // One generator for the whole run, one fresh permutation of 0 … m−1 per pass: the NumPy equivalent is
        // rng = RandomState(Seed), then rng.permutation(m) at the start of every pass.
        var random = new NumPyRandom(options.Seed);
        var order = new int[examples];
        var batchInputs = new float[batchSize * inputSize];
        var batchLabels = new float[batchSize * outputSize];

        for (int pass = 0; pass < options.Iterations; pass++)
        {
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            random.Shuffle<int>(order);
            bool recorded = session.IsRecorded(pass);
            double weightedCost = 0;
            for (int start = 0; start < examples; start += batchSize)
            {
                token.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, examples - start);
                for (int row = 0; row < count; row++)
                {
                    int example = order[start + row];
                    inputs.Slice(example * inputSize, inputSize).CopyTo(batchInputs.AsSpan(row * inputSize, inputSize));
                    labels.Slice(example * outputSize, outputSize).CopyTo(batchLabels.AsSpan(row * outputSize, outputSize));
                }

                ReadOnlySpan<float> x = batchInputs.AsSpan(0, count * inputSize);
                ReadOnlySpan<float> y = batchLabels.AsSpan(0, count * outputSize);
                float? cost = network.ComputeGradients(x, y, session.Gradients, session.Workspace, computeCost: recorded);
                if (!session.TryUpdate(pass, cost))
                {
                    session.DivergedCost ??= network.ComputeGradients(x, y, session.Gradients, session.Workspace);
                    return;
                }

                if (recorded)
                {
                    // Each batch cost is a mean over its own examples; weighting by size makes the pass cost a mean over m.
                    weightedCost += (double)(cost ?? network.ComputeGradients(x, y, session.Gradients, session.Workspace)) * count;
                }
            }

            if (recorded)
            {
                session.Record(pass, (float)(weightedCost / examples));
            }
        }
    }

    /// <summary>Everything one call to <see cref="Fit"/> allocates, allocated once before the first update.</summary>
    private sealed class Session
    {
        private readonly List<CostRecord> _costs;
        private readonly int _recordEvery;
        private readonly int _iterations;
        private readonly float _learningRate;
        private readonly IProgress<TrainingProgress>? _progress;

        // An upper bound on max|θ|. Each accepted update raises it by α·‖dW‖ instead of rescanning the parameters,
        // so a typical update costs one extra pass (the ‖dW‖ that also detects a non-finite gradient) and needs no
        // backup copy: an update within the bound cannot overflow, so nothing non-finite is ever written.
        private double _parameterBound;
        private float[]? _candidate;
        private int? _divergedAt;

        public Session(ITrainableNetwork network, TrainingOptions options)
        {
            Network = network;
            Options = options;
            Gradients = new float[network.ParameterCount];
            Workspace = new Workspace();
            _iterations = options.Iterations;
            _recordEvery = options.RecordEvery;
            _learningRate = options.LearningRate;
            _progress = options.Progress;
            _costs = new List<CostRecord>(RecordCount(_iterations, _recordEvery));
            _parameterBound = MaxAbs(network.Parameters);
        }

        public ITrainableNetwork Network { get; }

        public TrainingOptions Options { get; }

        public float[] Gradients { get; }

        public Workspace Workspace { get; }

        /// <summary>The cost of the step that diverged, once known; <see langword="null"/> while training runs.</summary>
        public float? DivergedCost { get; set; }

        /// <summary>
        /// Applies the update for <see cref="Gradients"/> unless the cost (when this iteration computed one) or a
        /// gradient is not finite or the update would make a parameter non-finite; then records the divergence, leaves
        /// the parameters untouched and returns false.
        /// </summary>
        /// <remarks>
        /// On an iteration that skipped the cost the gradients decide alone, and they catch what matters: a NaN or
        /// infinite prediction makes dZ[L] = A[L] − Y, and with it every gradient, non-finite in the same iteration. (For
        /// a generated network the cost can overflow with finite gradients only under mean squared error beyond
        /// |a − y| ≈ 1.8e19; the parameters then stay finite and the growing gradients stop the run a few steps later.)
        /// </remarks>
        public bool TryUpdate(int iteration, float? cost)
        {
            if (cost is float known && !float.IsFinite(known))
            {
                return Diverge(iteration, known);
            }

            // ‖dW‖₂ ≥ max|dW| bounds the step, and its one pass (as cheap as the update itself) also catches NaN and ±∞:
            // a non-finite element makes the sum of squares non-finite. So can finite gradients beyond 1.8e19, which
            // are told apart by a second, rarer pass. Float rounding keeps the norm within 2^-22 of the true one, and
            // squares that underflow belong to steps below 1e-22·α; both vanish in the margin of SafeMagnitude.
            double gradientBound = Math.Sqrt(TensorPrimitives.SumOfSquares<float>(Gradients));
            if (!double.IsFinite(gradientBound))
            {
                if (!TensorPrimitives.IsFiniteAll<float>(Gradients))
                {
                    return Diverge(iteration, cost);
                }

                gradientBound = MaxAbs(Gradients);
            }

            Span<float> parameters = Network.Parameters;
            double reach = _parameterBound + (_learningRate * gradientBound);
            if (reach <= SafeMagnitude)
            {
                ApplyStep(parameters, Gradients, _learningRate);
                _parameterBound = reach;
                return true;
            }

            // Near the edge of the float range the bound is too coarse (it ignores signs, and it only grows): compute
            // the update aside and keep it only if every value is finite. This buffer is the one allocation that is
            // not made up front, because only a run that is about to overflow ever needs it.
            _candidate ??= new float[parameters.Length];
            TensorPrimitives.MultiplyAdd(Gradients, -_learningRate, parameters, _candidate);
            if (!TensorPrimitives.IsFiniteAll<float>(_candidate))
            {
                return Diverge(iteration, cost);
            }

            _candidate.CopyTo(parameters);
            _parameterBound = MaxAbs(_candidate);
            return true;
        }

        /// <summary>Whether iteration (or pass) <paramref name="iteration"/> records its cost: every k-th and the last.</summary>
        public bool IsRecorded(int iteration) => iteration % _recordEvery == 0 || iteration == _iterations - 1;

        public void Record(int iteration, float cost)
        {
            _costs.Add(new CostRecord(iteration, cost));
            _progress?.Report(new TrainingProgress(iteration, _iterations, cost));
        }

        public TrainingHistory ToHistory(float finalCost, TimeSpan elapsed) =>
            _divergedAt is int at
                ? new TrainingHistory(_costs.AsReadOnly(), finalCost, elapsed, TrainingStatus.Diverged, at, at, DivergedCost ?? float.NaN)
                : new TrainingHistory(_costs.AsReadOnly(), finalCost, elapsed, TrainingStatus.Completed, _iterations, null, float.NaN);

        /// <summary>The number of record points: multiples of k below the iteration count, plus the last iteration.</summary>
        private static int RecordCount(int iterations, int recordEvery) =>
            ((iterations - 1) / recordEvery) + 1 + ((iterations - 1) % recordEvery == 0 ? 0 : 1);

        private static float MaxAbs(ReadOnlySpan<float> values) => Math.Abs(TensorPrimitives.MaxMagnitude(values));

        private bool Diverge(int iteration, float? cost)
        {
            _divergedAt = iteration;
            DivergedCost = cost;
            return false;
        }
    }
}
