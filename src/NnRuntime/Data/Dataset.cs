using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace NnGen.Data;

/// <summary>
/// A labelled data set in the layout generated networks consume: example-major, one example per row, so
/// <see cref="Inputs"/> is [<see cref="Count"/> x <see cref="InputSize"/>] and <see cref="Labels"/> is
/// [<see cref="Count"/> x <see cref="LabelSize"/>], both row-major. (The course stores X as [n x m], one example per
/// column; a CSV row here is one column of the course's X.)
/// </summary>
/// <remarks>
/// Classification labels come in two layouts, and every method here that needs classes reads both: one class index per
/// example (<see cref="LabelSize"/> 1, a whole number 0, 1, 2, …, which includes the course's 0/1 labels), or one-hot
/// rows (<see cref="LabelSize"/> = the number of classes, a single 1 per row). <see cref="ToOneHot()"/> and
/// <see cref="ToClassIndices"/> convert between them; <see cref="ClassNames"/>, when known, travels with every derived
/// data set.
/// </remarks>
public sealed partial class Dataset
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
        : this(inputs, inputSize, labels, labelSize, classNames: null)
    {
    }

    /// <summary>
    /// Wraps the arrays (not copied) of a classification data set whose classes have names, after checking the shapes
    /// and that every label is a class of <paramref name="classNames"/>.
    /// </summary>
    /// <param name="inputs">The features, <paramref name="inputSize"/> floats per example.</param>
    /// <param name="inputSize">Features per example; at least 1.</param>
    /// <param name="labels">
    /// Class indices (<paramref name="labelSize"/> 1, each a whole number below the number of classes) or one-hot rows
    /// (<paramref name="labelSize"/> = the number of classes).
    /// </param>
    /// <param name="labelSize">1 for class indices, or the number of classes for one-hot rows.</param>
    /// <param name="classNames">The name of class 0, 1, …; copied. Null for a data set without class names (no label check).</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">
    /// The arrays are empty, not whole rows, or hold different numbers of examples; a class name is null or repeated;
    /// or a label is not one of the classes (the message names the example, the value and the number of classes).
    /// </exception>
    public Dataset(float[] inputs, int inputSize, float[] labels, int labelSize, IReadOnlyList<string>? classNames)
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

        if (classNames is not null)
        {
            ClassNames = CheckClassNames(classNames, labelSize);
            ClassLabels.ReadIndices(labels, labelSize, ClassNames.Count, nameof(labels), destination: default);
        }
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

    /// <summary>
    /// The name of class 0, 1, … when the data set knows them (a CSV with a text label column, Fashion-MNIST), otherwise
    /// null. Derived data sets (shuffled, split, one-hot, standardized) keep them.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>
    /// The class of each example: the label itself when <see cref="LabelSize"/> is 1 (a whole number from 0), or the
    /// position of the 1 in each one-hot row.
    /// </summary>
    /// <returns>A new array of <see cref="Count"/> class indices.</returns>
    /// <exception cref="InvalidOperationException">
    /// A label is not a class: a single label that is negative or not a whole number, a label beyond
    /// <see cref="ClassNames"/>, or a row that is not one-hot (the message names the example and what it holds).
    /// </exception>
    public int[] ClassIndices()
    {
        var classes = new int[Count];
        ReadClassIndices(classes, "ClassIndices");
        return classes;
    }

    /// <summary>
    /// A copy with class-index labels turned into one-hot rows of <see cref="ClassNames"/>.Count floats
    /// (<c>np.eye(k)[y]</c>). Inputs are shared, not copied.
    /// </summary>
    /// <returns>A data set with <see cref="LabelSize"/> equal to the number of classes.</returns>
    /// <exception cref="InvalidOperationException">
    /// The data set has no <see cref="ClassNames"/> (use <see cref="ToOneHot(int)"/>), its labels are not one class
    /// index per example, or a label is not a class.
    /// </exception>
    public Dataset ToOneHot() =>
        ToOneHot(ClassNames?.Count ?? throw new InvalidOperationException(
            "ToOneHot() needs the number of classes, and this data set has no ClassNames; call ToOneHot(classCount)."));

    /// <summary>
    /// A copy with class-index labels turned into one-hot rows of <paramref name="classCount"/> floats
    /// (<c>np.eye(classCount)[y]</c>). Inputs are shared, not copied.
    /// </summary>
    /// <param name="classCount">The number of classes, at least 2; every label must be below it.</param>
    /// <returns>A data set with <see cref="LabelSize"/> <paramref name="classCount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2, or differs from <see cref="ClassNames"/>.Count.</exception>
    /// <exception cref="InvalidOperationException">
    /// The labels are not one class index per example (<see cref="LabelSize"/> is not 1), or a label is negative, not a
    /// whole number, or not below <paramref name="classCount"/> (the message names the example).
    /// </exception>
    public Dataset ToOneHot(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (ClassNames is not null && ClassNames.Count != classCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(classCount),
                classCount,
                string.Create(CultureInfo.InvariantCulture, $"The data set has {ClassNames.Count} ClassNames, so classCount must be {ClassNames.Count}."));
        }

        if (LabelSize != 1)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"ToOneHot expects one class index per example (LabelSize 1), but the labels have {LabelSize} floats per example; they may already be one-hot."));
        }

        var oneHot = new float[(long)Count * classCount <= Array.MaxLength ? Count * classCount : throw TooLarge(classCount)];
        try
        {
            ClassLabels.ReadIndices(Labels, 1, classCount, "labels", destination: default);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"{nameof(ToOneHot)}: {exception.Message}", exception);
        }

        OneHot.Encode(Labels, classCount, oneHot);

        return new Dataset(Inputs, InputSize, oneHot, classCount, ClassNames);
    }

    /// <summary>A copy with one-hot label rows turned into one class index per example (<c>Y.argmax(axis=1)</c> for one-hot rows). Inputs are shared, not copied.</summary>
    /// <returns>A data set with <see cref="LabelSize"/> 1.</returns>
    /// <exception cref="InvalidOperationException">
    /// The labels are already one per example, or a row is not one-hot (exactly one 1, the rest 0; the message names the example).
    /// </exception>
    public Dataset ToClassIndices()
    {
        if (LabelSize == 1)
        {
            throw new InvalidOperationException("ToClassIndices expects one-hot label rows, but the labels already have 1 float per example.");
        }

        int[] classes = ClassIndices();
        var labels = new float[Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = classes[i];
        }

        return new Dataset(Inputs, InputSize, labels, 1, ClassNames);
    }

    /// <summary>Copies the examples at <paramref name="indices"/>, in that order, into a new data set (<c>X[indices], Y[indices]</c>).</summary>
    /// <param name="indices">Row numbers below <see cref="Count"/>, at least one; repeats are allowed.</param>
    /// <returns>A data set of <paramref name="indices"/>.Length examples with the same sizes and class names.</returns>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty or holds a row outside 0 … <see cref="Count"/> − 1.</exception>
    public Dataset Select(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
        {
            throw new ArgumentException("indices is empty; a data set needs at least one example.", nameof(indices));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"indices[{i}] is {indices[i]}; expected a row from 0 to {Count - 1}."),
                    nameof(indices));
            }
        }

        var inputs = new float[indices.Length * InputSize];
        var labels = new float[indices.Length * LabelSize];
        CopyRows(indices, inputs, labels);
        return new Dataset(inputs, InputSize, labels, LabelSize, ClassNames);
    }

    /// <summary>Copies the rows at <paramref name="indices"/> into the destinations; the indices are trusted.</summary>
    internal void CopyRows(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> labels)
    {
        ReadOnlySpan<float> sourceInputs = Inputs;
        ReadOnlySpan<float> sourceLabels = Labels;
        for (int row = 0; row < indices.Length; row++)
        {
            int example = indices[row];
            sourceInputs.Slice(example * InputSize, InputSize).CopyTo(inputs.Slice(row * InputSize, InputSize));
            sourceLabels.Slice(example * LabelSize, LabelSize).CopyTo(labels.Slice(row * LabelSize, LabelSize));
        }
    }

    /// <summary>Writes each example's class into <paramref name="destination"/>, with errors phrased for <paramref name="method"/>.</summary>
    internal void ReadClassIndices(Span<int> destination, string method)
    {
        try
        {
            ClassLabels.ReadIndices(Labels, LabelSize, ClassNames?.Count, "labels", destination);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"{method}: {exception.Message}", exception);
        }
    }

    private static ReadOnlyCollection<string> CheckClassNames(IReadOnlyList<string> classNames, int labelSize)
    {
        var names = new string[classNames.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string? name = classNames[i];
            if (name is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classNames[{i}] is null."), nameof(classNames));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"classNames[{i}] is '{name}', which is also class {Array.IndexOf(names, name)}; class names must be distinct."),
                    nameof(classNames));
            }

            names[i] = name;
        }

        if (names.Length < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classNames has {names.Length} names; a classification needs at least 2 classes."), nameof(classNames));
        }

        if (labelSize != 1 && labelSize != names.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"labelSize is {labelSize}, but there are {names.Length} class names; expected 1 (class indices) or {names.Length} (one-hot rows)."),
                nameof(labelSize));
        }

        return Array.AsReadOnly(names);
    }

    private InvalidOperationException TooLarge(int classCount) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{Count} examples x {classCount} classes exceed the largest array .NET can allocate ({Array.MaxLength} floats)."));
}
