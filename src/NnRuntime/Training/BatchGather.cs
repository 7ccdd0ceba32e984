using System;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using NnGen.Kernels;

namespace NnGen;

/// <summary>
/// Copies the examples of a shuffled mini-batch (inputs and label rows) out of the training set into the batch buffers,
/// in batch order, shared over the threads <see cref="KernelParallelism"/> allows. Copies are exact, so the threads
/// change nothing but the time.
/// </summary>
/// <remarks>
/// The rows of a shuffled batch sit anywhere in a training set far larger than the caches, so each copy would wait for
/// its first lines from memory; asking for the lines of the row a few rows ahead lets those waits overlap.
/// </remarks>
internal static unsafe class BatchGather
{
    /// <summary>Rows per part of a shared gather (about 100 KB of Fashion-MNIST inputs).</summary>
    internal const int PartRows = 32;

    private const int Ahead = 4;
    private const int LineFloats = 16;

    /// <summary>
    /// Row r of the batch becomes example <paramref name="rows"/>[r]: its <paramref name="inputSize"/> inputs and
    /// <paramref name="outputSize"/> labels.
    /// </summary>
    internal static void Gather(
        ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, int inputSize, int outputSize, ReadOnlySpan<int> rows, Span<float> batchInputs, Span<float> batchLabels, int degree)
    {
        fixed (float* pInputs = inputs)
        fixed (float* pLabels = labels)
        fixed (int* pRows = rows)
        fixed (float* pBatchInputs = batchInputs)
        fixed (float* pBatchLabels = batchLabels)
        {
            var pass = new Pass
            {
                Inputs = pInputs,
                Labels = pLabels,
                InputSize = inputSize,
                OutputSize = outputSize,
                Rows = pRows,
                Count = rows.Length,
                BatchInputs = pBatchInputs,
                BatchLabels = pBatchLabels,
                Parts = (rows.Length + PartRows - 1) / PartRows,
            };

            int threads = Math.Min(degree, pass.Parts);
            if (threads > 1)
            {
                KernelWorkers.Run(&ClaimParts, &pass, threads);
            }
            else
            {
                pass.Copy(0, rows.Length);
            }
        }
    }

    private static void ClaimParts(void* state, int thread, int threads)
    {
        ref Pass pass = ref *(Pass*)state;
        for (int part = Interlocked.Increment(ref pass.Claimed) - 1; part < pass.Parts; part = Interlocked.Increment(ref pass.Claimed) - 1)
        {
            int start = part * PartRows;
            pass.Copy(start, Math.Min(start + PartRows, pass.Count));
        }
    }

    private struct Pass
    {
        public float* Inputs;
        public float* Labels;
        public int InputSize;
        public int OutputSize;
        public int* Rows;
        public int Count;
        public float* BatchInputs;
        public float* BatchLabels;
        public int Parts;

        /// <summary>Parts handed out so far; only <see cref="Interlocked"/> touches it.</summary>
        public int Claimed;

        public readonly void Copy(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                if (Sse.IsSupported && row + Ahead < Count)
                {
                    float* next = Inputs + ((nint)Rows[row + Ahead] * InputSize);
                    for (int offset = 0; offset < InputSize; offset += LineFloats)
                    {
                        Sse.Prefetch0(next + offset);
                    }
                }

                nint example = Rows[row];
                new ReadOnlySpan<float>(Inputs + (example * InputSize), InputSize).CopyTo(new Span<float>(BatchInputs + ((nint)row * InputSize), InputSize));
                new ReadOnlySpan<float>(Labels + (example * OutputSize), OutputSize).CopyTo(new Span<float>(BatchLabels + ((nint)row * OutputSize), OutputSize));
            }
        }
    }
}
