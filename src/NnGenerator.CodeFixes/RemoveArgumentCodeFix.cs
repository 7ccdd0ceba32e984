namespace NnGen.Generator.CodeFixes
{
    /// <summary>
    /// NNG0010 removes the Init argument (the default initializer follows the activation: He or Xavier, both random);
    /// NNG0013 and NNG0022 remove the Loss argument (the default loss follows the output activation: categorical
    /// cross-entropy for softmax, binary cross-entropy for sigmoid, mean squared error otherwise).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFix)), Shared]
    public sealed class RemoveArgumentCodeFix : NodeCodeFix<AttributeArgumentSyntax>
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.ZeroInitSymmetry, DiagnosticIds.LossOutputMismatch, DiagnosticIds.SoftmaxLossMismatch);

        /// <inheritdoc/>
        protected override void Register(CodeFixContext context, SyntaxNode root, AttributeArgumentSyntax argument)
        {
            if (argument.NameEquals is null || argument.Parent is not AttributeArgumentListSyntax list)
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
