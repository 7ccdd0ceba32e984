using System.Collections.Immutable;
using System.Linq;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;
using NnGen.Generator.Validation;

namespace NnGen.Generator.Tests.Pipeline;

/// <summary>
/// <see cref="NetworkValidator"/> as the pure function it is: hand-built specs in, diagnostics as data out, and
/// <see cref="NetworkValidator.CanGenerate"/> refusing exactly the specs with an error.
/// </summary>
public sealed class ValidatorTests
{
    [Fact]
    public void Validate_Planar_NoDiagnosticsAndGenerates()
    {
        NetworkSpec spec = Specs.Sizes(2, 4, 1);

        ImmutableArray<DiagnosticInfo> diagnostics = NetworkValidator.Validate(spec);

        Assert.Empty(diagnostics);
        Assert.True(NetworkValidator.CanGenerate(spec, diagnostics));
    }

    [Fact]
    public void Validate_MissingInputs_InvalidInputsAndNoCode()
    {
        AssertSingleError(Specs.Dense(null, (1, ActivationKind.Sigmoid)), DiagnosticDescriptors.InvalidInputs, "Inputs is missing");
    }

    [Fact]
    public void Validate_ZeroInputs_InvalidInputsNamingTheValue()
    {
        AssertSingleError(Specs.Dense(0, (1, ActivationKind.Sigmoid)), DiagnosticDescriptors.InvalidInputs, "found 0");
    }

    [Fact]
    public void Validate_NoLayers_NoLayersAndNoCode()
    {
        AssertSingleError(Specs.Dense(2), DiagnosticDescriptors.NoLayers, "Net");
    }

    [Fact]
    public void Validate_LayerWithZeroUnits_InvalidUnitsNamingLayerAndValue()
    {
        DiagnosticInfo error = AssertSingleError(Specs.Dense(2, (0, ActivationKind.Tanh), (1, ActivationKind.Sigmoid)), DiagnosticDescriptors.InvalidUnits, "1");
        Assert.Equal(new[] { "1", "Net", "0" }, error.MessageArgs.ToArray());
    }

    [Fact]
    public void Validate_UndefinedActivation_UnknownEnumValueListingTheNames()
    {
        DiagnosticInfo error = AssertSingleError(Specs.Dense(2, (1, (ActivationKind)42)), DiagnosticDescriptors.UnknownEnumValue, "42");
        Assert.Contains("Activation.Sigmoid", error.MessageArgs[4], System.StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooManyUnits_NetworkTooLarge()
    {
        AssertSingleError(Specs.Dense(2, (NetworkLimits.MaxUnits + 1, ActivationKind.Sigmoid)), DiagnosticDescriptors.NetworkTooLarge, "units");
    }

    [Fact]
    public void Validate_TooManyParameters_NetworkTooLargeNamingTheCount()
    {
        // 8193 × 8193 + 8193 weights and biases > 2^26.
        AssertSingleError(Specs.Dense(8193, (8193, ActivationKind.Sigmoid)), DiagnosticDescriptors.NetworkTooLarge, "parameters");
    }

    [Fact]
    public void Validate_NotPartial_ErrorAndNoCode()
    {
        AssertSingleError(Specs.Sizes(2, 1) with { IsPartial = false }, DiagnosticDescriptors.NetworkNotPartial, "Net");
    }

    [Fact]
    public void Validate_AttributeErrors_NoJudgementAndNoCode()
    {
        NetworkSpec spec = Specs.Dense(null) with { HasAttributeErrors = true };

        ImmutableArray<DiagnosticInfo> diagnostics = NetworkValidator.Validate(spec);

        Assert.Empty(diagnostics);
        Assert.False(NetworkValidator.CanGenerate(spec, diagnostics));
    }

    [Fact]
    public void Validate_LinearHiddenLayer_WarningOnlyStillGenerates()
    {
        NetworkSpec spec = Specs.Dense(2, (3, ActivationKind.Linear), (1, ActivationKind.Sigmoid));

        ImmutableArray<DiagnosticInfo> diagnostics = NetworkValidator.Validate(spec);

        Assert.Equal(DiagnosticDescriptors.LinearHiddenLayer.Id, Assert.Single(diagnostics).Descriptor.Id);
        Assert.True(NetworkValidator.CanGenerate(spec, diagnostics));
    }

    private static DiagnosticInfo AssertSingleError(NetworkSpec spec, Microsoft.CodeAnalysis.DiagnosticDescriptor expected, string messagePart)
    {
        ImmutableArray<DiagnosticInfo> diagnostics = NetworkValidator.Validate(spec);
        DiagnosticInfo error = Assert.Single(diagnostics.Where(diagnostic => diagnostic.Descriptor.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Assert.Equal(expected.Id, error.Descriptor.Id);
        Assert.Contains(error.MessageArgs, argument => argument.Contains(messagePart, System.StringComparison.Ordinal));
        Assert.False(NetworkValidator.CanGenerate(spec, diagnostics));
        return error;
    }
}
