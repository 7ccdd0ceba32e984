using System;
using System.Globalization;

namespace NnGen.Data;

/// <summary>Reads and checks class labels in either layout (one index per example, or one-hot rows); errors name the example.</summary>
internal static class ClassLabels
{
    /// <summary>
    /// Checks that every label is a class and, when <paramref name="destination"/> is not empty, writes each example's
    /// class into it. With <paramref name="labelSize"/> 1 each label is a whole number from 0 (below
    /// <paramref name="classCount"/> when given); otherwise each row of <paramref name="labelSize"/> floats holds a single
    /// 1 and zeros.
    /// </summary>
    /// <exception cref="ArgumentException">A label is not a class; the message starts with <paramref name="name"/>[i].</exception>
    public static void ReadIndices(ReadOnlySpan<float> labels, int labelSize, int? classCount, string name, Span<int> destination)
    {
        int examples = labels.Length / labelSize;
        bool write = !destination.IsEmpty;
        if (labelSize == 1)
        {
            for (int i = 0; i < examples; i++)
            {
                int index = ToIndex(labels[i], classCount, name, i);
                if (write)
                {
                    destination[i] = index;
                }
            }

            return;
        }

        for (int i = 0; i < examples; i++)
        {
            ReadOnlySpan<float> row = labels.Slice(i * labelSize, labelSize);
            int one = -1;
            for (int j = 0; j < row.Length; j++)
            {
                float value = row[j];
                if (value == 1f && one < 0)
                {
                    one = j;
                }
                else if (value != 0f)
                {
                    throw new ArgumentException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name} row {i} is not one-hot: expected a single 1 and {labelSize - 1} zeros, found {value:R} at position {j}{(value == 1f ? " after a 1 at " + one.ToString(CultureInfo.InvariantCulture) : string.Empty)}."));
                }
            }

            if (one < 0)
            {
                throw new ArgumentException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name} row {i} is not one-hot: expected a single 1 and {labelSize - 1} zeros, found {labelSize} zeros."));
            }

            if (write)
            {
                destination[i] = one;
            }
        }
    }

    /// <summary>The class a single label stands for, or an error naming <paramref name="name"/>[<paramref name="example"/>].</summary>
    public static int ToIndex(float label, int? classCount, string name, int example)
    {
        // The upper bound keeps the cast exact: 2^24 is far beyond any class count and still exactly a float.
        if (!(label >= 0f) || label != MathF.Floor(label) || label > (1 << 24))
        {
            string range = classCount is int count
                ? string.Create(CultureInfo.InvariantCulture, $"from 0 to {count - 1}")
                : "from 0";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{example}] is {label:R}; expected a class index, a whole number {range}."));
        }

        int index = (int)label;
        if (classCount is int classes && index >= classes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{example}] is {index}, but there are {classes} classes (0 to {classes - 1})."));
        }

        return index;
    }
}
