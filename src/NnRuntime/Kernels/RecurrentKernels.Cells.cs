using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// The gate arithmetic of one example's row of units, forward and backward, written once over
/// <see cref="ISimdOps{TVec}"/>. <see cref="RunLanes{TCell}(ref TCell, int, SimdWidth)"/> takes whole vectors at the widest enabled width, then narrower
/// ones, and the leftover units one at a time in lane 0 of a 128-bit vector: the same operations on every lane, so
/// every width and every split of a row gives the same bits.
/// </summary>
public static unsafe partial class RecurrentKernels
{
    /// <summary>How a cell reads and writes its operands: whole vectors, or one float in lane 0.</summary>
    private interface ILanes<TVec>
        where TVec : struct
    {
        static abstract int Count { get; }

        static abstract TVec Load(float* source);

        static abstract void Store(TVec value, float* destination);
    }

    /// <summary>The arithmetic for units [j, j + TLanes.Count) of one row.</summary>
    private interface ICell
    {
        void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>;
    }

    private static void RunLanes<TCell>(ref TCell cell, int units, SimdWidth width)
        where TCell : struct, ICell =>
        RunLanes(ref cell, 0, units, width);

    /// <summary>Units [<paramref name="j"/>, <paramref name="units"/>) as <see cref="RunLanes{TCell}(ref TCell, int, SimdWidth)"/> takes them all.</summary>
    private static void RunLanes<TCell>(ref TCell cell, int j, int units, SimdWidth width)
        where TCell : struct, ICell
    {
        if (width >= SimdWidth.V512)
        {
            j = Lanes<TCell, Simd512, Vector512<float>, Whole<Simd512, Vector512<float>>>(ref cell, j, units);
        }

        if (width >= SimdWidth.V256)
        {
            j = Lanes<TCell, Simd256, Vector256<float>, Whole<Simd256, Vector256<float>>>(ref cell, j, units);
        }

        if (width >= SimdWidth.V128)
        {
            j = Lanes<TCell, Simd128, Vector128<float>, Whole<Simd128, Vector128<float>>>(ref cell, j, units);
        }

        Lanes<TCell, Simd128, Vector128<float>, FirstLane>(ref cell, j, units);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Lanes<TCell, TSimd, TVec, TLanes>(ref TCell cell, int j, int units)
        where TCell : struct, ICell
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TLanes : struct, ILanes<TVec>
    {
        for (; j <= units - TLanes.Count; j += TLanes.Count)
        {
            cell.Compute<TSimd, TVec, TLanes>(j);
        }

        return j;
    }

    private readonly struct Whole<TSimd, TVec> : ILanes<TVec>
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
    {
        public static int Count => TSimd.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Load(float* source) => TSimd.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(TVec value, float* destination) => TSimd.Store(value, destination);
    }

    private readonly struct FirstLane : ILanes<Vector128<float>>
    {
        public static int Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(float* source) => Vector128.CreateScalar(*source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, float* destination) => *destination = value.ToScalar();
    }

    /// <summary>
    /// (x + b_x) + (r + b_r) for one gate: the input side's sum, then the hidden side's, then theirs, in this order
    /// everywhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec PreActivation<TSimd, TVec, TLanes>(float* projection, float* biasIh, float* recurrent, float* biasHh)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TLanes : struct, ILanes<TVec> =>
        TSimd.Add(TSimd.Add(TLanes.Load(projection), TLanes.Load(biasIh)), TSimd.Add(TLanes.Load(recurrent), TLanes.Load(biasHh)));

    /// <summary>
    /// One LSTM row: i, f, g, o from the products and biases, c' = f∘c + i∘g, h' = o∘tanh(c'). With a cache row it also
    /// keeps the four activations (over the projections, which it has read), c' and tanh(c').
    /// </summary>
    private readonly struct LstmCell(
        float* projection, float* recurrent, float* biasIh, float* biasHh, float* c, float* h, int units, float* gates, float* cellOut, float* tanhOut) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec i = VectorMath.Sigmoid<TSimd, TVec>(PreActivation<TSimd, TVec, TLanes>(projection + j, biasIh + j, recurrent + j, biasHh + j));
            TVec f = VectorMath.Sigmoid<TSimd, TVec>(PreActivation<TSimd, TVec, TLanes>(projection + u + j, biasIh + u + j, recurrent + u + j, biasHh + u + j));
            TVec g = VectorMath.Tanh<TSimd, TVec>(
                PreActivation<TSimd, TVec, TLanes>(projection + (2 * u) + j, biasIh + (2 * u) + j, recurrent + (2 * u) + j, biasHh + (2 * u) + j));
            TVec o = VectorMath.Sigmoid<TSimd, TVec>(
                PreActivation<TSimd, TVec, TLanes>(projection + (3 * u) + j, biasIh + (3 * u) + j, recurrent + (3 * u) + j, biasHh + (3 * u) + j));
            TVec cNext = TSimd.Add(TSimd.Multiply(f, TLanes.Load(c + j)), TSimd.Multiply(i, g));
            TVec tanhC = VectorMath.Tanh<TSimd, TVec>(cNext);
            TLanes.Store(cNext, c + j);
            TLanes.Store(TSimd.Multiply(o, tanhC), h + j);
            if (gates != null)
            {
                TLanes.Store(i, gates + j);
                TLanes.Store(f, gates + u + j);
                TLanes.Store(g, gates + (2 * u) + j);
                TLanes.Store(o, gates + (3 * u) + j);
                TLanes.Store(cNext, cellOut + j);
                TLanes.Store(tanhC, tanhOut + j);
            }
        }
    }

    /// <summary>
    /// One GRU row: r, z, then n = tanh(x_n + b_in + r∘(W_hn h + b_hn)) and h' = n + z∘(h − n). h' may be written over h
    /// (streaming). With a cache row it keeps r, z, n over the projections and W_hn h + b_hn.
    /// </summary>
    private readonly struct GruCell(
        float* projection, float* recurrent, float* biasIh, float* biasHh, float* previous, float* h, int units, float* gates, float* hiddenNewOut) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec r = VectorMath.Sigmoid<TSimd, TVec>(PreActivation<TSimd, TVec, TLanes>(projection + j, biasIh + j, recurrent + j, biasHh + j));
            TVec z = VectorMath.Sigmoid<TSimd, TVec>(PreActivation<TSimd, TVec, TLanes>(projection + u + j, biasIh + u + j, recurrent + u + j, biasHh + u + j));
            TVec hiddenNew = TSimd.Add(TLanes.Load(recurrent + (2 * u) + j), TLanes.Load(biasHh + (2 * u) + j));
            TVec inputNew = TSimd.Add(TLanes.Load(projection + (2 * u) + j), TLanes.Load(biasIh + (2 * u) + j));
            TVec n = VectorMath.Tanh<TSimd, TVec>(TSimd.Add(inputNew, TSimd.Multiply(r, hiddenNew)));
            TVec hPrevious = TLanes.Load(previous + j);
            TLanes.Store(TSimd.Add(n, TSimd.Multiply(z, TSimd.Subtract(hPrevious, n))), h + j);
            if (gates != null)
            {
                TLanes.Store(r, gates + j);
                TLanes.Store(z, gates + u + j);
                TLanes.Store(n, gates + (2 * u) + j);
                TLanes.Store(hiddenNew, hiddenNewOut + j);
            }
        }
    }

    /// <summary>
    /// One LSTM row backward at step t. dh = dhs_t + (what h_t passed to step t + 1); dc (the carry from step t + 1,
    /// in place) gains dh∘o∘(1 − tanh²c_t); the pre-activation gradients go to dA; the carry becomes dc∘f for step t − 1.
    /// </summary>
    private readonly struct LstmBackwardCell(
        float* dhAbove, float* dhNext, float* dc, float* gates, float* cPrevious, float* tanhC, float* dA, int units) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec one = TSimd.Broadcast(1f);
            TVec dh = TSimd.Add(TLanes.Load(dhAbove + j), TLanes.Load(dhNext + j));
            TVec i = TLanes.Load(gates + j);
            TVec f = TLanes.Load(gates + u + j);
            TVec g = TLanes.Load(gates + (2 * u) + j);
            TVec o = TLanes.Load(gates + (3 * u) + j);
            TVec tc = TLanes.Load(tanhC + j);
            TVec dcTotal = TSimd.Add(TLanes.Load(dc + j), TSimd.Multiply(TSimd.Multiply(dh, o), TSimd.Subtract(one, TSimd.Multiply(tc, tc))));
            TLanes.Store(TSimd.Multiply(TSimd.Multiply(dcTotal, g), TSimd.Multiply(i, TSimd.Subtract(one, i))), dA + j);
            TLanes.Store(TSimd.Multiply(TSimd.Multiply(dcTotal, TLanes.Load(cPrevious + j)), TSimd.Multiply(f, TSimd.Subtract(one, f))), dA + u + j);
            TLanes.Store(TSimd.Multiply(TSimd.Multiply(dcTotal, i), TSimd.Subtract(one, TSimd.Multiply(g, g))), dA + (2 * u) + j);
            TLanes.Store(TSimd.Multiply(TSimd.Multiply(dh, tc), TSimd.Multiply(o, TSimd.Subtract(one, o))), dA + (3 * u) + j);
            TLanes.Store(TSimd.Multiply(dcTotal, f), dc + j);
        }
    }

    /// <summary>
    /// One GRU row backward at step t. dh = (dhs_t + what h_t passed through W_hh) + what it passed directly (z∘dh of
    /// step t + 1, in place, replaced by this step's). The input side's pre-activation gradients are (dr, dz, dn); the
    /// hidden side's differ in n, where the reset gate scales the hidden product: r∘dn.
    /// </summary>
    private readonly struct GruBackwardCell(
        float* dhAbove, float* dhNext, float* dhDirect, float* gates, float* hiddenNew, float* previous, float* dInput, float* dHidden, int units) : ICell
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Compute<TSimd, TVec, TLanes>(int j)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct
            where TLanes : struct, ILanes<TVec>
        {
            int u = units;
            TVec one = TSimd.Broadcast(1f);
            TVec dh = TSimd.Add(TSimd.Add(TLanes.Load(dhAbove + j), TLanes.Load(dhNext + j)), TLanes.Load(dhDirect + j));
            TVec r = TLanes.Load(gates + j);
            TVec z = TLanes.Load(gates + u + j);
            TVec n = TLanes.Load(gates + (2 * u) + j);
            TVec dn = TSimd.Multiply(TSimd.Multiply(dh, TSimd.Subtract(one, z)), TSimd.Subtract(one, TSimd.Multiply(n, n)));
            TVec dz = TSimd.Multiply(TSimd.Multiply(dh, TSimd.Subtract(TLanes.Load(previous + j), n)), TSimd.Multiply(z, TSimd.Subtract(one, z)));
            TVec dr = TSimd.Multiply(TSimd.Multiply(dn, TLanes.Load(hiddenNew + j)), TSimd.Multiply(r, TSimd.Subtract(one, r)));
            TLanes.Store(TSimd.Multiply(dh, z), dhDirect + j);
            TLanes.Store(dr, dInput + j);
            TLanes.Store(dz, dInput + u + j);
            TLanes.Store(dn, dInput + (2 * u) + j);
            TLanes.Store(dr, dHidden + j);
            TLanes.Store(dz, dHidden + u + j);
            TLanes.Store(TSimd.Multiply(r, dn), dHidden + (2 * u) + j);
        }
    }
}
