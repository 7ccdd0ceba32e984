using System;

namespace NnGen;

/// <summary>
/// Scratch memory for the forward cache and the backward pass, grown on demand and then reused, so a training loop
/// that keeps one allocates nothing per iteration. Not thread-safe: one workspace per concurrent caller.
/// </summary>
public sealed class Workspace
{
    private float[] _buffer = [];

    /// <summary>The number of floats currently held.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Returns <paramref name="length"/> floats of scratch, growing the buffer only when it is too small.</summary>
    /// <remarks>The contents are unspecified: callers write before they read.</remarks>
    public Span<float> GetSpan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_buffer.Length < length)
        {
            _buffer = GC.AllocateUninitializedArray<float>(length);
        }

        return _buffer.AsSpan(0, length);
    }
}
