using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Reports.Tests.Support;

namespace NnGen.Reports.Tests;

/// <summary>
/// The planar sample as CI runs it, with its output redirected: no live display (no escape sequences, no progress
/// lines), the course's trace in order exactly as it printed before the progress bar existed, and a report written
/// where it says. A real <c>dotnet run</c>: filter it out with <c>Category!=RealBuild</c>.
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class SampleTests
{
    [Fact]
    public void PlanarSample_WithRedirectedOutput_PrintsTheCourseTraceAndWritesItsReport()
    {
        string directory = Path.Combine(Path.GetTempPath(), "nngen-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string report = Path.Combine(directory, "planar-report.html");
            string project = Path.Combine(Repository.Root(), "samples", "Planar", "Planar.csproj");
            (int exitCode, string output) = Processes.Run(
                "dotnet",
                $"run -c Release --project \"{project}\" --artifacts-path \"{Path.Combine(directory, "art")}\" -p:NuGetAudit=false -- \"{report}\"",
                directory);

            Assert.True(exitCode == 0, output);
            Assert.DoesNotContain('\u001b', output);
            string[] trace = Regex.Matches(output, @"^  Cost after iteration +(\d+): (\d\.\d{6})   \(course: ([-\d.]+)\)$", RegexOptions.Multiline)
                .Select(match => match.Groups[1].Value + " " + match.Groups[2].Value + " " + match.Groups[3].Value)
                .ToArray();
            Assert.Equal(
                [
                    "0 0.693048 0.693048", "1000 0.288083 0.288083", "2000 0.254385 0.254385", "3000 0.233864 0.233864",
                    "4000 0.226792 0.226792", "5000 0.222644 0.222644", "6000 0.219731 0.219731", "7000 0.217504 0.217504",
                ],
                trace.Take(8));
            Assert.Equal(11, trace.Length);
            Assert.StartsWith("9999 ", trace[^1], StringComparison.Ordinal);
            Assert.Contains("2-4-1 tanh/sigmoid       90.75 %", output, StringComparison.Ordinal);
            Assert.Contains($"Report: {report}", output, StringComparison.Ordinal);
            Assert.Contains("data-figure=\"decision-boundary\"", File.ReadAllText(report), StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
