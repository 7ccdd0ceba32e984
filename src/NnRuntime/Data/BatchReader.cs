using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NnGen.Data;

/// <summary>
/// Mini-batches of (inputs, labels) read lazily, one pass over the examples per enumeration: the shape of data for
/// training on sets that should not be copied or held in memory whole. Each batch holds up to <see cref="BatchSize"/>
/// examples (the last one of a pass may hold fewer), inputs [n x <see cref="InputSize"/>] and labels
/// [n x <see cref="LabelSize"/>], example-major like <see cref="Dataset"/>.
/// </summary>
/// <remarks>
/// <para>
/// A batch's memory is reused for the next one: use (or copy) it before moving on. After the first batch a reader
/// allocates nothing per batch (enumerating through <see cref="IEnumerable{T}"/> boxes the enumerator once per pass;
/// <c>foreach</c> over the reader itself does not). A reader is not thread-safe, and only one pass may be in progress
/// at a time.
/// </para>
/// <para>
/// <see cref="FromDataset"/> reads from memory, optionally reshuffled every pass; <see cref="FromIdx"/> streams IDX
/// files (gzip or not) from disk in file order. Derive from it to stream other sources: implement
/// <see cref="ReadBatch"/>, and <see cref="BeginPass"/> / <see cref="EndPass"/> to open and close them.
/// </para>
/// </remarks>
public abstract class BatchReader : IEnumerable<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)>
{
    private readonly int _rows;
    private float[]? _inputBuffer;
    private float[]? _labelBuffer;
    private bool _inPass;

    /// <summary>Sets the sizes every pass and batch follow.</summary>
    /// <param name="count">Examples per pass; at least 1.</param>
    /// <param name="inputSize">Floats per example's inputs; at least 1.</param>
    /// <param name="labelSize">Floats per example's labels; at least 1.</param>
    /// <param name="batchSize">The most examples per batch; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">A batch of <paramref name="batchSize"/> examples would not fit in one array.</exception>
    protected BatchReader(int count, int inputSize, int labelSize, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int rows = Math.Min(batchSize, count);
        if ((long)rows * Math.Max(inputSize, labelSize) > Array.MaxLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A batch of {rows} examples x {Math.Max(inputSize, labelSize)} floats exceeds the largest array .NET can allocate."),
                nameof(batchSize));
        }

