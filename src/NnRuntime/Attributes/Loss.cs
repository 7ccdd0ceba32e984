namespace NnGen;

/// <summary>The cost J a network is trained to minimise.</summary>
public enum Loss
{
    /// <summary>
    /// Chosen from the output activation: <see cref="BinaryCrossEntropy"/> for a sigmoid output,
    /// <see cref="CategoricalCrossEntropy"/> for a softmax output, <see cref="MeanSquaredError"/> for any other.
    /// </summary>
    Default = 0,

    /// <summary>J = -(1/m) Σ [y log a + (1 - y) log(1 - a)], summed over output units; labels in [0, 1].</summary>
    BinaryCrossEntropy = 1,

    /// <summary>J = (1/2m) Σ (a - y)², summed over output units.</summary>
    MeanSquaredError = 2,

    /// <summary>
    /// J = -(1/m) Σ Σᵢ yᵢ log aᵢ over the classes of each example, for a <see cref="Activation.Softmax"/> output;
    /// labels one-hot (or class indices, converted by the trainer).
    /// </summary>
    CategoricalCrossEntropy = 3,
}
