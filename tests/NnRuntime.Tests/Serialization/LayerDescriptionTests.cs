using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Tests.Training;

namespace NnGen.Tests.Serialization;

/// <summary>The layer-generic description: factories, the architecture built from them, its validation and equality.</summary>
public sealed class LayerDescriptionTests
{
    /// <summary>12 -> 10 relu -> batch_norm -> dropout(0.2) -> 8 relu -> layer_norm -> 4 softmax, laid out as the contract says.</summary>
    internal static NetworkArchitecture Fashion(float dropout = 0.2f, float epsilon = 1e-5f, float momentum = 0.1f) => new(
        "FashionKinds",
        12,
        [
            LayerDescription.Dense(1, 12, 10, Activation.ReLU, parameterOffset: 0),
            LayerDescription.BatchNorm(2, 10, epsilon, momentum, parameterOffset: 130, stateOffset: 0),
            LayerDescription.Dropout(3, 10, dropout),
            LayerDescription.Dense(4, 10, 8, Activation.ReLU, parameterOffset: 150),
            LayerDescription.LayerNorm(5, 8, 1e-5f, parameterOffset: 238),
            LayerDescription.Dense(6, 8, 4, Activation.Softmax, parameterOffset: 254),
        ],
        Loss.CategoricalCrossEntropy);

    [Fact]
    public void Dense_Tensors_WThenBContiguousOnlyWDecays()
    {
        LayerDescription layer = LayerDescription.Dense(3, inputs: 4, units: 2, Activation.Tanh, parameterOffset: 17);

        Assert.Equal((3, LayerKind.Dense, 4, 2, Activation.Tanh), (layer.Index, layer.Kind, layer.Inputs, layer.Units, layer.Activation));
        Assert.Equal((0f, 0f, 0f), (layer.Rate, layer.Epsilon, layer.Momentum));
        Assert.Equal(new[] { "W3 (2, 4) at params[17..25)", "b3 (2) at params[25..27)" }, layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { TensorRole.Weight, TensorRole.Bias }, layer.Tensors.Select(t => t.Role));
        Assert.Equal(new[] { true, false }, layer.Tensors.Select(t => t.Decays));
        Assert.All(layer.Tensors, t => Assert.False(t.IsState));
    }

    [Fact]
    public void BatchNorm_Tensors_GammaBetaParametersRunningStatisticsState()
    {
        LayerDescription layer = LayerDescription.BatchNorm(2, units: 5, epsilon: 1e-3f, momentum: 0.2f, parameterOffset: 40, stateOffset: 10);

        Assert.Equal((LayerKind.BatchNorm, 5, 5, Activation.Linear), (layer.Kind, layer.Inputs, layer.Units, layer.Activation));
        Assert.Equal((0f, 1e-3f, 0.2f), (layer.Rate, layer.Epsilon, layer.Momentum));
        Assert.Equal(
            new[] { "gamma2 (5) at params[40..45)", "beta2 (5) at params[45..50)", "running_mean2 (5) at state[10..15)", "running_var2 (5) at state[15..20)" },
            layer.Tensors.Select(t => t.ToString()));
        Assert.Equal(new[] { TensorRole.Scale, TensorRole.Shift, TensorRole.RunningMean, TensorRole.RunningVariance }, layer.Tensors.Select(t => t.Role));
        Assert.Equal(new[] { false, false, true, true }, layer.Tensors.Select(t => t.IsState));
        Assert.All(layer.Tensors, t => Assert.False(t.Decays));
    }

