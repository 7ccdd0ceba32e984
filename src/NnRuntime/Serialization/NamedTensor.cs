using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen;

/// <summary>
/// A float tensor saved beside a network's weights under its own name, such as a standardizer's mean and scale:
/// whatever else a prediction needs travels in the same file.
/// </summary>
public sealed class NamedTensor
{
    private readonly int[] _shape;
    private readonly float[] _values;

    /// <summary>Creates a tensor; the values are copied.</summary>
    /// <param name="name">Its name in the file: not empty, not <c>__metadata__</c>, and not a name the weights use (W1, b1, …).</param>
    /// <param name="shape">Its dimensions (none for a scalar); their product is the number of values.</param>
    /// <param name="values">The values, row-major.</param>
    /// <exception cref="ArgumentException">The name is empty or reserved, a dimension is negative, or the shape does not match the values.</exception>
    public NamedTensor(string name, IReadOnlyList<int> shape, ReadOnlySpan<float> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensors.MetadataKey)
        {
            throw new ArgumentException($"'{SafeTensors.MetadataKey}' is the file's metadata, not a tensor name.", nameof(name));
        }

        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Tensor '{name}': dimensions must not be negative; found ({FormatShape(shape)}).", nameof(shape));
            }

            count *= dimension;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"Tensor '{name}': shape ({FormatShape(shape)}) is too large.", nameof(shape));
            }
        }

        if (count != values.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Tensor '{name}': shape ({FormatShape(shape)}) holds {count} values; found {values.Length}."),
                nameof(values));
        }

        Name = name;
        _shape = shape.ToArray();
        _values = values.ToArray();
    }

    /// <summary>Creates a one-dimensional tensor of <paramref name="values"/>.Length values.</summary>
    public NamedTensor(string name, ReadOnlySpan<float> values)
        : this(name, new[] { values.Length }, values)
    {
    }

    /// <summary>The tensor's name in the file.</summary>
    public string Name { get; }

    /// <summary>Its dimensions.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Its values, row-major.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({FormatShape(_shape)})";

    internal static string FormatShape(IEnumerable<long> shape) => string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    internal static string FormatShape(IEnumerable<int> shape) => FormatShape(shape.Select(d => (long)d));
}
