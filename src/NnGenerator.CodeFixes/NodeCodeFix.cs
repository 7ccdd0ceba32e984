namespace NnGen.Generator.CodeFixes
{
    /// <summary>
    /// The part every NnGen code fix shares: find the innermost <typeparamref name="TNode"/> around the diagnostic, and
    /// let the fix register its actions on it; all of them can be applied across a document, project or solution at once.
    /// </summary>
    /// <typeparam name="TNode">The syntax the fix rewrites (the network's declaration, an attribute argument).</typeparam>
    public abstract class NodeCodeFix<TNode> : CodeFixProvider
        where TNode : SyntaxNode
    {
        /// <inheritdoc/>
        public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<TNode>() is { } node)
            {
                Register(context, root, node);
            }
        }

        /// <summary>Registers the fix's actions for each of <paramref name="context"/>'s diagnostics, or none when <paramref name="node"/> does not fit.</summary>
        protected abstract void Register(CodeFixContext context, SyntaxNode root, TNode node);
    }
}
