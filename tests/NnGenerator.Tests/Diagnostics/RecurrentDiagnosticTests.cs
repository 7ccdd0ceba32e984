using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 24, point 4: the compile-time checks of recurrent networks (NNG0034, NNG0035, and the unit count every layer
/// has), each at the attribute it is about, and silence on recurrent networks declared well.
/// </summary>
public sealed class RecurrentDiagnosticTests
{
    [Theory]
    [InlineData("Lstm", "Gru", "Gru", "Lstm")]
    [InlineData("Gru", "Lstm", "Lstm", "Gru")]
    [InlineData("Lstm", "Lstm", "Lstm", "Lstm")]
    public void RecurrentAfterALastStepOnlyLayer_NNG0034_OnTheSecondLayerNamingBoth(string first, string second, string secondName, string firstName) =>
        Verify(
            "[Network(Inputs = 3)]\n[" + first + "(16, ReturnSequences = false)]\n[[|" + second + "(8)|]]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0034", secondName + " layer 2 of network 'Net' runs over time steps, but " + firstName + " layer 1 before it returns only its last step (ReturnSequences = false), so no sequence reaches layer 2: set ReturnSequences = true on layer 1, or make layer 1 the last recurrent layer"));

    [Theory]
    [InlineData("Dropout(0.2)", "Dropout")]
    [InlineData("BatchNorm", "BatchNorm")]
    [InlineData("LayerNorm", "LayerNorm")]
    public void OtherKindInARecurrentNetwork_NNG0035_OnThatLayer(string attribute, string kind) =>
        Verify(
            "[Network(Inputs = 1)]\n[Lstm(32)]\n[[|" + attribute + "|]]\n[Dense(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0035", kind + " layer 2 of network 'Net' is in a recurrent network (layer 1 is Lstm); a recurrent network takes Dense, Lstm, Gru and causal Conv1D layers"));

    [Theory]
    [InlineData("Lstm")]
    [InlineData("Gru")]
    public void RecurrentLayerWithoutUnits_NNG0004_OnTheUnits(string kind) =>
        Verify(
            "[Network(Inputs = 1)]\n[" + kind + "([|0|])]\n[Dense(1, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0004", "Layer 1 of network 'Net' has 0 units; a layer needs at least 1"));

    [Theory]
    [InlineData("[Lstm(32)]\n[Dense(1, Activation.Linear)]")]
    [InlineData("[Gru(16)]\n[Gru(8)]\n[Dense(1, Activation.Linear)]")]
    [InlineData("[Dense(4, Activation.Tanh)]\n[Lstm(8)]\n[Lstm(4, ReturnSequences = false)]\n[Dense(3, Activation.ReLU)]\n[Dense(2, Activation.Softmax)]")]
    [InlineData("[Gru(5, ReturnSequences = true)]\n[Dense(1, Activation.Sigmoid)]")]
    public void RecurrentNetworksDeclaredWell_AreClean(string layers) =>
        VerifyClean("[Network(Inputs = 2)]\n" + layers + "\npublic partial class Net { }\n");
}
