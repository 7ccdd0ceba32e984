namespace NnGen;

/// <summary>The activation g[l] applied (element-wise, except <see cref="Softmax"/>) after a layer's affine map Z[l] = W[l]·A[l-1] + b[l].</summary>
public enum Activation
{
    /// <summary>σ(z) = 1 / (1 + e^-z); derivative a(1 - a).</summary>
    Sigmoid = 0,

    /// <summary>tanh(z); derivative 1 - a².</summary>
    Tanh = 1,

    /// <summary>max(0, z); derivative 0 for z &lt; 0, 1 otherwise.</summary>
    ReLU = 2,

    /// <summary>max(0.01z, z); derivative 0.01 for z &lt; 0, 1 otherwise.</summary>
    LeakyReLU = 3,

    /// <summary>The identity; derivative 1.</summary>
    Linear = 4,

    /// <summary>
    /// softmax(z)ᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z) over the n[L] units of one example: the output layer of a
    /// multi-class network, trained with <see cref="Loss.CategoricalCrossEntropy"/> so that dZ[L] = A[L] − Y.
    /// Not element-wise, so it is never a hidden layer's activation.
    /// </summary>
    Softmax = 5,
}
