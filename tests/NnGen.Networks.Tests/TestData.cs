using System;
using System.Linq;
using System.Threading.Tasks;

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

    /// <summary>The floats' bit patterns, for comparisons that must be exact (−0 against +0, NaN payloads included).</summary>
    public static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>
    /// Runs each of <paramref name="streams"/> streams once alone, then all at once on as many threads, and fails unless
    /// every stream's outputs have the same bits both ways: one instance, one state per thread, nothing shared.
    /// </summary>
    public static void AssertStreamsIndependent(int streams, Func<int, float[]> run)
    {
        float[][] sequential = Enumerable.Range(0, streams).Select(run).ToArray();
        var parallel = new float[streams][];
        Parallel.For(0, streams, new ParallelOptions { MaxDegreeOfParallelism = streams }, i => parallel[i] = run(i));
        for (int i = 0; i < streams; i++)
        {
            Assert.Equal(Bits(sequential[i]), Bits(parallel[i]));
        }
    }
}
