using System;

namespace NnGen;

/// <summary>
/// Inverted dropout over the previous layer's n[l-1] features: in training each feature of each example is kept with
/// probability 1 − rate and scaled by 1 / (1 − rate), else zeroed; in inference it is the identity. The masks come from
/// the training step's seed, so a seed gives the same masks at every vector width and thread count. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares a dropout layer that drops a feature with probability <paramref name="rate"/>.</summary>
    /// <param name="rate">p, in [0, 1) (PyTorch's <c>nn.Dropout(p)</c>).</param>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>p: the probability that a feature is dropped in training.</summary>
    public double Rate { get; }
}
