using System;
using System.Linq;
using System.Threading;

namespace NnGen.Networks.Tests;

/// <summary>One instance, many threads: inference only reads the parameters, so every thread sees one thread's answers.</summary>
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
