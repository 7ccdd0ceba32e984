
namespace NnGen.Generator.Model
{
    /// <summary>
    /// One [Network] declaration as the generator's cache holds it: the location-free spec, what to emit for it, and
    /// for a surface the first error, as text the throwing members repeat ("NNG0003: Network 'Net' must set Inputs …").
    /// </summary>
    internal sealed record NetworkTarget(NetworkSpec Spec, GenerationKind Kind, string? Error)
    {
        /// <summary>The weights baked in from the <c>Weights</c> file (or the problem that stopped it); null without one.</summary>
        public Baking.BakedWeights? Baked { get; init; }

        /// <summary>The simple names that stay qualified in the emitted file (see <c>Parsing.ShadowedNames</c>).</summary>
        public EquatableArray<string> ShadowedNames { get; init; } = EquatableArray<string>.Empty;
    }

    /// <summary>Where a network's <c>Weights</c> argument is, by hint key: the one location the pipeline keeps, for reporting.</summary>
    internal sealed record WeightsLocation(string HintKey, LocationInfo Location);

    /// <summary>The hint name of every target, unique ignoring case (as Roslyn compares them); null for a key held twice.</summary>
    internal sealed record HintNameMap(EquatableArray<string> Keys, EquatableArray<string> HintNames);
}
