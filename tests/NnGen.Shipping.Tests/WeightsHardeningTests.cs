using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.Versioning;
using System.Linq;
using System.Text;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Issue 21: a save cannot write what a load refuses, loads fail with the documented exception types, a header is
/// checked before the data it describes is read, and a save keeps the permissions of the file it replaces.
/// </summary>
public sealed class WeightsHardeningTests : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-hardening");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    public static TheoryData<string, float[], int[], string> UnloadableExtras => new()
    {
        { "NaN", [1f, float.NaN], [2], "Tensor 'standardizer.mean': value at [1] is NaN; every value must be finite." },
        { "infinity", [float.NegativeInfinity], [1, 1], "Tensor 'standardizer.mean': value at [0, 0] is -Infinity; every value must be finite." },
        { "nine dimensions", [3f], [1, 1, 1, 1, 1, 1, 1, 1, 1], "Tensor 'standardizer.mean': shape (1, 1, 1, 1, 1, 1, 1, 1, 1) has 9 dimensions; at most 8 are supported." },
    };

    [Theory]
    [MemberData(nameof(UnloadableExtras))]
    public void SaveWeights_ExtraTheLoaderWouldRefuse_RefusedAndTheOldFileStaysLoadable(string _, float[] values, int[] shape, string message)
    {
        var net = new PlanarNet(seed: 1);
        string path = Path.Combine(_directory, "model.safetensors");
        net.SaveWeights(path);
        byte[] before = File.ReadAllBytes(path);

        ArgumentException error = Assert.Throws<ArgumentException>(() => net.SaveWeights(path, [new NamedTensor("standardizer.mean", shape, values)]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_directory));
        new PlanarNet().LoadWeights(path);
    }

    [Fact]
    public void SaveWeights_HeaderOverTheLoadersCap_RefusedBeforeAByteIsWritten()
    {
        // 101 names of a million characters: a header of just over 100 MB, which the loader refuses as a corrupted length.
        NamedTensor[] extras = Enumerable.Range(0, 101).Select(i => new NamedTensor(i.ToString("D3", null) + new string('x', 1_000_000), [1f])).ToArray();
        var stream = new MemoryStream();

        ArgumentException error = Assert.Throws<ArgumentException>(() => new PlanarNet(seed: 1).SaveWeights(stream, extras));

        Assert.StartsWith("The header would be 101", error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes; a weight file's header holds at most 100000000 (tensor names too long?).", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void SaveWeights_EveryExtraThatSaves_Loads_EmptyTensorsOfAnyShapeIncluded()
    {
        var net = new PlanarNet(seed: 1);
        NamedTensor[] extras =
        [
            new("empty", [46341, 46341, 0], []),
            new("scalar", [], [2.5f]),
            new("eight dimensions", [1, 2, 1, 1, 1, 1, 1, 2], [1f, 2f, 3f, 4f]),
            new("classes: T-shirt/top ✓ 𝄞", [float.MaxValue, -float.Epsilon]),
        ];
        string path = Path.Combine(_directory, "extras.safetensors");
        net.SaveWeights(path, extras);

        LoadedWeights loaded = new PlanarNet().LoadWeights(path);

        Assert.Equal(extras.Select(e => e.ToString()), loaded.Extras.Select(e => e.ToString()));
        for (int i = 0; i < extras.Length; i++)
        {
            Assert.Equal(extras[i].Values.ToArray(), loaded.Extras[i].Values.ToArray());
        }
    }

    [Fact]
    public void LoadWeights_ExtraNamedEmpty_IsAWeightsFormatException()
    {
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(new PlanarNet(seed: 3));
        tensors.Add(RawSafetensors.F32("", [1], [1f]));

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(new PlanarNet(), RawSafetensors.Build(null, tensors), "m.safetensors"));

        Assert.Equal("m.safetensors: tensor '': the name is empty; a tensor needs a name.", error.Message);
    }

    [Theory]
    [InlineData("", "Tensor '': the name is empty; a tensor needs a name.")]
    [InlineData("a\\ud800b", "Tensor 'a\\ud800b': the name has an unpaired surrogate (U+D800) at index 1; a name must be well-formed Unicode.")]
    public void NamedTensor_NameNoFileCouldHold_ArgumentExceptionWithTheLoadersWords(string escaped, string message)
    {
        string name = System.Text.RegularExpressions.Regex.Unescape(escaped);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new NamedTensor(name, [1f]));

        Assert.StartsWith(System.Text.RegularExpressions.Regex.Unescape(message), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadWeights_Directory_IsAnIOExceptionNamingIt()
    {
        var net = new PlanarNet(seed: 2);
        int[] before = SaveLoadTests.Bits(net.Parameters);

        IOException error = Assert.Throws<IOException>(() => net.LoadWeights(_directory));

        Assert.Equal($"{_directory}: is a directory; expected a safetensors weight file.", error.Message);
        Assert.Equal(before, SaveLoadTests.Bits(net.Parameters));
    }

    [Fact]
    public void LoadWeights_HeaderWhoseTensorsCannotFitTheFile_RefusedBeforeTheDataIsRead()
    {
        // A 256 MiB file (sparse: it takes no disk space) whose header puts a 512 MiB extra after the weights.
        var source = new PlanarNet(seed: 3);
        List<RawSafetensors.Tensor> tensors = RawSafetensors.Parameters(source);
        long dataBytes = tensors.Sum(t => (long)t.Data.Length);
        const long claimed = 512L << 20;
        tensors.Add(new RawSafetensors.Tensor("huge", "F32", [claimed / 4], [], dataBytes, dataBytes + claimed));
        byte[] head = RawSafetensors.Build(null, tensors);
        string path = Path.Combine(_directory, "claims-too-much.safetensors");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.Write(head);
            file.SetLength(256L << 20);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => new PlanarNet().LoadWeights(path));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        long dataLength = (256L << 20) - head.Length + dataBytes;
        Assert.Equal($"{path}: tensor 'huge': data_offsets [{dataBytes}, {dataBytes + claimed}] run past the end of the data, which holds {dataLength} bytes (truncated file?).", error.Message);
        Assert.True(allocated < (16 << 20), $"The refused load allocated {allocated} bytes; the header alone shows the file is too short.");
    }

    [Fact]
    public void LoadWeights_FromAStreamThatCannotSeek_ReadsAndChecksLikeAFile()
    {
        var net = new MixedNet(seed: 3);
        var saved = new MemoryStream();
        net.SaveWeights(saved, [new NamedTensor("extra", [1f, 2f])]);
        var loaded = new MixedNet(seed: 4);

        LoadedWeights result = loaded.LoadWeights(new ForwardOnlyStream(saved.ToArray()));

        Assert.Equal(SaveLoadTests.Bits(net.Parameters), SaveLoadTests.Bits(loaded.Parameters));
        Assert.Equal([1f, 2f], result.GetExtra("extra", 2).Values.ToArray());
        WeightsFormatException trailing = Assert.Throws<WeightsFormatException>(() => loaded.LoadWeights(new ForwardOnlyStream([.. saved.ToArray(), 0, 0, 0])));
        Assert.EndsWith("bytes of data but the file holds " + (saved.Length - 8 - BinaryPrimitives.ReadInt64LittleEndian(saved.ToArray()) + 3) + " after the header.", trailing.Message, StringComparison.Ordinal);
        WeightsFormatException truncated = Assert.Throws<WeightsFormatException>(() => loaded.LoadWeights(new ForwardOnlyStream(saved.ToArray()[..^5])));
        Assert.Contains("(truncated file?)", truncated.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void SaveWeights_OverAPrivateFile_KeepsItsPermissions()
    {
        string path = Path.Combine(_directory, "private.safetensors");
        new PlanarNet(seed: 1).SaveWeights(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        new PlanarNet(seed: 2).SaveWeights(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void SaveWeights_OverAGroupWritableFile_KeepsTheBitsTheUmaskWouldDrop()
    {
        string path = Path.Combine(_directory, "shared.safetensors");
        new PlanarNet(seed: 1).SaveWeights(path);
        UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        File.SetUnixFileMode(path, shared);

        new PlanarNet(seed: 2).SaveWeights(path);

        Assert.Equal(shared, File.GetUnixFileMode(path));
    }

    /// <summary>A stream that only reads forward, as a pipe or a network stream does.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        // Short reads, as a pipe gives them.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
