using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace NnGen;

/// <summary>
/// The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON mapping each tensor's name to its dtype, shape and [begin, end) byte offsets into the data
/// that follows (plus an optional string-to-string <c>__metadata__</c>), then the raw little-endian data.
/// This type reads and writes the container and checks its layout; what the tensors mean is <see cref="WeightsFile"/>'s business.
/// </summary>
/// <remarks>Written with <see cref="Utf8JsonReader"/> and <see cref="Utf8JsonWriter"/> only, so it is trim- and AOT-safe.</remarks>
internal static class SafeTensors
{
    public const string MetadataKey = "__metadata__";

    /// <summary>The same cap as the reference implementation: a larger header is an attack or a corrupted length.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The most dimensions a tensor may have, in files read and written alike.</summary>
    public const int MaxDimensions = 8;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 3, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>One tensor as the header describes it; offsets are relative to the start of the data.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End)
    {
        public long ElementCount
        {
            get
            {
                long count = 1;
                foreach (long dimension in Shape)
                {
                    count *= dimension;
                }

                return count;
            }
        }
    }

    /// <summary>A parsed, layout-checked header.</summary>
    public sealed record Header(IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, int DataStart);

    /// <summary>A tensor to write: F32 data.</summary>
    public readonly record struct TensorToWrite(string Name, int[] Shape, ReadOnlyMemory<float> Values);

    /// <summary>Parses and checks the header of a whole file held in memory.</summary>
    /// <exception cref="WeightsFormatException">Anything about the container is wrong.</exception>
    public static Header Parse(ReadOnlySpan<byte> file, string label)
    {
        int headerLength = CheckPrefix(file[..Math.Min(8, file.Length)], file.Length, label);
        (List<Entry> entries, Dictionary<string, string> metadata) = ParseJson(file.Slice(8, headerLength), label);
        int dataStart = 8 + headerLength;
        CheckLayout(entries, file.Length - dataStart, label);
        return new Header(entries, metadata, dataStart);
    }

    /// <summary>
    /// Reads a whole file from the rest of <paramref name="stream"/>, checking the header before any data is read: a header
    /// whose tensors could not fit the file is refused without reading (or allocating for) what it claims. A stream whose
    /// length is unknown (a pipe) is read as far as the header's tensors reach, into memory that grows as data arrives.
    /// </summary>
    /// <returns>The file's bytes, to be given to <see cref="Parse"/>.</returns>
    /// <exception cref="WeightsFormatException">The length prefix, the header or the length of the data is wrong.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static byte[] ReadFile(Stream stream, string label)
    {
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        if (length > Array.MaxLength)
        {
            throw Error(label, null, $"the file is {length} bytes; at most {Array.MaxLength} are read.");
        }

        var prefix = new byte[8];
        int read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        int headerLength = CheckPrefix(prefix.AsSpan(0, read), length ?? long.MaxValue, label);
        byte[] header = ReadUpTo(stream, headerLength, 1 << 16);
        if (header.Length < headerLength)
        {
            throw Error(label, null, $"the header length is {headerLength} bytes but only {header.Length} bytes follow it (truncated file?).");
        }

        (List<Entry> entries, _) = ParseJson(header, label);
        long claimed = 0;
        foreach (Entry entry in entries)
        {
            claimed = Math.Max(claimed, entry.End);
        }

        if (length is long known)
        {
            CheckLayout(entries, known - 8 - headerLength, label);
        }
        else if (8L + headerLength + claimed > Array.MaxLength)
        {
            throw Error(label, null, $"the tensors need {claimed} bytes of data after a header of {headerLength}; at most {Array.MaxLength} bytes are read.");
        }

        byte[] data = ReadUpTo(stream, (int)claimed, 1 << 20);
        long trailing = 0;
        var probe = new byte[4096];
        while ((read = stream.Read(probe)) > 0)
        {
            trailing += read;
        }

        CheckLayout(entries, data.Length + trailing, label);
        var file = new byte[8 + header.Length + data.Length];
        prefix.CopyTo(file, 0);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>
    /// Writes a complete file: header (padded with spaces to a multiple of 8 bytes, as the reference writer does), then the
    /// data. Nothing is written when the file would be larger than <see cref="ReadFile"/> accepts.
    /// </summary>
    /// <exception cref="ArgumentException">The header would exceed <see cref="MaxHeaderBytes"/>, or the file <see cref="Array.MaxLength"/> bytes.</exception>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<TensorToWrite> tensors)
    {
        long dataBytes = 0;
        foreach (TensorToWrite tensor in tensors)
        {
            dataBytes += tensor.Values.Length * (long)sizeof(float);
        }

        var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                writer.WriteString(pair.Key, pair.Value);
            }

            writer.WriteEndObject();
            long offset = 0;
            foreach (TensorToWrite tensor in tensors)
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += tensor.Values.Length * (long)sizeof(float);
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        int padding = (int)((8 - (header.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            header.WriteByte((byte)' ');
        }

        if (header.Length > MaxHeaderBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The header would be {header.Length} bytes; a weight file's header holds at most {MaxHeaderBytes} (tensor names too long?)."), nameof(tensors));
        }

        if (8 + header.Length + dataBytes > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The file would be {8 + header.Length + dataBytes} bytes; a weight file holds at most {Array.MaxLength}."), nameof(tensors));
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (TensorToWrite tensor in tensors)
        {
            WriteLittleEndian(stream, tensor.Values.Span);
        }
    }

    /// <summary>Reads F32 data little-endian into <paramref name="destination"/>, whatever the machine's byte order and the data's alignment.</summary>
    public static void ReadFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        source.CopyTo(MemoryMarshal.AsBytes(destination));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
    }

    /// <summary>Bytes per element of each dtype the format defines; used to check the layout of tensors NnGen then refuses by dtype.</summary>
    public static int DTypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    /// <summary>Checks the 8-byte header length against the cap and the <paramref name="fileLength"/>; returns it.</summary>
    private static int CheckPrefix(ReadOnlySpan<byte> prefix, long fileLength, string label)
    {
        if (prefix.Length < 8)
        {
            throw Error(label, null, $"the file is {prefix.Length} bytes; a safetensors file starts with an 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw Error(label, null, $"the header length is {headerLength} bytes; at most {MaxHeaderBytes} are accepted.");
        }

        if (headerLength > (ulong)(fileLength - 8))
        {
            throw Error(label, null, $"the header length is {headerLength} bytes but only {fileLength - 8} bytes follow it (truncated file?).");
        }

        if (headerLength < 2)
        {
            throw Error(label, null, $"the header length is {headerLength} bytes; the header is a JSON object of at least 2.");
        }

        return (int)headerLength;
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into a buffer that starts at <paramref name="initial"/> bytes and doubles
    /// as data arrives, so a length field alone allocates little; returns what the stream held, at most the count.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, int count, int initial)
    {
        var buffer = new byte[Math.Min(count, initial)];
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
            if (filled < buffer.Length)
            {
                return buffer.AsSpan(0, filled).ToArray();
            }

            if (buffer.Length == count)
            {
                return buffer;
            }

            Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseJson(ReadOnlySpan<byte> json, string label)
    {
        if (json[0] != (byte)'{')
        {
            throw Error(label, null, $"the header must start with '{{'; found byte 0x{json[0]:X2}.");
        }

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            Expect(ref reader, JsonTokenType.StartObject, label, null, "the header");
            while (true)
            {
                Next(ref reader, label, null);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                string name = reader.GetString()!;
                if (!names.Add(name))
                {
                    throw Error(label, name, $"appears twice in the header.");
                }

                if (name == MetadataKey)
                {
                    ReadMetadata(ref reader, label, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(ref reader, label, name));
                }
            }

            if (reader.Read())
            {
                throw Error(label, null, $"the header has content after its closing '}}' at byte {8 + reader.TokenStartIndex}.");
            }
        }
        catch (JsonException exception)
        {
            throw Error(label, null, $"the header is not valid JSON ({exception.Message}).");
        }
        catch (InvalidOperationException exception)
        {
            // Utf8JsonReader.GetString throws this for invalid UTF-8 or escapes inside a string.
            throw Error(label, null, $"the header is not valid UTF-8 JSON ({exception.Message}).");
        }

        return (entries, metadata);
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> buffer = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            stream.Write(buffer);
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, string label, Dictionary<string, string> metadata)
    {
        Expect(ref reader, JsonTokenType.StartObject, label, MetadataKey, "the metadata");
        while (true)
        {
            Next(ref reader, label, MetadataKey);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            string key = reader.GetString()!;
            Next(ref reader, label, MetadataKey);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Error(label, MetadataKey, $"entry '{key}' must be a string; found {Describe(reader.TokenType)}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Error(label, MetadataKey, $"entry '{key}' appears twice.");
            }
        }
    }

    private static Entry ReadEntry(ref Utf8JsonReader reader, string label, string name)
    {
        Expect(ref reader, JsonTokenType.StartObject, label, name, "a tensor entry");
        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Next(ref reader, label, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string key = reader.GetString()!;
            switch (key)
            {
                case "dtype" when dtype is null:
                    Next(ref reader, label, name);
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw Error(label, name, $"dtype must be a string; found {Describe(reader.TokenType)}.");
                    }

                    dtype = reader.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, label, name, "shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, label, name, "data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Error(label, name, $"'{key}' appears twice.");
                default:
                    throw Error(label, name, $"unexpected field '{key}'; a tensor entry has dtype, shape and data_offsets.");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Error(label, name, $"the entry has no {missing}.");
        }

        int size = DTypeSize(dtype);
        if (size == 0)
        {
            throw Error(label, name, $"unknown dtype '{dtype}'.");
        }

        if (offsets.Length != 2)
        {
            throw Error(label, name, $"data_offsets must hold [begin, end]; found {offsets.Length} numbers.");
        }

        if (offsets[1] < offsets[0])
        {
            throw Error(label, name, $"data_offsets [{offsets[0]}, {offsets[1]}] end before they begin.");
        }

        long bytes = size;
        foreach (long dimension in shape)
        {
            // Dimensions are at most int.MaxValue, so checking before each multiplication keeps the product in range.
            if (dimension != 0 && bytes > long.MaxValue / dimension)
            {
                throw Error(label, name, $"shape ({NamedTensor.FormatShape(shape)}) is too large.");
            }

            bytes *= dimension;
        }

        if (offsets[1] - offsets[0] != bytes)
        {
            throw Error(
                label,
                name,
                $"shape ({NamedTensor.FormatShape(shape)}) of {dtype} needs {bytes} bytes; data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string label, string name, string field)
    {
        Next(ref reader, label, name);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error(label, name, $"{field} must be an array; found {Describe(reader.TokenType)}.");
        }

        var values = new List<long>();
        while (true)
        {
            Next(ref reader, label, name);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return values.ToArray();
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0 || value > int.MaxValue)
            {
                string found = reader.TokenType == JsonTokenType.Number
                    ? Encoding.UTF8.GetString(reader.ValueSpan)
                    : Describe(reader.TokenType);
                throw Error(label, name, $"{field} must hold integers from 0 to {int.MaxValue}; found {found}.");
            }

            if (values.Count == MaxDimensions)
            {
                throw Error(label, name, $"{field} has more than {MaxDimensions} entries.");
            }

            values.Add(value);
        }
    }

    private static void CheckLayout(List<Entry> entries, long dataLength, string label)
    {
        var sorted = new List<Entry>(entries);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        Entry? previous = null;
        foreach (Entry entry in sorted)
        {
            if (entry.Begin < expected)
            {
                throw Error(label, entry.Name, $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}].");
            }

            if (entry.Begin > expected)
            {
                throw Error(label, entry.Name, $"data_offsets [{entry.Begin}, {entry.End}] leave bytes [{expected}, {entry.Begin}) of the data unused; tensors must cover the data without gaps.");
            }

            if (entry.End > dataLength)
            {
                throw Error(label, entry.Name, $"data_offsets [{entry.Begin}, {entry.End}] run past the end of the data, which holds {dataLength} bytes (truncated file?).");
            }

            expected = entry.End;
            previous = entry;
        }

        if (expected != dataLength)
        {
            throw Error(label, null, $"the tensors cover {expected} bytes of data but the file holds {dataLength} after the header.");
        }
    }

    private static void Next(ref Utf8JsonReader reader, string label, string? tensor)
    {
        if (!reader.Read())
        {
            throw Error(label, tensor, $"the header ends early.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string label, string? tensor, string what)
    {
        Next(ref reader, label, tensor);
        if (reader.TokenType != type)
        {
            throw Error(label, tensor, $"{what} must be a JSON object; found {Describe(reader.TokenType)}.");
        }
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    // Invariant culture: some locales write U+2212 for minus or group digits, and messages are compared in tests and logs.
    internal static WeightsFormatException Error(string label, string? tensor, FormattableString detail) =>
        new(label, tensor, detail.ToString(CultureInfo.InvariantCulture));
}
