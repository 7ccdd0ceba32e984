using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;
using NnGen.Reports.Tests.Support;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// NnGen.targets' NnGenEncodeWeights task run by a real MSBuild on a project that only imports the targets (no compile,
/// a few seconds): an AdditionalFiles item pointing at no file must not fail the task (MSB4018 with a stack trace); its
/// base64 copy says so, and the network that names it then reports NNG0025 with the path. The good item beside it is
/// encoded and bakes as before.
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class EncodeWeightsTaskTests
{
    [Fact]
    public void ItemPointingAtNoFile_TaskSucceeds_AndTheNetworkReportsNNG0025WithThePath()
    {
        string directory = Path.Combine(Path.GetTempPath(), "nngen-encode-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "planar.safetensors"), BakingHarness.PlanarFile(BakingHarness.SomePlanarParameters()));
            File.WriteAllText(Path.Combine(directory, "Encode.proj"), $"""
                <Project>
                  <PropertyGroup>
                    <IntermediateOutputPath>obj/</IntermediateOutputPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <AdditionalFiles Include="planar.safetensors" />
                    <AdditionalFiles Include="models/absent.safetensors" />
                  </ItemGroup>
                  <Import Project="{Path.Combine(Repository.Root(), "src", "NnRuntime", "build", "NnGen.targets")}" />
                  <Target Name="Encode" DependsOnTargets="NnGenEncodeWeights">
                    <Message Importance="high" Text="passed on: @(AdditionalFiles)" />
                  </Target>
                </Project>
                """);

            (int exitCode, string output) = Processes.Run("dotnet", "msbuild Encode.proj -t:Encode -nologo -v:minimal", directory);

            Assert.True(exitCode == 0, "The task should succeed:\n" + output);
            Assert.DoesNotContain("MSB4018", output, StringComparison.Ordinal);
            string[] encoded = Directory.GetFiles(Path.Combine(directory, "obj", "nngen"), "*.nngen-base64", SearchOption.AllDirectories);
            Assert.Equal(2, encoded.Length);
            string absent = encoded.Single(path => path.EndsWith("absent.safetensors.nngen-base64", StringComparison.Ordinal));
            string present = encoded.Single(path => path.EndsWith("planar.safetensors.nngen-base64", StringComparison.Ordinal));

            (_, _, var good) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Text(present, File.ReadAllText(present)));
            Assert.Empty(good);

            (_, _, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("models/absent.safetensors"), BakingHarness.Text(absent, File.ReadAllText(absent)));
            Diagnostic diagnostic = Assert.Single(diagnostics);
            Assert.Equal(DiagnosticIds.WeightsFileUnreadable, diagnostic.Id);
            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains("the AdditionalFiles item points at no file", message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(directory, "models", "absent.safetensors"), message, StringComparison.Ordinal);
        }
        finally
        {
            Repository.DeleteQuietly(directory);
        }
    }
}
