using System;
using System.Linq;
using System.Reflection;
using NnGen.Generator.Emit;
using NnGen.Generator.Emit.Layers;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;

namespace NnGen.Generator.Tests.Emit;

using KindOf = NnGen.Generator.Model.LayerKind;

/// <summary>
/// A layer kind is one attribute, one spec reading, one rule row, one plan entry, one emitter and one runtime
/// description. Each test walks every <see cref="LayerKind"/>, so a kind added to the enum without one of its parts fails
/// here, as a new activation without its table row fails <c>TableTests</c>.
/// </summary>
public sealed class LayerKindTableTests
{
    // The runtime's enum (test methods are public; the generator's mirror is internal, and KnownNamesTests ties the two).
    public static TheoryData<NnGen.LayerKind> Kinds => new(Enum.GetValues<NnGen.LayerKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasItsAttribute_InTheRuntime(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        Type? attribute = typeof(NetworkAttribute).Assembly.GetType("NnGen." + LayerRules.KindName(kind) + "Attribute");
        Assert.NotNull(attribute);
        Assert.True(attribute!.GetCustomAttribute<AttributeUsageAttribute>()!.AllowMultiple, $"[{LayerRules.KindName(kind)}] may appear more than once");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasItsRuntimeDescriptionFactory(NnGen.LayerKind runtimeKind) =>
        Assert.NotNull(typeof(LayerDescription).GetMethod(LayerRules.KindName((KindOf)runtimeKind), BindingFlags.Public | BindingFlags.Static));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasAnEmitter_AndEveryEmitterPartWrites(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        NetworkPlan plan = NetworkPlan.Create(NetworkWith(kind));
        LayerPlan layer = plan.Layers[1];
        ILayerEmitter emitter = LayerEmitters.For(kind);

        Assert.StartsWith("Layer 2: " + LayerRules.KindName(kind), emitter.Describe(layer), StringComparison.Ordinal);
        Assert.StartsWith(LayerRules.KindName(kind) + " 2", emitter.SummaryCells(layer)[0], StringComparison.Ordinal);
        foreach (Action<SourceWriter> part in new Action<SourceWriter>[]
        {
            writer => emitter.EmitForwardSingle(writer, layer, "input", "output"),
            writer => emitter.EmitForwardBatch(writer, layer, "a1", training: false),
            writer => emitter.EmitForwardBatch(writer, layer, "a1", training: true),
            writer => emitter.EmitBackward(writer, layer, plan.Layers[0], "dZ2", "deltaB"),
        })
        {
            var writer = new SourceWriter();
            part(writer);
            Assert.False(string.IsNullOrWhiteSpace(writer.ToString()));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_PlansTheTensorsItsRulesCount(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        LayerPlan layer = NetworkPlan.Create(NetworkWith(kind)).Layers[1];
        int units = layer.Units;

        Assert.Equal(LayerRules.ParameterCount(kind, layer.Inputs, units), layer.Tensors.Where(tensor => !tensor.IsState).Sum(tensor => tensor.Length));
        Assert.Equal(LayerRules.StateCount(kind, units), layer.Tensors.Where(tensor => tensor.IsState).Sum(tensor => tensor.Length));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_TensorNames_MatchTheRuntimeDescription(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        LayerPlan layer = NetworkPlan.Create(NetworkWith(kind)).Layers[1];
        LayerDescription runtime = kind switch
        {
            KindOf.Dense => LayerDescription.Dense(2, layer.Inputs, layer.Units, Activation.Tanh, layer.WeightOffset),
            KindOf.Dropout => LayerDescription.Dropout(2, layer.Units, 0.25f),
            KindOf.BatchNorm => LayerDescription.BatchNorm(2, layer.Units, 1e-5f, 0.1f, layer.WeightOffset, 0),
            KindOf.Lstm => LayerDescription.Lstm(2, layer.Inputs, layer.Units, true, layer.WeightOffset),
            KindOf.Gru => LayerDescription.Gru(2, layer.Inputs, layer.Units, true, layer.WeightOffset),
            _ => LayerDescription.LayerNorm(2, layer.Units, 1e-5f, layer.WeightOffset),
        };

        Assert.Equal(runtime.Tensors.Select(tensor => (tensor.Name, tensor.Offset, tensor.Length, tensor.IsState, tensor.Decays, (int)tensor.Role)),
            layer.Tensors.Select(tensor => (tensor.FileName, tensor.Offset, tensor.Length, tensor.IsState, tensor.Decays, (int)tensor.Role)));
    }

    /// <summary>[Dense 3 tanh] [kind] [Dense 1 sigmoid] on 2 inputs.</summary>
    private static NetworkSpec NetworkWith(KindOf kind)
    {
        LayerSpec middle = kind switch
        {
            KindOf.Dense => new LayerSpec(3, (int)ActivationKind.Tanh, 0, null),
            KindOf.Dropout => LayerSpec.Dropout(0.25, null),
            KindOf.BatchNorm => LayerSpec.BatchNorm(0.1, 1e-5, null),
            KindOf.Lstm or KindOf.Gru => LayerSpec.Recurrent(kind, 4, returnSequences: true, null),
            _ => LayerSpec.LayerNorm(1e-5, null),
        };

        return new NetworkSpec(
            "Demo", "Net", string.Empty, "class", IsPartial: true, IsStatic: false, EquatableArray<ContainingTypeSpec>.Empty, Inputs: 2, LossValue: 0, InitValue: 0,
            new EquatableArray<LayerSpec>(new[] { new LayerSpec(3, (int)ActivationKind.Tanh, 0, null), middle, new LayerSpec(1, (int)ActivationKind.Sigmoid, 0, null) }),
            LayerDeclarationCount: 1, HasAttributeErrors: false, Locations: null);
    }
}
