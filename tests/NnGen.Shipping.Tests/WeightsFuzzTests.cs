using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Thousands of corrupted weight files, seeded: every one must be rejected with a <see cref="WeightsFormatException"/>
/// naming the file, never another exception or a crash, and the network must be bit-for-bit as it was. Random byte
/// flips may leave a valid file (a changed weight, a changed name in the metadata); those must load exactly what an
/// independent decoder reads from the mutated bytes.
/// </summary>
public sealed class WeightsFuzzTests(ITestOutputHelper output)
{
    private const string Label = "fuzz.safetensors";

    [Fact]
    public void CorruptedFiles_EveryOneRejectedCleanly_ParametersUntouched()
    {
        var source = SaveLoadTests.Randomized(new MixedNet(), seed: 21);
        var extras = new List<NamedTensor> { new("standardizer.mean", [0.5f, 1.5f, -2f]) };
        List<RawSafetensors.Tensor> valid = RawSafetensors.Parameters(source);
        valid.Add(RawSafetensors.F32("standardizer.mean", [3], extras[0].Values));
        List<KeyValuePair<string, string>> metadata = RawSafetensors.Metadata(MixedNet.Architecture);
        var stream = new System.IO.MemoryStream();
        source.SaveWeights(stream, extras);
        byte[] saved = stream.ToArray();

        var target = SaveLoadTests.Randomized(new MixedNet(), seed: 22);
        int[] before = SaveLoadTests.Bits(target.Parameters);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var random = new Random(20261128);

        void Rejected(string family, byte[] file)
        {
            WeightsFormatException? error = null;
            try
            {
                WeightsFile.Load(target, file, Label);
            }
            catch (WeightsFormatException exception)
            {
                error = exception;
            }

            Assert.True(error is not null, $"{family}: a corrupted file was accepted ({file.Length} bytes).");
            Assert.StartsWith(Label + ": ", error!.Message, StringComparison.Ordinal);
            Assert.Equal(before, SaveLoadTests.Bits(target.Parameters));
            counts[family] = counts.GetValueOrDefault(family) + 1;
        }

        // The valid files do load (so the families below test corruption, not a broken baseline), into a scratch network.
        WeightsFile.Load(new MixedNet(), saved, Label);
        WeightsFile.Load(new MixedNet(), RawSafetensors.Build(metadata, valid), Label);

        for (int length = 0; length < saved.Length; length++)
        {
            Rejected("truncated", saved.AsSpan(0, length).ToArray());
        }

        foreach (ulong length in new[] { ulong.MaxValue, 1UL << 63, 100_000_001UL, (ulong)saved.Length, (ulong)saved.Length - 7, 0UL, 1UL })
        {
            byte[] file = (byte[])saved.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(file, length);
            Rejected("header length", file);
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(saved);
        for (int delta = -40; delta <= 40; delta++)
        {
            // Shorter by the padding spaces still leaves valid JSON, but then the data starts early and no longer matches.
            if (delta != 0)
            {
                byte[] file = (byte[])saved.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)((long)headerLength + delta));
                Rejected("header length", file);
            }
        }

        for (int i = 0; i < 300; i++)
        {
            byte[] garbage = new byte[random.Next(0, 64)];
            random.NextBytes(garbage);
            Rejected("garbage header", RawSafetensors.Assemble(garbage, saved.AsSpan(8 + (int)headerLength).ToArray()));
        }

        string[] wrongDTypes = ["F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "F8_E4M3", "f32", "float32", "", "F32 "];
        for (int t = 0; t < valid.Count; t++)
        {
            foreach (string dtype in wrongDTypes)
            {
                var tensors = valid.ToList();
                tensors[t] = tensors[t] with { DType = dtype };
                Rejected("wrong dtype", RawSafetensors.Build(metadata, tensors));
            }
        }

        for (int t = 0; t < valid.Count; t++)
        {
            long[] shape = valid[t].Shape;
            foreach (long[] wrong in ShapeMutations(shape).Where(wrong => Rejectable(valid[t].Name, shape, wrong)))
            {
                var tensors = valid.ToList();
                tensors[t] = tensors[t] with { Shape = wrong };
                Rejected("wrong shape", RawSafetensors.Build(metadata, tensors));
            }
        }

        for (int i = 0; i < 600; i++)
        {
            var tensors = valid.ToList();
            int t = random.Next(tensors.Count);
            long begin = OffsetsOf(tensors, t).Begin;
            long length = tensors[t].Data.Length;
            (long Begin, long End) moved = random.Next(5) switch
            {
                0 => (begin - (4 * random.Next(1, 4)), begin - (4 * random.Next(1, 4)) + length), // overlaps the previous tensor
                1 => (begin + (4 * random.Next(1, 4)), begin + (4 * random.Next(1, 4)) + length), // overlaps the next, or leaves a gap
                2 => (begin, begin + length - (4 * random.Next(1, 3))),                             // too short for the shape
                3 => (begin + length, begin),                                                       // ends before it begins
                _ => (begin + (1L << random.Next(20, 62)), begin + (1L << random.Next(20, 62)) + length), // far out of range
            };
            if (moved.Begin < 0 || (moved.Begin == begin && moved.End == begin + length))
            {
                moved = (begin + 4, begin + 4 + length);
            }

            tensors[t] = tensors[t] with { Begin = moved.Begin, End = moved.End };
            Rejected("offsets", RawSafetensors.Build(metadata, tensors));
        }

        foreach (int position in Enumerable.Range(0, source.Parameters.Length))
        {
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                var tensors = valid.Select(t => t with { Data = (byte[])t.Data.Clone() }).ToList();
                (int tensor, int element) = Locate(MixedNet.Architecture, position);
                BinaryPrimitives.WriteSingleLittleEndian(tensors[tensor].Data.AsSpan(element * 4), bad);
                Rejected("non-finite value", RawSafetensors.Build(metadata, tensors));
            }
        }

