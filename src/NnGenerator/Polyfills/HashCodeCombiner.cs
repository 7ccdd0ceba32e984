namespace NnGen.Generator.Polyfills
{
    /// <summary>netstandard2.0 has no System.HashCode; this is the same FNV-style fold the model's equality needs.</summary>
    internal static class HashCodeCombiner
    {
        public static int Combine(int hash, int next)
        {
            unchecked
            {
                return (hash * 31) + next;
            }
        }
    }
}
