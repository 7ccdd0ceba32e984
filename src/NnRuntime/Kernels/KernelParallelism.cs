using System;
using System.Diagnostics;
using System.Threading;

namespace NnGen.Kernels;

/// <summary>
/// How many cores NnGen's large matrix products may use. Single-example prediction never leaves the calling thread;
/// batch products big enough to pay for the hand-off (see <see cref="MinimumParallelFlops"/>) cut their output into
/// blocks (<see cref="ProductSplit"/>) shared out over up to this many threads: the caller plus persistent background workers, started once and then reused,
/// so a parallel product allocates nothing.
/// </summary>
/// <remarks>
/// The blocks follow the kernels' own tiles, so every output element is computed by one thread with exactly the
/// arithmetic of the single-threaded product: results are bit-for-bit the same for any degree and any timing.
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

/// <summary>Which operands a product reads along which axis, as far as splitting its output is concerned.</summary>
internal enum ProductOrientation
{
    /// <summary>C = A·B: rows of C need rows of A, columns of C the same columns of B (outer-product tiles).</summary>
    NN,

    /// <summary>C = A·Bᵀ: rows of C need rows of A, columns of C rows of B (dot-product tiles, or for k ≤ 64 transposed panels).</summary>
    NT,

    /// <summary>C = Aᵀ·B: rows of C need columns of A, columns of C the same columns of B (outer-product tiles).</summary>
    TN,
}

/// <summary>One part of a split product: the block of C it computes, every element of it complete.</summary>
internal readonly record struct ProductPart(int Row, int Rows, int Column, int Columns);

