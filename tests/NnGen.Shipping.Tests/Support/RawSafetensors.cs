using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace NnGen.Shipping.Tests.Support;

/// <summary>
/// An independent safetensors writer and reader for tests (string-built JSON, JsonDocument parsing), so files the
/// runtime must reject can be made on purpose and files it accepts can be decoded without the runtime's code.
/// </summary>
internal static class RawSafetensors
{
    public sealed record Tensor(string Name, string DType, long[] Shape, byte[] Data, long? Begin = null, long? End = null);

    public static Tensor F32(string name, long[] shape, ReadOnlySpan<float> values)
    {
        byte[] data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        return new Tensor(name, "F32", shape, data);
    }

    /// <summary>Tensors W1, b1, … of <paramref name="network"/> read from its parameter buffer.</summary>
    public static List<Tensor> Parameters(ISerializableNetwork network, bool biasAsColumn = false, Func<int, string, string>? rename = null)
    {
        NetworkArchitecture architecture = network.Architecture;
        var tensors = new List<Tensor>();
        for (int l = 1; l <= architecture.LayerCount; l++)
        {
            int units = architecture.UnitsOf(l), inputs = architecture.InputsOf(l);
            string w = rename?.Invoke(l, "weight") ?? $"W{l}";
            string b = rename?.Invoke(l, "bias") ?? $"b{l}";
            tensors.Add(F32(w, [units, inputs], network.Parameters.Slice(architecture.WeightOffset(l), units * inputs)));
            tensors.Add(F32(b, biasAsColumn ? [units, 1] : [units], network.Parameters.Slice(architecture.BiasOffset(l), units)));
        }

        return tensors;
    }

    /// <summary>
    /// A file with the given metadata (null for none) and tensors laid out in order, unless a tensor fixes its own offsets.
    /// <paramref name="headerSuffix"/> is appended inside the JSON object verbatim (for malformed headers).
    /// </summary>
    public static byte[] Build(IReadOnlyList<KeyValuePair<string, string>>? metadata, IReadOnlyList<Tensor> tensors, string? headerOverride = null)
    {
        var json = new StringBuilder("{");
        var parts = new List<string>();
        if (metadata is not null)
        {
            parts.Add("\"__metadata__\":{" + string.Join(",", metadata.Select(pair => $"{Quote(pair.Key)}:{Quote(pair.Value)}")) + "}");
        }

        long offset = 0;
        var data = new MemoryStream();
        foreach (Tensor tensor in tensors)
        {
            long begin = tensor.Begin ?? offset;
            long end = tensor.End ?? begin + tensor.Data.Length;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Quote(tensor.Name)}:{{\"dtype\":{Quote(tensor.DType)},\"shape\":[{string.Join(",", tensor.Shape)}],\"data_offsets\":[{begin},{end}]}}"));
            offset += tensor.Data.Length;
            data.Write(tensor.Data);
        }

        json.Append(string.Join(",", parts)).Append('}');
        byte[] header = Encoding.UTF8.GetBytes(headerOverride ?? json.ToString());
        return Assemble(header, data.ToArray());
    }

    public static byte[] Assemble(byte[] header, byte[] data)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static List<KeyValuePair<string, string>> Metadata(NetworkArchitecture architecture) => new()
    {
        new("format", "nngen"),
        new("nngen.format_version", "1"),
        new("nngen.network", architecture.Name),
        new("nngen.layer_sizes", string.Join(",", architecture.LayerSizes)),
        new("nngen.activations", string.Join(",", architecture.Activations.Select(NetworkArchitecture.ActivationName))),
    };

    /// <summary>Decodes every tensor of a file with JsonDocument: name → (dtype, shape, float values if F32).</summary>
    public static Dictionary<string, (string DType, long[] Shape, float[] Values)> Decode(byte[] file, out Dictionary<string, string> metadata)
    {
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument document = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        var result = new Dictionary<string, (string, long[], float[])>();
        metadata = new Dictionary<string, string>();
        int dataStart = 8 + (int)headerLength;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty entry in property.Value.EnumerateObject())
                {
                    metadata[entry.Name] = entry.Value.GetString()!;
                }

                continue;
            }

            string dtype = property.Value.GetProperty("dtype").GetString()!;
            long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            float[] values = dtype == "F32"
                ? Enumerable.Range(0, (int)((offsets[1] - offsets[0]) / 4)).Select(i => BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(dataStart + (int)offsets[0] + (i * 4)))).ToArray()
                : [];
            result[property.Name] = (dtype, shape, values);
        }

        return result;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, RawJsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class RawJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
