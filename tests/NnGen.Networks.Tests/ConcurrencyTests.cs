using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace NnGen.Networks.Tests;

/// <summary>
/// One instance, many threads: inference only reads the parameters, so every thread sees one thread's answers; writers
/// (Fit, Step, LoadWeights) take turns, and one that comes during another's turn throws instead of interleaving.
/// </summary>
public class ConcurrencyTests
{
    [Fact]
    public void PredictBatch_ManyThreadsOnOneInstance_MatchSingleThreadBitForBit()
    {
        var net = new DeepCatNet(5);
        const int m = 300;
        float[] inputs = TestData.Uniform(m * DeepCatNet.InputSize, 11);
        float[] expectedBatch = new float[m];
        net.PredictBatch(inputs, expectedBatch);
        float[] expectedSingle = new float[m];
        for (int i = 0; i < m; i++)
        {
            net.Predict(inputs.AsSpan(i * DeepCatNet.InputSize, DeepCatNet.InputSize), expectedSingle.AsSpan(i, 1));
        }

        RunOnThreads(8, threadIndex =>
        {
            float[] batch = new float[m];
            float[] single = new float[1];
            for (int round = 0; round < 4; round++)
            {
                net.PredictBatch(inputs, batch);
                Assert.Equal(expectedBatch, batch);
                for (int i = threadIndex; i < m; i += 8)
                {
                    net.Predict(inputs.AsSpan(i * DeepCatNet.InputSize, DeepCatNet.InputSize), single);
                    Assert.Equal(expectedSingle[i], single[0]);
                }
            }
        });
    }

    [Fact]
    public void Predict_ManyThreadsOnMultiOutputNet_MatchSingleThreadBitForBit()
    {
        var net = new MixedNet(9);
        const int m = 513;
        float[] inputs = TestData.Uniform(m * MixedNet.InputSize, 12);
        float[] expected = new float[m * MixedNet.OutputSize];
        net.PredictBatch(inputs, expected);

        RunOnThreads(8, _ =>
        {
            float[] actual = new float[expected.Length];
            for (int round = 0; round < 20; round++)
            {
                net.PredictBatch(inputs, actual);
                Assert.Equal(expected, actual);
            }
        });
    }

    [Fact]
    public async Task LoadWeightsAndStep_WhileFitRuns_ThrowAndWriteNothing_AndLoadWorksOnceFitReturns()
    {
        var saved = new PlanarNet(3);
        using var file = new MemoryStream();
        saved.SaveWeights(file);
        byte[] bytes = file.ToArray();

        var net = new PlanarNet(2);
        float[] inputs = TestData.Uniform(20 * PlanarNet.InputSize, 4);
        float[] labels = TestData.Binary(20, 5);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var options = new TrainingOptions
        {
            LearningRate = 0.5f,
            Iterations = 30,
            RecordEvery = 10,
            Progress = new Reporter(progress =>
            {
                if (progress.Iteration == 10)
                {
                    entered.Set();
                    release.Wait(TimeSpan.FromSeconds(30));
                }
            }),
        };

        Task<TrainingHistory> fit = Task.Run(() => net.Fit(inputs, labels, options));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
        float[] during = net.Parameters.ToArray();

        var load = Assert.Throws<InvalidOperationException>(() => net.LoadWeights(new MemoryStream(bytes)));
        var step = Assert.Throws<InvalidOperationException>(() => net.Step(new PlanarNet.Gradients(), 0.1f));
        Assert.Equal(during, net.Parameters.ToArray());
        release.Set();
        TrainingHistory history = await fit;

        Assert.StartsWith("PlanarNet.LoadWeights: this instance is already training (Fit) on another thread", load.Message, StringComparison.Ordinal);
        Assert.StartsWith("PlanarNet.Step: this instance is already training (Fit) on another thread", step.Message, StringComparison.Ordinal);
        // Random labels: the run ends normally, at or near chance level, which Fit reports as such.
        Assert.True(history.Status is TrainingStatus.Completed or TrainingStatus.NoBetterThanChance, history.Status.ToString());
        Assert.NotEqual(saved.Parameters.ToArray(), net.Parameters.ToArray());

        net.LoadWeights(new MemoryStream(bytes));
        Assert.Equal(saved.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void LoadWeights_FromAProgressCallback_ThrowsOutOfFit_NamingTheCallback()
    {
        var saved = new PlanarNet(3);
        using var file = new MemoryStream();
        saved.SaveWeights(file);
        byte[] bytes = file.ToArray();
        var net = new PlanarNet(2);
        var options = new TrainingOptions
        {
            LearningRate = 0.5f,
            Iterations = 5,
            Progress = new Reporter(_ => net.LoadWeights(new MemoryStream(bytes))),
        };

        var exception = Assert.Throws<InvalidOperationException>(() => net.Fit(TestData.Uniform(8 * PlanarNet.InputSize, 4), TestData.Binary(8, 5), options));

        Assert.StartsWith("PlanarNet.LoadWeights: this instance is already training (Fit) on this thread (from a Progress callback?)", exception.Message, StringComparison.Ordinal);
        Assert.NotEqual(saved.Parameters.ToArray(), net.Parameters.ToArray());

        // The failed run released the instance.
        net.LoadWeights(new MemoryStream(bytes));
        Assert.Equal(saved.Parameters.ToArray(), net.Parameters.ToArray());
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static void RunOnThreads(int count, Action<int> body)
    {
        var failures = new Exception?[count];
        using var start = new Barrier(count);
        Thread[] threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(index);
            }
            catch (Exception exception)
            {
                failures[index] = exception;
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.All(failures, failure => Assert.Null(failure));
    }
}
