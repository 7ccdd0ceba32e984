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
        public const string Vec128 = GeneratedNames.Vec128;
        public const string Vec512 = GeneratedNames.Vec512;
        public const string Vec512D = GeneratedNames.Vec512D;
        public const string Vec = GeneratedNames.Vec;
        public const string VecD = GeneratedNames.VecD;

        public static void Emit(SourceWriter writer, NetworkPlan plan, Strategies.IComputeStrategyEmitter strategy)
        {
            bool unrolledVector = plan.Layers.Any(layer => layer.IsUnrolled && ActivationTable.Of(layer.Activation).Vector128 is not null);
            bool tiny = strategy.UsesVectorAliases;
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
