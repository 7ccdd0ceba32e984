using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NnGen.Kernels;

/// <summary>
/// Whether every float of a span is finite, at the speed of reading it: <c>ComputeGradients</c> checks every input of
/// every call, and for a full batch of a small-input network that read is a visible share of the iteration.
/// </summary>
internal static class FiniteCheck
{
    /// <summary>True when no value is NaN or infinite.</summary>
    /// <remarks>
    /// x − x is +0 for every finite x and NaN for ±∞ and NaN, and a NaN survives every later addition, so four running
    /// sums of x − x and one comparison at the end decide, with no branch per vector.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool AllFinite(ReadOnlySpan<float> values)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int length = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && length >= 4 * Vector256<float>.Count)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= length - (4 * Vector256<float>.Count); i += 4 * Vector256<float>.Count)
            {
                Vector256<float> v0 = Vector256.LoadUnsafe(ref start, (nuint)i);
                Vector256<float> v1 = Vector256.LoadUnsafe(ref start, (nuint)(i + Vector256<float>.Count));
                Vector256<float> v2 = Vector256.LoadUnsafe(ref start, (nuint)(i + (2 * Vector256<float>.Count)));
                Vector256<float> v3 = Vector256.LoadUnsafe(ref start, (nuint)(i + (3 * Vector256<float>.Count)));
                s0 += v0 - v0;
                s1 += v1 - v1;
                s2 += v2 - v2;
                s3 += v3 - v3;
            }

            if (!Vector256.EqualsAll((s0 + s1) + (s2 + s3), Vector256<float>.Zero))
            {
                return false;
            }
        }
        else if (Vector128.IsHardwareAccelerated && length >= 4 * Vector128<float>.Count)
        {
            Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= length - (4 * Vector128<float>.Count); i += 4 * Vector128<float>.Count)
            {
                Vector128<float> v0 = Vector128.LoadUnsafe(ref start, (nuint)i);
                Vector128<float> v1 = Vector128.LoadUnsafe(ref start, (nuint)(i + Vector128<float>.Count));
                Vector128<float> v2 = Vector128.LoadUnsafe(ref start, (nuint)(i + (2 * Vector128<float>.Count)));
                Vector128<float> v3 = Vector128.LoadUnsafe(ref start, (nuint)(i + (3 * Vector128<float>.Count)));
                s0 += v0 - v0;
                s1 += v1 - v1;
                s2 += v2 - v2;
                s3 += v3 - v3;
            }

            if (!Vector128.EqualsAll((s0 + s1) + (s2 + s3), Vector128<float>.Zero))
            {
                return false;
            }
        }

        for (; i < length; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref start, i)))
            {
                return false;
            }
        }

        return true;
    }
}