    [Fact]
    public void LayerNormAndDropout_Tensors_GammaBetaOrNone()
    {
        LayerDescription norm = LayerDescription.LayerNorm(4, units: 3, epsilon: 1e-5f, parameterOffset: 9);
        LayerDescription dropout = LayerDescription.Dropout(5, units: 3, rate: 0.25f);

        Assert.Equal(new[] { "gamma4 (3) at params[9..12)", "beta4 (3) at params[12..15)" }, norm.Tensors.Select(t => t.ToString()));
        Assert.Equal((LayerKind.LayerNorm, 1e-5f, 0f), (norm.Kind, norm.Epsilon, norm.Momentum));
        Assert.Empty(dropout.Tensors);
        Assert.Equal((LayerKind.Dropout, 3, 3, 0.25f, Activation.Linear), (dropout.Kind, dropout.Inputs, dropout.Units, dropout.Rate, dropout.Activation));
    }

    [Fact]
    public void Architecture_MixedKinds_SizesActivationsCountsAndTensorsInLayerOrder()
    {
        NetworkArchitecture architecture = Fashion();

        Assert.Equal(new[] { 12, 10, 10, 10, 8, 8, 4 }, architecture.LayerSizes);
        Assert.Equal(
            new[] { Activation.ReLU, Activation.Linear, Activation.Linear, Activation.ReLU, Activation.Linear, Activation.Softmax },
            architecture.Activations);
        Assert.Equal(6, architecture.LayerCount);
        Assert.Equal((12, 4), (architecture.InputSize, architecture.OutputSize));
        Assert.Equal(130 + 20 + 88 + 16 + 36, architecture.ParameterCount);
        Assert.Equal(20, architecture.StateCount);
        Assert.Equal(
            new[] { "W1", "b1", "gamma2", "beta2", "running_mean2", "running_var2", "W4", "b4", "gamma5", "beta5", "W6", "b6" },
            architecture.Tensors.Select(t => t.Name));
        Assert.Equal((150, 230, 254, 286), (architecture.WeightOffset(4), architecture.BiasOffset(4), architecture.WeightOffset(6), architecture.BiasOffset(6)));
        Assert.Equal((10, 10, 10, 8), (architecture.InputsOf(3), architecture.UnitsOf(3), architecture.InputsOf(4), architecture.UnitsOf(4)));
        Assert.Equal("12 -> 10 relu -> batch_norm -> dropout(0.2) -> 8 relu -> layer_norm -> 4 softmax", architecture.Describe());
    }

    [Fact]
    public void Describe_TheContractsExample()
    {
        var architecture = new NetworkArchitecture(
            "Mnist",
            784,
            [
                LayerDescription.Dense(1, 784, 256, Activation.ReLU, 0),
                LayerDescription.BatchNorm(2, 256, 1e-5f, 0.1f, 200960, 0),
                LayerDescription.Dropout(3, 256, 0.2f),
                LayerDescription.Dense(4, 256, 128, Activation.ReLU, 201472),
                LayerDescription.LayerNorm(5, 128, 1e-5f, 234368),
                LayerDescription.Dense(6, 128, 10, Activation.Softmax, 234624),
            ],
            Loss.CategoricalCrossEntropy);

        Assert.Equal("784 -> 256 relu -> batch_norm -> dropout(0.2) -> 128 relu -> layer_norm -> 10 softmax", architecture.Describe());
        Assert.Equal(235914, architecture.ParameterCount);
    }

    [Fact]
    public void WeightAndBiasOffsets_OfANonDenseLayer_RefusedNamingTheKind()
    {
        NetworkArchitecture architecture = Fashion();

        ArgumentException weight = Assert.Throws<ArgumentException>(() => architecture.WeightOffset(2));
        ArgumentException bias = Assert.Throws<ArgumentException>(() => architecture.BiasOffset(5));

        Assert.Equal("Layer 2 of FashionKinds is batch_norm (12 -> 10 relu -> batch_norm -> dropout(0.2) -> 8 relu -> layer_norm -> 4 softmax); only dense layers have W and b. (Parameter 'layer')", weight.Message);
        Assert.StartsWith("Layer 5 of FashionKinds is layer_norm (", bias.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => architecture.WeightOffset(7));
    }

