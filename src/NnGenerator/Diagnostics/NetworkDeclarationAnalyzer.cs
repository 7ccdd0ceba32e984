using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Validation;

namespace NnGen.Generator.Diagnostics
{
    /// <summary>Reports the validator's declaration and design diagnostics for every [Network] class, in the IDE and the build.</summary>
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
            DiagnosticDescriptors.LayersInSeveralDeclarations,
            DiagnosticDescriptors.ZeroInitSymmetry,
            DiagnosticDescriptors.LinearHiddenLayer,
            DiagnosticDescriptors.SigmoidHiddenLayer,
            DiagnosticDescriptors.LossOutputMismatch,
            DiagnosticDescriptors.GeneratedNameConflict,
            DiagnosticDescriptors.PrimaryConstructor,
            DiagnosticDescriptors.UnsupportedBaseType,
            DiagnosticDescriptors.FileLocalNetwork,
            DiagnosticDescriptors.SoftmaxHiddenLayer,
            DiagnosticDescriptors.SoftmaxSingleUnit,
            DiagnosticDescriptors.SoftmaxLossMismatch,
            DiagnosticDescriptors.LayerArgumentOutOfRange,
            DiagnosticDescriptors.LastLayerNotDense,
            DiagnosticDescriptors.BiasBeforeBatchNorm,
            DiagnosticDescriptors.RecurrentAfterLastStep,
            DiagnosticDescriptors.KindInRecurrentNetwork,
            DiagnosticDescriptors.InvalidInputShape,
            DiagnosticDescriptors.LayerShapeMismatch,
            DiagnosticDescriptors.WindowLeavesNoOutput);

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
                context.ReportDiagnostic(Diagnostic.Create(
                    diagnostic.Descriptor, InSource(diagnostic.Location, type), diagnostic.MessageArgs.Cast<object>().ToArray()));
            }
        }

        /// <summary>
        /// Maps a validator location back into the syntax tree it came from. A tree location, unlike the external one
        /// <see cref="LocationInfo.ToLocation"/> makes, is what #pragma suppression, the IDE and code fixes need.
        /// </summary>
        private static Location InSource(LocationInfo? location, INamedTypeSymbol type)
        {
            if (location is null)
            {
                return type.Locations.FirstOrDefault() ?? Location.None;
            }

            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree.FilePath == location.FilePath && location.Span.End <= reference.SyntaxTree.Length)
                {
                    return Location.Create(reference.SyntaxTree, location.Span);
                }
            }

            return location.ToLocation();
        }
    }
}
