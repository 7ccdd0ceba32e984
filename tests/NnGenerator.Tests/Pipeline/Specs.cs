using System.Linq;
using NnGen.Generator.Model;

namespace NnGen.Generator.Tests.Pipeline;

/// <summary>Hand-built <see cref="NetworkSpec"/>s, so the validator and the plan are tested without a compilation.</summary>
internal static class Specs
{
    /// <summary>A partial class in namespace Demo with <paramref name="inputs"/> inputs and the given (units, activation) layers.</summary>
    public static NetworkSpec Dense(int? inputs, params (int Units, ActivationKind Activation)[] layers) =>
        Dense(inputs, LossKind.Default, layers);

    public static NetworkSpec Dense(int? inputs, LossKind loss, params (int Units, ActivationKind Activation)[] layers) =>
        new(
            Namespace: "Demo",
            Name: "Net",
            TypeParameters: string.Empty,
            Keyword: "class",
            IsPartial: true,
            IsStatic: false,
            ContainingTypes: EquatableArray<ContainingTypeSpec>.Empty,
            Inputs: inputs,
            LossValue: (int)loss,
            InitValue: 0,
            Layers: new EquatableArray<LayerSpec>(layers.Select(layer => new LayerSpec(layer.Units, (int)layer.Activation, 0, null))),
            LayerDeclarationCount: layers.Length == 0 ? 0 : 1,
            HasAttributeErrors: false,
            Locations: null);

    /// <summary>A spec of <paramref name="sizes"/> = [n0, n1, …, nL] with tanh hidden layers and a sigmoid output.</summary>
    public static NetworkSpec Sizes(params int[] sizes) =>
        Dense(sizes[0], sizes.Skip(1).Select((units, i) => (units, i == sizes.Length - 2 ? ActivationKind.Sigmoid : ActivationKind.Tanh)).ToArray());
}