    [Fact]
    public void DenseOnly_BothConstructors_DescribeTheSameNetwork()
    {
        var fromSizes = new NetworkArchitecture("Net", [3, 5, 2], [Activation.Tanh, Activation.Sigmoid], Loss.BinaryCrossEntropy);
        var fromLayers = new NetworkArchitecture(
            "Other",
            3,
            [LayerDescription.Dense(1, 3, 5, Activation.Tanh, 0), LayerDescription.Dense(2, 5, 2, Activation.Sigmoid, 20)],
            Loss.BinaryCrossEntropy);

        Assert.Equal(fromSizes, fromLayers);
        Assert.Equal(fromSizes.GetHashCode(), fromLayers.GetHashCode());
        Assert.Equal(fromSizes.Layers, fromLayers.Layers);
        Assert.Equal(new[] { "W1", "b1", "W2", "b2" }, fromSizes.Tensors.Select(t => t.Name));
        Assert.Equal((32, 0), (fromSizes.ParameterCount, fromSizes.StateCount));
        Assert.Equal((20, 30), (fromSizes.WeightOffset(2), fromSizes.BiasOffset(2)));
        Assert.Equal("3 -> 5 tanh -> 2 sigmoid", fromLayers.Describe());
    }

    [Fact]
    public void Equality_ComparesKindsAndArguments()
    {
        // Two architectures built separately from the same description.
        NetworkArchitecture first = Fashion(), second = Fashion();
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(Fashion(), Fashion(dropout: 0.3f));
        Assert.NotEqual(Fashion(), Fashion(epsilon: 1e-3f));
        Assert.NotEqual(Fashion(), Fashion(momentum: 0.01f));

        // Same sizes and activations, another kind in the middle.
        var layerNorm = new NetworkArchitecture(
            "A",
            4,
            [LayerDescription.Dense(1, 4, 3, Activation.ReLU, 0), LayerDescription.LayerNorm(2, 3, 1e-5f, 15), LayerDescription.Dense(3, 3, 1, Activation.Sigmoid, 21)],
            Loss.BinaryCrossEntropy);
        var batchNorm = new NetworkArchitecture(
            "A",
            4,
            [LayerDescription.Dense(1, 4, 3, Activation.ReLU, 0), LayerDescription.BatchNorm(2, 3, 1e-5f, 0.1f, 15, 0), LayerDescription.Dense(3, 3, 1, Activation.Sigmoid, 21)],
            Loss.BinaryCrossEntropy);
        Assert.Equal(layerNorm.LayerSizes, batchNorm.LayerSizes);
        Assert.Equal(layerNorm.Activations, batchNorm.Activations);
        Assert.NotEqual(layerNorm, batchNorm);
    }

