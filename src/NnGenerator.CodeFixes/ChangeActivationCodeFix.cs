namespace NnGen.Generator.CodeFixes
{
    /// <summary>
    /// NNG0011 (linear), NNG0012 (sigmoid) and NNG0020 (softmax) on a hidden layer: offers Activation.ReLU and
    /// Activation.Tanh; NNG0021 (a one-unit softmax output): offers Activation.Sigmoid.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ChangeActivationCodeFix)), Shared]
    public sealed class ChangeActivationCodeFix : NodeCodeFix<AttributeArgumentSyntax>
    {
        private static readonly string[] HiddenReplacements = { "ReLU", "Tanh" };
        private static readonly string[] SingleUnitReplacements = { "Sigmoid" };

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.LinearHiddenLayer, DiagnosticIds.SigmoidHiddenLayer, DiagnosticIds.SoftmaxHiddenLayer, DiagnosticIds.SoftmaxSingleUnit);

        /// <inheritdoc/>
        protected override void Register(CodeFixContext context, SyntaxNode root, AttributeArgumentSyntax argument)
        {
            if (argument.NameEquals is not null)
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
