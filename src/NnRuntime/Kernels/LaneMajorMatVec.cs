using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// The frozen form's one-example dense layer: <see cref="MatVecKernels"/>' sums, bit for bit, from a copy of W packed
/// lane-major, so that the reduction of each row's lanes becomes plain vertical adds.
/// </summary>
/// <remarks>
/// <para>
/// Where <see cref="MatVecKernels"/> sends a layer to <see cref="SmallMatVec"/>'s row blocks, or to its x-in-registers
/// rows of one to four vectors, each row keeps one accumulator whose lane l sums W[r, k]·x[k] over the columns k ≡ l
/// of the row's vectors (one fused multiply-add per vector, from +0), and then reduces its lanes by a fixed tree with
/// shuffles. Here the same partial sums are held the other way round: an accumulator per lane is a vector down a
/// block of rows, P[l][r], summed over the same columns in the same order, each multiply-add taking x[k] broadcast
/// and a vector of W's column k down the block. The lane tree is then the same tree over the accumulators, with no
/// shuffle (<see cref="LaneMajorLayout"/> names the trees), and the bias and the activation follow as in
/// <see cref="MatVecKernels"/>. A k tail packs its already-counted lanes as 0 and multiplies them by a zeroed x,
/// which adds +0 exactly as the row-major kernels' masked lanes do.
/// </para>
/// <para>
/// Why it is faster: the row-major kernels spend about three shuffle-and-add instructions a row on the tree, and a
/// one-vector row (layer 1 of [16,64,64,1]) has only one multiply-add to spread them over. The cost here is a broadcast
/// of x per lane and vector of columns, which every block of a group of four (two at 256 bits) shares.
/// </para>
/// <para>
/// Packed layout, <see cref="PackedLength"/> floats, in the order the kernel reads it: for each group of blocks (the
/// blocks of rows of <see cref="MatVecKernels"/>: every L rows from 0, the last ending at the last row; L = 16 at 512
/// bits, 8 at 256), for each step of four lanes, for each vector of columns (the last ending at the row's end), for
/// each of the step's lanes, for each block of the group, the L weights of that column down the block's rows. The
/// layout depends on the width, which <see cref="PackedMatVec"/> checks on every call.
/// </para>
/// </remarks>
internal static unsafe class LaneMajorMatVec
{
    /// <summary>
    /// The layout a layer is packed in for a call at <paramref name="width"/>: the path <see cref="MatVecKernels"/>
    /// takes for it decides which lane tree the packed sums must follow, or that nothing is packed.
    /// </summary>
    internal static LaneMajorLayout LayoutFor(SimdWidth width, int rows, int cols)
    {
        switch (MatVecKernels.SmallMatVecWidth(width, rows, cols))
        {
            case SimdWidth.V512:
                return LaneMajorLayout.RowBlocks512;
            case SimdWidth.V256:
                return LaneMajorLayout.Tree256;
        }

        // XInRegisters with one to four vectors a row sums each lane in one chain, as the row blocks do, then reduces
        // each row with HorizontalSums.Sum4: at 512 bits lanes l and l + 8 first, then the 256-bit tree. (Five to eight
        // vectors split each lane into two chains, which is not packed.)
        SimdWidth narrowed = MatVecKernels.Narrowed(width, cols);
        int lanes = narrowed == SimdWidth.V512 ? 16 : 8;
        if (narrowed >= SimdWidth.V256 && rows >= lanes && cols <= 4 * lanes && MatVecKernels.TakesXInRegisters(lanes, rows, cols))
        {
            if (narrowed == SimdWidth.V512 && Avx512F.IsSupported)
            {
                return LaneMajorLayout.Halves512;
            }

            if (narrowed == SimdWidth.V256 && Avx.IsSupported)
            {
                return LaneMajorLayout.Tree256;
            }
        }

        return LaneMajorLayout.None;
    }

    /// <summary>Floats of the packed copy of a (rows × cols) W in <paramref name="layout"/>; 0 for <see cref="LaneMajorLayout.None"/>.</summary>
    internal static int PackedLength(LaneMajorLayout layout, int rows, int cols)
    {
        int lanes = Lanes(layout);
        return lanes == 0 ? 0 : Blocks(rows, lanes) * Chunks(cols, lanes) * lanes * lanes;
    }

