namespace NnGen.Generator.Model
{
    /// <summary>
    /// Everything the validator and the emitter need to know about one annotated class, as plain values.
    /// Locations are kept for the analyzer's diagnostics and stripped (<see cref="WithoutLocations"/>) before the
    /// spec enters the generator's cache, so an edit that only moves the class does not regenerate it.
    /// </summary>
    internal sealed record NetworkSpec(
        string? Namespace,
        string Name,
        string TypeParameters,
        string Keyword,
        bool IsPartial,
        bool IsStatic,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        int? Inputs,
        int LossValue,
        int InitValue,
        EquatableArray<LayerSpec> Layers,
        int LayerDeclarationCount,
        bool HasAttributeErrors,
        NetworkLocations? Locations)
    {
        /// <summary>The type name as written in C#, with type parameters.</summary>
        public string DisplayName => Name + TypeParameters;

        public NetworkSpec WithoutLocations() => this with
        {
            Locations = null,
            Layers = new EquatableArray<LayerSpec>(System.Linq.Enumerable.Select(Layers, layer => layer with { Locations = null })),
            ContainingTypes = new EquatableArray<ContainingTypeSpec>(System.Linq.Enumerable.Select(ContainingTypes, type => type with { Location = null })),
        };
    }

    /// <summary>Where the parts of a network declaration are, for diagnostics and code fixes.</summary>
    internal sealed record NetworkLocations(
        LocationInfo? Attribute,
        LocationInfo? Identifier,
        LocationInfo? Inputs,
        LocationInfo? Loss,
        LocationInfo? Init,
        LocationInfo? SecondLayerDeclaration);

    /// <summary>A type that contains the network class; all of them must be partial for the generated part to nest.</summary>
    internal sealed record ContainingTypeSpec(string Keyword, string Name, bool IsPartial, LocationInfo? Location);

    /// <summary>One [Layer(units, activation)] in source order.</summary>
    internal sealed record LayerSpec(int Units, int ActivationValue, int InitValue, LayerLocations? Locations)
    {
        public ActivationKind Activation => (ActivationKind)ActivationValue;
    }

    /// <summary>Where a layer attribute and its arguments are.</summary>
    internal sealed record LayerLocations(LocationInfo? Attribute, LocationInfo? Units, LocationInfo? Activation, LocationInfo? Init);
}
