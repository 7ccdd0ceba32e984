using System;
using System.CodeDom.Compiler;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using NnGen.Kernels;

namespace NnGen;

/// <summary>
/// How the trainer cuts a batch into example chunks: each chunk's gradient is computed whole on one thread into its
/// own buffer, and the chunk gradients are reduced in chunk order, weighted by chunk size (<see cref="ChunkedGradients"/>).
/// The number of chunks depends on the batch size and the network only, never on the thread count, so a step gives the
/// same bits on 1, 2, 3 or 16 threads; the threads decide only who computes a chunk.
/// </summary>
/// <remarks>
/// <para>
/// The rule, for a batch of m examples and a network of P parameters:
/// <list type="bullet">
/// <item>One chunk, which is the whole batch on today's path (each product cut into columns by
/// <see cref="ProductSplit"/>), unless the network's examples train independently, in code that may run on several
/// threads at once (<see cref="SplitsExamples"/>): a class the generator wrote (its scratch lives in the workspace, its
/// cost and gradient are means over the examples), without a training mode of its own
/// (<see cref="ITrainableNetwork.HasTrainingMode"/>: batch norm's batch statistics couple the examples, and dropout's masks
/// are drawn by position in the batch) and not recurrent (an example is a sequence). A network written by hand keeps today's
/// path: nothing says its <c>ComputeGradients</c> may run concurrently.</item>
/// <item>Otherwise ⌊m / n⌋ chunks of at least n examples (<see cref="MinimumExamplesOf"/>), at most
/// <see cref="MaxChunks"/>, and at most <see cref="MaxChunkGradientFloats"/> / P so that the chunks' gradient buffers stay
/// small; one chunk again when that leaves fewer than two.</item>
/// </list>
/// n is the larger of two floors, both from the network's description: its multiply-adds per example, counted over
/// the forward pass (a training step does about three times as many: the forward products, the weights' gradients and
/// the inputs' gradients).
/// <list type="bullet">
/// <item>The chunk's own costs, packing each weight matrix once more and one multiply-add per parameter in the
/// reduction, at most 1/64 of its products' work: 64·P over the multiply-adds per example, at most
/// <see cref="MinimumChunkExamples"/> and at least <see cref="SmallestChunkExamples"/>. A dense network's example costs
/// about one multiply-add per parameter, so its floor is 64, which is also one outer-product register tile of columns
/// at the widest vectors (4 vectors of 16; a dense layer's products have one column per example). A convolutional
/// network's example costs far more (LeNet-5: 416,520 multiply-adds against 61,706 parameters), and its products have
/// Ho·Wo·m columns, so its floor is lower: 48 for LeNet-5, two chunks of 64 per batch of 128.</item>
/// <item>A thread's worth of work: a chunk is one thread's share of the step, so like a product's part it carries
/// at least <see cref="ProductSplit.MinimumPartFlops"/> (its call, its hand-off to a thread and its reduction take a fixed
/// time, whatever the network). This floor keeps a tiny network's batch whole: the course's planar [2,4,1] does 12
/// multiply-adds per example, so its chunks need 7,296 examples and its 400 run as one (in six chunks of 64 its cost
/// at iteration 2,000 would read 0.254386, not the course's 0.254385). [4,32,16,4] needs 128.</item>
/// </list>
/// n is rounded up to whole vectors of 16 examples. The column split already shares a big product well, but a
/// product's parts need <see cref="ProductSplit.MinimumPartFlops"/> each, so it runs out of parts exactly where the layers
/// are narrow or the batch is small, and it synchronizes the threads at every product; a chunk synchronizes once per step.
/// Fashion-MNIST's mini-batches of 128 on [784,256,128,10] train in two chunks of 64, one per thread; the course's cat
/// networks' 209 examples in three (the course's figures hold: the tests check them at every width). A chunk's operands also
/// stay in L2 where a whole batch's spill: on one thread, [4,32,16,4] tanh on 10,000 examples took 0.76 ms per Adam
/// step in 16 chunks against 0.96 ms whole (Zen 5, thread CPU time, same build).
/// </para>
/// <para>
/// The weighted reduction is the mean over the batch, since every chunk's gradient and cost are the means over its
/// own examples; it rounds differently from one pass over the whole batch, which is why the chunk count must not
/// depend on the threads.
/// </para>
/// </remarks>
internal readonly struct ExampleChunks
{
    /// <summary>
    /// The fewest examples in a chunk of a network whose examples cost about one multiply-add per parameter (dense
    /// networks): one outer-product register tile of columns at the widest vectors, and the chunk's own costs at most
    /// 1/64 of its work (see the remarks).
    /// </summary>
    internal const int MinimumChunkExamples = 64;

    /// <summary>
    /// The fewest examples in a chunk of any network: three vectors of 16, so a convolution's direct tiles (up to four
    /// vectors of examples) are not cut to two: LeNet-5's epoch trains faster in chunks of 64 than of 32 (Zen 5, one and
    /// two threads).
    /// </summary>
    internal const int SmallestChunkExamples = 48;

    /// <summary>The most chunks a batch is cut into: one per thread up to 16 threads.</summary>
    internal const int MaxChunks = 16;

    /// <summary>The most floats the chunks' gradient buffers hold together (64 MB).</summary>
    internal const long MaxChunkGradientFloats = 1L << 24;

    // The tool name generated classes carry in their [GeneratedCode] attribute.
    private const string GeneratorName = "NnGenerator";

    // Chunks start at multiples of 16 examples: whole vectors of examples for the tiny pass at every width.
    private const int ExampleAlignment = 16;

    // A training step's products per forward product: the forward, the weights' gradients and the inputs' gradients.
    private const int TrainingProductsPerForward = 3;

    private ExampleChunks(int examples, int count)
    {
        Examples = examples;
        Count = count;
    }

    /// <summary>m, the examples of the batch.</summary>
    public int Examples { get; }

    /// <summary>The number of chunks; 1 means the batch runs whole, on today's path.</summary>
    public int Count { get; }

    /// <summary>Whether <paramref name="network"/>'s batches may be cut into example chunks at all (see the remarks); decided once per run.</summary>
    public static bool SplitsExamples(ITrainableNetwork network) =>
        !network.HasTrainingMode &&
        network is not ISequenceNetwork &&
        s_generated.GetOrAdd(network.GetType(), static type => type.GetCustomAttribute<GeneratedCodeAttribute>() is { Tool: GeneratorName });

    // Per type, so a steady Fit allocates nothing: reading the attribute builds it anew each time (and the reflection
    // behind it changes strategy after a number of calls), which the training loop's allocation tests would see.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> s_generated = new();

    /// <summary>The whole batch of <paramref name="examples"/> as one chunk: today's path.</summary>
    public static ExampleChunks Whole(int examples) => new(examples, 1);

    /// <summary>The chunks of a batch of <paramref name="examples"/> for a network of <paramref name="parameterCount"/> parameters whose examples may be split.</summary>
    /// <param name="examples">m.</param>
    /// <param name="parameterCount">P.</param>
    /// <param name="minimumExamples">The fewest examples in a chunk (<see cref="MinimumExamplesOf"/>).</param>
    public static ExampleChunks For(int examples, int parameterCount, int minimumExamples = MinimumChunkExamples)
    {
        long count = Math.Min(Math.Min(MaxChunks, examples / minimumExamples), MaxChunkGradientFloats / Math.Max(1, parameterCount));
        return new ExampleChunks(examples, (int)Math.Max(1, count));
    }

    /// <summary>
    /// The fewest examples in a chunk of <paramref name="network"/>, from its description: the larger of 64·P over its
    /// multiply-adds per example (kept between <see cref="SmallestChunkExamples"/> and <see cref="MinimumChunkExamples"/>)
    /// and the examples whose training takes <see cref="ProductSplit.MinimumPartFlops"/>, rounded up to a multiple of 16
    /// (see the remarks). Decided once per run.
    /// </summary>
    public static int MinimumExamplesOf(ITrainableNetwork network)
    {
        if (network is not ISerializableNetwork { Architecture: var architecture })
        {
            return MinimumChunkExamples;
        }

        long multiplyAdds = 0;
        foreach (LayerDescription layer in architecture.Layers)
        {
            multiplyAdds += layer.ConvolutionGeometry is { } g ? (long)g.OutputFeatures * g.KernelVolume
                : layer.Kind == LayerKind.Dense ? (long)layer.Inputs * layer.Units
                : 0;
        }

        multiplyAdds = Math.Max(1, multiplyAdds);
        long parameters = Math.Max(1, architecture.ParameterCount);
        long ownCosts = Math.Clamp(CeilingDivide(MinimumChunkExamples * parameters, multiplyAdds), SmallestChunkExamples, MinimumChunkExamples);

        // Two flops per multiply-add, three products per forward one (forward, weights' gradients, inputs' gradients).
        long threadsWorth = CeilingDivide(ProductSplit.MinimumPartFlops, TrainingProductsPerForward * 2 * multiplyAdds);
        return (int)(CeilingDivide(Math.Max(ownCosts, threadsWorth), ExampleAlignment) * ExampleAlignment);
    }

    private static long CeilingDivide(long value, long divisor) => (value + divisor - 1) / divisor;

    /// <summary>The threads a step runs on under a limit of <paramref name="degree"/>: never more than it has chunks.</summary>
    public int Threads(int degree) => Math.Max(1, Math.Min(degree, Count));

    /// <summary>The examples of chunk <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>); the last keeps the remainder.</summary>
    public (int Start, int Count) Chunk(int index)
    {
        if (Count == 1)
        {
            return (0, Examples);
        }

        int blocks = Examples / ExampleAlignment;
        int start = (int)((long)blocks * index / Count) * ExampleAlignment;
        int end = index == Count - 1 ? Examples : (int)((long)blocks * (index + 1) / Count) * ExampleAlignment;
        return (start, end - start);
    }
}

