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

    /// <summary>Largest |NnGen − RTNeural| accepted over a dump's checked outputs (|y| is 0.03 to 0.16 on the recurrent rows).</summary>
    public const float Tolerance = 1e-5f;

    /// <summary>
    /// Reads <paramref name="workload"/>'s dump in <paramref name="directory"/>, hands its weights to <paramref name="load"/>
    /// and checks the outputs <paramref name="stream"/> gives for its input against RTNeural's, before anything is timed.
    /// </summary>
    /// <param name="workload">The harness's workload name, e.g. <c>lstm_1_32_1</c>.</param>
    /// <param name="directory">The harness's <c>--dump-weights</c> folder.</param>
    /// <param name="load">Loads the weights (a safetensors file) into the network.</param>
    /// <param name="stream">The network's outputs for an input sequence, streamed from a reset state.</param>
    /// <param name="rename">As <see cref="Read"/> takes it.</param>
    /// <exception cref="InvalidOperationException">An output differs from RTNeural's by more than <see cref="Tolerance"/>.</exception>
    public static void LoadAndCheck(string workload, string directory, Action<byte[]> load, Func<float[], float[]> stream, Func<string, string>? rename = null)
    {
        string path = Path.Combine(directory, $"rtneural_{workload}_eigen.json");
        RtNeuralDump dump = Read(path, rename);
        load(dump.Weights);
        float[] ours = stream(dump.Input);
        for (int t = 0; t < dump.Output.Length; t++)
        {
            if (!(Math.Abs(ours[t] - dump.Output[t]) <= Tolerance))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture, $"{workload}: step {t} gives {ours[t]:R}, RTNeural {dump.Output[t]:R} ({path})."));
            }
        }

        Console.Error.WriteLine($"{workload}: the first {dump.Output.Length} outputs agree with RTNeural's ({path}).");
    }

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
