namespace NnGen.Networks.Tests;

// Convolutional networks, declared as a user declares them. The first three match the PyTorch fixtures of
// tools/pytorch/conv_network_fixtures.py by name (lenet_small, one_d, strided).

/// <summary>LeNet-5's pattern, scaled down: padded convolution, max pool, convolution, average pool, flatten, dense.</summary>
[Network(Input = new[] { 1, 12, 12 })]
[Conv2D(4, Kernel = 3, Padding = 1, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(6, Kernel = 3, Activation = Activation.Tanh)]
[AvgPool2D(2)]
[Flatten]
[Dense(10, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class LeNetSmall;

/// <summary>1-D: 'same' and causal padding, dilation, groups, padded max pool, average pool, global average pool.</summary>
[Network(Input = new[] { 3, 20 })]
[Conv1D(6, Kernel = 3, PaddingMode = PaddingMode.Same, Activation = Activation.Tanh)]
[Conv1D(6, Kernel = 3, Dilation = 2, Groups = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.ReLU)]
[MaxPool1D(3, Stride = 2, Padding = 1)]
[AvgPool1D(2)]
[GlobalAvgPool]
[Dense(1, Activation.Sigmoid)]
public partial class OneDimensionalNet;

/// <summary>2-D with stride, padding, dilation and groups together, a padded stride-1 max pool and a linear convolution.</summary>
[Network(Input = new[] { 2, 9, 7 })]
[Conv2D(4, Kernel = 3, Stride = 2, Padding = 2, Dilation = 2, Groups = 2)]
[MaxPool2D(3, Stride = 1, Padding = 1)]
[Conv2D(3, Kernel = 2, Activation = Activation.Sigmoid)]
[Flatten]
[Dense(2, Activation.Softmax)]
public partial class StridedNet;

/// <summary>A pool first (the input transposed straight into it) and dropout between convolution layers.</summary>
[Network(Input = new[] { 2, 6, 6 })]
[AvgPool2D(2)]
[Conv2D(3, Kernel = 2, Activation = Activation.LeakyReLU)]
[Dropout(0.2)]
[GlobalAvgPool]
[Dense(2, Activation.Softmax)]
public partial class PoolFirstNet;
