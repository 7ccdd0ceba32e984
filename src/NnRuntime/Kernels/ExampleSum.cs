using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// A sum over examples in eight lanes whose rounding does not depend on the vector width: lane e mod 8 adds example
/// e's term, in order of e, whether the terms arrive four, eight or sixteen at a time, and the lanes are added in one
/// fixed tree at the end. The code generated for tiny networks accumulates each gradient entry in one, so training
/// gives the same weights bit for bit at 128, 256 and 512 bits (the course's planar run reaches 90.75 % at each).
/// </summary>
/// <remarks>
/// Eight lanes because the course's published figures were reproduced with 256-bit sums, whose order this keeps:
/// a 256-bit step adds its two vectors as they come, a 512-bit vector adds its lower half and then its upper half,
/// and two 128-bit vectors fill the lower and upper four lanes. Only generated code uses it.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ExampleSum
{
    /// <summary>Lanes per sum.</summary>
    public const int Lanes = 8;

    private Vector256<float> _lanes;

    /// <summary>Adds the terms of two consecutive blocks of examples, [i, i + Count) then [i + Count, i + 2·Count), i a multiple of 2·Count.</summary>
    /// <param name="first">The first block's terms, one example per lane.</param>
    /// <param name="second">The next block's terms.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(Vector<float> first, Vector<float> second)
    {
        if (Vector<float>.Count == Vector256<float>.Count)
        {
            _lanes = (_lanes + first.AsVector256()) + second.AsVector256();
        }
        else if (Vector<float>.Count == Vector512<float>.Count)
        {
            Add(first.AsVector512(), second.AsVector512());
        }
        else
        {
            Add(first.AsVector128(), second.AsVector128());
        }
    }

    /// <summary>Adds the terms of two consecutive 128-bit blocks of examples: one step is eight examples, the first block in lanes 0-3, the next in 4-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(Vector128<float> first, Vector128<float> second) => _lanes += Vector256.Create(first, second);

    /// <summary>Adds the terms of two consecutive 512-bit blocks of examples, sixteen per block, eight lanes at a time.</summary>
    /// <param name="first">The first block's terms, one example per lane.</param>
    /// <param name="second">The next block's terms.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(Vector512<float> first, Vector512<float> second)
    {
        Vector256<float> lanes = _lanes + first.GetLower();
        lanes += first.GetUpper();
        lanes += second.GetLower();
        _lanes = lanes + second.GetUpper();
    }

    /// <summary>The eight lanes, for tests.</summary>
    internal readonly Vector256<float> Values => _lanes;

    /// <summary>The total: ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).</summary>
    /// <returns>The sum of every term added.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Total() => HorizontalSums.Sum(_lanes);
}
