using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace NnGen.Data;

/// <summary>
/// Reads IDX files, the format of MNIST-style data sets (LeCun's <c>train-images-idx3-ubyte</c>): a 4-byte magic number
/// (two zero bytes, the element type, the number of dimensions), each dimension as a big-endian 32-bit size, then the
/// values row-major. Only unsigned bytes (type 0x08) are read, which is what image and label files hold. Files may be
/// gzip-compressed (as distributed, <c>.gz</c>) or not; the content decides, not the name.
/// </summary>
public static class IdxReader
{
    /// <summary>The element-type byte of unsigned-byte data, the only one this reader accepts.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>
    /// Reads a whole IDX file of unsigned bytes.
    /// </summary>
    /// <param name="path">An IDX file, gzip-compressed or not.</param>
    /// <param name="expectedDimensions">The number of dimensions the caller needs (1 for labels, 3 for images), or null for any.</param>
    /// <returns>The dimensions and values.</returns>
    /// <remarks>
    /// The header is checked against an uncompressed file's length before anything is allocated for the data; gzip data
    /// and pipes (<c>&lt;(zcat …)</c>, <c>/dev/stdin</c>) are read into memory that grows as the data arrives. Either way
    /// a header claims memory only for data that is there.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory or may not be read.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not an IDX file of unsigned bytes with the expected number of dimensions, a dimension is 0, the data
    /// is shorter or longer than the dimensions say, or the gzip stream is damaged. The message names the file and what
    /// was expected and found (magic number, element type, dimension count, sizes, bytes present).
    /// </exception>
    public static IdxArray Read(string path, int? expectedDimensions = null)
    {
        using Stream stream = Open(path, expectedDimensions, out int[] dimensions, out long length, out _);
        byte[] values = ReadData(stream, path, dimensions, length, initial: 1 << 20);
        EnsureEnd(stream, path, dimensions, length);
        return new IdxArray(path, dimensions, values);
    }

    /// <summary>
    /// Reads an image file and its label file into a <see cref="Dataset"/>: one example per image, its pixels flattened
    /// row by row and multiplied by <paramref name="pixelScale"/>, and its label as a class index or one-hot row.
    /// </summary>
    /// <param name="imagesPath">An IDX file of m images (3 dimensions: m, rows, columns; or any number from 2).</param>
    /// <param name="labelsPath">An IDX file of m labels (1 dimension), each below <paramref name="classCount"/>.</param>
    /// <param name="classCount">The number of classes, at least 2 (10 for MNIST and Fashion-MNIST).</param>
    /// <param name="encoding">One-hot rows (the default) or class indices.</param>
    /// <param name="pixelScale">
    /// The factor for every pixel, applied in double and rounded to float once; the default 1/255 maps 0…255 to [0, 1]
    /// exactly as NumPy's <c>(X / 255.).astype(np.float32)</c>. Finite.
    /// </param>
    /// <param name="classNames">The name of each class (copied into <see cref="Dataset.ClassNames"/>), or null.</param>
    /// <returns>The examples in file order.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="IOException">A path is a directory or may not be read.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is not a valid IDX file (see <see cref="Read"/>), the two files hold different numbers of examples, or a
    /// label is not below <paramref name="classCount"/> (the message names the file and the example).
    /// </exception>
    /// <exception cref="ArgumentException">An argument is out of range, or <paramref name="classNames"/> does not have <paramref name="classCount"/> names.</exception>
    public static Dataset LoadDataset(
        string imagesPath,
        string labelsPath,
        int classCount,
        LabelEncoding encoding = LabelEncoding.OneHot,
        double pixelScale = 1.0 / 255,
        IReadOnlyList<string>? classNames = null)
    {
        CheckDatasetArguments(imagesPath, labelsPath, classCount, encoding, pixelScale, classNames);
        IdxArray labels = Read(labelsPath, expectedDimensions: 1);
        IdxArray images = Read(imagesPath);
        if (images.Dimensions.Count < 2)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{imagesPath}: 1 dimension; expected at least 2 for images (examples, then the size of each)."));
        }

        CheckSameCount(imagesPath, images.Count, labelsPath, labels.Count);
        CheckLabels(labelsPath, labels.Values, 0, classCount);

