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
    }
}
