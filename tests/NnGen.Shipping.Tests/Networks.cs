namespace NnGen.Shipping.Tests;

// The network shapes the test suites use (tests/NnGen.Networks.Tests/Networks.cs), declared here too so that every
// one of them is saved, loaded and exported.

[Network(Inputs = 2, Init = Init.Scaled)]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

[Network(Inputs = 2, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class LogisticRegression;

[Network(Inputs = 3)]
[Layer(5, Activation.ReLU)]
[Layer(5, Activation.LeakyReLU)]
[Layer(2, Activation.Sigmoid)]
public partial class MixedNet;

[Network(Inputs = 3)]
[Layer(4, Activation.Tanh)]
[Layer(2, Activation.Linear)]
public partial class RegressionNet;

[Network(Inputs = 12288, Init = Init.Xavier)]
[Layer(20, Activation.ReLU)]
[Layer(7, Activation.ReLU)]
[Layer(5, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class DeepCatNet;

[Network(Inputs = 1)]
[Layer(1, Activation.Linear)]
public partial class TinyLinearNet;

/// <summary>A medium network: every layer through the kernels rather than unrolled code.</summary>
[Network(Inputs = 16)]
[Layer(64, Activation.ReLU)]
[Layer(64, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class MediumNet;

/// <summary>The PyTorch fixtures' architectures (tools/pytorch/export_sequential.py).</summary>
[Network(Inputs = 3)]
[Layer(8, Activation.ReLU)]
[Layer(6, Activation.Tanh)]
[Layer(2, Activation.Sigmoid)]
public partial class TorchClassifier;

[Network(Inputs = 4)]
[Layer(16, Activation.LeakyReLU)]
[Layer(3, Activation.Linear)]
public partial class TorchRegressor;

/// <summary>A multi-class network: softmax output, categorical cross-entropy.</summary>
[Network(Inputs = 4)]
[Layer(6, Activation.ReLU)]
[Layer(3, Activation.Softmax)]
public partial class SoftmaxNet;

/// <summary>A generated LSTM with a linear readout at every step (the amp shape, two outputs).</summary>
[Network(Inputs = 2)]
[Lstm(6)]
[Dense(2, Activation.Linear)]
public partial class ShipLstmNet;

/// <summary>A generated stack: dense first, GRU, LSTM returning its last step, softmax per sequence.</summary>
[Network(Inputs = 3)]
[Dense(3, Activation.Tanh)]
[Gru(5)]
[Lstm(4, ReturnSequences = false)]
[Dense(3, Activation.Softmax)]
public partial class ShipSequenceClassifier;
