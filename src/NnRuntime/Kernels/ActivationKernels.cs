using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Element-wise activations g(Z), their backward products dZ = dA ⊙ g'(Z), and the two bias kernels of the
/// feature-major (units × examples) layout.
/// </summary>
/// <remarks>
/// Forward kernels take Z and write A = g(Z), in place (same span) or into a separate span. Backward kernels take the
/// activation output A rather than Z: every supported derivative is a function of A (σ' = a(1 - a), tanh' = 1 - a²,
/// ReLU' and leaky-ReLU' depend only on the sign of a, which is the sign of z), so the forward cache keeps only A.
/// Sigmoid, tanh and ReLU are TensorPrimitives' own vectorized implementations; the rest is written here because
/// TensorPrimitives has no equivalent that avoids a temporary.
/// </remarks>
public static class ActivationKernels
{
    /// <summary>The slope of leaky ReLU for negative inputs.</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>a = σ(z) = 1 / (1 + e^-z).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">The activations, as long as <paramref name="z"/>; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap without being the same.</exception>
    public static void Sigmoid(ReadOnlySpan<float> z, Span<float> a) => Sigmoid(z, a, SimdWidth.Auto);

    /// <summary>a = tanh(z).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">The activations, as long as <paramref name="z"/>; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap without being the same.</exception>
    public static void Tanh(ReadOnlySpan<float> z, Span<float> a) => Tanh(z, a, SimdWidth.Auto);

    /// <summary>a = max(0, z).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">The activations, as long as <paramref name="z"/>; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap without being the same.</exception>
    public static void ReLU(ReadOnlySpan<float> z, Span<float> a) => ReLU(z, a, SimdWidth.Auto);

    /// <summary>a = max(0.01·z, z).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">The activations, as long as <paramref name="z"/>; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap without being the same.</exception>
    public static void LeakyReLU(ReadOnlySpan<float> z, Span<float> a) => LeakyReLU(z, a, SimdWidth.Auto);

    /// <summary>grad[i] *= a[i]·(1 - a[i]), the sigmoid derivative written in terms of its output.</summary>
    /// <param name="a">The sigmoid outputs A = σ(Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> a, Span<float> grad) => SigmoidBackward(a, grad, SimdWidth.Auto);

    /// <summary>grad[i] *= 1 - a[i]², the tanh derivative written in terms of its output.</summary>
    /// <param name="a">The tanh outputs A = tanh(Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    public static void TanhBackward(ReadOnlySpan<float> a, Span<float> grad) => TanhBackward(a, grad, SimdWidth.Auto);

    /// <summary>grad[i] = a[i] &gt; 0 ? grad[i] : 0.</summary>
    /// <param name="a">The ReLU outputs A = max(0, Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    public static void ReLUBackward(ReadOnlySpan<float> a, Span<float> grad) => ReLUBackward(a, grad, SimdWidth.Auto);

    /// <summary>grad[i] = a[i] &gt; 0 ? grad[i] : 0.01·grad[i].</summary>
    /// <param name="a">The leaky-ReLU outputs A = max(0.01·Z, Z) from the forward pass.</param>
    /// <param name="grad">dA on entry, dZ on return; as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    public static void LeakyReLUBackward(ReadOnlySpan<float> a, Span<float> grad) => LeakyReLUBackward(a, grad, SimdWidth.Auto);

    /// <summary>z[j, i] += bias[j] for the feature-major Z (rows × m) of a layer with <c>bias.Length</c> rows.</summary>
    /// <param name="z">Z, bias.Length × m row-major: one row per unit, one column per example.</param>
    /// <param name="bias">b, one float per unit.</param>
    /// <param name="m">The number of examples (columns of Z).</param>
    /// <exception cref="ArgumentException">The length of <paramref name="z"/> is not bias.Length × m, or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is negative.</exception>
    public static void AddBiasRows(Span<float> z, ReadOnlySpan<float> bias, int m) => AddBiasRows(z, bias, m, SimdWidth.Auto);

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReLU(Vector<float> z) => Vector.Max(z, Vector<float>.Zero);

