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

    /// <summary>
    /// A long short-term memory layer over a sequence (PyTorch's <c>nn.LSTM</c>, gates i, f, g, o): Wih{l} (4H, I),
    /// Whh{l} (4H, H), bih{l} (4H), bhh{l} (4H); its hidden and cell states are the network's streaming state.
    /// </summary>
    Lstm = 4,

    /// <summary>
    /// A gated recurrent unit layer over a sequence (PyTorch's <c>nn.GRU</c>, gates r, z, n, the reset applied after the
    /// hidden product): Wih{l} (3H, I), Whh{l} (3H, H), bih{l} (3H), bhh{l} (3H); its hidden state is the network's streaming state.
    /// </summary>
    Gru = 5,
}
