using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The width-independent sums: <see cref="ExampleSum"/> gives the same bits whether a step's examples arrive as two
/// 128-, 256- or 512-bit vectors, and <see cref="HorizontalSums"/> adds lanes in one tree at every width and on every
/// fallback. Terms span six orders of magnitude so that any change of order changes the rounded result.
/// </summary>
public sealed class ExampleSumTests
{
    private const int Examples = 32 * 37;

    private static float[] Terms(int seed)
    {
        var random = new Random(seed);
        var terms = new float[Examples];
        for (int i = 0; i < terms.Length; i++)
        {
            terms[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)));
        }

        return terms;
    }

    [Fact]
    public void Add_StepsOf128256And512Bits_SameLanesAndTotalBitForBit()
    {
        float[] terms = Terms(seed: 1);
        var sum128 = default(ExampleSum);
        var sum256 = default(ExampleSum);
        var sum512 = default(ExampleSum);
        for (int i = 0; i < Examples; i += 8)
        {
            sum128.Add(Vector128.Create(terms, i), Vector128.Create(terms, i + 4));
        }

        for (int i = 0; i < Examples; i += 16)
        {
            sum256.Add(Vector256.Create(terms, i).AsVector(), Vector256.Create(terms, i + 8).AsVector());
        }

        for (int i = 0; i < Examples; i += 32)
        {
            sum512.Add(Vector512.Create(terms, i), Vector512.Create(terms, i + 16));
        }

        // The reference: lane e mod 8 adds term e in order, then the fixed tree.
        var lanes = new float[ExampleSum.Lanes];
        for (int e = 0; e < Examples; e++)
        {
            lanes[e % ExampleSum.Lanes] += terms[e];
        }

        float total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        foreach ((string name, ExampleSum sum) in new[] { ("128", sum128), ("256", sum256), ("512", sum512) })
        {
            Assert.Equal(lanes, ToArray(sum.Values));
            Assert.True(BitConverter.SingleToInt32Bits(total) == BitConverter.SingleToInt32Bits(sum.Total()), $"{name}-bit steps: {sum.Total():R}, expected {total:R}");
            Assert.Equal(total * 0.25f, TinyKernels.Reduce(sum, 0.25f));
        }
    }

    [Fact]
    public void HorizontalSums_EveryWidthAndForm_OneTree()
    {
        float[] values = Terms(seed: 2);
        for (int start = 0; start + 64 <= values.Length; start += 64)
        {
            Vector256<float> v = Vector256.Create(values, start);
            float tree = ((values[start] + values[start + 1]) + (values[start + 2] + values[start + 3])) +
                ((values[start + 4] + values[start + 5]) + (values[start + 6] + values[start + 7]));
            Assert.Equal(tree, HorizontalSums.Sum(v));
            Assert.Equal(tree, HorizontalSums.Sum<Vector256<float>>(v));
            if (Avx.IsSupported)
            {
                // The order the course's figures were first reproduced in.
                Assert.Equal(Vector256.Sum(v), HorizontalSums.Sum(v));
            }

            Vector128<float> w = v.GetLower();
            Assert.Equal((values[start] + values[start + 1]) + (values[start + 2] + values[start + 3]), HorizontalSums.Sum(w));

            Vector512<float> z = Vector512.Create(values, start);
            Assert.Equal(HorizontalSums.Sum(z.GetLower() + z.GetUpper()), HorizontalSums.Sum(z));

            // Four at a time: each lane of the result is that vector's own sum, at each width.
            Vector256<float>[] four = [v, Vector256.Create(values, start + 8), Vector256.Create(values, start + 16), Vector256.Create(values, start + 24)];
            Vector128<float> sums = HorizontalSums.Sum4(four[0], four[1], four[2], four[3]);
            Vector512<float>[] wide = [z, Vector512.Create(values, start + 16), Vector512.Create(values, start + 32), Vector512.Create(values, start + 48)];
            Vector128<float> wideSums = HorizontalSums.Sum4(wide[0], wide[1], wide[2], wide[3]);
            Vector128<float>[] narrow = [w, four[1].GetLower(), four[2].GetLower(), four[3].GetLower()];
            Vector128<float> narrowSums = HorizontalSums.Sum4(narrow[0], narrow[1], narrow[2], narrow[3]);
            for (int r = 0; r < 4; r++)
            {
                Assert.Equal(HorizontalSums.Sum(four[r]), sums.GetElement(r));
                Assert.Equal(HorizontalSums.Sum(wide[r]), wideSums.GetElement(r));
                Assert.Equal(HorizontalSums.Sum(narrow[r]), narrowSums.GetElement(r));
            }
        }
    }

    private static float[] ToArray(Vector256<float> value)
    {
        var array = new float[Vector256<float>.Count];
        value.CopyTo(array);
        return array;
    }
}
