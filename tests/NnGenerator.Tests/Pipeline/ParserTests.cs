using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Pipeline;

/// <summary><see cref="NetworkParser"/> directly: what it reads from the attributes, as plain values, judging nothing.</summary>
public sealed class ParserTests
{
    [Fact]
    public void Parse_Planar_ReadsInputsAndLayersInSourceOrder()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            namespace Demo;
            [Network(Inputs = 2)]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class PlanarNet { }
            """, "Demo.PlanarNet");

        Assert.Equal("Demo", spec.Namespace);
        Assert.Equal("PlanarNet", spec.DisplayName);
        Assert.Equal(2, spec.Inputs);
        Assert.Equal(new[] { (4, ActivationKind.Tanh), (1, ActivationKind.Sigmoid) }, spec.Layers.Select(layer => (layer.Units, layer.Activation)));
        Assert.Equal((0, 0), (spec.LossValue, spec.InitValue));
        Assert.True(spec.IsPartial);
        Assert.False(spec.HasAttributeErrors);
        Assert.Equal(1, spec.LayerDeclarationCount);
    }

    [Fact]
    public void Parse_LossInitAndLayerInit_ReadAsEnumValues()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            [Network(Inputs = 3, Loss = Loss.MeanSquaredError, Init = Init.Scaled)]
            [Layer(2, Activation.ReLU, Init = Init.Zeros)]
            [Layer(1, Activation.Linear)]
            public partial class Net { }
            """, "Net");

        Assert.Null(spec.Namespace);
        Assert.Equal((int)Loss.MeanSquaredError, spec.LossValue);
        Assert.Equal((int)Init.Scaled, spec.InitValue);
        Assert.Equal(new[] { (int)Init.Zeros, 0 }, spec.Layers.Select(layer => layer.InitValue));
    }

    [Fact]
    public void Parse_InvalidValues_RecordedNotJudged()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            [Network(Inputs = -1)]
            [Layer(0, (Activation)42)]
            public class Net { }
            """, "Net");

        Assert.Equal(-1, spec.Inputs);
        Assert.Equal((0, 42), (spec.Layers[0].Units, spec.Layers[0].ActivationValue));
        Assert.False(spec.IsPartial);
        Assert.False(spec.HasAttributeErrors);
    }

    [Fact]
    public void Parse_NonConstantArgument_HasAttributeErrors()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            [Network(Inputs = "two")]
            [Layer(1, Activation.Sigmoid)]
            public partial class Net { }
            """, "Net");

        Assert.True(spec.HasAttributeErrors);
        Assert.Null(spec.Inputs);
    }

    [Fact]
    public void Parse_NestedGenericRecord_ContainingTypesKeywordAndTypeParameters()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            namespace Demo;
            public partial class Outer<T>
            {
                [Network(Inputs = 2)]
                [Layer(1, Activation.Sigmoid)]
                internal partial record Net<TTag> { }
            }
            """, "Demo.Outer`1+Net`1");

        Assert.Equal("record", spec.Keyword);
        Assert.Equal("Net<TTag>", spec.DisplayName);
        Assert.Equal(new[] { ("class", "Outer<T>", true) }, spec.ContainingTypes.Select(type => (type.Keyword, type.Name, type.IsPartial)));
    }

    [Fact]
    public void Parse_LayersOnTwoPartialDeclarations_CountsBoth()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            [Network(Inputs = 2)]
            [Layer(3, Activation.Tanh)]
            public partial class Net { }
            [Layer(1, Activation.Sigmoid)]
            public partial class Net { }
            """, "Net");

        Assert.Equal(2, spec.LayerDeclarationCount);
        Assert.NotNull(spec.Locations?.SecondLayerDeclaration);
    }

    [Fact]
    public void Parse_Locations_PointAtTheArguments()
    {
        NetworkSpec spec = Parse("""
            using NnGen;
            [Network(Inputs = 2)]
            [Layer(3, Activation.Tanh)]
            public partial class Net { }
            """, "Net");

        Assert.Equal(1, spec.Locations!.Inputs!.LineSpan.Start.Line);
        Assert.Equal(2, spec.Layers[0].Locations!.Activation!.LineSpan.Start.Line);
        Assert.Null(spec.WithoutLocations().Locations);
        Assert.Null(spec.WithoutLocations().Layers[0].Locations);
    }

    private static NetworkSpec Parse(string source, string metadataName)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        INamedTypeSymbol type = compilation.GetTypeByMetadataName(metadataName) ?? throw new Xunit.Sdk.XunitException($"No type {metadataName}.");
        AttributeData network = type.GetAttributes().Single(attribute => NetworkParser.IsAttribute(attribute, KnownNames.NetworkAttribute));
        return NetworkParser.Parse(type, network, CancellationToken.None);
    }
}
