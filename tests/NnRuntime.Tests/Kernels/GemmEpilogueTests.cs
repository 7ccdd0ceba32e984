using System;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The fused epilogues on the workload's real shapes, the NT path's aligning head on every offset of B, the argument
/// checks of the epilogue overloads and their steady-state allocations.
/// </summary>
public sealed class GemmEpilogueTests
{
    private const float Sentinel = -12345.5f;
    private const int MaxVector = 16;

    public static TheoryData<string> Widths() => KernelTestSupport.SupportedWidths();

    /// <summary>The first layer of the 12288 → 20 → 7 → 5 → 1 network, m = 209: A1 = g(W1·Xᵀ + b1), every g.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyNT_ForwardWorkloadShape_EveryActivation_MatchesReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        const int m = 20, k = 12288, n = 209;
        float[] w1 = KernelTestSupport.RandomFloats(m * k, seed: 70, scale: 0.02f);
        float[] x = KernelTestSupport.RandomFloats(n * k, seed: 71);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 72);
        float[] z = new float[(m * n) + MaxVector];
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(w1, k, 1, x, 1, k, m, k, n, 1f);
        foreach (Activation activation in GemmReference.Activations)
        {
            z.AsSpan().Fill(Sentinel);
            Gemm.MultiplyNT(w1, x, z.AsSpan(0, m * n), m, k, n, 1f, bias, activation, width);
            GemmReference.AssertForward(z, expected, magnitude, bias, activation, m, n, Sentinel, $"Z1 {width} {activation}");
        }
    }

    /// <summary>dW1 = (1/m)·dZ1·X of the same network, plain and (for coverage of the packed route) with every g.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyNN_GradientWorkloadShape_EveryActivation_MatchesReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        const int m = 20, k = 209, n = 12288;
        float[] dz1 = KernelTestSupport.RandomFloats(m * k, seed: 73);
        float[] x = KernelTestSupport.RandomFloats(k * n, seed: 74);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 75);
        float[] dw1 = new float[(m * n) + MaxVector];
        var (expected, magnitude) = KernelTestSupport.ReferenceProduct(dz1, k, 1, x, n, 1, m, k, n, 1f / 209);
        foreach (Activation activation in GemmReference.Activations)
        {
            dw1.AsSpan().Fill(Sentinel);
            Gemm.MultiplyNN(dz1, x, dw1.AsSpan(0, m * n), m, k, n, 1f / 209, bias, activation, width);
            GemmReference.AssertForward(dw1, expected, magnitude, bias, activation, m, n, Sentinel, $"dW1 {width} {activation}");
        }
    }

    /// <summary>dZ1 = (W2ᵀ·dZ2) ⊙ g′(A1) and dZ2 = (W3ᵀ·dZ3) ⊙ g′(A2) of the same network, every g.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyTN_BackwardWorkloadShapes_EveryDerivative_MatchesReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach ((int m, int k, int n) in new[] { (20, 7, 209), (7, 5, 209), (300, 20, 1100) })
        {
            float[] w = KernelTestSupport.RandomFloats(k * m, seed: 76 + m);
            float[] dz = KernelTestSupport.RandomFloats(k * n, seed: 77 + m);
            float[] activations = GemmReference.ActivationValues(m * n);
            float[] result = new float[(m * n) + MaxVector];
            var (expected, magnitude) = KernelTestSupport.ReferenceProduct(w, 1, m, dz, n, 1, m, k, n, 1f);
            foreach (Activation activation in GemmReference.Activations)
            {
                result.AsSpan().Fill(Sentinel);
                Gemm.MultiplyTN(w, dz, result.AsSpan(0, m * n), m, k, n, 1f, activations, activation, width);
                GemmReference.AssertBackward(result, expected, magnitude, activations, activation, m, n, Sentinel, $"dZ {width} {m}x{k}x{n} {activation}");
            }
        }
    }

    /// <summary>
    /// NT copies A and starts its k chunks where B's rows reach a vector boundary: put B at every float offset from
    /// one, with k around vector multiples and across chunk boundaries, so heads, tails and both together are summed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyNT_EveryAlignmentOfB_MatchesReference(string widthName)
    {
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        int[] depths = [16, 17, 31, 32, 33, 48, 80, 1024 + 16, 2048 + 5];
        const int m = 11, n = 9;
        float[] a = KernelTestSupport.RandomFloats(m * 2100, seed: 80);
        float[] b = KernelTestSupport.RandomFloats((n * 2100) + MaxVector, seed: 81);
        float[] bias = KernelTestSupport.RandomFloats(m, seed: 82);
        float[] c = new float[(m * n) + MaxVector];
        foreach (int k in depths)
        {
            for (int offset = 0; offset < MaxVector; offset++)
            {
                ReadOnlySpan<float> shiftedB = b.AsSpan(offset, n * k);
                ReadOnlySpan<float> rowsA = a.AsSpan(0, m * k);
                var (expected, magnitude) = KernelTestSupport.ReferenceProduct(rowsA, k, 1, shiftedB, 1, k, m, k, n, 0.5f);
                Activation activation = GemmReference.Activations[offset % GemmReference.Activations.Length];
                c.AsSpan().Fill(Sentinel);
                Gemm.MultiplyNT(rowsA, shiftedB, c.AsSpan(0, m * n), m, k, n, 0.5f, bias, activation, width);
                GemmReference.AssertForward(c, expected, magnitude, bias, activation, m, n, Sentinel, $"NT {width} k={k} offset={offset} {activation}");
            }
        }
    }

    [Fact]
    public void EpilogueOverloads_AfterWarmUp_AllocateNothing()
    {
        const int M = 20, K = 600, N = 70;
        float[] a = KernelTestSupport.RandomFloats(M * K, seed: 83);
        float[] b = KernelTestSupport.RandomFloats(K * N, seed: 84);
        float[] c = new float[M * N];
        float[] bias = KernelTestSupport.RandomFloats(M, seed: 85);
        float[] activations = GemmReference.ActivationValues(M * N);
        AllocationAssert.NoAllocation(
            () =>
            {
                foreach (Activation activation in GemmReference.Activations)
                {
                    Gemm.MultiplyNN(a, b, c, M, K, N, 0.5f, bias, activation);
                    Gemm.MultiplyNT(a, b.AsSpan(0, N * K), c, M, K, N, 0.5f, bias, activation);
                    Gemm.MultiplyTN(a.AsSpan(0, K * M), b.AsSpan(0, K * N), c, M, K, N, 0.5f, activations, activation);
                }
            },
            calls: 3,
            "Gemm epilogue overloads");
    }

    [Fact]
    public void MultiplyNT_BiasOfWrongLength_Throws()
    {
        var error = Assert.Throws<ArgumentException>(
            () => Gemm.MultiplyNT(new float[12], new float[20], new float[15], 3, 4, 5, 1f, new float[2], Activation.ReLU));
        Assert.Equal("bias", error.ParamName);
        Assert.Contains("Gemm.MultiplyNT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyNN_UndefinedActivation_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => Gemm.MultiplyNN(new float[12], new float[20], new float[15], 3, 4, 5, 1f, [], (Activation)17));
        Assert.Equal("activation", error.ParamName);
    }

    [Fact]
    public void MultiplyTN_ActivationsOfWrongShape_Throws()
    {
        var error = Assert.Throws<ArgumentException>(
            () => Gemm.MultiplyTN(new float[12], new float[20], new float[15], 3, 4, 5, 1f, new float[14], Activation.Sigmoid));
        Assert.Equal("activations", error.ParamName);
    }

    [Fact]
    public void MultiplyTN_OutputOverActivations_Throws()
    {
        float[] shared = new float[15];
        var error = Assert.Throws<ArgumentException>(
            () => Gemm.MultiplyTN(new float[12], new float[20], shared, 3, 4, 5, 1f, shared, Activation.Tanh));
        Assert.Equal("c", error.ParamName);
    }

    [Fact]
    public void MultiplyTN_LinearWithoutActivations_IsThePlainProduct()
    {
        float[] a = KernelTestSupport.RandomFloats(12, seed: 86);
        float[] b = KernelTestSupport.RandomFloats(20, seed: 87);
        float[] plain = new float[15], fused = new float[15];
        Gemm.MultiplyTN(a, b, plain, 3, 4, 5, 0.5f);
        Gemm.MultiplyTN(a, b, fused, 3, 4, 5, 0.5f, [], Activation.Linear);
        Assert.Equal(plain, fused);
    }
}

