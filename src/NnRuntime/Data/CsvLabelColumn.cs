namespace NnGen.Data;

/// <summary>
/// Where the label columns sit in a data CSV (one, or several for a multi-output target); every other column is a feature.
/// </summary>
public enum CsvLabelColumn
{
    /// <summary>The labels are the first columns, as in catvnoncat's <c>label,p0,…,p12287</c>.</summary>
    First = 0,

    /// <summary>The labels are the last columns, as in planar's <c>x1,x2,label</c>.</summary>
    Last = 1,
}
