using System;
using System.Globalization;
using System.IO;

namespace NnGen.Data;

/// <summary>Streams an IDX image file and its label file batch by batch, holding one batch of bytes and floats.</summary>
internal sealed class IdxBatchReader : BatchReader
{
    private readonly string _imagesPath;
    private readonly string _labelsPath;
    private readonly int[] _imageDimensions;
    private readonly int[] _labelDimensions;
    private readonly int _classCount;
    private readonly LabelEncoding _encoding;
    private readonly float[] _pixels;
    private readonly byte[] _imageBytes;
    private readonly byte[] _labelBytes;
    private Stream? _images;
    private Stream? _labels;

    public IdxBatchReader(string imagesPath, string labelsPath, int batchSize, int classCount, LabelEncoding encoding, double pixelScale)
        : this(imagesPath, labelsPath, ReadShapes(imagesPath, labelsPath), batchSize, classCount, encoding, pixelScale)
    {
    }

    private IdxBatchReader(string imagesPath, string labelsPath, (int[] Images, int[] Labels) shapes, int batchSize, int classCount, LabelEncoding encoding, double pixelScale)
        : base(shapes.Images[0], ValuesPerExample(shapes.Images), encoding == LabelEncoding.OneHot ? classCount : 1, batchSize)
    {
        _imagesPath = imagesPath;
        _labelsPath = labelsPath;
        _imageDimensions = shapes.Images;
        _labelDimensions = shapes.Labels;
        _classCount = classCount;
        _encoding = encoding;
        _pixels = IdxReader.PixelTable(pixelScale);
        int rows = Math.Min(batchSize, Count);
        _imageBytes = new byte[rows * InputSize];
        _labelBytes = new byte[rows];
    }

    protected override void BeginPass()
    {
        _images = Reopen(_imagesPath, _imageDimensions);
        _labels = Reopen(_labelsPath, _labelDimensions);
    }

    protected override void ReadBatch(int first, int count, out ReadOnlyMemory<float> inputs, out ReadOnlyMemory<float> labels)
    {
        Span<byte> imageBytes = _imageBytes.AsSpan(0, count * InputSize);
        Span<byte> labelBytes = _labelBytes.AsSpan(0, count);
        int read = IdxReader.ReadFully(_images!, _imagesPath, imageBytes);
        if (read < imageBytes.Length)
        {
            throw IdxReader.Truncated(_imagesPath, _imageDimensions, ((long)first * InputSize) + read);
        }

        read = IdxReader.ReadFully(_labels!, _labelsPath, labelBytes);
        if (read < labelBytes.Length)
        {
            throw IdxReader.Truncated(_labelsPath, _labelDimensions, (long)first + read);
        }

        IdxReader.CheckLabels(_labelsPath, labelBytes, first, _classCount);
        if (first + count == Count)
        {
            IdxReader.EnsureEnd(_images!, _imagesPath, _imageDimensions, (long)Count * InputSize);
            IdxReader.EnsureEnd(_labels!, _labelsPath, _labelDimensions, Count);
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
        _images?.Dispose();
        _labels?.Dispose();
        _images = null;
        _labels = null;
    }

    private static (int[] Images, int[] Labels) ReadShapes(string imagesPath, string labelsPath)
    {
        int[] labels;
        using (IdxReader.Open(labelsPath, expectedDimensions: 1, out labels, out _))
        {
        }

        int[] images;
        using (IdxReader.Open(imagesPath, expectedDimensions: null, out images, out _))
        {
        }

        if (images.Length < 2)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{imagesPath}: 1 dimension; expected at least 2 for images (examples, then the size of each)."));
        }

        IdxReader.CheckSameCount(imagesPath, images[0], labelsPath, labels[0]);
        return (images, labels);
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

    // The files are read again on every pass; one that changed shape since the reader was made is reported, not misread.
    private static Stream Reopen(string path, int[] dimensions)
    {
        Stream stream = IdxReader.Open(path, dimensions.Length, out int[] now, out _);
        if (!now.AsSpan().SequenceEqual(dimensions))
        {
            stream.Dispose();
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: the dimensions are now {string.Join(" x ", now)}; expected {string.Join(" x ", dimensions)} as when the reader was created."));
        }

        return stream;
    }
}
