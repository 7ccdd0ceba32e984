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

    /// <summary>
    /// A 1-D convolution (PyTorch's <c>nn.Conv1d</c>) over (C, L), then the layer's activation: W{l} (out, in / groups,
    /// kernel) and b{l} (out).
    /// </summary>
    Conv1D = 6,

    /// <summary>
    /// A 2-D convolution (PyTorch's <c>nn.Conv2d</c>) over (C, H, W), then the layer's activation: W{l} (out, in / groups,
    /// kh, kw) and b{l} (out).
    /// </summary>
    Conv2D = 7,

    /// <summary>1-D max pooling (PyTorch's <c>nn.MaxPool1d</c>); no tensors.</summary>
    MaxPool1D = 8,

    /// <summary>2-D max pooling (PyTorch's <c>nn.MaxPool2d</c>); no tensors.</summary>
    MaxPool2D = 9,

    /// <summary>1-D average pooling (PyTorch's <c>nn.AvgPool1d</c>, padding counted); no tensors.</summary>
    AvgPool1D = 10,

    /// <summary>2-D average pooling (PyTorch's <c>nn.AvgPool2d</c>, padding counted); no tensors.</summary>
    AvgPool2D = 11,

    /// <summary>The mean of each channel over its positions, (C, …) to (C) (PyTorch's <c>AdaptiveAvgPool(1)</c> + flatten); no tensors.</summary>
    GlobalAvgPool = 12,

    /// <summary>(C, …) to C·… features in PyTorch's order; the identity on the data; no tensors.</summary>
    Flatten = 13,
}
