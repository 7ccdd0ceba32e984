using System;

namespace NnGen.Data;

/// <summary>Batches of an in-memory <see cref="Dataset"/>, in order (no copy) or reshuffled every pass (copied into the batch buffers).</summary>
internal sealed class DatasetBatchReader : BatchReader
{
    private readonly Dataset _data;
    private readonly NumPyRandom? _random;
    private readonly int[]? _order;

    public DatasetBatchReader(Dataset data, int batchSize, int? shuffleSeed)
        : base(data.Count, data.InputSize, data.LabelSize, batchSize)
    {
        _data = data;
        if (shuffleSeed is int seed)
        {
            _random = new NumPyRandom(seed);
            _order = new int[data.Count];
        }
    }

    protected override void BeginPass()
    {
        if (_random is not null && _order is not null)
        {
            // A fresh permutation(m) per pass, as Trainer.Fit draws its mini-batch order.
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            _random.Shuffle<int>(_order);
        }
    }

    protected override void ReadBatch(int first, int count, out ReadOnlyMemory<float> inputs, out ReadOnlyMemory<float> labels)
    {
        if (_order is null)
        {
            inputs = new ReadOnlyMemory<float>(_data.Inputs, first * InputSize, count * InputSize);
            labels = new ReadOnlyMemory<float>(_data.Labels, first * LabelSize, count * LabelSize);
            return;
        }

        _data.CopyRows(_order.AsSpan(first, count), InputBuffer, LabelBuffer);
        inputs = new ReadOnlyMemory<float>(InputBuffer, 0, count * InputSize);
        labels = new ReadOnlyMemory<float>(LabelBuffer, 0, count * LabelSize);
    }
}
