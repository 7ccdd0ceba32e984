using System.Linq;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Tests.Infrastructure;
using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// NNG0001–NNG0009: each error fires at the attribute or argument at fault with its exact message, and the user sees
/// that one diagnostic and no cascade of compiler errors. When the class itself is fine but its architecture is not, the
/// generator emits only the throwing public surface (so call sites bind); otherwise it emits nothing.
/// </summary>
public sealed class DeclarationErrorTests
{
    private const string Layers = "[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\n";

    [Fact]
    public void ValidNetwork_CompilesWithNoDiagnosticsAtAll()
    {
        GeneratorOutput output = VerifyClean("[Network(Inputs = 2)]\n" + Layers + "public partial class PlanarNet { }\n");
        Assert.Single(output.Result.GeneratedTrees);
    }

    [Fact]
    public void NotPartial_NNG0001_OnTheNetworkAttribute()
    {
        GeneratorOutput output = Verify(
            "[[|Network(Inputs = 2)|]]\n" + Layers + "public class Net { }\n",
            Expected.Error("NNG0001", "The network class 'Net' must be declared 'partial' so NnGen can generate its members"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void ContainingTypeNotPartial_NNG0002_NamesBothTypes()
    {
        GeneratorOutput output = Verify(
            "public class Outer\n{\n    [[|Network(Inputs = 2)|]]\n    [Layer(1, Activation.Sigmoid)]\n    public partial class Net { }\n}\n",
            Expected.Error("NNG0002", "The type 'Outer', which contains the network class 'Net', must be declared 'partial' so NnGen can generate the network's members inside it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void NestedInPartialTypes_IsClean() =>
        VerifyClean("public partial class Outer\n{\n    public partial struct Middle\n    {\n        [Network(Inputs = 2)]\n        [Layer(1, Activation.Sigmoid)]\n        public partial class Net { }\n    }\n}\n");

    [Fact]
    public void InputsMissing_NNG0003_OnTheAttribute()
    {
        GeneratorOutput output = Verify(
            "[[|Network|]]\n" + Layers + "public partial class Net { }\n",
            Expected.Error("NNG0003", "Network 'Net' must set Inputs to the number of input features (at least 1); Inputs is missing (or Input, the shape of one example for convolutional layers)"));
        AssertSurfaceOnly(output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void InputsBelowOne_NNG0003_OnTheArgument(string inputs)
    {
        GeneratorOutput output = Verify(
            "[Network([|Inputs = " + inputs + "|])]\n" + Layers + "public partial class Net { }\n",
            Expected.Error("NNG0003", "Network 'Net' must set Inputs to the number of input features (at least 1); found " + inputs));
        AssertSurfaceOnly(output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void UnitsBelowOne_NNG0004_OnTheUnitsArgument(string units)
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer([|" + units + "|], Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0004", "Layer 2 of network 'Net' has " + units + " units; a layer needs at least 1"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void NoLayers_NNG0005_OnTheAttribute()
    {
        GeneratorOutput output = Verify(
            "[[|Network(Inputs = 2)|]]\npublic partial class Net { }\n",
            Expected.Error("NNG0005", "Network 'Net' declares no [Layer]; add at least one, e.g. [Layer(1, Activation.Sigmoid)] for logistic regression"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void UnknownActivation_NNG0006_OnTheActivationArgument()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n[Layer(4, [|(Activation)7|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0006", "Layer 1 activation of network 'Net' is 7, which is not a defined Activation value; expected one of Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.Linear, Activation.Softmax"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void UnknownLoss_NNG0006_OnTheLossArgument() =>
        Verify(
            "[Network(Inputs = 2, [|Loss = (Loss)9|])]\n" + Layers + "public partial class Net { }\n",
            Expected.Error("NNG0006", "Loss of network 'Net' is 9, which is not a defined Loss value; expected one of Loss.Default, Loss.BinaryCrossEntropy, Loss.MeanSquaredError, Loss.CategoricalCrossEntropy"));

    [Fact]
    public void UnknownLayerInit_NNG0006_OnTheInitArgument() =>
        Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh, [|Init = (Init)(-1)|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0006", "Layer 1 Init of network 'Net' is -1, which is not a defined Init value; expected one of Init.Default, Init.Xavier, Init.He, Init.Scaled, Init.Zeros"));

    [Fact]
    public void StaticClass_NNG0007_OnTheAttribute()
    {
        GeneratorOutput output = Verify(
            "[[|Network(Inputs = 2)|]]\n" + Layers + "public static partial class Net { }\n",
            Expected.Error("NNG0007", "The network class 'Net' is static, but a network is an object that holds its parameters; remove 'static'"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void LayerOverUnitLimit_NNG0008_NamesCountAndLimit()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 1)]\n[Layer([|2000000|], Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0008", "Layer 1 of network 'Net' has 2000000 units, more than the limit of 1048576"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void InputsOverUnitLimit_NNG0008() =>
        Verify(
            "[Network([|Inputs = 1048577|])]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n",
            Expected.Error("NNG0008", "Inputs of network 'Net' has 1048577 inputs, more than the limit of 1048576"));

    [Fact]
    public void ParameterCountOverLimit_NNG0008_OnTheAttribute()
    {
        // 8192 x 8192 weights + 8192 biases = 67,117,056 > 2^26 = 67,108,864.
        GeneratorOutput output = Verify(
            "[[|Network(Inputs = 8192)|]]\n[Layer(8192, Activation.Linear)]\npublic partial class Net { }\n",
            Expected.Error("NNG0008", "The parameter count of network 'Net' has 67117056 parameters, more than the limit of 67108864"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void LayersOnTwoPartialDeclarations_NNG0009_OnTheFirstLayerOfTheSecond()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\npublic partial class Net { }\n\n[[|Layer(1, Activation.Sigmoid)|]]\npublic partial class Net { }\n",
            Expected.Error("NNG0009", "Network 'Net' declares [Layer] attributes on 2 partial declarations, so their order is ambiguous; declare all layers on one declaration"));
        AssertSurfaceOnly(output);
    }

    [Fact]
    public void AttributesOnAStruct_OnlyTheCompilersOwnErrors()
    {
        (GeneratorOutput output, var diagnostics) = Run(Usings + "[Network(Inputs = 2)]\n[Layer(1, Activation.Sigmoid)]\npublic partial struct Net { }\n");
        Assert.Empty(output.Result.GeneratedTrees);
        Assert.Equal(new[] { "CS0592", "CS0592" }, diagnostics.Select(diagnostic => diagnostic.Id));
    }

    [Fact]
    public void WrongArgumentType_OnlyTheCompilersOwnError()
    {
        (GeneratorOutput output, var diagnostics) = Run(Usings + "[Network(Inputs = \"two\")]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n");
        AssertSurfaceOnly(output);
        Assert.Equal("CS0029", Assert.Single(diagnostics).Id);
    }

    [Theory]
    [InlineData("[Network(Inputs = 1)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n")]
    [InlineData("[Network(Inputs = 1048576)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n")]
    [InlineData("[Network(Inputs = 2, Loss = Loss.Default, Init = Init.Default)]\n[Layer(4, Activation.ReLU, Init = Init.He)]\n[Layer(3, Activation.LeakyReLU, Init = Init.Scaled)]\n[Layer(1, Activation.Sigmoid, Init = Init.Xavier)]\npublic partial class Net { }\n")]
    [InlineData("[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n\npublic partial class Net { }\n")]
    [InlineData("[Network(Inputs = 2)]\n[Layer(1, Activation.Linear)]\npublic partial record Net { }\n")]
    public void BoundaryAndValidDeclarations_AreClean(string source) => VerifyClean(source);

    [Fact]
    public void ParameterCountExactlyAtLimit_IsAcceptedByTheValidator()
    {
        // 8191 x 8192 + 8192 = 2^26: the limit itself is allowed. Checked on the analyzer alone, without emitting 256 MiB of parameters.
        var compilation = GeneratorHarness.CreateCompilation(Usings + "[Network(Inputs = 8191)]\n[Layer(8192, Activation.Linear)]\npublic partial class Net { }\n");
        Assert.DoesNotContain(Visible(compilation), diagnostic => diagnostic.Id.StartsWith("NNG", System.StringComparison.Ordinal));
    }

    [Fact]
    public void EveryId_IsInTheCatalogOnceWithItsHelpLink()
    {
        var descriptors = Analyzers.SelectMany(analyzer => analyzer.SupportedDiagnostics).ToList();
        Assert.Equal(descriptors.Count, descriptors.Select(descriptor => descriptor.Id).Distinct().Count());
        for (int id = 1; id <= 22; id++)
        {
            string expectedId = "NNG" + id.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            DiagnosticDescriptor descriptor = Assert.Single(descriptors, candidate => candidate.Id == expectedId);
            Assert.Equal("https://github.com/nngen/NnGen/blob/main/docs/diagnostics.md#" + expectedId.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.True(descriptor.IsEnabledByDefault);
        }
    }

    /// <summary>The generator emitted only the surface of an erroneous network: one file, members that throw.</summary>
    internal static void AssertSurfaceOnly(GeneratorOutput output)
    {
        string source = output.SingleSource;
        Assert.Contains("was not generated", source, System.StringComparison.Ordinal);
        Assert.DoesNotContain("ForwardSingle", source, System.StringComparison.Ordinal);
    }
}
