using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace NnGen.Benchmarks;

/// <summary>
/// One workload's weights, input and outputs as the RTNeural harness writes them with <c>--dump-weights DIR</c>
/// (<c>../shared/bench/rtneural/README.md</c>, "Weight dump"): the tensors under PyTorch's <c>state_dict</c> names,
/// repacked as a safetensors file a generated network's <c>LoadWeights</c> reads, the 64-step input sequence and
/// RTNeural's output at each step from a reset state.
/// </summary>
internal sealed class RtNeuralDump
{
    private const string Format = "rtneural_bench weight dump 1";

    private RtNeuralDump(string workload, byte[] weights, float[] input, float[] output)
    {
        Workload = workload;
        Weights = weights;
        Input = input;
        Output = output;
    }

    /// <summary>The harness's workload name, e.g. <c>lstm_1_32_1</c>.</summary>
    public string Workload { get; }

    /// <summary>The state_dict as a safetensors file (F32, no metadata: a plain PyTorch export).</summary>
    public byte[] Weights { get; }

    /// <summary>The input sequence, time-major (steps, inputs).</summary>
    public float[] Input { get; }

    /// <summary>RTNeural's output at each step.</summary>
    public float[] Output { get; }

    /// <summary>Reads a dump file.</summary>
    /// <param name="path">The dump.</param>
    /// <param name="rename">Maps each tensor's name in the dump to its name in <see cref="Weights"/>; <see langword="null"/> keeps the names.</param>
    /// <exception cref="InvalidDataException">The file is not a weight dump of the expected format, or a tensor's values do not fill its shape.</exception>
    public static RtNeuralDump Read(string path, Func<string, string>? rename = null)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        string? format = root.TryGetProperty("format", out JsonElement formatElement) ? formatElement.GetString() : null;
        if (format != Format)
        {
            throw new InvalidDataException($"{path}: format is '{format}', expected '{Format}'.");
        }

        JsonElement shapes = root.GetProperty("shapes");
        var tensors = new List<SafeTensors.TensorToWrite>();
        foreach (JsonProperty tensor in root.GetProperty("state_dict").EnumerateObject())
        {
            int[] shape = [.. Ints(shapes.GetProperty(tensor.Name))];
            float[] values = Flatten(tensor.Value);
            long expected = 1;
            foreach (int dimension in shape)
            {
                expected *= dimension;
            }

            if (values.Length != expected)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture, $"{path}: tensor {tensor.Name} has {values.Length} values, its shape [{string.Join(", ", shape)}] holds {expected}."));
            }

            tensors.Add(new SafeTensors.TensorToWrite(rename is null ? tensor.Name : rename(tensor.Name), shape, values));
        }

        using var stream = new MemoryStream();
        SafeTensors.Write(stream, [], tensors);
        return new RtNeuralDump(root.GetProperty("workload").GetString() ?? "", stream.ToArray(), Flatten(root.GetProperty("input")), Flatten(root.GetProperty("output")));
    }

    private static IEnumerable<int> Ints(JsonElement array)
    {
        foreach (JsonElement item in array.EnumerateArray())
        {
            yield return item.GetInt32();
        }
    }

    /// <summary>Nested lists, row-major, as floats (the dump writes float32 values as doubles that round-trip).</summary>
    private static float[] Flatten(JsonElement element)
    {
        var values = new List<float>();
        Add(element);
        return [.. values];

        void Add(JsonElement item)
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement inner in item.EnumerateArray())
                {
                    Add(inner);
                }
            }
            else
            {
                values.Add((float)item.GetDouble());
            }
        }
    }
}
