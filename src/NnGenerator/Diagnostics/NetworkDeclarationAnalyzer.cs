using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Validation;

namespace NnGen.Generator.Diagnostics
{
    /// <summary>Reports the validator's declaration diagnostics for every [Network] class, in the IDE and the build.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NetworkDeclarationAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.NetworkNotPartial,
            DiagnosticDescriptors.ContainingTypeNotPartial,
            DiagnosticDescriptors.InvalidInputs,
            DiagnosticDescriptors.InvalidUnits,
            DiagnosticDescriptors.NoLayers,
            DiagnosticDescriptors.UnknownEnumValue,
            DiagnosticDescriptors.StaticNetwork,
            DiagnosticDescriptors.NetworkTooLarge,
            DiagnosticDescriptors.LayersInSeveralDeclarations);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        }

        private static void AnalyzeType(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (type.TypeKind != TypeKind.Class)
            {
                return;
            }

            AttributeData? network = null;
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (NetworkParser.IsAttribute(attribute, KnownNames.NetworkAttribute))
                {
                    network ??= attribute;
                }
            }

            if (network is null)
            {
                return;
            }

            NetworkSpec spec = NetworkParser.Parse(type, network, context.CancellationToken);
            foreach (DiagnosticInfo diagnostic in NetworkValidator.Validate(spec))
            {
                context.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        }
    }
}
