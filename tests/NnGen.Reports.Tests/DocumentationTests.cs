using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NnGen.Reports.Tests.Support;

namespace NnGen.Reports.Tests;

/// <summary>
/// Every fenced <c>csharp</c> block of README.md and docs/*.md, built as a user builds it: against the packages that
/// README's packing command makes (NnGen, NnGen.Reports, NnGen.Onnx, from a local folder), in fresh projects outside
/// the repository, so that neither its Directory.Build.props nor its central package versions apply. The projects
/// reference the packages README's install step adds. A real
/// <c>dotnet pack</c> and <c>dotnet build</c>, like <c>RealBuildTests</c>: filter it out with <c>Category!=RealBuild</c>.
/// </summary>
/// <remarks>
/// <para>An HTML comment right before a block says what kind of code it is. Without one, a block whose first line of
/// code (after comments and using directives) starts a type declaration is taken as declarations, any other as a program.</para>
/// <list type="bullet">
/// <item><c>&lt;!-- doc-test: program --&gt;</c>: a whole <c>Program.cs</c> of a new console project
/// (what <c>dotnet new console</c> writes: implicit usings, nullable), which must build with no error or warning and run
/// with exit code 0, printing any "iteration N" lines in order. Options, after semicolons: <c>build only: why</c> (it
/// needs data the test does not have) and <c>prints: a | b</c> (each text must appear in its output, in that order: how the
/// figures the page quotes beside the block are kept true).</item>
/// <item><c>&lt;!-- doc-test: declarations --&gt;</c>: type declarations, compiled as one file of a library project under
/// a namespace of their own, with <c>using NnGen;</c> and <c>using NnGen.Data;</c>.</item>
/// <item><c>&lt;!-- doc-test: statements</c> followed by lines of context and <c>--&gt;</c>: statements that use
/// variables the page does not declare; they are compiled inside a method, after the context lines (which declare what
/// they use), with the same usings. The library also declares the planar network as <c>PlanarNet</c> (2-4-1
/// tanh/sigmoid, <c>Init.Scaled</c>).</item>
/// </list>
/// <para>Any block takes <c>expect: NNG0001 NNG0014 …</c>: the diagnostics (errors, warnings, and NnGen's infos) its file
/// must produce, exactly (diagnostics.md's examples of mistakes; a program that needs a file it cannot have); without
/// it, none. A program that expects diagnostics is not run.</para>
/// <para>All the blocks are built by one <c>dotnet build</c> of one solution: one project per program (a project has
/// one set of top-level statements) and one library for every other block, each in its own file.</para>
/// </remarks>
[Trait("Category", "RealBuild")]
public sealed class DocumentationTests
{
    /// <summary>The library that holds the blocks that are not programs.</summary>
    private const string SnippetsProject = "Snippets";

