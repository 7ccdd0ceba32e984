using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>Issue 12, point 1: softmax on a hidden layer, with one unit, or with a loss that does not suit it (NNG0020–NNG0022).</summary>
public sealed class SoftmaxDiagnosticTests
{
    [Fact]
    public void SoftmaxOnAHiddenLayer_NNG0020_OnTheActivation() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, [|Activation.Softmax|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0020", "Layer 1 of network 'Net' is a hidden layer with Activation.Softmax, but softmax turns the units of the output layer (layer 2) into class probabilities and is supported there only; use Activation.ReLU or Activation.Tanh"));

    [Fact]
    public void SoftmaxWithOneUnit_NNG0021_OnTheActivation() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, [|Activation.Softmax|])]\npublic partial class Net { }\n",
            Expected.Error("NNG0021", "The output layer (layer 2) of network 'Net' has Activation.Softmax and 1 unit, so it always outputs 1 and cannot learn; use Activation.Sigmoid for one output, or one unit per class"));

    [Theory]
    [InlineData("MeanSquaredError")]
    [InlineData("BinaryCrossEntropy")]
    public void SoftmaxWithAnotherLoss_NNG0022_OnTheLoss(string loss) =>
        Verify(
            "[Network(Inputs = 2, [|Loss = Loss." + loss + "|])]\n[Layer(4, Activation.Tanh)]\n[Layer(3, Activation.Softmax)]\npublic partial class Net { }\n",
            Expected.Error("NNG0022", "Network 'Net' uses Loss." + loss + " with an Activation.Softmax output layer (layer 2, 3 units); a softmax output is trained with categorical cross-entropy, whose gradient through the softmax is dZ = A − Y: use Loss.CategoricalCrossEntropy (the default for a softmax output)"));

    [Theory]
    [InlineData("Sigmoid", "1 unit")]
    [InlineData("Linear", "1 unit")]
    public void CategoricalCrossEntropyWithoutSoftmax_NNG0022_OnTheLoss(string output, string units) =>
        Verify(
            "[Network(Inputs = 2, [|Loss = Loss.CategoricalCrossEntropy|])]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation." + output + ")]\npublic partial class Net { }\n",
            Expected.Error("NNG0022", "Network 'Net' uses Loss.CategoricalCrossEntropy with an Activation." + output + " output layer (layer 2, " + units + "); categorical cross-entropy takes the log of class probabilities that sum to 1 over the output units: use Activation.Softmax on the output layer, or the default loss for an Activation." + output + " output"));

    [Theory]
    [InlineData("")]
    [InlineData(", Loss = Loss.CategoricalCrossEntropy")]
    [InlineData(", Loss = Loss.Default")]
    public void SoftmaxOutputWithCategoricalCrossEntropy_IsClean(string loss) =>
        VerifyClean("[Network(Inputs = 2" + loss + ")]\n[Layer(4, Activation.ReLU)]\n[Layer(3, Activation.Softmax)]\npublic partial class Net { }\n");

    [Fact]
    public void NonSoftmaxNetworks_NoSoftmaxRuleFires() =>
        VerifyClean("[Network(Inputs = 2, Loss = Loss.BinaryCrossEntropy)]\n[Layer(4, Activation.Tanh)]\n[Layer(3, Activation.Sigmoid)]\npublic partial class Net { }\n");
}
