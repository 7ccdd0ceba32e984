namespace NnGen;

/// <summary>What a <see cref="LayerTensor"/> is to its layer.</summary>
public enum TensorRole
{
    /// <summary>A dense layer's W{l}, shape (units, inputs) row-major.</summary>
    Weight = 0,

    /// <summary>A dense layer's b{l}, shape (units).</summary>
    Bias = 1,

    /// <summary>A normalization layer's gamma{l}, multiplying the normalized features.</summary>
    Scale = 2,

    /// <summary>A normalization layer's beta{l}, added after the scale.</summary>
    Shift = 3,

    /// <summary>Batch normalization's running_mean{l}: state, not a parameter.</summary>
    RunningMean = 4,

    /// <summary>Batch normalization's running_var{l} (PyTorch's unbiased running variance): state, not a parameter.</summary>
    RunningVariance = 5,

    /// <summary>
    /// A recurrent layer's Wih{l}, shape (G·H, I), the gates' blocks of H rows in PyTorch's order (PyTorch's
    /// <c>weight_ih_l{k}</c>); the parameters hold it transposed, (I, G·H) row-major (<see cref="LayerTensor.IsStoredTransposed"/>).
    /// </summary>
    InputWeight = 6,

    /// <summary>
    /// A recurrent layer's Whh{l}, shape (G·H, H), gate blocks as <see cref="InputWeight"/> (PyTorch's <c>weight_hh_l{k}</c>);
    /// the parameters hold it transposed, (H, G·H) row-major (<see cref="LayerTensor.IsStoredTransposed"/>).
    /// </summary>
    RecurrentWeight = 7,

    /// <summary>A recurrent layer's bih{l}, shape (G·H) (PyTorch's <c>bias_ih_l{k}</c>).</summary>
    InputBias = 8,

    /// <summary>A recurrent layer's bhh{l}, shape (G·H) (PyTorch's <c>bias_hh_l{k}</c>; for a GRU's n gate it is added before the reset gate multiplies).</summary>
    RecurrentBias = 9,
}
