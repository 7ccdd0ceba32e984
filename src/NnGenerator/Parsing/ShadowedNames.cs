using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Emit;
using NnGen.Generator.Model;

namespace NnGen.Generator.Parsing
{
    /// <summary>
    /// The simple names generated code would write plainly (<see cref="ImportedNames"/>) that mean something else where
    /// the network is declared: a type of the user's namespace or an outer one, one a global using imports, a member or
    /// nested type of the class, a containing class or a base class. Those stay fully qualified in the emitted file.
    /// </summary>
    internal static class ShadowedNames
    {
        /// <param name="semanticModel">The model of the file that declares the network.</param>
        /// <param name="declaration">The network's type declaration (the attribute's target node).</param>
        public static EquatableArray<string> Find(SemanticModel semanticModel, SyntaxNode declaration, INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var shadowed = new List<string>();
            foreach ((string ns, string name) in ImportedNames.All)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsMember(type, name) ||
                    semanticModel.LookupNamespacesAndTypes(declaration.SpanStart, name: name).Any(symbol => !IsTheType(symbol, ns)))
                {
                    shadowed.Add(name);
                }
            }

            return new EquatableArray<string>(shadowed.Distinct().OrderBy(name => name, System.StringComparer.Ordinal));
        }

        private static bool IsTheType(ISymbol symbol, string ns) =>
            symbol is INamedTypeSymbol { ContainingType: null } named && named.ContainingNamespace.ToDisplayString() == ns;

        // Members win over every namespace and using in simple-name lookup, inherited ones too.
        private static bool IsMember(INamedTypeSymbol type, string name)
        {
            for (INamedTypeSymbol? outer = type; outer is not null; outer = outer.ContainingType)
            {
                if (outer.TypeParameters.Any(parameter => parameter.Name == name))
                {
                    return true;
                }

                for (INamedTypeSymbol? current = outer; current is not null; current = current.BaseType)
                {
                    if (current.GetMembers(name).Length > 0)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
