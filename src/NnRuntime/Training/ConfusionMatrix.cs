using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NnGen;

/// <summary>
/// How often each actual class was predicted as each class: row = actual (the label), column = predicted. From
/// <see cref="Evaluation.ConfusionMatrix"/>.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[] _counts;

    internal ConfusionMatrix(int classes)
    {
        Classes = classes;
        _counts = new int[classes * classes];
    }

    /// <summary>The number of classes K; the matrix is K × K.</summary>
    public int Classes { get; }

    /// <summary>The number of examples counted.</summary>
    public int Total { get; private set; }

    /// <summary>Examples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="actual">The labelled class, 0 … K − 1.</param>
    /// <param name="predicted">The predicted class, 0 … K − 1.</param>
    /// <returns>The count.</returns>
    public int this[int actual, int predicted]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(actual);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(actual, Classes);
            ArgumentOutOfRangeException.ThrowIfNegative(predicted);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predicted, Classes);
            return _counts[(actual * Classes) + predicted];
        }
    }

    /// <summary>The fraction of examples on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++)
            {
                correct += _counts[(c * Classes) + c];
            }

            return Total == 0 ? double.NaN : (double)correct / Total;
        }
    }

    /// <summary>Recall of a class: the fraction of its examples predicted as it (NaN when it has none).</summary>
    /// <param name="c">The class.</param>
    /// <returns>TP / (TP + FN).</returns>
    public double Recall(int c)
    {
        long row = 0;
        for (int p = 0; p < Classes; p++)
        {
            row += this[c, p];
        }

        return row == 0 ? double.NaN : (double)this[c, c] / row;
    }

    /// <summary>Precision of a class: the fraction of its predictions that were right (NaN when never predicted).</summary>
    /// <param name="c">The class.</param>
    /// <returns>TP / (TP + FP).</returns>
    public double Precision(int c)
    {
        long column = 0;
        for (int a = 0; a < Classes; a++)
        {
            column += this[a, c];
        }

        return column == 0 ? double.NaN : (double)this[c, c] / column;
    }

    /// <summary>The matrix as a table with class numbers as headers.</summary>
    /// <returns>One line per actual class.</returns>
    public override string ToString() => ToString(null);

    /// <summary>The matrix as a table, rows actual and columns predicted, with the given class names (or numbers).</summary>
    /// <param name="classNames">K names, or <see langword="null"/> for 0 … K − 1.</param>
    /// <returns>One header line and one line per actual class, with its recall.</returns>
    public string ToString(IReadOnlyList<string>? classNames)
    {
        if (classNames is not null && classNames.Count != Classes)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"classNames has {classNames.Count} names, but the matrix has {Classes} classes."),
                nameof(classNames));
        }

        string Name(int c) => classNames?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        int width = Math.Max(Total.ToString(CultureInfo.InvariantCulture).Length, 4);
        for (int c = 0; c < Classes; c++)
        {
            width = Math.Max(width, Name(c).Length);
        }

        int labelWidth = Math.Max(width, 18);
        var text = new StringBuilder();
        text.Append("actual \\ predicted".PadRight(labelWidth));
        for (int c = 0; c < Classes; c++)
        {
            text.Append(' ').Append(Name(c).PadLeft(width));
        }

        text.Append("  recall\n");
        for (int a = 0; a < Classes; a++)
        {
            text.Append(Name(a).PadRight(labelWidth));
            for (int p = 0; p < Classes; p++)
            {
                text.Append(' ').Append(this[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }

            text.Append("  ").Append(Recall(a).ToString("P1", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    internal void Add(int actual, int predicted)
    {
        _counts[(actual * Classes) + predicted]++;
        Total++;
    }
}
