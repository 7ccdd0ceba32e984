using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen.Data;

/// <summary>
/// One-hot encoding of class indices and its inverse for predictions, on caller-provided spans (no allocation).
/// A one-hot row for class c of k classes is k floats, 1 at position c and 0 elsewhere (<c>np.eye(k)[c]</c>).
/// </summary>
public static class OneHot
{
    /// <summary>Writes one one-hot row per class index: row i of <paramref name="destination"/> is <c>np.eye(classCount)[classIndices[i]]</c>.</summary>
    /// <param name="classIndices">The classes, each from 0 to <paramref name="classCount"/> − 1.</param>
    /// <param name="classCount">k, the number of classes; at least 1.</param>
    /// <param name="destination">classIndices.Length × <paramref name="classCount"/> floats; every one is written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> has the wrong length, or an index is outside the classes (<c>classIndices[17] is 12,
    /// but there are 10 classes (0 to 9).</c>); nothing is written then.
    /// </exception>
    public static void Encode(ReadOnlySpan<int> classIndices, int classCount, Span<float> destination)
    {
        CheckDestination(classIndices.Length, classCount, destination.Length);
        for (int i = 0; i < classIndices.Length; i++)
        {
            if ((uint)classIndices[i] >= (uint)classCount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"classIndices[{i}] is {classIndices[i]}, but there are {classCount} classes (0 to {classCount - 1})."),
                    nameof(classIndices));
            }
        }

        destination.Clear();
        for (int i = 0; i < classIndices.Length; i++)
        {
            destination[(i * classCount) + classIndices[i]] = 1f;
        }
    }

    /// <summary>
    /// Writes one one-hot row per class index stored as a float (the <see cref="Dataset.Labels"/> of a data set with
    /// <see cref="Dataset.LabelSize"/> 1): each must be a whole number from 0 to <paramref name="classCount"/> − 1.
    /// </summary>
    /// <param name="classIndices">The classes as floats, e.g. 0f, 3f, 9f.</param>
    /// <param name="classCount">k, the number of classes; at least 1.</param>
    /// <param name="destination">classIndices.Length × <paramref name="classCount"/> floats; every one is written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> has the wrong length, or a value is negative, fractional, not finite or not below
    /// <paramref name="classCount"/> (the message names the position and the value); nothing is written then.
    /// </exception>
    public static void Encode(ReadOnlySpan<float> classIndices, int classCount, Span<float> destination)
    {
        CheckDestination(classIndices.Length, classCount, destination.Length);
        ClassLabels.ReadIndices(classIndices, 1, classCount, nameof(classIndices), destination: default);
        destination.Clear();
        for (int i = 0; i < classIndices.Length; i++)
        {
            destination[(i * classCount) + (int)classIndices[i]] = 1f;
        }
    }

    /// <summary>
    /// The predicted class of each row of scores (softmax probabilities, sigmoid outputs, logits): the position of its
    /// largest value, the first one on ties (<c>A.argmax(axis=1)</c>). A row holding NaN gives the position of its first NaN.
    /// </summary>
    /// <param name="rows">m × <paramref name="classCount"/> scores, one example per row.</param>
    /// <param name="classCount">k, floats per row; at least 1.</param>
    /// <param name="destination">m class indices, written in order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is not whole rows or <paramref name="destination"/> is not one per row.</exception>
    public static void ArgMax(ReadOnlySpan<float> rows, int classCount, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (rows.Length % classCount != 0 || rows.Length / classCount != destination.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"rows has {rows.Length} floats and destination {destination.Length} ints; expected rows to be destination.Length x classCount {classCount} = {(long)destination.Length * classCount} floats."),
                nameof(rows));
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TensorPrimitives.IndexOfMax(rows.Slice(i * classCount, classCount));
        }
    }

    private static void CheckDestination(int examples, int classCount, int destinationLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if ((long)examples * classCount != destinationLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"destination has {destinationLength} floats; expected {(long)examples * classCount} ({examples} examples x {classCount} classes)."),
                "destination");
        }
    }
}
