namespace NnGen.Generator.Validation
{
    /// <summary>
    /// Sizes past which a network is refused. Offsets are int, spans are int-indexed and a weight matrix of
    /// 2^26 floats is already 256 MiB, so larger networks would overflow or be impractical rather than merely slow.
    /// </summary>
    internal static class NetworkLimits
    {
        public const int MaxUnits = 1 << 20;
        public const long MaxParameters = 1L << 26;

        /// <summary>
        /// Layers per network. Emitted code grows with the layer count (constants, members and straight-line forward and
        /// backward per layer; a layer unrolls at most <c>NetworkPlan.UnrolledWeightLimit</c> weights), so this bounds what
        /// one declaration can cost the compiler: 2,000 small layers were 11.8 MB of C# and 51 s of compilation.
        /// </summary>
        public const int MaxLayers = 64;
    }
}
