using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// Scratch memory for the forward cache and the backward pass, grown on demand and then reused, so a training loop
/// that keeps one allocates nothing per iteration. Not thread-safe: one workspace per concurrent caller.
/// </summary>
public sealed class Workspace
{
    private float[] _buffer = [];

    /// <summary>The number of floats currently held.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Returns <paramref name="length"/> floats of scratch, growing the buffer only when it is too small.</summary>
    /// <remarks>The contents are unspecified: callers write before they read.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="length"/> is negative: the caller's size computation overflowed (too many examples at once).
    /// </exception>
    public Span<float> GetSpan(int length)
    {
        if (length < 0)
        {
            throw new WorkspaceSizeException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The workspace size requested is {length}: the number of floats per example times the number of examples overflowed a 32-bit int. Train on fewer examples at a time (mini-batches, TrainingOptions.BatchSize)."));
        }

        return Grow(length);
    }

    /// <summary>
    /// Returns <paramref name="perExample"/> × <paramref name="examples"/> floats of scratch, computing the size without
    /// overflow, so a batch too large for one array is reported with every size instead of as a negative length.
    /// </summary>
    /// <param name="perExample">Floats of scratch per example, at least 0.</param>
    /// <param name="examples">m, the examples in the batch, at least 0.</param>
    /// <param name="network">The network's name, for the message.</param>
    /// <param name="method">The public method being called, for the message.</param>
    /// <returns>The scratch; its contents are unspecified.</returns>
    /// <exception cref="ArgumentException">The product does not fit in one array; the message names the network, the method, both sizes and the largest batch that fits.</exception>
    public Span<float> GetSpan(int perExample, int examples, string network, string method)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perExample);
        ArgumentOutOfRangeException.ThrowIfNegative(examples);
        long length = (long)perExample * examples;
        if (length > Array.MaxLength)
        {
            throw new WorkspaceSizeException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{network}.{method}: the training workspace needs {perExample} floats per example x {examples} examples = {length} floats, more than one array holds ({Array.MaxLength}). Train in mini-batches of at most {Array.MaxLength / Math.Max(perExample, 1)} examples (TrainingOptions.BatchSize, or a source of batches)."),
                network,
                method,
                examples);
        }

        return Grow((int)length);
    }

    private Span<float> Grow(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = GC.AllocateUninitializedArray<float>(length);
        }

        return _buffer.AsSpan(0, length);
    }
}

/// <summary>
/// A workspace larger than one array can hold was requested (a full batch of too many examples for the network's
/// width). The message names the sizes and suggests mini-batches.
/// </summary>
public sealed class WorkspaceSizeException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception with its message.</summary>
    /// <param name="message">What was requested and what to do instead.</param>
    public WorkspaceSizeException(string message)
        : base("length", message)
    {
    }

    internal WorkspaceSizeException(string message, string network, string method, int examples)
        : base("length", message)
    {
        Network = network;
        Method = method;
        Examples = examples;
    }

    /// <summary>The network's name when the caller gave it; <see langword="null"/> otherwise.</summary>
    public string? Network { get; }

    /// <summary>The method that asked for the workspace when the caller gave it; <see langword="null"/> otherwise.</summary>
    public string? Method { get; }

    /// <summary>The number of examples of the batch when known; <see langword="null"/> otherwise.</summary>
    public int? Examples { get; }
}
