using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;

namespace NnGen.Tests.Data;

/// <summary>
/// Finds the course's data files, which live next to the repository (<c>&lt;repo&gt;/../shared/data</c>) rather than in
/// it. The repository root is searched from the test binaries and from this source file, because an
/// <c>--artifacts-path</c> build runs the tests from outside the repository.
/// </summary>
internal static class SharedData
{
    /// <summary>Replaces the search with this directory, laid out like <c>shared/data</c> (holding <c>planar/</c>, <c>catvnoncat/</c>).</summary>
    public const string EnvironmentVariable = "NNGEN_SHARED_DATA";

    /// <summary>The full path of <paramref name="relativePath"/> under the shared data directory, or null with the places tried.</summary>
    public static string? TryFind(string relativePath, out string searched)
    {
        var tried = new List<string>();
        foreach (string dataDirectory in CandidateDirectories())
        {
            string candidate = Path.GetFullPath(Path.Combine(dataDirectory, relativePath));
            if (File.Exists(candidate))
            {
                searched = candidate;
                return candidate;
            }

            tried.Add(candidate);
        }

        searched = tried.Count == 0
            ? $"no repository root (a folder with NnGen.sln or .git) above {AppContext.BaseDirectory} or {SourceDirectory()}, and {EnvironmentVariable} is not set"
            : "looked for " + string.Join(", ", tried);
        return null;
    }

    /// <summary>The full path of a file a <see cref="DataFactAttribute"/> has already checked for.</summary>
    public static string Find(string relativePath) =>
        TryFind(relativePath, out string searched) ?? throw new FileNotFoundException($"{relativePath} not found: {searched}", relativePath);

    private static IEnumerable<string> CandidateDirectories()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            // Exclusive, so pointing it at an empty folder also shows how the data tests behave without the data.
            yield return fromEnvironment;
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string start in new[] { AppContext.BaseDirectory, SourceDirectory() })
        {
            string? root = FindRepositoryRoot(start);
            if (root is not null && seen.Add(root))
            {
                yield return Path.Combine(root, "..", "shared", "data");
            }
        }
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            string git = Path.Combine(directory.FullName, ".git");
            if (File.Exists(Path.Combine(directory.FullName, "NnGen.sln")) || Directory.Exists(git) || File.Exists(git))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static string SourceDirectory([CallerFilePath] string sourceFile = "") =>
        Path.GetDirectoryName(sourceFile) ?? string.Empty;
}
