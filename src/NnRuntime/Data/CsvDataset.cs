using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NnGen.Data;

/// <summary>
/// Loads data CSVs: a header line (or none, see <see cref="CsvHeader"/>), then one example per line, comma-separated
/// numbers in the invariant culture, the label columns first or last and the rest features. The file is read once,
/// front to back, so a named pipe or standard input (<c>&lt;(zcat train.csv.gz)</c>, <c>/dev/stdin</c>) works as well
/// as a file.
/// </summary>
public static class CsvDataset
{
    /// <summary>
    /// <see cref="LoadClassification"/> without class names refuses a label column with more distinct values than this
    /// share of the rows: classes repeat, a continuous target does not.
    /// </summary>
    public const double MaxInferredClassShare = 0.5;

    /// <summary>Up to this many distinct labels are always accepted as classes, so a small file of digits 0–9 is not refused.</summary>
    public const int MinClassesChecked = 10;

    private const int MaxQuotedLength = 40;
    private const int MaxQuotedClassList = 200;

    // The first guess of the row count when the length of the input is unknown (a pipe); doubling takes it from there.
    private const int UnknownLengthRows = 1024;

    // Reads the label field of one row; the context is only for error messages.
    private delegate float LabelParser(ReadOnlySpan<char> field, FieldContext context);

