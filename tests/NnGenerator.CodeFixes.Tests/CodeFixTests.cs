using static NnGen.Generator.CodeFixes.Tests.CodeFixVerifier;

namespace NnGen.Generator.CodeFixes.Tests;

/// <summary>Each code fix applied to the diagnostic it fixes; the result must build clean with the generator.</summary>
public sealed class CodeFixTests
{
    private const string Layers = "[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\n";

    [Fact]
    public void NotPartial_AddPartial_KeepsModifiersAndTrivia() =>
        Verify(
            new AddPartialCodeFix(),
            "[Network(Inputs = 2)]\n" + Layers + "public sealed class Net\n{\n}\n",
            "NNG0001",
            "Add 'partial'",
            "[Network(Inputs = 2)]\n" + Layers + "public sealed partial class Net\n{\n}\n");

    [Fact]
    public void NotPartialWithoutModifiers_AddPartial_TakesTheIndentation() =>
        Verify(
            new AddPartialCodeFix(),
            "internal static class Holder\n{\n    [Network(Inputs = 2)]\n    [Layer(1, Activation.Sigmoid)]\n    class Net { }\n}\n",
            "NNG0001",
            "Add 'partial'",
            "internal static partial class Holder\n{\n    [Network(Inputs = 2)]\n    [Layer(1, Activation.Sigmoid)]\n    partial class Net { }\n}\n");

    [Fact]
    public void ContainingTypeNotPartial_AddPartial_ToEveryContainingType() =>
        Verify(
            new AddPartialCodeFix(),
            "public class Outer\n{\n    public struct Middle\n    {\n        [Network(Inputs = 2)]\n        [Layer(1, Activation.Sigmoid)]\n        public partial class Net { }\n    }\n}\n",
            "NNG0002",
            "Add 'partial'",
            "public partial class Outer\n{\n    public partial struct Middle\n    {\n        [Network(Inputs = 2)]\n        [Layer(1, Activation.Sigmoid)]\n        public partial class Net { }\n    }\n}\n");

    [Fact]
    public void ZerosOnNetwork_UseTheDefaultInitializer_RemovesTheArgument() =>
        Verify(
            new RemoveArgumentCodeFix(),
            "[Network(Inputs = 2, Init = Init.Zeros)]\n" + Layers + "public partial class Net { }\n",
            "NNG0010",
            "Use the default initializer",
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Net { }\n");

    [Fact]
    public void ZerosOnLayer_UseTheDefaultInitializer_RemovesOnlyThatLayersArgument() =>
        Verify(
            new RemoveArgumentCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh, Init = Init.Zeros)]\n[Layer(1, Activation.Sigmoid, Init = Init.Zeros)]\npublic partial class Net { }\n",
            "NNG0010",
            "Use the default initializer",
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid, Init = Init.Zeros)]\npublic partial class Net { }\n");

    [Fact]
    public void LossMismatch_UseTheDefaultLoss_RemovesTheArgument() =>
        Verify(
            new RemoveArgumentCodeFix(),
            "[Network(Loss = Loss.MeanSquaredError, Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            "NNG0013",
            "Use the default loss",
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    public void LinearHiddenLayer_UseReLUOrTanh(string activation) =>
        Verify(
            new ChangeActivationCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(4, NnGen.Activation.Linear)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            "NNG0011",
            "Use Activation." + activation,
            "[Network(Inputs = 2)]\n[Layer(4, NnGen.Activation." + activation + ")]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void LinearHiddenLayer_OffersBothReLUAndTanh() =>
        Assert.Equal(
            new[] { "Use Activation.ReLU", "Use Activation.Tanh" },
            Titles(new ChangeActivationCodeFix(), "[Network(Inputs = 2)]\n[Layer(4, Activation.Linear)]\n[Layer(1, Activation.Linear)]\npublic partial class Net { }\n", "NNG0011"));

    [Fact]
    public void SigmoidHiddenLayer_UseTanh() =>
        Verify(
            new ChangeActivationCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(3, Activation.Sigmoid)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            "NNG0012",
            "Use Activation.Tanh",
            "[Network(Inputs = 2)]\n[Layer(3, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void CastActivation_IsReplacedByTheQualifiedName() =>
        Verify(
            new ChangeActivationCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(3, (Activation)4)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            "NNG0011",
            "Use Activation.ReLU",
            "[Network(Inputs = 2)]\n[Layer(3, global::NnGen.Activation.ReLU)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void SoftmaxSingleUnit_UseSigmoid() =>
        Verify(
            new ChangeActivationCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Softmax)]\npublic partial class Net { }\n",
            "NNG0021",
            "Use Activation.Sigmoid",
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void SoftmaxSingleUnit_OffersOnlySigmoid() =>
        Assert.Equal(
            new[] { "Use Activation.Sigmoid" },
            Titles(new ChangeActivationCodeFix(), "[Network(Inputs = 2)]\n[Layer(1, Activation.Softmax)]\npublic partial class Net { }\n", "NNG0021"));

    [Fact]
    public void SoftmaxHiddenLayer_UseReLU() =>
        Verify(
            new ChangeActivationCodeFix(),
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Softmax)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            "NNG0020",
            "Use Activation.ReLU",
            "[Network(Inputs = 2)]\n[Layer(4, Activation.ReLU)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void CategoricalCrossEntropyWithSigmoidOutput_UseTheDefaultLoss_RemovesTheArgument() =>
        Verify(
            new RemoveArgumentCodeFix(),
            "[Network(Inputs = 2, Loss = Loss.CategoricalCrossEntropy)]\n" + Layers + "public partial class Net { }\n",
            "NNG0022",
            "Use the default loss",
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Net { }\n");
}
