using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
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
/// harness does, so calls cannot overlap), and <c>Process</c> over blocks of <see cref="BlockSamples"/> samples,
/// reported per sample (the state carries from block to block, so every sample still waits for the one before).
/// </summary>
/// <remarks>
/// With <c>RTNEURAL_WEIGHTS=DIR</c> (the harness's <c>--dump-weights DIR</c>), <see cref="Setup"/> loads each network
/// from RTNeural's own weights through <c>LoadWeights</c> and checks its first 64 outputs against RTNeural's before
/// anything is timed; without it the networks keep their seeded initialization (the times do not depend on the values:
/// the gates' math has no data-dependent branch). Either way Setup checks that Process gives Step's bits.
/// The <c>PackedStep</c> rows run the same network through the packed step (<see cref="RecurrentKernels.LstmStepPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>,
/// the frozen form's kernel) and the Dense 1 readout as the generated <c>Step</c> does it; Setup checks they give Step's bits.
/// </remarks>
[MemoryDiagnoser]
public class RecurrentStreamingWorkloads
{
    /// <summary>Samples per Process call: a common audio buffer.</summary>
    public const int BlockSamples = 64;

    private const float X0 = 0.25f;

    private readonly float[] _block = new float[BlockSamples];
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
    private PackedStream _gru8Packed = null!, _gru16Packed = null!, _lstm16Packed = null!, _lstm32Packed = null!, _lstm40Packed = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        var random = new Random(48_000);
        for (int i = 0; i < BlockSamples; i++)
        {
            _block[i] = random.NextSingle() - 0.5f;
        }

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

