using System;

namespace NnGen;

/// <summary>
/// Layer normalization of each example over the previous layer's n[l-1] features, as PyTorch's <c>nn.LayerNorm(n)</c>:
/// the same in training and inference, with a learned γ (ones) and β (zeros) per feature.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : Attribute
{
    /// <summary>ε added to the variance before the square root, positive; PyTorch's default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}
