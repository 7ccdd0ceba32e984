using System;
using System.Linq;

namespace NnGen.Tests.Serialization;

/// <summary>Recurrent layers as data: the contract's tensors, names, shapes and offsets, ReturnSequences, and the architecture's checks.</summary>
public sealed class RecurrentLayerDescriptionTests
{
    /// <summary>3 -> lstm(5) -> gru(4, last step) -> 2 sigmoid: 200 + 132 + 10 parameters.</summary>
    internal static NetworkArchitecture Stacked(bool lastStepOnly = true) => new(
        "Stacked",
        3,
        [
            LayerDescription.Lstm(1, inputs: 3, units: 5, returnSequences: true, parameterOffset: 0),
            LayerDescription.Gru(2, inputs: 5, units: 4, returnSequences: !lastStepOnly, parameterOffset: 200),
            LayerDescription.Dense(3, 4, 2, Activation.Sigmoid, parameterOffset: 332),
        ],
        Loss.BinaryCrossEntropy);

    [Fact]
    public void Lstm_Tensors_ContractsNamesShapesAndOffsetsWeightsDecayBiasesDoNot()
    {
        LayerDescription layer = LayerDescription.Lstm(2, inputs: 3, units: 5, returnSequences: true, parameterOffset: 7);

        Assert.Equal((2, LayerKind.Lstm, 3, 5, Activation.Linear, true, true), (layer.Index, layer.Kind, layer.Inputs, layer.Units, layer.Activation, layer.ReturnSequences, layer.IsRecurrent));
        Assert.Equal(
            new[] { "Wih2 (20, 3) at params[7..67)", "Whh2 (20, 5) at params[67..167)", "bih2 (20) at params[167..187)", "bhh2 (20) at params[187..207)" },
            layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { TensorRole.InputWeight, TensorRole.RecurrentWeight, TensorRole.InputBias, TensorRole.RecurrentBias }, layer.Tensors.Select(t => t.Role));
        Assert.Equal(new[] { true, true, false, false }, layer.Tensors.Select(t => t.Decays));
        Assert.All(layer.Tensors, t => Assert.False(t.IsState));
        Assert.Equal("lstm(return_sequences=true)", layer.Arguments());
        Assert.Equal("layer 2: lstm(return_sequences=true), 3 -> 5", layer.ToString());
    }

    [Fact]
    public void Gru_Tensors_ThreeGatesOfRows()
    {
        LayerDescription layer = LayerDescription.Gru(1, inputs: 2, units: 4, returnSequences: false, parameterOffset: 0);

        Assert.Equal((LayerKind.Gru, false, true), (layer.Kind, layer.ReturnSequences, layer.IsRecurrent));
        Assert.Equal(
            new[] { "Wih1 (12, 2) at params[0..24)", "Whh1 (12, 4) at params[24..72)", "bih1 (12) at params[72..84)", "bhh1 (12) at params[84..96)" },
            layer.Tensors.Select(t => t.ToString()));
        Assert.Equal("gru(return_sequences=false)", layer.Arguments());
        Assert.False(LayerDescription.Dense(1, 2, 3, Activation.ReLU, 0).IsRecurrent);
        Assert.False(LayerDescription.Dense(1, 2, 3, Activation.ReLU, 0).ReturnSequences);
    }

    [Fact]
    public void Architecture_StackedRecurrent_SizesCountsTensorsAndDescription()
    {
        NetworkArchitecture architecture = Stacked();

        Assert.Equal(new[] { 3, 5, 4, 2 }, architecture.LayerSizes);
        Assert.Equal(new[] { Activation.Linear, Activation.Linear, Activation.Sigmoid }, architecture.Activations);
        Assert.Equal((200 + 132 + 10, 0), (architecture.ParameterCount, architecture.StateCount));
        Assert.True(architecture.IsRecurrent);
        Assert.False(LayerDescriptionTests.Fashion().IsRecurrent);
        Assert.Equal(
            new[] { "Wih1", "Whh1", "bih1", "bhh1", "Wih2", "Whh2", "bih2", "bhh2", "W3", "b3" },
            architecture.Tensors.Select(t => t.Name));
        Assert.Equal("3 -> lstm(5) -> gru(4, last step) -> 2 sigmoid", architecture.Describe());
        Assert.Equal((332, 340), (architecture.WeightOffset(3), architecture.BiasOffset(3)));
        Assert.Equal(
            "Layer 1 of Stacked is lstm (3 -> lstm(5) -> gru(4, last step) -> 2 sigmoid); only dense layers have W and b. (Parameter 'layer')",
            Assert.Throws<ArgumentException>(() => architecture.WeightOffset(1)).Message);
    }

    [Fact]
    public void Equality_ComparesReturnSequencesAndKind()
    {
        // Two architectures built apart from the same arguments: equal by value, with equal hashes.
        NetworkArchitecture built = Stacked(), rebuilt = Stacked();
        Assert.NotSame(built, rebuilt);
        Assert.Equal(built, rebuilt);
        Assert.Equal(built.GetHashCode(), rebuilt.GetHashCode());
        Assert.NotEqual(Stacked(lastStepOnly: true), Stacked(lastStepOnly: false));
        Assert.NotEqual(LayerDescription.Lstm(1, 2, 3, true, 0), LayerDescription.Lstm(1, 2, 3, false, 0));

        // Same units and offsets; the gate counts differ, so do the tensors and the kinds.
        Assert.NotEqual(LayerDescription.Lstm(1, 2, 3, true, 0), LayerDescription.Gru(1, 2, 3, true, 0));
    }

