using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// The AmpModel sample published with Native AOT as docs/samples.md says (no trim or AOT warning, ScottPlot and its native
/// Skia library included), then run shortened (<c>--quick</c>) beside the JIT build: for each of the sample's models (the GRU
/// and the causal Conv1D stack) the native binary trains to the same validation ESR, keeps the same pass and reports the
/// same held-out ESR, and writes its report with both models. Slow (a real publish).
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class AmpModelAotTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-amp-aot");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [AotFact]
    public void PublishAot_AmpModel_NoWarningsAndTheSameEsrAsTheJit()
    {
        string project = Path.Combine(Repository.Root, "samples", "AmpModel", "AmpModel.csproj");
        string artifacts = Path.Combine(_directory, "artifacts");
        string publish = Path.Combine(_directory, "publish");
        (int exitCode, string log, string error) = ProcessRunner.Run(
            "dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", publish, "--artifacts-path", artifacts,
                "--disable-build-servers", "-p:NuGetAudit=false"],
            _directory,
            TimeSpan.FromMinutes(20));
        Assert.True(exitCode == 0, log + error);
        string[] warnings = Regex.Matches(log, @"^.*\bwarning [A-Z]+\d+:.*$", RegexOptions.Multiline).Select(m => m.Value.Trim()).Distinct().ToArray();
        Assert.True(warnings.Length == 0, "Trim/AOT warnings:\n" + string.Join("\n", warnings));
        string binary = Path.Combine(publish, "AmpModel");
        Assert.False(File.Exists(Path.Combine(publish, "AmpModel.dll")), "A Native AOT publish has no IL assembly.");

        (int buildExit, string build, string buildError) = ProcessRunner.Run(
            "dotnet", ["build", project, "-c", "Release", "--artifacts-path", artifacts, "--disable-build-servers", "-p:NuGetAudit=false"], _directory, TimeSpan.FromMinutes(10));
        Assert.True(buildExit == 0, build + buildError);

        (int aotExit, string aot, string aotError) = ProcessRunner.Run(binary, [Path.Combine(_directory, "aot-report.html"), "--quick"], _directory, TimeSpan.FromMinutes(5));
        (int jitExit, string jit, string jitError) = ProcessRunner.Run(
            "dotnet", [Path.Combine(artifacts, "bin", "AmpModel", "release", "AmpModel.dll"), Path.Combine(_directory, "jit-report.html"), "--quick"], _directory, TimeSpan.FromMinutes(5));
        output.WriteLine(aot);
        output.WriteLine(jit);
        Assert.True(aotExit == 0, aot + aotError);
        Assert.True(jitExit == 0, jit + jitError);
        Assert.StartsWith("Native AOT", aot, StringComparison.Ordinal);
        Assert.StartsWith("JIT", jit, StringComparison.Ordinal);

        // Training and the held-out run are the same bits in both builds: the same pass kept, the same ESRs to the digit.
        Assert.Equal(Figures(jit), Figures(aot));
        string report = File.ReadAllText(Path.Combine(_directory, "aot-report.html"));
        Assert.Contains("data-figure=\"waveform\"", report, StringComparison.Ordinal);
        Assert.Contains("data-models=\"2\"", report, StringComparison.Ordinal);
        foreach (string model in Models)
        {
            Assert.True(File.Exists(Path.Combine(_directory, $"aot-report.{model}.safetensors")), $"The native binary saved no {model} weights.");
        }
    }

    /// <summary>The sample's models as its weight files name them, in the order it trains them.</summary>
    private static readonly string[] Models = ["gru", "conv"];

    /// <summary>The sample's models as its output names them, in the same order.</summary>
    private static readonly string[] Titles = ["GRU", "Conv1D"];

    /// <summary>
    /// The run's ESRs without its times, model after model: each printed pass's training and validation ESR, the kept
    /// pass and its validation ESR, and the held-out ESR before and after training.
    /// </summary>
    private static string[] Figures(string output)
    {
        string[] lines = output.Split('\n').Select(line => line.Trim()).ToArray();
        string[] passes = lines.Select(line => Regex.Match(line, @"^\d+ +\d+\.\d{3} % +\d+\.\d{3} %")).Where(match => match.Success).Select(match => match.Value).ToArray();
        string[] results = lines
            .Where(line => line.Contains(" held-out ESR: ", StringComparison.Ordinal) || line.Contains("kept the parameters of pass", StringComparison.Ordinal))
            .Select(line => Regex.Replace(line, @" in \d+\.\d s", string.Empty))
            .ToArray();
        Assert.True(passes.Length >= 2 * Titles.Length && results.Length == 2 * Titles.Length, output);
        Assert.Equal(Titles, results.Where(line => line.Contains(" held-out ESR: ", StringComparison.Ordinal)).Select(line => line[..line.IndexOf(" held-out", StringComparison.Ordinal)]));
        return [.. passes, .. results];
    }
}
