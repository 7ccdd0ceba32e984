using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;
using NnGen.Generator.Validation;
using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 11, defects 5, 6 and 10: an NNG error cannot be hidden, a network cannot cost the compiler without bound, and
/// code that uses an erroneous network shows the one NNG error, not a cascade of CS1061/CS1729 at every call site.
/// </summary>
public sealed class ErrorReportingTests
{
    private const string InvalidNetwork = "[Network(Inputs = 2)]\n[Layer([|0|], Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n";
    private const string InvalidMessage = "Layer 1 of network 'Net' has 0 units; a layer needs at least 1";

    // Every public member of a generated network, used as a user would.
    private const string CallSites =
        "\npublic static class Use\n{\n" +
        "    public static double Run(float[] data, float[] labels)\n    {\n" +
        "        var net = new Net(3);\n        var other = new Net();\n        other.Initialize(1);\n" +
        "        TrainingHistory history = net.Fit(data, labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 10 });\n" +
        "        Evaluation evaluation = net.Evaluate(data, labels);\n" +
        "        Net.Output y = net.Predict(new Net.Input());\n" +
        "        net.Predict(data, new float[1]);\n        net.PredictBatch(data, new float[1]);\n" +
        "        var gradients = new Net.Gradients();\n        float cost = net.ComputeGradients(data, labels, gradients);\n" +
        "        net.Step(gradients, 0.1f);\n        ITrainableNetwork trainable = net;\n" +
        "        Net.Frozen frozen = net.Freeze();\n        Net.Output z = frozen.Predict(new Net.Input());\n" +
        "        frozen.Predict(data, new float[1]);\n        frozen.PredictBatch(data, new float[1]);\n" +
        "        return y[0] + cost + Net.InputSize + Net.OutputSize + Net.LayerCount + Net.ParameterCount + Net.DefaultSeed + Net.Layer2Units + Net.W1Offset +\n" +
        "            Net.Summary.Length + net.GradientCheck(data, labels) + net.GradientCheck(data, labels, 1e-3f) + gradients.dW1.Length + gradients.Values.Length +\n" +
        "            net.Parameters.Length + net.W1.Length + net.b2.Length + history.Costs.Count + evaluation.Accuracy + trainable.InputSize +\n" +
        "            z[0] + Net.Frozen.InputSize + Net.Frozen.OutputSize;\n" +
        "    }\n}\n";

    [Fact]
    public void CallSitesOfAnErroneousNetwork_ShowOnlyTheNngError()
    {
        // Before the surface existed: NNG0004 plus a CS1729/CS1061/CS0426 per line below.
        GeneratorOutput output = Verify(InvalidNetwork + CallSites, Expected.Error("NNG0004", InvalidMessage));
        DeclarationErrorTests.AssertSurfaceOnly(output);
    }

    [Fact]
    public void CallSitesOfAValidNetwork_AreClean() =>
        VerifyClean(InvalidNetwork.Replace("[|0|]", "4", StringComparison.Ordinal) + CallSites);

    [Fact]
    public void CallSitesOfANetworkWithACompilerErrorInItsAttribute_ShowOnlyTheCompilersError()
    {
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(Usings + InvalidNetwork.Replace("[|0|]", "\"four\"", StringComparison.Ordinal) + CallSites);
        Assert.Equal("CS1503", Assert.Single(diagnostics).Id);
        DeclarationErrorTests.AssertSurfaceOnly(output);
    }

    [Fact]
    public void Surface_HasExactlyThePublicApiOfAGeneratedNetwork()
    {
        string valid = PublicApi(GeneratorHarness.Run(Usings + InvalidNetwork.Replace("[|0|]", "4", StringComparison.Ordinal)).Compilation);
        string surface = PublicApi(GeneratorHarness.Run(Usings + InvalidNetwork.Replace("[|0|]", "0", StringComparison.Ordinal)).Compilation);
        Assert.Equal(valid, surface);
    }

