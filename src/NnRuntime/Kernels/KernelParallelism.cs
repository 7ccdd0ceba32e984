using System;
using System.Diagnostics;
using System.Threading;

namespace NnGen.Kernels;

/// <summary>
/// How many cores NnGen's large matrix products may use. Single-example prediction never leaves the calling thread;
/// batch products big enough to pay for the hand-off (see <see cref="MinimumParallelFlops"/>) split their output
/// columns over up to this many threads: the caller plus persistent background workers, started once and then reused,
/// so a parallel product allocates nothing.
/// </summary>
/// <remarks>
/// The split follows the kernels' own column tiles, so every output element is computed by one thread with exactly
/// the arithmetic of the single-threaded product: results are bit-for-bit the same for any degree and any timing.
/// <see cref="TrainingOptions.MaxDegreeOfParallelism"/> overrides the process-wide setting for the duration of one
/// <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/>.
/// </remarks>
public static class KernelParallelism
{
    /// <summary>Products below this many floating-point operations (2·m·k·n) stay on the calling thread.</summary>
    public const long MinimumParallelFlops = 8L << 20;

    private static int s_maxDegree = Environment.ProcessorCount;

    [ThreadStatic]
    private static int t_override;

    /// <summary>
    /// The process-wide limit for batch prediction and gradient computation: 1 keeps everything on the calling thread.
    /// Defaults to <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegree;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_maxDegree = value;
        }
    }

    /// <summary>The limit in force on this thread: an override set by <see cref="Override"/>, else the process-wide one.</summary>
    internal static int Current => t_override > 0 ? t_override : s_maxDegree;

    /// <summary>Sets this thread's limit until the returned scope is disposed (what <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> uses).</summary>
    /// <param name="degree">The limit, at least 1; null leaves the process-wide one in force.</param>
    internal static Scope Override(int? degree)
    {
        int previous = t_override;
        if (degree is int value)
        {
            t_override = value;
        }

        return new Scope(previous);
    }

    /// <summary>Restores the previous per-thread limit.</summary>
    internal readonly struct Scope(int previous) : IDisposable
    {
        public void Dispose() => t_override = previous;
    }
}

/// <summary>
/// A fixed pool of background threads that each run one part of a split product while the caller runs part 0.
/// A part is a function pointer and a pointer to the caller's stack state, so no delegate or closure is allocated.
/// One product uses the pool at a time; a second concurrent caller simply runs all of its parts itself, which gives
/// the same results.
/// </summary>
internal static unsafe class KernelWorkers
{
    private static readonly object Gate = new();
    private static readonly object Creation = new();
    private static Worker[] s_workers = [];

    /// <summary>Runs <c>body(state, part, parts)</c> for every part in [0, parts), part 0 on the calling thread.</summary>
    internal static void Run(delegate*<void*, int, int, void> body, void* state, int parts)
    {
        // Workers are created (once) before the gate, so a caller that finds the pool busy and runs its parts itself
        // still leaves the pool ready: the first parallel-sized product on any thread pays for the threads, no later one.
        Worker[] workers = parts > 1 ? EnsureWorkers(parts - 1) : [];
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            for (int part = 0; part < parts; part++)
            {
                body(state, part, parts);
            }

            return;
        }

        try
        {
            for (int part = 1; part < parts; part++)
            {
                workers[part - 1].Start(body, state, part, parts);
            }

            body(state, 0, parts);
            Exception? failure = null;
            for (int part = 1; part < parts; part++)
            {
                failure ??= workers[part - 1].Wait();
            }

            if (failure is not null)
            {
                throw new AggregateException("A parallel kernel part failed.", failure);
            }
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] current = Volatile.Read(ref s_workers);
        if (current.Length >= count)
        {
            return current;
        }

        lock (Creation)
        {
            if (s_workers.Length >= count)
            {
                return s_workers;
            }

            var workers = new Worker[count];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int i = s_workers.Length; i < count; i++)
            {
                workers[i] = new Worker(i + 1);
            }

            Volatile.Write(ref s_workers, workers);
            return workers;
        }
    }

    /// <summary>
    /// A reusable one-shot signal that allocates nothing after construction (ManualResetEventSlim creates its lock
    /// object lazily, on the first wait that blocks, which would show up as an allocation in a steady-state loop).
    /// Waiting spins (yielding the core to anything else runnable) for up to <see cref="SpinMilliseconds"/> before it
    /// blocks: a training step's parallel products come close together, and a worker that has gone to sleep takes far
    /// longer to wake than a spinning one.
    /// </summary>
    private sealed class Signal
    {
        private const double SpinMilliseconds = 1;

        private static readonly long SpinTicks = (long)(SpinMilliseconds * Stopwatch.Frequency / 1000);

        private readonly object _lock = new();
        private volatile bool _set;

        public void Set()
        {
            lock (_lock)
            {
                _set = true;
                Monitor.PulseAll(_lock);
            }
        }

        public void Reset() => _set = false;

        public void Wait()
        {
            var spinner = default(SpinWait);
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (!_set && Stopwatch.GetTimestamp() < deadline)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            if (_set)
            {
                return;
            }

            lock (_lock)
            {
                while (!_set)
                {
                    Monitor.Wait(_lock);
                }
            }
        }
    }

    private sealed class Worker
    {
        private readonly Signal _start = new();
        private readonly Signal _done = new();
        private delegate*<void*, int, int, void> _body;
        private void* _state;
        private int _part;
        private int _parts;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "NnGen kernel worker " + index };
            thread.Start();
        }

        public void Start(delegate*<void*, int, int, void> body, void* state, int part, int parts)
        {
            _body = body;
            _state = state;
            _part = part;
            _parts = parts;
            _failure = null;
            _done.Reset();
            _start.Set();
        }

        public Exception? Wait()
        {
            _done.Wait();
            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                try
                {
                    _body(_state, _part, _parts);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                }

                _done.Set();
            }
        }
    }
}
