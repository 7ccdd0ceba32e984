using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace NnGen.Generator.CodeFixes.Tests;

/// <summary>
/// Microsoft.CodeAnalysis.Testing in miniature: finds the diagnostic with the analyzers, asks the provider for its
/// actions in an AdhocWorkspace, applies one, and checks the result with the generator and every analyzer.
/// </summary>
internal static class CodeFixVerifier
{
    public const string Usings = "using NnGen;\n\nnamespace Demo;\n\n";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(NnGenerator).Assembly.GetTypes()
        .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract)
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    /// <summary>The titles of the actions <paramref name="provider"/> offers for the one <paramref name="id"/> in <paramref name="source"/>.</summary>
    public static IReadOnlyList<string> Titles(CodeFixProvider provider, string source, string id)
    {
        (Document document, Diagnostic diagnostic) = Find(Usings + source, id);
        return Actions(provider, document, diagnostic).Select(action => action.Title).ToList();
    }

    /// <summary>
    /// Applies the action titled <paramref name="title"/> to the <paramref name="id"/> diagnostic in <paramref name="source"/>,
    /// asserts the new text equals <paramref name="expected"/>, and that it builds with the generator with no diagnostic
    /// except <paramref name="allowed"/>.
    /// </summary>
    public static void Verify(CodeFixProvider provider, string source, string id, string title, string expected, params string[] allowed)
    {
        (Document document, Diagnostic diagnostic) = Find(Usings + source, id);
        Assert.Contains(id, provider.FixableDiagnosticIds);
        CodeAction action = Assert.Single(Actions(provider, document, diagnostic), candidate => candidate.Title == title);
        ImmutableArray<CodeActionOperation> operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = Assert.IsType<ApplyChangesOperation>(Assert.Single(operations)).ChangedSolution;
        string fixedText = changed.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
        Assert.Equal(Usings + expected, fixedText.Replace("\r\n", "\n", StringComparison.Ordinal));

        var remaining = BuildWithGenerator(fixedText).Where(d => !allowed.Contains(d.Id)).ToList();
        Assert.True(remaining.Count == 0, "The fixed source still has diagnostics:\n" + string.Join("\n", remaining));
    }

    /// <summary>Compiler and NnGen diagnostics of severity Info and up after running the generator, as a build would.</summary>
    public static ImmutableArray<Diagnostic> BuildWithGenerator(string source)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "FixedAssembly",
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Fixed.cs") },
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(new[] { new NnGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.NotEqual(compilation.SyntaxTrees.Count(), output.SyntaxTrees.Count());
        return output.WithAnalyzers(Analyzers).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Info)
            .ToImmutableArray();
    }

    private static (Document Document, Diagnostic Diagnostic) Find(string source, string id)
    {
        var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "Fixes",
            "Fixes",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary),
            parseOptions: ParseOptions,
            metadataReferences: References));
        Document document = workspace.AddDocument(project.Id, "Source.cs", SourceText.From(source));
        Compilation compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        ImmutableArray<Diagnostic> diagnostics = compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        // The first of its id in source order; the tests say in their expected text which one that is.
        Diagnostic diagnostic = diagnostics.Where(candidate => candidate.Id == id).OrderBy(candidate => candidate.Location.SourceSpan.Start).First();
        Assert.Equal(document.GetSyntaxTreeAsync().GetAwaiter().GetResult(), diagnostic.Location.SourceTree);
        return (document, diagnostic);
    }

    private static List<CodeAction> Actions(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return actions;
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
