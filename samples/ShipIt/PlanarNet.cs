using NnGen;

namespace NnGen.Samples.ShipIt;

/// <summary>
/// The course's planar classifier, 2 → 4 tanh → 1 sigmoid. <c>new PlanarNet()</c> starts from the weights trained by
/// <c>ShipIt train planar.safetensors</c>, baked in at build time; <c>new PlanarNet(seed)</c> is randomly initialized.
/// </summary>
[Network(Inputs = 2, Init = Init.Scaled, Weights = "planar.safetensors")]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

/// <summary>Logistic regression on the same data: the second row of the AOT-against-JIT benchmark.</summary>
[Network(Inputs = 2, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarLogisticRegression;
