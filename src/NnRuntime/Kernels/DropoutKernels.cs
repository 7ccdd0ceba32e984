using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NnGen.Kernels;

/// <summary>
/// Inverted dropout over the feature-major (units × examples) layout. Called only by generated code and the trainer.
/// </summary>
/// <remarks>
/// The mask is a counter-based hash (SplitMix64's finalizer) of the step seed, the layer and the element's index in
/// example-major order (example · units + unit), never of a position in a vector or a thread's share: the same step
/// seed gives the same mask at every vector width and thread count, and a script can draw the same mask
/// (tools/pytorch/layer_kinds_fixtures.py does, to check the layer against PyTorch).
/// </remarks>
public static class DropoutKernels
{
    private const double ThresholdScale = 16777216.0; // 2^24: the kept test compares the hash's top 24 bits.

    /// <summary>The seed of training step <paramref name="step"/> of a run seeded with <paramref name="seed"/>.</summary>
    /// <param name="seed">The run's seed (<c>TrainingOptions.Seed</c>).</param>
    /// <param name="step">The step's number in the run, from 0.</param>
    public static ulong StepSeed(int seed, long step) => Mix(((ulong)(uint)seed << 32) ^ Mix((ulong)step));

    /// <summary>Whether the element at example-major <paramref name="index"/> is kept (see the remarks of the type).</summary>
    /// <param name="key">The layer's key, <see cref="LayerKey"/>.</param>
    /// <param name="index">example · units + unit.</param>
    /// <param name="dropThreshold"><see cref="DropThreshold"/> of the rate.</param>
    public static bool Keeps(ulong key, long index, ulong dropThreshold) => (Mix(key ^ (ulong)index) >> 40) >= dropThreshold;

    /// <summary>The per-layer key of a step: Mix(stepSeed + layer · 0xD1B54A32D192ED03).</summary>
    /// <param name="stepSeed">The step's seed.</param>
    /// <param name="layer">The 1-based layer number.</param>
    public static ulong LayerKey(ulong stepSeed, int layer) => Mix(stepSeed + ((ulong)layer * 0xD1B54A32D192ED03UL));

    /// <summary>round(p · 2^24): an element is dropped when the hash's top 24 bits fall below it.</summary>
    /// <param name="rate">p.</param>
    public static ulong DropThreshold(float rate) => (ulong)Math.Round(rate * ThresholdScale, MidpointRounding.AwayFromZero);

    /// <summary>
    /// y = x ⊙ mask with mask = 1/(1 − p) where the element is kept and 0 where it is dropped; the mask is kept for
    /// the backward pass.
    /// </summary>
    /// <param name="x">A[l-1], units × examples.</param>
    /// <param name="y">A[l], same shape.</param>
    /// <param name="mask">Receives the mask, same shape.</param>
    /// <param name="units">n[l-1].</param>
    /// <param name="examples">m.</param>
    /// <param name="rate">p, in [0, 1).</param>
    /// <param name="stepSeed">The training step's seed.</param>
    /// <param name="layer">The 1-based layer number.</param>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, int units, int examples, float rate, ulong stepSeed, int layer)
    {
        int length = units * examples;
        if (x.Length != length || y.Length != length || mask.Length != length)
        {
            throw new ArgumentException($"Expected {units} x {examples} = {length} floats; found {x.Length}, {y.Length} and {mask.Length}.");
        }

        ulong key = LayerKey(stepSeed, layer);
        ulong threshold = DropThreshold(rate);
        float scale = 1f / (1f - rate);
        for (int j = 0; j < units; j++)
        {
            FillRow(mask.Slice(j * examples, examples), key, j, units, threshold, scale);
        }

        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>
    /// The mask of unit <paramref name="unit"/> for every example: element e hashes index e · units + unit. The hash is
    /// integer arithmetic, so the vector loop and the scalar tail give the same bits as <see cref="Keeps"/> one by one.
    /// </summary>
    private static void FillRow(Span<float> row, ulong key, int unit, int units, ulong threshold, float scale)
    {
        int e = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            // A float vector's worth of examples is two vectors of 64-bit indices, narrowed to 32-bit hash tops.
            Span<ulong> lanes = stackalloc ulong[Vector<ulong>.Count];
            for (int lane = 0; lane < lanes.Length; lane++)
            {
                lanes[lane] = (ulong)lane * (ulong)units;
            }

            var laneOffsets = new Vector<ulong>(lanes);
            var keys = new Vector<ulong>(key);
            var keepFrom = new Vector<uint>((uint)threshold);
            var kept = new Vector<float>(scale);
            ulong half = (ulong)Vector<ulong>.Count * (ulong)units;
            for (; e <= row.Length - Vector<float>.Count; e += Vector<float>.Count)
            {
                var first = new Vector<ulong>(((ulong)e * (ulong)units) + (ulong)unit) + laneOffsets;
                Vector<ulong> low = Vector.ShiftRightLogical(Mix(keys ^ first), 40);
                Vector<ulong> high = Vector.ShiftRightLogical(Mix(keys ^ (first + new Vector<ulong>(half))), 40);
                Vector<int> keep = Vector.GreaterThanOrEqual(Vector.Narrow(low, high), keepFrom).As<uint, int>();
                Vector.ConditionalSelect(keep, kept, Vector<float>.Zero).CopyTo(row.Slice(e));
            }
        }

        for (; e < row.Length; e++)
        {
            row[e] = Keeps(key, ((long)e * units) + unit, threshold) ? scale : 0f;
        }
    }

    private static Vector<ulong> Mix(Vector<ulong> z)
    {
        z += new Vector<ulong>(0x9E3779B97F4A7C15UL);
        z = (z ^ Vector.ShiftRightLogical(z, 30)) * new Vector<ulong>(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector.ShiftRightLogical(z, 27)) * new Vector<ulong>(0x94D049BB133111EBUL);
        return z ^ Vector.ShiftRightLogical(z, 31);
    }

    /// <summary>dA[l-1] = dA[l] ⊙ mask.</summary>
    /// <param name="mask">The mask from <see cref="Forward"/>.</param>
    /// <param name="delta">dA[l].</param>
    /// <param name="destination">Receives dA[l-1], as long as <paramref name="mask"/>.</param>
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> delta, Span<float> destination) => TensorPrimitives.Multiply(delta, mask, destination);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
