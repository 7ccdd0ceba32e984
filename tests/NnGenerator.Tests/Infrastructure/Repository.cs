using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace NnGen.Generator.Tests.Infrastructure;

/// <summary>The tests that run real builds: where the repository is, and their temporary folders' cleanup.</summary>
internal static class Repository
{
    /// <summary>The folder that holds NnGen.sln, found upwards from this source file.</summary>
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

    /// <summary>Deletes a test's temporary folder; a leftover one is harmless, so a failure to delete is not the test's.</summary>
    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
