using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen;

/// <summary>
/// The costs J of <see cref="Loss"/>, evaluated in double precision from float predictions, and the rule that picks a
/// cost for <see cref="Loss.Default"/>.
/// </summary>
/// <remarks>
/// Predictions and labels may be in any layout (examples as rows or as columns) as long as both use the same one:
/// the costs are sums over every value, divided by the number of examples m.
/// </remarks>
public static class Losses
{
    /// <summary>
    /// Predictions are clamped to [<see cref="ProbabilityFloor"/>, 1 − <see cref="ProbabilityFloor"/>] before the
    /// logarithms of the cross-entropy, so a saturated output (a = 0 or a = 1) costs −log(1e-7) ≈ 16.1 instead of ∞.
    /// </summary>
    public const double ProbabilityFloor = 1e-7;

    // Doubles per stack chunk: three buffers of 2 KiB each, large enough for full-width vector loops, small enough for the stack.
    private const int ChunkLength = 256;

    /// <summary>
    /// The cost that <see cref="Loss.Default"/> stands for: <see cref="Loss.BinaryCrossEntropy"/> after a sigmoid
    /// output, <see cref="Loss.CategoricalCrossEntropy"/> after a softmax output, <see cref="Loss.MeanSquaredError"/>
    /// after any other. An explicit loss is returned unchanged.
    /// This is the one place the rule lives; the generator and the trainer both defer to it.
    /// </summary>
    /// <param name="loss">The declared loss.</param>
    /// <param name="output">g[L], the output layer's activation.</param>
    /// <returns>A loss other than <see cref="Loss.Default"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Either argument is not a defined enum value.</exception>
    public static Loss Resolve(Loss loss, Activation output)
    {
        if (!Enum.IsDefined(output))
        {
            throw new ArgumentOutOfRangeException(nameof(output), output, "Unknown activation.");
        }

        return loss switch
        {
            Loss.Default => output switch
            {
                Activation.Sigmoid => Loss.BinaryCrossEntropy,
                Activation.Softmax => Loss.CategoricalCrossEntropy,
                _ => Loss.MeanSquaredError,
            },
            Loss.BinaryCrossEntropy or Loss.MeanSquaredError or Loss.CategoricalCrossEntropy => loss,
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
    }

    /// <summary>The cost J of <paramref name="loss"/> over <paramref name="examples"/> examples.</summary>
    /// <param name="loss">
    /// <see cref="Loss.BinaryCrossEntropy"/>, <see cref="Loss.MeanSquaredError"/> or
    /// <see cref="Loss.CategoricalCrossEntropy"/>; <see cref="Loss.Default"/> is
    /// rejected because it depends on the output activation (see <see cref="Resolve"/>).
    /// </param>
    /// <param name="predictions">A[L], m × n[L] values.</param>
    /// <param name="labels">Y, in the same layout as <paramref name="predictions"/>.</param>
    /// <param name="examples">m, at least 1; both lengths must be a multiple of it.</param>
    /// <returns>J, accumulated in double.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="loss"/> is <see cref="Loss.Default"/> or unknown, or the lengths do not match.
    /// </exception>
    public static double Cost(Loss loss, ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples) =>
        loss switch
        {
            Loss.BinaryCrossEntropy => BinaryCrossEntropy(predictions, labels, examples),
            Loss.MeanSquaredError => MeanSquaredError(predictions, labels, examples),
            Loss.CategoricalCrossEntropy => CategoricalCrossEntropy(predictions, labels, examples),
            Loss.Default => throw new ArgumentException(
                "Loss.Default has no formula of its own; resolve it against the output activation with Losses.Resolve first.",
                nameof(loss)),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };

    /// <summary>
    /// J = −(1/m) Σ [y log a + (1 − y) log(1 − a)] over every value, with a clamped to
    /// [<see cref="ProbabilityFloor"/>, 1 − <see cref="ProbabilityFloor"/>] in double so saturated outputs stay finite.
    /// </summary>
    /// <param name="predictions">A[L], each in [0, 1].</param>
    /// <param name="labels">Y, each in [0, 1], in the same layout as <paramref name="predictions"/>.</param>
    /// <param name="examples">m, at least 1; both lengths must be a multiple of it.</param>
    /// <returns>J, accumulated in double.</returns>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    public static double BinaryCrossEntropy(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples) =>
        -SumOverChunks(predictions, labels, examples, static (a, y, oneMinusA) =>
        {
            // Clamping in double matters: 1 − 1e-7 is not a float (the nearest is 1 − 1.19e-7).
            TensorPrimitives.Clamp(a, ProbabilityFloor, 1.0 - ProbabilityFloor, a);
            TensorPrimitives.Subtract(1.0, a, oneMinusA);
            TensorPrimitives.Log(a, a);
            TensorPrimitives.Log(oneMinusA, oneMinusA);

            // y log a + (1 − y) log(1 − a) = y [log a − log(1 − a)] + log(1 − a): one dot product and one sum.
            TensorPrimitives.Subtract(a, oneMinusA, a);
            return TensorPrimitives.Dot(y, a) + TensorPrimitives.Sum(oneMinusA);
        }) / examples;

    /// <summary>
    /// m·∂J/∂a of binary cross-entropy, −(y/a − (1 − y)/(1 − a)) = (a − y) / (a(1 − a)), for an output that is not a
    /// sigmoid (with a sigmoid the generated code uses dZ = A − Y directly). a is clamped as in
    /// <see cref="BinaryCrossEntropy"/> so a saturated output yields a large finite slope instead of a division by zero.
    /// </summary>
    /// <param name="predictions">A[L].</param>
    /// <param name="labels">Y, in the same layout as <paramref name="predictions"/>.</param>
    /// <param name="destination">Receives dA[L]; the same length as <paramref name="predictions"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void BinaryCrossEntropyDerivative(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, Span<float> destination)
    {
        if (labels.Length != predictions.Length || destination.Length != predictions.Length)
        {
            throw new ArgumentException(
                $"predictions has {predictions.Length} floats, labels {labels.Length} and destination {destination.Length}; all three must match.",
                nameof(destination));
        }

        for (int i = 0; i < predictions.Length; i++)
        {
            double a = Math.Clamp(predictions[i], ProbabilityFloor, 1.0 - ProbabilityFloor);
            destination[i] = (float)((a - labels[i]) / (a * (1.0 - a)));
        }
    }

    /// <summary>
    /// J = −(1/m) Σ y log a over every value (each example's classes), with a clamped to
    /// [<see cref="ProbabilityFloor"/>, 1] in double: the categorical cross-entropy of softmax outputs. The softmax
    /// itself is computed stably (max subtracted before the exponentials), so a is a float probability whose logarithm
    /// is only undefined at 0, where the floor caps a confidently wrong class at −log(1e-7) ≈ 16.1 instead of ∞.
    /// </summary>
    /// <param name="predictions">A[L], each in [0, 1], each example's values summing to 1.</param>
    /// <param name="labels">Y, each in [0, 1] (one-hot rows), in the same layout as <paramref name="predictions"/>.</param>
    /// <param name="examples">m, at least 1; both lengths must be a multiple of it.</param>
    /// <returns>J, accumulated in double.</returns>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    public static double CategoricalCrossEntropy(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples) =>
        -SumOverChunks(predictions, labels, examples, static (a, y, _) =>
        {
            TensorPrimitives.Clamp(a, ProbabilityFloor, 1.0, a);
            TensorPrimitives.Log(a, a);
            return TensorPrimitives.Dot(y, a);
        }) / examples;

    /// <summary>J = (1/(2m)) Σ (a − y)² over every value.</summary>
    /// <param name="predictions">A[L].</param>
    /// <param name="labels">Y, in the same layout as <paramref name="predictions"/>.</param>
    /// <param name="examples">m, at least 1; both lengths must be a multiple of it.</param>
    /// <returns>J, accumulated in double.</returns>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples) =>
        SumOverChunks(predictions, labels, examples, static (a, y, _) =>
        {
            // The difference of two floats is exact in double, and the squares cannot overflow.
            TensorPrimitives.Subtract(a, y, a);
            return TensorPrimitives.SumOfSquares<double>(a);
        }) / (2.0 * examples);

    /// <summary>One chunk's share of a cost: a and y widened to double (a may be overwritten), and scratch of their length.</summary>
    private delegate double ChunkTerm(Span<double> a, Span<double> y, Span<double> scratch);

    /// <summary>
    /// Σ over fixed chunks of <paramref name="term"/>: the values are widened to double chunk by chunk on the stack, so a
    /// cost over any number of examples allocates nothing and sums in an order that depends on the lengths only.
    /// </summary>
    private static double SumOverChunks(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples, ChunkTerm term)
    {
        CheckLengths(predictions, labels, examples);

        Span<double> a = stackalloc double[ChunkLength];
        Span<double> y = stackalloc double[ChunkLength];
        Span<double> scratch = stackalloc double[ChunkLength];
        double sum = 0;
        for (int start = 0; start < predictions.Length; start += ChunkLength)
        {
            int length = Math.Min(ChunkLength, predictions.Length - start);
            TensorPrimitives.ConvertChecked(predictions.Slice(start, length), a[..length]);
            TensorPrimitives.ConvertChecked(labels.Slice(start, length), y[..length]);
            sum += term(a[..length], y[..length], scratch[..length]);
        }

        return sum;
    }

    private static void CheckLengths(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels, int examples)
    {
        if (examples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(examples), examples, "The number of examples m must be at least 1.");
        }

        if (predictions.Length != labels.Length)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"predictions has {predictions.Length} floats but labels has {labels.Length}; they must have the same layout and length."),
                nameof(labels));
        }

        if (predictions.Length % examples != 0)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"predictions has {predictions.Length} floats, which is not a whole number of values for each of {examples} examples."),
                nameof(predictions));
        }
    }
}
