using System;

namespace NnGen.Networks.Tests;

/// <summary>Seeded random inputs and labels, so every test sees the same numbers on every run.</summary>
internal static class TestData
{
    public static float[] Uniform(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    public static float[] Binary(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(2);
        }

        return values;
    }
}
