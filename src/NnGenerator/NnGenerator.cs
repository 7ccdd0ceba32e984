using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Emit;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Validation;

namespace NnGen.Generator
{
    /// <summary>
    /// The incremental pipeline, and nothing else: [Network] classes → valid, location-free specs → one source each.
    /// Diagnostics are reported by <see cref="Diagnostics.NetworkDeclarationAnalyzer"/> from the same validator.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NnGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline's stages, for the caching tests.</summary>
        public static class TrackingNames
        {
            /// <summary>Attributed classes parsed, validated and stripped of locations (null when invalid).</summary>
            public const string Specs = nameof(Specs);

            /// <summary>Only the valid specs; this is what emission caches on.</summary>
            public const string ValidSpecs = nameof(ValidSpecs);
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Caches on the spec's value equality: an edit elsewhere, or one that only moves the class, yields an equal spec.
            IncrementalValuesProvider<NetworkSpec?> specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.NetworkAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                    transform: static (context, cancellationToken) => ToValidSpec(context, cancellationToken))
                .WithTrackingName(TrackingNames.Specs);

            IncrementalValuesProvider<NetworkSpec> validSpecs = specs
                .Where(static spec => spec is not null)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.ValidSpecs);

            context.RegisterSourceOutput(validSpecs, static (output, spec) =>
                output.AddSource(NetworkEmitter.HintName(spec), NetworkEmitter.Emit(spec)));
        }

        private static NetworkSpec? ToValidSpec(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
        {
            // A class with [Network] on two declarations is already a compiler error (AllowMultiple = false); emitting for
            // each would also collide on the hint name, so such a class gets nothing.
            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length != 1 ||
                CountNetworkAttributes(type) != 1)
            {
                return null;
            }

            NetworkSpec spec = NetworkParser.Parse(type, context.Attributes[0], cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            ImmutableArray<DiagnosticInfo> diagnostics = NetworkValidator.Validate(spec);
            return NetworkValidator.CanGenerate(spec, diagnostics) ? spec.WithoutLocations() : null;
        }

        private static int CountNetworkAttributes(INamedTypeSymbol type)
        {
            int count = 0;
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (NetworkParser.IsAttribute(attribute, KnownNames.NetworkAttribute))
                {
                    count++;
                }
            }

            return count;
        }
    }
}
