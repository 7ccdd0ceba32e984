using System;
using System.IO;
using System.Linq;
using NnGen.Data;

namespace NnGen.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_ThreeDimensions_GivesSizesAndRowMajorValues(bool gzip)
    {
        byte[] values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        string path = _files.Write("images", [2, 3, 4], values, gzip);

        IdxArray array = IdxReader.Read(path, expectedDimensions: 3);

        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(values, array.Values);
        Assert.Equal(2, array.Count);
        Assert.Equal(12, array.ValuesPerExample);
        Assert.Equal(path, array.Path);
    }

    [Fact]
    public void Read_SizesLargerThan255_AreBigEndian()
    {
        // 300 = 0x0000012C: little-endian reading would give 0x2C010000.
        string path = _files.Write("labels", [300], new byte[300], gzip: false);

        Assert.Equal([300], IdxReader.Read(path).Dimensions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadDataset_ScalesPixelsAndEncodesLabels(bool gzip)
    {
        byte[] pixels = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        string images = _files.Write("images", [4, 8, 8], pixels, gzip);
        string labels = _files.Write("labels", [4], [2, 0, 1, 2], gzip);

        Dataset oneHot = IdxReader.LoadDataset(images, labels, 3, classNames: ["a", "b", "c"]);
        Dataset indices = IdxReader.LoadDataset(images, labels, 3, LabelEncoding.ClassIndex);

        Assert.Equal(64, oneHot.InputSize);
        Assert.Equal(4, oneHot.Count);
        for (int i = 0; i < 256; i++)
        {
            // NumPy: (X / 255.).astype(np.float32), the quotient rounded once.
            Assert.Equal((float)(i / 255.0), oneHot.Inputs[i]);
        }

        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], oneHot.Labels);
        Assert.Equal(["a", "b", "c"], oneHot.ClassNames!);
        Assert.Equal([2f, 0f, 1f, 2f], indices.Labels);
        Assert.Equal(oneHot.Inputs, indices.Inputs);
        Assert.Null(indices.ClassNames);
    }

    [Fact]
    public void Read_GzipDetectedByContentNotName()
    {
        string plainNamedGz = Path.Combine(_files.Folder, "plain.gz");
        File.WriteAllBytes(plainNamedGz, IdxTestFiles.Bytes([3], [1, 2, 3]));
        string gzipNamedPlain = _files.Write("other", [3], [4, 5, 6], gzip: true);
        File.Move(gzipNamedPlain, Path.Combine(_files.Folder, "other.idx"));

        Assert.Equal([1, 2, 3], IdxReader.Read(plainNamedGz).Values);
        Assert.Equal([4, 5, 6], IdxReader.Read(Path.Combine(_files.Folder, "other.idx")).Values);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_WrongMagic_ThrowsNamingFoundAndExpected(bool gzip)
    {
        byte[] content = IdxTestFiles.Bytes([2], [1, 2]);
        content[1] = 0x05;
        string path = _files.Write("bad", content, gzip);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal(
            $"{path}: magic number 0x00050801; expected an IDX magic number 0x0000TTDD (two zero bytes, type, dimension count), e.g. 0x00000803 for images or 0x00000801 for labels.",
            exception.Message);
    }

    [Fact]
    public void Read_FloatElementType_ThrowsNamingType()
    {
        byte[] content = IdxTestFiles.Bytes([1], [0]);
        content[2] = 0x0D;
        string path = _files.Write("floats", content, gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: magic number 0x00000D01 has element type 0x0D (32-bit float); expected 0x08 (unsigned byte).", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_WrongDimensionCount_ThrowsNamingBoth(bool gzip)
    {
        string path = _files.Write("images", [2, 2, 2], new byte[8], gzip);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path, expectedDimensions: 1));

        Assert.Equal($"{path}: magic number 0x00000803 says 3 dimensions; expected 1 (magic 0x00000801).", exception.Message);
    }

    [Fact]
    public void Read_ZeroDimensions_Throws()
    {
        string path = _files.Write("empty", [], [], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: magic number 0x00000800 says 0 dimensions; expected at least 1.", exception.Message);
    }

    [Fact]
    public void Read_ZeroSize_ThrowsNamingDimension()
    {
        string path = _files.Write("images", [5, 0, 28], [], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: dimension 1 has size 0; expected a size from 1 to 2147483647.", exception.Message);
    }

    [Fact]
    public void Read_SizeAboveIntRange_ThrowsNamingDimension()
    {
        byte[] content = IdxTestFiles.Bytes([1], [0]);
        content[4] = 0x80;
        string path = _files.Write("huge", content, gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: dimension 0 has size 2147483649; expected a size from 1 to 2147483647.", exception.Message);
    }

    [Fact]
    public void Read_SizesBeyondAnArray_Throws()
    {
        string path = _files.Write("huge", [100000, 100000], [], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: 100000 x 100000 is more than the {Array.MaxLength} bytes the largest .NET array holds.", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TruncatedData_ThrowsNamingBytesFoundAndExpected(bool gzip)
    {
        byte[] content = IdxTestFiles.Bytes([3, 2, 2], new byte[12]);
        string path = _files.Write("images", content[..^5], gzip);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: the data ends after 7 of 12 bytes (3 x 2 x 2); the file is truncated.", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TruncatedHeader_ThrowsNamingHeaderSize(bool gzip)
    {
        byte[] content = IdxTestFiles.Bytes([3, 2, 2], new byte[12]);
        string path = _files.Write("images", content[..10], gzip);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: the header ends after 10 bytes; expected 16 bytes for 3 dimension sizes.", exception.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Read_ShorterThanMagic_Throws(int length)
    {
        string path = _files.Write("short", new byte[length], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: the file ends after {length} bytes; expected a 4-byte IDX magic number.", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_BytesAfterData_ThrowsNamingCount(bool gzip)
    {
        byte[] content = [.. IdxTestFiles.Bytes([4], [1, 2, 3, 4]), 9, 9, 9];
        string path = _files.Write("labels", content, gzip);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: 3 bytes follow the 4 data bytes of 4 values; expected the end of the file.", exception.Message);
    }

    [Fact]
    public void Read_DamagedGzip_ThrowsNamingFile()
    {
        string path = _files.Write("labels", [1000], Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray(), gzip: true);
        byte[] bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 10; i++)
        {
            bytes[i] ^= 0x5A;
        }

        File.WriteAllBytes(path, bytes);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.StartsWith($"{path}: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        string path = Path.Combine(_files.Folder, "absent-idx1-ubyte");

        var exception = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));

        Assert.Equal(path, exception.FileName);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDataset_DifferentCounts_ThrowsNamingBothFiles()
    {
        string images = _files.Write("images", [3, 2, 2], new byte[12], gzip: false);
        string labels = _files.Write("labels", [2], [0, 1], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(images, labels, 2));

        Assert.Equal($"{images} holds 3 images but {labels} holds 2 labels; expected one label per image.", exception.Message);
    }

    [Fact]
    public void LoadDataset_LabelBeyondClasses_ThrowsNamingExample()
    {
        string images = _files.Write("images", [3, 2, 2], new byte[12], gzip: false);
        string labels = _files.Write("labels", [3], [0, 1, 12], gzip: false);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(images, labels, 10));

        Assert.Equal($"{labels}: labels[2] is 12, but there are 10 classes (0 to 9).", exception.Message);
    }

    [Fact]
    public void LoadDataset_ImagesFileWithOneDimension_AndLabelsWithThree_Throw()
    {
        string flat = _files.Write("flat", [3], new byte[3], gzip: false);
        string labels = _files.Write("labels", [3], [0, 1, 1], gzip: false);
        string images = _files.Write("images", [3, 1, 1], new byte[3], gzip: false);

        Assert.Equal($"{flat}: 1 dimension; expected at least 2 for images (examples, then the size of each).", Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(flat, labels, 2)).Message);
        Assert.Equal($"{images}: magic number 0x00000803 says 3 dimensions; expected 1 (magic 0x00000801).", Assert.Throws<InvalidDataException>(() => IdxReader.LoadDataset(images, images, 2)).Message);
        Assert.Throws<ArgumentException>(() => IdxReader.LoadDataset(images, labels, 2, classNames: ["only one"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxReader.LoadDataset(images, labels, 1));
    }
}
