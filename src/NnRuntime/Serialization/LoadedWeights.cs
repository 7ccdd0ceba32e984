using System;
using System.Collections.Generic;
using System.Linq;

namespace NnGen;

/// <summary>What <see cref="WeightsFile.Load(ISerializableNetwork, string)"/> found beside the weights it loaded.</summary>
public sealed class LoadedWeights
{
    private readonly NamedTensor[] _extras;

    internal LoadedWeights(string file, IReadOnlyDictionary<string, string> metadata, NamedTensor[] extras)
    {
        File = file;
        Metadata = metadata;
        _extras = extras;
    }

    /// <summary>The file's path, or a description of the stream.</summary>
    public string File { get; }

    /// <summary>The file's <c>__metadata__</c> (empty when it had none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors saved beside the weights, in file order.</summary>
    public IReadOnlyList<NamedTensor> Extras => _extras;

    /// <summary>The extra tensor called <paramref name="name"/>, checked against the shape the caller expects.</summary>
    /// <param name="name">Its name in the file.</param>
    /// <param name="shape">The shape it must have.</param>
    /// <exception cref="WeightsFormatException">The file has no such tensor, or it has another shape.</exception>
    public NamedTensor GetExtra(string name, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        NamedTensor? tensor = _extras.FirstOrDefault(extra => extra.Name == name);
        if (tensor is null)
        {
            string found = _extras.Length == 0 ? "none" : string.Join(", ", _extras.Select(extra => extra.ToString()));
            throw SafeTensors.Error(File, name, $"missing: expected shape ({NamedTensor.FormatShape(shape)}) F32; extra tensors in the file: {found}.");
        }

        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw SafeTensors.Error(File, name, $"expected shape ({NamedTensor.FormatShape(shape)}), found ({NamedTensor.FormatShape(tensor.Shape)}).");
        }

        return tensor;
    }
}
