using NnGen;

namespace NnGen.Samples.Planar;

/// <summary>
/// The course's one-hidden-layer classifier. <see cref="Init.Scaled"/> is the course's randn·0.01, so with seed 2 the
/// weights are exactly the notebook's.
/// </summary>
[Network(Inputs = 2, Init = Init.Scaled)]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

/// <summary>The linear baseline the course compares against: a single sigmoid unit, trained from zeros.</summary>
[Network(Inputs = 2, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarLogisticRegression;
