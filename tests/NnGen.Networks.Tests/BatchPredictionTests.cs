using System;
using System.Collections.Concurrent;
using System.Reflection;
using System.Threading;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>
/// <c>PredictBatch</c> hands its chunks to the threads once per call (<see cref="BatchPrediction"/>): the same bits as
/// running the chunks one by one on one thread, at every degree and forced width, for dense, softmax, convolutional and
/// tiny networks; every chunk once, on its own thread with its products held to it; a chunk's exception on the caller
/// as it was; nothing allocated per call.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public class BatchPredictionTests
{
    private static readonly int[] Degrees = [1, 2, 3, 4, 8];

    private static readonly SimdWidth[] Widths = [SimdWidth.V512, SimdWidth.V256, SimdWidth.V128, SimdWidth.Scalar];

    public static TheoryData<string> NetworkNames() => ["Fashion", "MediumReLU", "LeNetSmall", "Planar"];

    /// <summary>
    /// m = 1, a partial chunk, exactly k chunks and k chunks plus a remainder, with k large enough that the call's work
    /// reaches the parallel threshold, so the two larger batches share their chunks over the threads.
    /// </summary>
    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void PredictBatch_EveryDegreeAndWidth_SameBitsAsChunkByChunkOnOneThread(string name)
    {
        ITrainableNetwork net = Create(name);
        int chunk = Constant(net, "BatchChunk");
        long chunkFlops = 2L * chunk * net.ParameterCount;
        int k = (int)Math.Max(3, ((KernelParallelism.MinimumParallelFlops + chunkFlops - 1) / chunkFlops) + 1);
        int[] counts = [1, (chunk / 2) + 1, k * chunk, (k * chunk) + (chunk / 3) + 1];
        float[] inputs = TestData.Uniform(counts[^1] * net.InputSize, 21);
        foreach (SimdWidth width in Widths)
        {
            using SimdWidths.ForcedScope forced = SimdWidths.ForceForTesting(width);
            foreach (int m in counts)
            {
                ReadOnlySpan<float> x = inputs.AsSpan(0, m * net.InputSize);
                float[] expected = new float[m * net.OutputSize];
                using (KernelParallelism.Override(1))
                {
                    for (int start = 0; start < m; start += chunk)
                    {
                        int count = Math.Min(chunk, m - start);
                        net.PredictBatch(x.Slice(start * net.InputSize, count * net.InputSize), expected.AsSpan(start * net.OutputSize, count * net.OutputSize));
                    }
                }

                foreach (int degree in Degrees)
                {
                    float[] actual = new float[m * net.OutputSize];
                    actual.AsSpan().Fill(float.NaN);
                    using (KernelParallelism.Override(degree))
                    {
                        net.PredictBatch(x, actual);
                    }

                    DeterminismTests.AssertBitIdentical(expected, actual, $"{name}.PredictBatch of {m} examples (chunks of {chunk}) at {width} on {degree} threads");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void PredictChunk_OneChunk_IsPredictBatchOfThoseExamples(string name)
    {
        ITrainableNetwork net = Create(name);
        int chunk = Constant(net, "BatchChunk");
        float[] inputs = TestData.Uniform(chunk * net.InputSize, 22);
        float[] expected = new float[chunk * net.OutputSize], actual = new float[chunk * net.OutputSize];
        net.PredictBatch(inputs, expected);
        ((IChunkedPredictor)net).PredictChunk(inputs, actual, chunk, new float[Constant(net, "BatchScratch")]);
        DeterminismTests.AssertBitIdentical(expected, actual, $"{name}: PredictChunk of one whole chunk against PredictBatch");
    }

    [Fact]
    public void PredictBatch_TwoThreads_AllocatesNothingPerCall()
    {
        ITrainableNetwork net = Create("Fashion");
        int m = 10 * Constant(net, "BatchChunk");
        float[] inputs = TestData.Uniform(m * net.InputSize, 23), outputs = new float[m * net.OutputSize];
        using (KernelParallelism.Override(2))
        {
            AllocationAssert.NoAllocation(() => net.PredictBatch(inputs, outputs), calls: 5, "FashionShapedNet.PredictBatch of 10 chunks on 2 threads");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Run_ManyChunks_EachChunkOnceWholeOnOneThreadWithItsProductsHeldToIt(int degree)
    {
        const int chunk = 7, examples = (30 * chunk) + 3;
        var recorder = new RecordingPredictor(spin: TimeSpan.FromMilliseconds(1));
        float[] inputs = ExampleIndices(examples), outputs = new float[examples * RecordingPredictor.OutputSize];
        using (KernelParallelism.Override(degree))
        {
            BatchPrediction.Run(recorder, inputs, outputs, RecordingPredictor.InputSize, RecordingPredictor.OutputSize, chunk, scratchFloats: 5, parameterCount: int.MaxValue);
        }

        Assert.Equal(31, recorder.Chunks.Count);
        for (int c = 0; c < 31; c++)
        {
            Assert.True(recorder.Chunks.TryGetValue(c * chunk, out ChunkRun? run), $"chunk {c} never ran");
            Assert.Equal(Math.Min(chunk, examples - (c * chunk)), run.Count);
            Assert.Equal(1, run.Degree);
            Assert.True(run.ScratchAligned, $"chunk {c}'s scratch does not start on a 64-byte boundary");
        }

        for (int i = 0; i < examples; i++)
        {
            Assert.Equal(i, outputs[i * RecordingPredictor.OutputSize]);
            Assert.Equal(-i, outputs[(i * RecordingPredictor.OutputSize) + 1]);
        }

        Assert.True(recorder.Threads.Count > 1, $"all 31 chunks ran on one thread at degree {degree}");
    }

    [Fact]
    public void Run_FewerThanTwoWholeChunks_RunsOnTheCallerWithItsProductsFreeToSplit()
    {
        const int chunk = 8, examples = chunk + 5;
        var recorder = new RecordingPredictor(spin: TimeSpan.Zero);
        float[] inputs = ExampleIndices(examples), outputs = new float[examples * RecordingPredictor.OutputSize];
        using (KernelParallelism.Override(2))
        {
            BatchPrediction.Run(recorder, inputs, outputs, RecordingPredictor.InputSize, RecordingPredictor.OutputSize, chunk, scratchFloats: 5, parameterCount: int.MaxValue);
        }

        Assert.Equal(2, recorder.Chunks.Count);
        Assert.All(recorder.Chunks.Values, run => Assert.Equal(2, run.Degree));
        Assert.Equal([Environment.CurrentManagedThreadId], recorder.Threads.Keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Run_ChunkThrows_TheFirstFailingChunksExceptionOnTheCallerAsItWas(int degree)
    {
        const int chunk = 4, examples = 40 * chunk;
        var thrower = new ThrowingPredictor(failingStarts: [9 * chunk, 13 * chunk]);
        float[] inputs = ExampleIndices(examples), outputs = new float[examples * RecordingPredictor.OutputSize];
        InvalidOperationException thrown;
        using (KernelParallelism.Override(degree))
        {
            thrown = Assert.Throws<InvalidOperationException>(() =>
                BatchPrediction.Run(thrower, inputs, outputs, RecordingPredictor.InputSize, RecordingPredictor.OutputSize, chunk, scratchFloats: 1, parameterCount: int.MaxValue));
        }

        Assert.Same(thrower.Thrown[9 * chunk], thrown);
        Assert.Contains(nameof(ThrowingPredictor), thrown.StackTrace);

        // The helper's per-thread state is clean afterwards: the next call succeeds.
        var recorder = new RecordingPredictor(spin: TimeSpan.Zero);
        using (KernelParallelism.Override(degree))
        {
            BatchPrediction.Run(recorder, inputs, outputs, RecordingPredictor.InputSize, RecordingPredictor.OutputSize, chunk, scratchFloats: 1, parameterCount: int.MaxValue);
        }

        Assert.Equal(40, recorder.Chunks.Count);
    }

    [Fact]
    public void Run_LengthsNotWholeExamples_ThrowsNamingTheLengths()
    {
        var recorder = new RecordingPredictor(spin: TimeSpan.Zero);
        float[] outputs = new float[4];
        var error = Assert.Throws<ArgumentException>(() =>
            BatchPrediction.Run(recorder, new float[5], outputs, RecordingPredictor.InputSize, RecordingPredictor.OutputSize, 4, 1, 1));
        Assert.Contains("inputs has 5 floats and outputs 4", error.Message);
        Assert.Throws<ArgumentException>(() =>
            BatchPrediction.Run(recorder, new float[4], new float[5], RecordingPredictor.InputSize, RecordingPredictor.OutputSize, 4, 1, 1));
        Assert.Empty(recorder.Chunks);
    }

    private static ITrainableNetwork Create(string name) => name switch
    {
        "Fashion" => new FashionShapedNet(31),
        "MediumReLU" => new MediumReLUNet(32),
        "LeNetSmall" => new LeNetSmall(33),
        "Planar" => new PlanarNet(34),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    /// <summary>A private constant of a generated network (the chunk size its plan chose).</summary>
    private static int Constant(ITrainableNetwork net, string name) =>
        (int)net.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>Example i's two inputs are i and -i, so a chunk can tell which examples it was given.</summary>
    private static float[] ExampleIndices(int examples)
    {
        float[] inputs = new float[examples * RecordingPredictor.InputSize];
        for (int i = 0; i < examples; i++)
        {
            inputs[i * 2] = i;
            inputs[(i * 2) + 1] = -i;
        }

        return inputs;
    }

    private sealed record ChunkRun(int Count, int Degree, bool ScratchAligned);

    /// <summary>Copies its inputs to its outputs and records, per chunk (by its first example), who ran it and how.</summary>
    private sealed class RecordingPredictor(TimeSpan spin) : IChunkedPredictor
    {
        public const int InputSize = 2, OutputSize = 2;

        public ConcurrentDictionary<int, ChunkRun> Chunks { get; } = new();

        public ConcurrentDictionary<int, bool> Threads { get; } = new();

        public unsafe void PredictChunk(ReadOnlySpan<float> inputs, Span<float> outputs, int count, Span<float> scratch)
        {
            Assert.Equal(count * InputSize, inputs.Length);
            Assert.Equal(count * OutputSize, outputs.Length);
            bool aligned;
            fixed (float* p = scratch)
            {
                aligned = (nint)p % 64 == 0;
            }

            scratch.Fill(1f);
            inputs.CopyTo(outputs);
            Threads[Environment.CurrentManagedThreadId] = true;
            Assert.True(Chunks.TryAdd((int)inputs[0], new ChunkRun(count, KernelParallelism.Current, aligned)), $"the chunk at {inputs[0]} ran twice");
            var wait = System.Diagnostics.Stopwatch.StartNew();
            while (wait.Elapsed < spin)
            {
                Thread.SpinWait(100);
            }
        }
    }

    /// <summary>Throws a new exception of its own from each chunk that starts at one of the given examples.</summary>
    private sealed class ThrowingPredictor(int[] failingStarts) : IChunkedPredictor
    {
        public ConcurrentDictionary<int, Exception> Thrown { get; } = new();

        public void PredictChunk(ReadOnlySpan<float> inputs, Span<float> outputs, int count, Span<float> scratch)
        {
            int start = (int)inputs[0];
            if (Array.IndexOf(failingStarts, start) >= 0)
            {
                var failure = new InvalidOperationException($"chunk at example {start} failed");
                Thrown[start] = failure;
                throw failure;
            }

            // The other chunks take a moment, so on several threads the later failing chunk may run first.
            Thread.SpinWait(2000);
            inputs.CopyTo(outputs);
        }
    }
}
