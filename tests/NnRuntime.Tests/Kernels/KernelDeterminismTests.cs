using System;
using System.Collections.Generic;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Same inputs, same width → the same bits, wherever the buffers sit. Every public kernel runs once with its operands
/// at the start of their arrays and again with each operand shifted by 1..15 floats (every alignment class of a
/// 64-byte vector; each operand by a different amount, so their misalignments differ too), at every width including
/// 512 bits (emulated where the CPU lacks it), and the outputs must be identical bit for bit. Shapes are chosen so the
/// cache-driven paths run: copied A chunks and a vector tail in NT, packed panels in NN, two k chunks.
/// </summary>
public sealed class KernelDeterminismTests
{
    private const int MaxShift = 15;

    public static TheoryData<string> AllWidths()
    {
        var data = new TheoryData<string>();
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto })
        {
            data.Add(width.ToString());
        }

        return data;
    }

    /// <summary>A kernel call whose operands start <c>shift</c> (and multiples of it) floats into their arrays.</summary>
    private delegate float[] Kernel(int shift, SimdWidth width);

    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Kernels().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_OperandsAtEveryAlignment_SameBitsAtEveryWidth(string name)
    {
        Kernel kernel = Kernels()[name];
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto })
        {
            foreach (TileShape shape in Enum.GetValues<TileShape>())
            {
                using TileShapes.Scope forced = TileShapes.Force(shape);
                float[] expected = kernel(0, width);
                for (int shift = 1; shift <= MaxShift; shift++)
                {
                    float[] actual = kernel(shift, width);
                    AssertBitIdentical(expected, actual, $"{name} at {width}, {shape} tiles, operands shifted by {shift}");
                }
            }
        }
    }

    internal static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, unshifted {expected[i]:R}.");
            }
        }
    }

    /// <summary>The values of <paramref name="source"/> placed <paramref name="shift"/> floats into a larger array.</summary>
    private static ArraySegment<float> Place(float[] source, int shift)
    {
        var buffer = new float[source.Length + MaxShift + 1];
        Array.Fill(buffer, float.NaN);
        source.CopyTo(buffer, shift);
        return new ArraySegment<float>(buffer, shift, source.Length);
    }

    /// <summary>An output of <paramref name="length"/> floats, <paramref name="shift"/> floats into a NaN-filled array.</summary>
    private static ArraySegment<float> Output(int length, int shift) => Place(new float[length], shift);

    private static Dictionary<string, Kernel> Kernels()
    {
        // NT: k = 1100 spans two k chunks with a vector tail, n = 23 copies A; the small NT goes through transposed panels.
        const int NtM = 9, NtK = 1100, NtN = 23;
        float[] ntA = KernelTestSupport.RandomFloats(NtM * NtK, seed: 11);
        float[] ntB = KernelTestSupport.RandomFloats(NtN * NtK, seed: 12);
        float[] bias = KernelTestSupport.RandomFloats(64, seed: 13);
        const int SmallM = 12, SmallK = 37, SmallN = 70;
        float[] smallA = KernelTestSupport.RandomFloats(SmallM * SmallK, seed: 14);
        float[] smallB = KernelTestSupport.RandomFloats(SmallN * SmallK, seed: 15);

        // NN and TN: k·n above the packing threshold.
        const int NnM = 7, NnK = 130, NnN = 141;
        float[] nnA = KernelTestSupport.RandomFloats(NnM * NnK, seed: 16);
        float[] nnB = KernelTestSupport.RandomFloats(NnK * NnN, seed: 17);
        float[] tnActivations = KernelTestSupport.RandomFloats(NnM * NnN, seed: 18);

        const int Rows = 21, Cols = 203;
        float[] w = KernelTestSupport.RandomFloats(Rows * Cols, seed: 19);
        float[] x = KernelTestSupport.RandomFloats(Cols, seed: 20);
        float[] z = KernelTestSupport.RandomFloats(1001, seed: 21, scale: 4f);
        float[] activations = KernelTestSupport.RandomFloats(1001, seed: 22);

        var kernels = new Dictionary<string, Kernel>
        {
            ["MultiplyNT"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NtM * NtN, (s * 3) % 16);
                Gemm.MultiplyNT(Place(ntA, s), Place(ntB, (s * 7) % 16), c, NtM, NtK, NtN, 0.5f, width);
                return c.ToArray();
            },
            ["MultiplyNT short depth"] = (s, width) =>
            {
                ArraySegment<float> c = Output(SmallM * SmallN, (s * 5) % 16);
                Gemm.MultiplyNT(Place(smallA, (s * 9) % 16), Place(smallB, s), c, SmallM, SmallK, SmallN, 1f, width);
                return c.ToArray();
            },
            ["MultiplyNN"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NnM * NnN, (s * 11) % 16);
                Gemm.MultiplyNN(Place(nnA, s), Place(nnB, (s * 3) % 16), c, NnM, NnK, NnN, 1f, width);
                return c.ToArray();
            },
            ["MultiplyTN"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NnK * NnN, (s * 13) % 16);
                Gemm.MultiplyTN(Place(nnA, (s * 5) % 16), Place(KernelTestSupport.RandomFloats(NnM * NnN, seed: 23), s), c, NnK, NnM, NnN, 0.25f, width);
                return c.ToArray();
            },
            ["MatVec"] = (s, width) =>
            {
                ArraySegment<float> y = Output(Rows, (s * 7) % 16);
                Gemm.MatVec(Place(w, s), Place(x, (s * 3) % 16), Place(bias.AsSpan(0, Rows).ToArray(), (s * 5) % 16), y, Rows, Cols, width);
                return y.ToArray();
            },
            ["ActivationKernels.SumRows"] = (s, width) =>
            {
                ArraySegment<float> db = Output(7, (s * 5) % 16);
                ActivationKernels.SumRows(Place(z.AsSpan(0, 7 * 143).ToArray(), s), db, 143, 1f / 143, width);
                return db.ToArray();
            },
            ["Layout.Transpose"] = (s, width) =>
            {
                ArraySegment<float> destination = Output(37 * 27, (s * 3) % 16);
                Layout.Transpose(Place(z.AsSpan(0, 27 * 37).ToArray(), s), destination, 27, 37);
                return destination.ToArray();
            },
            ["TinyKernels.TransposePadded"] = (s, width) =>
            {
                ArraySegment<float> destination = Output(2 * 416, (s * 3) % 16);
                TinyKernels.TransposePadded(Place(z.AsSpan(0, 2 * 401).ToArray(), s), destination, 401, 2, 416);
                return destination.ToArray();
            },
        };

        foreach (Activation activation in ElementwiseActivations())
        {
            kernels[$"MultiplyNT + bias, {activation}"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NtM * NtN, (s * 3) % 16);
                Gemm.MultiplyNT(Place(ntA, s), Place(ntB, (s * 7) % 16), c, NtM, NtK, NtN, 1f, Place(bias.AsSpan(0, NtM).ToArray(), (s * 5) % 16), activation, width);
                return c.ToArray();
            };
            kernels[$"MultiplyNN + bias, {activation}"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NnM * NnN, (s * 11) % 16);
                Gemm.MultiplyNN(Place(nnA, s), Place(nnB, (s * 3) % 16), c, NnM, NnK, NnN, 1f, Place(bias.AsSpan(0, NnM).ToArray(), (s * 7) % 16), activation, width);
                return c.ToArray();
            };
            kernels[$"MultiplyTN ⊙ {activation}′"] = (s, width) =>
            {
                ArraySegment<float> c = Output(NnK * NnN, (s * 13) % 16);
                float[] layerOutputs = KernelTestSupport.RandomFloats(NnK * NnN, seed: 24);
                Gemm.MultiplyTN(
                    Place(nnA, (s * 5) % 16), Place(tnActivations, s), c, NnK, NnM, NnN, 0.5f, Place(layerOutputs, (s * 9) % 16), activation, width);
                return c.ToArray();
            };
            kernels[$"MatVec + bias, {activation}"] = (s, width) =>
            {
                ArraySegment<float> y = Output(Rows, (s * 7) % 16);
                Gemm.MatVec(Place(w, s), Place(x, (s * 3) % 16), Place(bias.AsSpan(0, Rows).ToArray(), (s * 5) % 16), y, Rows, Cols, activation, width);
                return y.ToArray();
            };
            kernels[$"ActivationKernels forward, {activation}"] = (s, width) =>
            {
                ArraySegment<float> a = Output(z.Length, (s * 3) % 16);
                ActivationKernels.Forward(activation, Place(z, s), a, width);
                return a.ToArray();
            };
            kernels[$"ActivationKernels backward, {activation}"] = (s, width) =>
            {
                ArraySegment<float> grad = Place(z, (s * 3) % 16);
                ActivationKernels.Backward(activation, Place(activations, s), grad, width);
                return grad.ToArray();
            };
        }

        return kernels;
    }

    /// <summary>Every activation the element-wise kernels accept (all but the ones, like softmax, that couple units).</summary>
    internal static IEnumerable<Activation> ElementwiseActivations()
    {
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            if (activation != Activation.Softmax)
            {
                yield return activation;
            }
        }
    }
}
