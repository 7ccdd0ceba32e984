using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Model;
using NnGen.Generator.Tests.Infrastructure;
using NnGen.Generator.Planning;

namespace NnGen.Generator.Tests;

/// <summary>
/// The generator cannot reference NnRuntime, so it spells the runtime's names as strings and mirrors its enums and
/// default rules. These tests tie each copy to the real thing.
/// </summary>
public sealed class KnownNamesTests
{
    [Fact]
    public void MetadataNames_EachConst_EqualsRuntimeTypeFullName()
    {
        Assert.Equal(KnownNames.NetworkAttribute, typeof(NetworkAttribute).FullName);
        Assert.Equal(KnownNames.LayerAttribute, typeof(LayerAttribute).FullName);
        Assert.Equal(KnownNames.DenseAttribute, typeof(DenseAttribute).FullName);
        Assert.Equal(KnownNames.DropoutAttribute, typeof(DropoutAttribute).FullName);
        Assert.Equal(KnownNames.BatchNormAttribute, typeof(BatchNormAttribute).FullName);
        Assert.Equal(KnownNames.LayerNormAttribute, typeof(LayerNormAttribute).FullName);
        Assert.Equal(KnownNames.Conv1DAttribute, typeof(Conv1DAttribute).FullName);
        Assert.Equal(KnownNames.Conv2DAttribute, typeof(Conv2DAttribute).FullName);
        Assert.Equal(KnownNames.MaxPool1DAttribute, typeof(MaxPool1DAttribute).FullName);
        Assert.Equal(KnownNames.MaxPool2DAttribute, typeof(MaxPool2DAttribute).FullName);
        Assert.Equal(KnownNames.AvgPool1DAttribute, typeof(AvgPool1DAttribute).FullName);
        Assert.Equal(KnownNames.AvgPool2DAttribute, typeof(AvgPool2DAttribute).FullName);
        Assert.Equal(KnownNames.GlobalAvgPoolAttribute, typeof(GlobalAvgPoolAttribute).FullName);
        Assert.Equal(KnownNames.FlattenAttribute, typeof(FlattenAttribute).FullName);
        Assert.Equal(KnownNames.PaddingModeEnum, typeof(PaddingMode).FullName);
        Assert.Equal(KnownNames.ActivationEnum, typeof(Activation).FullName);
        Assert.Equal(KnownNames.LossEnum, typeof(Loss).FullName);
        Assert.Equal(KnownNames.InitEnum, typeof(Init).FullName);
    }

    [Fact]
    public void PropertyNames_EachConst_EqualsRuntimePropertyName()
    {
        Assert.Equal(nameof(NetworkAttribute.Inputs), KnownNames.InputsProperty);
        Assert.Equal(nameof(NetworkAttribute.Loss), KnownNames.LossProperty);
        Assert.Equal(nameof(NetworkAttribute.Init), KnownNames.InitProperty);
        Assert.Equal(nameof(LayerAttribute.Init), KnownNames.InitProperty);
        Assert.Equal(nameof(NetworkAttribute.Weights), KnownNames.WeightsProperty);
        Assert.Equal(typeof(string), typeof(NetworkAttribute).GetProperty(KnownNames.WeightsProperty)?.PropertyType);
        Assert.NotNull(typeof(NetworkAttribute).GetProperty(KnownNames.InputsProperty)?.SetMethod);
        Assert.NotNull(typeof(LayerAttribute).GetProperty(KnownNames.InitProperty)?.SetMethod);
        Assert.NotNull(typeof(DenseAttribute).GetProperty(KnownNames.InitProperty)?.SetMethod);
        Assert.NotNull(typeof(BatchNormAttribute).GetProperty(KnownNames.MomentumProperty)?.SetMethod);
        Assert.NotNull(typeof(BatchNormAttribute).GetProperty(KnownNames.EpsilonProperty)?.SetMethod);
        Assert.NotNull(typeof(LayerNormAttribute).GetProperty(KnownNames.EpsilonProperty)?.SetMethod);
        Assert.Equal(typeof(int[]), typeof(NetworkAttribute).GetProperty(KnownNames.InputProperty)?.PropertyType);
        foreach (Type conv in new[] { typeof(Conv1DAttribute), typeof(Conv2DAttribute) })
        {
            foreach (string property in new[] { KnownNames.KernelProperty, KnownNames.StrideProperty, KnownNames.PaddingProperty, KnownNames.PaddingModeProperty, KnownNames.DilationProperty, KnownNames.GroupsProperty, KnownNames.ActivationProperty, KnownNames.InitProperty })
            {
                Assert.NotNull(conv.GetProperty(property)?.SetMethod);
            }
        }

        foreach (Type pool in new[] { typeof(MaxPool1DAttribute), typeof(MaxPool2DAttribute), typeof(AvgPool1DAttribute), typeof(AvgPool2DAttribute) })
        {
            Assert.NotNull(pool.GetProperty(KnownNames.KernelProperty));
            Assert.NotNull(pool.GetProperty(KnownNames.StrideProperty)?.SetMethod);
            Assert.NotNull(pool.GetProperty(KnownNames.PaddingProperty)?.SetMethod);
        }
    }

