using NnGen;

namespace NnGen.Samples.CatClassifier;

/// <summary>Week 2: logistic regression on the 64x64x3 pixels, from zero weights as the course does.</summary>
[Network(Inputs = 12288, Init = Init.Zeros)]
[Layer(1, Activation.Sigmoid)]
public partial class CatLogisticRegression;

/// <summary>Week 4, two layers: LINEAR→RELU→LINEAR→SIGMOID with randn·0.01 weights (the course's initialize_parameters).</summary>
[Network(Inputs = 12288, Init = Init.Scaled)]
[Layer(7, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class TwoLayerCatNet;

/// <summary>Week 4, four layers: [LINEAR→RELU]x3→LINEAR→SIGMOID with randn/√n[l-1] weights (initialize_parameters_deep).</summary>
[Network(Inputs = 12288, Init = Init.Xavier)]
[Layer(20, Activation.ReLU)]
[Layer(7, Activation.ReLU)]
[Layer(5, Activation.ReLU)]
[Layer(1, Activation.Sigmoid)]
public partial class DeepCatNet;
