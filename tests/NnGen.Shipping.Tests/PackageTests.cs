using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis.CodeFixes;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// The README's packing command (<c>dotnet pack NnGen.Packages.slnf</c>) into a temporary folder, then a stranger's console
/// project that references every package the docs use (NnGen, NnGen.Reports, NnGen.Onnx) from that folder: it builds,
/// the network is generated and runs, writes a report and an ONNX file, a seeded shape mistake fails the build with its
/// NNG id, and the code-fix assembly is handed to the compiler host and loads. Slow (real restores and builds, ~2–4 min here).
/// </summary>
[Trait("Category", "RealBuild")]
public sealed class PackageTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Every package the documentation tells a user to add, each made by the one packing command.</summary>
    private static readonly string[] Packages = ["NnGen", "NnGen.Reports", "NnGen.Onnx"];

    private readonly string _directory = Repository.TestDirectory("nngen-package");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [Fact]
    public void PackAll_ThenConsumeEachFromALocalFolder_GeneratesRunsReportsExportsNngIdsAndShipsTheCodeFixes()
    {
        string feed = Path.Combine(_directory, "feed");
        Dotnet(Repository.Root, "pack", Path.Combine(Repository.Root, "NnGen.Packages.slnf"), "-c", "Release", "-o", feed,
            "--artifacts-path", Path.Combine(_directory, "pack-artifacts"));
        string[] made = Directory.GetFiles(feed, "*.nupkg").Select(path => Regex.Match(Path.GetFileName(path), @"^(.+?)\.(\d+\.\d+\.\d+(-[\w.]+)?)\.nupkg$").Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Packages.Order(StringComparer.Ordinal), made);
        string package = Path.Combine(feed, Directory.GetFiles(feed, "NnGen.*.nupkg").Select(Path.GetFileName).Single(name => Regex.IsMatch(name!, @"^NnGen\.\d"))!);
        Assert.Matches(@"NnGen\.\d+\.\d+\.\d+(-[\w.]+)?\.nupkg$", package);
        string version = Regex.Match(Path.GetFileName(package), @"^NnGen\.(.+)\.nupkg$").Groups[1].Value;
        foreach (string id in Packages)
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"The symbols package of {id} is missing.");
        }

        string extracted = Path.Combine(_directory, "extracted");
        ZipFile.ExtractToDirectory(package, extracted);
        string[] files = Directory.GetFiles(extracted, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(extracted, path).Replace('\\', '/'))
            .ToArray();
        foreach (string expected in new[]
        {
            "lib/net10.0/NnRuntime.dll", "lib/net10.0/NnRuntime.xml", "analyzers/dotnet/cs/NnGenerator.dll",
            "analyzers/dotnet/cs/NnGenerator.CodeFixes.dll", "build/NnGen.targets", "buildTransitive/NnGen.targets", "README.md", "LICENSE",
        })
        {
            Assert.Contains(expected, files);
        }

        Assert.DoesNotContain(files, file => file.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        XElement metadata = Metadata(Path.Combine(extracted, "NnGen.nuspec"), "NnGen");
        string[] dependencies = metadata.Descendants(metadata.Name.Namespace + "dependency").Select(d => d.Attribute("id")!.Value).ToArray();
        Assert.Equal(new[] { "System.Numerics.Tensors" }, dependencies);

        // The add-on packages: their own library and docs, and a dependency on NnGen that lets its generator and build
        // settings through, so that a project referencing only NnGen.Reports still gets its networks generated.
        foreach ((string id, string library, string third) in new[] { ("NnGen.Reports", "NnGen.Reports", "ScottPlot"), ("NnGen.Onnx", "NnGen.Onnx", "Google.Protobuf") })
        {
            string folder = Path.Combine(_directory, "extracted-" + id);
            ZipFile.ExtractToDirectory(Path.Combine(feed, $"{id}.{version}.nupkg"), folder);
            Assert.True(File.Exists(Path.Combine(folder, "lib", "net10.0", library + ".dll")), $"{id} has no lib/net10.0/{library}.dll");
            Assert.True(File.Exists(Path.Combine(folder, "lib", "net10.0", library + ".xml")), $"{id} has no XML docs");
            Assert.True(File.Exists(Path.Combine(folder, "README.md")), $"{id} has no README.md");
            XElement addOn = Metadata(Path.Combine(folder, id + ".nuspec"), id);
            XElement[] addOnDependencies = addOn.Descendants(addOn.Name.Namespace + "dependency").ToArray();
            Assert.Equal(new[] { "NnGen", third }, addOnDependencies.Select(d => d.Attribute("id")!.Value));
            XElement nngen = addOnDependencies[0];
            Assert.Equal(version, nngen.Attribute("version")!.Value);
            Assert.Null(nngen.Attribute("exclude"));
        }

        CodeFixesLoad(Path.Combine(extracted, "analyzers", "dotnet", "cs"));

        string consumer = Path.Combine(_directory, "Consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // A private package folder, so a package of the same version cached by an earlier run is never used instead.
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(_directory, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NnGen" Version="{version}" />
                <PackageReference Include="NnGen.Reports" Version="{version}" />
                <PackageReference Include="NnGen.Onnx" Version="{version}" />
              </ItemGroup>
              <Target Name="ListAnalyzers" BeforeTargets="CoreCompile">
                <Message Importance="high" Text="analyzer: %(Analyzer.Filename)%(Analyzer.Extension)" />
              </Target>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using NnGen;
            using NnGen.Data;

            Dataset data = PlanarDataset.Generate(seed: 1);
            var net = new PlanarNet(seed: 2);
            TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 10000 });
            Evaluation result = net.Evaluate(data.Inputs, data.Labels);
            net.SaveWeights("planar.safetensors");
            var copy = new PlanarNet();
            copy.LoadWeights("planar.safetensors");
            Console.WriteLine($"cost {history.FinalCost:F6} accuracy {result.Accuracy:F4} reloaded {copy.Evaluate(data.Inputs, data.Labels).Accuracy:F4}");
            var report = new NnGen.Reports.TrainingReport("planar");
            report.Add(new NnGen.Reports.ReportRun("2-4-1", history) { Network = net, Training = data });
            string html = File.ReadAllText(report.Save("planar.html"));
            NnGen.Onnx.OnnxExporter.Export(net, "planar.onnx");
            Console.WriteLine($"report figures {html.Split("data:image/png;base64,").Length - 1} onnx {File.ReadAllBytes("planar.onnx")[0]:X2}");

            [Network(Inputs = 2, Init = Init.Scaled)]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class PlanarNet;
            """);

        string build = Dotnet(consumer, "build", "-c", "Release", "-p:ReportAnalyzer=true", "-v:detailed", "--disable-build-servers", "-p:NuGetAudit=false");
        Assert.Contains("analyzer: NnGenerator.dll", build);
        Assert.Contains("analyzer: NnGenerator.CodeFixes.dll", build);
        // ReportAnalyzer's timings: the generator ran and the analyzers executed in the compiler.
        Assert.Matches(@"(?m)\d\s+NnGen\.Generator\.NnGenerator\s*$", build);
        Assert.Contains("NnGen.Generator.Diagnostics.NetworkUsageAnalyzer (NNG0014", build);
        string run = Dotnet(consumer, "run", "-c", "Release", "--no-build");
        // Two figures for a two-input classifier (cost, decision boundary) plus its confusion matrix; an ONNX ModelProto
        // starts with field 1 (ir_version) as a varint: tag byte 0x08.
        Assert.Equal("cost 0.217753 accuracy 0.9075 reloaded 0.9075\nreport figures 3 onnx 08", run.Trim().ReplaceLineEndings("\n"));

        // The file just saved, baked in at build time: the package's NnGen.targets passes it to the generator.
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), """
            <Project>
              <ItemGroup>
                <AdditionalFiles Include="planar.safetensors" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using NnGen;
            using NnGen.Data;

            Dataset data = PlanarDataset.Generate(seed: 1);
            Console.WriteLine($"baked {new BakedPlanarNet().Evaluate(data.Inputs, data.Labels).Accuracy:F4}");

            [Network(Inputs = 2, Init = Init.Scaled)]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class PlanarNet;

            [Network(Inputs = 2, Weights = "planar.safetensors")]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class BakedPlanarNet;
            """);
        Dotnet(consumer, "build", "-c", "Release", "--disable-build-servers", "-p:NuGetAudit=false");
        Assert.Equal("baked 0.9075", Dotnet(consumer, "run", "-c", "Release", "--no-build").Trim());

        // The seeded mistake: a 3-float input for a 2-input network, caught at compile time by the call-site analyzer.
        File.WriteAllText(Path.Combine(consumer, "Mistake.cs"), """
            public static class Mistake
            {
                public static void Run(PlanarNet net) => net.Predict(new float[3], new float[1]);
            }
            """);
        (int exitCode, string mistake, string error) = ProcessRunner.Run("dotnet", ["build", "-c", "Release", "--disable-build-servers", "-p:NuGetAudit=false", "-v:minimal"], consumer, TimeSpan.FromMinutes(10));
        output.WriteLine(mistake + error);
        Assert.NotEqual(0, exitCode);
        string[] errors = Regex.Matches(mistake, @"^.*: error [A-Z]+\d+:.*$", RegexOptions.Multiline).Select(m => m.Value.Trim()).Distinct().ToArray();
        string only = Assert.Single(errors);
        Assert.Matches(@"Mistake\.cs\(3,58\): error NNG0014: PlanarNet\.Predict: x has 3 floats, expected InputSize 2 ", only);
    }

    /// <summary>Loads the packaged code-fix assembly beside the packaged generator and asks each provider what it fixes.</summary>
    private void CodeFixesLoad(string analyzers)
    {
        var context = new AssemblyLoadContext("nngen-codefixes", isCollectible: true);
        context.Resolving += (c, name) =>
        {
            string candidate = Path.Combine(analyzers, name.Name + ".dll");
            return File.Exists(candidate) ? c.LoadFromAssemblyPath(candidate) : null;
        };
        try
        {
            Assembly fixes = context.LoadFromAssemblyPath(Path.Combine(analyzers, "NnGenerator.CodeFixes.dll"));
            string[] fixable = fixes.GetTypes()
                .Where(type => !type.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(type) && type.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
                .SelectMany(type => ((CodeFixProvider)Activator.CreateInstance(type)!).FixableDiagnosticIds)
                .Order(StringComparer.Ordinal)
                .ToArray();
            output.WriteLine("code fixes for: " + string.Join(", ", fixable));
            Assert.Contains("NNG0001", fixable);
            Assert.True(fixable.Length >= 4, string.Join(", ", fixable));
            Assert.All(fixable, id => Assert.Matches(@"^NNG\d{4}$", id));
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The nuspec's metadata, after checking what every NnGen package states: id, license, readme, repository.</summary>
    private static XElement Metadata(string nuspecPath, string id)
    {
        XDocument nuspec = XDocument.Load(nuspecPath);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(id, metadata.Element(ns + "id")!.Value);
        Assert.Equal("NnGen contributors", metadata.Element(ns + "authors")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
        Assert.Equal("https://github.com/nngen/NnGen.git", metadata.Element(ns + "repository")?.Attribute("url")?.Value);
        return metadata;
    }

    private string Dotnet(string directory, params string[] arguments)
    {
        (int exitCode, string stdout, string stderr) = ProcessRunner.Run("dotnet", arguments, directory, TimeSpan.FromMinutes(10));
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }
}
