using System;

namespace NnGen;

/// <summary>
/// Held-out examples that <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> evaluates at every record point (every
/// <see cref="TrainingOptions.RecordEvery"/> passes and the last), recording the cost and metric in
/// <see cref="TrainingHistory.Costs"/> and feeding <see cref="TrainingOptions.EarlyStopping"/>. Never trained on.
/// </summary>
/// <remarks>
/// The arrays are read, never copied or written, so they must not change while <c>Fit</c> runs. Class indices are turned
/// into one-hot rows once per <c>Fit</c>.
/// </remarks>
public sealed class ValidationData
{
    /// <summary>Validation examples with label rows, in the layout of <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/>'s own data.</summary>
    /// <param name="inputs">m × n[0] floats, one example per row.</param>
    /// <param name="labels">m × n[L] floats, one example per row (one-hot rows for a softmax output).</param>
    public ValidationData(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels) => Examples = new TrainingBatch(inputs, labels);

    /// <summary>Validation examples labelled by class index (see <see cref="Trainer.Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{int}, TrainingOptions)"/>).</summary>
    /// <param name="inputs">m × n[0] floats, one example per row.</param>
    /// <param name="classes">m class indices, each in 0 … classes − 1.</param>
    public ValidationData(ReadOnlyMemory<float> inputs, ReadOnlyMemory<int> classes) => Examples = new TrainingBatch(inputs, classes);

    /// <summary>The examples and their labels, held like a training batch.</summary>
    public TrainingBatch Examples { get; }

    /// <inheritdoc cref="TrainingBatch.Inputs"/>
    public ReadOnlyMemory<float> Inputs => Examples.Inputs;

    /// <inheritdoc cref="TrainingBatch.Labels"/>
    public ReadOnlyMemory<float> Labels => Examples.Labels;

    /// <inheritdoc cref="TrainingBatch.Classes"/>
    public ReadOnlyMemory<int> Classes => Examples.Classes;

    /// <inheritdoc cref="TrainingBatch.HasClassIndices"/>
    public bool HasClassIndices => Examples.HasClassIndices;
}

/// <summary>Which validation figure <see cref="EarlyStopping"/> watches.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The validation cost J; lower is better. The default.</summary>
    ValidationCost = 0,

    /// <summary>The validation metric (accuracy, or R² for a regression output); higher is better.</summary>
    ValidationMetric = 1,
}

/// <summary>
/// Stops <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> when the validation figure has not improved for <see cref="Patience"/> record points
/// in a row, and leaves the network with the parameters of the best record point. Needs
/// <see cref="TrainingOptions.Validation"/>.
/// </summary>
/// <remarks>
/// The best parameters are copied into one buffer allocated once per <c>Fit</c>. They are restored whenever the last
/// record point was not the best, whether training stopped early (<see cref="TrainingStatus.StoppedEarly"/>) or ran
/// every pass. Record points come every <see cref="TrainingOptions.RecordEvery"/> passes: set it to 1 to check every pass.
/// </remarks>
public sealed class EarlyStopping
{
    /// <summary>Record points without improvement before stopping, at least 1. Default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The smallest change that counts as an improvement, at least 0. Default 0.</summary>
    public double MinDelta { get; init; }

    /// <summary>The figure to watch. Default <see cref="EarlyStoppingMonitor.ValidationCost"/>.</summary>
    public EarlyStoppingMonitor Monitor { get; init; }
}

/// <summary>
/// One mini-batch of a lazily read data set, for
/// <see cref="Trainer.Fit(ITrainableNetwork, System.Collections.Generic.IEnumerable{TrainingBatch}, TrainingOptions)"/>.
/// </summary>
/// <remarks>The memory is read during the update that uses it and may be reused by the source for the next batch.</remarks>
public readonly struct TrainingBatch
{
    /// <summary>A batch with label rows.</summary>
    /// <param name="inputs">b × n[0] floats, one example per row.</param>
    /// <param name="labels">b × n[L] floats, one example per row.</param>
    public TrainingBatch(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> labels)
    {
        Inputs = inputs;
        Labels = labels;
        Classes = default;
        HasClassIndices = false;
    }

    /// <summary>A batch labelled by class index.</summary>
    /// <param name="inputs">b × n[0] floats, one example per row.</param>
    /// <param name="classes">b class indices.</param>
    public TrainingBatch(ReadOnlyMemory<float> inputs, ReadOnlyMemory<int> classes)
    {
        Inputs = inputs;
        Labels = default;
        Classes = classes;
        HasClassIndices = true;
    }

    /// <summary>The inputs, one example per row: n[0] floats each.</summary>
    public ReadOnlyMemory<float> Inputs { get; }

    /// <summary>The label rows (empty when <see cref="HasClassIndices"/>).</summary>
    public ReadOnlyMemory<float> Labels { get; }

    /// <summary>The class indices (empty unless <see cref="HasClassIndices"/>).</summary>
    public ReadOnlyMemory<int> Classes { get; }

    /// <summary>Whether the labels are class indices rather than rows.</summary>
    public bool HasClassIndices { get; }
}
