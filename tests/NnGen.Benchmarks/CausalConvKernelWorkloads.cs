using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// RTNeural's causal convolution rows (issue 25, point 4), streamed one sample at a time through
/// <see cref="CausalConvKernels.Step(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int)"/>
/// as a generated network's <c>Step</c> will call it: the parameters in one 64-byte-aligned buffer in layer order, the
/// layers' histories in one inline-array state, tanh by <see cref="VectorMath"/>, the Dense 8 → 1 readout by
/// <see cref="Gemm.MatVec(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, Activation)"/>
/// (what the recurrent networks' generated <c>Step</c> calls for a Dense layer).
/// Each input is fed back from the previous output (x[0] = x0 + 1e-7·y, as the harness does), so every sample waits for
/// the one before: a latency per sample, beside <c>rtneural_conv1d_8_8_k7</c> and <c>rtneural_conv1d_stack</c>.
/// </summary>
/// <remarks>
/// Weights are the harness's when <c>RTNEURAL_WEIGHTS=DIR</c> names its <c>--dump-weights DIR</c> (then <see cref="Setup"/>
/// checks the first 64 outputs against RTNeural's), otherwise uniform in ±0.5/√(fan-in) from a fixed seed; either way
/// Setup checks 64 streamed outputs against a double-precision reference before anything is timed.
/// </remarks>
[MemoryDiagnoser]
public class CausalConvKernelWorkloads
{
    /// <summary>Largest |NnGen − reference| accepted over the 64 checked outputs (|y| is below 0.2 there).</summary>
    public const float Tolerance = 1e-5f;

    private const float X0 = 0.25f;

