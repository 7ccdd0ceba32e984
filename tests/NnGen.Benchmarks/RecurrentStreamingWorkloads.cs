using System;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Attributes;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

// The RTNeural harness's recurrent workloads (GRU 8/16, LSTM 16/32/40, input 1, a linear Dense 1 after), declared as a
// user would declare an amp model.

/// <summary>RTNeural's <c>gru_1_8_1</c>.</summary>
[Network(Inputs = 1)]
[Gru(8)]
[Dense(1, Activation.Linear)]
public partial class StreamGru8Net;

/// <summary>RTNeural's <c>gru_1_16_1</c>.</summary>
[Network(Inputs = 1)]
[Gru(16)]
[Dense(1, Activation.Linear)]
public partial class StreamGru16Net;

/// <summary>RTNeural's <c>lstm_1_16_1</c>.</summary>
[Network(Inputs = 1)]
[Lstm(16)]
[Dense(1, Activation.Linear)]
public partial class StreamLstm16Net;

/// <summary>RTNeural's <c>lstm_1_32_1</c>, the size of the LSTM 1→32→1 guitar-amp models many plugins ship.</summary>
[Network(Inputs = 1)]
[Lstm(32)]
[Dense(1, Activation.Linear)]
public partial class StreamLstm32Net;

/// <summary>RTNeural's <c>lstm_1_40_1</c>.</summary>
[Network(Inputs = 1)]
[Lstm(40)]
[Dense(1, Activation.Linear)]
public partial class StreamLstm40Net;

/// <summary>
/// Generated recurrent networks streamed one sample at a time, beside the RTNeural harness's rows of the same names
/// (issue 24): <c>Step</c> per sample with each input fed back from the previous output (x = x0 + 1e-7·y, as the
/// harness does, so calls cannot overlap), <see cref="BlockSamples"/> such calls in a loop per invocation with x in a
/// local, as the harness times back-to-back calls in a loop (reported per call), and <c>Process</c> over blocks of
/// <see cref="BlockSamples"/> samples,
/// reported per sample (the state carries from block to block, so every sample still waits for the one before).
/// </summary>
/// <remarks>
/// With <c>RTNEURAL_WEIGHTS=DIR</c> (the harness's <c>--dump-weights DIR</c>), <see cref="Setup"/> loads each network
/// from RTNeural's own weights through <c>LoadWeights</c> and checks its first 64 outputs against RTNeural's before
/// anything is timed; without it the networks keep their seeded initialization (the times do not depend on the values:
/// the gates' math has no data-dependent branch). Either way Setup checks that Process gives Step's bits.
/// The <c>PackedStep</c> rows run the same network frozen (<c>Freeze()</c>: its recurrent layer and Dense readout packed
/// once, stepped by <see cref="RecurrentKernels.LstmDenseStepsPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int)"/>),
/// through its own <c>Frozen.Step</c>; Setup checks they give Step's bits.
/// </remarks>
[MemoryDiagnoser]
public class RecurrentStreamingWorkloads
{
    /// <summary>Samples per Process call: a common audio buffer.</summary>
    public const int BlockSamples = 64;

    /// <summary>The input the fed-back streams start from: x = X0 + 1e-7·y.</summary>
    internal const float X0 = 0.25f;

    private readonly float[] _block = Block();
    private readonly float[] _blockOut = new float[BlockSamples];

