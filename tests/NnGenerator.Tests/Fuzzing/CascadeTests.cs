using System;
using System.Linq;

namespace NnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Declarations the compiler already rejects, found by fuzzing, for which the generated file used to add errors of its
/// own; each now gets no code and only the compiler's error. Judged exactly as a fuzz case (<see cref="FuzzTests"/>).
/// Probes that never cascaded stay beside them, so a change that breaks them shows here first.
/// </summary>
public sealed class CascadeTests
{
    private const string Attributes = "[Network(Inputs = 2)]\n[Layer(1, Activation.Sigmoid)]\n";

    [Theory]
    // A type parameter whose name was deleted: the hint name held "Generic{}" and the generated part "Generic<>" (CS1001).
    [InlineData("namespace Demo;\n" + Attributes + "public partial class Generic<> { }\n")]
    [InlineData("namespace Demo;\n" + Attributes + "public partial class Generic<T, > { }\n")]
    [InlineData("namespace Demo;\npublic partial class Outer<>\n{\n" + Attributes + "public partial class Net { }\n}\n")]
    // Swapped modifiers leave a top-level type private or protected (CS1527); Predict was then more accessible than
    // Input and Output (CS0050/CS0051).
    [InlineData("namespace Demo;\n" + Attributes + "private partial class Net { }\n")]
    [InlineData("namespace Demo;\n" + Attributes + "protected partial class Net { }\n")]
    [InlineData("namespace Demo;\n" + Attributes + "private protected partial class Net { }\n")]
    [InlineData(Attributes + "protected internal partial class Net { }\n")]
    [InlineData("namespace Demo;\nprivate partial class Outer\n{\n" + Attributes + "public partial class Net { }\n}\n")]
    // Nested Input types with type parameters, in the network or around it, and type parameters named Input.
    [InlineData("namespace Demo;\n" + Attributes + "public partial class Net { public class Input<T> { } }\n")]
    [InlineData("namespace Demo;\n" + Attributes + "public partial class Net<T> { public struct Input<U> { } }\n")]
    [InlineData("namespace Demo;\npublic partial class Input<T>\n{\n" + Attributes + "public partial class Net { }\n}\n")]
    [InlineData("namespace Demo;\npublic partial class Outer\n{\n" + Attributes + "public partial class Net { }\nprivate class Input<T> { }\n}\n")]
    [InlineData("namespace Demo;\npublic partial class Outer<Input>\n{\n" + Attributes + "public partial class Net { }\n}\n")]
    [InlineData("namespace Demo;\n" + Attributes + "public partial class Net<Input> where Input : struct { }\n")]
    [InlineData("namespace Demo;\npublic partial class Outer\n{\n" + Attributes + "public partial class Net { }\n}\nprivate partial class Outer { }\n")]
    [InlineData("namespace Demo;\npublic partial struct Outer\n{\n" + Attributes + "protected partial class Net { }\n}\n")]
    // A namespace without a name: no code, and the syntax error before the class is the one shown (seed 7, case 272).
    [InlineData("namespace  (Loss)3 {\n" + Attributes + "public partial class Net { }\n}\n")]
    public void BrokenDeclaration_GetsNoCodeThatAddsErrors(string declaration)
    {
        FuzzTests.Outcome outcome = FuzzTests.RunCase(["using System;\nusing NnGen;\n" + declaration]);

        Assert.True(outcome.Problems.Count == 0, string.Join("\n", outcome.Problems.Select(problem => problem.Kind + ": " + problem.Text)));
    }
}