/// <summary>
/// The buffers of an example-split step, reused so a step allocates nothing after the first: a gradient buffer and a
/// workspace per chunk. <see cref="Of"/> keeps them with the network between <c>Fit</c> calls. Not thread-safe: one
/// training session at a time, which the trainer's lease on the network guarantees.
/// </summary>
internal sealed unsafe class ChunkedGradients
{
    /// <summary>
    /// The most floats of chunk scratch kept with a network after its batch was sized (64 MB, the bound of the chunks'
    /// gradients): a larger full batch is rare and its scratch is not worth holding for the network's lifetime.
    /// </summary>
    internal const long MaxKeptScratchFloats = 1L << 24;

    // Per network instance, for as long as it lives: a SimpleChains-sized full batch trains in many short Fit calls, and
    // allocating the 4.9 MB of chunk workspaces anew each call cost about 4 % of its steps in page faults alone.
    private static readonly ConditionalWeakTable<ITrainableNetwork, ChunkedGradients> s_kept = new();

    private readonly float?[] _costs = new float?[ExampleChunks.MaxChunks];
    private readonly Exception?[] _failures = new Exception?[ExampleChunks.MaxChunks];
    private float[][] _gradients = [];
    private Workspace[] _workspaces = [];
    private ITrainableNetwork? _network;

