using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace NnGen.Benchmarks;

/// <summary>
/// ONNX Runtime's side of <see cref="ConvolutionWorkloads"/>'s <c>PredictBatch</c> rows: the same <see cref="LeNet5"/>
/// (seed 2) exported by NnGen.Onnx and run on 10,000 images, on one thread (the baseline of the target) and
/// on two.
/// </summary>
/// <remarks>
/// A class of its own so that the NnGen rows run where the exporter has no convolution nodes. <see cref="Setup"/> checks
/// NnGen's <c>PredictBatch</c> against ONNX Runtime's output on every row before anything is timed.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ConvolutionOnnxWorkloads : IDisposable
{
    private OnnxPeer _onnx = null!;
    private OnnxPeer _onnx2Threads = null!;

    [GlobalSetup]
    public void Setup()
    {
        float[] inputs = ConvolutionWorkloads.Data(nameof(ConvolutionOnnxWorkloads)).PredictInputs;
        var net = new LeNet5(seed: 2);
        _onnx = new OnnxPeer(net, ConvolutionWorkloads.PredictExamples);
        _onnx2Threads = new OnnxPeer(net, ConvolutionWorkloads.PredictExamples, threads: 2);
        inputs.CopyTo(_onnx.Input, 0);
        inputs.CopyTo(_onnx2Threads.Input, 0);

        float[] nngen = new float[_onnx.Output.Length];
        net.PredictBatch(inputs, nngen);
        _onnx.Run();
        _onnx2Threads.Run();
        var expected = new double[nngen.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = _onnx.Output[i];
        }

        PeerNetwork.Check("NnGen LeNet5.PredictBatch against ONNX Runtime", nngen, expected);
        PeerNetwork.Check("ONNX Runtime LeNet5 on 2 threads against 1 thread", _onnx2Threads.Output, expected);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _onnx?.Dispose();
        _onnx2Threads?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PredictBatch 10,000 x LeNet-5")]
    public float OnnxLeNet5PredictBatch()
    {
        _onnx.Run();
        return _onnx.Output[0];
    }

    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x LeNet-5")]
    public float OnnxLeNet5PredictBatch2Threads()
    {
        _onnx2Threads.Run();
        return _onnx2Threads.Output[0];
    }
}
