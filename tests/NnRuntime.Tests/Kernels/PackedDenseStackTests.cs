using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics.X86;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The frozen form's one-call forward pass (<see cref="PackedDenseStack"/>) gives the bits of its layers run one
/// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// at a time (the network's own Predict), at every width it is built for and called at: packed and row-major layers,
/// k tails, every activation, an output softmax, hidden layers from the frame, the stack and the pool. The bits are the
/// reference because the frozen form promises the network's outputs exactly; a double-precision chain holds the
/// values themselves.
/// </summary>
public sealed class PackedDenseStackTests
{
    /// <summary>Layer sizes n[0..L] and activations g[1..L] of the stacks the tests build.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string width in KernelTestSupport.SupportedWidths())
        {
            foreach (string name in Shapes.Keys)
            {
                data.Add(width, name);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (int[] Sizes, Activation[] Activations)> Shapes = new()
    {
        // RTNeural's [16,64,64,1]: both 512-bit trees and a single output row, which is not packed.
        ["medium"] = ([16, 64, 64, 1], [Activation.ReLU, Activation.ReLU, Activation.Linear]),
        ["softmax"] = ([16, 64, 40, 12, 3], [Activation.ReLU, Activation.Tanh, Activation.Sigmoid, Activation.Softmax]),
        ["tails"] = ([33, 20, 17, 9], [Activation.LeakyReLU, Activation.Tanh, Activation.Linear]),
        ["one layer"] = ([64, 64], [Activation.Tanh]),
        ["cat-like"] = ([3000, 20, 7, 5, 1], [Activation.ReLU, Activation.ReLU, Activation.ReLU, Activation.Sigmoid]),
        ["stack scratch"] = ([24, 600, 600, 8], [Activation.ReLU, Activation.Tanh, Activation.Linear]),
        ["pooled scratch"] = ([8, 9000, 4], [Activation.ReLU, Activation.Linear]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_BuiltAndCalledAtAWidth_GivesTheLayerByLayerBits(string widthName, string shape)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        (int[] sizes, Activation[] activations) = Shapes[shape];
        (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: sizes.Length * 100);
        var stack = new PackedDenseStack(parameters, architecture, width);
        for (int example = 0; example < 16; example++)
        {
            float[] x = KernelTestSupport.RandomFloats(sizes[0], 1000 + example);
            float[] expected = LayerByLayer(parameters, architecture, x, width);
            float[] actual = new float[sizes[^1]];
            stack.Forward(x, actual, width);
            KernelTestSupport.AssertBitIdentical(expected, actual, 1, $"{shape} built for and called at {widthName}, example {example}");
        }
    }

    /// <summary>Built for one width and called at another (tests force widths at run time): the calling width's bits.</summary>
    [Theory]
    [MemberData(nameof(KernelTestSupport.SupportedWidths), MemberType = typeof(KernelTestSupport))]
    public void Forward_CalledAtAnotherWidth_GivesThatWidthsBits(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach (string shape in new[] { "medium", "softmax", "tails" })
        {
            (int[] sizes, Activation[] activations) = Shapes[shape];
            (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 7);
            float[] x = KernelTestSupport.RandomFloats(sizes[0], 8);
            float[] expected = LayerByLayer(parameters, architecture, x, width);
            foreach (SimdWidth builtFor in new[] { SimdWidth.V512, SimdWidth.V256, SimdWidth.Scalar })
            {
                float[] actual = new float[sizes[^1]];
                new PackedDenseStack(parameters, architecture, builtFor).Forward(x, actual, width);
                KernelTestSupport.AssertBitIdentical(expected, actual, 1, $"{shape} built for {builtFor}, called at {widthName}");
            }
        }
    }

    [Fact]
    public void Forward_Softmax_MatchesDoubleReference()
    {
        (int[] sizes, Activation[] activations) = Shapes["softmax"];
        (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 11);
        float[] x = KernelTestSupport.RandomFloats(sizes[0], 12);
        float[] y = new float[sizes[^1]];
        new PackedDenseStack(parameters, architecture).Forward(x, y);
        double[] reference = DoubleChain(parameters, architecture, x);

        // Four layers of float sums and the project's σ and tanh (a few ulps each): 1e-5 absolute on probabilities.
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - reference[i]) <= 1e-5, $"output {i}: {y[i]} against the double reference {reference[i]}");
        }

        Assert.Equal(1.0, y[0] + (double)y[1] + y[2], 5);
    }

