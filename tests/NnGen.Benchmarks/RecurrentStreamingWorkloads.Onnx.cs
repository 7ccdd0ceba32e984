using System;
using System.IO;
using BenchmarkDotNet.Attributes;

namespace NnGen.Benchmarks;

/// <summary>
/// ONNX Runtime's side of <see cref="RecurrentStreamingWorkloads"/>: the same five networks (the same seeds, or
/// RTNeural's dumped weights with <c>RTNEURAL_WEIGHTS=DIR</c>) exported by NnGen.Onnx (<c>GRU</c>/<c>LSTM</c> nodes and
/// the Dense 1 at every step) and run by ONNX Runtime on one thread. <c>Step</c> rows: one call per sample, each input
/// fed back from the previous output as the NnGen and RTNeural rows do. <c>Process</c> rows: one call per block of
/// <see cref="RecurrentStreamingWorkloads.BlockSamples"/> samples, reported per sample.
/// </summary>
/// <remarks>
/// The exported graph has no state inputs or outputs (ONNX's <c>initial_h</c>/<c>initial_c</c> are left out, so every
/// call starts from zeros), so ONNX Runtime cannot carry a stream's state from call to call: each Step call computes
/// a one-step sequence and each Process call a 64-step one. The arithmetic per sample is a streamed step's (the gates
/// have no data-dependent branch); carrying the state would bind two more tensors per call on top. <see cref="Setup"/>
/// checks every session's outputs against the network's <c>Process</c> from a zero state before anything is timed.
/// </remarks>
[MemoryDiagnoser]
public class RecurrentStreamingOnnxWorkloads : IDisposable
{
    private const int BlockSamples = RecurrentStreamingWorkloads.BlockSamples;

    private readonly OnnxPeer[] _steps = new OnnxPeer[5];
    private readonly OnnxPeer[] _blocks = new OnnxPeer[5];

    [GlobalSetup]
    public void Setup()
    {
        float[] block = RecurrentStreamingWorkloads.Block();
        var gru8 = new StreamGru8Net(seed: 8);
        var gru16 = new StreamGru16Net(seed: 16);
        var lstm16 = new StreamLstm16Net(seed: 16);
        var lstm32 = new StreamLstm32Net(seed: 32);
        var lstm40 = new StreamLstm40Net(seed: 40);
        (string Workload, ISerializableNetwork Network, Action<byte[]> Load, Func<float[], float[]> Process)[] rows =
        [
            ("gru_1_8_1", gru8, bytes => gru8.LoadWeights(new MemoryStream(bytes)), x => Processed(x, (i, o) => { StreamGru8Net.State s = default; gru8.Process(i, o, ref s); })),
            ("gru_1_16_1", gru16, bytes => gru16.LoadWeights(new MemoryStream(bytes)), x => Processed(x, (i, o) => { StreamGru16Net.State s = default; gru16.Process(i, o, ref s); })),
            ("lstm_1_16_1", lstm16, bytes => lstm16.LoadWeights(new MemoryStream(bytes)), x => Processed(x, (i, o) => { StreamLstm16Net.State s = default; lstm16.Process(i, o, ref s); })),
            ("lstm_1_32_1", lstm32, bytes => lstm32.LoadWeights(new MemoryStream(bytes)), x => Processed(x, (i, o) => { StreamLstm32Net.State s = default; lstm32.Process(i, o, ref s); })),
            ("lstm_1_40_1", lstm40, bytes => lstm40.LoadWeights(new MemoryStream(bytes)), x => Processed(x, (i, o) => { StreamLstm40Net.State s = default; lstm40.Process(i, o, ref s); })),
        ];

        string? dumps = Environment.GetEnvironmentVariable("RTNEURAL_WEIGHTS");
        for (int row = 0; row < rows.Length; row++)
        {
            (string workload, ISerializableNetwork network, Action<byte[]> load, Func<float[], float[]> process) = rows[row];
            if (!string.IsNullOrEmpty(dumps))
            {
                RtNeuralDump.LoadAndCheck(workload, dumps, load, process);
            }

            Bind(row, workload, network, block, process(block));
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (OnnxPeer? peer in _steps)
        {
            peer?.Dispose();
        }

        foreach (OnnxPeer? peer in _blocks)
        {
            peer?.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamGru8Step() => Steps(_steps[0]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamGru8Process() => Block(_blocks[0]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamGru16Step() => Steps(_steps[1]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamGru16Process() => Block(_blocks[1]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm16Step() => Steps(_steps[2]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm16Process() => Block(_blocks[2]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm32Step() => Steps(_steps[3]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm32Process() => Block(_blocks[3]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm40Step() => Steps(_steps[4]);

    [Benchmark(OperationsPerInvoke = BlockSamples)]
    public float OnnxStreamLstm40Process() => Block(_blocks[4]);

    /// <summary><see cref="BlockSamples"/> calls of one sample each, every input fed back from the output before it.</summary>
    private static float Steps(OnnxPeer peer)
    {
        float x = peer.Input[0], y = 0f;
        for (int i = 0; i < BlockSamples; i++)
        {
            peer.Input[0] = x;
            peer.Run();
            y = peer.Output[0];
            x = RecurrentStreamingWorkloads.X0 + (PeerNetwork.Feedback * y);
        }

        return y;
    }

    private static float Block(OnnxPeer peer)
    {
        peer.Run();
        return peer.Output[BlockSamples - 1];
    }

    private static float[] Processed(float[] input, Action<float[], float[]> process)
    {
        var output = new float[input.Length];
        process(input, output);
        return output;
    }

    /// <summary>Exports <paramref name="network"/> twice (one step, one block per call) and checks both against its Process from zeros.</summary>
    private void Bind(int row, string name, ISerializableNetwork network, float[] block, float[] expected)
    {
        _steps[row] = new OnnxPeer(network, examples: 1, steps: 1);
        _blocks[row] = new OnnxPeer(network, examples: 1, steps: BlockSamples);
        block.CopyTo(_blocks[row].Input, 0);
        _blocks[row].Run();
        _steps[row].Input[0] = block[0];
        _steps[row].Run();
        var reference = Array.ConvertAll(expected, value => (double)value);
        PeerNetwork.Check($"ONNX Runtime {name}, a block of {BlockSamples} samples, against the network's Process", _blocks[row].Output, reference);
        PeerNetwork.Check($"ONNX Runtime {name}, one step, against the network's first sample", _steps[row].Output, reference.AsSpan(0, 1));
        _steps[row].Input[0] = RecurrentStreamingWorkloads.X0;
    }
}
