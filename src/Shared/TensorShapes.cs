using System;
using System.Globalization;

namespace NnGen.Shared
{
    /// <summary>
    /// Shapes and element positions as the weight readers' messages print them. Compiled into both NnRuntime (loading a
    /// file) and the generator (baking one), which cannot reference the runtime, so both name a bad value alike.
    /// </summary>
    internal static class TensorShapes
    {
        /// <summary>The dimensions separated by commas, e.g. <c>4, 2</c>.</summary>
        public static string Format(long[] shape) =>
            string.Join(", ", Array.ConvertAll(shape, dimension => dimension.ToString(CultureInfo.InvariantCulture)));

        /// <summary>The multi-index of flat element <paramref name="index"/>, e.g. <c> at [2, 1]</c>; empty for a scalar.</summary>
        public static string Position(long[] shape, int index)
        {
            if (shape.Length == 0)
            {
                return string.Empty;
            }

            long[] position = new long[shape.Length];
            long rest = index;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                position[d] = shape[d] == 0 ? 0 : rest % shape[d];
                rest = shape[d] == 0 ? rest : rest / shape[d];
            }

            return " at [" + Format(position) + "]";
        }
    }
}
