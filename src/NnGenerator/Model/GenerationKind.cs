namespace NnGen.Generator.Model
{
    /// <summary>What the generator emits for one [Network] declaration.</summary>
    internal enum GenerationKind
    {
        /// <summary>Nothing: the class cannot take a generated part (the NNG or compiler error says why).</summary>
        None,

        /// <summary>Only the public members, each throwing, so the declaration's one error is all the user sees.</summary>
        Surface,

        /// <summary>The network.</summary>
        Network,
    }
}
