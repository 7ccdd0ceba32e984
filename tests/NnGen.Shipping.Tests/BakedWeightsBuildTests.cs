using System;
using System.Globalization;
using System.IO;
using System.Linq;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weights baked in by a real <c>dotnet build</c>: a throwaway project with a safetensors AdditionalFile whose data holds
/// every byte value 0–255 (and, like every real file, zero bytes in a row and invalid UTF-8, which the compiler alone
/// cannot pass to a generator). The program prints its baked parameters' bits; they equal the file's. Slow (a real build).
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class BakedWeightsBuildTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-baked");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [Fact]
    public void DotnetBuild_FileWithEveryByteValue_BakedBitForBit()
    {
        // 16 -> 16 tanh -> 1 sigmoid: 289 floats. Byte 0 of float i is i % 256, so all 256 values occur; the top bytes
        // vary too, kept finite (an exponent of all ones would be Inf/NaN, which the generator refuses).
        var bytes = new byte[289 * 4];
        for (int i = 0; i < 289; i++)
        {
            bytes[4 * i] = (byte)i;
            bytes[(4 * i) + 1] = (byte)(255 - (i % 256));
            bytes[(4 * i) + 2] = (byte)((i * 37) % 256);
            bytes[(4 * i) + 3] = (byte)((i * 11) % 256);
            if ((bytes[(4 * i) + 3] & 0x7F) == 0x7F)
            {
                bytes[(4 * i) + 2] &= 0x7F;
            }
        }

        Assert.Equal(256, bytes.Where((_, index) => index % 4 == 0).Distinct().Count());
        float[] expected = Enumerable.Range(0, 289).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
        var net = new ByteNet();
        expected.CopyTo(net.Parameters);
        net.SaveWeights(Path.Combine(_directory, "bytes.safetensors"));

        File.WriteAllText(Path.Combine(_directory, "Baked.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(Repository.Root, "src", "NnRuntime", "NnRuntime.csproj")}" />
                <ProjectReference Include="{Path.Combine(Repository.Root, "src", "NnGenerator", "NnGenerator.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                <AdditionalFiles Include="bytes.safetensors" />
              </ItemGroup>
              <Import Project="{Path.Combine(Repository.Root, "src", "NnRuntime", "build", "NnGen.targets")}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(_directory, "Program.cs"), """
            using System;
            using System.Globalization;
            using NnGen;

            var net = new ByteNet();
            foreach (float value in net.Parameters)
            {
                Console.WriteLine(BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture));
            }

            [Network(Inputs = 16, Weights = "bytes.safetensors")]
            [Layer(16, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class ByteNet;
            """);

        (int exitCode, string log, string error) = ProcessRunner.Run(
            "dotnet",
            ["run", "--project", Path.Combine(_directory, "Baked.csproj"), "-c", "Release", "--artifacts-path", Path.Combine(_directory, "artifacts"), "--disable-build-servers", "-p:NuGetAudit=false"],
            _directory,
            TimeSpan.FromMinutes(10));
        output.WriteLine(log + error);
        Assert.True(exitCode == 0, log + error);

        string[] printed = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => line.Length == 8).ToArray();
        Assert.Equal(expected.Select(value => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture)), printed);
    }
}

/// <summary>The ShipIt sample bakes samples/ShipIt/planar.safetensors: without a file it predicts what the file predicts.</summary>
public sealed class ShipItBakedTests
{
    [Fact]
    public void ShipIt_PredictWithoutFile_SameBitsAsLoadingTheCheckedInFile()
    {
        string file = Path.Combine(Repository.Root, "samples", "ShipIt", "planar.safetensors");
        (int bakedExit, string baked, string bakedError) = ProcessRunner.Run("dotnet", [ShipItOutput.JitAssembly, "predict"], Path.GetTempPath(), TimeSpan.FromMinutes(2));
        (int loadedExit, string loaded, string loadedError) = ProcessRunner.Run("dotnet", [ShipItOutput.JitAssembly, "predict", file], Path.GetTempPath(), TimeSpan.FromMinutes(2));

        Assert.True(bakedExit == 0, baked + bakedError);
        Assert.True(loadedExit == 0, loaded + loadedError);
        Assert.Contains("baked in at build time", baked, StringComparison.Ordinal);
        Assert.Equal(8, ShipItOutput.Predictions(baked).Count);
        Assert.Equal(ShipItOutput.Comparable(loaded), ShipItOutput.Comparable(baked));
        Assert.Contains("accuracy on the 400 planar points: 90.75%", baked, StringComparison.Ordinal);
    }
}

/// <summary>The same architecture as the throwaway project's ByteNet, to write its file with SaveWeights.</summary>
[Network(Inputs = 16)]
[Layer(16, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class ByteNet;
