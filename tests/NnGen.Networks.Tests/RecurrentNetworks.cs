namespace NnGen.Networks.Tests;

// Recurrent networks, declared as a user declares them. The probes end in an (8 x 8) linear layer that the PyTorch
// fixture tests set to the identity, so the outputs are h itself.

/// <summary>An LSTM of 8 cells over 3 features, h read out through a linear layer.</summary>
[Network(Inputs = 3)]
[Lstm(8)]
[Dense(8, Activation.Linear)]
public partial class LstmProbeNet;

/// <summary>A GRU of 8 units over 3 features, h read out through a linear layer.</summary>
[Network(Inputs = 3)]
[Gru(8)]
[Dense(8, Activation.Linear)]
public partial class GruProbeNet;

/// <summary>The amp-model shape: one sample in, one out, an LSTM between.</summary>
[Network(Inputs = 1)]
[Lstm(8)]
[Dense(1, Activation.Linear)]
public partial class TinyAmpNet;

/// <summary>Stacked GRU and LSTM, the last returning only its last step, then two dense layers: one label per sequence.</summary>
[Network(Inputs = 3)]
[Gru(6)]
[Lstm(5, ReturnSequences = false)]
[Dense(4, Activation.Tanh)]
[Dense(2, Activation.Sigmoid)]
public partial class SequenceClassifierNet;

/// <summary>A dense layer before the recurrent one, a softmax over classes at every step.</summary>
[Network(Inputs = 2)]
[Dense(4, Activation.Tanh)]
[Lstm(5)]
[Dense(3, Activation.Softmax)]
public partial class DenseFirstNet;

/// <summary>RTNeural's largest recurrent row: LSTM 40 over one sample, one output.</summary>
[Network(Inputs = 1)]
[Lstm(40)]
[Dense(1, Activation.Linear)]
public partial class Lstm40AmpNet;

/// <summary>A GRU of 16 over one sample, one output: RTNeural's GRU 16 row and the amp sample's shape.</summary>
[Network(Inputs = 1)]
[Gru(16)]
[Dense(1, Activation.Linear)]
public partial class Gru16AmpNet;
