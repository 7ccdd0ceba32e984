using System;
using System.IO;

namespace NnGen;

/// <summary>
/// A weight file that cannot be loaded: malformed, truncated, or for another architecture. The message names the
/// file, the tensor and what was expected and found; the network it was loaded into is unchanged.
/// </summary>
public sealed class WeightsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file's path, or a description of the stream.</param>
    /// <param name="tensor">The tensor at fault, or <see langword="null"/> when the fault is in the file as a whole.</param>
    /// <param name="detail">What was expected and what was found.</param>
    public WeightsFormatException(string file, string? tensor, string detail)
        : base(tensor is null ? $"{file}: {detail}" : $"{file}: tensor '{tensor}': {detail}")
    {
        File = file;
        Tensor = tensor;
    }

    /// <summary>The file's path, or a description of the stream.</summary>
    public string File { get; }

    /// <summary>The tensor at fault, or <see langword="null"/>.</summary>
    public string? Tensor { get; }
}
