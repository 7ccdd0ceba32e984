namespace NnGen.Tests.Data;

/// <summary>
/// A <see cref="FactAttribute"/> that reports the test as skipped, with the reason, when a shared data file is missing,
/// so a checkout without the course's data still passes while saying what it did not check.
/// </summary>
public sealed class DataFactAttribute : FactAttribute
{
    /// <summary>Requires each of <paramref name="relativePaths"/>, relative to the shared data directory (e.g. <c>planar/planar.csv</c>).</summary>
    public DataFactAttribute(params string[] relativePaths)
    {
        foreach (string relativePath in relativePaths)
        {
            if (SharedData.TryFind(relativePath, out string searched) is null)
            {
                Skip = $"{relativePath} not found: {searched}";
                return;
            }
        }
    }
}
