using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Data;
using NnGen.Tests.Support;

namespace NnGen.Tests.Data;

public sealed class BatchReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void FromDataset_InOrder_BatchesCoverRowsWithSmallerLastBatchAndNoCopy()
    {
        Dataset data = DatasetSplitTests.Indexed(Enumerable.Range(0, 25).Select(i => i % 3).ToArray());
        BatchReader reader = BatchReader.FromDataset(data, 10);

        var batches = Collect(reader);

        Assert.Equal(3, reader.BatchCount);
        Assert.Equal([10, 10, 5], batches.Select(b => b.Labels.Length).ToArray());
        Assert.Equal(data.Inputs, batches.SelectMany(b => b.Inputs).ToArray());
        Assert.Equal(data.Labels, batches.SelectMany(b => b.Labels).ToArray());
        foreach (var (inputs, _) in reader)
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(inputs, out ArraySegment<float> segment));
            Assert.Same(data.Inputs, segment.Array);
        }
    }

    [Fact]
    public void FromDataset_Shuffled_EachPassIsTheNextNumPyPermutation()
    {
        Dataset data = DatasetSplitTests.Indexed(Enumerable.Range(0, 23).Select(i => i % 2).ToArray());
        BatchReader reader = BatchReader.FromDataset(data, 4, shuffleSeed: 7);
        var reference = new NumPyRandom(7);

        for (int pass = 0; pass < 3; pass++)
        {
            int[] order = reference.Permutation(data.Count);
            var batches = Collect(reader);

            Assert.Equal(6, batches.Count);
            Assert.Equal(order.SelectMany(i => new[] { (float)i, -i }), batches.SelectMany(b => b.Inputs));
            Assert.Equal(order.Select(i => data.Labels[i]), batches.SelectMany(b => b.Labels));
        }
    }

    [Fact]
    public void FromDataset_Shuffled_AllocatesNothingPerBatch()
    {
        var data = new Dataset(new float[1000 * 30], 30, new float[1000 * 10], 10);
        BatchReader reader = BatchReader.FromDataset(data, 10, shuffleSeed: 1);

        AllocationAssert.NoAllocation(() => BytesAfterFirstBatch(reader), "BatchReader.FromDataset (shuffled) MoveNext");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromIdx_StreamsTheSameExamplesAsLoadDataset(bool gzip)
    {
        var (images, labels) = WriteIdx(37, gzip);
        Dataset whole = IdxReader.LoadDataset(images, labels, 10);
        BatchReader reader = BatchReader.FromIdx(images, labels, 8, 10);

        for (int pass = 0; pass < 2; pass++)
        {
            var batches = Collect(reader);
            Assert.Equal([8, 8, 8, 8, 5], batches.Select(b => b.Labels.Length / 10).ToArray());
            Assert.Equal(whole.Inputs, batches.SelectMany(b => b.Inputs).ToArray());
            Assert.Equal(whole.Labels, batches.SelectMany(b => b.Labels).ToArray());
        }

        Assert.Equal(37, reader.Count);
        Assert.Equal(12, reader.InputSize);
        Assert.Equal(10, reader.LabelSize);
        BatchReader indices = BatchReader.FromIdx(images, labels, 100, 10, LabelEncoding.ClassIndex);
        Assert.Equal(whole.ToClassIndices().Labels, Collect(indices).Single().Labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromIdx_AllocatesNothingPerBatch(bool gzip)
    {
        var (images, labels) = WriteIdx(2000, gzip);
        BatchReader reader = BatchReader.FromIdx(images, labels, 16, 10);

        AllocationAssert.NoAllocation(() => BytesAfterFirstBatch(reader), $"BatchReader.FromIdx ({(gzip ? "gzip" : "plain")}) MoveNext");
    }

    [Fact]
    public void FromIdx_LabelBeyondClassesInALaterBatch_ThrowsNamingTheExample()
    {
        string images = _files.Write("images", [6, 1, 2], new byte[12], gzip: false);
        string labels = _files.Write("labels", [6], [0, 1, 2, 3, 11, 0], gzip: false);
        BatchReader reader = BatchReader.FromIdx(images, labels, 2, 10);

        var exception = Assert.Throws<InvalidDataException>(() => Collect(reader));

        Assert.Equal($"{labels}: labels[4] is 11, but there are 10 classes (0 to 9).", exception.Message);
        Assert.Equal(2, Collect(BatchReader.FromIdx(images, labels, 2, 12)).Count - 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromIdx_TruncatedData_Throws(bool gzip)
    {
        // A plain file is found short when the reader is made (IdxHardeningTests), gzip data during the pass.
        byte[] content = IdxTestFiles.Bytes([5, 2, 2], new byte[20]);
        string images = _files.Write("images", content[..^3], gzip);
        string labels = _files.Write("labels", [5], new byte[5], gzip);

        var exception = Assert.Throws<InvalidDataException>(() => Collect(BatchReader.FromIdx(images, labels, 2, 10)));

        Assert.Equal($"{images}: the data ends after 17 of 20 bytes (5 x 2 x 2); the file is truncated.", exception.Message);
    }

    [Fact]
    public void FromIdx_BytesAfterData_ThrowsAtTheEndOfThePass()
    {
        string images = _files.Write("images", [.. IdxTestFiles.Bytes([2, 2], new byte[4]), 1], gzip: false);
        string labels = _files.Write("labels", [2], new byte[2], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => Collect(BatchReader.FromIdx(images, labels, 1, 10)));

        Assert.Equal($"{images}: 1 bytes follow the 4 data bytes of 2 x 2; expected the end of the file.", exception.Message);
    }

    [Fact]
    public void FromIdx_HeaderErrors_AreReportedWhenCreated()
    {
        string images = _files.Write("images", [3, 2], new byte[6], gzip: false);
        string labels = _files.Write("labels", [4], new byte[4], gzip: false);

        Assert.Equal(
            $"{images} holds 3 images but {labels} holds 4 labels; expected one label per image.",
            Assert.Throws<InvalidDataException>(() => BatchReader.FromIdx(images, labels, 2, 10)).Message);
        Assert.Throws<FileNotFoundException>(() => BatchReader.FromIdx(images, labels + ".absent", 2, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchReader.FromIdx(images, labels, 0, 10));
    }

    [Fact]
    public void SecondPassWhileOneIsOpen_Throws_AndAnAbandonedPassCanBeFollowedByAnother()
    {
        var (images, labels) = WriteIdx(10, gzip: true);
        BatchReader reader = BatchReader.FromIdx(images, labels, 3, 10);

        using (BatchReader.Enumerator pass = reader.GetEnumerator())
        {
            Assert.True(pass.MoveNext());
            Assert.Contains("already in progress", Assert.Throws<InvalidOperationException>(() => reader.GetEnumerator()).Message, StringComparison.Ordinal);
        }

        foreach (var batch in reader)
        {
            Assert.Equal(36, batch.Inputs.Length);
            break;
        }

        Assert.Equal(4, Enumerable.Count(reader));
    }

    private static List<(float[] Inputs, float[] Labels)> Collect(BatchReader reader)
    {
        var batches = new List<(float[], float[])>();
        foreach (var (inputs, labels) in reader)
        {
            batches.Add((inputs.ToArray(), labels.ToArray()));
        }

        return batches;
    }

    private static long BytesAfterFirstBatch(BatchReader reader)
    {
        using BatchReader.Enumerator pass = reader.GetEnumerator();
        pass.MoveNext();
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        while (pass.MoveNext())
        {
            sum += pass.Current.Inputs.Span[0];
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(sum);
        return allocated;
    }

    private (string Images, string Labels) WriteIdx(int count, bool gzip)
    {
        byte[] pixels = Enumerable.Range(0, count * 12).Select(i => (byte)((i * 37) % 256)).ToArray();
        byte[] classes = Enumerable.Range(0, count).Select(i => (byte)((i * 3) % 10)).ToArray();
        return (_files.Write("images", [count, 3, 4], pixels, gzip), _files.Write("labels", [count], classes, gzip));
    }
}