    [Fact]
    public void CodeBlocks_BuildAndRunAgainstThePackedPackagesOutsideTheRepository()
    {
        string root = Repository.Root();
        List<DocBlock> blocks = Documents(root).SelectMany(document => Parse(document, File.ReadAllText(Path.Combine(root, document)))).ToList();
        Assert.Contains(blocks, block => block.Document == "README.md");
        Assert.Contains(blocks, block => block.Kind == BlockKind.Statements);
        Assert.Contains(blocks, block => block.Expected.Length > 0);

        // The packages README's install step adds, and no others: a snippet that needs one it leaves out fails here as it
        // would for a user (CS0234).
        string[] packages = Regex.Matches(File.ReadAllText(Path.Combine(root, "README.md")), @"^dotnet add package (\S+)", RegexOptions.Multiline)
            .Select(match => match.Groups[1].Value)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.Contains("NnGen", packages);

        string directory = Path.Combine(Path.GetTempPath(), "nngen-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);

        // README's packing command. A version of its own, so that no package NuGet cached from an earlier pack of the
        // same version can stand in for this one; every other package comes from the machine's package folder.
        string version = "0.1.0-docs" + Guid.NewGuid().ToString("N");
        try
        {
            string feed = Path.Combine(directory, "feed");
            Run(root, $"pack \"{Path.Combine(root, "NnGen.Packages.slnf")}\" -c Release -o \"{feed}\" -p:Version={version} --artifacts-path \"{Path.Combine(directory, "pack")}\" -nologo -v:quiet");

            var failures = new List<string>();
            var projects = new List<string>();
            WriteCommonFiles(directory, feed);
            string snippets = Path.Combine(directory, SnippetsProject);
            Directory.CreateDirectory(snippets);
            File.WriteAllText(Path.Combine(snippets, SnippetsProject + ".csproj"), ProjectFile("Library", version, packages));
            File.WriteAllText(Path.Combine(snippets, "PlanarNet.cs"), """
                using NnGen;

                [Network(Inputs = 2, Init = Init.Scaled)]
                [Layer(4, Activation.Tanh)]
                [Layer(1, Activation.Sigmoid)]
                public partial class PlanarNet;
                """);
            projects.Add(Path.Combine(SnippetsProject, SnippetsProject + ".csproj"));
            foreach (DocBlock block in blocks)
            {
                if (block.Kind == BlockKind.Program)
                {
                    string project = Path.Combine(directory, block.Name);
                    Directory.CreateDirectory(project);
                    File.WriteAllText(Path.Combine(project, block.Name + ".csproj"), ProjectFile("Exe", version, packages));
                    File.WriteAllText(Path.Combine(project, "Program.cs"), block.Code);
                    projects.Add(Path.Combine(block.Name, block.Name + ".csproj"));
                }
                else
                {
                    File.WriteAllText(Path.Combine(snippets, block.Name + ".cs"), block.Source());
                }
            }

            File.WriteAllText(Path.Combine(directory, "Docs.slnx"), "<Solution>\n" + string.Concat(projects.Select(p => $"  <Project Path=\"{p.Replace('\\', '/')}\" />\n")) + "</Solution>\n");
            (int _, string buildOutput) = Processes.Run("dotnet", "build Docs.slnx -c Release --disable-build-servers -nologo -v:quiet -p:NuGetAudit=false", directory, TimeSpan.FromMinutes(10));

            // What each file reported, from the compiler's own log (it holds info-level diagnostics too, which NNG0012 is).
            var reported = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string project in projects)
            {
                string log = Path.Combine(directory, Path.GetDirectoryName(project)!, "diagnostics.sarif");
                if (!File.Exists(log))
                {
                    failures.Add($"{project} was not compiled (no compiler log):\n{Errors(buildOutput)}");
                    continue;
                }

                foreach ((string file, string diagnostic) in Diagnostics(log))
                {
                    string key = Path.GetFileNameWithoutExtension(file) is "Program" ? Path.GetFileName(Path.GetDirectoryName(file)!) : Path.GetFileNameWithoutExtension(file);
                    (reported.TryGetValue(key, out List<string>? list) ? list : reported[key] = []).Add(diagnostic);
                }
            }

            foreach (string unexpected in reported.Keys.Where(key => !blocks.Any(block => block.Name == key)))
            {
                failures.Add($"{unexpected}: {string.Join("\n", reported[unexpected])}");
            }

            foreach (DocBlock block in blocks)
            {
                List<string> diagnostics = reported.GetValueOrDefault(block.Name) ?? [];
                string[] ids = diagnostics.Select(d => d.Split(' ')[0]).Order(StringComparer.Ordinal).ToArray();
                if (!ids.SequenceEqual(block.Expected.Order(StringComparer.Ordinal)))
                {
                    failures.Add($"{block.Where}: expected {Describe(block.Expected)}, the build reported {Describe(ids)}:\n{string.Join("\n", diagnostics)}\n--- block ---\n{block.Code}");
                    continue;
                }

                if (block.Kind != BlockKind.Program || block.BuildOnly is not null || block.Expected.Length > 0)
                {
                    continue;
                }

                string dll = Path.Combine(directory, block.Name, "bin", "Release", "net10.0", block.Name + ".dll");
                if (!File.Exists(dll))
                {
                    failures.Add($"{block.Where} built no {dll}:\n{Errors(buildOutput)}");
                    continue;
                }

                // Invariant culture, so that the figures print as the pages quote them ("90.75 %") whatever the machine's locale.
                (int exit, string output) = Processes.Run("dotnet", $"\"{dll}\"", Path.GetDirectoryName(dll)!, invariantCulture: true);
                if (exit != 0)
                {
                    failures.Add($"{block.Where} exits with {exit}:\n{output}");
                    continue;
                }

                int[] iterations = Regex.Matches(output, @"iteration\s+(\d+)").Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
                if (!iterations.SequenceEqual(iterations.Order()))
                {
                    failures.Add($"{block.Where} prints iterations out of order ({string.Join(", ", iterations)}):\n{output}");
                }

                int from = 0;
                foreach (string text in block.Prints)
                {
                    int at = output.IndexOf(text, from, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        failures.Add($"{block.Where}: the page says it prints '{text}'{(from > 0 ? " (after the texts before it)" : string.Empty)}; it printed:\n{output}");
                        break;
                    }

                    from = at + text.Length;
                }
            }

            Assert.True(failures.Count == 0, $"{failures.Count} of {blocks.Count} csharp blocks fail:\n\n" + string.Join("\n\n", failures));
        }
        finally
        {
            DeleteQuietly(directory);
            foreach (string id in new[] { "nngen", "nngen.reports", "nngen.onnx" })
            {
                // Restore extracted this run's own version into the machine's package folder; nothing else will use it.
                string folder = Path.Combine(PackageFolder(), id);
                DeleteQuietly(Path.Combine(folder, version));
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    DeleteQuietly(folder);
                }
            }
        }
    }

    [Fact]
    public void Parse_ReadsEachKindItsOptionsAndItsContext_AndIgnoresOtherFences()
    {
        string markdown = """
            text
            ```csharp
            var a = 1;
            ```
            ```bash
            ls
            ```
            <!-- doc-test: program; build only: needs Fashion-MNIST -->
            ```csharp
            var b = 2;
            ```
            <!-- doc-test: statements; expect: NNG0014 NNG0014
            var net = new PlanarNet();
            -->
            ```csharp
            net.Predict(new float[3], new float[1]);
            ```
            <!-- doc-test: program; prints: cost 0.693048 | 90.75 % -->
            ```csharp
            var c = 3;
            ```
            """;

        DocBlock[] blocks = Parse("docs/x.md", markdown).ToArray();

        Assert.Equal(["var a = 1;\n", "var b = 2;\n", "net.Predict(new float[3], new float[1]);\n", "var c = 3;\n"], blocks.Select(b => b.Code));
        Assert.Equal([BlockKind.Program, BlockKind.Program, BlockKind.Statements, BlockKind.Program], blocks.Select(b => b.Kind));
        Assert.Equal([2, 9, 15, 19], blocks.Select(b => b.Line));
        Assert.Null(blocks[0].BuildOnly);
        Assert.Equal("needs Fashion-MNIST", blocks[1].BuildOnly);
        Assert.Equal(["NNG0014", "NNG0014"], blocks[2].Expected);
        Assert.Equal("var net = new PlanarNet();\n", blocks[2].Context);
        Assert.Equal(["cost 0.693048", "90.75 %"], blocks[3].Prints);
        Assert.Equal("docs_x_md_3", blocks[2].Name);
        Assert.Contains("internal static void Run()", blocks[2].Source(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DefaultKindFollowsTheFirstLine_UnknownKindOrOptionIsAnErrorNamingTheLine()
    {
        Assert.Equal(BlockKind.Declarations, Parse("docs/architecture.md", "```csharp\n[Network(Inputs = 2)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n```\n").Single().Kind);
        Assert.Equal(BlockKind.Program, Parse("README.md", "```csharp\nusing NnGen;\n\nvar net = new Net();\n\n[Network(Inputs = 2)]\n```\n").Single().Kind);

        var kind = Assert.Throws<FormatException>(() => Parse("README.md", "<!-- doc-test: snippet -->\n```csharp\nx();\n```\n").ToArray());
        var option = Assert.Throws<FormatException>(() => Parse("README.md", "a\n<!-- doc-test: program; print: x -->\n```csharp\nx();\n```\n").ToArray());

        Assert.Equal("README.md line 1: unknown doc-test kind 'snippet'; expected program, declarations or statements.", kind.Message);
        Assert.Equal("README.md line 2: unknown doc-test option 'print: x'; expected 'build only: …', 'prints: …' or 'expect: …'.", option.Message);
    }

    /// <summary>
    /// A console project made inside the clone inherits its Directory.Build.props (warnings as errors, so CS1591 on
    /// every public type without XML docs, and central package versions, so <c>dotnet add package</c> fails): every
    /// page that tells the reader to run <c>dotnet new</c> must first say to leave the clone.
    /// </summary>
    [Fact]
    public void NewProjectSteps_LeaveTheCloneFirst()
    {
        string root = Repository.Root();
        foreach (string document in Documents(root))
        {
            string text = File.ReadAllText(Path.Combine(root, document)).ReplaceLineEndings("\n");
            foreach (Match step in Regex.Matches(text, @"^dotnet new console.*$", RegexOptions.Multiline))
            {
                string before = text[..step.Index];
                int line = before.Count(c => c == '\n') + 1;
                string block = before[(before.LastIndexOf("```", StringComparison.Ordinal) + 3)..];
                Assert.True(
                    Regex.IsMatch(block, @"^cd \S+.*outside the clone", RegexOptions.Multiline),
                    $"{document} line {line}: '{step.Value}' is not preceded, in its block, by a `cd` out of the clone with a comment saying so (# … outside the clone …).");
            }
        }
    }

    /// <summary>README.md and every page of docs/, repository-relative with forward slashes, in ordinal order.</summary>
    internal static IEnumerable<string> Documents(string root) =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(path => "docs/" + Path.GetFileName(path)).Order(StringComparer.Ordinal));

    internal static IEnumerable<DocBlock> Parse(string document, string markdown)
    {
        string text = markdown.ReplaceLineEndings("\n");
        int index = 0;
        foreach (Match fence in Regex.Matches(text, @"(?:^<!--\s*doc-test:(?<directive>(?:(?!-->).)*)-->\n)?^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            index++;
            int line = text[..fence.Groups["code"].Index].Count(c => c == '\n');
            string code = fence.Groups["code"].Value;
            var block = new DocBlock(document, index, line, code);
            if (!fence.Groups["directive"].Success)
            {
                yield return StartsWithADeclaration(code) ? block with { Kind = BlockKind.Declarations } : block;
                continue;
            }

            int directiveLine = text[..fence.Index].Count(c => c == '\n') + 1;
            string directive = fence.Groups["directive"].Value;
            int newline = directive.IndexOf('\n', StringComparison.Ordinal);
            string head = newline < 0 ? directive : directive[..newline];
            string context = newline < 0 ? string.Empty : directive[(newline + 1)..];
            string[] parts = head.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            BlockKind kind = parts.Length == 0 ? BlockKind.Program : parts[0] switch
            {
                "program" => BlockKind.Program,
                "declarations" => BlockKind.Declarations,
                "statements" => BlockKind.Statements,
                _ => throw new FormatException($"{document} line {directiveLine}: unknown doc-test kind '{parts[0]}'; expected program, declarations or statements."),
            };
            block = block with { Kind = kind, Context = context };
            foreach (string option in parts.Skip(1))
            {
                block = option switch
                {
                    _ when option.StartsWith("build only:", StringComparison.Ordinal) => block with { BuildOnly = option["build only:".Length..].Trim() },
                    _ when option.StartsWith("prints:", StringComparison.Ordinal) => block with { Prints = option["prints:".Length..].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) },
                    _ when option.StartsWith("expect:", StringComparison.Ordinal) => block with { Expected = option["expect:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries) },
                    _ => throw new FormatException($"{document} line {directiveLine}: unknown doc-test option '{option}'; expected 'build only: …', 'prints: …' or 'expect: …'."),
                };
            }

            yield return block;
        }
    }

    /// <summary>Whether the first line of code, after comments and using directives, starts a type declaration.</summary>
    internal static bool StartsWithADeclaration(string code)
    {
        string? first = code.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith("using ", StringComparison.Ordinal));
        return first is not null && Regex.IsMatch(first, @"^(\[|(public|internal|file|sealed|static|abstract|partial|namespace|class|record|struct|interface|enum)\b)");
    }

    private static void WriteCommonFiles(string directory, string feed)
    {
        // The local folder first, nuget.org for everything else (ScottPlot, Google.Protobuf, System.Numerics.Tensors).
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="nngen-local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>
    /// What <c>dotnet new console</c> (or <c>classlib</c>) writes, plus the packages README's install step adds. The only
    /// addition is the compiler's log, which the test reads; it changes nothing about the build.
    /// </summary>
    private static string ProjectFile(string outputType, string version, IEnumerable<string> packages) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>{outputType}</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <ErrorLog>$(MSBuildProjectDirectory)/diagnostics.sarif,version=2.1</ErrorLog>
          </PropertyGroup>
          <ItemGroup>
        {string.Concat(packages.Select(id => $"    <PackageReference Include=\"{id}\" Version=\"{version}\" />\n"))}  </ItemGroup>
        </Project>
        """;

    /// <summary>Every diagnostic of the compiler's SARIF 2.1 log that is not suppressed: its file and "ID level: message".</summary>
    private static IEnumerable<(string File, string Diagnostic)> Diagnostics(string sarifPath)
    {
        using JsonDocument sarif = JsonDocument.Parse(File.ReadAllText(sarifPath));
        foreach (JsonElement run in sarif.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out JsonElement results))
            {
                continue;
            }

            foreach (JsonElement result in results.EnumerateArray())
            {
                if (result.TryGetProperty("suppressions", out JsonElement suppressions) && suppressions.GetArrayLength() > 0)
                {
                    continue;
                }

                string id = result.GetProperty("ruleId").GetString()!;
                string level = result.TryGetProperty("level", out JsonElement l) ? l.GetString()! : "warning";
                string message = result.GetProperty("message").GetProperty("text").GetString()!;
                string file = "(no location)";
                int line = 0;
                if (result.TryGetProperty("locations", out JsonElement locations) && locations.GetArrayLength() > 0
                    && locations[0].TryGetProperty("physicalLocation", out JsonElement physical))
                {
                    file = new Uri(physical.GetProperty("artifactLocation").GetProperty("uri").GetString()!).LocalPath;
                    line = physical.TryGetProperty("region", out JsonElement region) ? region.GetProperty("startLine").GetInt32() : 0;
                }

                // Info-level diagnostics of other analyzers (the SDK's suggestions) are not the page's concern; NnGen's are.
                if (level is "error" or "warning" || id.StartsWith("NNG", StringComparison.Ordinal))
                {
                    yield return (file, $"{id} {level} at line {line}: {message}");
                }
            }
        }
    }

    /// <summary>The machine's NuGet package folder: NUGET_PACKAGES, else ~/.nuget/packages.</summary>
    private static string PackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Describe(IReadOnlyCollection<string> ids) => ids.Count == 0 ? "no diagnostic" : string.Join(" ", ids);

    private static void Run(string directory, string arguments)
    {
        (int exit, string output) = Processes.Run("dotnet", arguments, directory);
        Assert.True(exit == 0, $"dotnet {arguments} failed ({exit}):\n{output}");
    }

    private static string Errors(string output) =>
        string.Join("\n", output.Split('\n').Where(line => line.Contains(": error ", StringComparison.Ordinal) || line.Contains(": warning ", StringComparison.Ordinal)).Distinct().DefaultIfEmpty(output));

    internal enum BlockKind
    {
        Program,
        Declarations,
        Statements,
    }

    /// <summary>One <c>csharp</c> block: where it is (<paramref name="Line"/> is the 1-based line of its opening fence), its code and how it is tested.</summary>
    internal sealed record DocBlock(string Document, int Index, int Line, string Code)
    {
        public BlockKind Kind { get; init; } = BlockKind.Program;

        public string Context { get; init; } = string.Empty;

        public string? BuildOnly { get; init; }

        public string[] Prints { get; init; } = [];

        public string[] Expected { get; init; } = [];

        /// <summary>A name for its project or file, unique across the documents: docs/shipping.md's third block is docs_shipping_md_3.</summary>
        public string Name => Regex.Replace(Document, "[^A-Za-z0-9]", "_") + "_" + Index.ToString(CultureInfo.InvariantCulture);

        public string Where => $"{Document}, csharp block {Index} (line {Line})";

        /// <summary>The file a declarations or statements block is compiled as: in a namespace of its own.</summary>
        public string Source()
        {
            var source = new StringBuilder();
            source.Append("// ").Append(Where).Append('\n');
            source.Append("using NnGen;\nusing NnGen.Data;\n\nnamespace DocBlocks.").Append(Name).Append(";\n\n");
            if (Kind == BlockKind.Declarations)
            {
                return source.Append(Code).ToString();
            }

            source.Append("internal static class Snippet\n{\n    internal static void Run()\n    {\n");
            source.Append(Context).Append(Code);
            return source.Append("    }\n}\n").ToString();
        }
    }
}
