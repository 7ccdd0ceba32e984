using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace NnGen.Kernels;

/// <summary>
/// A network whose batch prediction runs in chunks of examples, each computed whole and independently of the others:
/// what <see cref="BatchPrediction.Run"/> shares out over threads. Generated networks implement it explicitly, behind
/// their <c>PredictBatch</c>; it is not meant to be called directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IChunkedPredictor
{
    /// <summary>Runs the forward pass for one chunk of examples.</summary>
    /// <param name="inputs">The chunk's examples, one per row: <paramref name="count"/> × n[0] floats.</param>
    /// <param name="outputs">Receives A[L] of the chunk, one example per row: <paramref name="count"/> × n[L] floats.</param>
    /// <param name="count">The chunk's examples, from 1 to the chunk size given to <see cref="BatchPrediction.Run"/>.</param>
    /// <param name="scratch">The scratch size given to <see cref="BatchPrediction.Run"/>, this thread's alone for the call.</param>
    void PredictChunk(ReadOnlySpan<float> inputs, Span<float> outputs, int count, Span<float> scratch);
}

/// <summary>
/// Batch prediction of a generated network: its examples in chunks of a size fixed at compile time, each chunk's whole
/// forward pass (every layer, activation and softmax) on one thread.
/// </summary>
/// <remarks>
/// With more than one thread allowed (<see cref="KernelParallelism"/>) and at least two whole chunks, the chunks are
/// handed to the threads once per call: each thread claims chunks in turn and runs them with its products held to it,
/// so the threads meet once per call instead of at every product of every chunk. A smaller batch runs its chunks on
/// the calling thread, each product splitting itself over the threads as it would anyway (<see cref="ProductSplit"/>).
/// Either way a chunk's examples, its products' sizes and so every output bit depend only on the batch and the chunk
/// size, never on the threads or the timing. Each thread's scratch is a pinned array of its own, kept for the next
/// call and starting on a 64-byte boundary, so a call allocates nothing once every thread has run a chunk.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class BatchPrediction
{
    [ThreadStatic]
    private static float[]? t_scratch;

    [ThreadStatic]
    private static Call? t_call;

    /// <summary>
    /// Writes A[L] of every example of <paramref name="inputs"/> into <paramref name="outputs"/>, chunk by chunk through
    /// <see cref="IChunkedPredictor.PredictChunk"/>: chunk c holds examples [c·chunk, min((c + 1)·chunk, m)).
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="inputs">m examples, one per row: m × <paramref name="inputSize"/> floats, m ≥ 1.</param>
    /// <param name="outputs">Receives m × <paramref name="outputSize"/> floats, one example per row.</param>
    /// <param name="inputSize">n[0].</param>
    /// <param name="outputSize">n[L].</param>
    /// <param name="chunk">Examples per chunk.</param>
    /// <param name="scratchFloats">Floats of scratch one chunk takes.</param>
    /// <param name="parameterCount">The network's parameters: with m, a lower bound on the call's work, below which it stays on the calling thread.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/>, <paramref name="outputSize"/> or <paramref name="chunk"/> is less than 1, or <paramref name="scratchFloats"/> or <paramref name="parameterCount"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is not a whole, positive number of examples, or <paramref name="outputs"/> does not hold one row per example; nothing is written.</exception>
    /// <remarks>An exception thrown by a chunk is rethrown as it was, once the chunks already started have finished; no chunk starts after it, and of several failing chunks the first in chunk order is rethrown, on any number of threads.</remarks>
    public static void Run(
        IChunkedPredictor network, ReadOnlySpan<float> inputs, Span<float> outputs, int inputSize, int outputSize, int chunk, int scratchFloats, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(scratchFloats);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        int m = inputs.Length / inputSize;
        if (inputs.Length == 0 || inputs.Length % inputSize != 0 || (long)outputs.Length != (long)m * outputSize)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"BatchPrediction.Run: inputs has {inputs.Length} floats and outputs {outputs.Length}; expected m x {inputSize} and m x {outputSize} floats with m >= 1."),
                nameof(inputs));
        }

        int chunks = (int)(((long)m + chunk - 1) / chunk);
        int threads = Math.Min(KernelParallelism.Current, chunks);
        if (threads < 2 || m / chunk < 2 || 2L * m * parameterCount < KernelParallelism.MinimumParallelFlops)
        {
            Span<float> scratch = Scratch(scratchFloats);
            for (int start = 0; start < m; start += chunk)
            {
                int count = Math.Min(chunk, m - start);
                network.PredictChunk(inputs.Slice(start * inputSize, count * inputSize), outputs.Slice(start * outputSize, count * outputSize), count, scratch);
            }

            return;
        }

        Call call = t_call ??= new Call();
        call.Network = network;
        GCHandle handle = GCHandle.Alloc(call);
        try
        {
            fixed (float* pInputs = inputs)
            fixed (float* pOutputs = outputs)
            {
                var pass = new Pass
                {
                    Call = GCHandle.ToIntPtr(handle),
                    Inputs = pInputs,
                    Outputs = pOutputs,
                    Examples = m,
                    InputSize = inputSize,
                    OutputSize = outputSize,
                    Chunk = chunk,
                    Chunks = chunks,
                    ScratchFloats = scratchFloats,
                };
                KernelWorkers.Run(&ClaimChunks, &pass, threads);
            }
        }
        finally
        {
            handle.Free();
            call.Network = null;
        }

        if (call.TakeFailure() is Exception failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>One thread's share: chunks claimed in turn until none is left or one has failed, its products held to this thread.</summary>
    private static void ClaimChunks(void* state, int thread, int threads)
    {
        ref Pass pass = ref *(Pass*)state;
        var call = (Call)GCHandle.FromIntPtr(pass.Call).Target!;
        IChunkedPredictor network = call.Network!;

        // A chunk is one thread's work: its products must not ask for the pool this call is running on.
        using KernelParallelism.Scope one = KernelParallelism.Override(1);
        Span<float> scratch = Scratch(pass.ScratchFloats);
        // A claimed chunk always runs, so the first failing chunk in chunk order is among those that ran: chunks are
        // claimed in order, and none is claimed once one has failed.
        while (Volatile.Read(ref pass.Failed) == 0)
        {
            int c = Interlocked.Increment(ref pass.Claimed) - 1;
            if (c >= pass.Chunks)
            {
                break;
            }

            int start = c * pass.Chunk;
            int count = Math.Min(pass.Chunk, pass.Examples - start);
            var inputs = new ReadOnlySpan<float>(pass.Inputs + ((nint)start * pass.InputSize), count * pass.InputSize);
            var outputs = new Span<float>(pass.Outputs + ((nint)start * pass.OutputSize), count * pass.OutputSize);
            try
            {
                network.PredictChunk(inputs, outputs, count, scratch);
            }
            catch (Exception exception)
            {
                call.Fail(c, exception);
                Volatile.Write(ref pass.Failed, 1);
            }
        }
    }

    /// <summary>
    /// This thread's scratch for one chunk: at least <paramref name="floats"/> floats starting on a 64-byte boundary, so
    /// the activations' rows start where the kernels' vector loads do not split cache lines. Pinned, kept and grown to the
    /// largest chunk this thread has run.
    /// </summary>
    private static Span<float> Scratch(int floats)
    {
        float[]? buffer = t_scratch;
        if (buffer is null || buffer.Length < floats + 16)
        {
            buffer = t_scratch = GC.AllocateArray<float>(floats + 16, pinned: true);
        }

        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        int skip = (int)(((start + 63) & ~(nint)63) - start) / sizeof(float);
        return buffer.AsSpan(skip, floats);
    }

    /// <summary>What the threads of one call share beyond <see cref="Pass"/>: the network and the first failure in chunk order. One per calling thread, reused.</summary>
    private sealed class Call
    {
        private Exception? _failure;
        private int _failedChunk;

        public IChunkedPredictor? Network { get; set; }

        public void Fail(int chunk, Exception exception)
        {
            lock (this)
            {
                if (_failure is null || chunk < _failedChunk)
                {
                    _failure = exception;
                    _failedChunk = chunk;
                }
            }
        }

        public Exception? TakeFailure()
        {
            Exception? failure = _failure;
            _failure = null;
            return failure;
        }
    }

    /// <summary>One call shared (on the caller's stack) by the threads that run its chunks.</summary>
    private struct Pass
    {
        public nint Call;
        public float* Inputs;
        public float* Outputs;
        public int Examples;
        public int InputSize;
        public int OutputSize;
        public int Chunk;
        public int Chunks;
        public int ScratchFloats;

        /// <summary>Chunks handed out so far; only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;

        /// <summary>1 once a chunk has thrown: no chunk starts after it.</summary>
        public int Failed;
    }
}