    /// <summary>What is packed follows <see cref="PackedMatVec"/>: at 512 bits with AVX-512F both hidden layers of [16,64,64,1], at 128 bits none.</summary>
    [Fact]
    public void PackedLayerCount_FollowsWhatPackedMatVecPacks()
    {
        (int[] sizes, Activation[] activations) = Shapes["medium"];
        (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 13);
        Assert.Equal(Avx512F.IsSupported ? 2 : Avx.IsSupported ? 1 : 0, new PackedDenseStack(parameters, architecture, SimdWidth.V512).PackedLayerCount);
        Assert.Equal(Avx.IsSupported ? 2 : 0, new PackedDenseStack(parameters, architecture, SimdWidth.V256).PackedLayerCount);
        Assert.Equal(0, new PackedDenseStack(parameters, architecture, SimdWidth.V128).PackedLayerCount);
    }

    [Fact]
    public void Forward_BadArguments_ThrowNamingWhatWasExpectedAndLeaveYUntouched()
    {
        (int[] sizes, Activation[] activations) = Shapes["medium"];
        (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 14);
        var stack = new PackedDenseStack(parameters, architecture);
        float[] y = [-7f];
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => stack.Forward(new float[15], y));
        Assert.Contains("x", error.Message, StringComparison.Ordinal);
        Assert.Contains("15", error.Message, StringComparison.Ordinal);
        Assert.Contains("16", error.Message, StringComparison.Ordinal);
        error = Assert.ThrowsAny<ArgumentException>(() => stack.Forward(new float[16], new float[2]));
        Assert.Contains("y", error.Message, StringComparison.Ordinal);
        Assert.Contains("2", error.Message, StringComparison.Ordinal);
        error = Assert.ThrowsAny<ArgumentException>(() => stack.Forward(new float[16], parameters.Slice(5, 1)));
        Assert.Contains("parameters", error.Message, StringComparison.Ordinal);
        Assert.Equal(-7f, y[0]);

