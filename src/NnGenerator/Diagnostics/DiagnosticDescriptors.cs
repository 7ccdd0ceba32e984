using Microsoft.CodeAnalysis;

namespace NnGen.Generator.Diagnostics
{
    /// <summary>
    /// Every NnGen diagnostic, in one catalog. Ids are stable: never renumber, only append
    /// (and record the change in AnalyzerReleases.Unshipped.md). Each id has a section in docs/diagnostics.md.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string DeclarationCategory = "NnGen.Declaration";
        private const string HelpLinkBase = "https://github.com/nngen/NnGen/blob/main/docs/diagnostics.md#";

        public static readonly DiagnosticDescriptor NetworkNotPartial = Error(
            "NNG0001",
            "Network class must be partial",
            "The network class '{0}' must be declared 'partial' so NnGen can generate its members");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
            "NNG0002",
            "Type containing a network must be partial",
            "The type '{0}', which contains the network class '{1}', must be declared 'partial' so NnGen can generate the network's members inside it");

        public static readonly DiagnosticDescriptor InvalidInputs = Error(
            "NNG0003",
            "Network needs a positive Inputs count",
            "Network '{0}' must set Inputs to the number of input features (at least 1); {1}");

        public static readonly DiagnosticDescriptor InvalidUnits = Error(
            "NNG0004",
            "Layer needs at least one unit",
            "Layer {0} of network '{1}' has {2} units; a layer needs at least 1");

        public static readonly DiagnosticDescriptor NoLayers = Error(
            "NNG0005",
            "Network has no layers",
            "Network '{0}' declares no [Layer]; add at least one, e.g. [Layer(1, Activation.Sigmoid)] for logistic regression");

        public static readonly DiagnosticDescriptor UnknownEnumValue = Error(
            "NNG0006",
            "Unknown enum value",
            "{0} of network '{1}' is {2}, which is not a defined {3} value; expected one of {4}");

        public static readonly DiagnosticDescriptor StaticNetwork = Error(
            "NNG0007",
            "Network class cannot be static",
            "The network class '{0}' is static, but a network is an object that holds its parameters; remove 'static'");

        public static readonly DiagnosticDescriptor NetworkTooLarge = Error(
            "NNG0008",
            "Network is too large to generate",
            "{0} of network '{1}' has {2} {3}, more than the limit of {4}");

        public static readonly DiagnosticDescriptor LayersInSeveralDeclarations = Error(
            "NNG0009",
            "Layers declared across partial declarations",
            "Network '{0}' declares [Layer] attributes on {1} partial declarations, so their order is ambiguous; declare all layers on one declaration");

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, DeclarationCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id.ToLowerInvariant());
    }
}