    public static TheoryData<string, Func<NetworkArchitecture>> InvalidArchitectures => new()
    {
        {
            "Layer 2 (dense) expects 6 inputs but layer 1 produces 5. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.Dense(2, 6, 1, Activation.Sigmoid, 20)], Loss.BinaryCrossEntropy)
        },
        {
            "Layer 1 (dense) expects 4 inputs but the network has 3 inputs. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 4, 1, Activation.Sigmoid, 0)], Loss.BinaryCrossEntropy)
        },
        {
            "Layer 2 (batch_norm) expects 4 inputs but layer 1 produces 5. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.BatchNorm(2, 4, 1e-5f, 0.1f, 20, 0), LayerDescription.Dense(3, 4, 1, Activation.Sigmoid, 28)], Loss.BinaryCrossEntropy)
        },
        {
            "Layer 2: W2 starts at params[21] but the tensors before it end at 20; the buffer is contiguous in layer order. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.Dense(2, 5, 1, Activation.Sigmoid, 21)], Loss.BinaryCrossEntropy)
        },
        {
            "Layer 1: W1 starts at params[4] but the tensors before it end at 0; the buffer is contiguous in layer order. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 1, Activation.Sigmoid, 4)], Loss.BinaryCrossEntropy)
        },
        {
            "Layer 4: running_mean4 starts at state[0] but the tensors before it end at 10; the buffer is contiguous in layer order. (Parameter 'layers')",
            () => new(
                "N",
                3,
                [
                    LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.BatchNorm(2, 5, 1e-5f, 0.1f, 20, 0),
                    LayerDescription.Dense(3, 5, 5, Activation.ReLU, 30), LayerDescription.BatchNorm(4, 5, 1e-5f, 0.1f, 60, 0),
                    LayerDescription.Dense(5, 5, 1, Activation.Sigmoid, 70),
                ],
                Loss.BinaryCrossEntropy)
        },
        {
            "The last layer must be dense; layer 2 is dropout. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.Dropout(2, 5, 0.5f)], Loss.MeanSquaredError)
        },
        {
            "The layer at position 2 is numbered 3; layers are numbered 1..L in order. (Parameter 'layers')",
            () => new("N", 3, [LayerDescription.Dense(1, 3, 5, Activation.ReLU, 0), LayerDescription.Dense(3, 5, 1, Activation.Sigmoid, 20)], Loss.BinaryCrossEntropy)
        },
        {
            "A network needs at least one layer; found none. (Parameter 'layers')",
            () => new("N", 3, Array.Empty<LayerDescription>(), Loss.BinaryCrossEntropy)
        },
        {
            "n[0] must be at least 1; found 0. (Parameter 'inputs')",
            () => new("N", 0, [LayerDescription.Dense(1, 1, 1, Activation.Sigmoid, 0)], Loss.BinaryCrossEntropy)
        },
    };

    [Theory]
    [MemberData(nameof(InvalidArchitectures))]
    public void Architecture_LayersThatDoNotDescribeANetwork_RefusedSayingWhatDiffers(string message, Func<NetworkArchitecture> create)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(create);

