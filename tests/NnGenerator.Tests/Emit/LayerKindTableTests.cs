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
    public void EveryKind_HasItsRuntimeDescriptionFactory(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        string factory = ShapeRules.IsConvolution(kind) ? "Convolution" : ShapeRules.IsWindowPool(kind) ? "Pooling" : LayerRules.KindName(kind);
        Assert.NotNull(typeof(LayerDescription).GetMethod(factory, BindingFlags.Public | BindingFlags.Static));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasAnEmitter_AndEveryEmitterPartWrites(NnGen.LayerKind runtimeKind)
    {
        var kind = (KindOf)runtimeKind;
        NetworkPlan plan = NetworkPlan.Create(NetworkWith(kind));
        LayerPlan layer = plan.Layers[1];
        ILayerEmitter emitter = LayerEmitters.For(kind);
        Assert.Equal(kind, layer.Kind);

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

        // A convolution's count follows from its geometry: Cout·(Cin / groups)·kh·kw weights and Cout biases.
        long expected = layer.Conv is { } conv ? ((long)conv.OutChannels * conv.KernelVolume) + conv.OutChannels : LayerRules.ParameterCount(kind, layer.Inputs, units);
        Assert.Equal(expected, layer.Tensors.Where(tensor => !tensor.IsState).Sum(tensor => tensor.Length));
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
            KindOf.LayerNorm => LayerDescription.LayerNorm(2, layer.Units, 1e-5f, layer.WeightOffset),
            KindOf.Conv1D or KindOf.Conv2D => LayerDescription.Convolution(2, runtimeKind, Geometry(layer.Conv!), Activation.Tanh, layer.WeightOffset),
            KindOf.GlobalAvgPool => LayerDescription.GlobalAvgPool(2, layer.InputShape[0], layer.InputShape.Count == 3 ? layer.InputShape[1] : 1, layer.InputShape[layer.InputShape.Count - 1]),
            KindOf.Flatten => LayerDescription.Flatten(2, layer.InputShape[0], layer.InputShape.Count == 3 ? layer.InputShape[1] : 1, layer.InputShape[layer.InputShape.Count - 1]),
            _ => LayerDescription.Pooling(2, runtimeKind, new NnGen.Kernels.PoolGeometry(
                layer.Pool!.Channels, layer.Pool.InHeight, layer.Pool.InWidth, layer.Pool.KernelHeight, layer.Pool.KernelWidth,
                layer.Pool.StrideHeight, layer.Pool.StrideWidth, layer.Pool.PadHeight, layer.Pool.PadWidth)),
        };

        Assert.Equal(runtime.Tensors.Select(tensor => (tensor.Name, tensor.Offset, tensor.Length, tensor.IsState, tensor.Decays, (int)tensor.Role)),
            layer.Tensors.Select(tensor => (tensor.FileName, tensor.Offset, tensor.Length, tensor.IsState, tensor.Decays, (int)tensor.Role)));
    }

    private static NnGen.Kernels.ConvGeometry Geometry(ConvShape c) => new(
        c.InChannels, c.InHeight, c.InWidth, c.OutChannels, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth,
        c.PadTop, c.PadBottom, c.PadLeft, c.PadRight, c.DilationHeight, c.DilationWidth, c.Groups);

    /// <summary>
    /// [Dense 3 tanh] [kind] [Dense 1 sigmoid] on 2 inputs; for a shaped kind, [Conv 3 tanh, kernel 1] [kind] [Flatten]
    /// [Dense 1 sigmoid] on (2, 8, 8) or (2, 8).
    /// </summary>
    private static NetworkSpec NetworkWith(KindOf kind)
    {
        if (ShapeRules.IsShaped(kind))
        {
            bool twoD = kind is KindOf.Conv2D or KindOf.MaxPool2D or KindOf.AvgPool2D;
            KindOf convolution = twoD ? KindOf.Conv2D : KindOf.Conv1D;
            LayerSpec first = LayerSpec.Convolution(convolution, 3, (int)ActivationKind.Tanh, 0, kernel: 1, stride: 1, padding: 0, paddingMode: 0, dilation: 1, groups: 1, null);
            LayerSpec shaped = ShapeRules.IsConvolution(kind)
                ? LayerSpec.Convolution(kind, 4, (int)ActivationKind.Tanh, 0, kernel: 3, stride: 1, padding: 1, paddingMode: 0, dilation: 1, groups: 1, null)
                : LayerSpec.Pooling(kind, ShapeRules.IsWindowPool(kind) ? 2 : 0, ShapeRules.IsWindowPool(kind) ? 2 : 0, 0, null);
            var layers = new System.Collections.Generic.List<LayerSpec> { first, shaped };
            if (kind is not (KindOf.Flatten or KindOf.GlobalAvgPool))
            {
                layers.Add(LayerSpec.Pooling(KindOf.Flatten, 0, 0, 0, null));
            }

            layers.Add(new LayerSpec(1, (int)ActivationKind.Sigmoid, 0, null));
            return new NetworkSpec(
                "Demo", "Net", string.Empty, "class", IsPartial: true, IsStatic: false, EquatableArray<ContainingTypeSpec>.Empty, Inputs: null, LossValue: 0, InitValue: 0,
                new EquatableArray<LayerSpec>(layers), LayerDeclarationCount: 1, HasAttributeErrors: false, Locations: null)
            {
                InputShape = new EquatableArray<int>(twoD ? new[] { 2, 8, 8 } : new[] { 2, 8 }),
            };
        }

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
