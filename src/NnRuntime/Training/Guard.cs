using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NnGen;

/// <summary>
/// Argument checks shared by every generated network, so each error message is worded once and names the network,
/// the method, and both the expected and the actual sizes.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Checks that a buffer of <paramref name="actual"/> floats holds exactly <paramref name="expected"/>.</summary>
    public static void Length(string network, string method, string parameter, int actual, int expected, string what)
    {
        if (actual != expected)
        {
            ThrowLength(network, method, parameter, actual, expected, what);
        }
    }

    /// <summary>
    /// Returns m = <paramref name="inputsLength"/> / <paramref name="inputSize"/> after checking that it is a whole,
    /// positive number of examples.
    /// </summary>
    /// <param name="network">The network's name.</param>
    /// <param name="method">The public method being called.</param>
    /// <param name="inputsLength">The length of the inputs.</param>
    /// <param name="inputSize">n[0].</param>
    /// <param name="parameter">The name of the inputs in the message (default "inputs").</param>
    /// <returns>m.</returns>
    public static int ExampleCount(string network, string method, int inputsLength, int inputSize, string parameter = "inputs")
    {
        if (inputsLength == 0 || inputsLength % inputSize != 0)
        {
            ThrowExampleCount(network, method, inputsLength, inputSize, parameter);
        }

        return inputsLength / inputSize;
    }

    /// <summary>Checks a per-example buffer (outputs, labels) against the example count of the inputs.</summary>
    public static void PerExample(string network, string method, string parameter, int actual, int examples, int perExample, string sizeName)
    {
        if (actual != examples * perExample)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{network}.{method}: {parameter} has {actual} floats, expected {examples * perExample} ({examples} examples x {sizeName} {perExample})."),
                parameter);
        }
    }

    [DoesNotReturn]
    private static void ThrowLength(string network, string method, string parameter, int actual, int expected, string what) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: {parameter} has {actual} floats, expected {expected} ({what})."),
            parameter);

    [DoesNotReturn]
    private static void ThrowExampleCount(string network, string method, int inputsLength, int inputSize, string parameter) =>
        throw new ArgumentException(
            inputsLength == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: {parameter} is empty; expected at least one example of InputSize {inputSize} floats.")
                : string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: {parameter} has {inputsLength} floats, which is not a multiple of InputSize {inputSize}."),
            parameter);
}
