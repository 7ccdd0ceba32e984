using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Softmax over the units of each example, for generated networks with an <see cref="Activation.Softmax"/> output:
/// the batch form over the feature-major (units × examples) layout of A[L], and the per-lane cross-entropy terms of
/// the fused tiny-network pass.
/// </summary>
/// <remarks>
/// Numerically stable in float32: each example's largest z is subtracted before the exponentials, so every
/// exponential is at most 1 and the sum at least 1. Vectors run across examples (one example per lane) because in the
/// feature-major layout one unit of consecutive examples is contiguous; the units of one example are a column.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class SoftmaxKernels
{
    /// <summary>
    /// A = softmax(Z) for every example, in place: a[j, i] = exp(z[j, i] − maxₖ z[k, i]) / Σₖ exp(z[k, i] − maxₖ z[k, i]).
    /// </summary>
    /// <param name="values">Z on entry, A on return: <paramref name="units"/> rows of <paramref name="examples"/> floats, row j holding unit j of every example.</param>
    /// <param name="units">n[L], the classes: at least 1.</param>
    /// <param name="examples">m, the examples: at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is below 1 or <paramref name="examples"/> is negative.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="values"/> is not units × examples; nothing is written then.</exception>
    public static void Forward(Span<float> values, int units, int examples) => Forward(values, units, examples, SimdWidth.Auto);

    internal static void Forward(Span<float> values, int units, int examples, SimdWidth width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(examples);
        if (values.Length != (long)units * examples)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "Softmax expects units x examples = {0} x {1} = {2} values, but got {3}.", units, examples, (long)units * examples, values.Length),
                nameof(values));
        }

        width = SimdWidths.Resolve(width);
        fixed (float* pointer = values)
        {
            // Widest vectors first, at most one block of each narrower width, then scalars: blocks start at example
            // indices, never at addresses, so an example's result depends only on m and the width.
            int i = 0;
            if (width >= SimdWidth.V512)
            {
                i = Columns<Simd512, Vector512<float>>(pointer, units, examples, i, all: true);
            }

            if (width >= SimdWidth.V256)
            {
                i = Columns<Simd256, Vector256<float>>(pointer, units, examples, i, all: width == SimdWidth.V256);
            }

            if (width >= SimdWidth.V128)
            {
                i = Columns<Simd128, Vector128<float>>(pointer, units, examples, i, all: width == SimdWidth.V128);
            }

            for (; i < examples; i++)
            {
                Column(pointer + i, units, examples);
            }
        }
    }

    /// <summary>
    /// Adds the masked lanes' y·ln a to <paramref name="sum"/> with its sign turned, so that Total(sum) / m is the
    /// categorical cross-entropy: a is floored at <see cref="Losses.ProbabilityFloor"/> like the runtime's cost.
    /// </summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">One unit's predictions for a vector of examples.</param>
    /// <param name="y">Its labels.</param>
    /// <param name="mask">All-ones lanes for real examples (see <see cref="TinyKernels.ExampleMask"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCrossEntropy(ref Vector<double> sum, Vector<float> a, Vector<float> y, Vector<float> mask)
    {
        // The (a − a) term is 0 for finite a and NaN otherwise, so a diverged prediction still makes the cost NaN.
        Vector<float> terms = ((y * VectorMath.Log(Vector.Max(a, new Vector<float>((float)Losses.ProbabilityFloor)))) + (a - a)) & mask;
        Vector.Widen(terms, out Vector<double> low, out Vector<double> high);
        sum -= low + high;
    }

    /// <summary>The same cross-entropy terms on the 512-bit path.</summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">One unit's predictions for a vector of examples.</param>
    /// <param name="y">Its labels.</param>
    /// <param name="mask">All-ones lanes for real examples (see <see cref="TinyKernels.ExampleMask512"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCrossEntropy(ref Vector512<double> sum, Vector512<float> a, Vector512<float> y, Vector512<float> mask)
    {
        Vector512<float> terms = ((y * VectorMath.Log(Vector512.Max(a, Vector512.Create((float)Losses.ProbabilityFloor)))) + (a - a)) & mask;
        (Vector512<double> low, Vector512<double> high) = Vector512.Widen(terms);
        sum -= low + high;
    }

    /// <summary>Softmax of the examples [start, …) in blocks of TOps.Count (all of them, or one block); returns where it stopped.</summary>
    private static int Columns<TOps, TVec>(float* values, int units, int examples, int start, bool all)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        int i = start;
        for (; i + TOps.Count <= examples; i += TOps.Count)
        {
            float* column = values + i;
            TVec max = TOps.Load(column);
            for (int j = 1; j < units; j++)
            {
                max = TOps.Max(max, TOps.Load(column + ((long)j * examples)));
            }

            TVec sum = TOps.Zero;
            for (int j = 0; j < units; j++)
            {
                float* row = column + ((long)j * examples);
                TVec e = Exp(TOps.Subtract(TOps.Load(row), max));
                TOps.Store(e, row);
                sum = TOps.Add(sum, e);
            }

            for (int j = 0; j < units; j++)
            {
                float* row = column + ((long)j * examples);
                TOps.Store(TOps.Divide(TOps.Load(row), sum), row);
            }

            if (!all)
            {
                return i + TOps.Count;
            }
        }

        return i;
    }

    /// <summary>The reference: one example's softmax, in the same order of operations as one lane of the vector blocks.</summary>
    private static void Column(float* column, int units, int stride)
    {
        float max = column[0];
        for (int j = 1; j < units; j++)
        {
            max = MathF.Max(max, column[(long)j * stride]);
        }

        float sum = 0f;
        for (int j = 0; j < units; j++)
        {
            float e = VectorMath.Exp(column[(long)j * stride] - max);
            column[(long)j * stride] = e;
            sum += e;
        }

        for (int j = 0; j < units; j++)
        {
            column[(long)j * stride] /= sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Exp<TVec>(TVec x)
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            return (TVec)(object)VectorMath.Exp((Vector512<float>)(object)x);
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            return (TVec)(object)VectorMath.Exp((Vector256<float>)(object)x);
        }

        return (TVec)(object)VectorMath.Exp((Vector128<float>)(object)x);
    }
}
