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

// The fused readout's shapes (StreamingPolicy.FusesReadout) around its edges, and two it leaves to the layered path.

/// <summary>LSTM 32 read out by two outputs: at 512 bits one pair of vectors, the readout reduced in registers.</summary>
[Network(Inputs = 1)]
[Lstm(32)]
[Dense(2, Activation.Linear)]
public partial class Lstm32TwoOutNet;

/// <summary>LSTM 33 read out by seven outputs: a lane past the pair, the readout's sums kept between blocks.</summary>
[Network(Inputs = 1)]
[Lstm(33)]
[Dense(7, Activation.Linear)]
public partial class Lstm33SevenOutNet;

/// <summary>GRU 40 over two inputs, two outputs: fused over several blocks, the input products in the scratch.</summary>
[Network(Inputs = 2)]
[Gru(40)]
[Dense(2, Activation.Linear)]
public partial class Gru40TwoInNet;

/// <summary>Nine outputs, one more than the fused readout takes: the layer's step, then Gemm.MatVec.</summary>
[Network(Inputs = 1)]
[Lstm(16)]
[Dense(9, Activation.Linear)]
public partial class Lstm16NineOutNet;

/// <summary>A readout with an activation: the layer's step, then Gemm.MatVec with tanh.</summary>
[Network(Inputs = 1)]
[Gru(8)]
[Dense(1, Activation.Tanh)]
public partial class Gru8TanhOutNet;
