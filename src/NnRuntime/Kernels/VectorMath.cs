using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Fast float32 tanh, sigmoid and exp on whole vectors, for the code NnGen generates for tiny layers, where one
/// activation of a handful of values is the largest cost of a call and a span-based kernel's set-up would dominate.
/// </summary>
/// <remarks>
/// <para>
/// <b>tanh</b> is the rational minimax approximation Eigen, MLAS and XNNPACK use: x·P(x²)/Q(x²) with an odd degree-13
/// numerator and an even degree-6 denominator, inputs clamped to ±7.9988 (beyond which tanh rounds to ±1) and
/// returned unchanged below 0.0004 (where tanh x rounds to x). Ten FMAs and one division, no exponential.
/// </para>
/// <para>
/// <b>exp</b> is Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an exact reduction), a degree-7
/// polynomial in r, and 2ⁿ built in the exponent bits. Inputs are clamped to [-87.34, 88]; below -87.34 (where the
/// true result is subnormal) it returns 0. <b>sigmoid</b> is 1/(1 + e) with e = exp(-|x|), and e/(1 + e) for
/// negative x, so it keeps its relative accuracy in the lower tail instead of rounding 1 − σ.
/// </para>
/// <para>
/// Maximum error, measured by <c>VectorMathTests</c> against double-precision references over every 61st float bit
/// pattern (70 million values over the whole range, both signs; results below 2⁻¹²⁶ excluded): tanh 4.38 ulps (at
/// x = 4.71; absolute 2.6e-7), sigmoid 2.71 ulps (x = -3.44; absolute 8.9e-8), exp 1.24 ulps, log 0.77 ulps. The
/// constants <see cref="TanhMaxUlp"/>, <see cref="SigmoidMaxUlp"/>, <see cref="ExpMaxUlp"/> and
/// <see cref="LogMaxUlp"/> round these up, and the test holds the code to them. NaN in gives NaN out (tanh, sigmoid,
/// exp). The same formulas also run on scalars (the <c>float</c> overloads), and every width gives the scalar's
/// result bit for bit, which the test checks too.
/// </para>
/// </remarks>
public static class VectorMath
{
    /// <summary>Largest error of <see cref="Tanh(Vector128{float})"/> in units in the last place of the exact result (measured 4.38).</summary>
    public const int TanhMaxUlp = 5;

    /// <summary>Largest error of <see cref="Sigmoid(Vector128{float})"/> in ulps, for results of at least 2⁻¹²⁶ (smaller ones are flushed to 0).</summary>
    public const int SigmoidMaxUlp = 3;

    /// <summary>Largest error of <see cref="Exp(Vector128{float})"/> in ulps, for results of at least 2⁻¹²⁶.</summary>
    public const int ExpMaxUlp = 2;

    /// <summary>Largest error of <see cref="Log(Vector128{float})"/> in ulps over positive normal inputs.</summary>
    public const int LogMaxUlp = 1;

    /// <summary>tanh of each lane.</summary>
    /// <param name="x">The inputs.</param>
    /// <returns>tanh(x), within <see cref="TanhMaxUlp"/> ulps.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x) => Math<Simd128, Vector128<float>>.Tanh(x);

    /// <inheritdoc cref="Tanh(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) => Math<Simd256, Vector256<float>>.Tanh(x);

    /// <inheritdoc cref="Tanh(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x) => Math<Simd512, Vector512<float>>.Tanh(x);

    /// <inheritdoc cref="Tanh(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x) =>
        Vector<float>.Count == Vector256<float>.Count ? Tanh(x.AsVector256()).AsVector() :
        Vector<float>.Count == Vector512<float>.Count ? Tanh(x.AsVector512()).AsVector() :
        Tanh(x.AsVector128()).AsVector();