        float[] table = PixelTable(pixelScale);
        var inputs = new float[images.Values.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = table[images.Values[i]];
        }

        int labelSize = encoding == LabelEncoding.OneHot ? classCount : 1;
        var targets = new float[labels.Count * labelSize];
        WriteLabels(labels.Values, encoding, classCount, targets);
        return new Dataset(inputs, images.ValuesPerExample, targets, labelSize, classNames);
    }

    internal static void CheckDatasetArguments(string imagesPath, string labelsPath, int classCount, LabelEncoding encoding, double pixelScale, IReadOnlyList<string>? classNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        if (encoding is not (LabelEncoding.OneHot or LabelEncoding.ClassIndex))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Not a defined LabelEncoding value.");
        }

        if (!double.IsFinite(pixelScale))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelScale), pixelScale, "The pixel scale must be a finite number.");
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"classNames has {classNames.Count} names; expected classCount {classCount}."),
                nameof(classNames));
        }
    }

    internal static void CheckSameCount(string imagesPath, int images, string labelsPath, int labels)
    {
        if (images != labels)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{imagesPath} holds {images} images but {labelsPath} holds {labels} labels; expected one label per image."));
        }
    }

    /// <summary>Checks that every label byte is a class; <paramref name="first"/> is the example number of labels[0], for the message.</summary>
    internal static void CheckLabels(string path, ReadOnlySpan<byte> labels, long first, int classCount)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: labels[{first + i}] is {labels[i]}, but there are {classCount} classes (0 to {classCount - 1})."));
            }
        }
    }

    internal static void WriteLabels(ReadOnlySpan<byte> labels, LabelEncoding encoding, int classCount, Span<float> destination)
    {
        if (encoding == LabelEncoding.ClassIndex)
        {
            for (int i = 0; i < labels.Length; i++)
            {
                destination[i] = labels[i];
            }

            return;
        }

        destination[..(labels.Length * classCount)].Clear();
        for (int i = 0; i < labels.Length; i++)
        {
            destination[(i * classCount) + labels[i]] = 1f;
        }
    }

    /// <summary>The float for each byte value, each computed in double and rounded once.</summary>
    internal static float[] PixelTable(double pixelScale)
    {
        var table = new float[256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (float)(i * pixelScale);
        }

        return table;
    }

    /// <summary>
    /// Opens <paramref name="path"/> (decompressing gzip), reads and checks the header, and leaves the stream at the
    /// first value. <paramref name="length"/> is the number of value bytes the dimensions promise; for an uncompressed
    /// regular file it has been compared with the file's length already, so a header cannot claim more than the file
    /// holds. <paramref name="rereadable"/> is false for a pipe, which a second open would not read from the start.
    /// </summary>
    internal static Stream Open(string path, int? expectedDimensions, out int[] dimensions, out long length, out bool rereadable)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a directory; expected an IDX file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file not found: '{path}' (full path '{Path.GetFullPath(path)}').", path);
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new IOException($"'{path}' cannot be read: {exception.Message}", exception);
        }

        Stream stream = file;
        try
        {
            // A pipe (<(zcat …), /dev/stdin) cannot seek back over the two bytes that tell gzip from plain data, so they
            // are replayed in front of it instead.
            var start = new byte[2];
            int found = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
            rereadable = file.CanSeek;
            if (rereadable)
            {
                file.Position = 0;
            }
            else
            {
                stream = new ReplayStream(start.AsMemory(0, found), file);
            }

            bool gzip = found == 2 && start[0] == 0x1f && start[1] == 0x8b;
            if (gzip)
            {
                stream = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: false);
            }

            dimensions = ReadHeader(stream, path, expectedDimensions, out length);
            if (!gzip && rereadable)
            {
                long present = file.Length - file.Position;
                if (present < length)
                {
                    throw Truncated(path, dimensions, present);
                }

                if (present > length)
                {
                    throw TrailingBytes(path, dimensions, length, present - length);
                }
            }

            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the <paramref name="length"/> data bytes of an opened file into a buffer that grows as data arrives (from
    /// <paramref name="initial"/> bytes, doubling), so a header's claim costs memory only when the data is there.
    /// </summary>
    internal static byte[] ReadData(Stream stream, string path, int[] dimensions, long length, int initial)
    {
        var buffer = new byte[Math.Min(length, initial)];
        int filled = 0;
        while (true)
        {
            filled += ReadFully(stream, path, buffer.AsSpan(filled));
            if (filled < buffer.Length)
            {
                throw Truncated(path, dimensions, filled);
            }

            if (buffer.Length == length)
            {
                return buffer;
            }

            Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from the stream as far as it goes; returns the bytes read. Gzip damage becomes an error naming the file.</summary>
    internal static int ReadFully(Stream stream, string path, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"{path}: the gzip data is damaged ({exception.Message}).", exception);
        }
    }

    internal static InvalidDataException Truncated(string path, int[] dimensions, long read) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"{path}: the data ends after {read} of {Product(dimensions)} bytes ({Shape(dimensions)}); the file is truncated."));

    /// <summary>Fails when bytes follow the values the dimensions promise: the header and the data disagree.</summary>
    internal static void EnsureEnd(Stream stream, string path, int[] dimensions, long length)
    {
        Span<byte> probe = stackalloc byte[4096];
        long extra = 0;
        int read;
        while ((read = ReadFully(stream, path, probe)) > 0)
        {
            extra += read;
        }

        if (extra > 0)
        {
            throw TrailingBytes(path, dimensions, length, extra);
        }
    }

    private static InvalidDataException TrailingBytes(string path, int[] dimensions, long length, long extra) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"{path}: {extra} bytes follow the {length} data bytes of {Shape(dimensions)}; expected the end of the file."));

    private static int[] ReadHeader(Stream stream, string path, int? expectedDimensions, out long length)
    {
        Span<byte> magic = stackalloc byte[4];
        int read = ReadFully(stream, path, magic);
        if (read < 4)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}: the file ends after {read} bytes; expected a 4-byte IDX magic number."));
        }

        uint found = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: magic number 0x{found:X8}; expected an IDX magic number 0x0000TTDD (two zero bytes, type, dimension count), e.g. 0x00000803 for images or 0x00000801 for labels."));
        }

        if (magic[2] != UnsignedByteType)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: magic number 0x{found:X8} has element type 0x{magic[2]:X2} ({TypeName(magic[2])}); expected 0x08 (unsigned byte)."));
        }

        int count = magic[3];
        if (count == 0 || (expectedDimensions is int expected && count != expected))
        {
            string wanted = expectedDimensions is int e
                ? string.Create(CultureInfo.InvariantCulture, $"{e} (magic 0x000008{e:X2})")
                : "at least 1";
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: magic number 0x{found:X8} says {count} dimensions; expected {wanted}."));
        }

        Span<byte> sizes = stackalloc byte[4 * count];
        read = ReadFully(stream, path, sizes);
        if (read < sizes.Length)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: the header ends after {4 + read} bytes; expected {4 + sizes.Length} bytes for {count} dimension sizes."));
        }

        var dimensions = new int[count];
        length = 1;
        for (int d = 0; d < count; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizes.Slice(4 * d, 4));
            if (size == 0 || size > int.MaxValue)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: dimension {d} has size {size}; expected a size from 1 to {int.MaxValue}."));
            }

            dimensions[d] = (int)size;
            length = Math.Min(length * size, long.MaxValue / int.MaxValue);
        }

        if (length > Array.MaxLength)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: {Shape(dimensions)} is more than the {Array.MaxLength} bytes the largest .NET array holds."));
        }

        return dimensions;
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type",
    };

    private static string Shape(int[] dimensions) => string.Join(" x ", dimensions) + (dimensions.Length == 1 ? " values" : string.Empty);

    private static long Product(int[] dimensions)
    {
        long product = 1;
        foreach (int d in dimensions)
        {
            product *= d;
        }

        return product;
    }

    /// <summary>A read-only stream that yields <c>prefix</c> and then the rest of <c>inner</c>: a peek on a stream that cannot seek.</summary>
    private sealed class ReplayStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return inner.Read(buffer);
            }

            int count = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..count].CopyTo(buffer);
            _prefix = _prefix[count..];
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