        Assert.Equal(message, error.Message);
    }

    public static TheoryData<string, Func<LayerDescription>> InvalidLayers => new()
    {
        { "Layer 3: the dropout rate must be in [0, 1); found 1. (Parameter 'rate')", () => LayerDescription.Dropout(3, 4, 1f) },
        { "Layer 3: the dropout rate must be in [0, 1); found -0.1. (Parameter 'rate')", () => LayerDescription.Dropout(3, 4, -0.1f) },
        { "Layer 3: the dropout rate must be in [0, 1); found NaN. (Parameter 'rate')", () => LayerDescription.Dropout(3, 4, float.NaN) },
        { "Layer 2: epsilon must be a finite number above 0; found 0. (Parameter 'epsilon')", () => LayerDescription.BatchNorm(2, 4, 0f, 0.1f, 0, 0) },
        { "Layer 2: epsilon must be a finite number above 0; found -1E-05. (Parameter 'epsilon')", () => LayerDescription.LayerNorm(2, 4, -1e-5f, 0) },
        { "Layer 2: epsilon must be a finite number above 0; found NaN. (Parameter 'epsilon')", () => LayerDescription.LayerNorm(2, 4, float.NaN, 0) },
        { "Layer 2: epsilon must be a finite number above 0; found Infinity. (Parameter 'epsilon')", () => LayerDescription.BatchNorm(2, 4, float.PositiveInfinity, 0.1f, 0, 0) },
        { "Layer 2: the batch-norm momentum must be in [0, 1]; found 1.5. (Parameter 'momentum')", () => LayerDescription.BatchNorm(2, 4, 1e-5f, 1.5f, 0, 0) },
        { "Layer 2: the batch-norm momentum must be in [0, 1]; found -0.1. (Parameter 'momentum')", () => LayerDescription.BatchNorm(2, 4, 1e-5f, -0.1f, 0, 0) },
        { "Layer 2: units must be at least 1; found 0. (Parameter 'units')", () => LayerDescription.BatchNorm(2, 0, 1e-5f, 0.1f, 0, 0) },
        { "Layer 1: inputs must be at least 1; found 0. (Parameter 'inputs')", () => LayerDescription.Dense(1, 0, 3, Activation.ReLU, 0) },
        { "Layer 1: parameterOffset must not be negative; found -4. (Parameter 'parameterOffset')", () => LayerDescription.Dense(1, 2, 3, Activation.ReLU, -4) },
        { "Layer 2: stateOffset must not be negative; found -1. (Parameter 'stateOffset')", () => LayerDescription.BatchNorm(2, 3, 1e-5f, 0.1f, 0, -1) },
        { "Layers are numbered from 1; found 0. (Parameter 'index')", () => LayerDescription.LayerNorm(0, 3, 1e-5f, 0) },
        { "Layer 1: unknown activation 42. (Parameter 'activation')", () => LayerDescription.Dense(1, 2, 3, (Activation)42, 0) },
        { "Layer 1: 2147483648 weights and 32768 biases at offset 0 do not fit in one buffer. (Parameter 'units')", () => LayerDescription.Dense(1, 65536, 32768, Activation.ReLU, 0) },
    };

    [Theory]
    [MemberData(nameof(InvalidLayers))]
    public void Factories_ArgumentsOutOfRange_RefusedNamingTheLayerAndTheValue(string message, Func<LayerDescription> create)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(create);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Factories_BoundaryArguments_Accepted()
    {
        Assert.Equal(0f, LayerDescription.Dropout(2, 3, 0f).Rate);
        Assert.Equal(0.99999994f, LayerDescription.Dropout(2, 3, 0.99999994f).Rate);
        Assert.Equal(0f, LayerDescription.BatchNorm(2, 3, 1e-5f, 0f, 0, 0).Momentum);
        Assert.Equal(1f, LayerDescription.BatchNorm(2, 3, 1e-5f, 1f, 0, 0).Momentum);
        Assert.Equal(float.Epsilon, LayerDescription.LayerNorm(2, 3, float.Epsilon, 0).Epsilon);
    }

    [Fact]
    public void LayerTensor_InvalidArguments_Refused()
    {
        Assert.Equal(
            "Tensor 'running_mean2': state is neither optimized nor decayed. (Parameter 'decays')",
            Assert.Throws<ArgumentException>(() => new LayerTensor("running_mean2", TensorRole.RunningMean, [3], 0, isState: true, decays: true)).Message);
        Assert.Equal(
            "Tensor 'W1': every dimension must be at least 1; found (3, 0). (Parameter 'shape')",
            Assert.Throws<ArgumentException>(() => new LayerTensor("W1", TensorRole.Weight, [3, 0], 0, isState: false, decays: true)).Message);
        Assert.Equal(
            "Tensor 'b1': a layer tensor has at least one dimension. (Parameter 'shape')",
            Assert.Throws<ArgumentException>(() => new LayerTensor("b1", TensorRole.Bias, Array.Empty<int>(), 0, isState: false, decays: false)).Message);
        Assert.Equal(
            "Tensor 'b1': offset -1 with 3 values does not fit in a buffer. (Parameter 'offset')",
            Assert.Throws<ArgumentException>(() => new LayerTensor("b1", TensorRole.Bias, [3], -1, isState: false, decays: false)).Message);
        var tensor = new LayerTensor("gamma3", TensorRole.Scale, new List<int> { 2, 3 }, 5, isState: false, decays: false);
        Assert.Equal((6, 5), (tensor.Length, tensor.Offset));
        Assert.Equal(tensor, new LayerTensor("gamma3", TensorRole.Scale, [2, 3], 5, isState: false, decays: false));
        Assert.NotEqual(tensor, new LayerTensor("gamma3", TensorRole.Scale, [3, 2], 5, isState: false, decays: false));
    }

    [Fact]
    public void State_OfANetworkThatDoesNotImplementIt_IsEmpty()
    {
        ITrainableNetwork network = new ScalarNetwork("Plain", [2, 3, 1], [Activation.Tanh, Activation.Sigmoid]);

        Assert.True(network.State.IsEmpty);
    }
}
