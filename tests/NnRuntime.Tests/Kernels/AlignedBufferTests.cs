using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// <see cref="AlignedBuffer"/>: the first float on a 64-byte boundary for every length, through garbage collections,
/// and only the buffer's own floats reachable.
/// </summary>
public sealed class AlignedBufferTests
{
    [Fact]
    public void Span_EveryLengthAndManyAllocations_StartsOn64ByteBoundary()
    {
        for (int length = 1; length <= 300; length++)
        {
            var buffer = new AlignedBuffer(length);
            Assert.Equal(length, buffer.Span.Length);
            Assert.Equal(0, Misalignment(buffer.Span));
        }
    }

    [Fact]
    public void Span_AfterCompactingCollections_StillOnBoundaryAndKeepsValues()
    {
        // Garbage between the buffers, then full compacting collections: a movable array would shift.
        var buffers = new AlignedBuffer[32];
        for (int i = 0; i < buffers.Length; i++)
        {
            _ = new byte[(i * 24) + 8];
            buffers[i] = new AlignedBuffer(100 + i);
            buffers[i].Span.Fill(i);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        for (int i = 0; i < buffers.Length; i++)
        {
            Assert.Equal(0, Misalignment(buffers[i].Span));
            Assert.True(buffers[i].Span.IndexOfAnyExcept((float)i) < 0, $"buffer {i} changed");
        }
    }

    [Fact]
    public void NewBuffer_IsZeroed()
    {
        var buffer = new AlignedBuffer(1000);
        Assert.True(buffer.Span.IndexOfAnyExcept(0f) < 0);
    }

    [Fact]
    public void Slice_WithinLength_ViewsTheSameFloats()
    {
        var buffer = new AlignedBuffer(40);
        buffer.Slice(16, 8).Fill(3f);
        Assert.Equal(0f, buffer.Span[15]);
        Assert.Equal(3f, buffer.Span[16]);
        Assert.Equal(3f, buffer.Span[23]);
        Assert.Equal(0f, buffer.Span[24]);
        Assert.Equal(0, Misalignment(buffer.Slice(16, 8)));
    }

    [Fact]
    public void Slice_PastTheEnd_Throws()
    {
        // The storage has slack floats after the end; a view must still stop at Length.
        var buffer = new AlignedBuffer(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(-1, 2));
    }

    [Fact]
    public void Constructor_NegativeLength_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
        Assert.Equal("length", error.ParamName);
    }

    [Fact]
    public void Constructor_ZeroLength_IsEmpty()
    {
        Assert.True(new AlignedBuffer(0).Span.IsEmpty);
    }

    private static unsafe int Misalignment(Span<float> span) =>
        (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)) % AlignedBuffer.Alignment);
}
