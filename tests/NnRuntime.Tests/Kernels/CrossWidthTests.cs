using System;
using System.Collections.Generic;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The batch kernels' results are a function of the inputs alone: every matrix product (each orientation and each
/// epilogue the generated code uses) and the row sums for db give the same bits at 128, 256 and 512 bits and with
/// either register-tile shape, so the course's figures come out the same on every CPU. Widths the CPU lacks run in
/// software, so this holds on any machine. The reference is 512 bits with narrow tiles, the order the course's
/// figures were reproduced with.
/// </summary>
public class CrossWidthTests
{
    private static readonly (SimdWidth Width, TileShape Tiles)[] Others =
    [
        (SimdWidth.V512, TileShape.Wide),
        (SimdWidth.V256, TileShape.Narrow),
        (SimdWidth.V256, TileShape.Wide),
        (SimdWidth.V128, TileShape.Narrow),
        (SimdWidth.V128, TileShape.Wide),
    ];

    public enum Form
    {
        NN,
        NNBiasReLU,
        NNBiasSigmoid,
        NT,
        NTBiasReLU,
        NTBiasTanh,
        TN,
        TNReLUDerivative,
        TNSigmoidDerivative,
        TNTanhDerivative,
    }

    public static TheoryData<string> Forms()
    {
        var data = new TheoryData<string>();
        foreach (Form form in Enum.GetValues<Form>())
        {
            data.Add(form.ToString());
        }

        return data;
    }

    /// <summary>
    /// Edges of every kind (1, 2, one short of and one past the 16 lanes, tile and row-group edges), a seeded sample of
    /// their combinations, and the course's and Fashion-MNIST's real layer shapes (k = 12288 and packed products).
    /// </summary>
    private static IEnumerable<(int M, int K, int N)> Shapes()
    {
        int[] ms = [1, 2, 3, 5, 7, 15, 17, 41];
        int[] ks = [0, 1, 2, 4, 15, 16, 17, 31, 33, 64, 65, 209, 784, 1041];
        int[] ns = [1, 2, 4, 15, 16, 17, 33, 65, 209];
        var random = new Random(10);
        for (int s = 0; s < 70; s++)
        {
            yield return (ms[random.Next(ms.Length)], ks[random.Next(ks.Length)], ns[random.Next(ns.Length)]);
        }

        foreach (int k in ks)
        {
            yield return (12, k, 20);
        }

        yield return (20, 12288, 209);
        yield return (7, 209, 20);
        yield return (20, 209, 300);
        yield return (5, 209, 7);
        yield return (128, 64, 256);
        yield return (10, 129, 64);
        yield return (33, 1041, 209);

        // Fashion-MNIST's first layer on one PredictBatch chunk: 512-bit tiles read W1 in place, narrower ones copy it.
        yield return (256, 784, 40);

        // The tabular iteration ([30,16,1], m = 455) and column tails that take one overlapping full tile at some width.
        yield return (16, 30, 455);
        yield return (16, 455, 30);
        yield return (16, 1, 455);
        yield return (1, 455, 16);
        yield return (7, 64, 60);
        yield return (6, 17, 62);

        // Rows left after the five-row tiles (four-row tiles), unpacked and packed over several depth blocks.
        yield return (9, 40, 50);
        yield return (21, 40, 50);
        yield return (21, 300, 70);
        yield return (18, 300, 70);

        // [4,32,16,4]'s rows on one example chunk: five-row tiles then four-row ones, no row computed twice.
        yield return (32, 16, 624);
        yield return (8, 4, 100);
        yield return (128, 300, 70);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Product_EveryWidthAndTileShape_BitIdenticalTo512Bits(string formName)
    {
        Form form = Enum.Parse<Form>(formName);
        foreach ((int m, int k, int n) in Shapes())
        {
            float[] a = KernelTestSupport.RandomFloats(m * k, seed: (m * 7919) + k);
            float[] b = KernelTestSupport.RandomFloats(k * n, seed: (n * 104729) + k);
            float[] bias = KernelTestSupport.RandomFloats(m, seed: m + 1);
            float[] activations = KernelTestSupport.RandomFloats(m * n, seed: n + 2);
            float alpha = 1f / 209;
            float[] expected = Run(form, SimdWidth.V512, TileShape.Narrow, a, b, bias, activations, m, k, n, alpha);
            foreach ((SimdWidth width, TileShape tiles) in Others)
            {
                float[] actual = Run(form, width, tiles, a, b, bias, activations, m, k, n, alpha);
                KernelTestSupport.AssertBitIdentical(expected, actual, n, $"{form} m={m} k={k} n={n} at {width}, {tiles} tiles, against 512 bits with narrow tiles");
            }
        }
    }

    [Fact]
    public void SumRows_EveryWidth_BitIdenticalTo512Bits()
    {
        foreach (int m in new[] { 0, 1, 3, 4, 7, 8, 12, 15, 16, 17, 24, 28, 31, 32, 33, 47, 48, 50, 63, 64, 100, 209, 256, 1000 })
        {
            const int Rows = 5;
            float[] dz = KernelTestSupport.RandomFloats(Rows * m, seed: m);
            var expected = new float[Rows];
            ActivationKernels.SumRows(dz, expected, m, 1f / 209, SimdWidth.V512);
            foreach (SimdWidth width in new[] { SimdWidth.V256, SimdWidth.V128 })
            {
                var actual = new float[Rows];
                ActivationKernels.SumRows(dz, actual, m, 1f / 209, width);
                KernelTestSupport.AssertBitIdentical(expected, actual, 1, $"SumRows m={m} at {width}, against 512 bits with narrow tiles");
            }
        }
    }

    private static float[] Run(
        Form form, SimdWidth width, TileShape tiles, float[] a, float[] b, float[] bias, float[] activations, int m, int k, int n, float alpha)
    {
        var c = new float[m * n];
        using TileShapes.Scope forced = TileShapes.Force(tiles);
        switch (form)
        {
            case Form.NN:
                Gemm.MultiplyNN(a, b, c, m, k, n, alpha, width);
                break;
            case Form.NNBiasReLU:
                Gemm.MultiplyNN(a, b, c, m, k, n, alpha, bias, Activation.ReLU, width);
                break;
            case Form.NNBiasSigmoid:
                Gemm.MultiplyNN(a, b, c, m, k, n, alpha, bias, Activation.Sigmoid, width);
                break;
            case Form.NT:
                Gemm.MultiplyNT(a, b, c, m, k, n, alpha, width);
                break;
            case Form.NTBiasReLU:
                Gemm.MultiplyNT(a, b, c, m, k, n, alpha, bias, Activation.ReLU, width);
                break;
            case Form.NTBiasTanh:
                Gemm.MultiplyNT(a, b, c, m, k, n, alpha, bias, Activation.Tanh, width);
                break;
            case Form.TN:
                Gemm.MultiplyTN(a, b, c, m, k, n, alpha, width);
                break;
            case Form.TNReLUDerivative:
                Gemm.MultiplyTN(a, b, c, m, k, n, alpha, activations, Activation.ReLU, width);
                break;
            case Form.TNSigmoidDerivative:
                Gemm.MultiplyTN(a, b, c, m, k, n, alpha, activations, Activation.Sigmoid, width);
                break;
            case Form.TNTanhDerivative:
                Gemm.MultiplyTN(a, b, c, m, k, n, alpha, activations, Activation.Tanh, width);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(form), form, "no such product form");
        }

        return c;
    }
}
