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

        // Naming and declaration-shape facts, read by the validator (which judges them) and the pipeline. Names above
        // (Namespace, Name, TypeParameters, ContainingTypes) are escaped identifiers ("@class") ready to be emitted.

        /// <summary>
        /// The basis of the hint name: namespace, containing types and type, unescaped (hint names reject '@'), generic
        /// arity spelled with braces. Not unique ignoring case; the pipeline makes it so over all networks.
        /// </summary>
        public string HintKey { get; init; } = string.Empty;

        /// <summary>False when the declaration has no usable identifier (<c>partial class { }</c>): the compiler already reports it.</summary>
        public bool HasName { get; init; } = true;

        /// <summary>The network or a containing type is declared <c>file</c>: a generated part cannot join a file-local type.</summary>
        public bool IsFileLocal { get; init; }

        /// <summary>The containing type declared <c>file</c>, when that is what makes the network file-local.</summary>
        public string? FileLocalContainingType { get; init; }

        /// <summary>The class has a primary constructor (or is a positional record), which the generated constructors would have to call.</summary>
        public bool HasPrimaryConstructor { get; init; }

        /// <summary>A base class that is itself a [Network]; every generated member would hide one of its own.</summary>
        public string? BaseNetwork { get; init; }

        /// <summary>A base class without an accessible parameterless constructor, which the generated constructors would call.</summary>
        public string? BaseWithoutParameterlessConstructor { get; init; }

        /// <summary>The <c>Weights</c> argument: a safetensors AdditionalFile to bake in at build time; null when there is none.</summary>
        public string? Weights { get; init; }

        /// <summary>Names in the user's code (members, type parameters, the type's own name, inherited members) that a generated member would clash with.</summary>
        public EquatableArray<NameConflict> NameConflicts { get; init; } = EquatableArray<NameConflict>.Empty;

        public NetworkSpec WithoutLocations() => this with
        {
            Locations = null,
            Layers = new EquatableArray<LayerSpec>(System.Linq.Enumerable.Select(Layers, layer => layer with { Locations = null })),
            ContainingTypes = new EquatableArray<ContainingTypeSpec>(System.Linq.Enumerable.Select(ContainingTypes, type => type with { Location = null })),
            NameConflicts = new EquatableArray<NameConflict>(System.Linq.Enumerable.Select(NameConflicts, conflict => conflict with { Location = null })),
        };
    }

    /// <summary>Where the parts of a network declaration are, for diagnostics and code fixes.</summary>
    internal sealed record NetworkLocations(
        LocationInfo? Attribute,
        LocationInfo? Identifier,
        LocationInfo? Inputs,
        LocationInfo? Loss,
        LocationInfo? Init,
        LocationInfo? SecondLayerDeclaration)
    {
        /// <summary>The parameter list of a primary constructor (or positional record), when there is one.</summary>
        public LocationInfo? PrimaryConstructor { get; init; }

        /// <summary>The <c>Weights = "…"</c> argument, where the baking diagnostics are reported.</summary>
        public LocationInfo? Weights { get; init; }
    }

    /// <summary>
    /// A name in the user's code that NnGen also generates: <paramref name="Name"/>, what it is in the user's code
    /// ("method", "type parameter", "the network's own name", "property inherited from 'Base'"), and where.
    /// </summary>
    internal sealed record NameConflict(string Name, string What, LocationInfo? Location)
    {
        /// <summary>A type named <c>var</c> in scope, which the <c>var</c> of generated locals would bind to.</summary>
        public bool BindsVar { get; init; }
    }

    /// <summary>A type that contains the network class; all of them must be partial for the generated part to nest.</summary>
    internal sealed record ContainingTypeSpec(string Keyword, string Name, bool IsPartial, LocationInfo? Location);

    /// <summary>
    /// One layer attribute in source order: its <see cref="Kind"/> and the arguments of that kind. Dense layers use
    /// units, activation and init; the other kinds keep the previous layer's features (<see cref="Units"/> 0 here, the
    /// plan fills in the size) and use the arguments named after them. Unused arguments stay at their defaults, so record
    /// equality (the generator's cache) compares only what was written.
    /// </summary>
    internal sealed record LayerSpec(int Units, int ActivationValue, int InitValue, LayerLocations? Locations)
    {
        public ActivationKind Activation => (ActivationKind)ActivationValue;

        public LayerKind Kind { get; init; } = LayerKind.Dense;

        /// <summary>Dropout: p, the probability a feature is dropped.</summary>
        public double Rate { get; init; }

        /// <summary>Batch and layer norm: ε.</summary>
        public double Epsilon { get; init; }

        /// <summary>Batch norm: how far one batch moves the running statistics.</summary>
        public double Momentum { get; init; }

        /// <summary>Recurrent kinds: whether the next layer sees every step (true) or only the last one.</summary>
        public bool ReturnSequences { get; init; } = true;

        public static LayerSpec Dropout(double rate, LayerLocations? locations) =>
            new(0, (int)ActivationKind.Linear, (int)InitKind.Default, locations) { Kind = LayerKind.Dropout, Rate = rate };

        public static LayerSpec BatchNorm(double momentum, double epsilon, LayerLocations? locations) =>
            new(0, (int)ActivationKind.Linear, (int)InitKind.Default, locations) { Kind = LayerKind.BatchNorm, Momentum = momentum, Epsilon = epsilon };

        public static LayerSpec LayerNorm(double epsilon, LayerLocations? locations) =>
            new(0, (int)ActivationKind.Linear, (int)InitKind.Default, locations) { Kind = LayerKind.LayerNorm, Epsilon = epsilon };

        public static LayerSpec Recurrent(LayerKind kind, int units, bool returnSequences, LayerLocations? locations) =>
            new(units, (int)ActivationKind.Linear, (int)InitKind.Default, locations) { Kind = kind, ReturnSequences = returnSequences };
    }

    /// <summary>
    /// Where a layer attribute and its arguments are. <see cref="Units"/> is the first positional argument (a dropout's
    /// rate); <see cref="Momentum"/> and <see cref="Epsilon"/> are the named arguments of the normalization kinds.
    /// </summary>
    internal sealed record LayerLocations(LocationInfo? Attribute, LocationInfo? Units, LocationInfo? Activation, LocationInfo? Init)
    {
        public LocationInfo? Momentum { get; init; }

        public LocationInfo? Epsilon { get; init; }

        public LocationInfo? ReturnSequences { get; init; }
    }
}
