using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NnGen.Generator.Parsing
{
    /// <summary>
    /// Names as the emitter writes them (escaped: <c>@class</c>) and as the hint name spells them (unescaped, since
    /// hint names reject '@'). Symbol names are unescaped; a name that is a keyword, contextual or not, gets '@' back,
    /// which is always legal and avoids contextual meanings (<c>record</c>, <c>var</c>) in the generated declaration.
    /// </summary>
    internal static class Identifiers
    {
        public static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;

        /// <summary><c>&lt;@int, T&gt;</c>, or empty for a non-generic type.</summary>
        public static string TypeParameterList(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(parameter => Escape(parameter.Name))) + ">";

        /// <summary>The namespace as written in a declaration (<c>App.@internal</c>), or null for the global namespace.</summary>
        public static string? Namespace(INamedTypeSymbol type) =>
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? string.Join(".", NamespaceParts(ns).Select(Escape)) : null;

        /// <summary>
        /// Namespace, containing types and type, unescaped, generic arity as <c>{T,U}</c>: <c>Demo.Outer{T}.Net</c>.
        /// The same spelling the generator has always used for hint names, so existing baselines keep their file names.
        /// </summary>
        public static string HintKey(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                parts.Add(current.Name + (current.TypeParameters.Length == 0 ? string.Empty : "{" + string.Join(",", current.TypeParameters.Select(parameter => parameter.Name)) + "}"));
            }

            if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
            {
                parts.AddRange(NamespaceParts(ns).Reverse());
            }

            parts.Reverse();
            return string.Join(".", parts);
        }

        private static IEnumerable<string> NamespaceParts(INamespaceSymbol ns)
        {
            var parts = new List<string>();
            for (INamespaceSymbol? current = ns; current is { IsGlobalNamespace: false }; current = current.ContainingNamespace)
            {
                parts.Add(current.Name);
            }

            parts.Reverse();
            return parts;
        }
    }
}
