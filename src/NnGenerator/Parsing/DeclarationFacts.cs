using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Model;

namespace NnGen.Generator.Parsing
{
    /// <summary>
    /// What the user's own declaration of a network says about names, read from symbols. The analyzer runs on a
    /// compilation that already holds NnGen's generated part of the class; everything here looks past it, so the
    /// analyzer and the generator (which sees the compilation before generation) read the same facts.
    /// </summary>
    internal static class DeclarationFacts
    {
        private static readonly string GeneratorPathMarker = typeof(NnGenerator).FullName!;

        /// <summary>True for a tree NnGen generated: its path is &lt;assembly&gt;/&lt;generator type&gt;/&lt;hint name&gt;.</summary>
        public static bool IsGeneratedByNnGen(SyntaxTree? tree) =>
            tree is not null && tree.FilePath.IndexOf(GeneratorPathMarker, StringComparison.Ordinal) >= 0;

        /// <summary>The declarations of <paramref name="type"/> the user wrote.</summary>
        public static List<TypeDeclarationSyntax> UserDeclarations(INamedTypeSymbol type, CancellationToken cancellationToken) =>
            type.DeclaringSyntaxReferences
                .Where(reference => !IsGeneratedByNnGen(reference.SyntaxTree))
                .Select(reference => reference.GetSyntax(cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .ToList();

        /// <summary>
        /// True when the compiler already rejects the declaration of <paramref name="type"/> (or of a containing type) in a
        /// way a generated part would only add errors to: a type parameter without a name (<c>class Net&lt;&gt;</c>, CS1001,
        /// which the generated declaration would repeat) or a top-level type declared private or protected (CS1527: its
        /// generated public members would be more accessible than the nested <c>Input</c> and <c>Output</c> they use,
        /// CS0050/CS0051). Such a declaration gets no code, not even the throwing surface; the compiler's error is the one
        /// the user sees.
        /// </summary>
        public static bool IsRejectedByCompiler(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.TypeParameters.Any(parameter => !SyntaxFacts.IsValidIdentifier(parameter.Name)))
                {
                    return true;
                }

                if (current.ContainingType is null && current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.NotApplicable))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Every name in the user's code that a generated member of a <paramref name="layerCount"/>-layer network would
        /// clash with: the type's own name (CS0542), its type parameters (CS0102), its members and constructors
        /// (CS0102, CS0111), explicit implementations of ITrainableNetwork, and non-private inherited members (CS0108).
        /// </summary>
        public static IEnumerable<NameConflict> NameConflicts(INamedTypeSymbol type, int layerCount, LocationInfo? fallback, CancellationToken cancellationToken)
        {
            var conflicts = new List<NameConflict>();
            LocationInfo? identifier = UserDeclarations(type, cancellationToken).Select(declaration => LocationInfo.From(declaration.Identifier.GetLocation())).FirstOrDefault() ?? fallback;
            if (GeneratedNames.IsGenerated(type.Name, layerCount))
            {
                conflicts.Add(new NameConflict(type.Name, "the name", identifier));
            }

            foreach (ITypeParameterSymbol parameter in type.TypeParameters.Where(parameter => GeneratedNames.IsGenerated(parameter.Name, layerCount)))
            {
                conflicts.Add(new NameConflict(parameter.Name, "a type parameter", UserLocation(parameter) ?? identifier));
            }

            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.IsImplicitlyDeclared || UserLocation(member) is not { } location)
                {
                    continue;
                }

                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
                {
                    // A primary constructor is NNG0017's to report.
                    if (!constructor.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(cancellationToken) is ConstructorDeclarationSyntax))
                    {
                        continue;
                    }

                    // The generated constructors are (int seed) and (), which chains to it.
                    if (constructor.Parameters.Length == 0 ||
                        (constructor.Parameters.Length == 1 && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32 && constructor.Parameters[0].RefKind == RefKind.None))
                    {
                        string signature = type.Name + "(" + string.Join(", ", constructor.Parameters.Select(parameter => "int")) + ")";
                        conflicts.Add(new NameConflict(signature, "a constructor", location));
                    }

                    continue;
                }

                if (ImplementsTrainableNetwork(member) is { } implemented)
                {
                    conflicts.Add(new NameConflict("ITrainableNetwork." + implemented, "an explicit interface implementation", location));
                }
                else if (GeneratedNames.IsGenerated(member.Name, layerCount))
                {
                    conflicts.Add(new NameConflict(member.Name, "a " + Kind(member), location));
                }
            }

            if (TypeNamedVarInScope(type) is { } varType)
            {
                conflicts.Add(new NameConflict("var", varType + " in scope", identifier) { BindsVar = true });
            }

            var inherited = new HashSet<string>(StringComparer.Ordinal);
            for (INamedTypeSymbol? baseType = type.BaseType; baseType is { SpecialType: not SpecialType.System_Object }; baseType = baseType.BaseType)
            {
                foreach (ISymbol member in baseType.GetMembers())
                {
                    if (!member.IsImplicitlyDeclared && member.DeclaredAccessibility != Accessibility.Private &&
                        member is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.Destructor } &&
                        GeneratedNames.IsGenerated(member.Name, layerCount) && inherited.Add(member.Name))
                    {
                        conflicts.Add(new NameConflict(member.Name, "a " + Kind(member) + " inherited from '" + baseType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + "'", identifier));
                    }
                }
            }

            return conflicts;
        }

        /// <summary>
        /// Generated bodies declare locals with <c>var</c>, which binds to a type named <c>var</c> when one is in scope: the
        /// network itself, a type parameter, a containing type or one of its nested types, or a type of an enclosing
        /// namespace. (A type imported by a using directive is not found here; C# warns about such names, CS8981.)
        /// </summary>
        private static string? TypeNamedVarInScope(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.Name == "var" || current.TypeParameters.Any(parameter => parameter.Name == "var") || !current.GetTypeMembers("var").IsEmpty)
                {
                    return current.Name == "var" ? "a type" : "a type or type parameter";
                }
            }

            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null; ns = ns.ContainingNamespace)
            {
                if (!ns.GetTypeMembers("var").IsEmpty)
                {
                    return "a type";
                }
            }

            return null;
        }

        private static LocationInfo? UserLocation(ISymbol symbol)
        {
            foreach (Location location in symbol.Locations)
            {
                if (location.IsInSource && !IsGeneratedByNnGen(location.SourceTree))
                {
                    return LocationInfo.From(location);
                }
            }

            return null;
        }

        private static string? ImplementsTrainableNetwork(ISymbol member)
        {
            IEnumerable<ISymbol> implemented = member switch
            {
                IMethodSymbol method => method.ExplicitInterfaceImplementations,
                IPropertySymbol property => property.ExplicitInterfaceImplementations,
                IEventSymbol @event => @event.ExplicitInterfaceImplementations,
                _ => Enumerable.Empty<ISymbol>(),
            };
            return implemented
                .Where(target => target.ContainingType?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) == RuntimeNames.TrainableNetwork.Substring("global::".Length))
                .Select(target => target.Name)
                .FirstOrDefault();
        }

        private static string Kind(ISymbol member) => member switch
        {
            IFieldSymbol { IsConst: true } => "constant",
            IFieldSymbol => "field",
            IPropertySymbol => "property",
            IMethodSymbol => "method",
            IEventSymbol => "event",
            INamedTypeSymbol => "nested type",
            _ => "member",
        };
    }
}
