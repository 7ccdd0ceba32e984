using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NnGen.Generator.Tests.Infrastructure;
using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// Issue 11, defects 1–4: declarations the generator used to accept and then break the build with (a crash that took every
/// network down, names and class shapes that made the generated code uncompilable). Each either generates code that
/// compiles clean, or gets one precise NNG error and no generated code.
/// </summary>
public sealed class DeclarationShapeTests
{
    private const string Layers = "[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\n";

    [Fact]
    public void NamesDifferingOnlyInCase_EveryNetworkGetsItsOwnFile_AndAllCompile()
    {
        GeneratorOutput output = VerifyClean(
            "[Network(Inputs = 2)] [Layer(1, Activation.Sigmoid)] public partial class Net { }\n" +
            "[Network(Inputs = 3)] [Layer(1, Activation.Sigmoid)] public partial class NET { }\n" +
            "[Network(Inputs = 4)] [Layer(1, Activation.Sigmoid)] public partial class Unrelated { }\n");
        Assert.Empty(output.GeneratorDiagnostics);
        string[] hints = output.Result.Results.Single().GeneratedSources.Select(source => source.HintName).OrderBy(name => name, StringComparer.Ordinal).ToArray();
        Assert.Equal(3, hints.Length);
        Assert.Equal(3, hints.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("Demo.Unrelated.g.cs", hints);
        Assert.All(hints, hint => Assert.DoesNotContain('@', hint));
    }

    [Fact]
    public void NamespacesDifferingOnlyInCase_BothGenerate()
    {
        GeneratorOutput output = GeneratorHarness.Run(
            "using NnGen;\nnamespace Demo { [Network(Inputs = 2)] [Layer(1, Activation.Sigmoid)] public partial class Net { } }\n" +
            "namespace demo { [Network(Inputs = 3)] [Layer(1, Activation.Sigmoid)] public partial class Net { } }\n");
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Equal(2, output.Result.GeneratedTrees.Length);
        Assert.Empty(GeneratorHarness.BuildProblems(output.Compilation).Where(diagnostic => diagnostic.Id != "CS8981"));
    }

    [Fact]
    public void HintNames_DoNotDependOnTheOtherNetworks()
    {
        // The suffix comes from the key's own spelling, so adding a third network does not rename the first two.
        string pair = "using NnGen;\nnamespace Demo;\n[Network(Inputs = 2)] [Layer(1, Activation.Sigmoid)] public partial class Net { }\n[Network(Inputs = 3)] [Layer(1, Activation.Sigmoid)] public partial class NET { }\n";
        string[] before = GeneratorHarness.Run(pair).Result.Results.Single().GeneratedSources.Select(source => source.HintName).ToArray();
        string[] after = GeneratorHarness.Run(pair + "[Network(Inputs = 4)] [Layer(1, Activation.Sigmoid)] public partial class nET { }\n").Result.Results.Single().GeneratedSources.Select(source => source.HintName).ToArray();
        Assert.Equal(2, before.Length);
        Assert.Equal(3, after.Length);
        Assert.All(before, hint => Assert.Contains(hint, after));
    }

    [Fact]
    public void KeywordNamespace_GeneratesWithAnEscapedNamespaceAndAnUnescapedHintName()
    {
        GeneratorOutput output = GeneratorHarness.Run("using NnGen;\nnamespace App.@internal;\n[Network(Inputs = 2)]\n" + Layers + "public partial class Net { }\n");
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Equal("App.internal.Net.g.cs", output.Result.Results.Single().GeneratedSources.Single().HintName);
        Assert.Contains("namespace App.@internal", output.SingleSource, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.BuildProblems(output.Compilation));
    }

    [Theory]
    [InlineData("public partial class @class { }\n")]
    [InlineData("public partial class Net<@int> { }\n")]
    [InlineData("public partial record @record { }\n")]
    [InlineData("public partial class @async<@dynamic, @nameof> { }\n")]
    public void KeywordNames_AreEscapedInTheGeneratedCode(string declaration)
    {
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(
            "#pragma warning disable CS8981, CS8860 // lower-case type names: the user's own choice, warned at their declaration\n" + Usings + "[Network(Inputs = 2)]\n" + Layers + declaration);
        Assert.True(diagnostics.IsEmpty, GeneratorHarness.Describe(diagnostics, output.Compilation));
        Assert.Single(output.Result.GeneratedTrees);
        Assert.DoesNotContain('@', output.Result.Results.Single().GeneratedSources.Single().HintName);
    }

    [Theory]
    [InlineData("public partial class [|@var|] { }\n", "a type", "@var")]
    [InlineData("public partial class [|Net|]<@var> { }\n", "a type or type parameter", "Net<@var>")]
    public void TypeNamedVarInScope_NNG0016_BecauseGeneratedLocalsUseVar(string declaration, string what, string network)
    {
        GeneratorOutput output = Verify(
            "#pragma warning disable CS8981\n[Network(Inputs = 2)]\n" + Layers + declaration,
            Expected.Error("NNG0016", $"'var' is {what} in scope of network '{network}', but NnGen generates code that declares locals with 'var', which would bind to that type; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void KeywordContainingType_IsEscaped()
    {
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(
            "#pragma warning disable CS8981\n" + Usings + "public partial class @event\n{\n    [Network(Inputs = 2)]\n    [Layer(1, Activation.Sigmoid)]\n    public partial class Net { }\n}\n");
        Assert.True(diagnostics.IsEmpty, GeneratorHarness.Describe(diagnostics, output.Compilation));
        Assert.Contains("partial class @event", output.SingleSource, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input")]
    [InlineData("Output")]
    [InlineData("Gradients")]
    [InlineData("Predict")]
    public void NetworkNamedLikeAGeneratedMember_NNG0016_OnItsName(string name)
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + "public partial class [|" + name + "|] { }\n",
            Expected.Error("NNG0016", $"'{name}' is the name of network '{name}', but NnGen generates a member with that name in every such network; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void TypeParameterNamedLikeAGeneratedMember_NNG0016_OnTheTypeParameter()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Net<[|Input|]> { }\n",
            Expected.Error("NNG0016", "'Input' is a type parameter of network 'Net<Input>', but NnGen generates a member with that name in every such network; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Theory]
    [InlineData("public static string [|Summary|] => \"mine\";", "Summary", "a property")]
    [InlineData("public const int [|InputSize|] = 2;", "InputSize", "a constant")]
    [InlineData("public float[] [|W1|] = new float[8];", "W1", "a field")]
    [InlineData("private readonly float[] [|_parameters|] = new float[17];", "_parameters", "a field")]
    [InlineData("public void [|Fit|]() { }", "Fit", "a method")]
    [InlineData("public struct [|Input|] { }", "Input", "a nested type")]
    [InlineData("public int [|b2Offset|] => 0;", "b2Offset", "a property")]
    [InlineData("public object [|Freeze|]() => this;", "Freeze", "a method")]
    [InlineData("public sealed class [|Frozen|] { }", "Frozen", "a nested type")]
    public void UserMemberNamedLikeAGeneratedOne_NNG0016_OnTheMember(string member, string name, string what)
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Net\n{\n    " + member + "\n}\n",
            Expected.Error("NNG0016", $"'{name}' is {what} of network 'Net', but NnGen generates a member with that name in every such network; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Theory]
    [InlineData("public float[] W3 = new float[8];")]
    [InlineData("public void PredictProbability() { }")]
    [InlineData("public Net(string label) : this(7) { Label = label; }\n    public string Label { get; } = \"\";")]
    public void UserMembersThatDoNotClash_AreClean(string member) =>
        VerifyClean("[Network(Inputs = 2)]\n" + Layers + "public partial class Net\n{\n    " + member + "\n}\n");

    [Theory]
    [InlineData("public [|Net|]() { }", "Net()")]
    [InlineData("public [|Net|](int size) { }", "Net(int)")]
    public void UserConstructorWithAGeneratedSignature_NNG0016(string constructor, string signature)
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Net\n{\n    " + constructor + "\n}\n",
            Expected.Error("NNG0016", $"'{signature}' is a constructor of network 'Net', but NnGen generates a member with that name in every such network; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Theory]
    [InlineData("public partial class Net[|(string label)|] { public string Label => label; }\n")]
    [InlineData("public partial class Net[|()|] { }\n")]
    [InlineData("public partial record Net[|(int Size)|];\n")]
    public void PrimaryConstructor_NNG0017_OnTheParameterList(string declaration)
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + declaration,
            Expected.Error("NNG0017", "Network 'Net' has a primary constructor, which the generated constructors (Net() and Net(int seed)) would have to call; declare an ordinary constructor that calls this(seed) instead"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void NetworkDerivingFromANetwork_NNG0018_OnceOnTheDerivedName()
    {
        GeneratorOutput output = Verify(
            "[Network(Inputs = 2)]\n" + Layers + "public partial class Base { }\n\n[Network(Inputs = 3)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class [|Derived|] : Base { }\n",
            Expected.Error("NNG0018", "Network 'Derived' derives from network 'Demo.Base', whose generated members every member of 'Derived' would hide; share a base class that is not a network instead"));
        Assert.Single(output.Result.GeneratedTrees);
    }

    [Fact]
    public void BaseClassWithoutParameterlessConstructor_NNG0018()
    {
        GeneratorOutput output = Verify(
            "public class Base { public Base(string name) { } }\n\n[Network(Inputs = 2)]\n" + Layers + "public partial class [|Net|] : Base { public Net(string name) : base(name) { } }\n",
            Expected.Error("NNG0018", "Network 'Net' derives from 'Demo.Base', which has no accessible parameterless constructor for the generated constructors to call; add one"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void BaseClassWithAGeneratedMemberName_NNG0016_NamesTheBase()
    {
        GeneratorOutput output = Verify(
            "public class Base { public string Summary => \"base\"; }\n\n[Network(Inputs = 2)]\n" + Layers + "public partial class [|Net|] : Base { }\n",
            Expected.Error("NNG0016", "'Summary' is a property inherited from 'Demo.Base' of network 'Net', but NnGen generates a member with that name in every such network; rename it"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void PlainBaseClass_IsClean() =>
        VerifyClean("public abstract class Base { protected Base() { } public string Label { get; set; } = \"\"; private int Fit = 1; public int Used => Fit; }\n\n[Network(Inputs = 2)]\n" + Layers + "public sealed partial class Net : Base { }\n");

    [Fact]
    public void FileLocalNetwork_NNG0019()
    {
        GeneratorOutput output = Verify(
            "[[|Network(Inputs = 2)|]]\n" + Layers + "file partial class Net { }\n",
            Expected.Error("NNG0019", "Network 'Net' cannot get generated members because it is declared 'file', and a generated part cannot join a file-local type from another file; remove 'file' (use 'internal' or 'private' to limit its visibility)"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void NetworkInAFileLocalType_NNG0019_NamesTheContainingType()
    {
        GeneratorOutput output = Verify(
            "file partial class Outer\n{\n    [[|Network(Inputs = 2)|]]\n    [Layer(1, Activation.Sigmoid)]\n    public partial class Net { }\n}\n",
            Expected.Error("NNG0019", "Network 'Net' cannot get generated members because its containing type 'Outer' is declared 'file', and a generated part cannot join a file-local type from another file; remove 'file' (use 'internal' or 'private' to limit its visibility)"));
        Assert.Empty(output.Result.GeneratedTrees);
    }

    [Fact]
    public void TypeWithoutAName_GetsNoCode_AndOnlyTheCompilersError()
    {
        (GeneratorOutput output, ImmutableArray<Diagnostic> diagnostics) = Run(Usings + "[Network(Inputs = 2)]\n" + Layers + "public partial class { }\n");
        Assert.Empty(output.Result.GeneratedTrees);
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Equal(new[] { "CS1001" }, diagnostics.Select(diagnostic => diagnostic.Id).Distinct());
    }

    [Fact]
    public void NamespaceWithoutAName_GetsNoCode_AndOnlyTheCompilersError()
    {
        // Found by the fuzzer: "namespace App.;" used to generate "namespace App." and a CS1001 inside generated code.
        GeneratorOutput output = GeneratorHarness.Run("using NnGen;\nnamespace App.;\n[Network(Inputs = 2)]\n" + Layers + "public partial class Net { }\n");
        Assert.Empty(output.Result.GeneratedTrees);
        Assert.All(output.Compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error), diagnostic => Assert.Equal("Source0.cs", diagnostic.Location.SourceTree?.FilePath));
    }

    [Fact]
    public void OneInvalidNetwork_DoesNotTakeTheOthersDown()
    {
        GeneratorOutput output = GeneratorHarness.Run(
            "using NnGen;\nnamespace Demo;\n[Network(Inputs = 2)] [Layer(1, Activation.Sigmoid)] public partial class Input { }\n" +
            "[Network(Inputs = 2)] [Layer(1, Activation.Sigmoid)] public partial class Good { }\n" +
            "public partial class { }\n");
        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Equal("Demo.Good.g.cs", output.Result.Results.Single().GeneratedSources.Single().HintName);
    }
}
