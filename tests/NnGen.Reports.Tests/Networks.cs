namespace NnGen.Reports.Tests;

/// <summary>The planar sample's network: the course's 2-4-1 classifier with its randn·0.01 weights.</summary>
[Network(Inputs = 2, Init = Init.Scaled)]
[Layer(4, Activation.Tanh)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarNet;

/// <summary>The planar sample's linear baseline.</summary>
[Network(Inputs = 2, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class PlanarLogisticRegression;

/// <summary>The course's two-layer cat network.</summary>
[Network(Inputs = 12288, Init = Init.Scaled)]
[Layer(7, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class TwoLayerCatNet;

/// <summary>A regression network: no classes, so no confusion matrix and no decision boundary.</summary>
[Network(Inputs = 2)]
[Layer(3, Activation.Tanh)]
[Layer(1, Activation.Linear)]
public partial class RegressionNet;

/// <summary>The course's week-2 logistic regression on the cat pixels, from zeros.</summary>
[Network(Inputs = 12288, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class CatLogisticRegression;

/// <summary>The course's four-layer cat network.</summary>
[Network(Inputs = 12288, Init = Init.Xavier)]
[Layer(20, Activation.ReLU)]
[Layer(7, Activation.ReLU)]
[Layer(5, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class DeepCatNet;

/// <summary>A wine-like classifier: three classes from four features.</summary>
[Network(Inputs = 4)]
[Layer(8, Activation.Tanh)]
[Layer(3, Activation.Softmax)]
public partial class WineNet;

/// <summary>A linnerud-like regression: three targets from three features.</summary>
[Network(Inputs = 3)]
[Layer(6, Activation.Tanh)]
[Layer(3, Activation.Linear)]
public partial class LinnerudNet;
