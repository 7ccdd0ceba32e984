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
}
