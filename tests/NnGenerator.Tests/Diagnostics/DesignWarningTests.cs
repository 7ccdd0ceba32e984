using NnGen.Generator.Tests.Infrastructure;
using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// NNG0010–NNG0013: architectures that build but train badly. Warnings do not stop generation, so each firing test
/// also shows the network is still generated and that the warning is the only thing the user sees.
/// </summary>
public sealed class DesignWarningTests
{
    private const string ZerosOnNetwork =
        "Init.Zeros on the network starts both W1 and W2 at zero, so the 4 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer";

    [Fact]
    public void ZerosOnNetworkWithHiddenLayer_NNG0010_OnTheInitArgument()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2, [|Init = Init.Zeros|])]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0010", ZerosOnNetwork));
        Assert.Single(output.Result.GeneratedTrees);
    }

    [Fact]
    public void ZerosOnBothLayersAroundTheHiddenLayer_NNG0010_OnEachInitArgument() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh, [|Init = Init.Zeros|])]\n[Layer(1, Activation.Sigmoid, [|Init = Init.Zeros|])]\npublic partial class Net { }\n",
            Expected.Warning("NNG0010", "Init.Zeros on layer 1 starts both W1 and W2 at zero, so the 4 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer"),
            Expected.Warning("NNG0010", "Init.Zeros on layer 2 starts both W1 and W2 at zero, so the 4 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer"));

    [Fact]
    public void ZerosOnNetworkAndLayer_NNG0010_ReportsEachSourceOnceNamingTheFirstLockedLayer() =>
        Verify(
            "[Network(Inputs = 3, [|Init = Init.Zeros|])]\n[Layer(5, Activation.ReLU)]\n[Layer(6, Activation.ReLU, [|Init = Init.Zeros|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0010", "Init.Zeros on the network starts both W1 and W2 at zero, so the 5 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer"),
            Expected.Warning("NNG0010", "Init.Zeros on layer 2 starts both W1 and W2 at zero, so the 5 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer"));

    [Theory]
    [InlineData("[Network(Inputs = 2, Init = Init.Zeros)]\n[Layer(1, Activation.Sigmoid)]")] // logistic regression: no hidden layer
    [InlineData("[Network(Inputs = 2, Init = Init.Zeros)]\n[Layer(3, Activation.Sigmoid)]")] // one layer, several outputs
    [InlineData("[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh, Init = Init.Zeros)]\n[Layer(1, Activation.Sigmoid)]")] // random W2 breaks symmetry
    [InlineData("[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid, Init = Init.Zeros)]")] // zero W[L] alone trains
    [InlineData("[Network(Inputs = 2, Init = Init.Zeros)]\n[Layer(4, Activation.Tanh, Init = Init.Xavier)]\n[Layer(1, Activation.Sigmoid)]")]
    [InlineData("[Network(Inputs = 2, Init = Init.Zeros)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid, Init = Init.Scaled)]")]
    public void ZerosThatCannotLockAHiddenLayer_AreClean(string attributes) =>
        VerifyClean(attributes + "\npublic partial class Net { }\n");

    [Fact]
    public void AllHiddenLayersLinear_NNG0011_SaysTheNetworkIsLinear()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n[Layer(4, [|Activation.Linear|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0011", "Layer 1 of network 'Net' is a hidden layer with Activation.Linear, so the whole network reduces to a single layer: a linear model followed by the output activation; use Activation.ReLU or Activation.Tanh"));
        Assert.Single(output.Result.GeneratedTrees);
    }

    [Fact]
    public void OneLinearHiddenLayerAmongOthers_NNG0011_SaysWhichMatricesCollapse() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(3, [|Activation.Linear|])]\n[Layer(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0011", "Layer 2 of network 'Net' is a hidden layer with Activation.Linear, so W3·W2 collapse into one matrix and layer 2 adds no nonlinearity; use Activation.ReLU or Activation.Tanh"));

    [Fact]
    public void SigmoidHiddenLayer_NNG0012_IsInfo() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, [|Activation.Sigmoid|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Info("NNG0012", "Layer 1 of network 'Net' is a hidden layer with Activation.Sigmoid; Activation.Tanh (zero-centred) or Activation.ReLU (no saturation for z > 0) usually trains faster"));

    [Theory]
    [InlineData("[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(2, Activation.Linear)]")] // linear output: regression
    [InlineData("[Network(Inputs = 2)]\n[Layer(1, Activation.Linear)]")]
    [InlineData("[Network(Inputs = 2)]\n[Layer(4, Activation.ReLU)]\n[Layer(4, Activation.LeakyReLU)]\n[Layer(1, Activation.Sigmoid)]")]
    public void NonlinearHiddenLayersAndAnyOutput_AreClean(string attributes) =>
        VerifyClean(attributes + "\npublic partial class Net { }\n");

    [Fact]
    public void BinaryCrossEntropyWithTanhOutput_NNG0013_OnTheLossArgument() =>
        Verify(
            "[Network(Inputs = 2, [|Loss = Loss.BinaryCrossEntropy|])]\n[Layer(4, Activation.ReLU)]\n[Layer(3, Activation.Tanh)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0013", "Network 'Net' uses Loss.BinaryCrossEntropy with an Activation.Tanh output layer (layer 2, 3 units); binary cross-entropy takes log(a) and log(1 - a), so it needs outputs in (0, 1): use Activation.Sigmoid on the output layer, or Loss.MeanSquaredError"));

    [Fact]
    public void MeanSquaredErrorWithSigmoidOutput_NNG0013() =>
        Verify(
            "[Network(Inputs = 2, [|Loss = Loss.MeanSquaredError|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0013", "Network 'Net' uses Loss.MeanSquaredError with an Activation.Sigmoid output layer (layer 1, 1 unit); the sigmoid's gradient a(1 - a) vanishes when it saturates, so mean squared error learns slowly from confident mistakes: use Loss.BinaryCrossEntropy (the default for a sigmoid output)"));

    [Theory]
    [InlineData("[Network(Inputs = 2, Loss = Loss.BinaryCrossEntropy)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]")]
    [InlineData("[Network(Inputs = 2, Loss = Loss.BinaryCrossEntropy)]\n[Layer(4, Activation.Tanh)]\n[Layer(3, Activation.Sigmoid)]")] // independent binary labels
    [InlineData("[Network(Inputs = 2, Loss = Loss.MeanSquaredError)]\n[Layer(4, Activation.Tanh)]\n[Layer(2, Activation.Linear)]")]
    [InlineData("[Network(Inputs = 2, Loss = Loss.MeanSquaredError)]\n[Layer(4, Activation.Tanh)]\n[Layer(2, Activation.Tanh)]")]
    [InlineData("[Network(Inputs = 2, Loss = Loss.Default)]\n[Layer(4, Activation.Tanh)]\n[Layer(2, Activation.ReLU)]")]
    public void LossThatSuitsTheOutput_IsClean(string attributes) =>
        VerifyClean(attributes + "\npublic partial class Net { }\n");

    [Fact]
    public void WarningsAreNotReportedOverAnError()
    {
        // The unknown enum value is the problem; guessing about the rest of the architecture would only add noise.
        Verify(
            "[Network(Inputs = 2, Init = Init.Zeros)]\n[Layer(4, [|(Activation)42|])]\n[Layer(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0006", "Layer 1 activation of network 'Net' is 42, which is not a defined Activation value; expected one of Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.Linear, Activation.Softmax"));
    }
}