    /// <summary>σ(x) = 1 / (1 + e^-x) of each lane.</summary>
    /// <param name="x">The inputs.</param>
    /// <returns>σ(x), within <see cref="SigmoidMaxUlp"/> ulps.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Math<Simd128, Vector128<float>>.Sigmoid(x);

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Math<Simd256, Vector256<float>>.Sigmoid(x);

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Math<Simd512, Vector512<float>>.Sigmoid(x);

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) =>
        Vector<float>.Count == Vector256<float>.Count ? Sigmoid(x.AsVector256()).AsVector() :
        Vector<float>.Count == Vector512<float>.Count ? Sigmoid(x.AsVector512()).AsVector() :
        Sigmoid(x.AsVector128()).AsVector();

    /// <summary>
    /// tanh of two vectors at once, lane for lane the same as <see cref="Tanh(Vector{float})"/> on each: the two
    /// evaluations run step by step side by side, so the CPU overlaps their dependency chains (one tanh is a chain of
    /// about fifty cycles) and each constant is loaded once for both.
    /// </summary>
    /// <param name="first">The first inputs.</param>
    /// <param name="second">The second inputs.</param>
    /// <param name="firstTanh">tanh(<paramref name="first"/>).</param>
    /// <param name="secondTanh">tanh(<paramref name="second"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh(Vector<float> first, Vector<float> second, out Vector<float> firstTanh, out Vector<float> secondTanh)
    {
        if (Vector<float>.Count == Vector256<float>.Count)
        {
            Math<Simd256, Vector256<float>>.Tanh(first.AsVector256(), second.AsVector256(), out Vector256<float> a, out Vector256<float> b);
            (firstTanh, secondTanh) = (a.AsVector(), b.AsVector());
        }
        else if (Vector<float>.Count == Vector512<float>.Count)
        {
            Tanh(first.AsVector512(), second.AsVector512(), out Vector512<float> a, out Vector512<float> b);
            (firstTanh, secondTanh) = (a.AsVector(), b.AsVector());
        }
        else
        {
            Math<Simd128, Vector128<float>>.Tanh(first.AsVector128(), second.AsVector128(), out Vector128<float> a, out Vector128<float> b);
            (firstTanh, secondTanh) = (a.AsVector(), b.AsVector());
        }
    }

    /// <inheritdoc cref="Tanh(Vector{float}, Vector{float}, out Vector{float}, out Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh(Vector512<float> first, Vector512<float> second, out Vector512<float> firstTanh, out Vector512<float> secondTanh) =>
        Math<Simd512, Vector512<float>>.Tanh(first, second, out firstTanh, out secondTanh);

    /// <summary>σ of two vectors at once, lane for lane the same as <see cref="Sigmoid(Vector{float})"/> on each, the two evaluations side by side.</summary>
    /// <param name="first">The first inputs.</param>
    /// <param name="second">The second inputs.</param>
    /// <param name="firstSigmoid">σ(<paramref name="first"/>).</param>
    /// <param name="secondSigmoid">σ(<paramref name="second"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sigmoid(Vector<float> first, Vector<float> second, out Vector<float> firstSigmoid, out Vector<float> secondSigmoid)
    {
        if (Vector<float>.Count == Vector256<float>.Count)
        {
            Math<Simd256, Vector256<float>>.Sigmoid(first.AsVector256(), second.AsVector256(), out Vector256<float> a, out Vector256<float> b);
            (firstSigmoid, secondSigmoid) = (a.AsVector(), b.AsVector());
        }
        else if (Vector<float>.Count == Vector512<float>.Count)
        {
            Sigmoid(first.AsVector512(), second.AsVector512(), out Vector512<float> a, out Vector512<float> b);
            (firstSigmoid, secondSigmoid) = (a.AsVector(), b.AsVector());
        }
        else
        {
            Math<Simd128, Vector128<float>>.Sigmoid(first.AsVector128(), second.AsVector128(), out Vector128<float> a, out Vector128<float> b);
            (firstSigmoid, secondSigmoid) = (a.AsVector(), b.AsVector());
        }
    }

    /// <inheritdoc cref="Sigmoid(Vector{float}, Vector{float}, out Vector{float}, out Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sigmoid(Vector512<float> first, Vector512<float> second, out Vector512<float> firstSigmoid, out Vector512<float> secondSigmoid) =>
        Math<Simd512, Vector512<float>>.Sigmoid(first, second, out firstSigmoid, out secondSigmoid);

    /// <summary>e^x of each lane.</summary>
    /// <param name="x">The inputs.</param>
    /// <returns>e^x, within <see cref="ExpMaxUlp"/> ulps; 0 below -87.34, 1.65e38 above 88.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x) => Math<Simd128, Vector128<float>>.Exp(x);

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) => Math<Simd256, Vector256<float>>.Exp(x);

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x) => Math<Simd512, Vector512<float>>.Exp(x);

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x) =>
        Vector<float>.Count == Vector256<float>.Count ? Exp(x.AsVector256()).AsVector() :
        Vector<float>.Count == Vector512<float>.Count ? Exp(x.AsVector512()).AsVector() :
        Exp(x.AsVector128()).AsVector();

    /// <summary>The natural logarithm of each lane, for positive normal inputs (what a clamped probability is).</summary>
    /// <param name="x">The inputs, in [2⁻¹²⁶, float.MaxValue].</param>
    /// <returns>ln x, within <see cref="LogMaxUlp"/> ulps; unspecified for zero, negative, subnormal, infinite or NaN input.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> x) => Math<Simd128, Vector128<float>>.Log(x);

    /// <inheritdoc cref="Log(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x) => Math<Simd256, Vector256<float>>.Log(x);

    /// <inheritdoc cref="Log(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x) => Math<Simd512, Vector512<float>>.Log(x);

    /// <inheritdoc cref="Log(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> x) =>
        Vector<float>.Count == Vector256<float>.Count ? Log(x.AsVector256()).AsVector() :
        Vector<float>.Count == Vector512<float>.Count ? Log(x.AsVector512()).AsVector() :
        Log(x.AsVector128()).AsVector();

    /// <summary>The same log on one value.</summary>
    /// <param name="x">The input, in [2⁻¹²⁶, float.MaxValue].</param>
    /// <returns>ln x, within <see cref="LogMaxUlp"/> ulps.</returns>
    public static float Log(float x) => Log(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary>The same tanh on one value (computed in one lane of a 128-bit vector, so it equals every width bit for bit).</summary>
    /// <param name="x">The input.</param>
    /// <returns>tanh(x), within <see cref="TanhMaxUlp"/> ulps.</returns>
    public static float Tanh(float x) => Tanh(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary>The same sigmoid on one value.</summary>
    /// <param name="x">The input.</param>
    /// <returns>σ(x), within <see cref="SigmoidMaxUlp"/> ulps.</returns>
    public static float Sigmoid(float x) => Sigmoid(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary>The same exp on one value.</summary>
    /// <param name="x">The input.</param>
    /// <returns>e^x, within <see cref="ExpMaxUlp"/> ulps.</returns>
    public static float Exp(float x) => Exp(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary>tanh at the width of <typeparamref name="TSimd"/>, for kernels written once over <see cref="ISimdOps{TVec}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Tanh<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => Math<TSimd, TVec>.Tanh(x);

    /// <summary>σ at the width of <typeparamref name="TSimd"/>, for kernels written once over <see cref="ISimdOps{TVec}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Sigmoid<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct => Math<TSimd, TVec>.Sigmoid(x);

    /// <summary>The formulas, written once over <see cref="ISimdOps{TVec}"/> and specialized per width by the JIT.</summary>
    private static class Math<TOps, T>
        where TOps : struct, ISimdOps<T>
        where T : struct
    {
        // tanh: Eigen's ptanh_float coefficients (odd numerator, even denominator).
        private const float TanhClamp = 7.99881172180175781f;
        private const float TanhTiny = 0.0004f;
        private const float Alpha1 = 4.89352455891786e-03f;
        private const float Alpha3 = 6.37261928875436e-04f;
        private const float Alpha5 = 1.48572235717979e-05f;
        private const float Alpha7 = 5.12229709037114e-08f;
        private const float Alpha9 = -8.60467152213735e-11f;
        private const float Alpha11 = 2.00018790482477e-13f;
        private const float Alpha13 = -2.76076847742355e-16f;
        private const float Beta0 = 4.89352518554385e-03f;
        private const float Beta2 = 2.26843463243900e-03f;
        private const float Beta4 = 1.18534705686654e-04f;
        private const float Beta6 = 1.19825839466702e-06f;

        // exp: Cephes expf.
        private const float ExpHigh = 88.0f;
        private const float ExpLow = -87.3365447505531f;
        private const float Log2E = 1.44269504088896341f;
        private const float Ln2High = 0.693359375f;
        private const float Ln2Low = -2.12194440e-4f;
        private const float P0 = 1.9875691500E-4f;
        private const float P1 = 1.3981999507E-3f;
        private const float P2 = 8.3334519073E-3f;
        private const float P3 = 4.1665795894E-2f;
        private const float P4 = 1.6666665459E-1f;
        private const float P5 = 5.0000001201E-1f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Tanh(T x)
        {
            T clamped = TOps.Clamp(x, TOps.Broadcast(-TanhClamp), TOps.Broadcast(TanhClamp));
            T x2 = TOps.Multiply(clamped, clamped);
            T p = TOps.MultiplyAdd(x2, TOps.Broadcast(Alpha13), TOps.Broadcast(Alpha11));
            p = TOps.MultiplyAdd(x2, p, TOps.Broadcast(Alpha9));
            p = TOps.MultiplyAdd(x2, p, TOps.Broadcast(Alpha7));
            p = TOps.MultiplyAdd(x2, p, TOps.Broadcast(Alpha5));
            p = TOps.MultiplyAdd(x2, p, TOps.Broadcast(Alpha3));
            p = TOps.MultiplyAdd(x2, p, TOps.Broadcast(Alpha1));
            p = TOps.Multiply(clamped, p);
            T q = TOps.MultiplyAdd(x2, TOps.Broadcast(Beta6), TOps.Broadcast(Beta4));
            q = TOps.MultiplyAdd(x2, q, TOps.Broadcast(Beta2));
            q = TOps.MultiplyAdd(x2, q, TOps.Broadcast(Beta0));
            T result = TOps.Divide(p, q);

            // Tiny inputs (and ±0, keeping its sign) are their own tanh, and a NaN fails the compare and comes back as
            // itself: one compare and one blend for both.
            return TOps.Select(TOps.GreaterThanOrEqual(TOps.Abs(x), TOps.Broadcast(TanhTiny)), result, x);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sigmoid(T x)
        {
            T e = Exp(TOps.Negate(TOps.Abs(x)));
            T one = TOps.Broadcast(1f);
            T s = TOps.Divide(one, TOps.Add(one, e));
            return TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Multiply(e, s), s);
        }

        /// <summary><see cref="Tanh(T)"/> of two vectors, every step written for both so their chains overlap.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Tanh(T x, T y, out T tanhX, out T tanhY)
        {
            T cx = TOps.Clamp(x, TOps.Broadcast(-TanhClamp), TOps.Broadcast(TanhClamp));
            T cy = TOps.Clamp(y, TOps.Broadcast(-TanhClamp), TOps.Broadcast(TanhClamp));
            T x2 = TOps.Multiply(cx, cx);
            T y2 = TOps.Multiply(cy, cy);
            T px = TOps.MultiplyAdd(x2, TOps.Broadcast(Alpha13), TOps.Broadcast(Alpha11));
            T py = TOps.MultiplyAdd(y2, TOps.Broadcast(Alpha13), TOps.Broadcast(Alpha11));
            px = TOps.MultiplyAdd(x2, px, TOps.Broadcast(Alpha9));
            py = TOps.MultiplyAdd(y2, py, TOps.Broadcast(Alpha9));
            px = TOps.MultiplyAdd(x2, px, TOps.Broadcast(Alpha7));
            py = TOps.MultiplyAdd(y2, py, TOps.Broadcast(Alpha7));
            px = TOps.MultiplyAdd(x2, px, TOps.Broadcast(Alpha5));
            py = TOps.MultiplyAdd(y2, py, TOps.Broadcast(Alpha5));
            px = TOps.MultiplyAdd(x2, px, TOps.Broadcast(Alpha3));
            py = TOps.MultiplyAdd(y2, py, TOps.Broadcast(Alpha3));
            px = TOps.MultiplyAdd(x2, px, TOps.Broadcast(Alpha1));
            py = TOps.MultiplyAdd(y2, py, TOps.Broadcast(Alpha1));
            px = TOps.Multiply(cx, px);
            py = TOps.Multiply(cy, py);
            T qx = TOps.MultiplyAdd(x2, TOps.Broadcast(Beta6), TOps.Broadcast(Beta4));
            T qy = TOps.MultiplyAdd(y2, TOps.Broadcast(Beta6), TOps.Broadcast(Beta4));
            qx = TOps.MultiplyAdd(x2, qx, TOps.Broadcast(Beta2));
            qy = TOps.MultiplyAdd(y2, qy, TOps.Broadcast(Beta2));
            qx = TOps.MultiplyAdd(x2, qx, TOps.Broadcast(Beta0));
            qy = TOps.MultiplyAdd(y2, qy, TOps.Broadcast(Beta0));
            tanhX = TOps.Select(TOps.GreaterThanOrEqual(TOps.Abs(x), TOps.Broadcast(TanhTiny)), TOps.Divide(px, qx), x);
            tanhY = TOps.Select(TOps.GreaterThanOrEqual(TOps.Abs(y), TOps.Broadcast(TanhTiny)), TOps.Divide(py, qy), y);
        }

        /// <summary><see cref="Sigmoid(T)"/> of two vectors, every step of exp and the division written for both.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Sigmoid(T x, T y, out T sigmoidX, out T sigmoidY)
        {
            Exp(TOps.Negate(TOps.Abs(x)), TOps.Negate(TOps.Abs(y)), out T ex, out T ey);
            T one = TOps.Broadcast(1f);
            T sx = TOps.Divide(one, TOps.Add(one, ex));
            T sy = TOps.Divide(one, TOps.Add(one, ey));
            sigmoidX = TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Multiply(ex, sx), sx);
            sigmoidY = TOps.Select(TOps.LessThan(y, TOps.Zero), TOps.Multiply(ey, sy), sy);
        }

        /// <summary><see cref="Exp(T)"/> of two vectors, step by step side by side.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Exp(T x, T y, out T expX, out T expY)
        {
            T cx = TOps.Clamp(x, TOps.Broadcast(ExpLow), TOps.Broadcast(ExpHigh));
            T cy = TOps.Clamp(y, TOps.Broadcast(ExpLow), TOps.Broadcast(ExpHigh));
            T nx = TOps.Round(TOps.Multiply(cx, TOps.Broadcast(Log2E)));
            T ny = TOps.Round(TOps.Multiply(cy, TOps.Broadcast(Log2E)));
            T rx = TOps.MultiplyAdd(nx, TOps.Broadcast(-Ln2High), cx);
            T ry = TOps.MultiplyAdd(ny, TOps.Broadcast(-Ln2High), cy);
            rx = TOps.MultiplyAdd(nx, TOps.Broadcast(-Ln2Low), rx);
            ry = TOps.MultiplyAdd(ny, TOps.Broadcast(-Ln2Low), ry);
            T px = TOps.MultiplyAdd(rx, TOps.Broadcast(P0), TOps.Broadcast(P1));
            T py = TOps.MultiplyAdd(ry, TOps.Broadcast(P0), TOps.Broadcast(P1));
            px = TOps.MultiplyAdd(rx, px, TOps.Broadcast(P2));
            py = TOps.MultiplyAdd(ry, py, TOps.Broadcast(P2));
            px = TOps.MultiplyAdd(rx, px, TOps.Broadcast(P3));
            py = TOps.MultiplyAdd(ry, py, TOps.Broadcast(P3));
            px = TOps.MultiplyAdd(rx, px, TOps.Broadcast(P4));
            py = TOps.MultiplyAdd(ry, py, TOps.Broadcast(P4));
            px = TOps.MultiplyAdd(rx, px, TOps.Broadcast(P5));
            py = TOps.MultiplyAdd(ry, py, TOps.Broadcast(P5));
            px = TOps.MultiplyAdd(TOps.Multiply(rx, rx), px, TOps.Add(rx, TOps.Broadcast(1f)));
            py = TOps.MultiplyAdd(TOps.Multiply(ry, ry), py, TOps.Add(ry, TOps.Broadcast(1f)));
            T resultX = TOps.Multiply(px, TOps.Pow2(nx));
            T resultY = TOps.Multiply(py, TOps.Pow2(ny));
            expX = TOps.Select(TOps.LessThan(x, TOps.Broadcast(ExpLow)), TOps.Zero, TOps.Select(TOps.IsNaN(x), x, resultX));
            expY = TOps.Select(TOps.LessThan(y, TOps.Broadcast(ExpLow)), TOps.Zero, TOps.Select(TOps.IsNaN(y), y, resultY));
        }

        // log: Cephes logf.
        private const float Sqrt2 = 1.41421356237309505f;
        private const float L0 = 7.0376836292E-2f;
        private const float L1 = -1.1514610310E-1f;
        private const float L2 = 1.1676998740E-1f;
        private const float L3 = -1.2420140846E-1f;
        private const float L4 = 1.4249322787E-1f;
        private const float L5 = -1.6668057665E-1f;
        private const float L6 = 2.0000714765E-1f;
        private const float L7 = -2.4999993993E-1f;
        private const float L8 = 3.3333331174E-1f;

        /// <summary>x = 2^e · f with f in [√½, √2] after moving one factor of 2 if needed: ln x = e·ln2 + ln f, ln(1 + r) by a degree-9 polynomial in r = f − 1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Log(T x)
        {
            T e = TOps.Exponent(x);
            T f = TOps.Mantissa(x);
            T large = TOps.LessThan(TOps.Broadcast(Sqrt2), f);
            e = TOps.Add(e, TOps.Select(large, TOps.Broadcast(1f), TOps.Zero));
            T r = TOps.Subtract(TOps.Select(large, TOps.Multiply(f, TOps.Broadcast(0.5f)), f), TOps.Broadcast(1f));
            T z = TOps.Multiply(r, r);
            T y = TOps.MultiplyAdd(r, TOps.Broadcast(L0), TOps.Broadcast(L1));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L2));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L3));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L4));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L5));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L6));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L7));
            y = TOps.MultiplyAdd(r, y, TOps.Broadcast(L8));
            y = TOps.Multiply(TOps.Multiply(y, z), r);
            y = TOps.MultiplyAdd(e, TOps.Broadcast(Ln2Low), y);
            y = TOps.MultiplyAdd(z, TOps.Broadcast(-0.5f), y);
            return TOps.MultiplyAdd(e, TOps.Broadcast(Ln2High), TOps.Add(r, y));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Exp(T x)
        {
            T clamped = TOps.Clamp(x, TOps.Broadcast(ExpLow), TOps.Broadcast(ExpHigh));
            T n = TOps.Round(TOps.Multiply(clamped, TOps.Broadcast(Log2E)));
            T r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2High), clamped);
            r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Low), r);
            T p = TOps.MultiplyAdd(r, TOps.Broadcast(P0), TOps.Broadcast(P1));
            p = TOps.MultiplyAdd(r, p, TOps.Broadcast(P2));
            p = TOps.MultiplyAdd(r, p, TOps.Broadcast(P3));
            p = TOps.MultiplyAdd(r, p, TOps.Broadcast(P4));
            p = TOps.MultiplyAdd(r, p, TOps.Broadcast(P5));
            p = TOps.MultiplyAdd(TOps.Multiply(r, r), p, TOps.Add(r, TOps.Broadcast(1f)));
            T result = TOps.Multiply(p, TOps.Pow2(n));

            // Below the clamp the true result is subnormal or zero; a NaN compares false and propagates through p.
            return TOps.Select(TOps.LessThan(x, TOps.Broadcast(ExpLow)), TOps.Zero, TOps.Select(TOps.IsNaN(x), x, result));
        }
    }
}
