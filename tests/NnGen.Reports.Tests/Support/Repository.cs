using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace NnGen.Reports.Tests.Support;

/// <summary>Paths in the repository, found from this source file (tests may run from an --artifacts-path build).</summary>
internal static class Repository
{
    /// <summary>Overrides where screenshots and reports are written (default: artifacts/reports under the repository).</summary>
    public const string ArtifactsVariable = "NNGEN_ARTIFACTS";

    public static string Root([CallerFilePath] string thisFile = "")
    {
        for (string? directory = Path.GetDirectoryName(thisFile); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "NnGen.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("No NnGen.sln above " + thisFile);
    }

    /// <summary>The folder test artifacts (reports, screenshots) go to, created if needed.</summary>
    public static string Artifacts()
    {
        string directory = Environment.GetEnvironmentVariable(ArtifactsVariable) is { Length: > 0 } configured
            ? Path.Combine(configured, "reports")
            : Path.Combine(Root(), "artifacts", "reports");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
