using System;

namespace NnGen;

/// <summary>
/// What the runtime's <c>Trainer</c> needs of a network. Every generated network implements it explicitly,
/// so its own public surface stays typed (constants, <c>Gradients</c>, <c>Input</c>/<c>Output</c>).
/// </summary>
public interface ITrainableNetwork
{
    /// <summary>The network's type name, used in error messages.</summary>
    string Name { get; }

    /// <summary>n[0]: floats per input example.</summary>
    int InputSize { get; }

    /// <summary>n[L]: floats per output (and label) example.</summary>
    int OutputSize { get; }

    /// <summary>The length of <see cref="Parameters"/> and of a gradient vector.</summary>
    int ParameterCount { get; }

    /// <summary>The resolved cost (never <see cref="NnGen.Loss.Default"/>).</summary>
    Loss Loss { get; }

    /// <summary>g[L], the output layer's activation.</summary>
    Activation OutputActivation { get; }

    /// <summary>All parameters, W1, b1, W2, b2, … each W row-major.</summary>
    Span<float> Parameters { get; }

    /// <summary>
    /// The non-trainable state: the running statistics of batch normalization, laid out as the architecture's state
    /// tensors (running_mean{l}, running_var{l}, … in layer order). Saved, loaded and baked with the parameters, updated
    /// by training forward passes, never by the optimizer. Empty (the default) for a network without such state.
    /// </summary>
    Span<float> State => Span<float>.Empty;

    /// <summary>
    /// One forward pass over m = inputs.Length / InputSize examples (one per row), the cost, and the backward pass.
    /// Writes dW1, db1, … into <paramref name="gradients"/> (laid out like <see cref="Parameters"/>) and returns J.
    /// Lengths are validated; label values are not (the caller validates them once, not per iteration).
    /// </summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace);

    /// <summary>
    /// The same pass, told whether the caller needs J. With <paramref name="computeCost"/> false an implementation may
    /// skip the cost and return <see langword="null"/>; the gradients are the same. Generated networks do: for a tiny
    /// network the cost is two logarithms per example, about 40% of the pass. <c>Trainer.Fit</c> asks for J only on the
    /// iterations it records. The default implementation always computes it.
    /// </summary>
    float? ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace, bool computeCost) =>
        ComputeGradients(inputs, labels, gradients, workspace);

    /// <summary>
    /// The same pass in training mode for training step <paramref name="stepSeed"/>: a dropout layer draws its mask from
    /// it (see <c>NnGen.Kernels.DropoutKernels</c>), so the same seed gives the same step at every vector width and
    /// thread count. Networks without a training mode of their own (<see cref="HasTrainingMode"/>) ignore it; so does
    /// the default implementation.
    /// </summary>
    float? ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace, bool computeCost, ulong stepSeed) =>
        ComputeGradients(inputs, labels, gradients, workspace, computeCost);

    /// <summary>
    /// Whether training computes a different forward pass from <see cref="Predict"/>'s: dropout masks and batch
    /// statistics exist only in training. The gradient check then differentiates the training-mode cost (one fixed
    /// mask) instead of the prediction cost. The default is <see langword="false"/>.
    /// </summary>
    bool HasTrainingMode => false;

    /// <summary>
    /// Where the weights W[1] … W[L] sit in <see cref="Parameters"/>, one range per layer in order; every other
    /// parameter is a bias. L2 regularization (<see cref="TrainingOptions.L2"/>) and AdamW's weight decay apply to these
    /// ranges only, as the course regularizes W and not b. Generated networks list their ranges (W1 at
    /// <c>W1Offset..b1Offset</c>, …). The default, empty, means the network does not say; the trainer then refuses the
    /// options that need the distinction instead of guessing.
    /// </summary>
    ReadOnlySpan<Range> WeightRanges => default;

    /// <summary>A[L] for one example of <see cref="InputSize"/> floats into <paramref name="y"/> of <see cref="OutputSize"/>.</summary>
    void Predict(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>A[L] for m examples, one per row of <paramref name="inputs"/> and of <paramref name="outputs"/>.</summary>
    void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>
    /// J of <paramref name="predictions"/> against <paramref name="labels"/> over <paramref name="examples"/> rows, as
    /// this network's training defines it: <see cref="Losses.Cost"/> of its loss by default. The trainer prices
    /// validation and final costs with it, so they match the costs <c>ComputeGradients</c> returns.
    /// </summary>
    /// <param name="predictions">A[L] of the examples, as <see cref="PredictBatch"/> writes them.</param>
    /// <param name="labels">Y, in the same layout.</param>
    /// <param name="examples">m, the rows of both.</param>
    /// <returns>J, accumulated in double.</returns>
    double Cost(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples) =>
        Losses.Cost(Losses.Resolve(Loss, OutputActivation), predictions, labels, examples);
}