        _gru8Packed = new PackedStream(lstm: false, _gru8.Wih1, _gru8.Whh1, _gru8.bih1, _gru8.bhh1, _gru8.W2, _gru8.b2);
        _gru16Packed = new PackedStream(lstm: false, _gru16.Wih1, _gru16.Whh1, _gru16.bih1, _gru16.bhh1, _gru16.W2, _gru16.b2);
        _lstm16Packed = new PackedStream(lstm: true, _lstm16.Wih1, _lstm16.Whh1, _lstm16.bih1, _lstm16.bhh1, _lstm16.W2, _lstm16.b2);
        _lstm32Packed = new PackedStream(lstm: true, _lstm32.Wih1, _lstm32.Whh1, _lstm32.bih1, _lstm32.bhh1, _lstm32.W2, _lstm32.b2);
        _lstm40Packed = new PackedStream(lstm: true, _lstm40.Wih1, _lstm40.Whh1, _lstm40.bih1, _lstm40.bhh1, _lstm40.W2, _lstm40.b2);
        CheckPackedEqualsSteps("gru 8", _gru8Packed, x => { StreamGru8Net.State s = default; return Run(x, v => _gru8.Step(v, ref s)); });
        CheckPackedEqualsSteps("gru 16", _gru16Packed, x => { StreamGru16Net.State s = default; return Run(x, v => _gru16.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 16", _lstm16Packed, x => { StreamLstm16Net.State s = default; return Run(x, v => _lstm16.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 32", _lstm32Packed, x => { StreamLstm32Net.State s = default; return Run(x, v => _lstm32.Step(v, ref s)); });
        CheckPackedEqualsSteps("lstm 40", _lstm40Packed, x => { StreamLstm40Net.State s = default; return Run(x, v => _lstm40.Step(v, ref s)); });
    }

    [Benchmark]
    public float StreamGru8Step()
    {
        float y = _gru8.Step(_gru8X, ref _gru8Step);
        _gru8X = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The packed step and the Dense 1 readout, as a frozen network's Step would run them.</summary>
    [Benchmark]
    public float StreamGru8PackedStep()
    {
        float y = _gru8Packed.Step(_gru8PackedX);
        _gru8PackedX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru8Process()
    {
        _gru8.Process(_block, _blockOut, ref _gru8Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark]
    public float StreamGru16Step()
    {
        float y = _gru16.Step(_gru16X, ref _gru16Step);
        _gru16X = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The packed step and the Dense 1 readout, as a frozen network's Step would run them.</summary>
    [Benchmark]
    public float StreamGru16PackedStep()
    {
        float y = _gru16Packed.Step(_gru16PackedX);
        _gru16PackedX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamGru16Process()
    {
        _gru16.Process(_block, _blockOut, ref _gru16Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark]
    public float StreamLstm16Step()
    {
        float y = _lstm16.Step(_lstm16X, ref _lstm16Step);
        _lstm16X = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The packed step and the Dense 1 readout, as a frozen network's Step would run them.</summary>
    [Benchmark]
    public float StreamLstm16PackedStep()
    {
        float y = _lstm16Packed.Step(_lstm16PackedX);
        _lstm16PackedX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm16Process()
    {
        _lstm16.Process(_block, _blockOut, ref _lstm16Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark]
    public float StreamLstm32Step()
    {
        float y = _lstm32.Step(_lstm32X, ref _lstm32Step);
        _lstm32X = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The packed step and the Dense 1 readout, as a frozen network's Step would run them.</summary>
    [Benchmark]
    public float StreamLstm32PackedStep()
    {
        float y = _lstm32Packed.Step(_lstm32PackedX);
        _lstm32PackedX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm32Process()
    {
        _lstm32.Process(_block, _blockOut, ref _lstm32Process);
        return _blockOut[BlockSamples - 1];
    }

    [Benchmark]
    public float StreamLstm40Step()
    {
        float y = _lstm40.Step(_lstm40X, ref _lstm40Step);
        _lstm40X = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>The packed step and the Dense 1 readout, as a frozen network's Step would run them.</summary>
    [Benchmark]
    public float StreamLstm40PackedStep()
    {
        float y = _lstm40Packed.Step(_lstm40PackedX);
        _lstm40PackedX = X0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float StreamLstm40Process()
    {
        _lstm40.Process(_block, _blockOut, ref _lstm40Process);
        return _blockOut[BlockSamples - 1];
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

    /// <summary>Loads RTNeural's dump of <paramref name="workload"/> and checks the network's first 64 outputs against RTNeural's.</summary>
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

    /// <summary>The first <see cref="BlockSamples"/> outputs of the packed step from a zero state must be Step's, bit for bit.</summary>
    private void CheckPackedEqualsSteps(string name, PackedStream packed, Func<float[], float[]> stream)
    {
        float[] stepped = stream(_block);
        packed.Reset();
        for (int t = 0; t < BlockSamples; t++)
        {
            float y = packed.Step(_block[t]);
            if (BitConverter.SingleToInt32Bits(y) != BitConverter.SingleToInt32Bits(stepped[t]))
            {
                throw new InvalidOperationException($"{name}: the packed step gives {y:R} at sample {t}, Step {stepped[t]:R}.");
            }
        }

        packed.Reset();
    }

    /// <summary>
    /// One input-1 recurrent layer packed into a 64-byte-aligned buffer (as a frozen network would hold it) and its Dense 1
    /// readout, stepped as the generated Step steps: the scratch on the stack, the layer's step, then Gemm.MatVec.
    /// </summary>
    private sealed class PackedStream
    {
        private readonly bool _lstm;
        private readonly int _units;
        private readonly AlignedBuffer _packed;
        private readonly float[] _w2, _b2, _h, _c;

        public PackedStream(bool lstm, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> w2, ReadOnlySpan<float> b2)
        {
            _lstm = lstm;
            _units = w2.Length;
            _packed = new AlignedBuffer(lstm ? RecurrentKernels.LstmPackedLength(1, _units) : RecurrentKernels.GruPackedLength(1, _units));
            if (lstm)
            {
                RecurrentKernels.PackLstm(wIh, wHh, bIh, bHh, _packed.Span, 1, _units);
            }
            else
            {
                RecurrentKernels.PackGru(wIh, wHh, bIh, bHh, _packed.Span, 1, _units);
            }

            (_w2, _b2, _h, _c) = (w2.ToArray(), b2.ToArray(), new float[_units], new float[_units]);
        }

        public void Reset()
        {
            Array.Clear(_h);
            Array.Clear(_c);
        }

        public float Step(float x)
        {
            // The generated Step's scratch: 2·G·H floats on the stack, zeroed as the generated code's is.
            Span<float> scratch = stackalloc float[(_lstm ? 8 : 6) * _units];
            ReadOnlySpan<float> input = MemoryMarshal.CreateReadOnlySpan(ref x, 1);
            if (_lstm)
            {
                RecurrentKernels.LstmStepPacked(_packed.Span, input, _h, _c, scratch, 1, _units);
            }
            else
            {
                RecurrentKernels.GruStepPacked(_packed.Span, input, _h, scratch, 1, _units);
            }

            float y = 0f;
            Gemm.MatVec(_w2, _h, _b2, MemoryMarshal.CreateSpan(ref y, 1), 1, _units, Activation.Linear);
            return y;
        }
    }
}