        for (int t = 0; t < MixedNet.Architecture.LayerCount * 2; t++)
        {
            Rejected("missing tensor", RawSafetensors.Build(metadata, valid.Where((_, i) => i != t).ToList()));
        }

        foreach ((string key, string value) in new[]
        {
            ("nngen.layer_sizes", "3,5,5,3"), ("nngen.layer_sizes", "2,4,1"), ("nngen.layer_sizes", ""), ("nngen.layer_sizes", "3, 5, 5, 2"),
            ("nngen.activations", "relu,relu,sigmoid"), ("nngen.activations", "relu,leaky_relu"), ("nngen.activations", "RELU,LEAKY_RELU,SIGMOID"),
            ("nngen.format_version", "2"), ("nngen.format_version", "0"), ("nngen.format_version", "-1"), ("nngen.format_version", "one"), ("nngen.format_version", ""),
        })
        {
            Rejected("metadata", RawSafetensors.Build(metadata.Select(pair => pair.Key == key ? new KeyValuePair<string, string>(key, value) : pair).ToList(), valid));
        }

        string validHeader = Encoding.UTF8.GetString(saved, 8, (int)headerLength).TrimEnd(' ');
        byte[] data = saved.AsSpan(8 + (int)headerLength).ToArray();
        string[] headerEdits =
        [
            validHeader.Replace("\"W1\"", "\"b1\"", StringComparison.Ordinal),                                        // duplicate key
            validHeader.Replace("\"dtype\":\"F32\"", "\"dtype\":\"F32\",\"dtype\":\"F32\"", StringComparison.Ordinal), // duplicate field
            validHeader.Replace("\"dtype\":\"F32\"", "\"dtype\":32", StringComparison.Ordinal),
            validHeader.Replace("\"dtype\":\"F32\",", string.Empty, StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":[5,3.0]", StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":[5,-3]", StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":[[5,3]]", StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":\"5,3\"", StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":[5,3,1,1,1,1,1,1,1]", StringComparison.Ordinal),
            validHeader.Replace("\"shape\":[5,3]", "\"shape\":[4294967296,3]", StringComparison.Ordinal),
            validHeader.Replace("\"data_offsets\":[0,60]", "\"data_offsets\":[0,60,60]", StringComparison.Ordinal),
            validHeader.Replace("\"data_offsets\":[0,60]", "\"data_offsets\":[0]", StringComparison.Ordinal),
            validHeader.Replace("\"data_offsets\":[0,60]", "\"data_offsets\":null", StringComparison.Ordinal),
            validHeader.Replace("\"data_offsets\":[0,60]", "\"data_offsets\":[0,60],\"extra\":1", StringComparison.Ordinal),
            validHeader.Replace("\"format\":\"nngen\"", "\"format\":7", StringComparison.Ordinal),
            validHeader.Replace("{\"__metadata__\":{", "{\"__metadata__\":{\"a\":{\"b\":1},", StringComparison.Ordinal),
            validHeader.Replace("{\"__metadata__\":{", "[{\"__metadata__\":{", StringComparison.Ordinal) + "]",
            validHeader + "}",
            validHeader + ",",
            validHeader.Substring(0, validHeader.Length - 1) + ",}",
            validHeader.Replace("\"W1\"", "\"W\\ud800\"", StringComparison.Ordinal),
            validHeader.Replace("\"W1\"", "'W1'", StringComparison.Ordinal),
            validHeader.Replace("\"W1\"", "\"W1\" /* comment */", StringComparison.Ordinal),
            "{}",
            "{\"__metadata__\":{}}",
            "null",
            "{\"W1\":{\"dtype\":\"F32\",\"shape\":[5,3],\"data_offsets\":[0,60]}}",
        ];
        Assert.Contains("\"data_offsets\":[0,60]", validHeader, StringComparison.Ordinal);
        foreach (string header in headerEdits)
        {
            Assert.NotEqual(validHeader, header);
            Rejected("malformed header", RawSafetensors.Assemble(Encoding.UTF8.GetBytes(header), data));
        }

