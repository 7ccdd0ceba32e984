using System;
using System.Globalization;

namespace NnGen.Data;

/// <summary>
/// A labelled data set in the layout generated networks consume: example-major, one example per row, so
/// <see cref="Inputs"/> is [<see cref="Count"/> x <see cref="InputSize"/>] and <see cref="Labels"/> is
/// [<see cref="Count"/> x <see cref="LabelSize"/>], both row-major. (The course stores X as [n x m], one example per
/// column; a CSV row here is one column of the course's X.)
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps the arrays (not copied) after checking that they hold the same whole number of examples.</summary>
    /// <param name="inputs">The features, <paramref name="inputSize"/> floats per example.</param>
    /// <param name="inputSize">Features per example; at least 1.</param>
    /// <param name="labels">The targets, <paramref name="labelSize"/> floats per example.</param>
    /// <param name="labelSize">Targets per example; at least 1.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">The arrays are empty, not whole rows, or hold different numbers of examples.</exception>
    public Dataset(float[] inputs, int inputSize, float[] labels, int labelSize)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelSize, 1);

        if (inputs.Length == 0 || inputs.Length % inputSize != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"inputs has {inputs.Length} floats; expected a positive multiple of inputSize {inputSize}."),
                nameof(inputs));
        }

        int count = inputs.Length / inputSize;
        if ((long)labels.Length != (long)count * labelSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"labels has {labels.Length} floats; expected {(long)count * labelSize} ({count} examples x labelSize {labelSize})."),
                nameof(labels));
        }

        Inputs = inputs;
        Labels = labels;
        InputSize = inputSize;
        LabelSize = labelSize;
        Count = count;
    }

    /// <summary>The features, [<see cref="Count"/> x <see cref="InputSize"/>] row-major.</summary>
    public float[] Inputs { get; }

    /// <summary>The targets, [<see cref="Count"/> x <see cref="LabelSize"/>] row-major.</summary>
    public float[] Labels { get; }

    /// <summary>Features per example.</summary>
    public int InputSize { get; }

    /// <summary>Targets per example.</summary>
    public int LabelSize { get; }

    /// <summary>The number of examples, m.</summary>
    public int Count { get; }
}
