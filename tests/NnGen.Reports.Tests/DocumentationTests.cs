using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Reports.Tests.Support;

namespace NnGen.Reports.Tests;

/// <summary>
/// Every fenced <c>csharp</c> block of the user documentation is a whole program: pasted as Program.cs into a new
/// console project that references NnRuntime, NnGen.Reports and the generator (as an analyzer), it must build with no
/// warning and run, and whatever it prints as "iteration N" must come out in order. A real <c>dotnet build</c>, like
/// <c>RealBuildTests</c>: filter it out with <c>Category!=RealBuild</c>.
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class DocumentationTests
{
    /// <summary>The documents whose code blocks are programs.</summary>
    public static TheoryData<string> Documents => new() { "README.md", "docs/getting-started.md", "docs/reports.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void CodeBlocks_BuildAndRunAsNewConsoleProjects(string document)
    {
        string root = Repository.Root();
        string[] blocks = CSharpBlocks(File.ReadAllText(Path.Combine(root, document)));
        Assert.NotEmpty(blocks);

        string directory = Path.Combine(Path.GetTempPath(), "nngen-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            // What `dotnet new console` writes (implicit usings, nullable), plus the references the README's Install section lists.
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{root}/src/NnRuntime/NnRuntime.csproj" />
                    <ProjectReference Include="{root}/src/NnGenerator/NnGenerator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                    <ProjectReference Include="{root}/src/NnGen.Reports/NnGen.Reports.csproj" />
                  </ItemGroup>
                </Project>
                """);

            var failures = new List<string>();
            for (int i = 0; i < blocks.Length; i++)
            {
                File.WriteAllText(Path.Combine(directory, "Program.cs"), blocks[i]);
                (int build, string buildOutput) = Run("dotnet", "build Consumer.csproj -c Release --artifacts-path art --disable-build-servers -nologo -v:quiet -p:NuGetAudit=false", directory);
                if (build != 0)
                {
                    failures.Add($"{document}, csharp block {i + 1} does not build:\n{Errors(buildOutput)}\n--- block ---\n{blocks[i]}");
                    continue;
                }

                (int exit, string output) = Run("dotnet", "art/bin/Consumer/release/Consumer.dll", directory);
                if (exit != 0)
                {
                    failures.Add($"{document}, csharp block {i + 1} exits with {exit}:\n{output}");
                    continue;
                }

                int[] iterations = Regex.Matches(output, @"iteration\s+(\d+)").Select(match => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                if (!iterations.SequenceEqual(iterations.Order()))
                {
                    failures.Add($"{document}, csharp block {i + 1} prints iterations out of order ({string.Join(", ", iterations)}):\n{output}");
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
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

    [Fact]
    public void CSharpBlocks_AreFoundAndOtherFencesIgnored()
    {
        string markdown = "text\n```csharp\nvar a = 1;\n```\n```bash\nls\n```\n```csharp\nvar b = 2;\n```\n";
        Assert.Equal(["var a = 1;\n", "var b = 2;\n"], CSharpBlocks(markdown));
    }

    internal static string[] CSharpBlocks(string markdown) =>
        Regex.Matches(markdown.ReplaceLineEndings("\n"), "^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(match => match.Groups[1].Value)
            .ToArray();

    private static string Errors(string output) =>
        string.Join("\n", output.Split('\n').Where(line => line.Contains(": error ", StringComparison.Ordinal) || line.Contains(": warning ", StringComparison.Ordinal)).Distinct().DefaultIfEmpty(output));

    private static (int ExitCode, string Output) Run(string fileName, string arguments, string workingDirectory)
    {
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
        using Process process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} did not finish in 5 minutes:\n{stdout}");
        }

        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
