using System;

namespace NnGen;

/// <summary>
/// A long short-term memory layer of <see cref="Units"/> cells over the previous layer's features at each time step,
/// exactly as PyTorch's <c>nn.LSTM</c> (gates i, f, g, o; input and recurrent biases):
/// c' = f ∘ c + i ∘ g, h' = o ∘ tanh(c'). Its output at each step is h. The parameters are
/// <c>Wih</c> (4H, I), <c>Whh</c> (4H, H), <c>bih</c> (4H) and <c>bhh</c> (4H); a stream's h and c live in the
/// network's <c>State</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : Attribute
{
    /// <summary>Declares an LSTM layer of <paramref name="units"/> cells.</summary>
    /// <param name="units">H, the size of h and c (at least 1).</param>
    public LstmAttribute(int units) => Units = units;

    /// <summary>H: the number of cells, the size of h and c.</summary>
    public int Units { get; }

    /// <summary>
    /// Whether the next layer sees h at every step (true, the default: one output per step) or only at the sequence's
    /// last step (false: one output per sequence, as Keras's <c>return_sequences=False</c>).
    /// </summary>
    public bool ReturnSequences { get; set; } = true;
}
