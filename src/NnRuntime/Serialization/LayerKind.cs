namespace NnGen;

/// <summary>What a layer of a network computes (see <see cref="LayerDescription"/>).</summary>
public enum LayerKind
{
    /// <summary>Z[l] = W[l]·A[l-1] + b[l], then the layer's activation: tensors W{l} (units, inputs) and b{l} (units).</summary>
    Dense = 0,

    /// <summary>Inverted dropout while training (kept units scaled by 1 / (1 − rate)), the identity at inference; no tensors.</summary>
    Dropout = 1,

    /// <summary>
    /// Batch normalization of each feature over the batch (PyTorch's <c>BatchNorm1d</c>): trainable gamma{l} and beta{l},
    /// and the running mean and variance (state) that inference normalizes with.
    /// </summary>
    BatchNorm = 2,

    /// <summary>Layer normalization of each example over its features (PyTorch's <c>LayerNorm</c>): gamma{l} and beta{l}.</summary>
    LayerNorm = 3,
}
