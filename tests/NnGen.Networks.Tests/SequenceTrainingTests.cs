using System;
using System.Linq;
using NnGen.Data;

namespace NnGen.Networks.Tests;

/// <summary>
/// Recurrent networks trained with the trainer every network uses: sequences as examples, warm-up steps out of the cost,
/// validation on held-out sequences, gradient clipping, and the gradient check of backpropagation through time.
/// </summary>
public sealed class SequenceTrainingTests
{
    [Fact]
    public void Fit_TinyAmp_LearnsAFilterWithMemory()
    {
        (SequenceDataset train, SequenceDataset held) = Echo(sequences: 24, heldOut: 6, steps: 48, warmUp: 8, seed: 1);
        var net = new TinyAmpNet(seed: 2);
        double before = net.Evaluate(held).Cost;

        TrainingHistory history = net.Fit(train, new TrainingOptions
        {
            LearningRate = 0.01f,
            Iterations = 40,
            BatchSize = 8,
            Optimizer = new Adam(),
            ClipGradientNorm = 1f,
            Validation = new ValidationData(held.Inputs, held.Labels),
            Seed = 3,
        });

        double after = net.Evaluate(held).Cost;
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.True(after < before / 10, $"held-out cost {before} -> {after}");
        Assert.Contains(history.Costs, record => !double.IsNaN(record.ValidationCost));
    }

    [Fact]
    public void Evaluate_Cost_IsTheCostComputeGradientsReturns_OverTheCountedSteps()
    {
        (SequenceDataset data, _) = Echo(sequences: 5, heldOut: 0, steps: 20, warmUp: 4, seed: 7);
        var net = new TinyAmpNet(seed: 5);
        var gradients = new float[TinyAmpNet.ParameterCount];
        float cost = net.ComputeGradients(data.Inputs.Span, 20, data.Labels.Span, gradients, warmUp: 4);

        Assert.Equal(cost, net.Evaluate(data).Cost, 1e-6);
    }

    [Fact]
    public void GradientCheck_BackpropagationThroughTime_AgreesWithCentralDifferences()
    {
        (SequenceDataset data, _) = Echo(sequences: 4, heldOut: 0, steps: 12, warmUp: 2, seed: 9);
        Assert.True(new TinyAmpNet(seed: 4).GradientCheck(data) < 1e-3);

        var classifier = new SequenceClassifierNet(seed: 4);
        float[] inputs = Enumerable.Range(0, 4 * 10 * 3).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        float[] labels = Enumerable.Range(0, 4 * 2).Select(i => (i % 3) == 0 ? 0.9f : 0.2f).ToArray();
        Assert.True(classifier.GradientCheck(SequenceDataset.PerSequence(inputs, labels, steps: 10, features: 3, outputs: 2)) < 1e-3);
    }

