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
