using System;

namespace NnGen.Reports;

/// <summary>How the report reads a network's outputs and labels as classes.</summary>
internal static class Classification
{
    /// <summary>
    /// Whether the outputs are class scores: one sigmoid unit (class 1 when a &gt; 0.5, the rule of
    /// <see cref="Evaluation.Accuracy"/>) or a softmax layer (the class with the largest probability).
    /// </summary>
    public static bool IsClassifier(ITrainableNetwork network) =>
        (network.OutputActivation == Activation.Sigmoid && network.OutputSize == 1) || network.OutputActivation == Activation.Softmax;

    /// <summary>The number of classes a classifier tells apart.</summary>
    public static int ClassCount(ITrainableNetwork network) => network.OutputSize == 1 ? 2 : network.OutputSize;

    /// <summary>The class of one output or label row: the threshold for one value, the largest value otherwise.</summary>
    public static int ClassOf(ReadOnlySpan<float> row)
    {
        if (row.Length == 1)
        {
            return row[0] > 0.5f ? 1 : 0;
        }

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

    /// <summary>
    /// Counts[true, predicted] over every example: the network's predictions from one <c>PredictBatch</c> against the
    /// labels, rows in label order.
    /// </summary>
    public static long[,] ConfusionCounts(ITrainableNetwork network, float[] inputs, float[] labels)
    {
        int outputSize = network.OutputSize;
        var outputs = new float[labels.Length];
        network.PredictBatch(inputs, outputs);
        int classes = ClassCount(network);
        var counts = new long[classes, classes];
        for (int start = 0; start < labels.Length; start += outputSize)
        {
            int actual = ClassOf(labels.AsSpan(start, outputSize));
            int predicted = ClassOf(outputs.AsSpan(start, outputSize));
            counts[actual, predicted]++;
        }

        return counts;
    }
}
