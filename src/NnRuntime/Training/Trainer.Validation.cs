using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NnGen;

public static partial class Trainer
{
    /// <summary>
    /// The checks <see cref="Fit"/> makes before training, for generated code whose public entry points (such as
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
    /// Checks the data once per call (never per iteration): whole examples, matching labels, finite values, and labels
    /// in [0, 1] for the cross-entropy. Returns m.
    /// </summary>
    private static int ValidateData(ITrainableNetwork network, string method, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Loss loss)
    {
        string name = network.Name;
        int examples = Guard.ExampleCount(name, method, inputs.Length, network.InputSize);
        Guard.PerExample(name, method, nameof(labels), labels.Length, examples, network.OutputSize, "OutputSize");

        if (!TensorPrimitives.IsFiniteAll(inputs))
        {
            int i = IndexOfNonFinite(inputs);
            throw new ArgumentException(Format(name, method, $"inputs[{i}] is {inputs[i]}; every input must be finite."), nameof(inputs));
        }

        if (loss == Loss.BinaryCrossEntropy)
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
                    Format(name, method, $"labels[{i}] is {labels[i]}, but BinaryCrossEntropy needs every label in [0, 1]."),
                    nameof(labels));
            }
        }
        else if (!TensorPrimitives.IsFiniteAll(labels))
        {
            int i = IndexOfNonFinite(labels);
            throw new ArgumentException(Format(name, method, $"labels[{i}] is {labels[i]}; every label must be finite."), nameof(labels));
        }

        return examples;
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
    private static string Format(string network, string method, FormattableString problem) =>
        network + "." + method + ": " + problem.ToString(CultureInfo.InvariantCulture);
}
