using System;
using System.Collections.Generic;
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
    private static readonly string[] Documents = ["README.md", "docs/getting-started.md", "docs/reports.md"];

    [Fact]
    public void CodeBlocks_BuildAndRunAsNewConsoleProjects()
    {
        string root = Repository.Root();
        var blocks = Documents
            .SelectMany(document => CSharpBlocks(File.ReadAllText(Path.Combine(root, document))).Select((code, index) => (Document: document, Index: index + 1, Code: code)))
            .ToList();
        foreach (string document in Documents)
        {
            Assert.Contains(blocks, block => block.Document == document);
        }

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

            // One project for every block, so NnRuntime, the generator and NnGen.Reports are built once.
            var failures = new List<string>();
            foreach ((string document, int i, string code) in blocks)
            {
                File.WriteAllText(Path.Combine(directory, "Program.cs"), code);
                (int build, string buildOutput) = Processes.Run("dotnet", "build Consumer.csproj -c Release --artifacts-path art --disable-build-servers -nologo -v:quiet -p:NuGetAudit=false", directory);
                if (build != 0)
                {
                    failures.Add($"{document}, csharp block {i} does not build:\n{Errors(buildOutput)}\n--- block ---\n{code}");
                    continue;
                }

                (int exit, string output) = Processes.Run("dotnet", "art/bin/Consumer/release/Consumer.dll", directory);
                if (exit != 0)
                {
                    failures.Add($"{document}, csharp block {i} exits with {exit}:\n{output}");
                    continue;
                }

                int[] iterations = Regex.Matches(output, @"iteration\s+(\d+)").Select(match => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                if (!iterations.SequenceEqual(iterations.Order()))
                {
                    failures.Add($"{document}, csharp block {i} prints iterations out of order ({string.Join(", ", iterations)}):\n{output}");
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
}