    // The largest batch size whose chunk workspaces were checked against one array's limit (see CheckScratch); smaller
    // batches need no check.
    private int _sizedFor = -1;

    /// <summary>
    /// The buffers kept with <paramref name="network"/>, made on its first example-split step; a later <c>Fit</c> on the
    /// same instance reuses them (only the trainer's lease holder may call this).
    /// </summary>
    public static ChunkedGradients Of(ITrainableNetwork network) => s_kept.GetValue(network, static _ => new ChunkedGradients());

    /// <summary>
    /// Writes the mean gradient of the batch into <paramref name="gradients"/> and returns the mean cost (null when
    /// <paramref name="computeCost"/> is false and the network skipped it): every chunk's
    /// <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace, bool, ulong)"/>
    /// on up to <paramref name="degree"/> threads, each chunk's products on its own thread, then the reduction in chunk order.
    /// </summary>
    /// <remarks>A chunk that throws is rethrown as it was (the first in chunk order), after every chunk has finished.</remarks>
    public float? Compute(
        ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, ExampleChunks chunks, bool computeCost, ulong stepSeed, int degree)
    {
        Prepare(network, chunks.Count);
        GCHandle self = GCHandle.Alloc(this);
        try
        {
            fixed (float* pInputs = inputs)
            fixed (float* pLabels = labels)
            {
                var pass = new Pass
                {
                    Self = GCHandle.ToIntPtr(self),
                    Inputs = pInputs,
                    Labels = pLabels,
                    InputSize = network.InputSize,
                    OutputSize = network.OutputSize,
                    Chunks = chunks,
                    ComputeCost = computeCost,
                    StepSeed = stepSeed,
                };

                if (chunks.Examples > _sizedFor)
                {
                    // The first step of a larger batch runs chunk 0 alone, which sizes its workspace, so that a batch
                    // whose chunks would together hold more scratch than one array is refused before the others
                    // allocate theirs (see CheckScratch).
                    pass.Claimed = 1;
                    RunAlone(ref pass, 0);
                    long scratch = CheckScratch(network, chunks);
                    _sizedFor = chunks.Examples;
                    if (scratch > MaxKeptScratchFloats && s_kept.TryGetValue(network, out ChunkedGradients? kept) && kept == this)
                    {
                        // This session keeps using them; the next one starts afresh.
                        s_kept.Remove(network);
                    }
                }

                int threads = chunks.Threads(degree);
                if (threads > 1)
                {
                    KernelWorkers.Run(&ClaimChunks, &pass, threads);
                }
                else
                {
                    ClaimChunks(&pass, 0, 1);
                }

                for (int c = 0; c < chunks.Count; c++)
                {
                    if (_failures[c] is Exception failure)
                    {
                        _network = null;
                        ExceptionDispatchInfo.Throw(failure);
                    }
                }

                _network = null;
                return Reduce(pass.Self, gradients, chunks, degree);
            }
        }
        finally
        {
            self.Free();
        }
    }

