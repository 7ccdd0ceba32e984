using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// One-example latency of NnGen beside ONNX Runtime (the baseline of each category) on the peer harness's networks,
/// parameters and inputs (<see cref="PeerNetwork"/>), so the same numbers also compare with the RTNeural harness
/// (<c>bench/side-by-side.sh</c> prints all three).
/// </summary>
/// <remarks>
/// The latency rows feed each output back into the next input, x[0] = x0 + 1e-7·y, exactly as the RTNeural harness
/// does: a call cannot start before the previous one has finished, so each row is the latency of one dependent
/// prediction, as in a real-time loop. (<see cref="Workloads.PlanarPredictThroughput"/> and its siblings repeat one
/// input, so consecutive calls overlap and measure throughput instead.) Every network's output is checked against a
/// double-precision forward pass in <see cref="Setup"/>, before anything is timed.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LatencyWorkloads : IDisposable
{
    private PlanarNet _planar = null!;
    private PlanarNet.Input _planarX;
    private float _planarX0;
    private MediumLinearNet _mediumLinear = null!;
    private MediumLinearNet.Input _mediumLinearX;
    private MediumNet _mediumSigmoid = null!;
    private MediumNet.Input _mediumSigmoidX;
    private float _mediumX0;
    private DeepCatNet _deep = null!;
    private DeepCatNet.Input _deepX;
    private float _deepX0;
    private PlanarNet.Frozen _planarFrozen = null!;
    private MediumLinearNet.Frozen _mediumLinearFrozen = null!;
    private MediumNet.Frozen _mediumSigmoidFrozen = null!;
    private DeepCatNet.Frozen _deepFrozen = null!;

    private OnnxPeer _onnxPlanar = null!;
    private OnnxPeer _onnxMediumLinear = null!;
    private OnnxPeer _onnxMediumSigmoid = null!;
    private OnnxPeer _onnxDeep = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;

        _planar = new PlanarNet();
        _planarX0 = Load(PeerNetwork.Planar, _planar, _planarX, out _onnxPlanar);
        _mediumLinear = new MediumLinearNet();
        _mediumX0 = Load(PeerNetwork.MediumLinear, _mediumLinear, _mediumLinearX, out _onnxMediumLinear);
        _mediumSigmoid = new MediumNet();
        Load(PeerNetwork.MediumSigmoid, _mediumSigmoid, _mediumSigmoidX, out _onnxMediumSigmoid);
        _deep = new DeepCatNet();
        _deepX0 = Load(PeerNetwork.Deep, _deep, _deepX, out _onnxDeep);

        // The frozen forms run the network's own forward code on copies of its parameters: checked bit for bit here.
        _planarFrozen = _planar.Freeze();
        CheckFrozen("PlanarNet", _planar.Predict(in _planarX)[0], _planarFrozen.Predict(in _planarX)[0]);
        _mediumLinearFrozen = _mediumLinear.Freeze();
        CheckFrozen("MediumLinearNet", _mediumLinear.Predict(in _mediumLinearX)[0], _mediumLinearFrozen.Predict(in _mediumLinearX)[0]);
        _mediumSigmoidFrozen = _mediumSigmoid.Freeze();
        CheckFrozen("MediumNet", _mediumSigmoid.Predict(in _mediumSigmoidX)[0], _mediumSigmoidFrozen.Predict(in _mediumSigmoidX)[0]);
        _deepFrozen = _deep.Freeze();
        CheckFrozen("DeepCatNet", _deep.Predict(in _deepX)[0], _deepFrozen.Predict(in _deepX)[0]);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _onnxPlanar?.Dispose();
        _onnxMediumLinear?.Dispose();
        _onnxMediumSigmoid?.Dispose();
        _onnxDeep?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark, BenchmarkCategory("Latency [2,4,1] tanh/sigmoid")]
    public float PlanarLatency()
    {
        float y = _planar.Predict(in _planarX)[0];
        _planarX[0] = _planarX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark, BenchmarkCategory("Latency [2,4,1] tanh/sigmoid")]
    public float FrozenPlanarLatency()
    {
        float y = _planarFrozen.Predict(in _planarX)[0];
        _planarX[0] = _planarX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Latency [2,4,1] tanh/sigmoid")]
    public float OnnxPlanarLatency() => RunWithFeedback(_onnxPlanar, _planarX0);

    [Benchmark, BenchmarkCategory("Latency [16,64,64,1] ReLU, linear output")]
    public float MediumLinearLatency()
    {
        float y = _mediumLinear.Predict(in _mediumLinearX)[0];
        _mediumLinearX[0] = _mediumX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark, BenchmarkCategory("Latency [16,64,64,1] ReLU, linear output")]
    public float FrozenMediumLinearLatency()
    {
        float y = _mediumLinearFrozen.Predict(in _mediumLinearX)[0];
        _mediumLinearX[0] = _mediumX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Latency [16,64,64,1] ReLU, linear output")]
    public float OnnxMediumLinearLatency() => RunWithFeedback(_onnxMediumLinear, _mediumX0);

    [Benchmark, BenchmarkCategory("Latency [16,64,64,1] ReLU, sigmoid output")]
    public float MediumSigmoidLatency()
    {
        float y = _mediumSigmoid.Predict(in _mediumSigmoidX)[0];
        _mediumSigmoidX[0] = _mediumX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark, BenchmarkCategory("Latency [16,64,64,1] ReLU, sigmoid output")]
    public float FrozenMediumSigmoidLatency()
    {
        float y = _mediumSigmoidFrozen.Predict(in _mediumSigmoidX)[0];
        _mediumSigmoidX[0] = _mediumX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Latency [16,64,64,1] ReLU, sigmoid output")]
    public float OnnxMediumSigmoidLatency() => RunWithFeedback(_onnxMediumSigmoid, _mediumX0);

    [Benchmark, BenchmarkCategory("Latency [12288,20,7,5,1]")]
    public float DeepLatency()
    {
        float y = _deep.Predict(in _deepX)[0];
        _deepX[0] = _deepX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark, BenchmarkCategory("Latency [12288,20,7,5,1]")]
    public float FrozenDeepLatency()
    {
        float y = _deepFrozen.Predict(in _deepX)[0];
        _deepX[0] = _deepX0 + (PeerNetwork.Feedback * y);
        return y;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Latency [12288,20,7,5,1]")]
    public float OnnxDeepLatency() => RunWithFeedback(_onnxDeep, _deepX0);

    private static void CheckFrozen(string name, float network, float frozen)
    {
        if (BitConverter.SingleToInt32Bits(network) != BitConverter.SingleToInt32Bits(frozen))
        {
            throw new InvalidOperationException($"{name}.Frozen.Predict gave {frozen:R}, the network's Predict {network:R}: the frozen form must give the same bits.");
        }
    }

    private static float RunWithFeedback(OnnxPeer peer, float x0)
    {
        peer.Run();
        float y = peer.Output[0];
        peer.Input[0] = x0 + (PeerNetwork.Feedback * y);
        return y;
    }

    /// <summary>
    /// Gives <paramref name="network"/> and its ONNX twin the peer's parameters and input, checks both outputs against the
    /// double-precision reference, and returns x0, the input's first value, which the feedback perturbs.
    /// </summary>
    private static float Load(PeerNetwork peer, ISerializableNetwork network, Span<float> input, out OnnxPeer onnx)
    {
        peer.FillParameters(network.Parameters);
        float[] x = peer.Input();
        x.CopyTo(input);
        double[] expected = peer.Reference(network.Parameters, x);

        var y = new float[peer.OutputSize];
        network.Predict(x, y);
        PeerNetwork.Check($"NnGen {network.Name} on the {peer.Name} peer input", y, expected);

        onnx = new OnnxPeer(network, examples: 1);
        x.CopyTo(onnx.Input, 0);
        onnx.Run();
        PeerNetwork.Check($"ONNX Runtime {peer.Name}", onnx.Output, expected);
        return x[0];
    }
}
