using System;
using System.Globalization;
using System.IO;

namespace NnGen.Data;

/// <summary>Streams an IDX image file and its label file batch by batch, holding one batch of bytes and floats.</summary>
internal sealed class IdxBatchReader : BatchReader
{
    private readonly Source _images;
    private readonly Source _labels;
    private readonly int _classCount;
    private readonly LabelEncoding _encoding;
    private readonly float[] _pixels;
    private readonly int _rows;
    private byte[] _imageBytes = [];
    private byte[] _labelBytes = [];

    public IdxBatchReader(string imagesPath, string labelsPath, int batchSize, int classCount, LabelEncoding encoding, double pixelScale)
        : this(OpenBoth(imagesPath, labelsPath), batchSize, classCount, encoding, pixelScale)
    {
    }

    private IdxBatchReader((Source Images, Source Labels) sources, int batchSize, int classCount, LabelEncoding encoding, double pixelScale)
        : base(sources.Images.Dimensions[0], ValuesPerExample(sources.Images.Dimensions), encoding == LabelEncoding.OneHot ? classCount : 1, batchSize)
    {
        _images = sources.Images;
        _labels = sources.Labels;
        _classCount = classCount;
        _encoding = encoding;
        _pixels = IdxReader.PixelTable(pixelScale);
        _rows = Math.Min(batchSize, Count);
    }

    protected override void BeginPass()
    {
        _images.Begin();
        try
        {
            _labels.Begin();
        }
        catch
        {
            _images.End();
            throw;
        }
    }

    protected override void ReadBatch(int first, int count, out ReadOnlyMemory<float> inputs, out ReadOnlyMemory<float> labels)
    {
        // The byte buffers grow as data arrives (up to one batch), and the float buffers are allocated after it has: a
        // gzip file or a pipe whose header claims huge examples costs memory only for the bytes it really holds.
        Span<byte> imageBytes = _images.Read(ref _imageBytes, (long)first * InputSize, count * InputSize, _rows * InputSize);
        Span<byte> labelBytes = _labels.Read(ref _labelBytes, first, count, _rows);
        IdxReader.CheckLabels(_labels.Path, labelBytes, first, _classCount);
        if (first + count == Count)
        {
            _images.EnsureEnd();
            _labels.EnsureEnd();
        }

        Span<float> pixels = InputBuffer.AsSpan(0, imageBytes.Length);
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = _pixels[imageBytes[i]];
        }

        IdxReader.WriteLabels(labelBytes, _encoding, _classCount, LabelBuffer);
        inputs = new ReadOnlyMemory<float>(InputBuffer, 0, pixels.Length);
        labels = new ReadOnlyMemory<float>(LabelBuffer, 0, count * LabelSize);
    }

    protected override void EndPass()
    {
        _images.End();
        _labels.End();
    }

    private static (Source Images, Source Labels) OpenBoth(string imagesPath, string labelsPath)
    {
        Source labels = Source.Open(labelsPath, expectedDimensions: 1);
        try
        {
            Source images = Source.Open(imagesPath, expectedDimensions: null);
            try
            {
                if (images.Dimensions.Length < 2)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{imagesPath}: 1 dimension; expected at least 2 for images (examples, then the size of each)."));
                }

                IdxReader.CheckSameCount(imagesPath, images.Dimensions[0], labelsPath, labels.Dimensions[0]);
                return (images, labels);
            }
            catch
            {
                images.End();
                throw;
            }
        }
        catch
        {
            labels.End();
            throw;
        }
    }

    private static int ValuesPerExample(int[] dimensions)
    {
        long product = 1;
        for (int d = 1; d < dimensions.Length; d++)
        {
            product *= dimensions[d];
        }

        return product <= int.MaxValue ? (int)product : throw new InvalidDataException("An example of the IDX file is larger than an array can hold.");
    }

    /// <summary>One of the two files: its header as first read, and the stream of the pass in progress.</summary>
    private sealed class Source
    {
        private readonly bool _rereadable;
        private Stream? _stream;
        private bool _used;

        private Source(string path, int[] dimensions, bool rereadable, Stream? stream)
        {
            Path = path;
            Dimensions = dimensions;
            _rereadable = rereadable;
            _stream = stream;
        }

        public string Path { get; }

        public int[] Dimensions { get; }

        private long Length => (long)Dimensions[0] * ValuesPerExample(Dimensions);

        /// <summary>
        /// Reads the header now. A regular file is closed and opened again by each pass; a pipe stays open for the first
        /// pass, since opening it again would not start from its beginning (or would wait for a writer).
        /// </summary>
        public static Source Open(string path, int? expectedDimensions)
        {
            Stream stream = IdxReader.Open(path, expectedDimensions, out int[] dimensions, out _, out bool rereadable);
            if (rereadable)
            {
                stream.Dispose();
                return new Source(path, dimensions, rereadable: true, stream: null);
            }

            return new Source(path, dimensions, rereadable: false, stream);
        }

        public void Begin()
        {
            if (_stream is not null && !_used)
            {
                _used = true;
                return;
            }

            if (!_rereadable)
            {
                throw new InvalidOperationException($"{Path} is a pipe, not a regular file: the first pass read it and it cannot be read again. Stream from a file, or load it with IdxReader.LoadDataset and read batches with BatchReader.FromDataset.");
            }

            // The file is read again on every pass; one that changed shape since the reader was made is reported, not misread.
            Stream stream = IdxReader.Open(Path, Dimensions.Length, out int[] now, out _, out _);
            if (!now.AsSpan().SequenceEqual(Dimensions))
            {
                stream.Dispose();
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Path}: the dimensions are now {string.Join(" x ", now)}; expected {string.Join(" x ", Dimensions)} as when the reader was created."));
            }

            _stream = stream;
            _used = true;
        }

        /// <summary>
        /// The next <paramref name="count"/> bytes (the first at <paramref name="position"/> of the data), read into
        /// <paramref name="buffer"/>, which doubles as data arrives up to <paramref name="capacity"/> bytes.
        /// </summary>
        public Span<byte> Read(ref byte[] buffer, long position, int count, int capacity)
        {
            int filled = 0;
            while (true)
            {
                int room = Math.Min(buffer.Length, count);
                filled += IdxReader.ReadFully(_stream!, Path, buffer.AsSpan(filled, room - filled));
                if (filled < room)
                {
                    throw IdxReader.Truncated(Path, Dimensions, position + filled);
                }

                if (filled == count)
                {
                    return buffer.AsSpan(0, count);
                }

                Array.Resize(ref buffer, (int)Math.Min(capacity, Math.Max(1 << 16, 2L * buffer.Length)));
            }
        }

        public void EnsureEnd() => IdxReader.EnsureEnd(_stream!, Path, Dimensions, Length);

        public void End()
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
