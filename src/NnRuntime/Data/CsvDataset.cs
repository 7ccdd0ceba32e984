using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NnGen.Data;

/// <summary>
/// Loads the course's data CSVs: a header line, then one example per line, comma-separated numbers in the invariant
/// culture, one label column (first or last) and the rest features.
/// </summary>
public static class CsvDataset
{
    private const int MaxQuotedLength = 40;
    private const int MaxQuotedClassList = 200;

    // Reads the label field of one row; the context is only for error messages.
    private delegate float LabelParser(ReadOnlySpan<char> field, FieldContext context);

    /// <summary>
    /// Reads <paramref name="path"/> into a <see cref="Dataset"/> with <see cref="Dataset.LabelSize"/> 1 and one input
    /// per feature column, each feature multiplied by <paramref name="featureScale"/>. Values are parsed and scaled in
    /// double and rounded to float once, so a scale of <c>1.0 / 255</c> gives exactly numpy's <c>(X / 255.).astype(float32)</c>
    /// (a float scale such as <c>1f / 255</c> is already rounded and would be off by one float ulp for about half of the
    /// pixel values).
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">Which column holds the label; labels are not scaled.</param>
    /// <param name="featureScale">The factor applied to every feature, e.g. <c>1.0 / 255</c> for 8-bit pixels; finite.</param>
    /// <returns>The examples in file order.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is empty, has no data rows, or a row has the wrong number of columns, an empty line, or a value that is
    /// not a finite number; the message names the file, the 1-based line and column, and what was expected.
    /// </exception>
    public static Dataset Load(string path, CsvLabelColumn labelColumn, double featureScale = 1.0)
    {
        CheckArguments(path, labelColumn, featureScale);
        return LoadCore(
            path,
            labelColumn,
            featureScale,
            (field, context) => ToFloat(Parse(field, context.Path, context.Line, context.Column, context.Names), field, context.Path, context.Line, context.Column, context.Names),
            classNames: null);
    }

    /// <summary>
    /// Reads <paramref name="path"/> like <see cref="Load"/>, except that the label column holds class names (text such as
    /// <c>setosa</c> or <c>"Iris-virginica"</c>): each becomes a class index, and the mapping is kept in
    /// <see cref="Dataset.ClassNames"/>. The result has <see cref="Dataset.LabelSize"/> 1; <see cref="Dataset.ToOneHot()"/>
    /// turns it into one-hot rows.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">Which column holds the class name.</param>
    /// <param name="classNames">
    /// The classes in index order, e.g. the <see cref="Dataset.ClassNames"/> of the training file when loading a test file,
    /// so both use the same indices; a label outside them is an error. Null to take the distinct labels of this file,
    /// sorted ordinally (byte order of the UTF-16 text, as scikit-learn's <c>LabelEncoder</c> and <c>np.unique</c> order
    /// ASCII names), so the mapping does not depend on the order of the rows.
    /// </param>
    /// <param name="featureScale">The factor applied to every feature, as in <see cref="Load"/>; finite.</param>
    /// <returns>The examples in file order, labels 0 … k − 1 for the k classes.</returns>
    /// <remarks>
    /// A class name is the field with surrounding white space and one pair of surrounding double quotes removed; names
    /// compare ordinally (case matters). Commas inside quotes are not supported, as elsewhere in this reader.
    /// </remarks>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// Everything <see cref="Load"/> reports, plus an empty class name or one outside <paramref name="classNames"/> (the
    /// message names the file, line, column and the known classes), or fewer than 2 classes in a file read without
    /// <paramref name="classNames"/>.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> has fewer than 2, null or repeated names.</exception>
    public static Dataset LoadClassification(string path, CsvLabelColumn labelColumn, IReadOnlyList<string>? classNames = null, double featureScale = 1.0)
    {
        CheckArguments(path, labelColumn, featureScale);
        var known = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        if (classNames is not null)
        {
            // The Dataset constructor checks the same rules; checking here first reports them before reading the file.
            _ = new Dataset([0f], 1, [0f], 1, classNames);
            foreach (string name in classNames)
            {
                known.Add(name, names.Count);
                names.Add(name);
            }
        }

        bool fixedClasses = classNames is not null;
        Dataset firstSeen = LoadCore(
            path,
            labelColumn,
            featureScale,
            (field, context) =>
            {
                string name = ClassName(field, context);
                if (known.TryGetValue(name, out int index))
                {
                    return index;
                }

                if (fixedClasses)
                {
                    throw InvalidValue(context.Path, context.Line, context.Column, context.Names, $"'{Quote(name)}' is not one of the {names.Count} classes ({Quote(string.Join(", ", names), MaxQuotedClassList)})");
                }

                known.Add(name, names.Count);
                names.Add(name);
                return names.Count - 1;
            },
            classNames);

        if (fixedClasses)
        {
            return firstSeen;
        }

        if (names.Count < 2)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: every row has the class '{Quote(names[0])}'; expected at least 2 classes in the label column."));
        }

