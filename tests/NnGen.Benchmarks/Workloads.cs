using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NnGen.Data;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// Every row of the performance table, each NnGen method beside its plain-loops baseline (same category), so every
/// run prints the ratio. The quick mode (<see cref="QuickRunner"/>) times these same methods.
/// </summary>
/// <remarks>
/// The Predict rows here repeat one input, so nothing stops consecutive calls from overlapping in the CPU: they measure
/// throughput. The latency of dependent calls, measured as the RTNeural harness measures it, is in <see cref="LatencyWorkloads"/>.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class Workloads
{
    private const int CatExamples = 209;

    private PlanarNet _planar = null!;
    private PlanarNet.Input _planarInput;
    private PlainLoops _planarPlain = null!;
    private MediumNet _medium = null!;
    private MediumNet.Input _mediumInput;
    private PlainLoops _mediumPlain = null!;
    private DeepCatNet _deep = null!;
    private float[] _deepInput = null!;
    private PlainLoops _deepPlain = null!;
    private float[] _catInputs = null!;
    private float[] _catLabels = null!;
    private DeepCatNet.Gradients _deepGradients = null!;
    private Workspace _workspace = null!;
    private Dataset _planarData = null!;
    private TrainingOptions _planarOptions = null!;
    private Dense4 _dense4 = null!;
    private Dense8 _dense8 = null!;
    private Dense16 _dense16 = null!;
    private Dense32 _dense32 = null!;
    private Dense64 _dense64 = null!;
    private float[] _denseInput = null!;
    private float[] _denseOutput = null!;
    private PlainLoops[] _densePlain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _planar = new PlanarNet(2);
        _planarInput[0] = 0.5f;
        _planarInput[1] = -1.5f;
        _planarPlain = new PlainLoops(_planar.Parameters, [2, 4, 1], [Activation.Tanh, Activation.Sigmoid]);

        _medium = new MediumNet(1);
        for (int i = 0; i < MediumNet.InputSize; i++)
        {
            _mediumInput[i] = (i % 5) * 0.25f;
        }

        _mediumPlain = new PlainLoops(_medium.Parameters, [16, 64, 64, 1], [Activation.ReLU, Activation.ReLU, Activation.Sigmoid]);

        _deep = new DeepCatNet(1);
        _catInputs = Uniform(CatExamples * DeepCatNet.InputSize, 3);
        _catLabels = new float[CatExamples];
        for (int i = 0; i < CatExamples; i++)
        {
            _catLabels[i] = i % 3 == 0 ? 1f : 0f;
        }

        _deepInput = _catInputs.AsSpan(0, DeepCatNet.InputSize).ToArray();
        _deepPlain = new PlainLoops(_deep.Parameters, [12288, 20, 7, 5, 1], [Activation.ReLU, Activation.ReLU, Activation.ReLU, Activation.Sigmoid]);
        _deepGradients = new DeepCatNet.Gradients();
        _workspace = new Workspace();

        _planarData = PlanarDataset.Generate();
        _planarOptions = new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 10000 };

        _dense4 = new Dense4(1);
        _dense8 = new Dense8(1);
        _dense16 = new Dense16(1);
        _dense32 = new Dense32(1);
        _dense64 = new Dense64(1);
        _denseInput = Uniform(64, 4);
        _denseOutput = new float[64];
        _densePlain = [
            DensePlain(_dense4.Parameters, 4), DensePlain(_dense8.Parameters, 8), DensePlain(_dense16.Parameters, 16),
            DensePlain(_dense32.Parameters, 32), DensePlain(_dense64.Parameters, 64)];
    }

    [Benchmark, BenchmarkCategory("Predict [2,4,1], one input repeated (throughput)")]
    public float PlanarPredictThroughput() => _planar.Predict(in _planarInput)[0];

    [Benchmark(Baseline = true), BenchmarkCategory("Predict [2,4,1], one input repeated (throughput)")]
    public float PlanarPredictPlain() => _planarPlain.Predict(_planarInput);

    [Benchmark, BenchmarkCategory("Predict [16,64,64,1], one input repeated (throughput)")]
    public float MediumPredictThroughput() => _medium.Predict(in _mediumInput)[0];

    [Benchmark(Baseline = true), BenchmarkCategory("Predict [16,64,64,1], one input repeated (throughput)")]
    public float MediumPredictPlain() => _mediumPlain.Predict(_mediumInput);

    [Benchmark, BenchmarkCategory("Predict [12288,20,7,5,1], one input repeated (throughput)")]
    public float DeepPredictThroughput()
    {
        Span<float> y = stackalloc float[1];
        _deep.Predict(_deepInput, y);
        return y[0];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Predict [12288,20,7,5,1], one input repeated (throughput)")]
    public float DeepPredictPlain() => _deepPlain.Predict(_deepInput);

    [Benchmark, BenchmarkCategory("Train iteration [12288,20,7,5,1] m=209")]
    public float DeepTrainIteration()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        float cost = _deep.ComputeGradients(_catInputs, _catLabels, _deepGradients, _workspace);
        _deep.Step(_deepGradients, 1e-6f);
        return cost;
    }

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark, BenchmarkCategory("Train iteration [12288,20,7,5,1] m=209")]
    public float DeepTrainIteration2Threads()
    {
        KernelParallelism.MaxDegreeOfParallelism = 2;
        float cost = _deep.ComputeGradients(_catInputs, _catLabels, _deepGradients, _workspace);
        _deep.Step(_deepGradients, 1e-6f);
        KernelParallelism.MaxDegreeOfParallelism = 1;
        return cost;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Train iteration [12288,20,7,5,1] m=209")]
    public float DeepTrainIterationPlain() => _deepPlain.TrainIteration(_catInputs, _catLabels, 1e-6f);

    [Benchmark, BenchmarkCategory("Fit [2,4,1] planar 10000 iterations")]
    public float PlanarFit()
    {
        _planar.Initialize(2);
        return _planar.Fit(_planarData.Inputs, _planarData.Labels, _planarOptions).FinalCost;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Fit [2,4,1] planar 10000 iterations")]
    public float PlanarFitPlain()
    {
        var plain = new PlainLoops(new PlanarNet(2).Parameters, [2, 4, 1], [Activation.Tanh, Activation.Sigmoid]);
        float cost = 0;
        for (int i = 0; i < 10000; i++)
        {
            cost = plain.TrainIteration(_planarData.Inputs, _planarData.Labels, 1.2f);
        }

        return cost;
    }

    [Benchmark, BenchmarkCategory("Dense 4->4 tanh")]
    public float Dense4Predict() => PredictDense(_dense4, 4);

    [Benchmark(Baseline = true), BenchmarkCategory("Dense 4->4 tanh")]
    public float Dense4Plain() => _densePlain[0].Predict(_denseInput.AsSpan(0, 4));

    [Benchmark, BenchmarkCategory("Dense 8->8 tanh")]
    public float Dense8Predict() => PredictDense(_dense8, 8);

    [Benchmark(Baseline = true), BenchmarkCategory("Dense 8->8 tanh")]
    public float Dense8Plain() => _densePlain[1].Predict(_denseInput.AsSpan(0, 8));

    [Benchmark, BenchmarkCategory("Dense 16->16 tanh")]
    public float Dense16Predict() => PredictDense(_dense16, 16);

    [Benchmark(Baseline = true), BenchmarkCategory("Dense 16->16 tanh")]
    public float Dense16Plain() => _densePlain[2].Predict(_denseInput.AsSpan(0, 16));

    [Benchmark, BenchmarkCategory("Dense 32->32 tanh")]
    public float Dense32Predict() => PredictDense(_dense32, 32);

    [Benchmark(Baseline = true), BenchmarkCategory("Dense 32->32 tanh")]
    public float Dense32Plain() => _densePlain[3].Predict(_denseInput.AsSpan(0, 32));

    [Benchmark, BenchmarkCategory("Dense 64->64 tanh")]
    public float Dense64Predict() => PredictDense(_dense64, 64);

    [Benchmark(Baseline = true), BenchmarkCategory("Dense 64->64 tanh")]
    public float Dense64Plain() => _densePlain[4].Predict(_denseInput.AsSpan(0, 64));

    private float PredictDense(ITrainableNetwork network, int size)
    {
        network.Predict(_denseInput.AsSpan(0, size), _denseOutput.AsSpan(0, size));
        return _denseOutput[0];
    }

    private static PlainLoops DensePlain(Span<float> parameters, int size) => new(parameters, [size, size], [Activation.Tanh]);

    private static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }
}
