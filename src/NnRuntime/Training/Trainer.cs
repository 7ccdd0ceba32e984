using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Threading;
using NnGen.Kernels;

namespace NnGen;

/// <summary>
/// Training, evaluation and gradient checking for any <see cref="ITrainableNetwork"/>. Generated networks forward their
/// <c>Fit</c>, <c>Evaluate</c>, <c>GradientCheck</c> and <c>Step</c> here, so the training logic exists once.
/// </summary>
/// <remarks>
/// <para>
/// Inputs hold one example per row (m × n[0], row-major) and labels one example per row (m × n[L]), the layout of
/// <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/>;
/// the overloads taking <see cref="ReadOnlySpan{T}"/> of <see cref="int"/> take one class index per example instead.
/// </para>
/// <para>
/// Concurrency: <c>Fit</c>, <c>GradientCheck</c>/<c>CheckGradients</c>, <c>Step</c> and <c>WeightsFile.Load</c> (a
/// network's <c>LoadWeights</c>) write the parameters; one network instance runs one of them at a time, and another
/// started meanwhile (on another thread, or from a <see cref="TrainingOptions.Progress"/> callback) throws
/// <see cref="InvalidOperationException"/> instead of interleaving its writes. Predictions and <c>Evaluate</c> only
/// read the parameters, so any number of threads may run them together, but not while the same instance trains or
/// loads: they would read weights in the middle of a write. To serve predictions while training or loading, write a
/// second instance and copy its <see cref="ITrainableNetwork.Parameters"/> over between calls (or swap the instance).
/// A <see cref="TrainingOptions.Progress"/> callback that runs on the training thread may change
/// <see cref="ITrainableNetwork.Parameters"/> directly; training continues from the values it leaves.
/// Different instances are independent.
/// </para>
/// </remarks>
public static partial class Trainer
{
    // An update whose bound max|θ| + ‖Δ‖ stays below this is applied in place without further checks. The margin
    // below float.MaxValue covers the float rounding of Δ and of the difference (each at most 2^-24 relative) and the
    // double rounding of the bound itself, so such an update can never produce ±∞.
    private const double SafeMagnitude = float.MaxValue * (1.0 - (1.0 / (1 << 20)));

