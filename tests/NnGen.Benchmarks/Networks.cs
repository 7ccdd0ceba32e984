using NnGen;

namespace NnGen.Benchmarks;

// The workloads of the performance table, declared as a user would.

[Network(Inputs = 2, Init = Init.Scaled)]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

[Network(Inputs = 16)]
[Layer(64, Activation.ReLU)]
[Layer(64, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class MediumNet;

/// <summary>[16,64,64,1] with a linear output: RTNeural's <c>16_64_64_1</c> workload.</summary>
[Network(Inputs = 16)]
[Layer(64, Activation.ReLU)]
[Layer(64, Activation.ReLU)]
[Layer(1, Activation.Linear)]
public partial class MediumLinearNet;

[Network(Inputs = 12288, Init = Init.Xavier)]
[Layer(20, Activation.ReLU)]
[Layer(7, Activation.ReLU)]
[Layer(5, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class DeepCatNet;

[Network(Inputs = 4)]
[Layer(4, Activation.Tanh)]
public partial class Dense4;

[Network(Inputs = 8)]
[Layer(8, Activation.Tanh)]
public partial class Dense8;

[Network(Inputs = 16)]
[Layer(16, Activation.Tanh)]
public partial class Dense16;

[Network(Inputs = 32)]
[Layer(32, Activation.Tanh)]
public partial class Dense32;

[Network(Inputs = 64)]
[Layer(64, Activation.Tanh)]
public partial class Dense64;

/// <summary>The size of the tabular data sets users start with (Wisconsin breast cancer: 30 features, 455 training rows).</summary>
[Network(Inputs = 30)]
[Layer(16, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class TabularNet;

/// <summary>
/// SimpleChains.jl's README workload: [4, 32 tanh, 16 tanh, 4 identity] with squared error, trained full-batch on
/// 10,000 examples with Adam.
/// </summary>
[Network(Inputs = 4)]
[Layer(32, Activation.Tanh)]
[Layer(16, Activation.Tanh)]
[Layer(4, Activation.Linear)]
public partial class SimpleChainsNet;

/// <summary>The Fashion-MNIST network of the multi-class issue: [784,256,128,10] ReLU, output <see cref="FashionOutput.Activation"/>.</summary>
[Network(Inputs = 784)]
[Layer(256, Activation.ReLU)]
[Layer(128, Activation.ReLU)]
[Layer(10, FashionOutput.Activation)]
public partial class FashionNet;

/// <summary>The Fashion-MNIST sample's normalized network: [784, 256 ReLU, BatchNorm, Dropout 0.2, 128 ReLU, LayerNorm, 10 softmax].</summary>
[Network(Inputs = 784)]
[Dense(256, Activation.ReLU)]
[BatchNorm]
[Dropout(0.2)]
[Dense(128, Activation.ReLU)]
[LayerNorm]
[Dense(10, Activation.Softmax)]
public partial class FashionNormNet;

/// <summary>The output activation of <see cref="FashionNet"/>, one constant for the network, its ONNX twin and the reference.</summary>
public static class FashionOutput
{
    /// <summary>g[3] of <see cref="FashionNet"/>: softmax over the 10 classes, trained with categorical cross-entropy.</summary>
    public const Activation Activation = NnGen.Activation.Softmax;
}