    /// <summary>
    /// Reads <paramref name="path"/> into a <see cref="Dataset"/> with <see cref="Dataset.LabelSize"/>
    /// <paramref name="labelColumns"/> and one input per feature column, each feature multiplied by
    /// <paramref name="featureScale"/>. Values are parsed and scaled in double and rounded to float once, so a scale of
    /// <c>1.0 / 255</c> gives exactly numpy's <c>(X / 255.).astype(float32)</c> (a float scale such as <c>1f / 255</c> is
    /// already rounded and would be off by one float ulp for about half of the pixel values).
    /// </summary>
    /// <param name="path">The CSV file, or a named pipe such as <c>/dev/stdin</c>.</param>
    /// <param name="labelColumn">Where the label columns sit: the first or the last <paramref name="labelColumns"/> columns; labels are not scaled.</param>
    /// <param name="featureScale">The factor applied to every feature, e.g. <c>1.0 / 255</c> for 8-bit pixels; finite.</param>
    /// <param name="labelColumns">
    /// How many columns are targets, at least 1: 3 for a multi-output regression such as linnerud's
    /// <c>Weight,Waist,Pulse</c>, read as label rows of 3 floats in column order. At least one column must remain a feature.
    /// </param>
    /// <param name="header">Whether line 1 holds column names (the default, checked) or is already an example.</param>
    /// <returns>The examples in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="labelColumn"/> or <paramref name="header"/> is not a defined value, <paramref name="featureScale"/>
    /// is not finite, or <paramref name="labelColumns"/> is below 1.
    /// </exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory (the message says so), or reading failed.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is empty, has no data rows, too few columns for the labels and a feature, a header cell that is a number
    /// (with <see cref="CsvHeader.Names"/>), or a row with the wrong number of columns, an empty line, or a value that is
    /// not a finite number; the message names the file, the 1-based line and column, and what was expected.
    /// </exception>
    public static Dataset Load(string path, CsvLabelColumn labelColumn, double featureScale = 1.0, int labelColumns = 1, CsvHeader header = CsvHeader.Names)
    {
        CheckArguments(path, labelColumn, featureScale, header);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelColumns, 1);
        return LoadCore(
            path,
            new Layout(labelColumn, labelColumns, header),
            featureScale,
            (field, context) => ToFloat(Parse(field, context), field, context),
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
    /// <param name="header">Whether line 1 holds column names (the default, checked) or is already an example.</param>
    /// <returns>The examples in file order, labels 0 … k − 1 for the k classes.</returns>
    /// <remarks>
    /// A class name is the field with surrounding white space and one pair of surrounding double quotes removed; names
    /// compare ordinally (case matters). Commas inside quotes are not supported, as elsewhere in this reader.
    /// Read without <paramref name="classNames"/>, a label column with more distinct values than
    /// <see cref="MaxInferredClassShare"/> of the rows (and more than <see cref="MinClassesChecked"/>) is refused: it is
    /// almost certainly a continuous target (a float column would otherwise become hundreds of one-example "classes").
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is null or empty, or <paramref name="classNames"/> has fewer than 2, null or repeated names.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="labelColumn"/> or <paramref name="header"/> is not a defined value, or <paramref name="featureScale"/> is not finite.
    /// </exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory (the message says so), or reading failed.</exception>
    /// <exception cref="InvalidDataException">
    /// Everything <see cref="Load"/> reports, plus an empty class name or one outside <paramref name="classNames"/> (the
    /// message names the file, line, column and the known classes), fewer than 2 classes in a file read without
    /// <paramref name="classNames"/>, or a label column that looks continuous (the message names the file, the line and
    /// column where the distinct values passed the limit, and the counts).
    /// </exception>
    public static Dataset LoadClassification(string path, CsvLabelColumn labelColumn, IReadOnlyList<string>? classNames = null, double featureScale = 1.0, CsvHeader header = CsvHeader.Names)
    {
        CheckArguments(path, labelColumn, featureScale, header);
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
        var firstLines = new List<int>();
        FieldContext labelCell = default;
        Dataset firstSeen = LoadCore(
            path,
            new Layout(labelColumn, 1, header),
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
                    throw InvalidValue(context, $"'{Quote(name)}' is not one of the {names.Count} classes ({Quote(string.Join(", ", names), MaxQuotedClassList)})");
                }

                known.Add(name, names.Count);
                names.Add(name);
                firstLines.Add(context.Line);
                labelCell = context;
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

        int limit = Math.Max(MinClassesChecked, (int)(firstSeen.Count * MaxInferredClassShare));
        if (names.Count > limit)
        {
            // Point at the row whose new value passed the limit: the user can see there what the column really holds.
            throw InvalidValue(
                labelCell with { Line = firstLines[limit] },
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the label column holds {names.Count} distinct values in {firstSeen.Count} rows ('{Quote(names[limit])}' here is new value {limit + 1}, more than {MaxInferredClassShare:P0} of the rows), which looks like a continuous target rather than classes; load it with CsvDataset.Load (regression), or pass classNames if these really are classes"));
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

    private static void CheckArguments(string path, CsvLabelColumn labelColumn, double featureScale, CsvHeader header)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (labelColumn is not (CsvLabelColumn.First or CsvLabelColumn.Last))
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, "Not a defined CsvLabelColumn value.");
        }

        if (header is not (CsvHeader.Names or CsvHeader.None or CsvHeader.Unchecked))
        {
            throw new ArgumentOutOfRangeException(nameof(header), header, "Not a defined CsvHeader value.");
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
            throw InvalidValue(context, "expected a class name, found an empty field");
        }

        return name.ToString();
    }

    private static Dataset LoadCore(string path, Layout layout, double featureScale, LabelParser parseLabel, IReadOnlyList<string>? classNames)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a directory (full path '{Path.GetFullPath(path)}'); expected a CSV file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file not found: '{path}' (full path '{Path.GetFullPath(path)}').", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        string? first = reader.ReadLine();
        if (first is null || first.AsSpan().IsWhiteSpace())
        {
            string expected = layout.Header == CsvHeader.None ? "expected a first row of data" : "expected a header line";
            throw Invalid(path, 1, first is null ? $"{expected}, but the file is empty" : $"{expected}, found an empty line");
        }

        int columns = first.AsSpan().Count(',') + 1;
        int labels = layout.LabelColumns;
        if (columns <= labels)
        {
            string found = layout.Header == CsvHeader.None ? "the first row" : "the header";
            throw Invalid(path, 1, $"expected {labels} label column{(labels == 1 ? string.Empty : "s")} and at least one feature column, found {columns} column{(columns == 1 ? string.Empty : "s")} in {found} ('{Quote(first)}')");
        }

        // Column names are only needed for error messages, but splitting one line is cheap and makes those messages
        // point at "p3" rather than leave the reader counting commas. A file without a header has no names.
        string[]? header = layout.Header == CsvHeader.None ? null : first.Split(',');
        if (layout.Header == CsvHeader.Names)
        {
            CheckHeader(path, header!);
        }

        string?[] names = header ?? new string?[columns];

        int features = columns - labels;
        int firstLabel = layout.LabelColumn == CsvLabelColumn.First ? 0 : features;
        int firstFeature = layout.LabelColumn == CsvLabelColumn.First ? labels : 0;

        float[] inputs = [];
        float[] targets = [];
        int rows = 0;
        int blankLine = 0;

        // Without a header, line 1 is already the first row.
        string? line = layout.Header == CsvHeader.None ? first : reader.ReadLine();
        int lineNumber = layout.Header == CsvHeader.None ? 1 : 2;
        for (; line is not null; line = reader.ReadLine(), lineNumber++)
        {
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

            if (rows * labels == targets.Length)
            {
                // The first row's length predicts the row count well for fixed-width data such as pixels, which saves
                // the copies of repeated doubling on an 8.8 MB file; doubling covers files whose rows vary, and a pipe,
                // whose length is unknown.
                long wanted = rows == 0
                    ? (reader.BaseStream.CanSeek ? (reader.BaseStream.Length / (line.Length + 1)) + 1 : UnknownLengthRows)
                    : 2L * rows;
                long capacity = Math.Min(wanted, Array.MaxLength / Math.Max(features, labels));
                if (capacity <= rows)
                {
                    throw Invalid(path, lineNumber, $"the data set exceeds the largest array .NET can allocate ({Array.MaxLength} floats)");
                }

                Array.Resize(ref targets, (int)capacity * labels);
                Array.Resize(ref inputs, (int)capacity * features);
            }

            Span<float> row = inputs.AsSpan(rows * features, features);
            Span<float> target = targets.AsSpan(rows * labels, labels);
            for (int column = 0; column < columns; column++)
            {
                int comma = text.IndexOf(',');
                ReadOnlySpan<char> field = comma < 0 ? text : text[..comma];
                text = comma < 0 ? ReadOnlySpan<char>.Empty : text[(comma + 1)..];

                var context = new FieldContext(path, lineNumber, column, names);
                if (column >= firstLabel && column < firstLabel + labels)
                {
                    target[column - firstLabel] = parseLabel(field, context);
                }
                else
                {
                    row[column - firstFeature] = ToFloat(Parse(field, context) * featureScale, field, context);
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: no data rows after the header on line 1; expected at least one row of {columns} columns."));
        }

        if (rows * labels != targets.Length)
        {
            Array.Resize(ref inputs, rows * features);
            Array.Resize(ref targets, rows * labels);
        }

        return new Dataset(inputs, features, targets, labels, classNames);
    }

    /// <summary>
    /// A header cell that is a number means line 1 is almost certainly an example of a file without a header, which
    /// would otherwise be lost without a word; numbered column names are allowed by <see cref="CsvHeader.Unchecked"/>.
    /// </summary>
    private static void CheckHeader(string path, string[] names)
    {
        for (int column = 0; column < names.Length; column++)
        {
            if (double.TryParse(names[column], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path} line 1, column {column + 1}: expected a column name in the header line, found the number '{Quote(names[column].Trim())}'; if the file has no header line, pass header: CsvHeader.None (line 1 is then the first example), or CsvHeader.Unchecked if its columns really are named by numbers."));
            }
        }
    }

    private static double Parse(ReadOnlySpan<char> field, FieldContext context)
    {
        if (TryParseSmallInteger(field, out double integer))
        {
            return integer;
        }

        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw InvalidValue(context, field.IsWhiteSpace() ? "expected a number, found an empty field" : $"'{Quote(field)}' is not a number");
        }

        if (!double.IsFinite(value))
        {
            throw InvalidValue(context, $"'{Quote(field)}' is not a finite number");
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

    private static float ToFloat(double value, ReadOnlySpan<char> field, FieldContext context)
    {
        float narrowed = (float)value;
        if (!float.IsFinite(narrowed))
        {
            throw InvalidValue(context, $"'{Quote(field)}' is outside the range of float after scaling");
        }

        return narrowed;
    }

    private static InvalidDataException Invalid(string path, int line, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path} line {line}: {message}."));

    private static InvalidDataException InvalidValue(FieldContext context, string message) =>
        context.Names[context.Column] is { } name
            ? new(string.Create(CultureInfo.InvariantCulture, $"{context.Path} line {context.Line}, column {context.Column + 1} ({name.Trim()}): {message}."))
            : new(string.Create(CultureInfo.InvariantCulture, $"{context.Path} line {context.Line}, column {context.Column + 1}: {message}."));

    private static string Quote(ReadOnlySpan<char> text, int maxLength = MaxQuotedLength) =>
        text.Length <= maxLength ? text.ToString() : string.Concat(text[..maxLength], "...");

    /// <summary>
    /// Where a field sits, for error messages: the file, the 1-based line, the 0-based column and the header names
    /// (null entries without a header line).
    /// </summary>
    private readonly record struct FieldContext(string Path, int Line, int Column, string?[] Names);

    /// <summary>Where the labels sit, how many there are, and whether line 1 is a header.</summary>
    private readonly record struct Layout(CsvLabelColumn LabelColumn, int LabelColumns, CsvHeader Header);
}