    /// <summary>
    /// Trains <paramref name="network"/>: each update is θ := θ − α·dθ (or the rule of <see cref="TrainingOptions.Optimizer"/>)
    /// with the gradients of <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/>,
    /// over the whole data set or over shuffled mini-batches.
    /// </summary>
    /// <param name="network">The network; its <see cref="ITrainableNetwork.Parameters"/> are updated in place.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">
    /// Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row; each in [0, 1] for
    /// <see cref="Loss.BinaryCrossEntropy"/>; one-hot rows (in [0, 1], summing to 1) for <see cref="Loss.CategoricalCrossEntropy"/>.
    /// </param>
    /// <param name="options">Learning rate, passes, batching, optimizer, schedule, L2, validation, early stopping, recording, progress and cancellation.</param>
    /// <returns>
    /// The recorded costs, the final cost and how training ended (see <see cref="TrainingStatus"/>). On divergence the
    /// parameters are the last finite ones (nothing non-finite is ever written).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A size, a value or an option is invalid, or the current parameters are not finite. Everything is checked before
    /// the first update, so the parameters are untouched when this is thrown.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
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
        return FitInMemory(network, inputs, labels, examples, loss, options);
    }

    /// <summary>
    /// Trains a classifier on labels given as class indices: <paramref name="labels"/>[e] is the class of example e,
    /// turned once into a one-hot row (softmax or multi-output sigmoid) or the 0/1 label (single sigmoid output).
    /// Otherwise the same as <see cref="Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/>.
    /// </summary>
    /// <param name="network">The network, with a softmax or sigmoid output.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">m class indices, each in 0 … K − 1 (K = n[L], or 2 for a single sigmoid output).</param>
    /// <param name="options">The training options.</param>
    /// <returns>The training history.</returns>
    /// <exception cref="ArgumentException">
    /// A size or an option is invalid, or a class index is out of range (<c>labels[17] is 12, but the network has 10 classes</c>).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <see cref="TrainingOptions.CancellationToken"/> was cancelled; the parameters are those of the last completed update.
    /// </exception>
    public static TrainingHistory Fit(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(network.Name, nameof(Fit));
        float[] rows = ClassLabelRows(network, nameof(Fit), inputs, labels);
        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(Fit), inputs, rows, loss);
        return FitInMemory(network, inputs, rows, examples, loss, options);
    }

    /// <summary>
    /// Trains from a source of mini-batches read lazily, for data that does not fit in memory: each pass enumerates
    /// <paramref name="batches"/> once (so the source decides the order and the batch sizes, and may reuse its buffers
    /// from one batch to the next) and makes one update per batch. Options, validation, early stopping and status work as
    /// in the in-memory overloads; <see cref="TrainingOptions.BatchSize"/> and <see cref="TrainingOptions.Seed"/> are not
    /// used. Each batch is checked as it arrives.
    /// </summary>
    /// <param name="network">The network; its parameters are updated in place.</param>
    /// <param name="batches">
    /// The batches of one pass, enumerated again for every pass, and once more at the end when the final parameters are
    /// priced (<see cref="TrainingOptions.PriceFinalCost"/>). It must yield at least one batch.
    /// </param>
    /// <param name="options">The training options.</param>
    /// <returns>The training history; the recorded cost of a pass is the batch costs' mean weighted by batch size.</returns>
    /// <exception cref="ArgumentException">
    /// An option is invalid, the source yields nothing, or a batch is invalid (the message names the batch and the pass;
    /// the updates of earlier batches are kept).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <see cref="TrainingOptions.CancellationToken"/> was cancelled; the parameters are those of the last completed update.
    /// </exception>
    public static TrainingHistory Fit(ITrainableNetwork network, IEnumerable<TrainingBatch> batches, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(network.Name, nameof(Fit));
        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        ValidateParameters(network, nameof(Fit));

        using TrainingLease lease = TrainingLease.Acquire(network, nameof(Fit));
        using KernelParallelism.Scope parallelism = KernelParallelism.Override(options.MaxDegreeOfParallelism);
        long started = Stopwatch.GetTimestamp();
        var session = new Session(network, options, loss);
        var reader = new BatchReader(session, loss);
        RunSource(session, reader, batches);
        session.Finish();
        bool priced = session.PricesFinalCost(fullBatch: false);
        float finalCost = priced ? reader.PriceFinalParameters(batches) : session.LastRecordedCost;
        return session.ToHistory(finalCost, priced, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// <see cref="Fit(ITrainableNetwork, IEnumerable{TrainingBatch}, TrainingOptions)"/> for a source that yields
    /// (inputs, label rows) pairs, such as <c>NnGen.Data.BatchReader</c>.
    /// </summary>
    /// <param name="network">The network; its parameters are updated in place.</param>
    /// <param name="batches">The batches of one pass, enumerated once per pass and once more to price the final parameters.</param>
    /// <param name="options">The training options.</param>
    /// <returns>The training history.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the source yields nothing, or a batch is invalid.</exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <see cref="TrainingOptions.CancellationToken"/> was cancelled; the parameters are those of the last completed update.
    /// </exception>
    public static TrainingHistory Fit(ITrainableNetwork network, IEnumerable<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)> batches, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Fit(network, AsTrainingBatches(batches), options);
    }

    private static IEnumerable<TrainingBatch> AsTrainingBatches(IEnumerable<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)> batches)
    {
        foreach ((ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels) in batches)
        {
            yield return new TrainingBatch(inputs, labels);
        }
    }

    /// <summary>
    /// One plain gradient-descent update of every parameter, θ := θ − α·g, in a single vectorized pass. It refuses
    /// non-finite gradients and updates that would overflow (nothing is written then); <see cref="Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/>
    /// additionally reports divergence.
    /// </summary>
    /// <param name="network">The network whose <see cref="ITrainableNetwork.Parameters"/> are updated in place.</param>
    /// <param name="gradients">dW1, db1, … laid out like the parameters; <see cref="ITrainableNetwork.ParameterCount"/> finite floats.</param>
    /// <param name="learningRate">α, positive and finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The gradient length or the learning rate is invalid, a gradient is NaN or infinite, or the update would make a
    /// parameter infinite. The parameters are unchanged then.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    public static void Step(ITrainableNetwork network, ReadOnlySpan<float> gradients, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length(network.Name, nameof(Step), nameof(gradients), gradients.Length, network.ParameterCount, "ParameterCount");
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
        {
            throw new ArgumentException(Format(network.Name, nameof(Step), $"learningRate is {learningRate}; it must be positive and finite."), nameof(learningRate));
        }

        using TrainingLease lease = TrainingLease.Acquire(network, nameof(Step));
        Span<float> parameters = network.Parameters;
        Guard.Length(network.Name, nameof(Step), "Parameters", parameters.Length, network.ParameterCount, "ParameterCount");
        if (!TensorPrimitives.IsFiniteAll(gradients))
        {
            int i = IndexOfNonFinite(gradients);
            throw new ArgumentException(
                Format(network.Name, nameof(Step), $"gradients[{i}] is {gradients[i]}; the parameters were left unchanged (the gradient diverged)."),
                nameof(gradients));
        }

        double reach = (double)Math.Abs(TensorPrimitives.MaxMagnitude<float>(parameters)) + (learningRate * (double)Math.Abs(TensorPrimitives.MaxMagnitude(gradients)));
        if (reach > SafeMagnitude)
        {
            // Rare: only updates near the edge of the float range get here, so an element-wise check costs nothing usual.
            for (int i = 0; i < parameters.Length; i++)
            {
                if (!float.IsFinite(parameters[i] + (gradients[i] * -learningRate)))
                {
                    throw new ArgumentException(
                        Format(network.Name, nameof(Step), $"the update of Parameters[{i}] = {parameters[i]} by gradient {gradients[i]} at learningRate {learningRate} overflows; the parameters were left unchanged."),
                        nameof(gradients));
                }
            }
        }

        ApplyStep(parameters, gradients, learningRate);
    }

    /// <summary>
    /// Computes θ + dW·(−α): α·dW is rounded to float before the subtraction, exactly as NumPy's
    /// <c>W - learning_rate * dW</c> on float32 arrays (MultiplyAdd is not fused).
    /// </summary>
    private static void ApplyStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate) =>
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);

    private static TrainingHistory FitInMemory(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples, Loss loss, TrainingOptions options)
    {
        ValidateParameters(network, nameof(Fit));
        using TrainingLease lease = TrainingLease.Acquire(network, nameof(Fit));
        using KernelParallelism.Scope parallelism = KernelParallelism.Override(options.MaxDegreeOfParallelism);
        long started = Stopwatch.GetTimestamp();
        var session = new Session(network, options, loss);
        session.Chance.Observe(labels);
        bool fullBatch = options.BatchSize == 0 || options.BatchSize >= examples;
        try
        {
            if (fullBatch)
            {
                RunFullBatch(session, inputs, labels, examples);
            }
            else
            {
                RunMiniBatches(session, inputs, labels, examples);
            }
        }
        catch (WorkspaceSizeException exception)
        {
            // The network names its own method (ComputeGradients) and sizes; the user called Fit, and only the trainer
            // knows the batch size to suggest. Every batch of a run has the same size, so this is the first update and
            // the parameters are untouched.
            throw new ArgumentException(
                Format(
                    network.Name,
                    nameof(Fit),
                    $"the training workspace for a batch of {(fullBatch ? examples : options.BatchSize)} examples is larger than one array can hold (its size overflowed a 32-bit int); train in mini-batches (TrainingOptions.BatchSize, for example 1024). The parameters were not changed."),
                nameof(inputs),
                exception);
        }

        session.Finish();
        bool priced = session.PricesFinalCost(fullBatch);
        float finalCost = priced ? PriceFinal(session, inputs, labels, examples, loss) : session.LastRecordedCost;
        return session.ToHistory(finalCost, priced, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// One extra forward pass prices the parameters actually left in the network, in double like Evaluate, so the
    /// number matches the course's final cost rather than the cost measured one update earlier.
    /// </summary>
    private static float PriceFinal(Session session, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples, Loss loss)
    {
        var outputs = new float[labels.Length];
        session.Network.PredictBatch(inputs, outputs);
        return (float)(session.Network.Cost(outputs, labels, examples) + session.Penalty(examples));
    }

    private static void RunFullBatch(Session session, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples)
    {
        CancellationToken token = session.Options.CancellationToken;
        int iterations = session.Options.Iterations;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            token.ThrowIfCancellationRequested();
            session.BeginPass(iteration);
            bool recorded = session.IsRecorded(iteration);
            float? cost = session.ComputeGradients(inputs, labels, examples, computeCost: recorded, session.NextStepSeed());
            if (recorded)
            {
                // The recorded cost is that of the parameters this step starts from, so validate those too.
                session.Validate(iteration);
            }

            if (!session.TryUpdate(iteration, ref cost, examples))
            {
                // The update was refused, so the parameters are those this step ran with: price them for the report.
                session.DivergedCost ??= session.CostOf(inputs, labels, examples);
                return;
            }

            if (recorded && session.Record(iteration, cost ?? PriceCurrent(session, inputs, labels, examples)))
            {
                return;
            }
        }
    }

    /// <summary>J of the current parameters plus the L2 term, for a record point whose step skipped the cost.</summary>
    private static float PriceCurrent(Session session, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int examples) =>
        (float)(session.CostOf(inputs, labels, examples) + session.Penalty(examples));

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
            session.BeginPass(pass);
            bool recorded = session.IsRecorded(pass);
            double weightedCost = 0;
            for (int start = 0; start < examples; start += batchSize)
            {
                token.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, examples - start);
                BatchGather.Gather(inputs, labels, inputSize, outputSize, order.AsSpan(start, count), batchInputs, batchLabels, KernelParallelism.Current);

                ReadOnlySpan<float> x = batchInputs.AsSpan(0, count * inputSize);
                ReadOnlySpan<float> y = batchLabels.AsSpan(0, count * outputSize);
                if (!TryBatchStep(session, x, y, count, pass, recorded, ref weightedCost))
                {
                    return;
                }
            }

            if (EndPass(session, pass, recorded, weightedCost, examples))
            {
                return;
            }
        }
    }

    private static void RunSource(Session session, BatchReader reader, IEnumerable<TrainingBatch> batches)
    {
        ITrainableNetwork network = session.Network;
        CancellationToken token = session.Options.CancellationToken;
        for (int pass = 0; pass < session.Options.Iterations; pass++)
        {
            session.BeginPass(pass);
            bool recorded = session.IsRecorded(pass);
            double weightedCost = 0;
            long examples = 0;
            int index = 0;
            foreach (TrainingBatch batch in batches)
            {
                token.ThrowIfCancellationRequested();
                int count = reader.Read(batch, pass, index++, out ReadOnlySpan<float> x, out ReadOnlySpan<float> y);
                if (pass == 0)
                {
                    session.Chance.Observe(y);
                }
                if (!TryBatchStep(session, x, y, count, pass, recorded, ref weightedCost))
                {
                    return;
                }

                examples += count;
            }

            if (examples == 0)
            {
                throw new ArgumentException(Format(network.Name, nameof(Fit), $"batches yielded no batch in pass {pass}; a source must yield at least one batch every pass."), nameof(batches));
            }

            if (EndPass(session, pass, recorded, weightedCost, examples))
            {
                return;
            }
        }
    }

    /// <summary>
    /// One mini-batch: gradients, the update, and (on a recorded pass) the batch's cost added to the pass's sum weighted
    /// by its size, since each batch cost is a mean over its own examples. False when the update was refused: the
    /// parameters are then those this batch ran with, and they are priced for the report.
    /// </summary>
    private static bool TryBatchStep(Session session, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int count, int pass, bool recorded, ref double weightedCost)
    {
        float? cost = session.ComputeGradients(x, y, count, computeCost: recorded, session.NextStepSeed());
        if (!session.TryUpdate(pass, ref cost, count))
        {
            session.DivergedCost ??= session.CostOf(x, y, count);
            return false;
        }

        if (recorded)
        {
            weightedCost += (double)(cost ?? session.CostOf(x, y, count) + session.Penalty(count)) * count;
        }

        return true;
    }

    /// <summary>After a recorded pass of mini-batches: validation and the pass's mean cost over its examples; true to stop.</summary>
    private static bool EndPass(Session session, int pass, bool recorded, double weightedCost, long examples)
    {
        if (!recorded)
        {
            return false;
        }

        session.Validate(pass);
        return session.Record(pass, (float)(weightedCost / examples));
    }

    /// <summary>
    /// Turns class indices into label rows after checking their count against the inputs, so the message names both.
    /// </summary>
    private static float[] ClassLabelRows(ITrainableNetwork network, string method, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
    {
        int examples = Guard.ExampleCount(network.Name, method, inputs.Length, network.InputSize);
        if (labels.Length != examples)
        {
            throw new ArgumentException(
                Format(network.Name, method, $"labels has {labels.Length} class indices, expected {examples} (one per example)."),
                nameof(labels));
        }

        return ClassIndices.ToRows(network, method, nameof(labels), labels);
    }

    /// <summary>
    /// Marks a network instance as having its parameters written for the duration of a <c>using</c>: <c>Fit</c>, a gradient
    /// check, <c>Step</c> or a weights load. A second writer on the same instance fails loudly instead of interleaving its
    /// writes (a load during <c>Fit</c> would otherwise return normally and be overwritten by the next update).
    /// </summary>
    internal readonly struct TrainingLease : IDisposable
    {
        // The instances being written, with the method writing each and its thread, so the refusal can say who holds it.
        private static readonly Dictionary<object, (string Method, int Thread)> Holders = new(ReferenceEqualityComparer.Instance);
        private readonly ITrainableNetwork _network;

        private TrainingLease(ITrainableNetwork network) => _network = network;

        /// <summary>Takes the instance for <paramref name="method"/>, or throws when another writer holds it.</summary>
        /// <exception cref="InvalidOperationException">The instance is training, stepping or loading weights.</exception>
        public static TrainingLease Acquire(ITrainableNetwork network, string method)
        {
            lock (Holders)
            {
                if (Holders.TryGetValue(network, out (string Method, int Thread) holder))
                {
                    throw new InvalidOperationException(Format(network.Name, method, Refusal(holder.Method, holder.Thread)));
                }

                Holders.Add(network, (method, Environment.CurrentManagedThreadId));
            }

            return new TrainingLease(network);
        }

        public void Dispose()
        {
            lock (Holders)
            {
                Holders.Remove(_network);
            }
        }

        private static FormattableString Refusal(string holder, int thread)
        {
            // The same thread can only get here from inside the holder, which for Fit means a Progress callback.
            string where = thread == Environment.CurrentManagedThreadId ? "on this thread (from a Progress callback?)" : "on another thread";
            string busy = holder is nameof(Fit) or nameof(GradientCheck)
                ? $"this instance is already training ({holder}) {where}"
                : $"this instance is in {holder} {where}";
            return $"{busy}. Fit, GradientCheck, Step and LoadWeights each write the parameters, one at a time per instance; wait for {holder} to return, or use a separate instance and copy its Parameters over.";
        }
    }
}
