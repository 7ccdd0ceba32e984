using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen;

public static partial class Trainer
{
    /// <summary>
    /// The checks <see cref="Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/> makes before training, for generated code whose public entry points (such as
    /// <c>ComputeGradients</c>) must reject the same data: whole examples, matching labels, finite values, and labels in
    /// [0, 1] for the cross-entropy. Returns m.
    /// </summary>
    /// <param name="network">The network the data is for.</param>
    /// <param name="method">The public method being called, for the message.</param>
    /// <param name="inputs">m examples, one per row.</param>
    /// <param name="labels">m label rows.</param>
    /// <returns>m, the number of examples.</returns>
    /// <exception cref="ArgumentException">The data does not fit the network; the message names what and where.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static int ValidateTrainingData(ITrainableNetwork network, string method, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        return ValidateData(network, method, inputs, labels, Losses.Resolve(network.Loss, network.OutputActivation));
    }

    /// <summary>
    /// Checks the data once per call (never per iteration): whole examples, matching labels, finite values, labels in
    /// [0, 1] for the cross-entropies, and rows that sum to 1 for the categorical one. Returns m.
    /// </summary>
    private static int ValidateData(
        ITrainableNetwork network, string method, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Loss loss, string inputsName = "inputs", string labelsName = "labels")
    {
        string name = network.Name;
        int examples = Guard.ExampleCount(name, method, inputs.Length, network.InputSize, inputsName);
        if (labels.Length == examples && network.OutputSize > 1 && Metrics.IsClassifier(network.OutputActivation))
        {
            // One float per example for a network with several class outputs: class indices, not yet one-hot.
            throw new ArgumentException(
                Format(name, method, $"{labelsName} has {labels.Length} floats, one per example, but the network has {network.OutputSize} outputs, so it needs {examples * network.OutputSize} ({examples} examples x OutputSize {network.OutputSize}): these look like class indices. Turn them into one-hot rows (Dataset.ToOneHot(), OneHot.Encode), or pass them as class indices (the overload taking ReadOnlySpan<int>, or Fit/Evaluate with the Dataset itself)."),
                labelsName);
        }

        Guard.PerExample(name, method, labelsName, labels.Length, examples, network.OutputSize, "OutputSize");

        if (!Kernels.FiniteCheck.AllFinite(inputs))
        {
            int i = IndexOfNonFinite(inputs);
            throw new ArgumentException(Format(name, method, $"{inputsName}[{i}] is {inputs[i]}; every input must be finite."), inputsName);
        }

        if (loss is Loss.BinaryCrossEntropy or Loss.CategoricalCrossEntropy)
        {
            // Min and Max return NaN when any label is NaN, and NaN fails both comparisons.
            if (!(TensorPrimitives.Min(labels) >= 0f && TensorPrimitives.Max(labels) <= 1f))
            {
                int i = 0;
                while (labels[i] >= 0f && labels[i] <= 1f)
                {
                    i++;
                }

                throw new ArgumentException(
                    Format(name, method, $"{labelsName}[{i}] is {labels[i]}, but {loss} needs every label in [0, 1]."),
                    labelsName);
            }

            if (loss == Loss.CategoricalCrossEntropy)
            {
                ValidateLabelRows(network, method, labels, labelsName);
            }
        }
        else if (!Kernels.FiniteCheck.AllFinite(labels))
        {
            int i = IndexOfNonFinite(labels);
            throw new ArgumentException(Format(name, method, $"{labelsName}[{i}] is {labels[i]}; every label must be finite."), labelsName);
        }

        return examples;
    }

    /// <summary>
    /// Checks that every label row of a categorical cross-entropy is a distribution over the classes (one-hot, or soft
    /// labels summing to 1), the only labels for which softmax's dZ = A − Y is the gradient of the cost.
    /// </summary>
    private static void ValidateLabelRows(ITrainableNetwork network, string method, ReadOnlySpan<float> labels, string labelsName)
    {
        // Rows of float labels that should sum to 1 do so within a few ulps per class; 1e-3 also admits labels written
        // with three decimals, and still rejects a row with two ones or none.
        const double Tolerance = 1e-3;
        int n = network.OutputSize;
        for (int e = 0; e < labels.Length / n; e++)
        {
            double sum = TensorPrimitives.Sum(labels.Slice(e * n, n));
            if (Math.Abs(sum - 1) > Tolerance)
            {
                throw new ArgumentException(
                    Format(network.Name, method, $"{labelsName} row {e} (values {e * n} to {(e * n) + n - 1}) sums to {sum:G6}, but CategoricalCrossEntropy needs each example's labels to sum to 1 (one-hot rows, or pass class indices)."),
                    labelsName);
            }
        }
    }

    /// <summary>
    /// Checks that the network's parameters are the advertised number of finite floats, so divergence can always be
    /// reported against a finite starting point.
    /// </summary>
    private static Span<float> ValidateParameters(ITrainableNetwork network, string method)
    {
        Span<float> parameters = network.Parameters;
        if (parameters.Length == 0 || parameters.Length != network.ParameterCount)
        {
            throw new ArgumentException(
                Format(network.Name, method, $"Parameters has {parameters.Length} floats but ParameterCount is {network.ParameterCount}."),
                nameof(network));
        }

        if (!TensorPrimitives.IsFiniteAll<float>(parameters))
        {
            int i = IndexOfNonFinite(parameters);
            throw new ArgumentException(
                Format(network.Name, method, $"Parameters[{i}] is {parameters[i]}; training needs finite parameters (initialize or load them again)."),
                nameof(network));
        }

        return parameters;
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        while (float.IsFinite(values[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Formats "Network.Method: problem" with invariant numbers, the shape of every <see cref="Guard"/> message.</summary>
    internal static string Format(string network, string method, FormattableString problem) =>
        network + "." + method + ": " + problem.ToString(CultureInfo.InvariantCulture);
}
