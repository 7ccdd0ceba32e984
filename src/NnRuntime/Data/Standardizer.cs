using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen.Data;

/// <summary>
/// Per-feature standardization, x' = (x − mean) / scale, with the mean and scale learned from training rows only and
/// then applied unchanged to validation, test and production inputs (scikit-learn's <c>StandardScaler</c>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Fit(ReadOnlySpan{float}, int)"/> computes each column's mean and population standard deviation (divisor
/// m, numpy's <c>X.std(axis=0)</c>) in double with two passes (the mean, then the squared deviations from it), and rounds
/// each to float once. A constant column (every value the same) has no spread to divide by: its scale is 1, so it becomes
/// all zeros rather than NaN. The same holds for a spread so small that it rounds to 0 in float.
/// </para>
/// <para>
/// Applying computes <c>(x - mean) / scale</c> in float, element by element, so the result does not depend on the vector
/// width, and allocates nothing. To ship a model with its standardizer, save <see cref="Mean"/> and <see cref="Scale"/>
/// beside the weights (as the float32 tensors <see cref="MeanTensorName"/> and <see cref="ScaleTensorName"/>, each of
/// shape [<see cref="Columns"/>]; <see cref="ToTensors"/> makes them) and rebuild it with <see cref="FromWeights"/> or
/// <see cref="Standardizer(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </para>
/// </remarks>
public sealed class Standardizer
{
    /// <summary>The name under which the mean is stored beside a model's weights (a float32 tensor of shape [<see cref="Columns"/>]).</summary>
    public const string MeanTensorName = "standardizer.mean";

    /// <summary>The name under which the scale is stored beside a model's weights (a float32 tensor of shape [<see cref="Columns"/>]).</summary>
    public const string ScaleTensorName = "standardizer.scale";

    private readonly float[] _mean;
    private readonly float[] _scale;

