using System;

namespace NnGen;

/// <summary>
/// A gated recurrent unit layer of <see cref="Units"/> units over the previous layer's features at each time step,
/// exactly as PyTorch's <c>nn.GRU</c> (gates r, z, n; the reset gate applied after the recurrent product, ONNX's
/// linear_before_reset = 1): h' = (1 − z) ∘ n + z ∘ h. Its output at each step is h. The parameters are
/// <c>Wih</c> (3H, I), <c>Whh</c> (3H, H), <c>bih</c> (3H) and <c>bhh</c> (3H); a stream's h lives in the
/// network's <c>State</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : Attribute
{
    /// <summary>Declares a GRU layer of <paramref name="units"/> units.</summary>
    /// <param name="units">H, the size of h (at least 1).</param>
    public GruAttribute(int units) => Units = units;

    /// <summary>H: the number of units, the size of h.</summary>
    public int Units { get; }

    /// <summary>
    /// Whether the next layer sees h at every step (true, the default: one output per step) or only at the sequence's
    /// last step (false: one output per sequence, as Keras's <c>return_sequences=False</c>).
    /// </summary>
    public bool ReturnSequences { get; set; } = true;
}
