using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using KindOf = NnGen.Generator.Model.LayerKind;

namespace NnGen.Generator.Tests.Pipeline;

/// <summary>
/// <see cref="StreamingPolicy.FusesReadout"/> on both sides of each condition: one recurrent layer returning every step,
/// then a linear Dense output of at most <see cref="StreamingPolicy.FusedReadoutOutputLimit"/> units, streams fused;
/// stacked and many-to-one layers, an activation, more outputs, or another layer around it stream layer by layer.
/// </summary>
public sealed class StreamingPolicyTests
{
    [Theory]
    [InlineData(true, 32, 1)]
    [InlineData(false, 8, 8)]
    [InlineData(true, 40, 7)]
    [InlineData(false, 600, 2)]
    public void FusesReadout_OneRecurrentLayerThenSmallLinearDense_True(bool lstm, int units, int outputs) =>
        Assert.True(StreamingPolicy.FusesReadout(Plan(1, LayerSpec.Recurrent(lstm ? KindOf.Lstm : KindOf.Gru, units, returnSequences: true, null), Dense(outputs, ActivationKind.Linear))));

    [Fact]
    public void FusesReadout_EveryOtherShape_False()
    {
        LayerSpec lstm = LayerSpec.Recurrent(KindOf.Lstm, 16, returnSequences: true, null);
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, lstm, Dense(StreamingPolicy.FusedReadoutOutputLimit + 1, ActivationKind.Linear))), "nine outputs");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, lstm, Dense(1, ActivationKind.Tanh))), "an activation");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, LayerSpec.Recurrent(KindOf.Lstm, 16, returnSequences: false, null), Dense(1, ActivationKind.Linear))), "many-to-one");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, LayerSpec.Recurrent(KindOf.Gru, 8, returnSequences: true, null), lstm, Dense(1, ActivationKind.Linear))), "stacked");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, Dense(4, ActivationKind.Tanh), lstm, Dense(1, ActivationKind.Linear))), "a Dense layer first");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, lstm, Dense(4, ActivationKind.Linear), Dense(1, ActivationKind.Linear))), "two Dense layers after");
        Assert.False(StreamingPolicy.FusesReadout(Plan(1, Dense(4, ActivationKind.Tanh), Dense(1, ActivationKind.Linear))), "no recurrent layer");
    }

    [Fact]
    public void FusedNetwork_ParametersLieAsTheKernelReadsThem()
    {
        // RecurrentKernels.*DenseSteps read Wih, Whh, bih, bhh, W, b contiguous from the buffer's start.
        NetworkPlan plan = Plan(3, LayerSpec.Recurrent(KindOf.Lstm, 5, returnSequences: true, null), Dense(2, ActivationKind.Linear));
        int offset = 0;
        foreach (LayerPlan layer in plan.Layers)
        {
            foreach (TensorPlan tensor in layer.Tensors)
            {
                Assert.Equal(offset, tensor.Offset);
                offset += tensor.Length;
            }
        }

        Assert.Equal(plan.ParameterCount, offset);
        Assert.Equal((4 * 5 * (3 + 5 + 2)) + (2 * (5 + 1)), plan.ParameterCount);
    }

    private static LayerSpec Dense(int units, ActivationKind activation) => new(units, (int)activation, 0, null);

    private static NetworkPlan Plan(int inputs, params LayerSpec[] layers) =>
        NetworkPlan.Create(new NetworkSpec(
            "Demo", "Net", string.Empty, "class", IsPartial: true, IsStatic: false, EquatableArray<ContainingTypeSpec>.Empty, Inputs: inputs, LossValue: 0, InitValue: 0,
            new EquatableArray<LayerSpec>(layers), LayerDeclarationCount: 1, HasAttributeErrors: false, Locations: null));
}
