using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>y = f(x), one element at a time, at scalar and at every vector width.</summary>
internal interface IUnaryOperator
{
    /// <summary>
    /// Whether f is a long dependency chain per vector (a polynomial and a division), so kernels run it over a whole
    /// output in one pass, where independent vectors pipeline, rather than in each tile's store.
    /// </summary>
    static abstract bool IsTranscendental { get; }

    static abstract float Invoke(float x);

    static abstract TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct;
}

/// <summary>grad = grad · g'(a), where a = g(z) is the activation's own output.</summary>
internal interface IGradientOperator
{
    static abstract float Invoke(float activation, float gradient);

    static abstract TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct;
}

/// <summary>What a kernel does once it knows an activation's operators: it is compiled once per operator pair.</summary>
internal interface IActivationVisitor
{
    void Visit<TActivation, TGradient>()
        where TActivation : struct, IUnaryOperator
        where TGradient : struct, IGradientOperator;
}

/// <summary>
/// The runtime's one table of activations: each element-wise <see cref="Activation"/> maps to its operator and its
/// derivative's operator here and nowhere else. The GEMM epilogues, the one-example kernels and the element-wise
/// kernels all dispatch through <see cref="Visit{TVisitor}(Activation, ref TVisitor, string, string)"/>, so adding an
/// activation to the runtime is one row below and one pair of operators.
/// </summary>
internal static class ActivationOperators
{
    /// <summary>Calls <paramref name="visitor"/> with <paramref name="activation"/>'s operators.</summary>
    /// <exception cref="ArgumentException"><paramref name="activation"/> is not element-wise (softmax) or not defined; the message names <paramref name="kernel"/> and <paramref name="parameter"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Visit<TVisitor>(Activation activation, ref TVisitor visitor, string kernel, string parameter)
        where TVisitor : struct, IActivationVisitor
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                visitor.Visit<SigmoidOperator, SigmoidGradientOperator>();
                break;
            case Activation.Tanh:
                visitor.Visit<TanhOperator, TanhGradientOperator>();
                break;
            case Activation.ReLU:
                visitor.Visit<ReLUOperator, ReLUGradientOperator>();
                break;
            case Activation.LeakyReLU:
                visitor.Visit<LeakyReLUOperator, LeakyReLUGradientOperator>();
                break;
            case Activation.Linear:
                visitor.Visit<LinearOperator, LinearGradientOperator>();
                break;
            default:
                ThrowNotElementwise(activation, kernel, parameter);
                break;
        }
    }

    /// <summary>Checks that <paramref name="activation"/> has element-wise operators, before a kernel writes anything.</summary>
    /// <exception cref="ArgumentException">It has none.</exception>
    internal static void Check(Activation activation, string kernel, string parameter)
    {
        var none = default(NoVisitor);
        Visit(activation, ref none, kernel, parameter);
    }

    [DoesNotReturn]
    private static void ThrowNotElementwise(Activation activation, string kernel, string parameter) =>
        throw (Enum.IsDefined(activation)
            ? new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{kernel}: {parameter} is {activation}, which is not element-wise (it couples the units of one example); this kernel applies an element-wise activation only."),
                parameter)
            : new ArgumentOutOfRangeException(
                parameter,
                activation,
                string.Create(CultureInfo.InvariantCulture, $"{kernel}: {parameter} {(int)activation} is not a defined Activation.")));

    private struct NoVisitor : IActivationVisitor
    {
        public readonly void Visit<TActivation, TGradient>()
            where TActivation : struct, IUnaryOperator
            where TGradient : struct, IGradientOperator
        {
        }
    }
}

/// <summary>g(z) = z.</summary>
internal readonly struct LinearOperator : IUnaryOperator
{
    public static bool IsTranscendental => false;

    public static float Invoke(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => x;
}

/// <summary>σ(z), by <see cref="VectorMath"/>'s formula at every width.</summary>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static bool IsTranscendental => true;

    public static float Invoke(float x) => VectorMath.Sigmoid(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => VectorMath.Sigmoid<TSimd, TVec>(x);
}

/// <summary>tanh(z), by <see cref="VectorMath"/>'s formula at every width.</summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    public static bool IsTranscendental => true;

    public static float Invoke(float x) => VectorMath.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => VectorMath.Tanh<TSimd, TVec>(x);
}

/// <summary>max(z, 0); NaN stays NaN.</summary>
internal readonly struct ReLUOperator : IUnaryOperator
{
    public static bool IsTranscendental => false;

    public static float Invoke(float x) => MathF.Max(x, 0f);

    /// <remarks>
    /// The same bits as <c>Max(x, 0)</c> in two instructions where the IEEE-exact Max takes six: the native max of
    /// (0, x) returns x itself when x is NaN (x86 returns its second operand when either is NaN; Arm returns NaN) and
    /// x for -0 (both compare equal), and adding +0 then turns -0 into +0 and leaves every other value as it is. Kernels
    /// apply ReLU as they store each block of sums, so its cost counts once per block (docs/performance.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> v = Unsafe.BitCast<TVec, Vector128<float>>(x);
            return Unsafe.BitCast<Vector128<float>, TVec>(Vector128.MaxNative(Vector128<float>.Zero, v) + Vector128<float>.Zero);
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<float> v = Unsafe.BitCast<TVec, Vector256<float>>(x);
            return Unsafe.BitCast<Vector256<float>, TVec>(Vector256.MaxNative(Vector256<float>.Zero, v) + Vector256<float>.Zero);
        }

        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<float> v = Unsafe.BitCast<TVec, Vector512<float>>(x);
            return Unsafe.BitCast<Vector512<float>, TVec>(Vector512.MaxNative(Vector512<float>.Zero, v) + Vector512<float>.Zero);
        }

        return TSimd.Max(x, TSimd.Zero);
    }
}

/// <summary>z for z &gt; 0, else <see cref="ActivationKernels.LeakySlope"/>·z.</summary>
internal readonly struct LeakyReLUOperator : IUnaryOperator
{
    public static bool IsTranscendental => false;

    public static float Invoke(float x) => x > 0f ? x : ActivationKernels.LeakySlope * x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TSimd.Select(TSimd.GreaterThanZero(x), x, TSimd.Multiply(x, TSimd.Broadcast(ActivationKernels.LeakySlope)));
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

/// <summary>grad where a &gt; 0, else <see cref="ActivationKernels.LeakySlope"/>·grad.</summary>
internal readonly struct LeakyReLUGradientOperator : IGradientOperator
{
    public static float Invoke(float activation, float gradient) => activation > 0f ? gradient : ActivationKernels.LeakySlope * gradient;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec activation, TVec gradient)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TSimd.Select(TSimd.GreaterThanZero(activation), gradient, TSimd.Multiply(gradient, TSimd.Broadcast(ActivationKernels.LeakySlope)));
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
