using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using NnGen.Tests.Support;

namespace NnGen.Tests.Training;

/// <summary>Fit from a lazily read source of mini-batches: the same updates, options, validation and status as in memory.</summary>
public class BatchSourceTests
{
    [Fact]
    public void Source_MakesOneStepPerBatchInTheSourcesOrder_LikeManualSteps()
    {
        (float[] x, float[] y) = ToyData.Separable(23, seed: 8);
        var network = ScalarNetwork.Tiny().Initialize(seed: 9);
        var reference = ScalarNetwork.Tiny().Initialize(seed: 9);
        var source = new CountingSource(x, y, inputSize: 2, batchSize: 5);

        TrainingHistory history = Trainer.Fit(network, source, new TrainingOptions { LearningRate = 0.5f, Iterations = 3, RecordEvery = 1 });

        var gradients = new float[reference.ParameterCount];
        for (int pass = 0; pass < 3; pass++)
        {
            double weighted = 0;
            for (int start = 0; start < 23; start += 5)
            {
                int count = Math.Min(5, 23 - start);
                weighted += reference.ComputeGradients(x.AsSpan(2 * start, 2 * count), y.AsSpan(start, count), gradients, new Workspace()) * (double)count;
                Trainer.Step(reference, gradients, 0.5f);
            }

            Assert.Equal((float)(weighted / 23), history.Costs[pass].Cost, 1e-6f);
        }

        Assert.Equal(reference.CopyParameters(), network.CopyParameters());

        // Read lazily: one enumeration per pass, never materialized; the final cost is the last pass's mean batch cost.
        Assert.Equal(3, source.Enumerations);
        Assert.False(history.FinalCostIsPriced);
        Assert.Equal(history.Costs[^1].Cost, history.FinalCost);
        Assert.Equal(TrainingStatus.Completed, history.Status);
    }

    [Fact]
    public void Source_PriceFinalCost_EnumeratesOnceMoreAndPricesTheFinalParameters()
    {
        (float[] x, float[] y) = ToyData.Separable(23, seed: 8);
        var network = ScalarNetwork.Tiny().Initialize(seed: 9);
        var source = new CountingSource(x, y, inputSize: 2, batchSize: 5);

        TrainingHistory history = Trainer.Fit(network, source, new TrainingOptions { LearningRate = 0.5f, Iterations = 3, PriceFinalCost = true });

        Assert.Equal(4, source.Enumerations);
        Assert.True(history.FinalCostIsPriced);
        Assert.Equal((float)Trainer.Evaluate(network, x, y).Cost, history.FinalCost, 1e-6f);
    }

    [Fact]
    public void Source_WithClassIndicesValidationAndEarlyStopping_WorksAsInMemory()
    {
        (float[] x, int[] classes) = MetricsAndSoftmaxTests.Clusters(60, seed: 21);
        (float[] vx, int[] vclasses) = MetricsAndSoftmaxTests.Clusters(30, seed: 22);
        var network = new ScalarNetwork("Soft", [2, 4, 3], [Activation.Tanh, Activation.Softmax]).Initialize(seed: 23);
        TrainingBatch[] batches = Enumerable.Range(0, 4)
            .Select(b => new TrainingBatch(x.AsMemory(b * 30, 30), classes.AsMemory(b * 15, 15)))
            .ToArray();

        TrainingHistory history = Trainer.Fit(
            network,
            batches,
            new TrainingOptions
            {
                LearningRate = 0.05f,
                Iterations = 100,
                RecordEvery = 1,
                Optimizer = new Adam(),
                Validation = new ValidationData(vx, vclasses),
                EarlyStopping = new EarlyStopping { Patience = 5 },
            });

        Assert.Contains(history.Status, new[] { TrainingStatus.Completed, TrainingStatus.StoppedEarly });
        Assert.All(history.Costs, c => Assert.False(double.IsNaN(c.ValidationCost)));
        Assert.True(Trainer.Evaluate(network, vx, vclasses).Accuracy >= 0.9);
    }

