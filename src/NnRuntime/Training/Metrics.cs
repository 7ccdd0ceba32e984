using System;
using System.Numerics.Tensors;

namespace NnGen;

/// <summary>
/// The figures of <see cref="Evaluation"/>, computed from predictions and labels laid out one example per row,
/// without allocating (except the confusion matrix), so <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> can validate at every record point.
/// </summary>
internal static class Metrics
{
    /// <summary>Whether outputs of <paramref name="output"/> are class scores: sigmoid (per label) or softmax (one class).</summary>
    public static bool IsClassifier(Activation output) => output is Activation.Sigmoid or Activation.Softmax;

    /// <summary>
    /// The fraction of examples classified right (see <see cref="Evaluation.Accuracy"/>); NaN for a regression output
    /// or when a prediction is not finite, so a broken network never reports a plausible accuracy.
    /// </summary>
    public static double Accuracy(Activation output, ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, int n)
    {
        if (!IsClassifier(output) || !TensorPrimitives.IsFiniteAll(outputs))
        {
            return double.NaN;
        }

        int examples = outputs.Length / n;
        int correct = 0;
        for (int e = 0; e < examples; e++)
        {
            ReadOnlySpan<float> a = outputs.Slice(e * n, n);
            ReadOnlySpan<float> y = labels.Slice(e * n, n);
            if (output == Activation.Softmax ? ArgMax(a) == ArgMax(y) : AllLabelsRight(a, y))
            {
                correct++;
            }
        }

        return (double)correct / examples;
    }

    /// <summary>The fraction of label values on the right side of 0.5, for a sigmoid output; NaN otherwise.</summary>
    public static double LabelAccuracy(Activation output, ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels)
    {
        if (output != Activation.Sigmoid || !TensorPrimitives.IsFiniteAll(outputs))
        {
            return double.NaN;
        }

        int correct = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            if ((outputs[i] > 0.5f) == (labels[i] > 0.5f))
            {
                correct++;
            }
        }

        return (double)correct / outputs.Length;
    }

    /// <summary>The confusion matrix of a softmax output or a single sigmoid output; null for anything else.</summary>
    public static ConfusionMatrix? Confusion(Activation output, ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, int n)
    {
        bool softmax = output == Activation.Softmax;
        bool binary = output == Activation.Sigmoid && n == 1;
        if (!(softmax || binary) || !TensorPrimitives.IsFiniteAll(outputs))
        {
            return null;
        }

        var matrix = new ConfusionMatrix(softmax ? n : 2);
        int examples = outputs.Length / n;
        for (int e = 0; e < examples; e++)
        {
            if (softmax)
            {
                matrix.Add(ArgMax(labels.Slice(e * n, n)), ArgMax(outputs.Slice(e * n, n)));
            }
            else
            {
                matrix.Add(labels[e] > 0.5f ? 1 : 0, outputs[e] > 0.5f ? 1 : 0);
            }
        }

        return matrix;
    }

    /// <summary>Mean squared error, mean absolute error and R² (see <see cref="Evaluation"/>), in double.</summary>
    public static (double MeanSquaredError, double MeanAbsoluteError, double RSquared) Regression(ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, int n)
    {
        int examples = outputs.Length / n;
        double squares = 0, absolutes = 0, rSquaredSum = 0;
        for (int j = 0; j < n; j++)
        {
            double mean = 0;
            for (int e = 0; e < examples; e++)
            {
                mean += labels[(e * n) + j];
            }

            mean /= examples;
            double residual = 0, total = 0;
            for (int e = 0; e < examples; e++)
            {
                double y = labels[(e * n) + j];
                double error = outputs[(e * n) + j] - y;
                residual += error * error;
                absolutes += Math.Abs(error);
                total += (y - mean) * (y - mean);
            }

            squares += residual;
            rSquaredSum += total > 0 ? 1 - (residual / total) : residual == 0 ? 1 : 0;
        }

        double count = (double)examples * n;
        return (squares / count, absolutes / count, rSquaredSum / n);
    }

    /// <summary>The validation metric of <see cref="CostRecord.ValidationMetric"/>: accuracy for a classifier, R² otherwise.</summary>
    public static double Metric(Activation output, ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, int n) =>
        IsClassifier(output) ? Accuracy(output, outputs, labels, n) :
        TensorPrimitives.IsFiniteAll(outputs) ? Regression(outputs, labels, n).RSquared : double.NaN;

    /// <summary>The index of the largest value, the first one on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static bool AllLabelsRight(ReadOnlySpan<float> a, ReadOnlySpan<float> y)
    {
        for (int j = 0; j < a.Length; j++)
        {
            if ((a[j] > 0.5f) != (y[j] > 0.5f))
            {
                return false;
            }
        }

        return true;
    }
}
