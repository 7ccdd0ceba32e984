using System;
using System.Collections.Generic;

namespace NnGen.Data;

/// <summary>
/// The contents of an IDX file of unsigned bytes (the format of MNIST and Fashion-MNIST): its dimensions and its values
/// in row-major order, as read by <see cref="IdxReader.Read"/>.
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(string path, int[] dimensions, byte[] values)
    {
        Path = path;
        Dimensions = Array.AsReadOnly(dimensions);
        Values = values;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>The size of each dimension, outermost first (e.g. 60000, 28, 28 for the training images).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Every value, row-major (the last dimension varies fastest); the product of <see cref="Dimensions"/> bytes.</summary>
    public byte[] Values { get; }

    /// <summary>The size of the first dimension: examples in a data set file.</summary>
    public int Count => Dimensions[0];

    /// <summary>Values per example: the product of every dimension after the first (1 for a one-dimensional label file).</summary>
    public int ValuesPerExample => Values.Length / Count;
}