    /// <summary>max(0.01·z, z) per lane.</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LeakyReLU(Vector<float> z) =>
        Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<float>.Zero), z, z * LeakySlope);

    /// <summary>dA · σ'(z), written with a = σ(z): dA · a(1 − a).</summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> SigmoidBackward(Vector<float> a, Vector<float> grad) => grad * (a * (Vector<float>.One - a));

    /// <summary>dA · tanh'(z), written with a = tanh(z): dA · (1 − a²).</summary>
    /// <param name="a">The tanh outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> TanhBackward(Vector<float> a, Vector<float> grad) => grad * (Vector<float>.One - (a * a));

    /// <summary>dA where a &gt; 0, else 0.</summary>
    /// <param name="a">The ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReLUBackward(Vector<float> a, Vector<float> grad) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), grad, Vector<float>.Zero);

    /// <summary>dA where a &gt; 0, else 0.01·dA.</summary>
    /// <param name="a">The leaky-ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LeakyReLUBackward(Vector<float> a, Vector<float> grad) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), grad, grad * LeakySlope);

    /// <summary>max(0, z) per lane of one 512-bit vector of examples (the 512-bit path of tiny networks).</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReLU(Vector512<float> z) => ReLUOperator.Invoke<Simd512, Vector512<float>>(z);

    /// <summary>max(0.01·z, z) per lane.</summary>
    /// <param name="z">The pre-activations.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyReLU(Vector512<float> z) => LeakyReLUOperator.Invoke<Simd512, Vector512<float>>(z);

    /// <summary>dA · a(1 − a).</summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SigmoidBackward(Vector512<float> a, Vector512<float> grad) => SigmoidGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA · (1 − a²).</summary>
    /// <param name="a">The tanh outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> TanhBackward(Vector512<float> a, Vector512<float> grad) => TanhGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA where a &gt; 0, else 0.</summary>
    /// <param name="a">The ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReLUBackward(Vector512<float> a, Vector512<float> grad) => ReLUGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    /// <summary>dA where a &gt; 0, else 0.01·dA.</summary>
    /// <param name="a">The leaky-ReLU outputs.</param>
    /// <param name="grad">dA.</param>
    /// <returns>dZ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyReLUBackward(Vector512<float> a, Vector512<float> grad) => LeakyReLUGradientOperator.Invoke<Simd512, Vector512<float>>(a, grad);

    internal static void Sigmoid(ReadOnlySpan<float> z, Span<float> a, SimdWidth width)
    {
        CheckForward(z, a, "ActivationKernels.Sigmoid");
        if (z.IsEmpty)
        {
            return; // TensorPrimitives rejects empty inputs; an empty layer batch is simply nothing to do.
        }

        if (SimdWidths.Resolve(width) == SimdWidth.Scalar)
        {
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = 1f / (1f + MathF.Exp(-z[i]));
            }

            return;
        }

        TensorPrimitives.Sigmoid(z, a);
    }

    internal static void Tanh(ReadOnlySpan<float> z, Span<float> a, SimdWidth width)
    {
        CheckForward(z, a, "ActivationKernels.Tanh");
        if (z.IsEmpty)
        {
            return; // TensorPrimitives rejects empty inputs; an empty layer batch is simply nothing to do.
        }

        if (SimdWidths.Resolve(width) == SimdWidth.Scalar)
        {
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = MathF.Tanh(z[i]);
            }

            return;
        }

        TensorPrimitives.Tanh(z, a);
    }

    internal static void ReLU(ReadOnlySpan<float> z, Span<float> a, SimdWidth width)
    {
        CheckForward(z, a, "ActivationKernels.ReLU");
        if (z.IsEmpty)
        {
            return; // TensorPrimitives rejects empty inputs; an empty layer batch is simply nothing to do.
        }

        if (SimdWidths.Resolve(width) == SimdWidth.Scalar)
        {
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = MathF.Max(z[i], 0f);
            }

            return;
        }

        TensorPrimitives.Max(z, 0f, a);
    }

    internal static unsafe void LeakyReLU(ReadOnlySpan<float> z, Span<float> a, SimdWidth width)
    {
        CheckForward(z, a, "ActivationKernels.LeakyReLU");
        fixed (float* pz = z)
        fixed (float* pa = a)
        {
            ElementwiseKernels.Map<LeakyReLUOperator>(pz, pa, z.Length, SimdWidths.Resolve(width));
        }
    }

    internal static unsafe void SigmoidBackward(ReadOnlySpan<float> a, Span<float> grad, SimdWidth width)
    {
        CheckBackward(a, grad, "ActivationKernels.SigmoidBackward");
        fixed (float* pa = a)
        fixed (float* pg = grad)
        {
            ElementwiseKernels.ScaleGradient<SigmoidGradientOperator>(pa, pg, a.Length, SimdWidths.Resolve(width));
        }
    }

    internal static unsafe void TanhBackward(ReadOnlySpan<float> a, Span<float> grad, SimdWidth width)
    {
        CheckBackward(a, grad, "ActivationKernels.TanhBackward");
        fixed (float* pa = a)
        fixed (float* pg = grad)
        {
            ElementwiseKernels.ScaleGradient<TanhGradientOperator>(pa, pg, a.Length, SimdWidths.Resolve(width));
        }
    }

    internal static unsafe void ReLUBackward(ReadOnlySpan<float> a, Span<float> grad, SimdWidth width)
    {
        CheckBackward(a, grad, "ActivationKernels.ReLUBackward");
        fixed (float* pa = a)
        fixed (float* pg = grad)
        {
            ElementwiseKernels.ScaleGradient<ReLUGradientOperator>(pa, pg, a.Length, SimdWidths.Resolve(width));
        }
    }

    internal static unsafe void LeakyReLUBackward(ReadOnlySpan<float> a, Span<float> grad, SimdWidth width)
    {
        CheckBackward(a, grad, "ActivationKernels.LeakyReLUBackward");
        fixed (float* pa = a)
        fixed (float* pg = grad)
        {
            ElementwiseKernels.ScaleGradient<LeakyReLUGradientOperator>(pa, pg, a.Length, SimdWidths.Resolve(width));
        }
    }

    internal static unsafe void AddBiasRows(Span<float> z, ReadOnlySpan<float> bias, int m, SimdWidth width)
    {
        const string Kernel = "ActivationKernels.AddBiasRows";
        KernelGuard.NonNegative(m, Kernel, nameof(m));
        KernelGuard.MatrixLength(z.Length, bias.Length, m, Kernel, nameof(z), "bias.Length", nameof(m));
        KernelGuard.NoOverlap(z, bias, Kernel, nameof(z), nameof(bias));
        SimdWidth resolved = SimdWidths.Resolve(width);
        fixed (float* pz = z)
        {
            for (int j = 0; j < bias.Length; j++)
            {
                ElementwiseKernels.AddScalar(pz + ((nint)j * m), m, bias[j], resolved);
            }
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

    private static void CheckForward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, string kernel)
    {
        KernelGuard.VectorLength(a.Length, z.Length, kernel, nameof(a), "z.Length");
        KernelGuard.SameOrNoOverlap(a, z, kernel, nameof(a), nameof(z));
    }

    private static void CheckBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> grad, string kernel)
    {
        KernelGuard.VectorLength(grad.Length, a.Length, kernel, nameof(grad), "a.Length");
        KernelGuard.NoOverlap(grad, a, kernel, nameof(grad), nameof(a));
    }

    // One operator per activation and per derivative: the element-wise kernels here, the GEMM epilogues and the
    // single-example kernels all take them as type arguments, so each formula exists once.

    /// <summary>g(z) = z.</summary>
    internal readonly struct LinearOperator : IUnaryOperator
    {
        public static float Invoke(float x) => x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => x;
    }

    /// <summary>σ(z), by <see cref="VectorMath"/>'s formula at every width.</summary>
    internal readonly struct SigmoidOperator : IUnaryOperator
    {
        public static float Invoke(float x) => VectorMath.Sigmoid(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => VectorMath.Sigmoid<TSimd, TVec>(x);
    }

    /// <summary>tanh(z), by <see cref="VectorMath"/>'s formula at every width.</summary>
    internal readonly struct TanhOperator : IUnaryOperator
    {
        public static float Invoke(float x) => VectorMath.Tanh(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => VectorMath.Tanh<TSimd, TVec>(x);
    }

    /// <summary>max(z, 0); NaN stays NaN.</summary>
    internal readonly struct ReLUOperator : IUnaryOperator
    {
        public static float Invoke(float x) => MathF.Max(x, 0f);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => TSimd.Max(x, TSimd.Zero);
    }

    /// <summary>z for z &gt; 0, else <see cref="LeakySlope"/>·z.</summary>
    internal readonly struct LeakyReLUOperator : IUnaryOperator
    {
        public static float Invoke(float x) => x > 0f ? x : LeakySlope * x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Select(TSimd.GreaterThanZero(x), x, TSimd.Multiply(x, TSimd.Broadcast(LeakySlope)));
    }

    /// <summary>grad · a(1 − a).</summary>
    internal readonly struct SigmoidGradientOperator : IGradientOperator
    {
        public static float Invoke(float activation, float gradient) => gradient * (activation * (1f - activation));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Multiply(gradient, TSimd.Multiply(activation, TSimd.Subtract(TSimd.Broadcast(1f), activation)));
    }

    /// <summary>grad · (1 − a²).</summary>
    internal readonly struct TanhGradientOperator : IGradientOperator
    {
        public static float Invoke(float activation, float gradient) => gradient * (1f - (activation * activation));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Multiply(gradient, TSimd.Subtract(TSimd.Broadcast(1f), TSimd.Multiply(activation, activation)));
    }

    /// <summary>grad where a &gt; 0, else 0.</summary>
    internal readonly struct ReLUGradientOperator : IGradientOperator
    {
        public static float Invoke(float activation, float gradient) => activation > 0f ? gradient : 0f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.And(gradient, TSimd.GreaterThanZero(activation));
    }

    /// <summary>grad where a &gt; 0, else <see cref="LeakySlope"/>·grad.</summary>
    internal readonly struct LeakyReLUGradientOperator : IGradientOperator
    {
        public static float Invoke(float activation, float gradient) => activation > 0f ? gradient : LeakySlope * gradient;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Select(TSimd.GreaterThanZero(activation), gradient, TSimd.Multiply(gradient, TSimd.Broadcast(LeakySlope)));
    }

    /// <summary>grad · 1: the linear activation's derivative.</summary>
    internal readonly struct LinearGradientOperator : IGradientOperator
    {
        public static float Invoke(float activation, float gradient) => gradient;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct => gradient;
    }
}
