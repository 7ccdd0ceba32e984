using NnGen;

namespace NnGen.Samples.ShipIt;

/// <summary>The course's planar classifier, 2 → 4 tanh → 1 sigmoid, as trained by <c>ShipIt train</c>.</summary>
[Network(Inputs = 2, Init = Init.Scaled)]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

/// <summary>Logistic regression on the same data: the second row of the AOT-against-JIT benchmark.</summary>
[Network(Inputs = 2, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarLogisticRegression;
