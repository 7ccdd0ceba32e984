using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NnGen.Kernels;

/// <summary>
/// A fixed-length buffer of floats whose first element sits on a 64-byte boundary: the generated networks keep their
/// parameters (and gradients) in one, so a layer whose W[l] starts on a vector boundary of the buffer is read by
/// 256- and 512-bit loads that never span two cache lines, whatever address the allocator chose.
/// </summary>
/// <remarks>
/// The storage is an array on the pinned object heap, which the garbage collector never moves, so the boundary holds
/// for the buffer's lifetime; the unused floats before the start and after the end are never exposed. Results do not
/// depend on the alignment (the kernels are bit-identical wherever buffers sit); only the speed does.
/// </remarks>
public sealed class AlignedBuffer
{
    /// <summary>The boundary the first element sits on, in bytes: one cache line, one 512-bit vector.</summary>
    public const int Alignment = 64;

    private const int Slack = (Alignment / sizeof(float)) - 1;

    private readonly float[] _storage;
    private readonly int _start;

    /// <summary>Allocates <paramref name="length"/> zeroed floats starting on a 64-byte boundary.</summary>
    /// <param name="length">The number of floats; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _storage = GC.AllocateArray<float>(length + Slack, pinned: true);
        _start = FloatsToBoundary(_storage);
        Length = length;
    }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>All <see cref="Length"/> floats.</summary>
    public Span<float> Span => new(_storage, _start, Length);

    /// <summary>The floats [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the buffer.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> Slice(int start, int length) => Span.Slice(start, length);

    private static unsafe int FloatsToBoundary(float[] pinned)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        int misalignment = (int)(address % Alignment);

        // The runtime aligns every array's data to at least 4 bytes, so the distance is a whole number of floats.
        return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
    }
}
