using System.Linq;
using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 20, point 3: the compile-time checks of the layer kinds beyond dense (NNG0031–NNG0033), each firing at the
/// argument or attribute it is about, and silent on networks that use the kinds well.
/// </summary>
public sealed class LayerKindDiagnosticTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.1", "-0.1")]
    public void DropoutRateOutsideZeroToOne_NNG0031_OnTheRate(string rate, string shown) =>
        Verify(
            "[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[Dropout([|" + rate + "|])]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0031", "Dropout layer 2 of network 'Net' has rate = " + shown + "; the rate is the probability that a feature is dropped in training, in [0, 1) (1 would drop every feature)"));

    [Fact]
    public void BatchNormEpsilonNotPositive_NNG0031_OnTheEpsilon() =>
        Verify(
            "[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[BatchNorm([|Epsilon = 0|])]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0031", "BatchNorm layer 2 of network 'Net' has Epsilon = 0; ε keeps the division by the standard deviation finite, in (0, 1] (PyTorch's default 1e-5)"));

    [Fact]
    public void BatchNormMomentumAboveOne_NNG0031_OnTheMomentum() =>
        Verify(
            "[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[BatchNorm([|Momentum = 1.5|])]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0031", "BatchNorm layer 2 of network 'Net' has Momentum = 1.5; the momentum is the weight of each batch in the running statistics, in [0, 1] (PyTorch's default 0.1)"));

    [Fact]
    public void LayerNormEpsilonNegative_NNG0031_OnTheEpsilon() =>
        Verify(
            "[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[LayerNorm([|Epsilon = -1e-5|])]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0031", "LayerNorm layer 2 of network 'Net' has Epsilon = -1E-05; ε keeps the division by the standard deviation finite, in (0, 1] (PyTorch's default 1e-5)"));

    [Theory]
    [InlineData("Dropout(0.5)", "Dropout")]
    [InlineData("BatchNorm", "BatchNorm")]
    [InlineData("LayerNorm", "LayerNorm")]
    public void LastLayerNotDense_NNG0032_OnTheLastAttribute(string attribute, string kind) =>
        Verify(
            "[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[Dense(1, Activation.Sigmoid)]\n[[|" + attribute + "|]]\npublic partial class Net { }\n",
            Expected.Error("NNG0032", "The last layer of network 'Net' is " + kind + " (layer 3); a network ends with a Dense layer, whose units and activation are the outputs the loss compares with the labels: add a [Dense] after it or remove it"));

    [Fact]
    public void LinearDenseBeforeBatchNorm_NNG0033_OnTheDenseLayer()
    {
        // The linear hidden layer also gets NNG0011 at its activation, inside the span of this info, which the markup
        // cannot nest: so the two are checked by hand.
        (string source, var spans) = ParseMarkup(Usings + "[Network(Inputs = 2)]\n[[|Dense(4, Activation.Linear)|]]\n[BatchNorm]\n[Dense(4, Activation.ReLU)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n");
        var diagnostics = Run(source).Diagnostics;

        Assert.Equal(["NNG0033", "NNG0011"], diagnostics.Select(diagnostic => diagnostic.Id));
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, diagnostics[0].Severity);
        Assert.Equal(spans[0], diagnostics[0].Location.SourceSpan);
        Assert.Equal(
            "The bias b1 of linear Dense layer 1 of network 'Net' is cancelled by BatchNorm layer 2, which subtracts each feature's batch mean; BatchNorm's β already shifts each feature, so b1 only adds parameters that never learn",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("so W3·W1 collapse into one matrix", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void ReLUDenseBeforeBatchNorm_NoBiasHint() =>
        VerifyClean("[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[BatchNorm]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Theory]
    [InlineData("[Dense(8, Activation.ReLU)]\n[BatchNorm]\n[Dropout(0.2)]\n[Dense(4, Activation.ReLU)]\n[LayerNorm]\n[Dense(3, Activation.Softmax)]")]
    [InlineData("[BatchNorm(Momentum = 0.3, Epsilon = 1e-3)]\n[Dropout(0)]\n[Dense(3, Activation.Tanh)]\n[Dense(1, Activation.Sigmoid)]")]
    [InlineData("[Layer(4, Activation.Tanh)]\n[Dropout(0.999)]\n[Dense(1, Activation.Sigmoid)]")]
    public void NetworksUsingTheKindsWell_AreClean(string layers) =>
        VerifyClean("[Network(Inputs = 2)]\n" + layers + "\npublic partial class Net { }\n");

    [Fact]
    public void ZeroInitAnalyzer_IsSilentAboutBetaAndTheStartingState() =>
        VerifyClean("[Network(Inputs = 2)]\n[Dense(4, Activation.ReLU)]\n[BatchNorm]\n[LayerNorm]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n");

    [Fact]
    public void ZeroInitAcrossOtherKinds_NNG0010_StillFires() =>
        Verify(
            "[Network(Inputs = 2, [|Init = Init.Zeros|])]\n[Dense(4, Activation.Tanh)]\n[BatchNorm]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Warning("NNG0010", "Init.Zeros on the network starts both W1 and W3 at zero, so the 4 units of hidden layer 1 of network 'Net' get identical gradients and stay identical; remove Init to use the default initializer"));
}
