using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen;

/// <summary>
/// One tensor of a layer, as weight files, baking and exporters see it: its name (<c>W1</c>, <c>gamma2</c>,
/// <c>running_var2</c>, …), its shape, and where it sits in the network's parameter or state buffer.
/// </summary>
public sealed class LayerTensor : IEquatable<LayerTensor>
{
    private readonly int[] _shape;

    /// <summary>Describes a tensor.</summary>
    /// <param name="name">Its name in weight files and exports.</param>
    /// <param name="role">What it is to its layer.</param>
    /// <param name="shape">Its dimensions, row-major: at least one, each at least 1.</param>
    /// <param name="offset">Where it starts in <see cref="ITrainableNetwork.Parameters"/>, or in <see cref="ITrainableNetwork.State"/> when <paramref name="isState"/>.</param>
    /// <param name="isState">Whether it is state (running statistics), saved and loaded but neither optimized nor decayed.</param>
    /// <param name="decays">Whether L2 regularization and AdamW's weight decay apply to it.</param>
    /// <exception cref="ArgumentException">
    /// The name is empty, the shape has no dimension or one below 1 or more values than a buffer holds, the offset is
    /// negative or the tensor would end past <see cref="int.MaxValue"/>, or a state tensor is said to decay.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="shape"/> is <see langword="null"/>.</exception>
    public LayerTensor(string name, TensorRole role, IReadOnlyList<int> shape, int offset, bool isState, bool decays)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentException(Invariant($"Tensor '{name}': unknown role {(int)role}."), nameof(role));
        }

        if (shape.Count == 0)
        {
            throw new ArgumentException($"Tensor '{name}': a layer tensor has at least one dimension.", nameof(shape));
        }

        long length = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 1)
            {
                throw new ArgumentException($"Tensor '{name}': every dimension must be at least 1; found ({NamedTensor.FormatShape(shape)}).", nameof(shape));
            }

            length *= dimension;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException(Invariant($"Tensor '{name}': shape ({NamedTensor.FormatShape(shape)}) holds more than {Array.MaxLength} values."), nameof(shape));
            }
        }

        if (offset < 0 || offset + length > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"Tensor '{name}': offset {offset} with {length} values does not fit in a buffer."), nameof(offset));
        }

        if (isState && decays)
        {
            throw new ArgumentException($"Tensor '{name}': state is neither optimized nor decayed.", nameof(decays));
        }

        Name = name;
        Role = role;
        _shape = shape.ToArray();
        Length = (int)length;
        Offset = offset;
        IsState = isState;
        Decays = decays;
    }

    /// <summary>Its name in weight files and exports: <c>W1</c>, <c>b1</c>, <c>gamma2</c>, <c>running_var2</c>, ….</summary>
    public string Name { get; }

    /// <summary>What it is to its layer.</summary>
    public TensorRole Role { get; }

    /// <summary>Its dimensions, row-major.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The product of <see cref="Shape"/>: how many floats it holds.</summary>
    public int Length { get; }

    /// <summary>Where it starts in <see cref="ITrainableNetwork.Parameters"/>, or in <see cref="ITrainableNetwork.State"/> when <see cref="IsState"/>.</summary>
    public int Offset { get; }

    /// <summary>Whether it is state (running statistics): saved, loaded and baked, but neither optimized nor decayed.</summary>
    public bool IsState { get; }

    /// <summary>Whether L2 regularization and AdamW's weight decay apply to it (a dense layer's W, a recurrent layer's Wih and Whh).</summary>
    public bool Decays { get; }

    /// <summary>
    /// Whether the buffer holds the tensor transposed: a recurrent layer's Wih and Whh, whose <see cref="Shape"/> is
    /// PyTorch's (G·H, I) and (G·H, H), as weight files and exports write them, while the parameters hold (I, G·H) and
    /// (H, G·H) row-major, the layout the recurrent kernels sum from without horizontal reductions. Weight files, baking
    /// and exporters transpose on the way in and out.
    /// </summary>
    public bool IsStoredTransposed => Role is TensorRole.InputWeight or TensorRole.RecurrentWeight;

    /// <summary>Same name, role, shape, offset and flags.</summary>
    public bool Equals(LayerTensor? other) =>
        other is not null && other.Name == Name && other.Role == Role && other.Offset == Offset && other.IsState == IsState && other.Decays == Decays &&
        _shape.AsSpan().SequenceEqual(other._shape);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LayerTensor);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Role, Offset, IsState, Decays, Length);

    /// <summary>For example <c>W1 (4, 2) at params[0..8)</c> or <c>running_mean2 (4) at state[0..4)</c>.</summary>
    public override string ToString() => Invariant($"{Name} ({NamedTensor.FormatShape(_shape)}) at {(IsState ? "state" : "params")}[{Offset}..{Offset + Length})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
