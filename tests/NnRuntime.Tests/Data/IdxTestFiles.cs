using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NnGen.Tests.Data;

/// <summary>Writes IDX files byte by byte (independently of the reader), plain or gzip-compressed, in a temporary folder.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "nngen-idx-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>A well-formed unsigned-byte IDX file: magic 0x000008DD, big-endian sizes, the values.</summary>
    public static byte[] Bytes(int[] dimensions, byte[] values)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + values.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        values.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    public string Write(string name, byte[] content, bool gzip)
    {
        string path = Path.Combine(Folder, gzip ? name + ".gz" : name);
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }

        using var file = File.Create(path);
        using var compressed = new GZipStream(file, CompressionLevel.Optimal);
        compressed.Write(content);
        return path;
    }

    public string Write(string name, int[] dimensions, byte[] values, bool gzip) => Write(name, Bytes(dimensions, values), gzip);
}