    [Fact]
    public void Source_InvalidBatch_NamesTheBatchAndPassAndKeepsEarlierUpdates()
    {
        (float[] x, float[] y) = ToyData.Separable(10, seed: 24);
        float[] bad = (float[])y.Clone();
        bad[1] = 3f;
        var network = ScalarNetwork.LogisticRegression(2);
        TrainingBatch[] batches = [new(x.AsMemory(0, 10), y.AsMemory(0, 5)), new(x.AsMemory(10, 10), bad.AsMemory(0, 5))];

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, batches, new TrainingOptions { LearningRate = 0.1f, Iterations = 2 }));

        Assert.Equal("batches", error.ParamName);
        Assert.StartsWith("LogReg.Fit: batch 1 of pass 0 is invalid (LogReg.Fit: labels[1] is 3, but BinaryCrossEntropy needs every label in [0, 1].", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(0f, network.Parameters[2]);
    }

    [Fact]
    public void Source_OfInputLabelPairs_TrainsLikeTrainingBatches()
    {
        (float[] x, float[] y) = ToyData.Separable(20, seed: 27);
        var pairs = new CountingSource(x, y, inputSize: 2, batchSize: 6);
        var batches = new CountingSource(x, y, inputSize: 2, batchSize: 6);
        var a = ScalarNetwork.Tiny().Initialize(seed: 28);
        var b = ScalarNetwork.Tiny().Initialize(seed: 28);
        var options = new TrainingOptions { LearningRate = 0.3f, Iterations = 4, Optimizer = new Momentum() };

        TrainingHistory fromPairs = Trainer.Fit(a, pairs.Select(t => (t.Inputs, t.Labels)), options);
        TrainingHistory fromBatches = Trainer.Fit(b, batches, options);

        Assert.Equal(b.CopyParameters(), a.CopyParameters());
        Assert.Equal(fromBatches.Costs, fromPairs.Costs);
        Assert.Equal(fromBatches.FinalCost, fromPairs.FinalCost);
    }

    [Fact]
    public void Source_Empty_IsRefused()
    {
        var network = ScalarNetwork.LogisticRegression(2);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, Array.Empty<TrainingBatch>(), new TrainingOptions { LearningRate = 0.1f, Iterations = 2 }));

        Assert.Equal("LogReg.Fit: batches yielded no batch in pass 0; a source must yield at least one batch every pass. (Parameter 'batches')", error.Message);
    }

    [Fact]
    public void Source_SteadyState_AllocatesNothingPerBatch()
    {
        // A source whose enumerator is itself, so every byte between the record points (one per pass) is the trainer's.
        (float[] x, float[] y) = ToyData.Separable(64, seed: 25);
        var network = ScalarNetwork.Tiny().Initialize(seed: 26);
        var source = new ReusedSource(Enumerable.Range(0, 16).Select(b => new TrainingBatch(x.AsMemory(2 * b * 4, 2 * 4), y.AsMemory(b * 4, 4))).ToArray());

        AllocationAssert.NoAllocationBetweenRecords(
            progress => Trainer.Fit(network, source, new TrainingOptions { LearningRate = 0.01f, Iterations = 20, RecordEvery = 1, Optimizer = new Adam(), Progress = progress }),
            "18 passes over 16 batches from a source");
    }

    /// <summary>Batches of a fixed size in data order, yielded lazily; counts how often it is enumerated.</summary>
    private sealed class CountingSource(float[] x, float[] y, int inputSize, int batchSize) : IEnumerable<TrainingBatch>
    {
        public int Enumerations { get; private set; }

        public IEnumerator<TrainingBatch> GetEnumerator()
        {
            Enumerations++;
            int examples = y.Length;
            for (int start = 0; start < examples; start += batchSize)
            {
                int count = Math.Min(batchSize, examples - start);
                yield return new TrainingBatch(x.AsMemory(start * inputSize, count * inputSize), y.AsMemory(start, count));
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Fixed batches, enumerated by the source itself (one enumeration at a time), so a pass allocates nothing.</summary>
    private sealed class ReusedSource(TrainingBatch[] batches) : IEnumerable<TrainingBatch>, IEnumerator<TrainingBatch>
    {
        private int _index = -1;

        public TrainingBatch Current => batches[_index];

        object IEnumerator.Current => Current;

        public IEnumerator<TrainingBatch> GetEnumerator()
        {
            _index = -1;
            return this;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public bool MoveNext() => ++_index < batches.Length;

        public void Reset() => _index = -1;

        public void Dispose()
        {
        }
    }
}
