namespace NnGen.Data;

/// <summary>Where the single label column sits in a data CSV; every other column is a feature.</summary>
public enum CsvLabelColumn
{
    /// <summary>The label is the first column, as in catvnoncat's <c>label,p0,…,p12287</c>.</summary>
    First = 0,

    /// <summary>The label is the last column, as in planar's <c>x1,x2,label</c>.</summary>
    Last = 1,
}