/// <summary>
/// Independent double-precision activations and derivatives for the epilogue tests, and the tolerance they are held
/// to: the product's own (1e-5 of Σ|a||b|, plus |bias|) carried through the largest slope of g, or scaled by |g′(a)|
/// for a derivative, plus 1e-6 relative and 2e-7 absolute for the activation itself (what the element-wise activation
/// kernels are allowed).
/// </summary>
internal static class GemmReference
{
    public const double Relative = 1e-5;
    private const double ActivationRelative = 1e-6;
    private const double ActivationAbsolute = 2e-7;

    public static readonly Activation[] Activations =
        [Activation.Linear, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU];

    private static readonly float[] Bias = KernelTestSupport.RandomFloats(1000, seed: 90);

    /// <summary>A bias for half the shapes and activations, none for the other half, so both routes are swept.</summary>
    public static ReadOnlySpan<float> BiasFor(int m, int k, int n, Activation activation) =>
        ((m + k + n + (int)activation) & 1) == 0 ? Bias.AsSpan(0, m) : ReadOnlySpan<float>.Empty;

    /// <summary>Layer outputs in [-1, 1): both signs, so every branch of every derivative is taken.</summary>
    public static float[] ActivationValues(int count) => KernelTestSupport.RandomFloats(count, seed: 91);

