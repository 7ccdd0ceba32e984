using System;
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
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (labelColumn is not (CsvLabelColumn.First or CsvLabelColumn.Last))
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, "Not a defined CsvLabelColumn value.");
        }

        if (!double.IsFinite(featureScale))
        {
            throw new ArgumentOutOfRangeException(nameof(featureScale), featureScale, "The feature scale must be a finite number.");
        }

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

                double value = Parse(field, path, lineNumber, column, names);
                if (column == labelIndex)
                {
                    labels[rows] = ToFloat(value, field, path, lineNumber, column, names);
                }
                else
                {
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

        return new Dataset(inputs, features, labels, 1);
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

    private static string Quote(ReadOnlySpan<char> text) =>
        text.Length <= MaxQuotedLength ? text.ToString() : string.Concat(text[..MaxQuotedLength], "...");
}
