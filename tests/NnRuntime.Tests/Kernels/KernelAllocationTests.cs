using System;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>Training loops call these kernels thousands of times: after warm-up they must not allocate at all.</summary>
public sealed class KernelAllocationTests
{
    public static TheoryData<string> Widths() => KernelTestSupport.SupportedWidths();

    [Theory]
    [MemberData(nameof(Widths))]
    public void AllKernels_AfterWarmUp_AllocateNothing(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        const int M = 20, K = 2100, N = 53;
        float[] a = KernelTestSupport.RandomFloats(M * K, seed: 60);
        float[] b = KernelTestSupport.RandomFloats(K * N, seed: 61);
        float[] c = new float[M * N];
        float[] bias = KernelTestSupport.RandomFloats(M, seed: 62);
        float[] activations = KernelTestSupport.RandomFloats(M * N, seed: 63);
        float[] grad = new float[M * N];
        float[] transposed = new float[M * N];
        float[] y = new float[M];

        void RunAll()
        {
            Gemm.MultiplyNN(a, b, c, M, K, N, 0.5f, width);
            Gemm.MultiplyNT(a, b.AsSpan(0, N * K), c, M, K, N, 0.5f, width);
            Gemm.MultiplyTN(a.AsSpan(0, K * M), b, c, M, K, N, 0.5f, width);
            Gemm.MatVec(a, b.AsSpan(0, K), bias, y, M, K, width);
            Gemm.MatVec(a, b.AsSpan(0, K), [], y, M, K, width);
            ActivationKernels.Forward(Activation.Sigmoid, c, grad, width);
            ActivationKernels.Forward(Activation.Tanh, c, grad, width);
            ActivationKernels.Forward(Activation.ReLU, c, c, width);
            ActivationKernels.Forward(Activation.LeakyReLU, c, grad, width);
            ActivationKernels.Backward(Activation.Sigmoid, activations, grad, width);
            ActivationKernels.Backward(Activation.Tanh, activations, grad, width);
            ActivationKernels.Backward(Activation.ReLU, activations, grad, width);
            ActivationKernels.Backward(Activation.LeakyReLU, activations, grad, width);
            ActivationKernels.SumRows(c, y, N, 0.5f, width);
            Layout.Transpose(c, transposed, M, N);
        }

        // Repeated rounds: the runtime's own one-off allocations while it re-compiles hot methods must not fail it.
        AllocationAssert.NoAllocation(RunAll, calls: 5, $"every kernel at {widthName}");
    }
}
