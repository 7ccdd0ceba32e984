using System;
using System.Linq;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The runtime's activation table (<see cref="ActivationOperators"/>): every element-wise <see cref="Activation"/> has
/// an operator that every kernel applies alike, and the activations that are not element-wise are refused by every
/// kernel with an <see cref="ArgumentException"/> that says so, before anything is written.
/// </summary>
public sealed class ActivationOperatorsTests
{
    /// <summary>
    /// The enum values that couple the units of one example and so have no element-wise operator. A new value not
    /// listed here must get a runtime operator, or the tests below fail.
    /// </summary>
    private static readonly Activation[] NotElementwise = [Activation.Softmax];

    public static TheoryData<Activation> ElementwiseActivations()
    {
        var data = new TheoryData<Activation>();
        foreach (Activation activation in Enum.GetValues<Activation>().Except(NotElementwise))
        {
            data.Add(activation);
        }

        return data;
    }

    public static TheoryData<Activation> NotElementwiseActivations()
    {
        var data = new TheoryData<Activation>();
        foreach (Activation activation in NotElementwise)
        {
            data.Add(activation);
        }

        return data;
    }

    [Fact]
    public void ElementwiseActivations_UsedByTheKernelTests_AreEveryEnumValueButTheCoupledOnes()
    {
        Assert.Equal(Enum.GetValues<Activation>().Except(NotElementwise), KernelDeterminismTests.ElementwiseActivations());
    }

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void ElementwiseActivation_EveryKernel_AppliesTheSameOperator(Activation activation)
    {
        // W = I and b = 0 make each product's sum exactly its input, so every kernel's output is g(z) bit for bit.
        const int N = 37;
        float[] z = KernelTestSupport.RandomFloats(N, seed: 70, scale: 6f);
        float[] identity = new float[N * N];
        for (int i = 0; i < N; i++)
        {
            identity[(i * N) + i] = 1f;
        }

        float[] elementwise = new float[N];
        ActivationKernels.Forward(activation, z, elementwise);
        Assert.All(elementwise, value => Assert.True(float.IsFinite(value), $"{activation}: {value}"));

        float[] matVec = new float[N];
        Gemm.MatVec(identity, z, new float[N], matVec, N, N, activation);
        KernelDeterminismTests.AssertBitIdentical(elementwise, matVec, $"{activation}: Gemm.MatVec against ActivationKernels.Forward");

        float[] product = new float[N];
        Gemm.MultiplyNT(identity, z, product, N, N, 1, 1f, new float[N], activation);
        KernelDeterminismTests.AssertBitIdentical(elementwise, product, $"{activation}: Gemm.MultiplyNT epilogue against ActivationKernels.Forward");

        float[] gradient = KernelTestSupport.RandomFloats(N, seed: 71);
        float[] backward = (float[])gradient.Clone();
        ActivationKernels.Backward(activation, elementwise, backward);
        float[] fused = new float[N];
        Gemm.MultiplyTN(identity, gradient, fused, N, N, 1, 1f, elementwise, activation);
        KernelDeterminismTests.AssertBitIdentical(backward, fused, $"{activation}: Gemm.MultiplyTN epilogue against ActivationKernels.Backward");
    }

    [Theory]
    [MemberData(nameof(NotElementwiseActivations))]
    public void NotElementwiseActivation_EveryKernel_RejectsItAndWritesNothing(Activation activation)
    {
        const float Sentinel = -7.5f;
        float[] Output(int length) => Enumerable.Repeat(Sentinel, length).ToArray();
        float[] w = KernelTestSupport.RandomFloats(12, seed: 72);
        float[] x = KernelTestSupport.RandomFloats(4, seed: 73);
        float[] bias = new float[3];

        void Rejects(string kernel, string parameter, float[] output, Action call)
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Equal(parameter, error.ParamName);
            Assert.Contains($"{kernel}: {parameter} is {activation}, which is not element-wise", error.Message, StringComparison.Ordinal);
            Assert.All(output, value => Assert.Equal(Sentinel, value));
        }

        float[] y = Output(3);
        Rejects("Gemm.MatVec", "activation", y, () => Gemm.MatVec(w, x, bias, y, 3, 4, activation));
        float[] nn = Output(3);
        Rejects("Gemm.MultiplyNN", "activation", nn, () => Gemm.MultiplyNN(w, x, nn, 3, 4, 1, 1f, bias, activation));
        float[] nt = Output(3);
        Rejects("Gemm.MultiplyNT", "activation", nt, () => Gemm.MultiplyNT(w, x, nt, 3, 4, 1, 1f, bias, activation));
        float[] tn = Output(4);
        Rejects("Gemm.MultiplyTN", "derivativeOf", tn, () => Gemm.MultiplyTN(w, bias, tn, 4, 3, 1, 1f, new float[4], activation));
        float[] a = Output(4);
        Rejects("ActivationKernels.Forward", "activation", a, () => ActivationKernels.Forward(activation, x, a));
        float[] grad = Output(4);
        Rejects("ActivationKernels.Backward", "activation", grad, () => ActivationKernels.Backward(activation, x, grad));
    }
}
