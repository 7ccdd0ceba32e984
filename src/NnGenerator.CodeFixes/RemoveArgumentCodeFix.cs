using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Diagnostics;

namespace NnGen.Generator.CodeFixes
{
    /// <summary>
    /// NNG0010 removes the Init argument (the default initializer follows the activation: He or Xavier, both random);
    /// NNG0013 and NNG0022 remove the Loss argument (the default loss follows the output activation: categorical
    /// cross-entropy for softmax, binary cross-entropy for sigmoid, mean squared error otherwise).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFix)), Shared]
    public sealed class RemoveArgumentCodeFix : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.ZeroInitSymmetry, DiagnosticIds.LossOutputMismatch, DiagnosticIds.SoftmaxLossMismatch);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { NameEquals: not null } argument ||
                argument.Parent is not AttributeArgumentListSyntax list)
            {
                return;
            }

            // Removing from the separated list drops the comma on the right side (or the left, for the last argument) with its space.
            SyntaxNode fixedRoot = root.ReplaceNode(list, list.WithArguments(list.Arguments.Remove(argument)));

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                string title = diagnostic.Id == DiagnosticIds.ZeroInitSymmetry ? "Use the default initializer" : "Use the default loss";
                context.RegisterCodeFix(
                    CodeAction.Create(
                        title,
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(fixedRoot)),
                        equivalenceKey: diagnostic.Id),
                    diagnostic);
            }
        }
    }
}
