using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NnGen.Data;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// The training rows of the multi-class and performance issues beside the cat-network iteration of
/// <see cref="Workloads"/>: one full-batch iteration of a tabular-sized network, SimpleChains.jl's workload (one Adam
/// step of [4,32,16,4] tanh on 10,000 examples, one and two threads), and one Fashion-MNIST epoch with
/// mini-batches of 128 on one and two threads, dense and with batch norm, dropout and layer norm (<see cref="FashionNormNet"/>).
/// </summary>
/// <remarks>
/// The epoch trains on Fashion-MNIST's 60,000 training images where Debian's <c>dataset-fashion-mnist</c> is installed,
/// otherwise on synthetic data of the same size and layout (pixels uniform in [0, 1), one-hot labels of 10 classes;
/// the time of a dense epoch does not depend on the values); <see cref="Setup"/> says which on stderr. The epoch rows run
/// <c>Fit</c>, the call a user makes, for one pass with Adam; <see cref="FashionEpochSteps"/> runs the same 469
/// products with plain gradient-descent steps and without <c>Fit</c>'s shuffle, batch gathering, cost and final
/// pricing of the whole training set, which shows what those cost. The output is a softmax (<see cref="FashionOutput"/>)
/// with categorical cross-entropy, as in the Fashion-MNIST sample.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class TrainingWorkloads
{
    /// <summary>Examples in one Fashion-MNIST training epoch.</summary>
    public const int FashionExamples = 60_000;

    /// <summary>The mini-batch size of the Fashion-MNIST rows.</summary>
    public const int FashionBatch = 128;

    /// <summary>Examples of the SimpleChains row, trained full-batch.</summary>
    public const int SimpleChainsExamples = 10_000;

    /// <summary>Adam steps per call of the SimpleChains rows (one Fit), reported per step.</summary>
    public const int SimpleChainsSteps = 100;

    /// <summary>Training rows of the tabular row (80 % of the 569 examples of the Wisconsin breast-cancer set).</summary>
    public const int TabularExamples = 455;

    private const float FashionLearningRate = 1e-3f;
    private const float TabularLearningRate = 0.1f;

    private TabularNet _tabular = null!;
    private TabularNet.Gradients _tabularGradients = null!;
    private Workspace _tabularWorkspace = null!;
    private float[] _tabularInputs = null!;
    private float[] _tabularLabels = null!;

    private SimpleChainsNet _simpleChains = null!;
    private float[] _simpleChainsInputs = null!;
    private float[] _simpleChainsLabels = null!;
    private TrainingOptions _simpleChainsSteps = null!;
    private TrainingOptions _simpleChainsSteps2Threads = null!;

    private FashionNet _fashion = null!;
    private FashionNormNet _fashionNorm = null!;
    private FashionNet.Gradients _fashionGradients = null!;
    private Workspace _fashionWorkspace = null!;
    private float[] _fashionInputs = null!;
    private float[] _fashionLabels = null!;
    private TrainingOptions _epoch = null!;
    private TrainingOptions _epoch2Threads = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;

        // Standardized-looking features (uniform with unit variance) and labels from a fixed linear rule, as after a
        // standardizer on a real tabular set.
        _tabular = new TabularNet(1);
        _tabularGradients = new TabularNet.Gradients();
        _tabularWorkspace = new Workspace();
        _tabularInputs = PeerNetwork.Uniform01(TabularExamples * TabularNet.InputSize, 6);
        _tabularLabels = new float[TabularExamples];
        for (int i = 0; i < TabularExamples; i++)
        {
            float score = 0;
            for (int j = 0; j < TabularNet.InputSize; j++)
            {
                ref float x = ref _tabularInputs[(i * TabularNet.InputSize) + j];
                x = (x - 0.5f) * MathF.Sqrt(12f);
                score += (j % 3 == 0 ? 1f : -0.5f) * x;
            }

            _tabularLabels[i] = score > 0 ? 1f : 0f;
        }

        // SimpleChains' README data: x uniform in [-1, 1)^4, y a smooth function of x (the time does not depend on it).
        _simpleChains = new SimpleChainsNet(1);
        _simpleChainsInputs = PeerNetwork.Uniform01(SimpleChainsExamples * SimpleChainsNet.InputSize, 8);
        _simpleChainsLabels = new float[SimpleChainsExamples * SimpleChainsNet.OutputSize];
        for (int i = 0; i < _simpleChainsInputs.Length; i++)
        {
            _simpleChainsInputs[i] = (2 * _simpleChainsInputs[i]) - 1;
            _simpleChainsLabels[i] = MathF.Sin(3 * _simpleChainsInputs[i]) * 0.5f;
        }

        _simpleChainsSteps = SimpleChainsOptions(threads: 1);
        _simpleChainsSteps2Threads = SimpleChainsOptions(threads: 2);

        _fashion = new FashionNet(1);
        _fashionNorm = new FashionNormNet(1);
        _fashionGradients = new FashionNet.Gradients();
        _fashionWorkspace = new Workspace();
        if (FashionMnist.TryFindDirectory(null, out string missing) is string directory)
        {
            Dataset train = FashionMnist.Load(directory).Train;
            _fashionInputs = train.Inputs;
            _fashionLabels = train.Labels;
            Console.Error.WriteLine($"TrainingWorkloads: Fashion-MNIST from {directory}");
        }
        else
        {
            _fashionInputs = PeerNetwork.Uniform01(FashionExamples * FashionNet.InputSize, 7);
            _fashionLabels = new float[FashionExamples * FashionNet.OutputSize];
            for (int i = 0; i < FashionExamples; i++)
            {
                _fashionLabels[(i * FashionNet.OutputSize) + (i * 7 % FashionNet.OutputSize)] = 1f;
            }

            Console.Error.WriteLine($"TrainingWorkloads: synthetic data of Fashion-MNIST's size ({missing})");
        }

        _epoch = EpochOptions(threads: 1);
        _epoch2Threads = EpochOptions(threads: 2);
    }

    [Benchmark, BenchmarkCategory("Full-batch iteration [30,16,1] m=455")]
    public float TabularIteration()
    {
        float cost = _tabular.ComputeGradients(_tabularInputs, _tabularLabels, _tabularGradients, _tabularWorkspace);
        _tabular.Step(_tabularGradients, TabularLearningRate);
        return cost;
    }

    // One Fit of 100 full-batch Adam steps per call, reported per step: the steps' time and what Fit adds once (its
    // buffers, the first and last steps' costs), spread over 100 steps. The batch of 10,000 runs in 16 example chunks.
    [Benchmark(OperationsPerInvoke = SimpleChainsSteps), BenchmarkCategory("Adam step [4,32,16,4] tanh, 10,000 examples full batch")]
    public float SimpleChainsAdamStep() => _simpleChains.Fit(_simpleChainsInputs, _simpleChainsLabels, _simpleChainsSteps).FinalCost;

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark(OperationsPerInvoke = SimpleChainsSteps), BenchmarkCategory("Adam step [4,32,16,4] tanh, 10,000 examples full batch")]
    public float SimpleChainsAdamStep2Threads() => _simpleChains.Fit(_simpleChainsInputs, _simpleChainsLabels, _simpleChainsSteps2Threads).FinalCost;

    [Benchmark(Baseline = true), BenchmarkCategory("Epoch [784,256,128,10] batch 128, 60,000 examples")]
    public float FashionEpoch() => _fashion.Fit(_fashionInputs, _fashionLabels, _epoch).FinalCost;

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark, BenchmarkCategory("Epoch [784,256,128,10] batch 128, 60,000 examples")]
    public float FashionEpoch2Threads() => _fashion.Fit(_fashionInputs, _fashionLabels, _epoch2Threads).FinalCost;

    // The layer-kind issue's row: batch norm, dropout and layer norm beside the dense epoch above, the same data and Fit.
    [Benchmark, BenchmarkCategory("Epoch [784,256,128,10] batch 128, 60,000 examples")]
    public float FashionNormEpoch() => _fashionNorm.Fit(_fashionInputs, _fashionLabels, _epoch).FinalCost;

    [Benchmark, BenchmarkCategory("Epoch [784,256,128,10] batch 128, 60,000 examples")]
    public float FashionNormEpoch2Threads() => _fashionNorm.Fit(_fashionInputs, _fashionLabels, _epoch2Threads).FinalCost;

    [Benchmark, BenchmarkCategory("Epoch [784,256,128,10] batch 128, 60,000 examples")]
    public float FashionEpochSteps()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        var network = (ITrainableNetwork)_fashion;
        float sum = 0;
        for (int start = 0; start < FashionExamples; start += FashionBatch)
        {
            int count = Math.Min(FashionBatch, FashionExamples - start);
            ReadOnlySpan<float> x = _fashionInputs.AsSpan(start * FashionNet.InputSize, count * FashionNet.InputSize);
            ReadOnlySpan<float> y = _fashionLabels.AsSpan(start * FashionNet.OutputSize, count * FashionNet.OutputSize);
            network.ComputeGradients(x, y, _fashionGradients.Values, _fashionWorkspace, computeCost: false);
            _fashion.Step(_fashionGradients, FashionLearningRate);
            sum += _fashionGradients.Values[0];
        }

        return sum;
    }

    private static TrainingOptions SimpleChainsOptions(int threads) => new()
    {
        LearningRate = 1e-3f,
        Iterations = SimpleChainsSteps,
        RecordEvery = SimpleChainsSteps,
        PriceFinalCost = false,
        MaxDegreeOfParallelism = threads,
        Optimizer = new Adam(),
    };

    private static TrainingOptions EpochOptions(int threads) => new()
    {
        LearningRate = FashionLearningRate,
        Iterations = 1,
        BatchSize = FashionBatch,
        MaxDegreeOfParallelism = threads,
        Optimizer = new Adam(),
    };
}
