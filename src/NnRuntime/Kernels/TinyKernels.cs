using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NnGen.Kernels;

/// <summary>
/// What the straight-line code generated for tiny networks calls: activations and their backward products on one
/// <see cref="Vector{T}"/> of examples, the lane mask of a partial block, and the padded transpose that turns
/// example-major rows into feature-major vectors.
/// </summary>
/// <remarks>
/// A tiny network runs a batch <see cref="StepExamples"/> examples at a time (two vectors), one lane per example,
/// with no kernel set-up: inference in one pass with every layer in registers, training layer by layer over the
/// padded batch. Its buffers are padded to a
/// whole number of steps (<see cref="PaddedCount"/>) so every block is full; the padding lanes compute harmless values from zero
/// inputs, and <see cref="ExampleMask"/> keeps them out of the gradients and the cost.
/// Only generated code calls it, so it is hidden from completion.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TinyKernels
{
    /// <summary>
    /// The padding granule of a tiny network's buffers: two vectors of the widest width (2 × 16 floats), whose
    /// independent dependency chains the generated code interleaves so one hides the other's latency. Fixed rather
    /// than per width, so a buffer sized under one <see cref="SimdPolicy.Use512Bit"/> setting suits the other too.
    /// </summary>
    public const int StepExamples = 32;

    /// <summary>m rounded up to a whole number of loop steps.</summary>
    /// <param name="m">The number of examples, at least 0.</param>
    /// <returns>The smallest multiple of <see cref="StepExamples"/> that is at least <paramref name="m"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedCount(int m) => (m + StepExamples - 1) & -StepExamples;

    /// <summary>All-ones lanes for the examples start … m − 1 of a block that starts at <paramref name="start"/>, zero lanes beyond m.</summary>
    /// <param name="start">The first example of the block.</param>
    /// <param name="m">The number of real examples.</param>
    /// <returns>The mask; all ones for a full block.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExampleMask(int start, int m) =>
        Vector.AsVectorSingle(Vector.LessThan(Vector<int>.Indices, new Vector<int>(m - start)));

    /// <summary><see cref="ExampleMask"/> for the 512-bit path (<see cref="SimdPolicy.Use512Bit"/>).</summary>
    /// <param name="start">The first example of the block.</param>
    /// <param name="m">The number of real examples.</param>
    /// <returns>The mask; all ones for a full block.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExampleMask512(int start, int m) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(m - start)).AsSingle();

    /// <summary>
    /// Copies the example-major rows of <paramref name="source"/> (m × n) into the feature-major
    /// <paramref name="destination"/> (n × padded), each row zero-filled from m to padded.
    /// </summary>
    /// <param name="source">m × n, one example per row.</param>
    /// <param name="destination">n × padded; rows of <paramref name="padded"/> floats.</param>
    /// <param name="m">The number of examples.</param>
    /// <param name="n">Floats per example.</param>
    /// <param name="padded">The row length of <paramref name="destination"/>, at least m.</param>
    /// <exception cref="ArgumentException">A length does not match the stated shape.</exception>
    public static unsafe void TransposePadded(ReadOnlySpan<float> source, Span<float> destination, int m, int n, int padded)
    {
        const string Kernel = "TinyKernels.TransposePadded";
        KernelGuard.NonNegative(m, Kernel, nameof(m));
        KernelGuard.NonNegative(n, Kernel, nameof(n));
        KernelGuard.MatrixLength(source.Length, m, n, Kernel, nameof(source), nameof(m), nameof(n));
        KernelGuard.MatrixLength(destination.Length, n, padded, Kernel, nameof(destination), nameof(n), nameof(padded));
        if (padded < m)
        {
            throw new ArgumentException($"{Kernel}: padded is {padded}; it must be at least m = {m}.", nameof(padded));
        }

        if (n == 1)
        {
            source.Slice(0, m).CopyTo(destination);
            destination.Slice(m, padded - m).Clear();
            return;
        }

        // Runs every iteration of a tiny network's training, so it must cost far less than the pass itself:
        // pointers, no per-element bounds checks, each destination row written sequentially while the source rows
        // (n floats each, n small) stay in the same few cache lines.
        fixed (float* from = source)
        fixed (float* to = destination)
        {
            if (n == 2 && Avx2.IsSupported)
            {
                // Two inputs (points in a plane, as in the course's planar data) split into even and odd floats eight
                // examples at a time: one float at a time cost a large share of a tiny network's whole pass.
                DeinterleavePairs(from, to, to + padded, m);
                new Span<float>(to + m, padded - m).Clear();
                new Span<float>(to + padded + m, padded - m).Clear();
                return;
            }

            for (int k = 0; k < n; k++)
            {
                float* row = to + ((nint)k * padded);
                float* column = from + k;
                for (int i = 0; i < m; i++)
                {
                    row[i] = column[(nint)i * n];
                }

                new Span<float>(row + m, padded - m).Clear();
            }
        }
    }

    /// <summary>first[i] = pairs[2i], second[i] = pairs[2i + 1] for i &lt; m.</summary>
    private static unsafe void DeinterleavePairs(float* pairs, float* first, float* second, int m)
    {
        int i = 0;
        for (; i <= m - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            // Per 128-bit lane, shuffle picks [a0 a2 b0 b2] and [a1 a3 b1 b3]; the 64-bit permute puts the lanes' halves in order.
            Vector256<float> low = Avx.LoadVector256(pairs + (2 * i));
            Vector256<float> high = Avx.LoadVector256(pairs + (2 * i) + Vector256<float>.Count);
            Vector256<float> evens = Avx.Shuffle(low, high, 0b10_00_10_00);
            Vector256<float> odds = Avx.Shuffle(low, high, 0b11_01_11_01);
            Avx.Store(first + i, Avx2.Permute4x64(evens.AsDouble(), 0b11_01_10_00).AsSingle());
            Avx.Store(second + i, Avx2.Permute4x64(odds.AsDouble(), 0b11_01_10_00).AsSingle());
        }

        for (; i < m; i++)
        {
            first[i] = pairs[2 * i];
            second[i] = pairs[(2 * i) + 1];
        }
    }

    /// <summary>
    /// Adds the masked lanes' binary cross-entropy −[y·ln a + (1 − y)·ln(1 − a)] to <paramref name="sum"/>, widened to
    /// double. a and 1 − a are floored at <see cref="Losses.ProbabilityFloor"/> as in <see cref="Losses.BinaryCrossEntropy"/>
    /// (1 − a is exact in float for a ≥ ½, so flooring it rather than clamping a keeps the double version's ceiling);
    /// the logarithm is <see cref="VectorMath.Log(Vector{float})"/>, within 1 ulp.
    /// </summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">Predictions.</param>
    /// <param name="y">Labels.</param>
    /// <param name="mask">All-ones lanes for real examples (see <see cref="ExampleMask"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCrossEntropy(ref Vector<double> sum, Vector<float> a, Vector<float> y, Vector<float> mask)
    {
        var floor = new Vector<float>((float)Losses.ProbabilityFloor);
        Vector<float> logA = VectorMath.Log(Vector.Max(a, floor));
        Vector<float> logB = VectorMath.Log(Vector.Max(Vector<float>.One - a, floor));

        // y·ln a + (1 − y)·ln(1 − a) = y·(ln a − ln(1 − a)) + ln(1 − a). The (a − a) term is 0 for finite a and NaN
        // otherwise, so a diverged prediction still makes the cost NaN (the floors above would hide it).
        Vector<float> terms = ((y * (logA - logB)) + logB + (a - a)) & mask;
        Vector.Widen(terms, out Vector<double> low, out Vector<double> high);
        sum -= low + high;
    }

    /// <summary>The same cross-entropy sum on the 512-bit path, term for term.</summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">Predictions.</param>
    /// <param name="y">Labels.</param>
    /// <param name="mask">All-ones lanes for real examples (see <see cref="ExampleMask512"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCrossEntropy(ref Vector512<double> sum, Vector512<float> a, Vector512<float> y, Vector512<float> mask)
    {
        Vector512<float> floor = Vector512.Create((float)Losses.ProbabilityFloor);
        Vector512<float> logA = VectorMath.Log(Vector512.Max(a, floor));
        Vector512<float> logB = VectorMath.Log(Vector512.Max(Vector512<float>.One - a, floor));
        Vector512<float> terms = ((y * (logA - logB)) + logB + (a - a)) & mask;
        (Vector512<double> low, Vector512<double> high) = Vector512.Widen(terms);
        sum -= low + high;
    }

    /// <summary>Adds the masked lanes' (a − y)², computed in double as <see cref="Losses.MeanSquaredError"/> does, to <paramref name="sum"/>.</summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">Predictions.</param>
    /// <param name="y">Labels.</param>
    /// <param name="mask">All-ones lanes for real examples.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddSquaredError(ref Vector<double> sum, Vector<float> a, Vector<float> y, Vector<float> mask)
    {
        Vector.Widen(a & mask, out Vector<double> aLow, out Vector<double> aHigh);
        Vector.Widen(y & mask, out Vector<double> yLow, out Vector<double> yHigh);
        Vector<double> low = aLow - yLow;
        Vector<double> high = aHigh - yHigh;
        sum += (low * low) + (high * high);
    }

    /// <summary>The same squared-error sum on the 512-bit path.</summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <param name="a">Predictions.</param>
    /// <param name="y">Labels.</param>
    /// <param name="mask">All-ones lanes for real examples.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddSquaredError(ref Vector512<double> sum, Vector512<float> a, Vector512<float> y, Vector512<float> mask)
    {
        (Vector512<double> aLow, Vector512<double> aHigh) = Vector512.Widen(a & mask);
        (Vector512<double> yLow, Vector512<double> yHigh) = Vector512.Widen(y & mask);
        Vector512<double> low = aLow - yLow;
        Vector512<double> high = aHigh - yHigh;
        sum += (low * low) + (high * high);
    }

    /// <summary>The sum of <paramref name="sum"/>'s lanes.</summary>
    /// <param name="sum">Per-lane running sums.</param>
    /// <returns>Σ lanes.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector<double> sum) => Vector.Sum(sum);

    /// <inheritdoc cref="Total(Vector{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector512<double> sum) => Vector512.Sum(sum);

    /// <summary>Sums <paramref name="accumulator"/>'s lanes and scales the sum (code generated before <see cref="ExampleSum"/>; its order depends on the width).</summary>
    /// <param name="accumulator">Per-lane partial sums over the examples.</param>
    /// <param name="scale">Typically 1/m.</param>
    /// <returns>scale · Σ lanes.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reduce(Vector<float> accumulator, float scale) => Vector.Sum(accumulator) * scale;

    /// <inheritdoc cref="Reduce(Vector{float}, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reduce(Vector512<float> accumulator, float scale) => Vector512.Sum(accumulator) * scale;

    /// <summary>Scales a gradient entry of a tiny network summed over its examples in <paramref name="sum"/>.</summary>
    /// <param name="sum">The entry's terms, one per example.</param>
    /// <param name="scale">Typically 1/m.</param>
    /// <returns>scale · Σ terms, the same at every vector width.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reduce(in ExampleSum sum, float scale) => sum.Total() * scale;
}