    public static double Apply(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.ReLU => Math.Max(0, z),
        Activation.LeakyReLU => z > 0 ? z : 0.01 * z,
        _ => z,
    };

    public static double Derivative(Activation activation, double a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.ReLU => a > 0 ? 1 : 0,
        Activation.LeakyReLU => a > 0 ? 1 : 0.01,
        _ => 1,
    };

    /// <summary>The largest |g′(z)|, which bounds how far an error in z moves g(z).</summary>
    public static double Slope(Activation activation) => activation == Activation.Sigmoid ? 0.25 : 1;

    /// <summary>C must be g(product + bias[row]) within the stated tolerance, and nothing after C may change.</summary>
    public static void AssertForward(
        float[] c, double[] product, double[] magnitude, ReadOnlySpan<float> bias, Activation activation, int m, int n, float sentinel, string context)
    {
        var expected = new double[m * n];
        var allowed = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            double rowBias = bias.IsEmpty ? 0 : bias[i];
            for (int j = 0; j < n; j++)
            {
                int index = (i * n) + j;
                expected[index] = Apply(activation, product[index] + rowBias);
                allowed[index] = (Slope(activation) * Relative * (magnitude[index] + Math.Abs(rowBias))) + (ActivationRelative * Math.Abs(expected[index]));
            }
        }

        KernelTestSupport.AssertClose(c.AsSpan(0, m * n), expected, allowed, 1, ActivationAbsolute, context);
        KernelTestSupport.AssertUntouched(c, m * n, sentinel, context);
    }

    /// <summary>C must be product ⊙ g′(activations) within the stated tolerance, and nothing after C may change.</summary>
    public static void AssertBackward(
        float[] c, double[] product, double[] magnitude, ReadOnlySpan<float> activations, Activation activation, int m, int n, float sentinel, string context)
    {
        var expected = new double[m * n];
        var allowed = new double[m * n];
        for (int index = 0; index < m * n; index++)
        {
            double slope = Derivative(activation, activations[index]);
            expected[index] = product[index] * slope;
            allowed[index] = (Relative * magnitude[index] * Math.Abs(slope)) + (ActivationRelative * Math.Abs(expected[index]));
        }

        KernelTestSupport.AssertClose(c.AsSpan(0, m * n), expected, allowed, 1, ActivationAbsolute, context);
        KernelTestSupport.AssertUntouched(c, m * n, sentinel, context);
    }
}
