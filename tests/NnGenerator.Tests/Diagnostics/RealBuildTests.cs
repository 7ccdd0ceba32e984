using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Generator.Tests.Infrastructure;
using NnGen.Reports.Tests.Support;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// A real <c>dotnet build</c> of a throwaway consumer that references the generator as an analyzer, the way users do:
/// the NNG error must fail the build at the right file and line, with no compiler errors besides. Slow (a real build of
/// NnRuntime and the generator, ~30–60 s), so it is a class of its own: filter it out with <c>Category!=RealBuild</c>.
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class RealBuildTests
{
    [Fact]
    public void ShapeError_FailsTheBuildWithTheNngIdAtTheRightFileAndLine()
    {
        string root = Repository.Root();
        string directory = Path.Combine(Path.GetTempPath(), "nngen-realbuild-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <OutputType>Library</OutputType>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{root}/src/NnGenerator/NnGenerator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                    <ProjectReference Include="{root}/src/NnRuntime/NnRuntime.csproj" />
                  </ItemGroup>
                </Project>
                """);

            // A valid network used through its generated API, so a clean part of the build is exercised too.
            File.WriteAllText(Path.Combine(directory, "Good.cs"), """
                using NnGen;

                namespace Consumer;

                [Network(Inputs = 2)]
                [Layer(4, Activation.Tanh)]
                [Layer(1, Activation.Sigmoid)]
                public partial class PlanarNet
                {
                    public float First(float a, float b)
                    {
                        float[] y = new float[OutputSize];
                        Predict(new[] { a, b }, y);
                        return y[0];
                    }
                }
                """);

            // Line 6, column 10: the Inputs argument.
            File.WriteAllText(Path.Combine(directory, "Bad.cs"), """
                using NnGen;

                namespace Consumer;

                [Layer(1, Activation.Sigmoid)]
                [Network(Inputs = 0)]
                public partial class BrokenNet { }
                """);

            (int exitCode, string output) = Processes.Run(
                "dotnet",
                $"build \"{Path.Combine(directory, "Consumer.csproj")}\" -c Release --artifacts-path \"{Path.Combine(directory, "artifacts")}\" --disable-build-servers -nologo -v:minimal -p:NuGetAudit=false",
                directory);

            Assert.True(exitCode != 0, "The build should fail:\n" + output);
            string[] errors = Regex.Matches(output, @"^.*: error [A-Z]+\d+:.*$", RegexOptions.Multiline)
                .Select(match => match.Value.Trim())
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            Assert.True(errors.Length == 1, "Expected only the NNG error:\n" + string.Join("\n", errors));
            string error = errors[0];
            Assert.Matches(@"Bad\.cs\(6,10\): error NNG0003: Network 'BrokenNet' must set Inputs to the number of input features \(at least 1\); found 0", error);
        }
        finally
        {
            Repository.DeleteQuietly(directory);
        }
    }
}
