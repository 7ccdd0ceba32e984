using System.Runtime.CompilerServices;

namespace NnGen.Kernels;

/// <summary>
/// What a product tile does to its final values on the way into C, while they are still in registers: nothing, a
/// row bias plus an activation (forward), or a product with an activation's derivative (backward). Tiles take the
/// epilogue as a struct type argument, so the plain product compiles to exactly the code it had without one.
/// </summary>
/// <remarks>
/// A tile calls <see cref="Apply{TSimd, TVec}(TVec, float*, int)"/> only on a value that is final, that is, after
/// its last depth block; earlier blocks store partial sums untouched. <c>c</c> is the address the value is about to be
/// stored at and <c>row</c> its absolute row in C, which is all an epilogue needs to find its bias or activation.
/// </remarks>
internal unsafe interface IGemmEpilogue
{
    /// <summary>True only for <see cref="NoEpilogue"/>: tiles test it so the JIT drops the call entirely.</summary>
    static abstract bool IsNone { get; }

    /// <summary>The final value of C[row, c .. c + width) transformed.</summary>
    TVec Apply<TSimd, TVec>(TVec value, float* c, int row)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct;

    /// <summary>The final value of C[row, c] transformed.</summary>
    float Apply(float value, float* c, int row);
}

/// <summary>The plain product.</summary>
internal readonly unsafe struct NoEpilogue : IGemmEpilogue
{
    public static bool IsNone => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TSimd, TVec>(TVec value, float* c, int row)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float value, float* c, int row) => value;
}

/// <summary>C = g(value + bias[row]); a null bias adds nothing. The forward pass of a dense layer: Z → A in one store.</summary>
internal readonly unsafe struct BiasActivationEpilogue<TActivation>(float* bias) : IGemmEpilogue
    where TActivation : struct, IUnaryOperator
{
    private readonly float* _bias = bias;

    public static bool IsNone => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TSimd, TVec>(TVec value, float* c, int row)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TActivation.Invoke<TSimd, TVec>(_bias == null ? value : TSimd.Add(value, TSimd.Broadcast(_bias[row])));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float value, float* c, int row) => TActivation.Invoke(_bias == null ? value : value + _bias[row]);
}

/// <summary>
/// C = value ⊙ g′ evaluated from the layer's activations, which have C's shape and sit
/// <c>activationsOffset</c> floats away from it: the backward pass dZ = dA ⊙ g′(A) in one store.
/// </summary>
internal readonly unsafe struct ActivationGradientEpilogue<TGradient>(nint activationsOffset) : IGemmEpilogue
    where TGradient : struct, IGradientOperator
{
    private readonly nint _activationsOffset = activationsOffset;

    public static bool IsNone => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TSimd, TVec>(TVec value, float* c, int row)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TGradient.Invoke<TSimd, TVec>(TSimd.Load(c + _activationsOffset), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float value, float* c, int row) => TGradient.Invoke(c[_activationsOffset], value);
}
