namespace NnGen;

/// <summary>How a convolution pads its input (PyTorch's <c>padding</c> argument and the causal convention of audio models).</summary>
public enum PaddingMode
{
    /// <summary><c>Padding</c> zeros on each side of every spatial dimension (0, the default, is PyTorch's "valid").</summary>
    Explicit = 0,

    /// <summary>
    /// PyTorch's <c>padding='same'</c>: stride 1, dilation·(kernel − 1) zeros in total per dimension, the extra one (when
    /// odd) after the input, so the output has the input's size.
    /// </summary>
    Same = 1,

    /// <summary>
    /// Conv1D only: dilation·(kernel − 1) zeros before the sequence and none after, so output t sees inputs up to t only
    /// (WaveNet's and RTNeural's causal convolution); stride 1.
    /// </summary>
    Causal = 2,
}
