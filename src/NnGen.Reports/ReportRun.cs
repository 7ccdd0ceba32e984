using System;
using System.Collections.Generic;
using NnGen.Data;

namespace NnGen.Reports;

/// <summary>
/// One training run to show in a <see cref="TrainingReport"/>: what <c>Fit</c> returned, and optionally the network and
/// the data it was trained on, from which the report draws the figures that need predictions.
/// </summary>
/// <remarks>
/// Only <see cref="History"/> is required; each figure appears when what it needs is given: the cost curve from the
/// history alone; final metrics, the confusion matrix or (for regression) the predicted-against-actual figure, and (for a
/// network with two inputs and one sigmoid output) the decision boundary from <see cref="Network"/> and
/// <see cref="Training"/> (or <see cref="Validation"/>).
/// </remarks>
public sealed class ReportRun
{
    /// <summary>Creates a run from its name and the history <c>Fit</c> returned.</summary>
    /// <param name="name">How the report labels the run, e.g. <c>"2-4-1 tanh/sigmoid"</c>.</param>
    /// <param name="history">The history <c>Fit</c> returned.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    public ReportRun(string name, TrainingHistory history)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(history);
        Name = name;
        History = history;
    }

    /// <summary>How the report labels the run.</summary>
    public string Name { get; }

    /// <summary>The history <c>Fit</c> returned: costs, time, status.</summary>
    public TrainingHistory History { get; }

    /// <summary>The trained network, for predictions (metrics, confusion matrix, decision boundary); it is not changed.</summary>
    public ITrainableNetwork? Network { get; init; }

    /// <summary>The options the run was trained with, shown in the run's table.</summary>
    public TrainingOptions? Options { get; init; }

    /// <summary>The network's <c>Summary</c> table (a generated network's static <c>Summary</c>), shown as text.</summary>
    public string? Summary { get; init; }

    /// <summary>The training data: final training metrics, and the points of the decision boundary figure.</summary>
    public Dataset? Training { get; init; }

    /// <summary>
    /// Data the network was not trained on: final metrics, and the data of the confusion matrix (or, for regression, of
    /// the predicted-against-actual figure) when given. The report calls it "validation" when it is the data
    /// <c>Fit</c> validated on (the same arrays as <see cref="TrainingOptions.Validation"/> of <see cref="Options"/>) and
    /// "test" otherwise, so two different sets never share a name.
    /// </summary>
    public Dataset? Validation { get; init; }

    /// <summary>
    /// Names of the classes, in label order (class 0 first), for the confusion matrix; when absent, the
    /// <see cref="Dataset.ClassNames"/> of <see cref="Validation"/> or <see cref="Training"/>, else numbers.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
