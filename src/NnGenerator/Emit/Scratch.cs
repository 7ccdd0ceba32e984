using NnGen.Generator.Planning;

namespace NnGen.Generator.Emit
{
    /// <summary>Scratch buffers of a size fixed at compile time, in the emitted code.</summary>
    internal static class Scratch
    {
        private const string Span = RuntimeNames.Span;

        /// <summary>
        /// Declares <paramref name="name"/> as scratch of a constant size: on the stack when small, otherwise rented
        /// from the shared pool (allocation-free once warm) and returned even if the body throws.
        /// </summary>
        public static void Emit(SourceWriter writer, string name, string sizeExpression, int size, System.Action<SourceWriter> body)
        {
            if (size <= NetworkPlan.StackLimitFloats)
            {
                writer.WriteLine($"{Span} {name} = stackalloc float[{sizeExpression}];");
                body(writer);
                return;
            }

            writer.WriteLine($"float[] rented = {RuntimeNames.ArrayPool}.Shared.Rent({sizeExpression});");
            using (writer.Block("try"))
            {
                writer.WriteLine($"{Span} {name} = new {Span}(rented, 0, {sizeExpression});");
                body(writer);
            }

            using (writer.Block("finally"))
            {
                writer.WriteLine($"{RuntimeNames.ArrayPool}.Shared.Return(rented);");
            }
        }
    }
}