    /// <summary>Chunk <paramref name="chunk"/> on the calling thread with its products held to it.</summary>
    private void RunAlone(ref Pass pass, int chunk)
    {
        using KernelParallelism.Scope one = KernelParallelism.Override(1);
        Run(ref pass, chunk);
    }

    /// <summary>
    /// Refuses a batch whose chunks' workspaces would together exceed what one array holds, the limit a whole batch has
    /// (its one workspace), with the same exception the network throws for a whole batch, so <c>Fit</c> reports it the
    /// same way (the batch size, and mini-batches as the remedy) and nothing has been updated. Without it a full batch
    /// too large for one array would silently take that much memory in chunks.
    /// </summary>
    /// <returns>About how many floats the chunks' workspaces take together.</returns>
    private long CheckScratch(ITrainableNetwork network, ExampleChunks chunks)
    {
        if (_failures[0] is not null)
        {
            return 0;
        }

        int first = chunks.Chunk(0).Count;
        long perExample = (_workspaces[0].Capacity + (long)first - 1) / first;
        long total = perExample * chunks.Examples;
        if (total > Array.MaxLength)
        {
            _network = null;
            throw new WorkspaceSizeException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{network.Name}.ComputeGradients: the training workspace needs about {perExample} floats per example x {chunks.Examples} examples = {total} floats, more than one array holds ({Array.MaxLength}), even when the batch is cut into {chunks.Count} chunks. Train in mini-batches of at most {Array.MaxLength / Math.Max(perExample, 1)} examples (TrainingOptions.BatchSize, or a source of batches)."),
                network.Name,
                "ComputeGradients",
                chunks.Examples);
        }

