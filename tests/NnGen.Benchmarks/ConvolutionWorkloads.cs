using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NnGen.Data;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// The convolution rows of issue 25: one epoch of <see cref="LeNet5"/> on Fashion-MNIST (60,000 images, Adam, batches
/// of 128, <c>Fit</c> as a user calls it) on one thread and on two, <c>PredictBatch</c> of 10,000 images on one thread
/// and on two, and the parts an epoch is made of (one batch's gradient, and each convolution's forward and backward
/// kernels at batch 128), which show where the epoch's time goes. PyTorch's rows are <c>bench/python_peers.py</c>'s
/// <c>torch_LeNet5*</c>; ONNX Runtime's is <see cref="ConvolutionOnnxWorkloads"/>.
/// </summary>
/// <remarks>
/// The data are Fashion-MNIST's training and test images where Debian's <c>dataset-fashion-mnist</c> is installed,
/// otherwise synthetic data of the same size and layout (<see cref="Setup"/> says which on stderr); the time of an epoch
/// does not depend on the values but for ReLU's and max pooling's branches. <see cref="Setup"/> checks that
/// <c>PredictBatch</c> gives the same bits on one thread and on two before anything is timed.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class ConvolutionWorkloads
{
    /// <summary>Examples in one Fashion-MNIST training epoch.</summary>
    public const int EpochExamples = 60_000;

    /// <summary>Examples in the batch-prediction rows (the Fashion-MNIST test set's size).</summary>
    public const int PredictExamples = 10_000;

    /// <summary>The mini-batch size of the epoch rows.</summary>
    public const int Batch = 128;

    // LeNet5's two convolutions, as the generator computes them: (1, 28, 28) → 6 × 5 × 5, padding 2 → (6, 28, 28), and
    // after the 2 × 2 max pool (6, 14, 14) → 16 × 5 × 5 → (16, 10, 10).
    private static readonly ConvGeometry Conv1 = new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1);
    private static readonly ConvGeometry Conv2 = new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1);

    private LeNet5 _net = null!;
    private LeNet5 _predictNet = null!;
    private float[] _trainInputs = null!;
    private float[] _trainLabels = null!;
    private float[] _predictInputs = null!;
    private float[] _predictOutput = null!;
    private TrainingOptions _epoch = null!;
    private TrainingOptions _epoch2Threads = null!;
    private float[] _gradients = null!;
    private Workspace _workspace = null!;
    private ConvBuffers _conv1 = null!;
    private ConvBuffers _conv2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        (_trainInputs, _trainLabels, _predictInputs) = Data(nameof(ConvolutionWorkloads));
        _net = new LeNet5(seed: 1);
        _predictNet = new LeNet5(seed: 2);
        _predictOutput = new float[PredictExamples * LeNet5.OutputSize];
        _epoch = EpochOptions(threads: 1);
        _epoch2Threads = EpochOptions(threads: 2);
        _gradients = new float[LeNet5.ParameterCount];
        _workspace = new Workspace();
        _conv1 = new ConvBuffers(Conv1);
        _conv2 = new ConvBuffers(Conv2);

        _predictNet.PredictBatch(_predictInputs, _predictOutput);
        float[] oneThread = (float[])_predictOutput.Clone();
        KernelParallelism.MaxDegreeOfParallelism = 2;
        _predictNet.PredictBatch(_predictInputs, _predictOutput);
        KernelParallelism.MaxDegreeOfParallelism = 1;
        if (!oneThread.AsSpan().SequenceEqual(_predictOutput))
        {
            throw new InvalidOperationException("LeNet5.PredictBatch gives other bits on two threads than on one.");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Epoch LeNet-5 batch 128, 60,000 examples")]
    public float LeNet5Epoch() => _net.Fit(_trainInputs, _trainLabels, _epoch).FinalCost;

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark, BenchmarkCategory("Epoch LeNet-5 batch 128, 60,000 examples")]
    public float LeNet5Epoch2Threads() => _net.Fit(_trainInputs, _trainLabels, _epoch2Threads).FinalCost;

    /// <summary>One batch's gradient (forward with its cache, cost, backward): an epoch makes 469 of them.</summary>
    [Benchmark, BenchmarkCategory("LeNet-5, one batch of 128")]
    public float LeNet5Gradients128()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        return ((ITrainableNetwork)_net).ComputeGradients(
            _trainInputs.AsSpan(0, Batch * LeNet5.InputSize), _trainLabels.AsSpan(0, Batch * LeNet5.OutputSize), _gradients, _workspace, computeCost: true) ?? float.NaN;
    }

    [Benchmark, BenchmarkCategory("LeNet-5, one batch of 128")]
    public float LeNet5Conv1Forward128()
    {
        ConvKernels.ConvForward(Conv1, _conv1.Input, _conv1.Weight, _conv1.Bias, _conv1.Output, Batch, _conv1.Scratch);
        return _conv1.Output[0];
    }

    [Benchmark, BenchmarkCategory("LeNet-5, one batch of 128")]
    public float LeNet5Conv1Backward128()
    {
        // The first layer's backward has no dInput to form (the generated code passes an empty span).
        ConvKernels.ConvBackward(Conv1, _conv1.Input, _conv1.Weight, _conv1.Output, Batch, 1f / Batch, _conv1.DWeight, _conv1.DBias, [], _conv1.Scratch);
        return _conv1.DWeight[0];
    }

    [Benchmark, BenchmarkCategory("LeNet-5, one batch of 128")]
    public float LeNet5Conv2Forward128()
    {
        ConvKernels.ConvForward(Conv2, _conv2.Input, _conv2.Weight, _conv2.Bias, _conv2.Output, Batch, _conv2.Scratch);
        return _conv2.Output[0];
    }

    [Benchmark, BenchmarkCategory("LeNet-5, one batch of 128")]
    public float LeNet5Conv2Backward128()
    {
        ConvKernels.ConvBackward(Conv2, _conv2.Input, _conv2.Weight, _conv2.Output, Batch, 1f / Batch, _conv2.DWeight, _conv2.DBias, _conv2.DInput, _conv2.Scratch);
        return _conv2.DWeight[0];
    }

    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x LeNet-5")]
    public float LeNet5PredictBatch()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _predictNet.PredictBatch(_predictInputs, _predictOutput);
        return _predictOutput[0];
    }

    // Two threads: read median_ns (wall clock); cpu_ns counts only the calling thread's share.
    [Benchmark, BenchmarkCategory("PredictBatch 10,000 x LeNet-5")]
    public float LeNet5PredictBatch2Threads()
    {
        KernelParallelism.MaxDegreeOfParallelism = 2;
        _predictNet.PredictBatch(_predictInputs, _predictOutput);
        KernelParallelism.MaxDegreeOfParallelism = 1;
        return _predictOutput[0];
    }

    /// <summary>
    /// Fashion-MNIST's 60,000 training images with one-hot labels and its 10,000 test images, or synthetic data of the
    /// same sizes (pixels uniform in [0, 1), labels cycling through the classes); says which on stderr.
    /// </summary>
    internal static (float[] TrainInputs, float[] TrainLabels, float[] PredictInputs) Data(string who)
    {
        if (FashionMnist.TryFindDirectory(null, out string missing) is string directory)
        {
            (Dataset train, Dataset test) = FashionMnist.Load(directory);
            Console.Error.WriteLine($"{who}: Fashion-MNIST from {directory}");
            return (train.Inputs, train.Labels, test.Inputs);
        }

        float[] labels = new float[EpochExamples * LeNet5.OutputSize];
        for (int i = 0; i < EpochExamples; i++)
        {
            labels[(i * LeNet5.OutputSize) + (i * 7 % LeNet5.OutputSize)] = 1f;
        }

        Console.Error.WriteLine($"{who}: synthetic data of Fashion-MNIST's size ({missing})");
        return (PeerNetwork.Uniform01(EpochExamples * LeNet5.InputSize, 7), labels, PeerNetwork.Uniform01(PredictExamples * LeNet5.InputSize, 5));
    }

    private static TrainingOptions EpochOptions(int threads) => new()
    {
        LearningRate = 1e-3f,
        Iterations = 1,
        BatchSize = Batch,
        MaxDegreeOfParallelism = threads,
        Optimizer = new Adam(),
    };

    /// <summary>One convolution's operands at batch 128, CHWN as the generated code holds them, filled with seeded values.</summary>
    private sealed class ConvBuffers(ConvGeometry g)
    {
        public float[] Input { get; } = PeerNetwork.Uniform01(g.InputFeatures * Batch, 11);

        public float[] Weight { get; } = PeerNetwork.Uniform01(g.WeightCount, 12);

        public float[] Bias { get; } = PeerNetwork.Uniform01(g.OutChannels, 13);

        /// <summary>Z on the forward rows, the incoming δZ on the backward rows (the values do not change the time).</summary>
        public float[] Output { get; } = PeerNetwork.Uniform01(g.OutputFeatures * Batch, 14);

        public float[] DWeight { get; } = new float[g.WeightCount];

        public float[] DBias { get; } = new float[g.OutChannels];

        public float[] DInput { get; } = new float[g.InputFeatures * Batch];

        public float[] Scratch { get; } = new float[Math.Max(ConvKernels.ConvForwardScratch(g, Batch), ConvKernels.ConvBackwardScratch(g, Batch))];
    }
}

/// <summary>
/// LeNet-5 as issue 25 declares it (PyTorch's <c>nn.Conv2d(1, 6, 5, padding=2)</c>, ReLU, <c>MaxPool2d(2)</c>,
/// <c>Conv2d(6, 16, 5)</c>, ReLU, <c>MaxPool2d(2)</c>, <c>Flatten</c>, <c>Linear(400, 120)</c>, ReLU,
/// <c>Linear(120, 84)</c>, ReLU, <c>Linear(84, 10)</c>): 61,706 parameters, the network of bench/python_peers.py's
/// <c>torch_LeNet5*</c> rows.
/// </summary>
[Network(Input = new[] { 1, 28, 28 })]
[Conv2D(6, Kernel = 5, Padding = 2, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(16, Kernel = 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(120, Activation.ReLU)]
[Dense(84, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;