    [Fact]
    public void MirrorEnums_PaddingModeKind_SameNamesAndValuesAsRuntime() => AssertSameMembers<PaddingModeKind, PaddingMode>();

    [Fact]
    public void MirrorEnums_ActivationKind_SameNamesAndValuesAsRuntime() => AssertSameMembers<ActivationKind, Activation>();

    [Fact]
    public void MirrorEnums_LossKind_SameNamesAndValuesAsRuntime() => AssertSameMembers<LossKind, Loss>();

    [Fact]
    public void MirrorEnums_InitKind_SameNamesAndValuesAsRuntime() => AssertSameMembers<InitKind, Init>();

    [Fact]
    public void MirrorEnums_LayerKind_SameNamesAndValuesAsRuntime() => AssertSameMembers<Model.LayerKind, NnGen.LayerKind>();

    [Fact]
    public void MirrorEnums_TensorRole_SameNamesAndValuesAsRuntime() => AssertSameMembers<NnGen.Generator.Planning.TensorRole, NnGen.TensorRole>();

    [Fact]
    public void ResolveLoss_EveryLossAndOutputActivation_AgreesWithRuntimeLossesResolve()
    {
        foreach (Loss loss in Enum.GetValues<Loss>())
        {
            foreach (Activation output in Enum.GetValues<Activation>())
            {
                LossKind generator = NetworkRules.ResolveLoss((LossKind)loss, (ActivationKind)output);
                Assert.True(
                    (int)Losses.Resolve(loss, output) == (int)generator,
                    $"Loss {loss} with a {output} output: runtime {Losses.Resolve(loss, output)}, generator {generator}.");
            }
        }
    }

    [Fact]
    public void ResolveInit_EveryLayerNetworkAndActivation_AgreesWithRuntimeParameterInitializerResolve()
    {
        foreach (Init layer in Enum.GetValues<Init>())
        {
            foreach (Init network in Enum.GetValues<Init>())
            {
                foreach (Activation activation in Enum.GetValues<Activation>())
                {
                    // The runtime resolves one declared Init; the layer's own choice overrides the network's.
                    Init declared = layer != Init.Default ? layer : network;
                    InitKind generator = NetworkRules.ResolveInit((InitKind)layer, (InitKind)network, (ActivationKind)activation);
                    Init runtime = ParameterInitializer.Resolve(declared, activation);
                    Assert.True(
                        (int)runtime == (int)generator,
                        $"Layer Init {layer}, network Init {network}, {activation}: runtime {runtime}, generator {generator}.");
                }
            }
        }
    }

    private static void AssertSameMembers<TMirror, TRuntime>()
        where TMirror : struct, Enum
        where TRuntime : struct, Enum
    {
        var mirror = Enum.GetValues<TMirror>().Select(value => (Name: value.ToString(), Value: Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var runtime = Enum.GetValues<TRuntime>().Select(value => (Name: value.ToString(), Value: Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(runtime, mirror);
        Assert.Equal(Enum.GetUnderlyingType(typeof(TRuntime)), Enum.GetUnderlyingType(typeof(TMirror)));
    }
}
