using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NnGen.Kernels;

/// <summary>
/// Argument checks for the public kernel entry points. They run once per call, before any loop, so the loops
/// themselves can trust their sizes; messages name the kernel, the parameter and both sizes.
/// </summary>
internal static class KernelGuard
{
    internal static void NonNegative(int value, string kernel, string parameter)
    {
        if (value < 0)
        {
            ThrowNegative(value, kernel, parameter);
        }
    }

    /// <summary>Checks a matrix buffer holds exactly rows × cols floats.</summary>
    internal static void MatrixLength(int actual, int rows, int cols, string kernel, string parameter, string rowsName, string colsName)
    {
        if (actual != (long)rows * cols)
        {
            ThrowMatrixLength(actual, rows, cols, kernel, parameter, rowsName, colsName);
        }
    }

    internal static void VectorLength(int actual, int expected, string kernel, string parameter, string sizeName)
    {
        if (actual != expected)
        {
            ThrowVectorLength(actual, expected, kernel, parameter, sizeName);
        }
    }

    /// <summary>A product cannot be written over its own operands: the kernels read operands after writing output.</summary>
    internal static void NoOverlap(ReadOnlySpan<float> output, ReadOnlySpan<float> input, string kernel, string outputName, string inputName)
    {
        if (output.Overlaps(input))
        {
            ThrowOverlap(kernel, outputName, inputName, "they must not overlap");
        }
    }

    /// <summary>Element-wise kernels may run in place, but a shifted overlap would read already-written values.</summary>
    internal static void SameOrNoOverlap(ReadOnlySpan<float> output, ReadOnlySpan<float> input, string kernel, string outputName, string inputName)
    {
        if (output.Overlaps(input, out int offset) && offset != 0)
        {
            ThrowOverlap(kernel, outputName, inputName, "they must be the same span or not overlap");
        }
    }

    [DoesNotReturn]
    private static void ThrowNegative(int value, string kernel, string parameter) =>
        throw new ArgumentOutOfRangeException(
            parameter,
            value,
            string.Create(CultureInfo.InvariantCulture, $"{kernel}: {parameter} is {value}; sizes must be zero or positive."));

    [DoesNotReturn]
    private static void ThrowMatrixLength(int actual, int rows, int cols, string kernel, string parameter, string rowsName, string colsName) =>
        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{kernel}: {parameter} has {actual} floats, expected {(long)rows * cols} ({rowsName} {rows} x {colsName} {cols})."),
            parameter);

    [DoesNotReturn]
    private static void ThrowVectorLength(int actual, int expected, string kernel, string parameter, string sizeName) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{kernel}: {parameter} has {actual} floats, expected {expected} ({sizeName})."),
            parameter);

    [DoesNotReturn]
    private static void ThrowOverlap(string kernel, string outputName, string inputName, string rule) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{kernel}: {outputName} overlaps {inputName}; {rule}."),
            outputName);
}
