namespace NnGen.Generator.Model
{
    // The generator cannot reference NnRuntime (net10.0), so these mirror NnGen.Activation, NnGen.Loss and NnGen.Init
    // value for value; a test asserts that names and values match the runtime's enums.

    /// <summary>Mirror of NnGen.Activation.</summary>
    internal enum ActivationKind
    {
        Sigmoid = 0,
        Tanh = 1,
        ReLU = 2,
        LeakyReLU = 3,
        Linear = 4,
        Softmax = 5,
    }

    /// <summary>Mirror of NnGen.Loss.</summary>
    internal enum LossKind
    {
        Default = 0,
        BinaryCrossEntropy = 1,
        MeanSquaredError = 2,
        CategoricalCrossEntropy = 3,
    }

    /// <summary>Mirror of NnGen.Init.</summary>
    internal enum InitKind
    {
        Default = 0,
        Xavier = 1,
        He = 2,
        Scaled = 3,
        Zeros = 4,
    }

    /// <summary>Mirror of NnGen.LayerKind: what a layer computes; one attribute, spec reading and emitter per kind.</summary>
    internal enum LayerKind
    {
        Dense = 0,
        Dropout = 1,
        BatchNorm = 2,
        LayerNorm = 3,
        Lstm = 4,
        Gru = 5,
        Conv1D = 6,
        Conv2D = 7,
        MaxPool1D = 8,
        MaxPool2D = 9,
        AvgPool1D = 10,
        AvgPool2D = 11,
        GlobalAvgPool = 12,
        Flatten = 13,
    }

    /// <summary>How a convolution pads its input; mirror of the runtime's NnGen.PaddingMode.</summary>
    internal enum PaddingModeKind
    {
        Explicit = 0,
        Same = 1,
        Causal = 2,
    }
}