    /// <summary>Packs row-major W (rows × cols) in <paramref name="layout"/> into <paramref name="packed"/> (<see cref="PackedLength"/> floats), in the order the kernels read it.</summary>
    internal static void Pack(LaneMajorLayout layout, ReadOnlySpan<float> w, int rows, int cols, Span<float> packed)
    {
        int lanes = Lanes(layout);
        int blocks = Blocks(rows, lanes), chunks = Chunks(cols, lanes);
        int counted = cols % lanes == 0 ? 0 : lanes - (cols % lanes);
        int groupBlocks = GroupBlocks(layout);
        int o = 0;
        for (int b = 0; b < blocks; b += groupBlocks)
        {
            int group = Math.Min(groupBlocks, blocks - b);
            for (int step = 0; step < lanes / StepLanes; step++)
            {
                for (int c = 0; c < chunks; c++)
                {
                    bool tail = c == chunks - 1 && counted != 0;
                    int k0 = tail ? cols - lanes : c * lanes;
                    for (int slot = 0; slot < StepLanes; slot++)
                    {
                        int lane = layout == LaneMajorLayout.Halves512 ? HalvesTree.Lane(step, slot) : InOrderTree.Lane(step, slot);
                        for (int g = 0; g < group; g++)
                        {
                            int r0 = BlockStart(b + g, lanes, rows);
                            for (int r = 0; r < lanes; r++)
                            {
                                packed[o++] = tail && lane < counted ? 0f : w[((r0 + r) * cols) + k0 + lane];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The kernel y[rows] = g(W·x + bias) for W packed in <paramref name="layout"/> (not
    /// <see cref="LaneMajorLayout.None"/>), with the bits of <see cref="MatVecKernels"/> at the width
    /// <see cref="LayoutFor"/> gave that layout for; chosen once, so a frozen layer's call has no dispatch. Its
    /// arguments are (packed, x, bias, y, rows, cols), and it trusts its caller, as <see cref="MatVecKernels"/> does.
    /// </summary>
    internal static delegate*<float*, float*, float*, float*, int, int, void> KernelFor<TActivation>(LaneMajorLayout layout)
        where TActivation : struct, IUnaryOperator => layout switch
        {
            LaneMajorLayout.RowBlocks512 => &Run<TActivation, Simd512, Vector512<float>, InOrderTree>,
            LaneMajorLayout.Halves512 => &Run<TActivation, Simd512, Vector512<float>, HalvesTree>,
            LaneMajorLayout.Tree256 => &Run<TActivation, Simd256, Vector256<float>, InOrderTree>,
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "A layout with a packed copy was expected."),
        };

    /// <summary>Lanes per step: four lanes of up to four blocks fill sixteen accumulators, and each broadcast of x feeds every block of the group.</summary>
    private const int StepLanes = 4;

    private static void Run<TActivation, TSimd, TVec, TTree>(float* packed, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TTree : struct, ITree
    {
        if (TActivation.IsTranscendental)
        {
            // As MatVecKernels: tanh and sigmoid over all of y afterwards pipeline, one per block stalls the next block.
            Forward<LinearOperator, TSimd, TVec, TTree>(packed, x, bias, y, rows, cols);
            ElementwiseKernels.Map<TActivation>(y, y, rows, TSimd.Width);
        }
        else
        {
            Forward<TActivation, TSimd, TVec, TTree>(packed, x, bias, y, rows, cols);
        }
    }

    private static int Lanes(LaneMajorLayout layout) => layout switch
    {
        LaneMajorLayout.RowBlocks512 or LaneMajorLayout.Halves512 => 16,
        LaneMajorLayout.Tree256 => 8,
        _ => 0,
    };

    /// <summary>Blocks per group: four at 512 bits; two at 256, whose sixteen registers (AVX2) would not hold four blocks' accumulators.</summary>
    private static int GroupBlocks(LaneMajorLayout layout) => layout == LaneMajorLayout.Tree256 ? 2 : 4;

    private static int Blocks(int rows, int lanes) => (rows + lanes - 1) / lanes;

    private static int Chunks(int cols, int lanes) => (cols + lanes - 1) / lanes;

    /// <summary>The first row of block <paramref name="b"/>: every block of lanes rows from 0, the last ending at the last row.</summary>
    private static int BlockStart(int b, int lanes, int rows) => Math.Min(b * lanes, rows - lanes);

    // The tail's x is written before it is read, and only then: no zeroing of the stack buffer.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private static void Forward<TActivation, TSimd, TVec, TTree>(float* packed, float* x, float* bias, float* y, int rows, int cols)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TTree : struct, ITree
    {
        int lanes = TSimd.Count;
        int whole = cols / lanes;
        int chunks = Chunks(cols, lanes);

        // The tail's x with the lanes the whole vectors counted zeroed, as the row-major kernels mask it.
        float* xTail = stackalloc float[16];
        if (chunks != whole)
        {
            TSimd.Store(TSimd.And(TSimd.Load(x + cols - lanes), TSimd.LanesFrom(lanes - (cols % lanes))), xTail);
        }

        var input = new Input(x, xTail, whole, chunks);
        int blocks = Blocks(rows, lanes);
        int groupBlocks = lanes == 16 ? 4 : 2;
        float* v = packed;
        for (int b = 0; b < blocks; b += groupBlocks)
        {
            switch (Math.Min(groupBlocks, blocks - b))
            {
                case 1: Group<TActivation, TSimd, TVec, TTree, One>(ref v, input, bias, y, b, rows); break;
                case 2: Group<TActivation, TSimd, TVec, TTree, Two>(ref v, input, bias, y, b, rows); break;
                case 3: Group<TActivation, TSimd, TVec, TTree, Three>(ref v, input, bias, y, b, rows); break;
                default: Group<TActivation, TSimd, TVec, TTree, Four>(ref v, input, bias, y, b, rows); break;
            }
        }
    }

    /// <summary>
    /// A group of blocks: each step's four lanes summed down the columns, their partial sum, and the partials added
    /// as the tree does: (T0 + T1) + (T2 + T3) over four steps at 512 bits, T0 + T1 over two at 256.
    /// </summary>
    /// <remarks>
    /// A method of its own for each block count, never inlined: inlined into <see cref="Forward"/>, the four groups'
    /// steps exceeded the JIT's inlining budget and some of them kept calls to the vector operations themselves.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Group<TActivation, TSimd, TVec, TTree, TBlocks>(ref float* v, Input input, float* bias, float* y, int b, int rows)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TTree : struct, ITree
        where TBlocks : struct, ICount
    {
        int lanes = TSimd.Count;
        int n = TBlocks.Value;
        Step<TSimd, TVec, TTree, TBlocks>(ref v, 0, input, out TVec h0, out TVec h1, out TVec h2, out TVec h3);
        Step<TSimd, TVec, TTree, TBlocks>(ref v, 1, input, out TVec t0, out TVec t1, out TVec t2, out TVec t3);
        h0 = TSimd.Add(h0, t0);
        h1 = TSimd.Add(h1, t1);
        h2 = TSimd.Add(h2, t2);
        h3 = TSimd.Add(h3, t3);
        if (lanes == 16)
        {
            Step<TSimd, TVec, TTree, TBlocks>(ref v, 2, input, out TVec k0, out TVec k1, out TVec k2, out TVec k3);
            Step<TSimd, TVec, TTree, TBlocks>(ref v, 3, input, out t0, out t1, out t2, out t3);
            h0 = TSimd.Add(h0, TSimd.Add(k0, t0));
            h1 = TSimd.Add(h1, TSimd.Add(k1, t1));
            h2 = TSimd.Add(h2, TSimd.Add(k2, t2));
            h3 = TSimd.Add(h3, TSimd.Add(k3, t3));
        }

        Store<TActivation, TSimd, TVec>(h0, bias, y, BlockStart(b, lanes, rows));
        if (n > 1) { Store<TActivation, TSimd, TVec>(h1, bias, y, BlockStart(b + 1, lanes, rows)); }
        if (n > 2) { Store<TActivation, TSimd, TVec>(h2, bias, y, BlockStart(b + 2, lanes, rows)); }
        if (n > 3) { Store<TActivation, TSimd, TVec>(h3, bias, y, BlockStart(b + 3, lanes, rows)); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TActivation, TSimd, TVec>(TVec sums, float* bias, float* y, int r0)
        where TActivation : struct, IUnaryOperator
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct =>
        TSimd.Store(TActivation.Invoke<TSimd, TVec>(TSimd.Add(sums, TSimd.Load(bias + r0))), y + r0);

    /// <summary>
    /// One step: four lanes of up to four blocks, each lane one fused multiply-add chain from +0 over the vectors of
    /// columns (the row-major kernels' per-lane order); returns each block's partial sum of the four lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TSimd, TVec, TTree, TBlocks>(ref float* v, int step, Input input, out TVec s0, out TVec s1, out TVec s2, out TVec s3)
        where TSimd : struct, ISimdOps<TVec>
        where TVec : struct
        where TTree : struct, ITree
        where TBlocks : struct, ICount
    {
        int lanes = TSimd.Count;
        int n = TBlocks.Value;
        int l0 = TTree.Lane(step, 0), l1 = TTree.Lane(step, 1), l2 = TTree.Lane(step, 2), l3 = TTree.Lane(step, 3);
        TVec a00 = TSimd.Zero, a01 = TSimd.Zero, a02 = TSimd.Zero, a03 = TSimd.Zero;
        TVec a10 = TSimd.Zero, a11 = TSimd.Zero, a12 = TSimd.Zero, a13 = TSimd.Zero;
        TVec a20 = TSimd.Zero, a21 = TSimd.Zero, a22 = TSimd.Zero, a23 = TSimd.Zero;
        TVec a30 = TSimd.Zero, a31 = TSimd.Zero, a32 = TSimd.Zero, a33 = TSimd.Zero;
        int stride = n * lanes;
        float* p = v;
        for (int c = 0; c < input.Chunks; c++, p += 4 * stride)
        {
            float* xc = c < input.Whole ? input.X + (c * lanes) : input.Tail;
            TVec s = TSimd.Broadcast(xc[l0]);
            a00 = TSimd.MultiplyAdd(TSimd.Load(p), s, a00);
            if (n > 1) { a10 = TSimd.MultiplyAdd(TSimd.Load(p + lanes), s, a10); }
            if (n > 2) { a20 = TSimd.MultiplyAdd(TSimd.Load(p + (2 * lanes)), s, a20); }
            if (n > 3) { a30 = TSimd.MultiplyAdd(TSimd.Load(p + (3 * lanes)), s, a30); }
            float* q = p + stride;
            s = TSimd.Broadcast(xc[l1]);
            a01 = TSimd.MultiplyAdd(TSimd.Load(q), s, a01);
            if (n > 1) { a11 = TSimd.MultiplyAdd(TSimd.Load(q + lanes), s, a11); }
            if (n > 2) { a21 = TSimd.MultiplyAdd(TSimd.Load(q + (2 * lanes)), s, a21); }
            if (n > 3) { a31 = TSimd.MultiplyAdd(TSimd.Load(q + (3 * lanes)), s, a31); }
            q += stride;
            s = TSimd.Broadcast(xc[l2]);
            a02 = TSimd.MultiplyAdd(TSimd.Load(q), s, a02);
            if (n > 1) { a12 = TSimd.MultiplyAdd(TSimd.Load(q + lanes), s, a12); }
            if (n > 2) { a22 = TSimd.MultiplyAdd(TSimd.Load(q + (2 * lanes)), s, a22); }
            if (n > 3) { a32 = TSimd.MultiplyAdd(TSimd.Load(q + (3 * lanes)), s, a32); }
            q += stride;
            s = TSimd.Broadcast(xc[l3]);
            a03 = TSimd.MultiplyAdd(TSimd.Load(q), s, a03);
            if (n > 1) { a13 = TSimd.MultiplyAdd(TSimd.Load(q + lanes), s, a13); }
            if (n > 2) { a23 = TSimd.MultiplyAdd(TSimd.Load(q + (2 * lanes)), s, a23); }
            if (n > 3) { a33 = TSimd.MultiplyAdd(TSimd.Load(q + (3 * lanes)), s, a33); }
        }

        v = p;
        s0 = TTree.Partial<TSimd, TVec>(a00, a01, a02, a03);
        s1 = n > 1 ? TTree.Partial<TSimd, TVec>(a10, a11, a12, a13) : TSimd.Zero;
        s2 = n > 2 ? TTree.Partial<TSimd, TVec>(a20, a21, a22, a23) : TSimd.Zero;
        s3 = n > 3 ? TTree.Partial<TSimd, TVec>(a30, a31, a32, a33) : TSimd.Zero;
    }

    /// <summary>The columns a call reads: x's whole vectors, then the masked tail.</summary>
    private readonly struct Input(float* x, float* tail, int whole, int chunks)
    {
        public float* X { get; } = x;

        public float* Tail { get; } = tail;

        public int Whole { get; } = whole;

        public int Chunks { get; } = chunks;
    }

    /// <summary>Which lanes a step holds and how its four sums make the step's partial sum.</summary>
    private interface ITree
    {
        static abstract int Lane(int step, int slot);

        static abstract TVec Partial<TSimd, TVec>(TVec s0, TVec s1, TVec s2, TVec s3)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct;
    }

    /// <summary>
    /// Lanes in order, four a step, each step (l0 + l1) + (l2 + l3): SmallMatVec's tree, whose 128-bit lanes' sums
    /// L0 … L3 are the steps' partials, added as (L0 + L1) + (L2 + L3) at 512 bits and L0 + L1 at 256, which is also
    /// HorizontalSums.Sum4's tree for a 256-bit row.
    /// </summary>
    private readonly struct InOrderTree : ITree
    {
        public static int Lane(int step, int slot) => (4 * step) + slot;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Partial<TSimd, TVec>(TVec s0, TVec s1, TVec s2, TVec s3)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Add(TSimd.Add(s0, s1), TSimd.Add(s2, s3));
    }

    /// <summary>
    /// HorizontalSums.Sum4's tree for a 512-bit row: u_j = l_j + l_(j+8), then ((u0 + u1) + (u2 + u3)) + ((u4 + u5) +
    /// (u6 + u7)). Step q holds lanes 2q, 2q + 1, 2q + 8, 2q + 9, so its partial is u_2q + u_(2q+1) and the steps add
    /// as (T0 + T1) + (T2 + T3).
    /// </summary>
    private readonly struct HalvesTree : ITree
    {
        public static int Lane(int step, int slot) => (2 * step) + (slot & 1) + (slot < 2 ? 0 : 8);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Partial<TSimd, TVec>(TVec s0, TVec s1, TVec s2, TVec s3)
            where TSimd : struct, ISimdOps<TVec>
            where TVec : struct =>
            TSimd.Add(TSimd.Add(s0, s2), TSimd.Add(s1, s3));
    }
}

/// <summary>How <see cref="LaneMajorMatVec"/> packs a layer: the path <see cref="MatVecKernels"/> takes for it, whose lane tree the packed sums follow.</summary>
internal enum LaneMajorLayout
{
    /// <summary>Not packed: <see cref="MatVecKernels"/>' path for the layer has no lane-major form here.</summary>
    None,

    /// <summary><see cref="SmallMatVec"/>'s 16-row blocks at 512 bits.</summary>
    RowBlocks512,

    /// <summary><see cref="MatVecKernels"/>' x-in-registers rows of one to four 512-bit vectors, reduced by <see cref="HorizontalSums"/>' Sum4.</summary>
    Halves512,

    /// <summary>8-row blocks at 256 bits: <see cref="SmallMatVec"/>'s and the x-in-registers rows' tree, which are the same.</summary>
    Tree256,
}
