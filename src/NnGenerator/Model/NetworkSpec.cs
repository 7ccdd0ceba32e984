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

        /// <summary>
        /// The <c>Input</c> argument: one example's shape, (C, L) or (C, H, W), as written (the validator judges it); empty
        /// when the network declares <c>Inputs</c> instead.
        /// </summary>
        public EquatableArray<int> InputShape { get; init; } = EquatableArray<int>.Empty;

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

        /// <summary>The <c>Input = new[] { … }</c> argument.</summary>
        public LocationInfo? Input { get; init; }
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

        /// <summary>Convolutions and pools: the window's size (both ways for the 2-D kinds).</summary>
        public int Kernel { get; init; }

        /// <summary>Convolutions and pools: the step between windows (a pool's default, its window, is filled in by the parser).</summary>
        public int Stride { get; init; }

        /// <summary>Convolutions and pools: zeros (for max pooling, −∞) on each side.</summary>
        public int Padding { get; init; }

        /// <summary>Convolutions: the <c>PaddingMode</c> value as written.</summary>
        public int PaddingModeValue { get; init; }

        public PaddingModeKind PaddingMode => (PaddingModeKind)PaddingModeValue;

        /// <summary>Convolutions: the spacing of the kernel's taps.</summary>
        public int Dilation { get; init; }

        /// <summary>Convolutions: channel groups.</summary>
        public int Groups { get; init; }

        /// <summary>
        /// A convolution with <paramref name="channels"/> output channels (kept in <see cref="Units"/>), its activation and
        /// init, and its window arguments.
        /// </summary>
        public static LayerSpec Convolution(LayerKind kind, int channels, int activation, int init, int kernel, int stride, int padding, int paddingMode, int dilation, int groups, LayerLocations? locations) =>
            new(channels, activation, init, locations)
            {
                Kind = kind, Kernel = kernel, Stride = stride, Padding = padding, PaddingModeValue = paddingMode, Dilation = dilation, Groups = groups,
            };

        /// <summary>A max or average pool, or (kernel 0) global average pooling or flatten.</summary>
        public static LayerSpec Pooling(LayerKind kind, int kernel, int stride, int padding, LayerLocations? locations) =>
            new(0, (int)ActivationKind.Linear, (int)InitKind.Default, locations) { Kind = kind, Kernel = kernel, Stride = stride, Padding = padding };

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

        public LocationInfo? Kernel { get; init; }

        public LocationInfo? Stride { get; init; }

        public LocationInfo? Padding { get; init; }

        public LocationInfo? PaddingMode { get; init; }

        public LocationInfo? Dilation { get; init; }

        public LocationInfo? Groups { get; init; }
    }
}
