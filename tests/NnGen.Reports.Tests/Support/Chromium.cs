using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace NnGen.Reports.Tests.Support;

/// <summary>
/// Debian's headless Chromium, run once per page with a fresh profile and everything that would reach the network
/// switched off. Console messages come back through <c>--enable-logging=stderr</c>, where Chromium writes each one as an
/// <c>INFO:CONSOLE</c> line whatever its level; a report logs nothing unless something is wrong, so any such line fails.
/// </summary>
internal static class Chromium
{
    /// <summary>Overrides the browser's path.</summary>
    public const string PathVariable = "NNGEN_CHROMIUM";

    private static readonly string[] CommonFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
    ];

    /// <summary>The browser's path, or null when it is not installed.</summary>
    public static string? Find()
    {
        string path = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        return File.Exists(path) ? path : null;
    }

    /// <summary>The DOM after the page's load event, and the console messages it logged.</summary>
    public static (string Dom, IReadOnlyList<string> Console) DumpDom(string htmlPath)
    {
        (string stdout, string stderr) = Run(["--dump-dom", new Uri(htmlPath).AbsoluteUri]);
        return (stdout, ConsoleLines(stderr));
    }

    /// <summary>Writes a PNG of the page's first <paramref name="height"/> pixels at 1280 pixels wide; returns the console messages.</summary>
    public static IReadOnlyList<string> Screenshot(string htmlPath, string pngPath, int height)
    {
        File.Delete(pngPath);
        (_, string stderr) = Run(["--screenshot=" + pngPath, $"--window-size=1280,{height}", new Uri(htmlPath).AbsoluteUri]);
        if (!File.Exists(pngPath))
        {
            throw new InvalidOperationException($"Chromium wrote no screenshot to {pngPath}:\n{stderr}");
        }

        return ConsoleLines(stderr);
    }

    private static IReadOnlyList<string> ConsoleLines(string stderr) =>
        stderr.Split('\n').Where(line => Regex.IsMatch(line, @":CONSOLE[:(]")).Select(line => line.Trim()).ToList();

    private static (string Stdout, string Stderr) Run(IEnumerable<string> arguments)
    {
        string browser = Find() ?? throw new InvalidOperationException("Chromium not found; install Debian's chromium package (.ci/setup.d/40-chromium.sh).");
        string profile = Path.Combine(Path.GetTempPath(), "nngen-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string flag in CommonFlags)
            {
                start.ArgumentList.Add(flag);
            }

            start.ArgumentList.Add("--user-data-dir=" + profile);
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("Chromium did not finish in 2 minutes.");
            }

            string output = stdout.GetAwaiter().GetResult();
            string errors = stderr.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode}:\n{errors}");
            }

            return (output, errors);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A profile folder Chromium still holds open is harmless in the temp folder.
            }
        }
    }
}

/// <summary>
/// A fact that needs Chromium: skipped with the reason when the browser is absent, except in CI (the <c>CI</c>
/// environment variable set), where <c>.ci/setup.d/40-chromium.sh</c> installs it and its absence must fail.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Also requires each of <paramref name="dataFiles"/> under the shared data directory (see <c>DataFactAttribute</c>).</summary>
    public ChromiumFactAttribute(params string[] dataFiles)
    {
        if (Chromium.Find() is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"Chromium not found at /usr/bin/chromium (or ${Chromium.PathVariable}); install it with .ci/setup.d/40-chromium.sh.";
            return;
        }

        foreach (string file in dataFiles)
        {
            if (NnGen.Tests.Data.SharedData.TryFind(file, out string searched) is null)
            {
                Skip = $"{file} not found: {searched}";
                return;
            }
        }
    }
}
