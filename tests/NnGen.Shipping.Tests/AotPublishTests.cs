using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// The ShipIt sample published with Native AOT from the command line, as docs/shipping.md says: no trim or AOT warning,
/// no weights file beside the binary (they are baked in), and the native binary's predictions from its baked weights are,
/// bit for bit, the JIT build's from the checked-in file. Slow (a real publish, 1–4 min).
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class AotPublishTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-aot");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [AotFact]
    public void PublishAot_ShipIt_NoWarningsAndTheSamePredictionsAsTheJit()
    {
        string publish = Path.Combine(_directory, "publish");
        (int exitCode, string log, string error) = ProcessRunner.Run(
            "dotnet",
            ["publish", Path.Combine(Repository.Root, "samples", "ShipIt", "ShipIt.csproj"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                "-o", publish, "--artifacts-path", Path.Combine(_directory, "artifacts"), "--disable-build-servers", "-p:NuGetAudit=false"],
            _directory,
            TimeSpan.FromMinutes(20));
        Assert.True(exitCode == 0, log + error);
        string[] warnings = Regex.Matches(log, @"^.*\bwarning [A-Z]+\d+:.*$", RegexOptions.Multiline).Select(m => m.Value.Trim()).Distinct().ToArray();
        Assert.True(warnings.Length == 0, "Trim/AOT warnings:\n" + string.Join("\n", warnings));

        string binary = Path.Combine(publish, "ShipIt");
        Assert.True(File.Exists(binary), "No native binary in " + publish);
        Assert.False(File.Exists(Path.Combine(publish, "ShipIt.dll")), "A Native AOT publish has no IL assembly.");
        Assert.False(File.Exists(Path.Combine(publish, "planar.safetensors")), "The weights are baked in; nothing ships beside the binary.");
        output.WriteLine($"binary: {new FileInfo(binary).Length:N0} bytes");

        (int aotExit, string aot, string aotError) = ProcessRunner.Run(binary, ["predict"], publish, TimeSpan.FromMinutes(1));
        (int jitExit, string jit, string jitError) = ProcessRunner.Run("dotnet", [ShipItOutput.JitAssembly, "predict", Path.Combine(Repository.Root, "samples", "ShipIt", "planar.safetensors")], _directory, TimeSpan.FromMinutes(1));
        output.WriteLine(aot);
        Assert.True(aotExit == 0, aot + aotError);
        Assert.True(jitExit == 0, jit + jitError);
        Assert.Contains("Native AOT", aot);
        Assert.Contains("baked in at build time", aot);
        Assert.Equal(8, ShipItOutput.Predictions(aot).Count);
        Assert.Equal(ShipItOutput.Comparable(jit), ShipItOutput.Comparable(aot));
        Assert.Contains("accuracy on the 400 planar points: 90.75%", aot);

        // The checks travel into the native binary too: a file for another network is refused with the same message.
        string mixed = Path.Combine(_directory, "mixed.safetensors");
        new MixedNet(seed: 1).SaveWeights(mixed);
        (int refusedExit, _, string refused) = ProcessRunner.Run(binary, ["predict", mixed], publish, TimeSpan.FromMinutes(1));
        Assert.Equal(2, refusedExit);
        Assert.Equal($"{mixed}: tensor '__metadata__': layer sizes 3,5,5,2 (saved from MixedNet) do not match PlanarNet's 2,4,1 (2 -> 4 tanh -> 1 sigmoid).", refused.Trim());
    }
}

/// <summary>Skips, saying why, where Native AOT cannot link: not linux-x64, or no clang (CI installs it: .ci/setup.d/30-aot.sh).</summary>
public sealed class AotFactAttribute : FactAttribute
{
    public AotFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Skip = $"The AOT publish test targets linux-x64; this is {RuntimeInformation.RuntimeIdentifier}.";
        }
        else if (!(Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(directory => File.Exists(Path.Combine(directory, "clang"))))
        {
            Skip = "Native AOT links with clang, which is not installed (apt-get install clang zlib1g-dev; .ci/setup.d/30-aot.sh does it in CI).";
        }
    }
}