    private StreamGru8Net _gru8 = null!;
    private StreamGru16Net _gru16 = null!;
    private StreamLstm16Net _lstm16 = null!;
    private StreamLstm32Net _lstm32 = null!;
    private StreamLstm40Net _lstm40 = null!;
    private StreamGru8Net.State _gru8Step, _gru8Process;
    private StreamGru16Net.State _gru16Step, _gru16Process;
    private StreamLstm16Net.State _lstm16Step, _lstm16Process;
    private StreamLstm32Net.State _lstm32Step, _lstm32Process;
    private StreamLstm40Net.State _lstm40Step, _lstm40Process;
    private float _gru8X = X0, _gru16X = X0, _lstm16X = X0, _lstm32X = X0, _lstm40X = X0;
    private float _gru8PackedX = X0, _gru16PackedX = X0, _lstm16PackedX = X0, _lstm32PackedX = X0, _lstm40PackedX = X0;
    private StreamGru8Net.Frozen _gru8Packed = null!;
    private StreamGru16Net.Frozen _gru16Packed = null!;
    private StreamLstm16Net.Frozen _lstm16Packed = null!;
    private StreamLstm32Net.Frozen _lstm32Packed = null!;
    private StreamLstm40Net.Frozen _lstm40Packed = null!;
    private StreamGru8Net.State _gru8PackedState;
    private StreamGru16Net.State _gru16PackedState;
    private StreamLstm16Net.State _lstm16PackedState;
    private StreamLstm32Net.State _lstm32PackedState;
    private StreamLstm40Net.State _lstm40PackedState;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        string? dumps = Environment.GetEnvironmentVariable("RTNEURAL_WEIGHTS");
        _gru8 = new StreamGru8Net(seed: 8);
        _gru16 = new StreamGru16Net(seed: 16);
        _lstm16 = new StreamLstm16Net(seed: 16);
        _lstm32 = new StreamLstm32Net(seed: 32);
        _lstm40 = new StreamLstm40Net(seed: 40);
        if (!string.IsNullOrEmpty(dumps))
        {
            RtNeuralDump.LoadAndCheck("gru_1_8_1", dumps, bytes => _gru8.LoadWeights(new MemoryStream(bytes)), x => { StreamGru8Net.State s = default; return Run(x, v => _gru8.Step(v, ref s)); });
            RtNeuralDump.LoadAndCheck("gru_1_16_1", dumps, bytes => _gru16.LoadWeights(new MemoryStream(bytes)), x => { StreamGru16Net.State s = default; return Run(x, v => _gru16.Step(v, ref s)); });
            RtNeuralDump.LoadAndCheck("lstm_1_16_1", dumps, bytes => _lstm16.LoadWeights(new MemoryStream(bytes)), x => { StreamLstm16Net.State s = default; return Run(x, v => _lstm16.Step(v, ref s)); });
            RtNeuralDump.LoadAndCheck("lstm_1_32_1", dumps, bytes => _lstm32.LoadWeights(new MemoryStream(bytes)), x => { StreamLstm32Net.State s = default; return Run(x, v => _lstm32.Step(v, ref s)); });
            RtNeuralDump.LoadAndCheck("lstm_1_40_1", dumps, bytes => _lstm40.LoadWeights(new MemoryStream(bytes)), x => { StreamLstm40Net.State s = default; return Run(x, v => _lstm40.Step(v, ref s)); });
        }

        CheckProcessEqualsSteps("gru 8", (input, output) => { StreamGru8Net.State s = default; _gru8.Process(input, output, ref s); }, x => { StreamGru8Net.State s = default; return Run(x, v => _gru8.Step(v, ref s)); });
        CheckProcessEqualsSteps("gru 16", (input, output) => { StreamGru16Net.State s = default; _gru16.Process(input, output, ref s); }, x => { StreamGru16Net.State s = default; return Run(x, v => _gru16.Step(v, ref s)); });
        CheckProcessEqualsSteps("lstm 16", (input, output) => { StreamLstm16Net.State s = default; _lstm16.Process(input, output, ref s); }, x => { StreamLstm16Net.State s = default; return Run(x, v => _lstm16.Step(v, ref s)); });
        CheckProcessEqualsSteps("lstm 32", (input, output) => { StreamLstm32Net.State s = default; _lstm32.Process(input, output, ref s); }, x => { StreamLstm32Net.State s = default; return Run(x, v => _lstm32.Step(v, ref s)); });
        CheckProcessEqualsSteps("lstm 40", (input, output) => { StreamLstm40Net.State s = default; _lstm40.Process(input, output, ref s); }, x => { StreamLstm40Net.State s = default; return Run(x, v => _lstm40.Step(v, ref s)); });

