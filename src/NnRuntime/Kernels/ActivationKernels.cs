using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Element-wise activations A = g(Z), their backward products dZ = dA ⊙ g'(A), the bias gradient of the feature-major
/// (units × examples) layout, and the per-vector forms the code generated for tiny networks calls.
/// </summary>
/// <remarks>
/// Backward kernels take the activation output A rather than Z: every supported derivative is a function of A
/// (σ' = a(1 - a), tanh' = 1 - a², ReLU' and leaky-ReLU' depend only on the sign of a, which is the sign of z), so the
/// forward cache keeps only A. Every formula is the operator of <see cref="ActivationOperators"/>, the same one the
/// GEMM epilogues and the one-example kernels apply, so a value is the same whichever kernel computed it.
/// </remarks>
public static class ActivationKernels
{
    /// <summary>The slope of leaky ReLU for negative inputs.</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>a = g(z) element-wise.</summary>
    /// <param name="activation">g; any element-wise activation (not <see cref="Activation.Softmax"/>).</param>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">The activations, as long as <paramref name="z"/>; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, the spans overlap without being the same, or
    /// <paramref name="activation"/> is not element-wise.</exception>
    public static void Forward(Activation activation, ReadOnlySpan<float> z, Span<float> a) => Forward(activation, z, a, SimdWidth.Auto);

    /// <summary>grad = grad ⊙ g'(a) element-wise, the derivative written in terms of the activation's output.</summary>
    /// <param name="activation">g, the activation that produced <paramref name="a"/>; any element-wise activation.</param>
    /// <param name="a">The outputs A = g(Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, the spans overlap, or <paramref name="activation"/> is not element-wise.</exception>
    public static void Backward(Activation activation, ReadOnlySpan<float> a, Span<float> grad) => Backward(activation, a, grad, SimdWidth.Auto);

    /// <summary>grad[i] *= a[i]·(1 - a[i]), the sigmoid derivative written in terms of its output.</summary>
    /// <param name="a">The sigmoid outputs A = σ(Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void SigmoidBackward(ReadOnlySpan<float> a, Span<float> grad) => Backward(Activation.Sigmoid, a, grad, SimdWidth.Auto);

    /// <summary>grad[i] *= 1 - a[i]², the tanh derivative written in terms of its output.</summary>
    /// <param name="a">The tanh outputs A = tanh(Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void TanhBackward(ReadOnlySpan<float> a, Span<float> grad) => Backward(Activation.Tanh, a, grad, SimdWidth.Auto);

    /// <summary>grad[i] = a[i] &gt; 0 ? grad[i] : 0.</summary>
    /// <param name="a">The ReLU outputs A = max(0, Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void ReLUBackward(ReadOnlySpan<float> a, Span<float> grad) => Backward(Activation.ReLU, a, grad, SimdWidth.Auto);

    /// <summary>grad[i] = a[i] &gt; 0 ? grad[i] : 0.01·grad[i].</summary>
    /// <param name="a">The leaky-ReLU outputs A = max(0.01·Z, Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void LeakyReLUBackward(ReadOnlySpan<float> a, Span<float> grad) => Backward(Activation.LeakyReLU, a, grad, SimdWidth.Auto);

    /// <summary>db[j] = alpha · Σ_i dz[j, i] for the feature-major dZ (rows × m) of a layer with <c>db.Length</c> rows.</summary>
    /// <param name="dz">dZ, db.Length × m row-major.</param>
    /// <param name="db">The row sums, one float per unit; overwritten.</param>
    /// <param name="m">The number of examples (columns of dZ).</param>
    /// <param name="alpha">Scale applied to each sum, typically 1/m.</param>
    /// <exception cref="ArgumentException">The length of <paramref name="dz"/> is not db.Length × m, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is negative.</exception>
    public static void SumRows(ReadOnlySpan<float> dz, Span<float> db, int m, float alpha) => SumRows(dz, db, m, alpha, SimdWidth.Auto);

    /// <summary>max(0, z) per lane of one vector of examples, for the code generated for tiny networks (see <see cref="TinyKernels"/>), NaN propagating like the span overload.</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReLU(Vector<float> z) => Vector.Max(z, Vector<float>.Zero);

