namespace NnGen.Networks.Tests;

// Networks over time steps with causal Conv1D layers, declared as a user declares them.

/// <summary>RTNeural's conv1d_stack: a small dilated WaveNet-like stack (receptive field 15 samples), one sample in and out.</summary>
[Network(Inputs = 1)]
[Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Conv1D(8, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Conv1D(8, Kernel = 3, Dilation = 4, PaddingMode = PaddingMode.Causal, Activation = Activation.Tanh)]
[Dense(1, Activation.Linear)]
public partial class CausalStackNet;

/// <summary>Two features per step, grouped and dilated convolutions around a GRU.</summary>
[Network(Inputs = 2)]
[Conv1D(4, Kernel = 2, Dilation = 3, Groups = 2, PaddingMode = PaddingMode.Causal, Activation = Activation.ReLU)]
[Gru(5)]
[Conv1D(3, Kernel = 3, PaddingMode = PaddingMode.Causal)]
[Dense(2, Activation.Linear)]
public partial class CausalMixedNet;
