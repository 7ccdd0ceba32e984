using System;
using System.Globalization;
using System.Threading;

namespace NnGen;

/// <summary>
/// How <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> trains. <c>new TrainingOptions { LearningRate = 1.2f, Iterations = 10000 }</c>
/// is the course's planar-data run: full batch, 10 000 updates of plain gradient descent with α = 1.2. Everything
/// else (optimizer, schedule, L2, gradient clipping, validation, early stopping) is off unless set, so those defaults
/// reproduce the course.
/// </summary>
/// <remarks>Values are checked when the options are used, so a mistake is reported with the network's name.</remarks>
public sealed class TrainingOptions
{
    /// <summary>
    /// α in W := W − α·dW (or the α of <see cref="Optimizer"/>), at pass 0 when there is a <see cref="Schedule"/>.
    /// Positive and finite. No default: no single value suits every network (Adam usually wants 1e-3).
    /// </summary>
    public required float LearningRate { get; init; }

    /// <summary>
    /// Passes over the training data, at least 1. With full batches (<see cref="BatchSize"/> = 0) each pass is one
    /// update, as in the course; with mini-batches each pass makes ⌈m / <see cref="BatchSize"/>⌉ updates.
    /// </summary>
    public required int Iterations { get; init; }

    /// <summary>
    /// 0 (the default) for full-batch gradient descent; otherwise the size of the mini-batches, drawn from a fresh
    /// shuffle of the examples on every pass, the last batch of a pass holding the remainder. A size of m or more
    /// is full-batch descent. Not used when training from a source of batches, which decides its own batches.
    /// </summary>
    public int BatchSize { get; init; }

    /// <summary>
    /// Seeds the mini-batch shuffling, at least 0. The order of pass p is the p-th
    /// <c>rng.permutation(m)</c> of <c>rng = np.random.RandomState(Seed)</c>. Unused with full batches.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// Records the cost (and reports <see cref="Progress"/>) every k iterations, at least 1; iteration 0 and the last
    /// iteration are always recorded. Default 100. The cost is computed only on these iterations: the others need
    /// just the gradients, and for a tiny network the cost is 40% of a pass.
    /// </summary>
    public int RecordEvery { get; init; } = 100;

    /// <summary>
    /// Told the cost at every record point, on the training thread between updates; <see langword="null"/> for none. Use a
    /// <see cref="SynchronousProgress{T}"/> (or your own <see cref="IProgress{T}"/>), not <see cref="Progress{T}"/>, which
    /// posts reports to the thread pool in a console app, out of order. The callback may change the network's
    /// <see cref="ITrainableNetwork.Parameters"/> and training continues from them; starting another writer of the same
    /// instance (<c>Fit</c>, <c>Step</c>, <c>LoadWeights</c>, a gradient check) throws <see cref="InvalidOperationException"/>
    /// out of <c>Fit</c>.
    /// </summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Checked before every update; cancelling makes <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> throw
    /// <see cref="OperationCanceledException"/>, leaving the parameters of the last completed update.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// The most threads one training run may use, at least 1; <see langword="null"/> (the default) uses
    /// <see cref="Kernels.KernelParallelism.MaxDegreeOfParallelism"/>. A batch of a network whose examples train
    /// independently is cut into at most 16 example chunks when it holds two chunks' worth of examples (64 each for a
    /// dense network, fewer for a convolutional one, more for a tiny one: docs/training.md), their number depending on
    /// the batch size and the network alone; each chunk's gradient is computed on one thread and the chunks are reduced
    /// in a fixed order. Other batches share out their large matrix products instead, cut into
    /// blocks that depend on the product's shape alone, every element computed whole by one thread; small products stay
    /// on the calling thread. Either way the value changes speed, never the trained weights.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Whether <see cref="TrainingHistory.FinalCost"/> is priced by one extra forward pass over all the training data
    /// with the parameters left in the network. <see langword="null"/> (the default) prices it with full batches (one
    /// forward pass next to the run's full-batch updates; it is the course's final cost) and whenever the parameters
    /// left are not those the last pass ended with (early stopping restored a better point, or training diverged).
    /// With mini-batches and batch sources it is otherwise the last pass's recorded cost, the mean of the costs its
    /// updates computed anyway (what PyTorch and Keras report for an epoch), because an extra pass over a large set costs
    /// as much as a good share of an epoch. <see langword="true"/> always prices, <see langword="false"/> never does
    /// unless the parameters left were not the last pass's. <see cref="TrainingHistory.FinalCostIsPriced"/> says which.
    /// </summary>
    public bool? PriceFinalCost { get; init; }

