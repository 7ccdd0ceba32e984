using System;
using BenchmarkDotNet.Attributes;
using NnGen.Data;
using NnGen.Kernels;

namespace NnGen.Benchmarks;

/// <summary>
/// The recurrent training row of issue 24, beside <c>bench/python_peers.py</c>'s <c>torch_LstmTrainStep</c>: one Adam
/// step of an LSTM of 32 cells with a linear Dense 1 after it, on 16 sequences of 2,048 steps with one input each, mean
/// squared error at every step, as a user runs it (<see cref="SequenceTraining.Fit"/> for one full-batch iteration,
/// the final pricing off), on one thread.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class RecurrentTrainingWorkloads
{
    /// <summary>Sequences per step.</summary>
    public const int Sequences = 16;

    /// <summary>Steps per sequence.</summary>
    public const int Steps = 2048;

    private TrainLstm32Net _net = null!;
    private SequenceDataset _data = null!;
    private TrainingOptions _step = null!;
    private float[] _gradients = null!;
    private Workspace _workspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelParallelism.MaxDegreeOfParallelism = 1;
        _net = new TrainLstm32Net(1);
        float[] inputs = PeerNetwork.Uniform01(Sequences * Steps, 3);
        float[] targets = new float[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] -= 0.5f;
            targets[i] = MathF.Tanh(2f * inputs[i]);
        }

        _data = SequenceDataset.PerStep(inputs, targets, Steps, features: 1, outputs: 1);
        _step = new TrainingOptions { LearningRate = 1e-3f, Iterations = 1, Optimizer = new Adam(), PriceFinalCost = false, MaxDegreeOfParallelism = 1 };
        _gradients = new float[TrainLstm32Net.ParameterCount];
        _workspace = new Workspace();
    }

    /// <summary>One Adam step through <c>Fit</c>: the data checks, forward through time, BPTT, the update.</summary>
    [Benchmark]
    public float LstmTrainStep() => _net.Fit(_data, _step).FinalCost;

    /// <summary>The gradient alone (forward through time and BPTT), without the trainer around it.</summary>
    [Benchmark]
    public float LstmComputeGradients() =>
        _net.ComputeGradients(_data.Inputs.Span, Steps, _data.Labels.Span, _gradients, _workspace);
}

/// <summary>The network of <see cref="RecurrentTrainingWorkloads"/> (PyTorch's nn.LSTM(1, 32, batch_first=True) + nn.Linear(32, 1)).</summary>
[Network(Inputs = 1)]
[Lstm(32)]
[Dense(1, Activation.Linear)]
public partial class TrainLstm32Net;
