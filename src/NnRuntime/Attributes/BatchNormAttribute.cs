using System;

namespace NnGen;

/// <summary>
/// Batch normalization over the previous layer's n[l-1] features, as PyTorch's <c>nn.BatchNorm1d</c>: in training each
/// feature is normalized with the batch's mean and biased variance and the running statistics are updated
/// (running = (1 − Momentum)·running + Momentum·batch, the unbiased variance for the running one); in inference the
/// running statistics are used. γ (ones) and β (zeros) are learned; the running mean and variance are state that is
/// saved, loaded and baked but neither optimized nor decayed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
    /// <summary>How far one training batch moves the running statistics, in [0, 1]; PyTorch's default 0.1.</summary>
    public double Momentum { get; set; } = 0.1;

    /// <summary>ε added to the variance before the square root, positive; PyTorch's default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}