        Count = count;
        InputSize = inputSize;
        LabelSize = labelSize;
        BatchSize = batchSize;
        _rows = rows;
    }

    /// <summary>Examples per pass, m.</summary>
    public int Count { get; }

    /// <summary>Floats per example's inputs, n[0].</summary>
    public int InputSize { get; }

    /// <summary>Floats per example's labels: 1 for class indices, the number of classes for one-hot rows.</summary>
    public int LabelSize { get; }

    /// <summary>The most examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches per pass, ⌈<see cref="Count"/> / <see cref="BatchSize"/>⌉.</summary>
    public int BatchCount => (int)(((long)Count + BatchSize - 1) / BatchSize);

    // The buffers are allocated when first used, not when the reader is made: a reader's sizes may come from a file's
    // header, and a header's claim must not cost memory before data backs it.

    /// <summary>
    /// Room for one batch of inputs, min(<see cref="BatchSize"/>, <see cref="Count"/>) × <see cref="InputSize"/> floats,
    /// for readers that copy; allocated on first use.
    /// </summary>
    protected float[] InputBuffer => _inputBuffer ??= new float[_rows * InputSize];

    /// <summary>
    /// Room for one batch of labels, min(<see cref="BatchSize"/>, <see cref="Count"/>) × <see cref="LabelSize"/> floats,
    /// for readers that copy; allocated on first use.
    /// </summary>
    protected float[] LabelBuffer => _labelBuffer ??= new float[_rows * LabelSize];

    /// <summary>
    /// A reader of <paramref name="data"/> in batches of <paramref name="batchSize"/> rows, in data set order or, with
    /// <paramref name="shuffleSeed"/>, in a new random order every pass.
    /// </summary>
    /// <param name="data">The examples; read, never changed.</param>
    /// <param name="batchSize">The most examples per batch; at least 1.</param>
    /// <param name="shuffleSeed">
    /// Null for data set order (batches then point into <paramref name="data"/>'s arrays, nothing is copied); otherwise a
    /// NumPy seed: one <see cref="NumPyRandom"/> for the reader's life, and pass k uses its k-th
    /// <c>permutation(m)</c>, the order in which <c>Trainer.Fit</c> visits mini-batches for the same seed.
    /// </param>
    /// <returns>A reader of <see cref="Dataset.Count"/> examples per pass.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1 or <paramref name="shuffleSeed"/> is negative.</exception>
    public static BatchReader FromDataset(Dataset data, int batchSize, int? shuffleSeed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new DatasetBatchReader(data, batchSize, shuffleSeed);
    }

    /// <summary>
    /// A reader that streams an IDX image file and its label file (gzip or not) batch by batch, in file order, holding
    /// only one batch in memory: pixels × <paramref name="pixelScale"/> as in <see cref="IdxReader.LoadDataset"/>, labels
    /// one-hot or as class indices. The headers are checked now; the data as it is read.
    /// </summary>
    /// <param name="imagesPath">An IDX file of m images (2 or more dimensions).</param>
    /// <param name="labelsPath">An IDX file of m labels (1 dimension), each below <paramref name="classCount"/>.</param>
    /// <param name="batchSize">The most examples per batch; at least 1.</param>
    /// <param name="classCount">The number of classes, 2 to 256.</param>
    /// <param name="encoding">One-hot rows (the default) or class indices.</param>
    /// <param name="pixelScale">The factor for every pixel, applied in double and rounded to float once; finite.</param>
    /// <returns>
    /// A reader whose every enumeration opens the files and reads them once. A file that is a pipe (<c>&lt;(zcat …)</c>,
    /// <c>/dev/stdin</c>) is read by the first pass only.
    /// </returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="IOException">A file cannot be read (a directory, no permission).</exception>
    /// <exception cref="InvalidDataException">
    /// A header is invalid, an uncompressed file's length disagrees with its header, or the files hold different numbers
    /// of examples; during a pass, a label beyond the classes, truncated data or bytes after the data (messages as
    /// <see cref="IdxReader.Read"/>'s).
    /// </exception>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public static BatchReader FromIdx(
        string imagesPath,
        string labelsPath,
        int batchSize,
        int classCount,
        LabelEncoding encoding = LabelEncoding.OneHot,
        double pixelScale = 1.0 / 255)
    {
        IdxReader.CheckDatasetArguments(imagesPath, labelsPath, classCount, encoding, pixelScale, classNames: null);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new IdxBatchReader(imagesPath, labelsPath, batchSize, classCount, encoding, pixelScale);
    }

    /// <summary>
    /// The same passes as <see cref="TrainingBatch"/>es, the source type of
    /// <see cref="Trainer.Fit(ITrainableNetwork, IEnumerable{TrainingBatch}, TrainingOptions)"/>:
    /// <c>Trainer.Fit(network, reader.AsTrainingBatches(), options)</c>.
    /// Each enumeration is one pass of this reader, with the same reuse of memory.
    /// </summary>
    /// <returns>A view of this reader; it reads nothing until enumerated.</returns>
    public IEnumerable<TrainingBatch> AsTrainingBatches() => new TrainingBatches(this);

    /// <summary>Starts a pass over the examples: each <see cref="Enumerator.MoveNext"/> reads the next batch.</summary>
    /// <returns>An enumerator whose <see cref="Enumerator.Dispose"/> ends the pass.</returns>
    /// <exception cref="InvalidOperationException">Another pass over this reader has not been disposed.</exception>
    public Enumerator GetEnumerator()
    {
        if (_inPass)
        {
            throw new InvalidOperationException("A pass over this BatchReader is already in progress; a reader reuses its batch memory, so finish or dispose one enumeration before starting the next.");
        }

        _inPass = true;
        return new Enumerator(this);
    }

    IEnumerator<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)> IEnumerable<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)>.GetEnumerator() =>
        GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Called before the first batch of a pass, e.g. to open files or draw a new order.</summary>
    protected virtual void BeginPass()
    {
    }

    /// <summary>
    /// Reads the examples <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 of the current
    /// pass. Passes read batches in order, so a stream can read sequentially.
    /// </summary>
    /// <param name="first">The position in the pass of the batch's first example.</param>
    /// <param name="count">Examples in this batch, 1 to <see cref="BatchSize"/>.</param>
    /// <param name="inputs">Set to <paramref name="count"/> × <see cref="InputSize"/> floats, e.g. a slice of <see cref="InputBuffer"/>.</param>
    /// <param name="labels">Set to <paramref name="count"/> × <see cref="LabelSize"/> floats, e.g. a slice of <see cref="LabelBuffer"/>.</param>
    protected abstract void ReadBatch(int first, int count, out ReadOnlyMemory<float> inputs, out ReadOnlyMemory<float> labels);

    /// <summary>Called when a pass ends, finished or abandoned (its enumerator is disposed), e.g. to close files.</summary>
    protected virtual void EndPass()
    {
    }

    private sealed class TrainingBatches(BatchReader reader) : IEnumerable<TrainingBatch>
    {
        public IEnumerator<TrainingBatch> GetEnumerator()
        {
            foreach (var (inputs, labels) in reader)
            {
                yield return new TrainingBatch(inputs, labels);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>One pass over a <see cref="BatchReader"/>; a struct so that <c>foreach</c> over the reader allocates nothing.</summary>
    public struct Enumerator : IEnumerator<(ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels)>
    {
        private readonly BatchReader _reader;
        private int _next;
        private bool _begun;
        private bool _disposed;
        private (ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels) _current;

        internal Enumerator(BatchReader reader)
        {
            _reader = reader;
            _next = 0;
            _begun = false;
            _disposed = false;
            _current = default;
        }

        /// <summary>The batch read by the last <see cref="MoveNext"/>; valid until the next call.</summary>
        public readonly (ReadOnlyMemory<float> Inputs, ReadOnlyMemory<float> Labels) Current => _current;

        readonly object IEnumerator.Current => _current;

        /// <summary>Reads the next batch of the pass.</summary>
        /// <returns>False when the pass has covered every example.</returns>
        /// <exception cref="ObjectDisposedException">The pass was disposed.</exception>
        /// <exception cref="InvalidOperationException">The reader streams from a pipe that an earlier pass has read.</exception>
        /// <exception cref="InvalidDataException">The data of a streamed file is damaged (see <see cref="FromIdx"/>).</exception>
        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(Enumerator));
            if (_next >= _reader.Count)
            {
                _current = default;
                return false;
            }

            if (!_begun)
            {
                _begun = true;
                _reader.BeginPass();
            }

            int count = Math.Min(_reader.BatchSize, _reader.Count - _next);
            _reader.ReadBatch(_next, count, out ReadOnlyMemory<float> inputs, out ReadOnlyMemory<float> labels);
            _current = (inputs, labels);
            _next += count;
            return true;
        }

        /// <summary>Not supported: a pass cannot be restarted; start a new enumeration instead.</summary>
        /// <exception cref="NotSupportedException">Always.</exception>
        public readonly void Reset() => throw new NotSupportedException("A BatchReader pass cannot be restarted; dispose it and enumerate the reader again.");

        /// <summary>Ends the pass (closing what the reader opened) so the reader can be enumerated again.</summary>
        public void Dispose()
        {
            if (_disposed || _reader is null)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (_begun)
                {
                    _reader.EndPass();
                }
            }
            finally
            {
                _reader._inPass = false;
            }
        }
    }
}