    /// <summary>max(0.01·z, z) per lane.</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LeakyReLU(Vector<float> z) =>
        Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<float>.Zero), z, z * LeakySlope);

    /// <summary>dA · σ'(z), written with a = σ(z): dA · a(1 − a).</summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> SigmoidBackward(Vector<float> a, Vector<float> grad) => grad * (a * (Vector<float>.One - a));

    /// <summary>dA · tanh'(z), written with a = tanh(z): dA · (1 − a²).</summary>
    /// <param name="a">The tanh outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> TanhBackward(Vector<float> a, Vector<float> grad) => grad * (Vector<float>.One - (a * a));

    /// <summary>dA where a &gt; 0, else 0.</summary>
    /// <param name="a">The ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReLUBackward(Vector<float> a, Vector<float> grad) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), grad, Vector<float>.Zero);

    /// <summary>dA where a &gt; 0, else 0.01·dA.</summary>
    /// <param name="a">The leaky-ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LeakyReLUBackward(Vector<float> a, Vector<float> grad) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), grad, grad * LeakySlope);

    /// <summary>max(0, z) per lane of one 512-bit vector of examples (the 512-bit path of tiny networks).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReLU(Vector512<float> z) => ReLUOperator.Invoke<Simd512, Vector512<float>>(z);

    /// <summary>max(0.01·z, z) per lane.</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyReLU(Vector512<float> z) => LeakyReLUOperator.Invoke<Simd512, Vector512<float>>(z);

    /// <summary>dA · a(1 − a).</summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SigmoidBackward(Vector512<float> a, Vector512<float> grad) => SigmoidGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA · (1 − a²).</summary>
    /// <param name="a">The tanh outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> TanhBackward(Vector512<float> a, Vector512<float> grad) => TanhGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA where a &gt; 0, else 0.</summary>
    /// <param name="a">The ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReLUBackward(Vector512<float> a, Vector512<float> grad) => ReLUGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA where a &gt; 0, else 0.01·dA.</summary>
    /// <param name="a">The leaky-ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyReLUBackward(Vector512<float> a, Vector512<float> grad) => LeakyReLUGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    internal static unsafe void Forward(Activation activation, ReadOnlySpan<float> z, Span<float> a, SimdWidth width)
    {
        const string Kernel = "ActivationKernels.Forward";
        KernelGuard.VectorLength(a.Length, z.Length, Kernel, nameof(a), "z.Length");
        KernelGuard.SameOrNoOverlap(a, z, Kernel, nameof(a), nameof(z));
        fixed (float* pz = z)
        fixed (float* pa = a)
        {
            var map = new MapVisitor(pz, pa, z.Length, SimdWidths.Resolve(width));
            ActivationOperators.Visit(activation, ref map, Kernel, nameof(activation));
        }
    }

    internal static unsafe void Backward(Activation activation, ReadOnlySpan<float> a, Span<float> grad, SimdWidth width)
    {
        const string Kernel = "ActivationKernels.Backward";
        KernelGuard.VectorLength(grad.Length, a.Length, Kernel, nameof(grad), "a.Length");
        KernelGuard.NoOverlap(grad, a, Kernel, nameof(grad), nameof(a));
        fixed (float* pa = a)
        fixed (float* pg = grad)
        {
            var scale = new ScaleGradientVisitor(pa, pg, a.Length, SimdWidths.Resolve(width));
            ActivationOperators.Visit(activation, ref scale, Kernel, nameof(activation));
        }
    }

    internal static unsafe void SumRows(ReadOnlySpan<float> dz, Span<float> db, int m, float alpha, SimdWidth width)
    {
        const string Kernel = "ActivationKernels.SumRows";
        KernelGuard.NonNegative(m, Kernel, nameof(m));
        KernelGuard.MatrixLength(dz.Length, db.Length, m, Kernel, nameof(dz), "db.Length", nameof(m));
        KernelGuard.NoOverlap(db, dz, Kernel, nameof(db), nameof(dz));
        SimdWidth resolved = SimdWidths.Resolve(width);
        fixed (float* pdz = dz)
        {
            for (int j = 0; j < db.Length; j++)
            {
                db[j] = alpha * ElementwiseKernels.Sum(pdz + ((nint)j * m), m, resolved);
            }
        }
    }

    private readonly unsafe struct MapVisitor(float* z, float* a, int length, SimdWidth width) : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator =>
            ElementwiseKernels.Map<TActivation>(z, a, length, width);
    }

    private readonly unsafe struct ScaleGradientVisitor(float* a, float* grad, int length, SimdWidth width) : IActivationVisitor
    {
        public void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator =>
            ElementwiseKernels.ScaleGradient<TGradient>(a, grad, length, width);
    }
}
