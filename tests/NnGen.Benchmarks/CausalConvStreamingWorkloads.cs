using System;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

// The RTNeural harness's causal convolution workloads, declared as a user would declare them.

/// <summary>RTNeural's <c>conv1d_8_8_k7</c>: one causal convolution of 8 channels in and out, kernel 7, then a linear Dense 1.</summary>
[Network(Inputs = 8)]
[Conv1D(8, Kernel = 7, PaddingMode = PaddingMode.Causal)]
[Dense(1, Activation.Linear)]
public partial class StreamConv8x8K7Net;

/// <summary>RTNeural's <c>conv1d_stack</c>: a small dilated WaveNet-like stack (receptive field 15 samples), one sample in and out.</summary>
[Network(Inputs = 1)]
[Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Conv1D(8, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Conv1D(8, Kernel = 3, Dilation = 4, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Dense(1, Activation.Linear)]
public partial class StreamConvStackNet;

/// <summary>
/// The generated causal convolution networks streamed one sample at a time, beside the RTNeural harness's rows of the
/// same workloads (issue 25, point 4): <c>Step</c> and the frozen copy's <c>Step</c> per sample with x[0] fed back from
/// the previous output (x[0] = x0 + 1e-7·y, as the harness does, the other channels at the sequence's first sample), and
/// <c>Process</c> over blocks of <see cref="BlockSamples"/> samples, reported per sample. What a user gets, unlike
/// <see cref="CausalConvKernelWorkloads"/>, which times the kernel under a hand-written imitation of the step.
/// </summary>
/// <remarks>
/// With <c>RTNEURAL_WEIGHTS=DIR</c> (the harness's <c>--dump-weights DIR</c>), <see cref="Setup"/> loads each network
/// from RTNeural's own weights through <c>LoadWeights</c> and checks its first 64 outputs against RTNeural's before
/// anything is timed; without it the networks keep their seeded initialization. Either way Setup checks that Process and
/// the frozen copy give Step's bits.
/// </remarks>
[MemoryDiagnoser]
public class CausalConvStreamingWorkloads
{
    /// <summary>Samples per Process call: a common audio buffer.</summary>
    public const int BlockSamples = 64;

    private const float X0 = 0.25f;

    private readonly float[] _k7Input = new float[StreamConv8x8K7Net.InputSize], _frozenK7Input = new float[StreamConv8x8K7Net.InputSize];
    private readonly float[] _k7Output = new float[1];
    private readonly float[] _k7Block = new float[BlockSamples * StreamConv8x8K7Net.InputSize], _stackBlock = new float[BlockSamples];
    private readonly float[] _blockOut = new float[BlockSamples];

    private StreamConv8x8K7Net _k7 = null!;
    private StreamConv8x8K7Net.Frozen _frozenK7 = null!;
    private StreamConvStackNet _stack = null!;
    private StreamConvStackNet.Frozen _frozenStack = null!;
    private StreamConv8x8K7Net.State _k7Step, _frozenK7Step, _k7Process;
    private StreamConvStackNet.State _stackStep, _frozenStackStep, _stackProcess;
    private float _stackX = X0, _frozenStackX = X0;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        var random = new Random(48_000);
        for (int i = 0; i < _k7Block.Length; i++)
        {
            _k7Block[i] = random.NextSingle() - 0.5f;
        }

        _k7Block.AsSpan(0, BlockSamples).CopyTo(_stackBlock);
        _k7 = new StreamConv8x8K7Net(seed: 7);
        _stack = new StreamConvStackNet(seed: 3);
        string? dumps = Environment.GetEnvironmentVariable("RTNEURAL_WEIGHTS");
        if (!string.IsNullOrEmpty(dumps))
        {
            Check("conv1d_8_8_k7", dumps, ["conv", "dense"], bytes => _k7.LoadWeights(new MemoryStream(bytes)), StepK7);
            Check("conv1d_stack", dumps, ["conv1", "conv2", "conv3", "dense"], bytes => _stack.LoadWeights(new MemoryStream(bytes)), StepStack);
        }

        _frozenK7 = _k7.Freeze();
        _frozenStack = _stack.Freeze();
        SameBits("conv1d_8_8_k7 Process", ProcessK7(_k7Block), StepK7(_k7Block));
        SameBits("conv1d_8_8_k7 Frozen.Step", FrozenStepK7(_k7Block), StepK7(_k7Block));
        SameBits("conv1d_stack Process", ProcessStack(_stackBlock), StepStack(_stackBlock));
        SameBits("conv1d_stack Frozen.Step", FrozenStepStack(_stackBlock), StepStack(_stackBlock));

        // The timed streams start at the sequence's first sample, as the harness's do.
        _k7Block.AsSpan(0, StreamConv8x8K7Net.InputSize).CopyTo(_k7Input);
        _k7Block.AsSpan(0, StreamConv8x8K7Net.InputSize).CopyTo(_frozenK7Input);
        (_stackX, _frozenStackX) = (_stackBlock[0], _stackBlock[0]);
        (_k7Step, _frozenK7Step, _k7Process, _stackStep, _frozenStackStep, _stackProcess) = (default, default, default, default, default, default);
    }

    /// <summary>conv1d_8_8_k7: Conv1D 8 → 8 (K 7) then Dense 8 → 1, one sample through the network's Step.</summary>
    [Benchmark]
    public float StreamConv8x8K7Step()
    {
        _k7.Step(_k7Input, _k7Output, ref _k7Step);
        _k7Input[0] = X0 + (PeerNetwork.Feedback * _k7Output[0]);
        return _k7Output[0];
    }

    /// <summary>The same through the frozen copy's Step.</summary>
    [Benchmark]
    public float StreamConv8x8K7FrozenStep()
    {
        _frozenK7.Step(_frozenK7Input, _k7Output, ref _frozenK7Step);
        _frozenK7Input[0] = X0 + (PeerNetwork.Feedback * _k7Output[0]);
        return _k7Output[0];
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamConv8x8K7Process()
    {
        _k7.Process(_k7Block, _blockOut, ref _k7Process);
        return _blockOut[BlockSamples - 1];
    }

    /// <summary>conv1d_stack: Conv1D 1 → 8 (K 3, d 1), 8 → 8 (d 2), 8 → 8 (d 4), each with tanh, then Dense 8 → 1, one sample through Step.</summary>
    [Benchmark]
    public float StreamConvStackStep()
    {
        float y = _stack.Step(_stackX, ref _stackStep);
        _stackX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The same through the frozen copy's Step.</summary>
    [Benchmark]
    public float StreamConvStackFrozenStep()
    {
        float y = _frozenStack.Step(_frozenStackX, ref _frozenStackStep);
        _frozenStackX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamConvStackProcess()
    {
        _stack.Process(_stackBlock, _blockOut, ref _stackProcess);
        return _blockOut[BlockSamples - 1];
    }

    private float[] StepK7(float[] input)
    {
        int steps = input.Length / StreamConv8x8K7Net.InputSize;
        var output = new float[steps];
        StreamConv8x8K7Net.State state = default;
        for (int t = 0; t < steps; t++)
        {
            _k7.Step(input.AsSpan(t * StreamConv8x8K7Net.InputSize, StreamConv8x8K7Net.InputSize), output.AsSpan(t, 1), ref state);
        }

        return output;
    }

    private float[] FrozenStepK7(float[] input)
    {
        int steps = input.Length / StreamConv8x8K7Net.InputSize;
        var output = new float[steps];
        StreamConv8x8K7Net.State state = default;
        for (int t = 0; t < steps; t++)
        {
            _frozenK7.Step(input.AsSpan(t * StreamConv8x8K7Net.InputSize, StreamConv8x8K7Net.InputSize), output.AsSpan(t, 1), ref state);
        }

        return output;
    }

    private float[] ProcessK7(float[] input)
    {
        var output = new float[input.Length / StreamConv8x8K7Net.InputSize];
        StreamConv8x8K7Net.State state = default;
        _k7.Process(input, output, ref state);
        return output;
    }

    private float[] StepStack(float[] input)
    {
        var output = new float[input.Length];
        StreamConvStackNet.State state = default;
        for (int t = 0; t < input.Length; t++)
        {
            output[t] = _stack.Step(input[t], ref state);
        }

        return output;
    }

    private float[] FrozenStepStack(float[] input)
    {
        var output = new float[input.Length];
        StreamConvStackNet.State state = default;
        for (int t = 0; t < input.Length; t++)
        {
            output[t] = _frozenStack.Step(input[t], ref state);
        }

        return output;
    }

    private float[] ProcessStack(float[] input)
    {
        var output = new float[input.Length];
        StreamConvStackNet.State state = default;
        _stack.Process(input, output, ref state);
        return output;
    }

    private static void SameBits(string what, float[] actual, float[] expected)
    {
        for (int t = 0; t < expected.Length; t++)
        {
            if (BitConverter.SingleToInt32Bits(actual[t]) != BitConverter.SingleToInt32Bits(expected[t]))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what} gives {actual[t]:R} at sample {t}, Step {expected[t]:R}."));
            }
        }
    }

    /// <summary>
    /// Loads RTNeural's dump of <paramref name="workload"/> and checks the network's first 64 outputs against RTNeural's,
    /// its modules renamed to their positions, as an nn.Sequential numbers them (the dump's names carry no order).
    /// </summary>
    private static void Check(string workload, string directory, string[] modules, Action<byte[]> load, Func<float[], float[]> stream) =>
        RtNeuralDump.LoadAndCheck(workload, directory, load, stream, name =>
        {
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            int index = Array.IndexOf(modules, name[..dot]);
            return index < 0
                ? throw new InvalidDataException($"{workload}: tensor {name} belongs to none of the modules {string.Join(", ", modules)}.")
                : string.Create(CultureInfo.InvariantCulture, $"{index}{name[dot..]}");
        });
}
