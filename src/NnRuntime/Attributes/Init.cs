namespace NnGen;

/// <summary>How a layer's weights W[l] are drawn; biases always start at zero.</summary>
public enum Init
{
    /// <summary>
    /// Chosen from the layer's activation: <see cref="He"/> for ReLU and leaky ReLU,
    /// <see cref="Xavier"/> for sigmoid, tanh and linear.
    /// </summary>
    Default = 0,

    /// <summary>randn · √(1 / n[l-1]) (Glorot/Xavier, the course's deep-network recipe).</summary>
    Xavier = 1,

    /// <summary>randn · √(2 / n[l-1]).</summary>
    He = 2,

    /// <summary>randn · 0.01, the course's first recipe.</summary>
    Scaled = 3,

    /// <summary>All zeros: fine for logistic regression, but every unit of a hidden layer then stays identical.</summary>
    Zeros = 4,
}
