namespace NnGen.Data;

/// <summary>What line 1 of a data CSV holds.</summary>
public enum CsvHeader
{
    /// <summary>
    /// Column names, and none of them a number: a numeric cell on line 1 is an error, since it almost always means the
    /// file has no header line and line 1 is an example that would otherwise be lost.
    /// </summary>
    Names = 0,

    /// <summary>No header: line 1 is the first example. Error messages then name columns by number only.</summary>
    None = 1,

    /// <summary>Column names, whatever they are, such as pandas' <c>0,1,2,…</c> for an unnamed array; not checked.</summary>
    Unchecked = 2,
}