    /// <summary>Rebuilds a standardizer from a saved mean and scale (copied), e.g. the tensors stored with a model.</summary>
    /// <param name="mean">The value subtracted from each column; finite; at least one column.</param>
    /// <param name="scale">The divisor of each column; finite and positive; as many as <paramref name="mean"/>.</param>
    /// <exception cref="ArgumentException">
    /// The spans are empty or of different lengths, a mean is not finite, or a scale is not finite and positive (the
    /// message names the column and the value).
    /// </exception>
    public Standardizer(ReadOnlySpan<float> mean, ReadOnlySpan<float> scale)
    {
        if (mean.IsEmpty || mean.Length != scale.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"mean has {mean.Length} values and scale {scale.Length}; expected the same positive number, one per column."),
                nameof(scale));
        }

        for (int j = 0; j < mean.Length; j++)
        {
            if (!float.IsFinite(mean[j]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"mean[{j}] is {mean[j]:R}; expected a finite number."), nameof(mean));
            }

            if (!(scale[j] > 0f) || !float.IsFinite(scale[j]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"scale[{j}] is {scale[j]:R}; expected a finite positive number."), nameof(scale));
            }
        }

        _mean = mean.ToArray();
        _scale = scale.ToArray();
    }

    /// <summary>The number of features (columns) it standardizes.</summary>
    public int Columns => _mean.Length;

    /// <summary>The mean of each column of the training rows, [<see cref="Columns"/>].</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>The divisor of each column: the training rows' population standard deviation, or 1 for a constant column; [<see cref="Columns"/>].</summary>
    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>
    /// Rebuilds the standardizer saved beside a model's weights: the tensors <see cref="MeanTensorName"/> and
    /// <see cref="ScaleTensorName"/> of <paramref name="weights"/>, each of shape [<paramref name="columns"/>].
    /// </summary>
    /// <param name="weights">What <see cref="WeightsFile.Load(ISerializableNetwork, string)"/> returned.</param>
    /// <param name="columns">The number of features, normally the network's input size.</param>
    /// <returns>The standardizer, equal to the one saved.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    /// <exception cref="WeightsFormatException">
    /// A tensor is missing or of another shape, a mean is not finite, or a scale is not finite and positive (the message
    /// names the file, the tensor and the value).
    /// </exception>
    public static Standardizer FromWeights(LoadedWeights weights, int columns)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        NamedTensor mean = weights.GetExtra(MeanTensorName, columns);
        NamedTensor scale = weights.GetExtra(ScaleTensorName, columns);
        try
        {
            return new Standardizer(mean.Values, scale.Values);
        }
        catch (ArgumentException exception)
        {
            string tensor = exception.ParamName == nameof(mean) ? MeanTensorName : ScaleTensorName;
            string detail = exception.Message.Replace($" (Parameter '{exception.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new WeightsFormatException(weights.File, tensor, detail);
        }
    }

    /// <summary>
    /// The mean and scale as the two tensors to save beside a model's weights:
    /// <c>WeightsFile.Save(network, path, standardizer.ToTensors())</c>; <see cref="FromWeights"/> reads them back.
    /// </summary>
    /// <returns><see cref="MeanTensorName"/> and <see cref="ScaleTensorName"/>, each a float32 tensor of shape [<see cref="Columns"/>].</returns>
    public NamedTensor[] ToTensors() => [new(MeanTensorName, _mean), new(ScaleTensorName, _scale)];

    /// <summary>Learns the mean and scale of each input column of <paramref name="training"/> (fit on the training part only, never on test data).</summary>
    /// <param name="training">The training examples.</param>
    /// <returns>A standardizer of <see cref="Dataset.InputSize"/> columns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="training"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An input is not finite (the message names the example and column), or a column's values lie so far apart that
    /// (x − mean) / scale would overflow float.
    /// </exception>
    public static Standardizer Fit(Dataset training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit(training.Inputs, training.InputSize);
    }

    /// <summary>Learns the mean and scale of each column of <paramref name="rows"/>.</summary>
    /// <param name="rows">m × <paramref name="columns"/> finite floats, one example per row; at least one row.</param>
    /// <param name="columns">Features per row; at least 1.</param>
    /// <returns>A standardizer of <paramref name="columns"/> columns.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is below 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> is empty or not whole rows, a value is not finite (the message names the row and column),
    /// or a column's values lie so far apart that (x − mean) / scale would overflow float (values near ±3.4e38 on both
    /// sides of the mean; the message names the column).
    /// </exception>
    public static Standardizer Fit(ReadOnlySpan<float> rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (rows.IsEmpty || rows.Length % columns != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"rows has {rows.Length} floats; expected a positive multiple of columns {columns}."),
                nameof(rows));
        }

        int count = rows.Length / columns;
        var sum = new double[columns];
        var first = rows[..columns];
        var constant = new bool[columns];
        constant.AsSpan().Fill(true);
        float[] low = first.ToArray();
        float[] high = first.ToArray();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                float value = row[j];
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"rows[{i}, {j}] (float {(i * columns) + j}) is {value:R}; a standardizer needs finite values."),
                        nameof(rows));
                }

                sum[j] += value;
                constant[j] &= value == first[j];
                low[j] = Math.Min(low[j], value);
                high[j] = Math.Max(high[j], value);
            }
        }

        var mean = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            mean[j] = sum[j] / count;
        }

        var squares = new double[columns];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                double deviation = row[j] - mean[j];
                squares[j] += deviation * deviation;
            }
        }

        var meanFloats = new float[columns];
        var scaleFloats = new float[columns];
        for (int j = 0; j < columns; j++)
        {
            // A constant column's exact mean is its value; the double sum can be a rounding off for large m.
            meanFloats[j] = constant[j] ? first[j] : (float)mean[j];
            float scale = (float)Math.Sqrt(squares[j] / count);
            scaleFloats[j] = constant[j] || !(scale > 0f) ? 1f : scale;

            // Transform computes in float, as documented and vectorized; finite values close to ±float.MaxValue on both
            // sides of the mean would make x − mean overflow and turn training rows into infinities. The formula is
            // monotonic in x, so the column's extremes bound every training row.
            float top = (high[j] - meanFloats[j]) / scaleFloats[j];
            float bottom = (low[j] - meanFloats[j]) / scaleFloats[j];
            if (!float.IsFinite(scaleFloats[j]) || !float.IsFinite(top) || !float.IsFinite(bottom))
            {
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"column {j} holds values from {low[j]:R} to {high[j]:R} around a mean of {meanFloats[j]:R}: (x - mean) / scale, computed in float, overflows at its extremes ({bottom:R} and {top:R}). Scale the column down before standardizing it."),
                    nameof(rows));
            }
        }

        return new Standardizer(meanFloats, scaleFloats);
    }

    /// <summary>Standardizes <paramref name="rows"/> in place, column j becoming (x − Mean[j]) / Scale[j]; allocates nothing.</summary>
    /// <param name="rows">m × <see cref="Columns"/> floats, one example per row.</param>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is not whole rows of <see cref="Columns"/>.</exception>
    public void Transform(Span<float> rows) => Transform(rows, rows);

    /// <summary>Writes the standardized <paramref name="rows"/> into <paramref name="destination"/>; allocates nothing. The spans may be the same memory.</summary>
    /// <param name="rows">m × <see cref="Columns"/> floats, one example per row.</param>
    /// <param name="destination">As many floats as <paramref name="rows"/>.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> is not whole rows of <see cref="Columns"/>, or <paramref name="destination"/> has another length.
    /// </exception>
    public void Transform(ReadOnlySpan<float> rows, Span<float> destination)
    {
        if (rows.Length % _mean.Length != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"rows has {rows.Length} floats; expected a multiple of Columns {_mean.Length}."),
                nameof(rows));
        }

        if (destination.Length != rows.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"destination has {destination.Length} floats; expected {rows.Length}, as many as rows."),
                nameof(destination));
        }

        int columns = _mean.Length;
        for (int start = 0; start < rows.Length; start += columns)
        {
            Span<float> target = destination.Slice(start, columns);
            TensorPrimitives.Subtract(rows.Slice(start, columns), _mean, target);
            TensorPrimitives.Divide(target, _scale, target);
        }
    }

    /// <summary>A copy of <paramref name="data"/> with standardized inputs; labels and class names are shared, not copied.</summary>
    /// <param name="data">Examples with <see cref="Dataset.InputSize"/> equal to <see cref="Columns"/>.</param>
    /// <returns>A new data set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set has another number of input columns.</exception>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != _mean.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The data set has {data.InputSize} input columns, but the standardizer was fitted on {_mean.Length}."),
                nameof(data));
        }

        var inputs = new float[data.Inputs.Length];
        Transform(data.Inputs, inputs);
        return new Dataset(inputs, data.InputSize, data.Labels, data.LabelSize, data.ClassNames);
    }
}
