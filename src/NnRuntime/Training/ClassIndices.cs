using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// Labels given as class indices (one int per example) instead of label rows: checked against the network's classes
/// and turned into the rows the network trains on. One place for the rule and its message.
/// </summary>
internal static class ClassIndices
{
    /// <summary>
    /// K for a network: n[L] classes for a softmax or multi-output sigmoid network (one-hot rows), 2 for a single sigmoid
    /// output (the label is the class, 0 or 1). A regression output has no classes and is refused.
    /// </summary>
    public static int Count(ITrainableNetwork network, string method, string parameter)
    {
        if (!Metrics.IsClassifier(network.OutputActivation))
        {
            throw new ArgumentException(
                Trainer.Format(
                    network.Name,
                    method,
                    $"{parameter} are class indices, but the output activation is {network.OutputActivation}; class indices need a Softmax or Sigmoid output (pass label rows instead)."),
                parameter);
        }

        return network.OutputSize == 1 ? 2 : network.OutputSize;
    }

    /// <summary>Checks every index against K and writes the label rows (one-hot, or the class itself for one output).</summary>
    public static void ToRows(ITrainableNetwork network, string method, string parameter, ReadOnlySpan<int> classes, Span<float> rows)
    {
        int count = Count(network, method, parameter);
        int n = network.OutputSize;
        for (int e = 0; e < classes.Length; e++)
        {
            if ((uint)classes[e] >= (uint)count)
            {
                throw new ArgumentException(
                    Trainer.Format(network.Name, method, $"{parameter}[{e}] is {classes[e]}, but the network has {count} classes (0 to {count - 1})."),
                    parameter);
            }
        }

        rows[..(classes.Length * n)].Clear();
        for (int e = 0; e < classes.Length; e++)
        {
            if (n == 1)
            {
                rows[e] = classes[e];
            }
            else
            {
                rows[(e * n) + classes[e]] = 1f;
            }
        }
    }

    /// <summary>The label rows of <paramref name="classes"/>, in a new array of m × n[L] floats.</summary>
    public static float[] ToRows(ITrainableNetwork network, string method, string parameter, ReadOnlySpan<int> classes)
    {
        Count(network, method, parameter);
        long length = (long)classes.Length * network.OutputSize;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{network.Name}.{method}: {classes.Length} class indices x {network.OutputSize} classes do not fit in one array of label rows; use mini-batches."),
                parameter);
        }

        var rows = new float[length];
        ToRows(network, method, parameter, classes, rows);
        return rows;
    }
}
