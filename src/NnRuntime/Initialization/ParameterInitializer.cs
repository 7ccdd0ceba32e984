using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// Draws a layer's initial weights the way the course's numpy code does, one <c>randn</c> per weight in row-major
/// (numpy C) order, so that seeding a <see cref="NumPyRandom"/> like the notebook reproduces its parameters exactly.
/// </summary>
public static class ParameterInitializer
{
    /// <summary>
    /// Replaces <see cref="Init.Default"/> by the rule for <paramref name="activation"/>: <see cref="Init.He"/> for
    /// ReLU and leaky ReLU, <see cref="Init.Xavier"/> otherwise. Any other value is returned unchanged.
    /// </summary>
    /// <param name="init">The requested initialization.</param>
    /// <param name="activation">The activation of the layer whose weights are initialized.</param>
    /// <returns>A concrete initialization, never <see cref="Init.Default"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Either argument is not a defined enum value.</exception>
    public static Init Resolve(Init init, Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not a defined Activation value.");
        }

        return init switch
        {
            Init.Default => activation is Activation.ReLU or Activation.LeakyReLU ? Init.He : Init.Xavier,
            Init.Xavier or Init.He or Init.Scaled or Init.Zeros => init,
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "Not a defined Init value."),
        };
    }

    /// <summary>
    /// Fills a weight matrix W[l] of shape [n[l] x n[l-1]], stored row-major, from <paramref name="random"/>:
    /// <see cref="Init.Scaled"/> writes randn · 0.01, <see cref="Init.Xavier"/> randn / √fanIn,
    /// <see cref="Init.He"/> randn · √(2 / fanIn), and <see cref="Init.Zeros"/> clears without drawing.
    /// </summary>
    /// <param name="weights">The n[l] · n[l-1] weights, row-major (one row per unit of layer l).</param>
    /// <param name="fanIn">n[l-1], the number of inputs of each unit; at least 1.</param>
    /// <param name="init">A resolved initialization (see <see cref="Resolve"/>); <see cref="Init.Default"/> is rejected.</param>
    /// <param name="random">The stream to draw from; it advances by one normal sample per weight (none for Zeros).</param>
    /// <exception cref="ArgumentException"><paramref name="init"/> is <see cref="Init.Default"/>, or the length of <paramref name="weights"/> is not a multiple of <paramref name="fanIn"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is below 1 or <paramref name="init"/> is undefined.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void FillWeights(Span<float> weights, int fanIn, Init init, NumPyRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        if (weights.Length % fanIn != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"weights has {weights.Length} floats, which is not a whole number of rows of fanIn {fanIn}."),
                nameof(weights));
        }

        switch (init)
        {
            case Init.Default:
                throw new ArgumentException(
                    "Init.Default must be resolved from the layer's activation first (ParameterInitializer.Resolve).",
                    nameof(init));

            case Init.Zeros:
                // numpy's zeros() draws nothing, so the stream stays aligned with the course for the next layer.
                weights.Clear();
                return;

            // Each formula keeps numpy's operation (multiply or divide, in double) so the rounding matches; only the
            // final store narrows to float.
            case Init.Scaled:
                for (int i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)(random.NextGaussian() * 0.01);
                }

                return;

            case Init.Xavier:
                double root = Math.Sqrt(fanIn);
                for (int i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)(random.NextGaussian() / root);
                }

                return;

            case Init.He:
                double gain = Math.Sqrt(2.0 / fanIn);
                for (int i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)(random.NextGaussian() * gain);
                }

                return;

            default:
                throw new ArgumentOutOfRangeException(nameof(init), init, "Not a defined Init value.");
        }
    }

    /// <summary>
    /// Fills one tensor of a recurrent layer (Wih, Whh, bih or bhh) as PyTorch's <c>nn.LSTM</c> and <c>nn.GRU</c> do:
    /// uniform in [−1/√H, 1/√H), each value <c>(2u − 1)/√H</c> from one <see cref="NumPyRandom.NextDouble"/> u.
    /// </summary>
    /// <param name="tensor">The tensor, filled in order.</param>
    /// <param name="units">H, the layer's hidden units; at least 1.</param>
    /// <param name="random">The stream to draw from; it advances by one sample per value.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is below 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void FillRecurrent(Span<float> tensor, int units, NumPyRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        double bound = 1.0 / Math.Sqrt(units);
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor[i] = Draw(random, bound);
        }
    }

    /// <summary>
    /// Fills a recurrent layer's Wih or Whh, which the parameters hold transposed ((n, G·H) for PyTorch's (G·H, n)), as
    /// <see cref="FillRecurrent"/> fills PyTorch's matrix: the values are drawn in PyTorch's row-major order and each is
    /// written to its transposed place, so a seed gives the same matrix as the untransposed draw, transposed.
    /// </summary>
    /// <param name="tensor">The transposed matrix, (n, <paramref name="gateRows"/>) row-major.</param>
    /// <param name="gateRows">G·H, the rows of PyTorch's matrix; at least 1.</param>
    /// <param name="units">H, the layer's hidden units; at least 1.</param>
    /// <param name="random">The stream to draw from; it advances by one sample per value.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> or <paramref name="gateRows"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="tensor"/> is not a multiple of <paramref name="gateRows"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void FillRecurrentTransposed(Span<float> tensor, int gateRows, int units, NumPyRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(gateRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        if (tensor.Length % gateRows != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A transposed recurrent weight of {gateRows} gate rows has a multiple of {gateRows} floats; found {tensor.Length}."),
                nameof(tensor));
        }

        double bound = 1.0 / Math.Sqrt(units);
        int columns = tensor.Length / gateRows;
        for (int r = 0; r < gateRows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                tensor[(c * gateRows) + r] = Draw(random, bound);
            }
        }
    }

    private static float Draw(NumPyRandom random, double bound) => (float)(((2.0 * random.NextDouble()) - 1.0) * bound);
}
