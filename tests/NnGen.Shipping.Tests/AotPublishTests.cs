using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NnGen.Kernels;
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

    /// <summary>The flags line of this machine's /proc/cpuinfo, as the published binary reads it.</summary>
    private static string? CpuFlags() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal)) is { } line ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..] : null;

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

        // The x86-64-v4 build ships beside the v3 one, and the v3 binary becomes it at start-up where the CPU has AVX-512,
        // so the binary runs the kernels at the JIT's width; the predictions are the same bits at either width. The binary
        // inherits this process's environment, so a switch set for the whole test run (DOTNET_EnableAVX512F=0, as when
        // an AVX2 machine is emulated) keeps it on v3 too.
        string variant = binary + NativeVariant.Suffix;
        Assert.True(File.Exists(variant), "No x86-64-v4 build beside the binary: " + variant);
        bool avx512 = NativeVariant.ShouldSwitch(Environment.GetEnvironmentVariable, variantExists: true, NativeVariant.CpuIdHasV4(), CpuFlags());
        Assert.Contains(avx512 ? "Vector512 accelerated" : "Vector512 not accelerated", aot);

        // The runtime's switch keeps AVX-512 off, as it does under the JIT: the v3 binary then runs itself.
        (int offExit, string off, string offError) = ProcessRunner.Run(binary, ["predict"], publish, TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["DOTNET_EnableAVX512F"] = "0" });
        Assert.True(offExit == 0, off + offError);
        Assert.Contains("Vector512 not accelerated", off);
        Assert.Equal(ShipItOutput.Comparable(jit), ShipItOutput.Comparable(off));

        // On an AVX2-only CPU (a Haswell, emulated by QEMU) the published binary starts and answers alike; the v4 build
        // alone would refuse to start there.
        string[] haswell = ["-cpu", "Haswell-noTSX"];
        (int v3Exit, string v3, string v3Error) = ProcessRunner.Run("qemu-x86_64", [.. haswell, binary, "predict"], publish, TimeSpan.FromMinutes(5));
        Assert.True(v3Exit == 0, v3 + v3Error);
        Assert.Contains("Vector256 accelerated, Vector512 not accelerated", v3);
        Assert.Equal(ShipItOutput.Comparable(jit), ShipItOutput.Comparable(v3));
        (int v4Exit, _, string v4Error) = ProcessRunner.Run("qemu-x86_64", [.. haswell, variant, "predict"], publish, TimeSpan.FromMinutes(5));
        Assert.NotEqual(0, v4Exit);
        Assert.Contains("The required instruction sets are not supported by the current CPU.", v4Error);

        // The checks travel into the native binary too: a file for another network is refused with the same message.
        string mixed = Path.Combine(_directory, "mixed.safetensors");
        new MixedNet(seed: 1).SaveWeights(mixed);
        (int refusedExit, _, string refused) = ProcessRunner.Run(binary, ["predict", mixed], publish, TimeSpan.FromMinutes(1));
        Assert.Equal(2, refusedExit);
        Assert.Equal($"{mixed}: tensor '__metadata__': layer sizes 3,5,5,2 (saved from MixedNet) do not match PlanarNet's 2,4,1 (2 -> 4 tanh -> 1 sigmoid).", refused.Trim());
    }
}

/// <summary>
/// Skips, saying why, where Native AOT cannot be tested: not linux-x64, no clang to link, or no qemu-x86_64 to emulate an
/// AVX2-only CPU (CI installs both: .ci/setup.d/30-aot.sh).
/// </summary>
public sealed class AotFactAttribute : FactAttribute
{
    public AotFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Skip = $"The AOT publish test targets linux-x64; this is {RuntimeInformation.RuntimeIdentifier}.";
        }
        else if (!OnPath("clang"))
        {
            Skip = "Native AOT links with clang, which is not installed (apt-get install clang zlib1g-dev; .ci/setup.d/30-aot.sh does it in CI).";
        }
        else if (!OnPath("qemu-x86_64"))
        {
            Skip = "The AOT test runs the binary on an emulated AVX2-only CPU with qemu-x86_64, which is not installed (apt-get install qemu-user; .ci/setup.d/30-aot.sh does it in CI).";
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(directory => File.Exists(Path.Combine(directory, program)));
}
