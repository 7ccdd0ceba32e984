using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using NnGen.Data;

namespace NnGen.Tests.Data;

/// <summary>
/// Issue 21: an IDX header claims memory only for data that is there, and files that cannot seek (pipes) or are not
/// files (directories) are read or refused with the documented exceptions.
/// </summary>
public sealed class IdxHardeningTests : IDisposable
{
    private const long Budget = 16 << 20;

    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>20 bytes: the header of one 32768 x 32768 image (1 GiB of pixels) and 4 bytes of it.</summary>
    private static byte[] GibibyteClaim => [.. IdxTestFiles.Bytes([1, 32768, 32768], []), 1, 2, 3, 4];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TwentyBytesClaimingAGibibyte_RefusedWithoutAllocatingIt(bool gzip)
    {
        string path = _files.Write("claim", GibibyteClaim, gzip);

        (InvalidDataException error, long allocated) = Measure(() => IdxReader.Read(path));

        Assert.Equal($"{path}: the data ends after 4 of 1073741824 bytes (1 x 32768 x 32768); the file is truncated.", error.Message);
        Assert.True(allocated < Budget, $"IdxReader.Read allocated {allocated} bytes for a {(gzip ? "gzip" : "plain")} file holding 4 data bytes.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadDataset_TwentyBytesClaimingAGibibyte_RefusedWithoutAllocatingIt(bool gzip)
    {
        string images = _files.Write("claim", GibibyteClaim, gzip);
        string labels = _files.Write("labels", [1], [0], gzip);

        (InvalidDataException error, long allocated) = Measure(() => IdxReader.LoadDataset(images, labels, 10));

        Assert.Equal($"{images}: the data ends after 4 of 1073741824 bytes (1 x 32768 x 32768); the file is truncated.", error.Message);
        Assert.True(allocated < Budget, $"IdxReader.LoadDataset allocated {allocated} bytes.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromIdx_TwentyBytesClaimingAGibibyte_RefusedWithoutAllocatingIt(bool gzip)
    {
        string images = _files.Write("claim", GibibyteClaim, gzip);
        string labels = _files.Write("labels", [1], [0], gzip);

        // A plain file's length is compared with its header when the reader is made; gzip data is found short as it is read.
        (InvalidDataException error, long allocated) = Measure(() =>
        {
            foreach (var batch in BatchReader.FromIdx(images, labels, batchSize: 1, classCount: 10))
            {
                Assert.Fail("The image file holds no whole example.");
            }
        });

        Assert.Equal($"{images}: the data ends after 4 of 1073741824 bytes (1 x 32768 x 32768); the file is truncated.", error.Message);
        Assert.True(allocated < Budget, $"BatchReader.FromIdx allocated {allocated} bytes.");
    }

    [Fact]
    public void FromIdx_PlainFileShorterThanItsHeader_RefusedWhenTheReaderIsMade()
    {
        string images = _files.Write("images", IdxTestFiles.Bytes([5, 2, 2], new byte[20])[..^3], gzip: false);
        string labels = _files.Write("labels", [5], new byte[5], gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => BatchReader.FromIdx(images, labels, 2, 10));

        Assert.Equal($"{images}: the data ends after 17 of 20 bytes (5 x 2 x 2); the file is truncated.", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_NamedPipe_ReadsItLikeAFile(bool gzip)
    {
        byte[] values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        byte[] content = Content(IdxTestFiles.Bytes([2, 3, 4], values), gzip);
        string pipe = MakeFifo("images");

        IdxArray array = Served(pipe, content, () => IdxReader.Read(pipe, expectedDimensions: 3));

        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(values, array.Values);
    }

    [Fact]
    public void LoadDataset_NamedPipes_SameAsFromFiles()
    {
        byte[] pixels = Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray();
        string imagesPipe = MakeFifo("images");
        string labelsPipe = MakeFifo("labels");
        Dataset expected = IdxReader.LoadDataset(_files.Write("images", [3, 4, 4], pixels, gzip: true), _files.Write("labels", [3], [2, 0, 1], gzip: false), 3);

        Dataset fromPipes = Served(
            labelsPipe,
            IdxTestFiles.Bytes([3], [2, 0, 1]),
            () => Served(imagesPipe, Content(IdxTestFiles.Bytes([3, 4, 4], pixels), gzip: true), () => IdxReader.LoadDataset(imagesPipe, labelsPipe, 3)));

        Assert.Equal(expected.Inputs, fromPipes.Inputs);
        Assert.Equal(expected.Labels, fromPipes.Labels);
    }

    [Fact]
    public void FromIdx_NamedPipes_FirstPassReadsThem_ASecondPassSaysWhyItCannot()
    {
        byte[] pixels = Enumerable.Range(0, 5 * 6).Select(i => (byte)i).ToArray();
        string imagesPipe = MakeFifo("images");
        string labelsPipe = MakeFifo("labels");
        BatchReader expected = BatchReader.FromIdx(_files.Write("images", [5, 2, 3], pixels, gzip: false), _files.Write("labels", [5], [1, 0, 1, 1, 0], gzip: false), 2, 2);

        BatchReader reader = Served(
            labelsPipe,
            IdxTestFiles.Bytes([5], [1, 0, 1, 1, 0]),
            () => Served(imagesPipe, Content(IdxTestFiles.Bytes([5, 2, 3], pixels), gzip: true), () =>
            {
                BatchReader made = BatchReader.FromIdx(imagesPipe, labelsPipe, 2, 2);
                Assert.Equal(Flatten(expected), Flatten(made));
                return made;
            }));

        var error = Assert.Throws<InvalidOperationException>(() => Flatten(reader));
        Assert.StartsWith($"{imagesPipe} is a pipe, not a regular file: the first pass read it and it cannot be read again.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Directory_IsAnIOExceptionNamingIt()
    {
        var error = Assert.Throws<IOException>(() => IdxReader.Read(_files.Folder));

        Assert.Equal($"'{_files.Folder}' is a directory; expected an IDX file.", error.Message);
        Assert.Throws<IOException>(() => BatchReader.FromIdx(_files.Folder, _files.Write("labels", [1], [0], gzip: false), 1, 2));
    }

    private static (T Error, long Allocated) Measure<T>(Action action)
        where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        T error = Assert.Throws<T>(action);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (InvalidDataException Error, long Allocated) Measure(Action action) => Measure<InvalidDataException>(action);

    private static float[] Flatten(BatchReader reader)
    {
        var values = new System.Collections.Generic.List<float>();
        foreach (var (inputs, labels) in reader)
        {
            values.AddRange(inputs.ToArray());
            values.AddRange(labels.ToArray());
        }

        return values.ToArray();
    }

    private static byte[] Content(byte[] idx, bool gzip)
    {
        if (!gzip)
        {
            return idx;
        }

        var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zip.Write(idx);
        }

        return compressed.ToArray();
    }

    private string MakeFifo(string name)
    {
        string path = Path.Combine(_files.Folder, name + ".fifo");
        using Process process = Process.Start(new ProcessStartInfo("mkfifo", path) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        return path;
    }

    /// <summary>
    /// Runs <paramref name="read"/> while another thread writes <paramref name="content"/> into the FIFO, as
    /// <c>&lt;(zcat …)</c> would; a writer the reader never met is released so that a failing test cannot hang.
    /// </summary>
    private static T Served<T>(string fifo, byte[] content, Func<T> read)
    {
        Task writer = Task.Run(() =>
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            stream.Write(content);
        });
        try
        {
            return read();
        }
        finally
        {
            if (!writer.Wait(TimeSpan.FromSeconds(1)))
            {
                using (var drain = new FileStream(fifo, FileMode.Open, FileAccess.Read))
                {
                    drain.CopyTo(Stream.Null);
                }
            }

            try
            {
                writer.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // The reader closed the pipe early (it failed): the writer's broken pipe is not the finding.
            }
        }
    }
}