    [Fact]
    public void Surface_ThrowsInvalidOperationExceptionNamingTheError()
    {
        // The NNG error is an analyzer diagnostic, so the bare compilation emits: this is what runs with analyzers off.
        Assembly assembly = GeneratorHarness.Load(GeneratorHarness.Run(Usings + InvalidNetwork.Replace("[|0|]", "0", StringComparison.Ordinal)).Compilation);
        Type type = assembly.GetType("Demo.Net", throwOnError: true)!;
        var exception = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(type, 3));
        var inner = Assert.IsType<InvalidOperationException>(exception.InnerException);
        Assert.Equal("NnGen did not generate network 'Net': NNG0004: " + InvalidMessage, inner.Message);
    }

    [Fact]
    public void PragmaWarningDisable_DoesNotHideAnError_ButHidesAWarning()
    {
        (_, ImmutableArray<Diagnostic> diagnostics) = Run(
            "#pragma warning disable NNG0004, NNG0011\n" + Usings +
            "[Network(Inputs = 2)]\n[Layer(0, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n" +
            "[Network(Inputs = 2)]\n[Layer(3, Activation.Linear)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Other { }\n");
        Assert.Equal(new[] { "NNG0004" }, diagnostics.Select(diagnostic => diagnostic.Id));
    }

    [Fact]
    public void NoWarnAndEditorConfigSeverity_DoNotHideAnError_ButHideAWarning()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
            Usings + "[Network(Inputs = 2)]\n[Layer(0, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Net { }\n" +
            "[Network(Inputs = 2)]\n[Layer(3, Activation.Linear)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Other { }\n");
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            ["NNG0004"] = ReportDiagnostic.Suppress,
            ["NNG0011"] = ReportDiagnostic.Suppress,
        }));
        ImmutableArray<Diagnostic> diagnostics = Visible(compilation);
        Assert.Equal(new[] { "NNG0004" }, diagnostics.Where(diagnostic => diagnostic.Id.StartsWith("NNG", StringComparison.Ordinal)).Select(diagnostic => diagnostic.Id));
    }

    [Fact]
    public void EveryErrorDescriptor_IsNotConfigurable_AndNoWarningIs()
    {
        foreach (DiagnosticDescriptor descriptor in Analyzers.SelectMany(analyzer => analyzer.SupportedDiagnostics))
        {
            bool notConfigurable = descriptor.CustomTags.Contains(WellKnownDiagnosticTags.NotConfigurable);
            Assert.True(notConfigurable == (descriptor.DefaultSeverity == DiagnosticSeverity.Error), descriptor.Id);
        }
    }

    [Fact]
    public void MoreLayersThanTheLimit_NNG0008_OnTheFirstLayerOverIt_AndTheSurfaceStaysSmall()
    {
        var markup = new StringBuilder("[Network(Inputs = 2)]\n");
        for (int l = 1; l <= NetworkLimits.MaxLayers + 1; l++)
        {
            markup.Append(l == NetworkLimits.MaxLayers + 1 ? "[[|Layer(2, Activation.Tanh)|]]\n" : "[Layer(2, Activation.Tanh)]\n");
        }

        markup.Append("public partial class Net { }\n");
        GeneratorOutput output = Verify(
            markup.ToString(),
            Expected.Error("NNG0008", $"The layer count of network 'Net' has {NetworkLimits.MaxLayers + 1} layers, more than the limit of {NetworkLimits.MaxLayers}"));
        DeclarationErrorTests.AssertSurfaceOnly(output);
        Assert.DoesNotContain("W1", output.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoThousandLayers_NNG0008_AndNothingLarge()
    {
        string source = Usings + "[Network(Inputs = 2)]\n" + string.Concat(Enumerable.Repeat("[Layer(2, Activation.Tanh)]\n", 2000)) + "public partial class Net { }\n";
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(source);
        Assert.Equal("NNG0008", Assert.Single(diagnostics).Id);
        // The surface is the public API with throwing bodies, about 20 KB whatever the declared layer count.
        Assert.True(output.SingleSource.Length < 25_000, $"{output.SingleSource.Length} chars");
    }

    [Fact]
    public void LargestAcceptedDepth_OfUnrolledLayers_EmitsBoundedCodeThatCompiles()
    {
        // Every layer 8 x 8 = UnrolledWeightLimit weights: the most straight-line code a layer can get.
        string source = "[Network(Inputs = 8)]\n" + string.Concat(Enumerable.Repeat("[Layer(8, Activation.Tanh)]\n", NetworkLimits.MaxLayers - 1)) + "[Layer(1, Activation.Sigmoid)]\npublic partial class Deep { }\n";
        GeneratorOutput output = VerifyClean(source);
        Assert.True(output.SingleSource.Length < 1_500_000, $"{output.SingleSource.Length} chars at {NetworkLimits.MaxLayers} layers");
    }

    private static string PublicApi(Compilation compilation)
    {
        Type type = GeneratorHarness.Load(compilation).GetType("Demo.Net", throwOnError: true)!;
        var lines = new List<string>();
        Describe(type, lines);
        return string.Join("\n", lines.OrderBy(line => line, StringComparer.Ordinal));
    }

    private static void Describe(Type type, List<string> lines)
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        lines.Add(type.Name + " : " + string.Join(", ", type.GetInterfaces().Select(face => face.FullName).OrderBy(name => name, StringComparer.Ordinal)));
        foreach (MemberInfo member in type.GetMembers(Public))
        {
            if (member is Type nested)
            {
                Describe(nested, lines);
            }
            else if (member is not MethodInfo { IsSpecialName: true })
            {
                lines.Add(type.Name + "." + member.MemberType + " " + member);
            }
        }
    }
}
