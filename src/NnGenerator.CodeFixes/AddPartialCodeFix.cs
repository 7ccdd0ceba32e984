using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace NnGen.Generator.CodeFixes
{
    /// <summary>NNG0001, NNG0002: adds 'partial' to the network class and to every type around it that lacks it.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
    public sealed class AddPartialCodeFix : NodeCodeFix<TypeDeclarationSyntax>
    {
        private const string Title = "Add 'partial'";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.NetworkNotPartial, DiagnosticIds.ContainingTypeNotPartial);

        /// <inheritdoc/>
        protected override void Register(CodeFixContext context, SyntaxNode root, TypeDeclarationSyntax network)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, cancellationToken => AddPartialAsync(context.Document, network, cancellationToken), equivalenceKey: Title),
                    diagnostic);
            }
        }

        private static async Task<Document> AddPartialAsync(Document document, TypeDeclarationSyntax network, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);

            // Every declaration of the network and of its containing types in this file: a type is partial only if all its parts are.
            var targets = new HashSet<TypeDeclarationSyntax>();
            for (INamedTypeSymbol? type = model?.GetDeclaredSymbol(network, cancellationToken); type is not null; type = type.ContainingType)
            {
                foreach (SyntaxReference reference in type.DeclaringSyntaxReferences.Where(reference => reference.SyntaxTree == root.SyntaxTree))
                {
                    if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && !IsPartial(declaration))
                    {
                        targets.Add(declaration);
                    }
                }
            }

            targets.UnionWith(network.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(declaration => !IsPartial(declaration)));
            SyntaxNode updated = root.ReplaceNodes(targets, (_, rewritten) => WithPartial(rewritten));
            return document.WithSyntaxRoot(updated);
        }

        private static bool IsPartial(TypeDeclarationSyntax declaration) =>
            declaration.Modifiers.Any(SyntaxKind.PartialKeyword);

        // 'partial' must come last, right before the keyword; it takes over the keyword's leading trivia when it is first.
        private static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
        {
            SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            if (declaration.Modifiers.Count == 0)
            {
                partial = partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia);
                declaration = declaration.WithKeyword(declaration.Keyword.WithLeadingTrivia());
            }

            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        }
    }
}