        return total;
    }

    private void Prepare(ITrainableNetwork network, int count)
    {
        _network = network;
        int length = network.ParameterCount;
        if (_gradients.Length < count || _gradients[0].Length != length)
        {
            var grown = new float[count][];
            var workspaces = new Workspace[count];
            for (int c = 0; c < count; c++)
            {
                grown[c] = c < _gradients.Length && _gradients[c].Length == length ? _gradients[c] : new float[length];
                workspaces[c] = c < _workspaces.Length ? _workspaces[c] : new Workspace();
            }

            _gradients = grown;
            _workspaces = workspaces;
            _sizedFor = -1;
        }
    }

    /// <summary>
    /// Σ (m_c / m)·g_c in chunk order, in parts of the parameters shared by up to <paramref name="degree"/> threads
    /// (each element's sum is the same whoever computes it); the cost likewise, in double.
    /// </summary>
    private float? Reduce(nint self, Span<float> gradients, ExampleChunks chunks, int degree)
    {
        double m = chunks.Examples;
        double cost = 0;
        bool costKnown = true;
        float* weights = stackalloc float[ExampleChunks.MaxChunks];
        for (int c = 0; c < chunks.Count; c++)
        {
            int count = chunks.Chunk(c).Count;
            weights[c] = (float)(count / m);
            if (_costs[c] is float chunkCost)
            {
                cost += chunkCost * (count / m);
            }
            else
            {
                costKnown = false;
            }
        }

        fixed (float* pSum = gradients)
        {
            var sum = new SumPass
            {
                Self = self,
                Weights = weights,
                Count = chunks.Count,
                Sum = pSum,
                Length = gradients.Length,
                Parts = (int)(((long)gradients.Length + OptimizerUpdate.PartLength - 1) / OptimizerUpdate.PartLength),
            };

            // The sum reads every chunk's gradient and writes one more (0.9 MB each for [784,256,128,10]): run alone, it
            // left the second thread waiting for as long as it took.
            int threads = Math.Min(degree, sum.Parts);
            if (threads > 1)
            {
                KernelWorkers.Run(&SumParts, &sum, threads);
            }
            else
            {
                WeightedSum(_gradients, weights, chunks.Count, pSum, 0, gradients.Length);
            }
        }

        return costKnown ? (float)cost : null;
    }

    private static void SumParts(void* state, int thread, int threads)
    {
        ref SumPass pass = ref *(SumPass*)state;
        var self = (ChunkedGradients)GCHandle.FromIntPtr(pass.Self).Target!;
        for (int part = Interlocked.Increment(ref pass.Claimed) - 1; part < pass.Parts; part = Interlocked.Increment(ref pass.Claimed) - 1)
        {
            int start = part * OptimizerUpdate.PartLength;
            WeightedSum(self._gradients, pass.Weights, pass.Count, pass.Sum, start, Math.Min(start + OptimizerUpdate.PartLength, pass.Length));
        }
    }

    /// <summary>
    /// sum[i] = Σ_c weights[c]·parts[c][i] in chunk order, each product rounded and then added (not fused), the bits
    /// of <c>TensorPrimitives.Multiply</c> of the first part followed by <c>TensorPrimitives.MultiplyAdd</c> of each
    /// other, in one pass: a dense network's chunk gradients are as large as its parameters (0.9 MB for
    /// [784,256,128,10]), and a pass per chunk re-read and re-wrote the sum each time.
    /// </summary>
    /// <remarks>Elements [<paramref name="start"/>, <paramref name="end"/>); any split of the range gives the same bits, as every element is added alone.</remarks>
    private static void WeightedSum(float[][] parts, float* weights, int count, float* pSum, int start, int end)
    {
        int i = start;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= end - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> total = Vector512.LoadUnsafe(ref parts[0][i]) * weights[0];
                for (int c = 1; c < count; c++)
                {
                    total = (Vector512.LoadUnsafe(ref parts[c][i]) * weights[c]) + total;
                }

                total.Store(pSum + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> total = Vector256.LoadUnsafe(ref parts[0][i]) * weights[0];
                for (int c = 1; c < count; c++)
                {
                    total = (Vector256.LoadUnsafe(ref parts[c][i]) * weights[c]) + total;
                }

                total.Store(pSum + i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= end - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128<float> total = Vector128.LoadUnsafe(ref parts[0][i]) * weights[0];
                for (int c = 1; c < count; c++)
                {
                    total = (Vector128.LoadUnsafe(ref parts[c][i]) * weights[c]) + total;
                }

                total.Store(pSum + i);
            }
        }

        for (; i < end; i++)
        {
            float total = parts[0][i] * weights[0];
            for (int c = 1; c < count; c++)
            {
                total = (parts[c][i] * weights[c]) + total;
            }

            pSum[i] = total;
        }
    }

    private static void ClaimChunks(void* state, int thread, int threads)
    {
        ref Pass pass = ref *(Pass*)state;
        var self = (ChunkedGradients)GCHandle.FromIntPtr(pass.Self).Target!;

        // A chunk is one thread's work: its products must not ask for the pool this step is running on.
        using KernelParallelism.Scope one = KernelParallelism.Override(1);
        for (int c = Interlocked.Increment(ref pass.Claimed) - 1; c < pass.Chunks.Count; c = Interlocked.Increment(ref pass.Claimed) - 1)
        {
            self.Run(ref pass, c);
        }
    }

    private void Run(ref Pass pass, int chunk)
    {
        (int start, int count) = pass.Chunks.Chunk(chunk);
        var x = new ReadOnlySpan<float>(pass.Inputs + ((nint)start * pass.InputSize), count * pass.InputSize);
        var y = new ReadOnlySpan<float>(pass.Labels + ((nint)start * pass.OutputSize), count * pass.OutputSize);
        try
        {
            _failures[chunk] = null;
            _costs[chunk] = _network!.ComputeGradients(x, y, _gradients[chunk], _workspaces[chunk], pass.ComputeCost, pass.StepSeed);
        }
        catch (Exception exception)
        {
            _failures[chunk] = exception;
        }
    }

    /// <summary>One reduction shared (on the caller's stack) by the threads that run its parts.</summary>
    private struct SumPass
    {
        public nint Self;
        public float* Weights;
        public int Count;
        public float* Sum;
        public int Length;
        public int Parts;

        /// <summary>Parts handed out so far; only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;
    }

    /// <summary>One step shared (on the caller's stack) by the threads that run its chunks.</summary>
    private struct Pass
    {
        public nint Self;
        public float* Inputs;
        public float* Labels;
        public int InputSize;
        public int OutputSize;
        public ExampleChunks Chunks;
        public bool ComputeCost;
        public ulong StepSeed;

        /// <summary>Chunks handed out so far; only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;
    }
}
