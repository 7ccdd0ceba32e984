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
}