        _gru8Packed = _gru8.Freeze();
        _gru16Packed = _gru16.Freeze();
        _lstm16Packed = _lstm16.Freeze();
        _lstm32Packed = _lstm32.Freeze();
        _lstm40Packed = _lstm40.Freeze();
        CheckPackedEqualsSteps("gru 8", x => { StreamGru8Net.State s = default; return Run(x, v => _gru8Packed.Step(v, ref s)); }, x => { StreamGru8Net.State s = default; return Run(x, v => _gru8.Step(v, ref s)); });
        CheckPackedEqualsSteps("gru 16", x => { StreamGru16Net.State s = default; return Run(x, v => _gru16Packed.Step(v, ref s)); }, x => { StreamGru16Net.State s = default; return Run(x, v => _gru16.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 16", x => { StreamLstm16Net.State s = default; return Run(x, v => _lstm16Packed.Step(v, ref s)); }, x => { StreamLstm16Net.State s = default; return Run(x, v => _lstm16.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 32", x => { StreamLstm32Net.State s = default; return Run(x, v => _lstm32Packed.Step(v, ref s)); }, x => { StreamLstm32Net.State s = default; return Run(x, v => _lstm32.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 40", x => { StreamLstm40Net.State s = default; return Run(x, v => _lstm40Packed.Step(v, ref s)); }, x => { StreamLstm40Net.State s = default; return Run(x, v => _lstm40.Step(v, ref s)); });
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru8Step()
    {
        float x = _gru8X, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _gru8.Step(x, ref _gru8Step);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _gru8X = x;
        return y;
    }

    /// <summary>The network frozen: the packed step and the Dense 1 readout, through Frozen.Step.</summary>
    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru8PackedStep()
    {
        float x = _gru8PackedX, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _gru8Packed.Step(x, ref _gru8PackedState);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _gru8PackedX = x;
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru8Process()
    {
        _gru8.Process(_block, _blockOut, ref _gru8Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru16Step()
    {
        float x = _gru16X, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _gru16.Step(x, ref _gru16Step);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _gru16X = x;
        return y;
    }

    /// <summary>The network frozen: the packed step and the Dense 1 readout, through Frozen.Step.</summary>
    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru16PackedStep()
    {
        float x = _gru16PackedX, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _gru16Packed.Step(x, ref _gru16PackedState);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _gru16PackedX = x;
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru16Process()
    {
        _gru16.Process(_block, _blockOut, ref _gru16Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm16Step()
    {
        float x = _lstm16X, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm16.Step(x, ref _lstm16Step);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm16X = x;
        return y;
    }

    /// <summary>The network frozen: the packed step and the Dense 1 readout, through Frozen.Step.</summary>
    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm16PackedStep()
    {
        float x = _lstm16PackedX, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm16Packed.Step(x, ref _lstm16PackedState);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm16PackedX = x;
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm16Process()
    {
        _lstm16.Process(_block, _blockOut, ref _lstm16Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm32Step()
    {
        float x = _lstm32X, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm32.Step(x, ref _lstm32Step);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm32X = x;
        return y;
    }

    /// <summary>The network frozen: the packed step and the Dense 1 readout, through Frozen.Step.</summary>
    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm32PackedStep()
    {
        float x = _lstm32PackedX, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm32Packed.Step(x, ref _lstm32PackedState);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm32PackedX = x;
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm32Process()
    {
        _lstm32.Process(_block, _blockOut, ref _lstm32Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm40Step()
    {
        float x = _lstm40X, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm40.Step(x, ref _lstm40Step);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm40X = x;
        return y;
    }

    /// <summary>The network frozen: the packed step and the Dense 1 readout, through Frozen.Step.</summary>
    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm40PackedStep()
    {
        float x = _lstm40PackedX, y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            y = _lstm40Packed.Step(x, ref _lstm40PackedState);
            x = X0 + (PeerNetwork.Feedback * y);
        }

        _lstm40PackedX = x;
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm40Process()
    {
        _lstm40.Process(_block, _blockOut, ref _lstm40Process);
        return _blockOut[BlockSamples - 1];
    }

    /// <summary>The block every Process row runs (and ONNX Runtime's, <see cref="RecurrentStreamingOnnxWorkloads"/>): uniform in [-0.5, 0.5), seed 48,000.</summary>
    internal static float[] Block()
    {
        var random = new Random(48_000);
        var block = new float[BlockSamples];
        for (int i = 0; i < BlockSamples; i++)
        {
            block[i] = random.NextSingle() - 0.5f;
        }

        return block;
    }

    private static float[] Run(float[] input, Func<float, float> step)
    {
        var output = new float[input.Length];
        for (int t = 0; t < input.Length; t++)
        {
            output[t] = step(input[t]);
        }

        return output;
    }

    /// <summary>Process over the block from a zero state must give Step's outputs, bit for bit.</summary>
    private void CheckProcessEqualsSteps(string name, Action<float[], float[]> process, Func<float[], float[]> stream)
    {
        var processed = new float[BlockSamples];
        process(_block, processed);
        float[] stepped = stream(_block);
        for (int t = 0; t < BlockSamples; t++)
        {
            if (BitConverter.SingleToInt32Bits(processed[t]) != BitConverter.SingleToInt32Bits(stepped[t]))
            {
                throw new InvalidOperationException($"{name}: Process gives {processed[t]:R} at sample {t}, Step {stepped[t]:R}.");
            }
        }
    }

    /// <summary>The first <see cref="BlockSamples"/> outputs of the frozen network from a zero state must be Step's, bit for bit.</summary>
    private void CheckPackedEqualsSteps(string name, Func<float[], float[]> frozen, Func<float[], float[]> stream)
    {
        float[] stepped = stream(_block);
        float[] packed = frozen(_block);
        for (int t = 0; t < BlockSamples; t++)
        {
            if (BitConverter.SingleToInt32Bits(packed[t]) != BitConverter.SingleToInt32Bits(stepped[t]))
            {
                throw new InvalidOperationException($"{name}: Frozen.Step gives {packed[t]:R} at sample {t}, Step {stepped[t]:R}.");
            }
        }
    }
}