    private Conv8x8K7Network _k7 = null!;
    private ConvStackNetwork _stack = null!;
    private float _k7Y, _stackY;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        string? dumps = Environment.GetEnvironmentVariable("RTNEURAL_WEIGHTS");
        _k7 = new Conv8x8K7Network(dumps);
        _stack = new ConvStackNetwork(dumps);
    }

    /// <summary>Conv1D 8 → 8 (K 7) then Dense 8 → 1, one sample.</summary>
    [Benchmark]
    public float CausalConv8x8K7Step()
    {
        _k7Y = _k7.Step(X0 + (PeerNetwork.Feedback * _k7Y));
        return _k7Y;
    }

    /// <summary>The convolution of <see cref="CausalConv8x8K7Step"/> alone (x[0] fed back from its first output): the kernel's share of the row.</summary>
    [Benchmark]
    public float CausalConv8x8K7KernelOnly()
    {
        _k7Y = _k7.ConvolutionOnly(X0 + (PeerNetwork.Feedback * _k7Y));
        return _k7Y;
    }

    /// <summary>Conv1D 1 → 8 (K 3, d 1), 8 → 8 (d 2), 8 → 8 (d 4), each with tanh, then Dense 8 → 1, one sample.</summary>
    [Benchmark]
    public float CausalConvStackStep()
    {
        _stackY = _stack.Step(X0 + (PeerNetwork.Feedback * _stackY));
        return _stackY;
    }

    /// <summary>One causal convolution layer's sizes and whether tanh follows it.</summary>
    private sealed record ConvLayer(int InChannels, int OutChannels, int Kernel, int Dilation, bool Tanh)
    {
        public int WeightLength => OutChannels * InChannels * Kernel;
    }

    /// <summary>Room for the histories of every layer of both networks (57 and 150 floats), as a generated <c>State</c> holds them.</summary>
    [InlineArray(152)]
    private struct State
    {
        private float _element0;
    }

    /// <summary>
    /// conv1d_8_8_k7 as a generated <c>Step</c> would run it: constant sizes and offsets, W1 [8 x 8 x 7] at params[0..448),
    /// b1 at [448..456), the Dense W2 [1 x 8] at [456..464), b2 at [464]; the history in state[0..57).
    /// </summary>
    private sealed class Conv8x8K7Network(string? dumps) : ConvNetwork("conv1d_8_8_k7", 8, [new(8, 8, 7, 1, false)], dumps)
    {
        private const int W1Offset = 0, B1Offset = 448, W2Offset = 456, B2Offset = 464, History1Length = 57;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override float Step(float x0)
        {
            ReadOnlySpan<float> p = Parameters.Span;
            Span<float> state = StateFloats;
            Span<float> a1 = stackalloc float[8];
            Span<float> y = stackalloc float[1];
            Input[0] = x0;
            CausalConvKernels.Step(p.Slice(W1Offset, 448), p.Slice(B1Offset, 8), Input, state[..History1Length], a1, 8, 8, 7, 1, 1);
            Gemm.MatVec(p.Slice(W2Offset, 8), a1, p.Slice(B2Offset, 1), y, 1, 8, Activation.Linear);
            return y[0];
        }

        public float ConvolutionOnly(float x0)
        {
            Span<float> a1 = stackalloc float[8];
            Input[0] = x0;
            CausalConvKernels.Step(Parameters.Span.Slice(W1Offset, 448), Parameters.Span.Slice(B1Offset, 8), Input, StateFloats[..History1Length], a1, 8, 8, 7, 1, 1);
            return a1[0];
        }
    }

    /// <summary>
    /// conv1d_stack as a generated <c>Step</c> would run it: W1 [8 x 1 x 3] at params[0..24), b1 [24..32), W2 [8 x 8 x 3]
    /// [32..224), b2 [224..232), W3 [232..424), b3 [424..432), the Dense W4 [432..440), b4 [440]; histories of 4, 49 and 97
    /// floats in state[0..150).
    /// </summary>
    private sealed class ConvStackNetwork(string? dumps)
        : ConvNetwork("conv1d_stack", 1, [new(1, 8, 3, 1, true), new(8, 8, 3, 2, true), new(8, 8, 3, 4, true)], dumps)
    {
        private const int W1Offset = 0, B1Offset = 24, W2Offset = 32, B2Offset = 224, W3Offset = 232, B3Offset = 424, W4Offset = 432, B4Offset = 440;
        private const int History1Offset = 0, History1Length = 4, History2Offset = 4, History2Length = 49, History3Offset = 53, History3Length = 97;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override float Step(float x0)
        {
            ReadOnlySpan<float> p = Parameters.Span;
            Span<float> state = StateFloats;
            Span<float> a1 = stackalloc float[8], a2 = stackalloc float[8], a3 = stackalloc float[8];
            Span<float> y = stackalloc float[1];
            Input[0] = x0;
            CausalConvKernels.Step(p.Slice(W1Offset, 24), p.Slice(B1Offset, 8), Input, state.Slice(History1Offset, History1Length), a1, 1, 8, 3, 1, 1);
            VectorMath.Tanh(Vector256.Create<float>(a1)).CopyTo(a1);
            CausalConvKernels.Step(p.Slice(W2Offset, 192), p.Slice(B2Offset, 8), a1, state.Slice(History2Offset, History2Length), a2, 8, 8, 3, 2, 1);
            VectorMath.Tanh(Vector256.Create<float>(a2)).CopyTo(a2);
            CausalConvKernels.Step(p.Slice(W3Offset, 192), p.Slice(B3Offset, 8), a2, state.Slice(History3Offset, History3Length), a3, 8, 8, 3, 4, 1);
            VectorMath.Tanh(Vector256.Create<float>(a3)).CopyTo(a3);
            Gemm.MatVec(p.Slice(W4Offset, 8), a3, p.Slice(B4Offset, 1), y, 1, 8, Activation.Linear);
            return y[0];
        }
    }

    /// <summary>
    /// What both networks share: the parameters in layer order in one aligned buffer (each conv's W then b, then the Dense
    /// 8 → 1's W and b), the state, and the checks against the double reference (and RTNeural's outputs) at construction.
    /// </summary>
    private abstract class ConvNetwork
    {
        private readonly ConvLayer[] _layers;
        private readonly int[] _weightOffsets, _biasOffsets;
        private readonly int _denseWeightOffset, _denseBiasOffset, Inputs;
        private State _state;

        protected ConvNetwork(string workload, int inputs, ConvLayer[] layers, string? dumps)
        {
            (_layers, Inputs) = (layers, inputs);
            (_weightOffsets, _biasOffsets) = (new int[layers.Length], new int[layers.Length]);
            int offset = 0;
            for (int l = 0; l < layers.Length; l++)
            {
                _weightOffsets[l] = offset;
                _biasOffsets[l] = offset += layers[l].WeightLength;
                offset += layers[l].OutChannels;
            }

            (_denseWeightOffset, _denseBiasOffset) = (offset, offset + 8);
            Parameters = new AlignedBuffer(offset + 9);
            Input = new float[inputs];

            float[] sequence;
            float[]? expected = null;
            if (string.IsNullOrEmpty(dumps))
            {
                var random = new Random((inputs * 100) + layers.Length);
                Span<float> p = Parameters.Span;
                for (int l = 0; l < layers.Length; l++)
                {
                    float bound = 0.5f / MathF.Sqrt(layers[l].InChannels * layers[l].Kernel);
                    Fill(p.Slice(_weightOffsets[l], layers[l].WeightLength + layers[l].OutChannels), bound, random);
                }

                Fill(p.Slice(_denseWeightOffset, 9), 0.5f / MathF.Sqrt(8), random);
                sequence = new float[64 * inputs];
                Fill(sequence, 0.5f, random);
            }
            else
            {
                (sequence, expected) = LoadDump(Path.Combine(dumps, $"rtneural_{workload}_eigen.json"));
            }

            sequence.AsSpan(0, inputs).CopyTo(Input);
            float[] reference = Reference(sequence);
            _state = default;
            for (int t = 0; t < 64; t++)
            {
                sequence.AsSpan(t * inputs, inputs).CopyTo(Input);
                float y = Step(Input[0]);
                Compare(workload, t, y, reference[t], "the double reference");
                if (expected is not null)
                {
                    Compare(workload, t, y, expected[t], "RTNeural");
                }
            }

            Console.Error.WriteLine($"{workload}: the first 64 outputs agree with the double reference{(expected is null ? "" : " and RTNeural")}.");
            sequence.AsSpan(0, inputs).CopyTo(Input);
            _state = default;
        }

        protected AlignedBuffer Parameters { get; }

        /// <summary>The sample's channels: x[0] is fed back, the others stay at the sequence's first sample.</summary>
        protected float[] Input { get; }

        protected Span<float> StateFloats => _state;

        /// <summary>One sample through every layer; x[0] = <paramref name="x0"/>.</summary>
        public abstract float Step(float x0);

        /// <summary>The network in double precision over a (64, inputs) sequence from zero history: y_t = b + Σ_k W[:, :, k]·x_{t−(K−1−k)d}.</summary>
        private float[] Reference(float[] sequence)
        {
            ReadOnlySpan<float> p = Parameters.Span;
            int steps = sequence.Length / Inputs;
            var values = new double[sequence.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = sequence[i];
            }

            for (int l = 0; l < _layers.Length; l++)
            {
                ConvLayer layer = _layers[l];
                var output = new double[steps * layer.OutChannels];
                for (int t = 0; t < steps; t++)
                {
                    for (int o = 0; o < layer.OutChannels; o++)
                    {
                        double sum = p[_biasOffsets[l] + o];
                        for (int k = 0; k < layer.Kernel; k++)
                        {
                            int s = t - ((layer.Kernel - 1 - k) * layer.Dilation);
                            for (int c = 0; s >= 0 && c < layer.InChannels; c++)
                            {
                                sum += p[_weightOffsets[l] + (((o * layer.InChannels) + c) * layer.Kernel) + k] * values[(s * layer.InChannels) + c];
                            }
                        }

                        output[(t * layer.OutChannels) + o] = layer.Tanh ? Math.Tanh(sum) : sum;
                    }
                }

                values = output;
            }

            var y = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                double sum = p[_denseBiasOffset];
                for (int c = 0; c < 8; c++)
                {
                    sum += p[_denseWeightOffset + c] * values[(t * 8) + c];
                }

                y[t] = (float)sum;
            }

            return y;
        }

        /// <summary>Reads the harness's dump: the conv and dense tensors into the parameters, the input sequence and RTNeural's outputs.</summary>
        private (float[] Sequence, float[] Expected) LoadDump(string path)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement, tensors = root.GetProperty("state_dict");
            Span<float> p = Parameters.Span;
            string[] prefixes = _layers.Length == 1 ? ["conv"] : ["conv1", "conv2", "conv3"];
            for (int l = 0; l < _layers.Length; l++)
            {
                Place(tensors, $"{prefixes[l]}.weight", p.Slice(_weightOffsets[l], _layers[l].WeightLength), path);
                Place(tensors, $"{prefixes[l]}.bias", p.Slice(_biasOffsets[l], _layers[l].OutChannels), path);
            }

            Place(tensors, "dense.weight", p.Slice(_denseWeightOffset, 8), path);
            Place(tensors, "dense.bias", p.Slice(_denseBiasOffset, 1), path);
            return (Flatten(root.GetProperty("input")), Flatten(root.GetProperty("output")));
        }

        private static void Place(JsonElement tensors, string name, Span<float> destination, string path)
        {
            float[] values = Flatten(tensors.GetProperty(name));
            if (values.Length != destination.Length)
            {
                throw new InvalidDataException($"{path}: {name} has {values.Length} values, the layer needs {destination.Length}.");
            }

            values.CopyTo(destination);
        }

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

        private static void Fill(Span<float> values, float bound, Random random)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = bound * ((2f * random.NextSingle()) - 1f);
            }
        }

        private static void Compare(string workload, int t, float actual, float expected, string against)
        {
            if (!(Math.Abs(actual - expected) <= Tolerance))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture, $"{workload}: step {t} gives {actual:R}, {against} {expected:R}."));
            }
        }
    }
}