    [Fact]
    public void Architecture_LastStepOnlyFollowedByAnotherRecurrentLayer_RefusedNamingBoth()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new NetworkArchitecture(
            "Bad",
            1,
            [
                LayerDescription.Gru(1, 1, 4, returnSequences: false, 0),
                LayerDescription.Lstm(2, 4, 3, returnSequences: true, 84),
                LayerDescription.Dense(3, 3, 1, Activation.Linear, 192),
            ],
            Loss.MeanSquaredError));

        Assert.Equal(
            "Layer 2 (lstm) needs a sequence, but layer 1 (gru) returns only its last step (ReturnSequences = false); return every step from layer 1 to stack them. (Parameter 'layers')",
            error.Message);
    }

    [Fact]
    public void Architecture_LastStepOnlyThenDenseThenRecurrent_RefusedNamingBoth()
    {
        // The dense layer in between runs once per sequence: it does not make a sequence again.
        ArgumentException error = Assert.Throws<ArgumentException>(() => new NetworkArchitecture(
            "Bad",
            2,
            [
                LayerDescription.Lstm(1, 2, 3, returnSequences: false, 0),
                LayerDescription.Dense(2, 3, 3, Activation.Tanh, 84),
                LayerDescription.Gru(3, 3, 2, returnSequences: false, 96),
                LayerDescription.Dense(4, 2, 1, Activation.Sigmoid, 138),
            ],
            Loss.BinaryCrossEntropy));

        Assert.StartsWith("Layer 3 (gru) needs a sequence, but layer 1 (lstm) returns only its last step", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Architecture_ValidRecurrentStacks_Accepted()
    {
        // Every step into a last-step layer, a dense layer at every step before a recurrent one, many-to-one at the end.
        var architecture = new NetworkArchitecture(
            "Fine",
            2,
            [
                LayerDescription.Dense(1, 2, 3, Activation.Tanh, 0),
                LayerDescription.Lstm(2, 3, 4, returnSequences: true, 9),
                LayerDescription.Lstm(3, 4, 4, returnSequences: false, 9 + 144),
                LayerDescription.Dense(4, 4, 2, Activation.Softmax, 9 + 144 + 160),
            ],
            Loss.CategoricalCrossEntropy);

        Assert.Equal("2 -> 3 tanh -> lstm(4) -> lstm(4, last step) -> 2 softmax", architecture.Describe());
        Assert.Equal(9 + 144 + 160 + 10, architecture.ParameterCount);
    }

    [Fact]
    public void Architecture_RecurrentLast_RefusedAsEveryNonDenseLast()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new NetworkArchitecture("N", 1, [LayerDescription.Gru(1, 1, 2, true, 0)], Loss.MeanSquaredError));

        Assert.Equal("The last layer must be dense; layer 1 is gru. (Parameter 'layers')", error.Message);
    }

    [Fact]
    public void Architecture_RecurrentInputsOrOffsetsWrong_RefusedSayingWhatDiffers()
    {
        Assert.Equal(
            "Layer 2 (lstm) expects 5 inputs but layer 1 produces 4. (Parameter 'layers')",
            Assert.Throws<ArgumentException>(() => new NetworkArchitecture(
                "N",
                1,
                [LayerDescription.Gru(1, 1, 4, true, 0), LayerDescription.Lstm(2, 5, 3, true, 84), LayerDescription.Dense(3, 3, 1, Activation.Linear, 84 + 120)],
                Loss.MeanSquaredError)).Message);
        Assert.Equal(
            "Layer 2: Wih2 starts at params[70] but the tensors before it end at 84; the buffer is contiguous in layer order. (Parameter 'layers')",
            Assert.Throws<ArgumentException>(() => new NetworkArchitecture(
                "N",
                1,
                [LayerDescription.Gru(1, 1, 4, true, 0), LayerDescription.Lstm(2, 4, 3, true, 70), LayerDescription.Dense(3, 3, 1, Activation.Linear, 178)],
                Loss.MeanSquaredError)).Message);
    }

    public static TheoryData<string, Func<LayerDescription>> InvalidLayers => new()
    {
        { "Layer 2: units must be at least 1; found 0. (Parameter 'units')", () => LayerDescription.Lstm(2, 3, 0, true, 0) },
        { "Layer 2: inputs must be at least 1; found -1. (Parameter 'inputs')", () => LayerDescription.Gru(2, -1, 3, true, 0) },
        { "Layers are numbered from 1; found 0. (Parameter 'index')", () => LayerDescription.Gru(0, 1, 3, false, 0) },
        { "Layer 1: parameterOffset must not be negative; found -3. (Parameter 'parameterOffset')", () => LayerDescription.Lstm(1, 1, 3, false, -3) },
        {
            "Layer 1: 2147483648 weights and 131072 biases of a 4-gate lstm at offset 0 do not fit in one buffer. (Parameter 'units')",
            () => LayerDescription.Lstm(1, 16384, 16384, true, 0)
        },
        {
            "Layer 3: 96 weights and 24 biases of a 3-gate gru at offset 2147483600 do not fit in one buffer. (Parameter 'units')",
            () => LayerDescription.Gru(3, 4, 4, true, 2147483600)
        },
    };

    [Theory]
    [MemberData(nameof(InvalidLayers))]
    public void Factories_ArgumentsOutOfRange_RefusedNamingTheLayerAndTheValue(string message, Func<LayerDescription> create)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(create);

        Assert.Equal(message, error.Message);
    }
}
