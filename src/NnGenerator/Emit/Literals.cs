using System.Globalization;
using NnGen.Generator.Model;

namespace NnGen.Generator.Emit
{
    /// <summary>Culture-invariant spellings of everything numeric or enum-like written into generated code and docs.</summary>
    internal static class Literals
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A float literal that round-trips (<c>0.2f</c>, <c>1E-05f</c>).</summary>
        public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>The activation's name in prose (comments, Summary).</summary>
        public static string Prose(ActivationKind activation) => ActivationTable.Of(activation).Prose;

        public static string Prose(LossKind loss) => LossTable.Of(loss).Prose;

        /// <summary>The derivative g'(z) of layer <paramref name="layer"/> written in terms of its A, as the course writes it: (1 - A1²).</summary>
        public static string Derivative(ActivationKind activation, int layer) => ActivationTable.Of(activation).Derivative.Replace("A", "A" + Int(layer));
    }
}