/// <summary>
/// How a matrix product's output C (m × n) is cut into parts for several threads: a grid of row blocks × column blocks,
/// each part computing whole elements of C over all of k (no sum is ever split), so the number of threads decides only
/// who computes a part, never what it computes.
/// </summary>
/// <remarks>
/// The grid depends on the orientation and on m, k and n, never on the vector width or the tile shape, and on the degree
/// of parallelism only where a dot-product grid would leave threads idle (see <see cref="For"/>). Cuts fall where every
/// part sees exactly the arithmetic of the whole product:
/// <list type="bullet">
/// <item>Columns at multiples of 64 for outer-product tiles (a whole number of every width's and shape's column tiles,
/// so no part is narrower than a vector and each part's last partial tile is the whole product's) and of 40 for
/// dot-product tiles (whole tiles of 4 and of 5 columns, twice over), or 20 where the degree asks for more column
/// parts; the last part keeps the remainder.</item>
/// <item>Rows of outer-product tiles at multiples of 10 with the last part keeping the remainder: every part has more
/// than 5 rows, so it takes the packed path exactly when the whole product does, and copies B as the whole product
/// would (a matter of cost only: packing changes no sum, see <c>GemmKernels.OuterBlock</c>).
/// Rows of dot-product tiles at multiples of 12 (3 and 4 rows), the last part possibly short: those tiles make no
/// decision on the row count. NT products short enough for transposed panels (k ≤ 64) mix both, so their rows are cut
/// at multiples of 60.</item>
/// </list>
/// Every part copies or re-reads its own share of the operands, so the grid first cuts along the axis that repeats
/// the least: columns for outer-product tiles (a column part packs only its own columns of B and A is read once per
/// column tile anyway); for dot-product tiles the longer side of C, since each column part copies its rows of A again
/// and each row part streams the B rows again (a 12288-wide input's B is 10 MB). The other axis is cut only as far as
/// the wanted number of parts needs: about one per <see cref="MinimumPartFlops"/>, at most <see cref="MaxParts"/>
/// (one per thread up to 16 threads; every extra part repeats some copying). A dot-product column part is at least
/// 40 columns wide so that its copy of A is reused by enough columns.
/// </remarks>
internal readonly struct ProductSplit
{
    /// <summary>Parts are made no smaller than this many floating-point operations (about ten microseconds of work on one core).</summary>
    internal const long MinimumPartFlops = 1L << 19;

    /// <summary>The most parts a product is cut into: every part repeats its own packing of an operand.</summary>
    internal const int MaxParts = 16;

    private const int OuterColumnAlignment = 64;
    private const int DotColumnAlignment = 40;
    private const int DotFineColumnAlignment = 20;
    private const int OuterRowAlignment = 10;
    private const int DotRowAlignment = 12;
    private const int TransposedRowAlignment = 60;

    private readonly int _m;
    private readonly int _n;
    private readonly int _rowAlignment;
    private readonly int _columnAlignment;
    private readonly int _rowBlocks;
    private readonly int _columnBlocks;

    private ProductSplit(ProductOrientation orientation, int m, int n, int rowAlignment, int columnAlignment, bool shortLastRows, int rowParts, int columnParts)
    {
        Orientation = orientation;
        _m = m;
        _n = n;
        _rowAlignment = rowAlignment;
        _columnAlignment = columnAlignment;
        _rowBlocks = shortLastRows ? (m + rowAlignment - 1) / rowAlignment : m / rowAlignment;
        _columnBlocks = n / columnAlignment;
        RowParts = rowParts;
        ColumnParts = columnParts;
    }

    /// <summary>The product's orientation.</summary>
    public ProductOrientation Orientation { get; }

    /// <summary>The multiple of columns at which the columns of C are cut (64, 40 or 20).</summary>
    public int ColumnAlignment => _columnAlignment;

    /// <summary>Parts along the rows of C.</summary>
    public int RowParts { get; }

    /// <summary>Parts along the columns of C.</summary>
    public int ColumnParts { get; }

    /// <summary>All parts: <see cref="RowParts"/> × <see cref="ColumnParts"/>.</summary>
    public int Parts => RowParts * ColumnParts;

    /// <summary>The threads a product runs on under a limit of <paramref name="degree"/>: never more than it has parts.</summary>
    public int Threads(int degree) => Math.Max(1, Math.Min(degree, Parts));

    /// <summary>The split of C[m×n] = op(A)·op(B) with depth k for up to <paramref name="degree"/> threads.</summary>
    /// <remarks>
    /// The degree only decides whether dot-product columns are cut at multiples of 20 (whole tiles of 4 and of 5
    /// columns) rather than 40: when the 40-column grid has fewer parts than the threads that could share the product,
    /// as for the cat network's Z1 (2 × 5 parts) on 16 threads. Every part still computes whole elements over all of k
    /// with the whole product's arithmetic, so the degree changes who computes what, never a result.
    /// </remarks>
    public static ProductSplit For(ProductOrientation orientation, int m, int k, int n, int degree)
    {
        bool dot = orientation == ProductOrientation.NT && k > GemmKernels.MaxTransposedDepth;
        int rowAlignment = dot ? DotRowAlignment : orientation == ProductOrientation.NT ? TransposedRowAlignment : OuterRowAlignment;
        long flops = 2L * m * k * n;
        if (flops < KernelParallelism.MinimumParallelFlops)
        {
            return new ProductSplit(orientation, m, n, rowAlignment, dot ? DotColumnAlignment : OuterColumnAlignment, dot, 1, 1);
        }

        int wanted = (int)Math.Clamp(flops / MinimumPartFlops, 1, MaxParts);
        if (!dot)
        {
            return Grid(orientation, m, n, rowAlignment, OuterColumnAlignment, dot, wanted);
        }

        ProductSplit coarse = Grid(orientation, m, n, rowAlignment, DotColumnAlignment, dot, wanted);
        return coarse.Parts >= Math.Min(degree, wanted)
            ? coarse
            : Grid(orientation, m, n, rowAlignment, DotFineColumnAlignment, dot, wanted);
    }

    private static ProductSplit Grid(ProductOrientation orientation, int m, int n, int rowAlignment, int columnAlignment, bool dot, int wanted)
    {
        int columnBlocks = Math.Max(1, n / columnAlignment);
        int rowBlocks = Math.Max(1, dot ? (m + rowAlignment - 1) / rowAlignment : m / rowAlignment);
        int rowParts, columnParts;
        if (dot && m >= n)
        {
            rowParts = Math.Min(rowBlocks, wanted);
            columnParts = Math.Min(columnBlocks, (wanted + rowParts - 1) / rowParts);
        }
        else
        {
            columnParts = Math.Min(columnBlocks, wanted);
            rowParts = Math.Min(rowBlocks, (wanted + columnParts - 1) / columnParts);
        }

        return new ProductSplit(orientation, m, n, rowAlignment, columnAlignment, dot, rowParts, columnParts);
    }

    /// <summary>
    /// The block of C that part <paramref name="part"/> (0 ≤ part &lt; <see cref="Parts"/>) computes. Consecutive parts
    /// share their columns, so threads working at the same time read the same slice of the column operand.
    /// </summary>
    public ProductPart Part(int part)
    {
        (int columnPart, int rowPart) = Math.DivRem(part, RowParts);
        (int column, int columns) = Cut(columnPart, ColumnParts, _columnBlocks, _columnAlignment, _n);
        (int row, int rows) = Cut(rowPart, RowParts, _rowBlocks, _rowAlignment, _m);
        return new ProductPart(row, rows, column, columns);
    }

    /// <summary>
    /// Part <paramref name="index"/> of <paramref name="parts"/> over <paramref name="blocks"/> aligned blocks; the last
    /// part ends at <paramref name="length"/>, keeping the remainder.
    /// </summary>
    private static (int Start, int Count) Cut(int index, int parts, int blocks, int alignment, int length)
    {
        if (parts == 1)
        {
            return (0, length);
        }

        int start = (int)((long)blocks * index / parts) * alignment;
        int end = index == parts - 1 ? length : (int)((long)blocks * (index + 1) / parts) * alignment;
        return (start, end - start);
    }
}
