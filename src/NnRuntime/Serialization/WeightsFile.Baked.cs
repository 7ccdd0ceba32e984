using System;
using System.Globalization;

namespace NnGen;

public static partial class WeightsFile
{
    /// <summary>
    /// Copies weights baked into an assembly at build time (<c>[Network(Weights = "…")]</c>) into a network's parameters.
    /// Generated networks call it from <c>ResetToBakedWeights</c>; the generator has already checked the file.
    /// </summary>
    /// <param name="littleEndianF32">The parameters as little-endian F32 bytes, in the network's parameter order.</param>
    /// <param name="parameters">The network's parameters: exactly a quarter as many floats as there are bytes.</param>
    /// <exception cref="ArgumentException">The lengths do not match; <paramref name="parameters"/> is then unchanged.</exception>
    /// <remarks>Allocation-free, and correct on big-endian machines too.</remarks>
    public static void ReadBaked(ReadOnlySpan<byte> littleEndianF32, Span<float> parameters)
    {
        if (littleEndianF32.Length != (long)parameters.Length * sizeof(float))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{littleEndianF32.Length} baked bytes cannot fill {parameters.Length} parameters ({(long)parameters.Length * sizeof(float)} bytes)."),
                nameof(parameters));
        }

        SafeTensors.ReadFloats(littleEndianF32, parameters);
    }
}