        // Labels were numbered in order of first appearance while reading; renumber them in ordinal order of the names.
        string[] sorted = [.. names];
        Array.Sort(sorted, StringComparer.Ordinal);
        var renumber = new float[names.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            renumber[known[sorted[i]]] = i;
        }

        float[] labels = firstSeen.Labels;
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = renumber[(int)labels[i]];
        }

        return new Dataset(firstSeen.Inputs, firstSeen.InputSize, labels, 1, sorted);
    }

    private static void CheckArguments(string path, CsvLabelColumn labelColumn, double featureScale)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (labelColumn is not (CsvLabelColumn.First or CsvLabelColumn.Last))
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, "Not a defined CsvLabelColumn value.");
        }

        if (!double.IsFinite(featureScale))
        {
            throw new ArgumentOutOfRangeException(nameof(featureScale), featureScale, "The feature scale must be a finite number.");
        }
    }

    private static string ClassName(ReadOnlySpan<char> field, FieldContext context)
    {
        ReadOnlySpan<char> name = field.Trim();
        if (name.Length >= 2 && name[0] == '"' && name[^1] == '"')
        {
            name = name[1..^1];
        }

        if (name.IsEmpty)
        {
            throw InvalidValue(context.Path, context.Line, context.Column, context.Names, "expected a class name, found an empty field");
        }

        return name.ToString();
    }

    private static Dataset LoadCore(string path, CsvLabelColumn labelColumn, double featureScale, LabelParser parseLabel, IReadOnlyList<string>? classNames)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file not found: '{path}' (full path '{Path.GetFullPath(path)}').", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        string? header = reader.ReadLine();
        if (header is null || header.AsSpan().IsWhiteSpace())
        {
            throw Invalid(path, 1, header is null ? "expected a header line, but the file is empty" : "expected a header line, found an empty line");
        }

        // Column names are only needed for error messages, but splitting one line is cheap and makes those messages
        // point at "p3" rather than leave the reader counting commas.
        string[] names = header.Split(',');
        int columns = names.Length;
        if (columns < 2)
        {
            throw Invalid(path, 1, $"expected a header with a label column and at least one feature column, found 1 column ('{Quote(header)}')");
        }

        int features = columns - 1;
        int labelIndex = labelColumn == CsvLabelColumn.First ? 0 : columns - 1;
        int firstFeature = labelColumn == CsvLabelColumn.First ? 1 : 0;

        float[] inputs = [];
        float[] labels = [];
        int rows = 0;
        int lineNumber = 1;
        int blankLine = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            ReadOnlySpan<char> text = line;
            if (text.IsWhiteSpace())
            {
                // Trailing blank lines are harmless; a blank line between rows probably means lost data, so it is
                // reported once a later row proves it was not at the end.
                blankLine = blankLine == 0 ? lineNumber : blankLine;
                continue;
            }

            if (blankLine != 0)
            {
                throw Invalid(path, blankLine, $"expected {columns} columns, found an empty line (data continues on line {lineNumber})");
            }

            int found = text.Count(',') + 1;
            if (found != columns)
            {
                throw Invalid(path, lineNumber, $"expected {columns} columns, found {found}");
            }

            if (rows == labels.Length)
            {
                // The first row's length predicts the row count well for fixed-width data such as pixels, which saves
                // the copies of repeated doubling on an 8.8 MB file; doubling covers files whose rows vary.
                long wanted = rows == 0 ? (reader.BaseStream.Length / (line.Length + 1)) + 1 : 2L * rows;
                long capacity = Math.Min(wanted, Array.MaxLength / features);
                if (capacity <= rows)
                {
                    throw Invalid(path, lineNumber, $"the data set exceeds the largest array .NET can allocate ({Array.MaxLength} floats)");
                }

                Array.Resize(ref labels, (int)capacity);
                Array.Resize(ref inputs, (int)capacity * features);
            }

            Span<float> row = inputs.AsSpan(rows * features, features);
            for (int column = 0; column < columns; column++)
            {
                int comma = text.IndexOf(',');
                ReadOnlySpan<char> field = comma < 0 ? text : text[..comma];
                text = comma < 0 ? ReadOnlySpan<char>.Empty : text[(comma + 1)..];

                if (column == labelIndex)
                {
                    labels[rows] = parseLabel(field, new FieldContext(path, lineNumber, column, names));
                }
                else
                {
                    double value = Parse(field, path, lineNumber, column, names);
                    row[column - firstFeature] = ToFloat(value * featureScale, field, path, lineNumber, column, names);
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: no data rows after the header on line 1; expected at least one row of {columns} columns."));
        }

        if (rows != labels.Length)
        {
            Array.Resize(ref inputs, rows * features);
            Array.Resize(ref labels, rows);
        }

        return new Dataset(inputs, features, labels, 1, classNames);
    }

    private static double Parse(ReadOnlySpan<char> field, string path, int line, int column, string[] names)
    {
        if (TryParseSmallInteger(field, out double integer))
        {
            return integer;
        }

        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw InvalidValue(path, line, column, names, field.IsWhiteSpace() ? "expected a number, found an empty field" : $"'{Quote(field)}' is not a number");
        }

        if (!double.IsFinite(value))
        {
            throw InvalidValue(path, line, column, names, $"'{Quote(field)}' is not a finite number");
        }

        return value;
    }

    // Image CSVs are almost entirely short unsigned integers (0-255); reading those digit by digit gives the same,
    // exactly representable value as double.Parse and is several times faster, which dominates loading catvnoncat.
    private static bool TryParseSmallInteger(ReadOnlySpan<char> field, out double value)
    {
        value = 0;
        if (field.IsEmpty || field.Length > 9)
        {
            return false;
        }

        int result = 0;
        foreach (char c in field)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            result = (result * 10) + (int)digit;
        }

        value = result;
        return true;
    }

    private static float ToFloat(double value, ReadOnlySpan<char> field, string path, int line, int column, string[] names)
    {
        float narrowed = (float)value;
        if (!float.IsFinite(narrowed))
        {
            throw InvalidValue(path, line, column, names, $"'{Quote(field)}' is outside the range of float after scaling");
        }

        return narrowed;
    }

    private static InvalidDataException Invalid(string path, int line, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path} line {line}: {message}."));

    private static InvalidDataException InvalidValue(string path, int line, int column, string[] names, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path} line {line}, column {column + 1} ({names[column].Trim()}): {message}."));

    private static string Quote(ReadOnlySpan<char> text, int maxLength = MaxQuotedLength) =>
        text.Length <= maxLength ? text.ToString() : string.Concat(text[..maxLength], "...");

    /// <summary>Where a field sits, for error messages: the file, the 1-based line, the 0-based column and the header names.</summary>
    private readonly record struct FieldContext(string Path, int Line, int Column, string[] Names);
}
