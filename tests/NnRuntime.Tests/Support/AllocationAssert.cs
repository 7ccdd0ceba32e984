using System;

namespace NnGen.Tests.Support;

/// <summary>
/// Allocation checks with <see cref="GC.GetAllocatedBytesForCurrentThread"/>. The runtime itself occasionally
/// allocates a few hundred bytes on the calling thread while it re-compiles hot methods (tiering, on-stack
/// replacement), so a measurement is repeated: code that allocates per call allocates in every round, whereas the
/// runtime's one-off allocations leave at least one clean round.
/// </summary>
public static class AllocationAssert
{
    private const int Rounds = 4;

    /// <summary>Fails unless some round of <paramref name="measure"/> (which returns bytes allocated) reports 0.</summary>
    public static void NoAllocation(Func<long> measure, string what)
    {
        long[] rounds = new long[Rounds];
        for (int i = 0; i < Rounds; i++)
        {
            rounds[i] = measure();
            if (rounds[i] == 0)
            {
                return;
            }
        }

        Assert.Fail($"{what} allocated in every one of {Rounds} rounds: {string.Join(", ", rounds)} bytes.");
    }

    /// <summary>Fails unless some round of <paramref name="calls"/> calls to <paramref name="body"/> allocates 0 bytes.</summary>
    public static void NoAllocation(Action body, int calls, string what)
    {
        body();
        NoAllocation(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++)
                {
                    body();
                }

                return GC.GetAllocatedBytesForCurrentThread() - before;
            },
            what);
    }

    /// <summary>
    /// Fails unless, in some round, a training run allocates nothing on its thread from its second record point to its
    /// last. <paramref name="fit"/> runs <c>Fit</c> with the given progress as <see cref="TrainingOptions.Progress"/>, which
    /// reads the allocated bytes at every record point, so its options need at least three record points.
    /// </summary>
    /// <remarks>
    /// What a run allocates once stays outside the window: its buffers (sized at the start or by the first pass) and
    /// its history, whose verdict is a message only when training went wrong, with figures of varying length. Comparing
    /// a long run with a short one would count that message whenever the two verdicts differ, and a run's verdict can
    /// turn on the last bits of a cost that sits at a plateau.
    /// </remarks>
    public static void NoAllocationBetweenRecords(Func<IProgress<TrainingProgress>, TrainingHistory> fit, string what) =>
        NoAllocation(
            () =>
            {
                var recorder = new AllocationRecorder();
                TrainingHistory history = fit(recorder);
                Assert.True(
                    recorder.Count is >= 3 and <= AllocationRecorder.Capacity,
                    $"{what}: the run reported {recorder.Count} record points ({history.Status}); the check needs 3 to {AllocationRecorder.Capacity}.");
                return recorder.BytesFromSecondToLast;
            },
            what);

    /// <summary>Reads the thread's allocated bytes at each record point, into room taken before the run starts.</summary>
    private sealed class AllocationRecorder : IProgress<TrainingProgress>
    {
        public const int Capacity = 1024;

        private readonly long[] _bytes = new long[Capacity];

        public int Count { get; private set; }

        public long BytesFromSecondToLast => _bytes[Count - 1] - _bytes[1];

        public void Report(TrainingProgress value)
        {
            if (Count < Capacity)
            {
                _bytes[Count] = GC.GetAllocatedBytesForCurrentThread();
            }

            Count++;
        }
    }
}