        var oneLayer = new PackedDenseStack(new AlignedBuffer((8 * 8) + 8), new NetworkArchitecture("one", 8, [LayerDescription.Dense(1, 8, 8, Activation.ReLU, 0)], Loss.MeanSquaredError));
        float[] shared = new float[8];
        Assert.ThrowsAny<ArgumentException>(() => oneLayer.Forward(shared, shared));
    }

    [Fact]
    public void Constructor_NonDenseLayerOrShortBuffer_ThrowsNamingTheLayer()
    {
        var withDropout = new NetworkArchitecture(
            "dropout",
            4,
            [LayerDescription.Dense(1, 4, 8, Activation.ReLU, 0), LayerDescription.Dropout(2, 8, 0.5f), LayerDescription.Dense(3, 8, 1, Activation.Linear, 40)],
            Loss.MeanSquaredError);
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => new PackedDenseStack(new AlignedBuffer(49), withDropout));
        Assert.Contains("layer 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dropout", error.Message, StringComparison.Ordinal);

        (int[] sizes, Activation[] activations) = Shapes["medium"];
        (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 15);
        error = Assert.ThrowsAny<ArgumentException>(() => new PackedDenseStack(new AlignedBuffer(parameters.Length - 1), architecture));
        Assert.Contains("layer 3", error.Message, StringComparison.Ordinal);
        Assert.Contains((parameters.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_AllocatesNothing()
    {
        foreach (string shape in new[] { "medium", "softmax", "stack scratch", "pooled scratch" })
        {
            (int[] sizes, Activation[] activations) = Shapes[shape];
            (AlignedBuffer parameters, NetworkArchitecture architecture) = Network(sizes, activations, seed: 16);
            var stack = new PackedDenseStack(parameters, architecture);
            float[] x = KernelTestSupport.RandomFloats(sizes[0], 17);
            float[] y = new float[sizes[^1]];
            AllocationAssert.NoAllocation(() => stack.Forward(x, y), 50, $"PackedDenseStack.Forward ({shape})");
        }
    }

    /// <summary>Random parameters laid out as a network's (W[l] then b[l], each layer after the last), and its architecture.</summary>
    private static (AlignedBuffer Parameters, NetworkArchitecture Architecture) Network(int[] sizes, Activation[] activations, int seed)
    {
        var layers = new List<LayerDescription>();
        int offset = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            layers.Add(LayerDescription.Dense(l, sizes[l - 1], sizes[l], activations[l - 1], offset));
            offset += (sizes[l] * sizes[l - 1]) + sizes[l];
        }

        var parameters = new AlignedBuffer(offset);
        float[] values = KernelTestSupport.RandomFloats(offset, seed, 0.3f);
        values.CopyTo(parameters.Span);
        Loss loss = activations[^1] == Activation.Softmax ? Loss.CategoricalCrossEntropy : Loss.MeanSquaredError;
        return (parameters, new NetworkArchitecture("stack", sizes[0], layers, loss));
    }

    /// <summary>The network's Predict: one Gemm.MatVec per layer at <paramref name="width"/>, softmax after an output that has it.</summary>
    private static float[] LayerByLayer(AlignedBuffer parameters, NetworkArchitecture architecture, float[] x, SimdWidth width)
    {
        float[] input = x;
        foreach (LayerDescription layer in architecture.Layers)
        {
            float[] output = new float[layer.Units];
            bool softmax = layer.Activation == Activation.Softmax;
            Gemm.MatVec(
                parameters.Slice(layer.Tensors[0].Offset, layer.Units * layer.Inputs), input, parameters.Slice(layer.Tensors[1].Offset, layer.Units), output,
                layer.Units, layer.Inputs, softmax ? Activation.Linear : layer.Activation, width);
            if (softmax)
            {
                SoftmaxKernels.Forward(output, layer.Units, 1, width);
            }

            input = output;
        }

        return input;
    }

    /// <summary>The same chain in double precision with the activations' exact formulas.</summary>
    private static double[] DoubleChain(AlignedBuffer parameters, NetworkArchitecture architecture, float[] x)
    {
        double[] input = Array.ConvertAll(x, value => (double)value);
        foreach (LayerDescription layer in architecture.Layers)
        {
            var output = new double[layer.Units];
            ReadOnlySpan<float> w = parameters.Slice(layer.Tensors[0].Offset, layer.Units * layer.Inputs);
            ReadOnlySpan<float> b = parameters.Slice(layer.Tensors[1].Offset, layer.Units);
            for (int r = 0; r < layer.Units; r++)
            {
                double z = b[r];
                for (int k = 0; k < layer.Inputs; k++)
                {
                    z += w[(r * layer.Inputs) + k] * input[k];
                }

                output[r] = layer.Activation switch
                {
                    Activation.ReLU => Math.Max(0, z),
                    Activation.LeakyReLU => z < 0 ? 0.01 * z : z,
                    Activation.Tanh => Math.Tanh(z),
                    Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
                    _ => z,
                };
            }

            if (layer.Activation == Activation.Softmax)
            {
                double max = double.NegativeInfinity, sum = 0;
                foreach (double z in output)
                {
                    max = Math.Max(max, z);
                }

                for (int r = 0; r < output.Length; r++)
                {
                    output[r] = Math.Exp(output[r] - max);
                    sum += output[r];
                }

                for (int r = 0; r < output.Length; r++)
                {
                    output[r] /= sum;
                }
            }

            input = output;
        }

        return input;
    }
}
