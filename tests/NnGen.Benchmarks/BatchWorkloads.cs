using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// Batch prediction through the Fashion-MNIST network, NnGen on one and two threads beside ONNX Runtime (the baseline)
/// on one and two threads, with the parameters of <see cref="PeerNetwork.Fashion"/> and 10,000 pixel-like examples.
/// </summary>
/// <remarks>
/// <see cref="Setup"/> checks both predictions against a double-precision forward pass on the first rows and against
/// each other on every row before anything is timed.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class BatchWorkloads : IDisposable
{
    /// <summary>Examples in the batch-prediction rows (the Fashion-MNIST test set's size).</summary>
    public const int BatchExamples = 10_000;

    /// <summary>Examples per chunk of the Fashion network's PredictBatch (its generated BatchChunk: whole 512-bit tiles of examples whose activations fit 32 K floats).</summary>
    private const int LayerChunk = 64;

    private FashionNet _fashion = null!;
    private FashionNet.Frozen _fashionFrozen = null!;
    private float[] _batch = null!;
    private float[] _batchOutput = null!;
    private readonly float[] _layer1Output = new float[256 * LayerChunk];
    private OnnxPeer _onnxBatch = null!;
    private OnnxPeer _onnxBatch2Threads = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        PeerNetwork fashion = PeerNetwork.Fashion;
        _fashion = new FashionNet();
        fashion.FillParameters(_fashion.Parameters);
        _batch = PeerNetwork.Uniform01(BatchExamples * fashion.InputSize, 5);
        _batchOutput = new float[BatchExamples * fashion.OutputSize];
        _onnxBatch = new OnnxPeer(_fashion, BatchExamples);
        _onnxBatch2Threads = new OnnxPeer(_fashion, BatchExamples, threads: 2);
        _batch.CopyTo(_onnxBatch.Input, 0);
        _batch.CopyTo(_onnxBatch2Threads.Input, 0);
        CheckBatch(fashion);

        // The frozen form runs the network's own batch code on a copy of its parameters: the same bits.
        _fashionFrozen = _fashion.Freeze();
        var frozen = new float[_batchOutput.Length];
        _fashionFrozen.PredictBatch(_batch, frozen);
        if (!frozen.AsSpan().SequenceEqual(_batchOutput))
        {
            throw new InvalidOperationException("FashionNet.Frozen.PredictBatch differs from FashionNet.PredictBatch.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _onnxBatch?.Dispose();
        _onnxBatch2Threads?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x [784,256,128,10]")]
    public float FashionPredictBatch()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _fashion.PredictBatch(_batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x [784,256,128,10]")]
    public float FrozenFashionPredictBatch()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _fashionFrozen.PredictBatch(_batch, _batchOutput);
        return _batchOutput[0];
    }

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x [784,256,128,10]")]
    public float FashionPredictBatch2Threads()
    {
        KernelParallelism.MaxDegreeOfParallelism = 2;
        _fashion.PredictBatch(_batch, _batchOutput);
        KernelParallelism.MaxDegreeOfParallelism = 1;
        return _batchOutput[0];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PredictBatch 10,000 x [784,256,128,10]")]
    public float OnnxFashionPredictBatch()
    {
        _onnxBatch.Run();
        return _onnxBatch.Output[0];
    }

    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x [784,256,128,10]")]
    public float OnnxFashionPredictBatch2Threads()
    {
        _onnxBatch2Threads.Run();
        return _onnxBatch2Threads.Output[0];
    }

    /// <summary>
    /// Layer 1 of <see cref="FashionPredictBatch"/> alone, as each of its chunks runs it: A1 = ReLU(W1·Xᵀ + b1) for
    /// one chunk of <see cref="LayerChunk"/> examples, 2 · 256 · 784 · 64 = 25.69 MFLOP per call, so GFLOP/s =
    /// 25,690,112 / median_ns; set it against <see cref="MachineLimits.FmaPeak"/> of the same run.
    /// </summary>
    [Benchmark, BenchmarkCategory("PredictBatch layer 1: MultiplyNT 256x784x64, bias, ReLU")]
    public float FashionLayer1MultiplyNT()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        Gemm.MultiplyNT(_fashion.W1, _batch.AsSpan(0, LayerChunk * 784), _layer1Output, 256, 784, LayerChunk, 1f, _fashion.b1, Activation.ReLU);
        return _layer1Output[0];
    }

    /// <summary>
    /// Checks the first rows of both batch predictions against the double-precision reference and every row of NnGen's
    /// against ONNX Runtime's.
    /// </summary>
    private void CheckBatch(PeerNetwork peer)
    {
        _fashion.PredictBatch(_batch, _batchOutput);
        _onnxBatch.Run();
        _onnxBatch2Threads.Run();
        int n0 = peer.InputSize, nL = peer.OutputSize;
        for (int row = 0; row < 50; row++)
        {
            double[] expected = peer.Reference(_fashion.Parameters, _batch.AsSpan(row * n0, n0));
            PeerNetwork.Check($"NnGen FashionNet.PredictBatch row {row}", _batchOutput.AsSpan(row * nL, nL), expected);
            PeerNetwork.Check($"ONNX Runtime {peer.Name} row {row}", _onnxBatch.Output.AsSpan(row * nL, nL), expected);
        }

        var onnx = new double[_batchOutput.Length];
        for (int i = 0; i < onnx.Length; i++)
        {
            onnx[i] = _onnxBatch.Output[i];
        }

        PeerNetwork.Check("NnGen FashionNet.PredictBatch against ONNX Runtime", _batchOutput, onnx);
        if (!_onnxBatch.Output.AsSpan().SequenceEqual(_onnxBatch2Threads.Output))
        {
            PeerNetwork.Check("ONNX Runtime on 2 threads against 1 thread", _onnxBatch2Threads.Output, onnx);
        }
    }
}