        byte[] invalidUtf8 = Encoding.UTF8.GetBytes(validHeader);
        int quote = Array.IndexOf(invalidUtf8, (byte)'W');
        invalidUtf8[quote] = 0xFF;
        Rejected("malformed header", RawSafetensors.Assemble(invalidUtf8, data));

        // Random flips: rejected like the rest, or (a flip that keeps the file valid) loaded exactly as decoded independently.
        int accepted = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] file = (byte[])saved.Clone();
            int flips = random.Next(1, 5);
            for (int f = 0; f < flips; f++)
            {
                file[random.Next(file.Length)] ^= (byte)(1 << random.Next(8));
            }

            var scratch = new MixedNet();
            SaveLoadTests.Randomized(scratch, seed: 22);
            try
            {
                WeightsFile.Load(scratch, file, Label);
            }
            catch (WeightsFormatException exception)
            {
                Assert.StartsWith(Label + ": ", exception.Message, StringComparison.Ordinal);
                Assert.Equal(before, SaveLoadTests.Bits(scratch.Parameters));
                counts["random flips"] = counts.GetValueOrDefault("random flips") + 1;
                continue;
            }

            accepted++;
            var decoded = RawSafetensors.Decode(file, out _);
            for (int l = 1; l <= 3; l++)
            {
                Assert.Equal(SaveLoadTests.Bits(decoded[$"W{l}"].Values), SaveLoadTests.Bits(scratch.Parameters.Slice(MixedNet.Architecture.WeightOffset(l), decoded[$"W{l}"].Values.Length)));
                Assert.Equal(SaveLoadTests.Bits(decoded[$"b{l}"].Values), SaveLoadTests.Bits(scratch.Parameters.Slice(MixedNet.Architecture.BiasOffset(l), decoded[$"b{l}"].Values.Length)));
            }
        }

        int rejected = counts.Values.Sum();
        output.WriteLine($"{rejected} corrupted files rejected, 0 crashes, parameters untouched after each:");
        foreach ((string family, int count) in counts)
        {
            output.WriteLine($"  {family,-18} {count,6}");
        }

        output.WriteLine($"  random flips that left a valid file (loaded as decoded independently): {accepted}");
        Assert.True(rejected >= 4000, $"Only {rejected} corrupted files.");
        Assert.True(counts["random flips"] > 1000, "Most random flips should corrupt the file.");
    }

    private static IEnumerable<long[]> ShapeMutations(long[] shape)
    {
        yield return shape.Reverse().ToArray();
        yield return [.. shape, 1];
        yield return [1, .. shape];
        yield return shape.Select(d => d + 1).ToArray();
        yield return [];
        yield return [shape.Aggregate(1L, (a, b) => a * b) + 1];
        if (shape.Length == 2)
        {
            yield return [shape[0] * shape[1]];
        }
    }

    /// <summary>
    /// Whether a changed shape must be refused: biases may also be the course's (n, 1), and an extra tensor may take any
    /// shape of the same size (it is the caller's to check, with <see cref="LoadedWeights.GetExtra"/>).
    /// </summary>
    private static bool Rejectable(string name, long[] shape, long[] wrong)
    {
        long count(long[] s) => s.Aggregate(1L, (a, b) => a * b);
        bool extra = !(name.StartsWith('W') || name.StartsWith('b'));
        return !wrong.SequenceEqual(shape)
            && !(name.StartsWith('b') && wrong.SequenceEqual([shape[0], 1]))
            && !(extra && count(wrong) == count(shape));
    }

    private static (long Begin, long End) OffsetsOf(List<RawSafetensors.Tensor> tensors, int index)
    {
        long begin = tensors.Take(index).Sum(t => (long)t.Data.Length);
        return (begin, begin + tensors[index].Data.Length);
    }

    private static (int Tensor, int Element) Locate(NetworkArchitecture architecture, int position)
    {
        for (int l = architecture.LayerCount; l >= 1; l--)
        {
            if (position >= architecture.BiasOffset(l))
            {
                return (2 * (l - 1) + 1, position - architecture.BiasOffset(l));
            }

            if (position >= architecture.WeightOffset(l))
            {
                return (2 * (l - 1), position - architecture.WeightOffset(l));
            }
        }

        throw new ArgumentOutOfRangeException(nameof(position));
    }

}