    [Fact]
    public void Fit_DataOfAnotherShape_NamesBothShapes()
    {
        float[] inputs = new float[2 * 5 * 2];
        var error = Assert.Throws<ArgumentException>(() => new TinyAmpNet().Fit(
            SequenceDataset.PerStep(inputs, new float[2 * 5], steps: 5, features: 2, outputs: 1),
            new TrainingOptions { LearningRate = 0.1f, Iterations = 1 }));
        Assert.Contains("2 features", error.Message, StringComparison.Ordinal);
        Assert.Contains("takes 1 features", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeGradientsAndPredict_WithStates_CarryTheStateFromOneWindowToTheNext()
    {
        var perStep = new DenseFirstNet(seed: 3);
        const int M = 3, T = 10;
        float[] inputs = Enumerable.Range(0, M * 2 * T * 2).Select(i => MathF.Sin(i * 0.29f)).ToArray();

        // Two windows with the state carried equal one long sequence, for batch inference.
        var whole = new float[M * 2 * T * 3];
        perStep.PredictSequences(inputs, 2 * T, whole);
        var states = new float[M * DenseFirstNet.StateFloats];
        float[] first = Window(inputs, M, 2 * T, 0, T, 2), second = Window(inputs, M, 2 * T, T, T, 2);
        var out1 = new float[M * T * 3];
        var out2 = new float[M * T * 3];
        perStep.PredictSequences(first, T, out1, states);
        perStep.PredictSequences(second, T, out2, states);
        float[] expectedSecond = Window(whole, M, 2 * T, T, T, 3);
        Assert.Equal(expectedSecond, out2);

        // ComputeGradients leaves the states the window ended with: the same (to rounding) as the batch inference's.
        var trainingStates = new float[M * DenseFirstNet.StateFloats];
        var gradients = new float[DenseFirstNet.ParameterCount];
        float[] labels = Enumerable.Range(0, M * T * 3).Select(i => i % 3 == 0 ? 1f : 0f).ToArray();
        perStep.ComputeGradients(first, T, labels, gradients, states: trainingStates);
        var inferenceStates = new float[M * DenseFirstNet.StateFloats];
        perStep.PredictSequences(first, T, out1, inferenceStates);
        for (int i = 0; i < inferenceStates.Length; i++)
        {
            Assert.True(Math.Abs(trainingStates[i] - inferenceStates[i]) <= 1e-5, $"state {i}: {trainingStates[i]} vs {inferenceStates[i]}");
        }

        // Starting states change the gradient (they are inputs of the window), zero states give the stateless one.
        var fromZero = new float[DenseFirstNet.ParameterCount];
        var fromCarried = new float[DenseFirstNet.ParameterCount];
        var zeroStates = new float[M * DenseFirstNet.StateFloats];
        float stateless = perStep.ComputeGradients(second, T, labels, gradients);
        Assert.Equal(stateless, perStep.ComputeGradients(second, T, labels, fromZero, states: zeroStates));
        Assert.Equal(gradients, fromZero);
        perStep.ComputeGradients(second, T, labels, fromCarried, states: trainingStates);
        Assert.NotEqual(fromZero, fromCarried);
        Assert.True(SequenceClassifierNet.StateFloats == 6 + 10);
    }

    [Fact]
    public void FitStateful_LongSeries_LearnsTheFilterWindowByWindow()
    {
        (SequenceDataset train, SequenceDataset held) = Echo(sequences: 8, heldOut: 4, steps: 256, warmUp: 16, seed: 5);
        var net = new TinyAmpNet(seed: 6);
        double before = net.Evaluate(held).Cost;

        TrainingHistory history = net.FitStateful(train.Windows(32), new TrainingOptions
        {
            LearningRate = 0.01f,
            Iterations = 6,
            RecordEvery = 1,
            Optimizer = new Adam(),
            ClipGradientNorm = 1f,
            Validation = new ValidationData(held.Inputs, held.Labels),
        });

        double after = net.Evaluate(held).Cost;
        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.Equal(6, history.Costs.Count);
        Assert.True(after < before / 10, $"held-out cost {before} -> {after}");
    }

    [Fact]
    public void FitStateful_LabelsPerSequenceOrABatchSize_AreRefusedWithTheReason()
    {
        (SequenceDataset train, _) = Echo(sequences: 4, heldOut: 0, steps: 64, warmUp: 0, seed: 5);
        var error = Assert.Throws<ArgumentException>(() => new TinyAmpNet().FitStateful(train.Windows(16), new TrainingOptions { LearningRate = 0.1f, Iterations = 1, BatchSize = 2 }));
        Assert.Contains("BatchSize is 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FitAndFitStateful_SteadyState_AllocateNothingPerIteration(bool stateful)
    {
        (SequenceDataset data, _) = Echo(sequences: 8, heldOut: 0, steps: 64, warmUp: 8, seed: 11);
        var net = new TinyAmpNet(seed: 12);
        SequenceWindows windows = data.Windows(16);

        // A Fit call allocates its buffers once; the passes of updates allocate nothing more.
        NnGen.Tests.Support.AllocationAssert.NoAllocationBetweenRecords(
            progress =>
            {
                var options = new TrainingOptions { LearningRate = 1e-3f, Iterations = 20, BatchSize = stateful ? 0 : 4, Optimizer = new Adam(), RecordEvery = 5, Progress = progress };
                return stateful ? net.FitStateful(windows, options) : net.Fit(data, options);
            },
            "14 passes of sequence training");
    }

    /// <summary>Steps [start, start + steps) of every one of m sequences of <paramref name="total"/> steps, batch-first.</summary>
    private static float[] Window(float[] data, int m, int total, int start, int steps, int features)
    {
        var window = new float[m * steps * features];
        for (int i = 0; i < m; i++)
        {
            Array.Copy(data, ((i * total) + start) * features, window, i * steps * features, steps * features);
        }

        return window;
    }

    /// <summary>y[t] = 0.6·x[t] + 0.5·y[t-1], clipped by tanh: an effect whose output depends on the past.</summary>
    private static (SequenceDataset Train, SequenceDataset HeldOut) Echo(int sequences, int heldOut, int steps, int warmUp, int seed)
    {
        var random = new Random(seed);
        SequenceDataset Make(int count)
        {
            var x = new float[count * steps];
            var y = new float[count * steps];
            for (int i = 0; i < count; i++)
            {
                double phase = random.NextDouble() * 6, rate = 0.1 + (random.NextDouble() * 0.4), state = 0;
                for (int t = 0; t < steps; t++)
                {
                    double input = (0.8 * Math.Sin(phase + (rate * t))) + (0.1 * ((random.NextDouble() * 2) - 1));
                    state = Math.Tanh((0.6 * input) + (0.5 * state));
                    x[(i * steps) + t] = (float)input;
                    y[(i * steps) + t] = (float)state;
                }
            }

            return SequenceDataset.PerStep(x, y, steps, features: 1, outputs: 1, warmUp);
        }

        return (Make(sequences), heldOut > 0 ? Make(heldOut) : Make(1));
    }
}