    /// <summary>
    /// How a gradient becomes an update: <see cref="GradientDescent"/> when <see langword="null"/> (the default),
    /// or <see cref="Momentum"/>, <see cref="Adam"/>, <see cref="AdamW"/>. Its state is allocated once per call.
    /// </summary>
    public Optimizer? Optimizer { get; init; }

    /// <summary>How the learning rate changes from pass to pass; <see langword="null"/> (the default) keeps it constant.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>
    /// λ of L2 regularization, at least 0 and finite; 0 (the default) is none. Adds λ/(2m)·Σ‖W[l]‖² to the cost and
    /// (λ/m)·W[l] to each dW[l], on the weights only (never the biases), as the course's regularization assignment does,
    /// with m the number of examples in the batch the gradient is computed on. The network must list its weights
    /// (<see cref="ITrainableNetwork.WeightRanges"/>).
    /// </summary>
    public float L2 { get; init; }

    /// <summary>
    /// The largest global L2 norm of the gradient an update may use, positive and finite; <see langword="null"/> (the
    /// default) clips nothing. After the batch gradient (with its L2 term) is computed and before the optimizer steps,
    /// when max / (‖g‖ + 1e-6) &lt; 1 every gradient is scaled by that factor: PyTorch's <c>clip_grad_norm_</c> over
    /// all the parameters (<see cref="GradientClipping"/>). ‖g‖ is summed in double in a fixed order, so results are
    /// the same at every thread count. AdamW's decoupled weight decay is part of the step, not of g, so it is not clipped.
    /// </summary>
    public float? ClipGradientNorm { get; init; }

    /// <summary>
    /// Held-out data evaluated at every record point; its cost and metric are recorded in
    /// <see cref="TrainingHistory.Costs"/>. <see langword="null"/> (the default) for none.
    /// </summary>
    public ValidationData? Validation { get; init; }

    /// <summary>Stops when the validation figure stops improving and restores the best parameters; needs <see cref="Validation"/>.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the network, the method and the first bad option.</summary>
    internal void Validate(string network, string method)
    {
        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate))
        {
            Throw(network, method, $"options.LearningRate is {LearningRate}; it must be positive and finite.");
        }

        if (Iterations < 1)
        {
            Throw(network, method, $"options.Iterations is {Iterations}; at least 1 pass over the data is needed.");
        }

        if (BatchSize < 0)
        {
            Throw(network, method, $"options.BatchSize is {BatchSize}; use 0 for full batches or a positive mini-batch size.");
        }

        if (Seed < 0)
        {
            Throw(network, method, $"options.Seed is {Seed}; NumPy-compatible seeds are at least 0.");
        }

        if (MaxDegreeOfParallelism is < 1)
        {
            Throw(network, method, $"options.MaxDegreeOfParallelism is {MaxDegreeOfParallelism}; it must be at least 1 (or null for the process-wide setting).");
        }

        if (RecordEvery < 1)
        {
            Throw(network, method, $"options.RecordEvery is {RecordEvery}; it must be at least 1.");
        }

        if (!(L2 >= 0f) || !float.IsFinite(L2))
        {
            Throw(network, method, $"options.L2 is {L2}; it must be at least 0 and finite.");
        }

        if (ClipGradientNorm is float clip && (!(clip > 0f) || !float.IsFinite(clip)))
        {
            Throw(network, method, $"options.ClipGradientNorm is {clip}; it must be positive and finite (or null for no clipping).");
        }

        Optimizer?.Validate(network, method);
        Schedule?.Validate(network, method);
        if (EarlyStopping is { } stopping)
        {
            if (Validation is null)
            {
                Throw(network, method, $"options.EarlyStopping is set but options.Validation is null; early stopping watches the validation data.");
            }

            if (stopping.Patience < 1)
            {
                Throw(network, method, $"options.EarlyStopping.Patience is {stopping.Patience}; it must be at least 1 record point.");
            }

            if (!(stopping.MinDelta >= 0) || !double.IsFinite(stopping.MinDelta))
            {
                Throw(network, method, $"options.EarlyStopping.MinDelta is {stopping.MinDelta}; it must be at least 0 and finite.");
            }

            if (!Enum.IsDefined(stopping.Monitor))
            {
                Throw(network, method, $"options.EarlyStopping.Monitor is {stopping.Monitor}, which is not a defined value.");
            }
        }
    }

    private static void Throw(string network, string method, FormattableString problem) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: ") + problem.ToString(CultureInfo.InvariantCulture),
            "options");
}
