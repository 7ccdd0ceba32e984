using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Diagnostics;

namespace NnGen.Generator.CodeFixes
{
    /// <summary>
    /// NNG0011 (linear), NNG0012 (sigmoid) and NNG0020 (softmax) on a hidden layer: offers Activation.ReLU and
    /// Activation.Tanh; NNG0021 (a one-unit softmax output): offers Activation.Sigmoid.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ChangeActivationCodeFix)), Shared]
    public sealed class ChangeActivationCodeFix : CodeFixProvider
    {
        private static readonly string[] HiddenReplacements = { "ReLU", "Tanh" };
        private static readonly string[] SingleUnitReplacements = { "Sigmoid" };

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.LinearHiddenLayer, DiagnosticIds.SigmoidHiddenLayer, DiagnosticIds.SoftmaxHiddenLayer, DiagnosticIds.SoftmaxSingleUnit);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { NameEquals: null } argument)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                foreach (string activation in diagnostic.Id == DiagnosticIds.SoftmaxSingleUnit ? SingleUnitReplacements : HiddenReplacements)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            "Use Activation." + activation,
                            _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, Replace(argument.Expression, activation)))),
                            equivalenceKey: "Activation." + activation),
                        diagnostic);
                }
            }
        }

        // Keeps the user's qualification (Activation.Linear, NnGen.Activation.Linear, an alias) and only swaps the member.
        private static ExpressionSyntax Replace(ExpressionSyntax expression, string activation) =>
            expression is MemberAccessExpressionSyntax memberAccess
                ? memberAccess.WithName(SyntaxFactory.IdentifierName(activation).WithTriviaFrom(memberAccess.Name))
                : SyntaxFactory.ParseExpression("global::NnGen.Activation." + activation).WithTriviaFrom(expression);
    }
}
