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
        if (file.Length < 8)
        {
            throw Error(label, null, $"the file is {file.Length} bytes; a safetensors file starts with an 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes)
        {
            throw Error(label, null, $"the header length is {headerLength} bytes; at most {MaxHeaderBytes} are accepted.");
        }

        if (headerLength > (ulong)(file.Length - 8))
        {
            throw Error(label, null, $"the header length is {headerLength} bytes but only {file.Length - 8} bytes follow it (truncated file?).");
        }

        if (headerLength < 2)
        {
            throw Error(label, null, $"the header length is {headerLength} bytes; the header is a JSON object of at least 2.");
        }

        int dataStart = 8 + (int)headerLength;
        ReadOnlySpan<byte> json = file.Slice(8, (int)headerLength);
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

        CheckLayout(entries, file.Length - dataStart, label);
        return new Header(entries, metadata, dataStart);
    }

    /// <summary>Writes a complete file: header (padded with spaces to a multiple of 8 bytes, as the reference writer does), then the data.</summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<TensorToWrite> tensors)
    {
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

            if (values.Count == 8)
            {
                throw Error(label, name, $"{field} has more than 8 entries.");
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
