using System;
using System.Globalization;

namespace NnGen.Data;

/// <summary>
/// Training, evaluation and class predictions with a <see cref="Dataset"/>, for any network (every generated network is
/// an <see cref="ITrainableNetwork"/>): <c>net.Fit(train, options)</c>, <c>net.Evaluate(test)</c>,
/// <c>net.PredictClasses(test)</c>, as Keras' <c>fit</c>/<c>evaluate</c> and scikit-learn's <c>predict</c> take the data
/// set whole.
/// </summary>
/// <remarks>
/// A data set's labels may be label rows (<see cref="Dataset.LabelSize"/> = the network's outputs) or, for a softmax or
/// multi-output sigmoid network, one class index per example (<see cref="Dataset.LabelSize"/> 1, as
/// <see cref="CsvDataset.LoadClassification"/> gives them): those are turned into one-hot rows as the
/// <c>ReadOnlySpan&lt;int&gt;</c> overloads of <see cref="Trainer"/> do.
/// </remarks>
public static class DatasetExtensions
{
    /// <summary>Trains <paramref name="network"/> on <paramref name="training"/> (see <see cref="Trainer.Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/>).</summary>
    /// <param name="network">The network; its parameters are updated in place.</param>
    /// <param name="training">The examples, with label rows or (for a classifier with several outputs) class indices.</param>
    /// <param name="options">The training options.</param>
    /// <returns>The training history.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The data set does not fit the network (the message gives both sizes), a class index is not a class of the
    /// network, or an option or a value is invalid; the parameters are untouched then.
    /// </exception>
    /// <exception cref="InvalidOperationException">The same network instance is already training on another thread.</exception>
    /// <exception cref="OperationCanceledException"><see cref="TrainingOptions.CancellationToken"/> was cancelled.</exception>
    public static TrainingHistory Fit(this ITrainableNetwork network, Dataset training, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(training);
        return ClassIndicesFor(network, training, nameof(Fit)) is { } classes
            ? Trainer.Fit(network, training.Inputs, classes, options)
            : Trainer.Fit(network, training.Inputs, training.Labels, options);
    }

    /// <summary>The cost and metrics of <paramref name="network"/> on <paramref name="data"/> (see <see cref="Trainer.Evaluate(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float})"/>).</summary>
    /// <param name="network">The network; it is not changed.</param>
    /// <param name="data">The examples, with label rows or (for a classifier with several outputs) class indices.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The data set does not fit the network (the message gives both sizes), a class index is not a class of the
    /// network, a value is invalid, or a parameter is not finite.
    /// </exception>
    public static Evaluation Evaluate(this ITrainableNetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        return ClassIndicesFor(network, data, nameof(Evaluate)) is { } classes
            ? Trainer.Evaluate(network, data.Inputs, classes)
            : Trainer.Evaluate(network, data.Inputs, data.Labels);
    }

    /// <summary>
    /// The class the network predicts for each example of <paramref name="data"/> (scikit-learn's <c>predict</c>,
    /// Keras' <c>predict(x).argmax(axis=1)</c>); see <see cref="PredictClasses(ITrainableNetwork, ReadOnlySpan{float})"/>.
    /// </summary>
    /// <param name="network">A classifier: softmax or sigmoid output.</param>
    /// <param name="data">The examples; their labels are not used.</param>
    /// <returns><see cref="Dataset.Count"/> class indices; look names up in <see cref="Dataset.ClassNames"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The data set's <see cref="Dataset.InputSize"/> is not the network's.</exception>
    /// <exception cref="InvalidOperationException">The network's output is not a sigmoid or softmax (it predicts values, not classes).</exception>
    public static int[] PredictClasses(this ITrainableNetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return network.PredictClasses(data.Inputs);
    }

    /// <summary>
    /// The class the network predicts for each example, one per row of <paramref name="inputs"/>: the largest output of
    /// a softmax (or multi-output sigmoid) network, the first on ties; 1 when a single sigmoid output is above 0.5, else 0.
    /// </summary>
    /// <param name="network">A classifier: softmax or sigmoid output.</param>
    /// <param name="inputs">m × <see cref="ITrainableNetwork.InputSize"/> floats, one example per row.</param>
    /// <returns>m class indices.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is empty or not a whole number of examples.</exception>
    /// <exception cref="InvalidOperationException">The network's output is not a sigmoid or softmax (it predicts values, not classes).</exception>
    public static int[] PredictClasses(this ITrainableNetwork network, ReadOnlySpan<float> inputs)
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckClassifier(network, nameof(PredictClasses));
        int examples = Guard.ExampleCount(network.Name, nameof(PredictClasses), inputs.Length, network.InputSize);
        int n = network.OutputSize;
        var outputs = new float[(long)examples * n <= Array.MaxLength ? examples * n : throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{network.Name}.{nameof(PredictClasses)}: {examples} examples x {n} outputs do not fit in one array; predict in parts."),
            nameof(inputs))];
        network.PredictBatch(inputs, outputs);
        var classes = new int[examples];
        if (n == 1)
        {
            for (int e = 0; e < examples; e++)
            {
                classes[e] = outputs[e] > 0.5f ? 1 : 0;
            }
        }
        else
        {
            OneHot.ArgMax(outputs, n, classes);
        }

        return classes;
    }

    /// <summary>The class the network predicts for one example (see <see cref="PredictClasses(ITrainableNetwork, ReadOnlySpan{float})"/>).</summary>
    /// <param name="network">A classifier: softmax or sigmoid output.</param>
    /// <param name="x"><see cref="ITrainableNetwork.InputSize"/> floats.</param>
    /// <returns>The class index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not one example.</exception>
    /// <exception cref="InvalidOperationException">The network's output is not a sigmoid or softmax.</exception>
    public static int PredictClass(this ITrainableNetwork network, ReadOnlySpan<float> x)
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckClassifier(network, nameof(PredictClass));
        Guard.Length(network.Name, nameof(PredictClass), nameof(x), x.Length, network.InputSize, "InputSize");
        Span<float> y = network.OutputSize <= 256 ? stackalloc float[network.OutputSize] : new float[network.OutputSize];
        network.Predict(x, y);
        if (y.Length == 1)
        {
            return y[0] > 0.5f ? 1 : 0;
        }

        Span<int> predicted = stackalloc int[1];
        OneHot.ArgMax(y, y.Length, predicted);
        return predicted[0];
    }

    /// <summary>
    /// The data set's class indices when its labels are one per example and the network has several class outputs (so
    /// they can only be classes); null when the labels are to be used as they are.
    /// </summary>
    private static int[]? ClassIndicesFor(ITrainableNetwork network, Dataset data, string method)
    {
        if (data.LabelSize != 1 || network.OutputSize == 1 || network.OutputActivation is not (Activation.Softmax or Activation.Sigmoid))
        {
            return null;
        }

        try
        {
            return data.ClassIndices();
        }
        catch (InvalidOperationException exception)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{network.Name}.{method}: the data set has one label per example and the network {network.OutputSize} outputs, so the labels must be class indices, but {exception.Message}"),
                "data",
                exception);
        }
    }

    private static void CheckClassifier(ITrainableNetwork network, string method)
    {
        if (network.OutputActivation is not (Activation.Softmax or Activation.Sigmoid))
        {
            throw new InvalidOperationException(
                $"{network.Name}.{method}: the output activation is {network.OutputActivation}, so the network predicts values, not classes; classes need a Softmax or Sigmoid output.");
        }
    }
}
