using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary><see cref="FiniteCheck.AllFinite"/> against <see cref="float.IsFinite"/> one value at a time.</summary>
public sealed class FiniteCheckTests
{
    private static readonly float[] NonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(-1)];

    private static readonly float[] ExtremeFinite = [float.MaxValue, float.MinValue, float.Epsilon, -0f, 1e-40f];

    [Fact]
    public void AllFinite_OneNonFiniteValueAtEveryPosition_False()
    {
        foreach (int length in new[] { 1, 2, 7, 8, 15, 16, 31, 32, 33, 47, 63, 64, 65, 100, 13_650 })
        {
            float[] values = KernelTestSupport.RandomFloats(length, seed: length, scale: 1e30f);
            Assert.True(FiniteCheck.AllFinite(values), $"length {length}, all finite");
            int step = length > 200 ? 97 : 1;
            for (int position = 0; position < length; position += step)
            {
                float saved = values[position];
                foreach (float bad in NonFinite)
                {
                    values[position] = bad;
                    Assert.False(FiniteCheck.AllFinite(values), $"length {length}, {bad} at {position}");
                }

                values[position] = saved;
            }
        }
    }

    [Fact]
    public void AllFinite_ExtremeFiniteValuesAndEmpty_True()
    {
        Assert.True(FiniteCheck.AllFinite([]));
        foreach (int length in new[] { 1, 9, 32, 40, 129 })
        {
            float[] values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = ExtremeFinite[i % ExtremeFinite.Length];
            }

            Assert.True(FiniteCheck.AllFinite(values), $"length {length}: MaxValue, MinValue, subnormals and -0 are finite");
        }
    }
}
