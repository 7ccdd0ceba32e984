namespace NnGen.Networks.Tests;

// Networks with dropout, batch norm and layer norm, declared as a user declares them. The first four match the PyTorch
// fixtures of tools/pytorch/layer_kinds_fixtures.py by name (bn, ln, dropout, fashion).

/// <summary>Batch norm after a ReLU layer, softmax output.</summary>
[Network(Inputs = 5)]
[Dense(6, Activation.ReLU)]
[BatchNorm]
[Dense(3, Activation.Softmax)]
public partial class BatchNormNet;

/// <summary>Layer norm after a tanh layer, one sigmoid output.</summary>
[Network(Inputs = 5)]
[Dense(6, Activation.Tanh)]
[LayerNorm]
[Dense(1, Activation.Sigmoid)]
public partial class LayerNormNet;

/// <summary>Dropout between two dense layers, two sigmoid outputs.</summary>
[Network(Inputs = 5)]
[Dense(6, Activation.ReLU)]
[Dropout(0.25)]
[Dense(2, Activation.Sigmoid)]
public partial class DropoutNet;

/// <summary>Every kind in one network, the shape of the Fashion-MNIST sample's, scaled down.</summary>
[Network(Inputs = 12)]
[Dense(10, Activation.ReLU)]
[BatchNorm]
[Dropout(0.2)]
[Dense(8, Activation.ReLU)]
[LayerNorm]
[Dense(4, Activation.Softmax)]
public partial class AllKindsNet;

/// <summary>Layers of other kinds first: batch norm of the raw inputs (as Keras users normalize), then input dropout.</summary>
[Network(Inputs = 4)]
[BatchNorm(Momentum = 0.3, Epsilon = 1e-3)]
[Dropout(0.1)]
[Dense(5, Activation.Tanh)]
[LayerNorm(Epsilon = 1e-4)]
[Dense(2, Activation.Linear)]
public partial class InputNormNet;

/// <summary>[Layer] and [Dense] mixed: the synonym keeps compiling.</summary>
[Network(Inputs = 3)]
[Layer(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class SynonymNet;
