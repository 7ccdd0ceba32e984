using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Shared;

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
    /// <param name="name">
    /// Its name in the file: not empty, well-formed Unicode, not <c>__metadata__</c>, and not a name the weights use
    /// (W1, b1, …; <see cref="WeightsFile.Save(ISerializableNetwork, string, IReadOnlyList{NamedTensor})"/> checks that).
    /// </param>
    /// <param name="shape">Its dimensions (none for a scalar, at most 8); their product is the number of values.</param>
    /// <param name="values">The values, row-major; every one finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The name is empty, reserved or not well-formed Unicode; the shape has more than 8 dimensions, a negative one, or
    /// more values than an array holds; the shape does not match the values; or a value is NaN or infinite. These are the
    /// rules <see cref="WeightsFile"/> applies to every extra tensor it loads, so whatever can be saved can be loaded.
    /// </exception>
    public NamedTensor(string name, IReadOnlyList<int> shape, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        long[] dimensions = shape.Select(d => (long)d).ToArray();
        if (NameProblem(name) is string badName)
        {
            throw new ArgumentException($"Tensor '{name}': {badName}", nameof(name));
        }

        if (ShapeProblem(dimensions) is string badShape)
        {
            throw new ArgumentException($"Tensor '{name}': {badShape}", nameof(shape));
        }

        long count = ElementCount(dimensions);
        if (count != values.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Tensor '{name}': shape ({FormatShape(shape)}) holds {count} values; found {values.Length}."),
                nameof(values));
        }

        if (ValueProblem(dimensions, values) is string badValue)
        {
            throw new ArgumentException($"Tensor '{name}': {badValue}", nameof(values));
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

    /// <summary>
    /// What is wrong with <paramref name="name"/> as the name of a tensor in a weight file, or null. The loader applies
    /// the same rules to every extra tensor, so a file that saved cannot fail to load.
    /// </summary>
    internal static string? NameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty; a tensor needs a name.";
        }

        if (name == SafeTensors.MetadataKey)
        {
            return $"'{SafeTensors.MetadataKey}' is the file's metadata, not a tensor name.";
        }

        // The header is UTF-8 JSON: an unpaired surrogate has no UTF-8 form, so it could be written only as an escape
        // that readers (this one included) refuse. The vectorized search skips the (usual) names without surrogates.
        int first = name.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        for (int i = first < 0 ? name.Length : first; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the name has an unpaired surrogate (U+{(int)name[i]:X4}) at index {i}; a name must be well-formed Unicode.");
            }
        }

        return null;
    }

    /// <summary>What is wrong with <paramref name="shape"/> as an F32 tensor's shape, or null (the loader's rules too).</summary>
    internal static string? ShapeProblem(ReadOnlySpan<long> shape)
    {
        if (shape.Length > SafeTensors.MaxDimensions)
        {
            return string.Create(CultureInfo.InvariantCulture, $"shape ({FormatShape(shape.ToArray())}) has {shape.Length} dimensions; at most {SafeTensors.MaxDimensions} are supported.");
        }

        foreach (long dimension in shape)
        {
            if (dimension < 0 || dimension > int.MaxValue)
            {
                return string.Create(CultureInfo.InvariantCulture, $"dimensions must be from 0 to {int.MaxValue}; found ({FormatShape(shape.ToArray())}).");
            }
        }

        if (ElementCount(shape) > Array.MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"shape ({FormatShape(shape.ToArray())}) holds more values than the {Array.MaxLength} an array can.");
        }

        return null;
    }

    /// <summary>
    /// The product of the dimensions of a shape whose dimensions are 0 to <see cref="int.MaxValue"/>, saturated at
    /// <see cref="long.MaxValue"/>; 0 when any dimension is 0, however large the others (an empty tensor is valid).
    /// </summary>
    internal static long ElementCount(ReadOnlySpan<long> shape)
    {
        if (shape.Contains(0L))
        {
            return 0;
        }

        long count = 1;
        foreach (long dimension in shape)
        {
            count = count > long.MaxValue / dimension ? long.MaxValue : count * dimension;
        }

        return count;
    }

    /// <summary>"value at [i, j] is NaN; every value must be finite." for the first non-finite value, or null.</summary>
    internal static string? ValueProblem(long[] shape, ReadOnlySpan<float> values)
    {
        int bad = IndexOfNonFinite(values);
        return bad < 0
            ? null
            : $"value{TensorShapes.Position(shape, bad)} is {values[bad].ToString(CultureInfo.InvariantCulture)}; every value must be finite.";
    }

    internal static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    internal static string FormatShape(IEnumerable<long> shape) => string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    internal static string FormatShape(IEnumerable<int> shape) => FormatShape(shape.Select(d => (long)d));
}
