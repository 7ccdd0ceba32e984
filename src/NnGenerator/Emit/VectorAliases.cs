using System.Linq;
using NnGen.Generator.Planning;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// Short names for the vector types the compute members spell on almost every line, declared as using aliases at the
    /// top of the emitted namespace (so they reach no other file), and only those the network's code uses.
    /// </summary>
    internal static class VectorAliases
    {
        /// <summary>Four floats: an unrolled layer's tanh or sigmoid, four units at a time.</summary>
        public const string Vec128 = "Vec128";

        /// <summary>One vector of examples of the tiny pass on AVX-512 CPUs.</summary>
        public const string Vec512 = "Vec512";

        /// <summary>Its per-lane cost accumulator.</summary>
        public const string Vec512D = "Vec512D";

        /// <summary>One vector of examples of the tiny pass at Vector&lt;float&gt;'s width.</summary>
        public const string Vec = "Vec";

        /// <summary>Its per-lane cost accumulator.</summary>
        public const string VecD = "VecD";

        public static void Emit(SourceWriter writer, NetworkPlan plan)
        {
            bool unrolledVector = plan.Layers.Any(layer => layer.IsUnrolled && ActivationTable.Of(layer.Activation).Vector128 is not null);
            bool tiny = plan.Strategy == ComputeStrategy.Tiny;
            if (!unrolledVector && !tiny)
            {
                return;
            }

            if (unrolledVector)
            {
                writer.WriteLine($"using {Vec128} = {RuntimeNames.Vector128}<float>;");
            }

            if (tiny)
            {
                writer.WriteLine($"using {Vec512} = {RuntimeNames.Vector512}<float>;");
                writer.WriteLine($"using {Vec512D} = {RuntimeNames.Vector512}<double>;");
                writer.WriteLine($"using {Vec} = {RuntimeNames.Vector}<float>;");
                writer.WriteLine($"using {VecD} = {RuntimeNames.Vector}<double>;");
            }

            writer.WriteLine();
        }
    }
}
