using System;
using System.Diagnostics;

namespace NnGen.Reports.Tests.Support;

/// <summary>Runs the .NET CLI (builds, samples) the way a user's shell would, without build servers left behind.</summary>
internal static class Processes
{
    public static (int ExitCode, string Output) Run(string fileName, string arguments, string workingDirectory, TimeSpan? timeout = null, bool invariantCulture = false)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromMinutes(5);
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (invariantCulture)
        {
            start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        }

        using Process process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} did not finish in {limit.TotalMinutes:F0} minutes:\n{stdout}");
        }

        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
