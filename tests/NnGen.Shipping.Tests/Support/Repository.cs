using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace NnGen.Shipping.Tests.Support;

/// <summary>Paths in the repository, found from this source file (tests may run from an artifacts folder).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string TestDirectory(string prefix)
    {
        string directory = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRoot([CallerFilePath] string thisFile = "")
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
}
