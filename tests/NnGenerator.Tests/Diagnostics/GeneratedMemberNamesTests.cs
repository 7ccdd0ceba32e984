using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// NNG0016 is only as good as its table: every member the emitters declare in a network class (public or private, on
/// every strategy) must be in <see cref="GeneratedNames"/>, and every fixed name in the table must still be emitted.
/// </summary>
public sealed class GeneratedMemberNamesTests
{
    private static readonly (string Name, int Layers, string Declaration)[] Networks =
    [
        ("Tiny", 2, "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Tiny { }\n"),
        ("Kernel", 3, "[Network(Inputs = 16)]\n[Layer(64, Activation.ReLU)]\n[Layer(64, Activation.ReLU)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class Kernel { }\n"),
        ("Mixed", 3, "[Network(Inputs = 40)]\n[Layer(8, Activation.LeakyReLU)]\n[Layer(8, Activation.Tanh)]\n[Layer(3, Activation.Softmax)]\npublic partial class Mixed { }\n"),
        ("Kinds", 6, "[Network(Inputs = 5)]\n[Dense(8, Activation.ReLU)]\n[BatchNorm]\n[Dropout(0.2)]\n[Dense(4, Activation.Tanh)]\n[LayerNorm]\n[Dense(2, Activation.Sigmoid)]\npublic partial class Kinds { }\n"),
        ("Shaped", 4, "[Network(Input = new[] { 1, 8, 8 })]\n[Conv2D(2, Activation = Activation.ReLU)]\n[MaxPool2D(2)]\n[Flatten]\n[Dense(2, Activation.Softmax)]\npublic partial class Shaped { }\n"),
        ("Streaming", 3, "[Network(Inputs = 1)]\n[Conv1D(2, Kernel = 2, PaddingMode = PaddingMode.Causal)]\n[Gru(3)]\n[Dense(1, Activation.Linear)]\npublic partial class Streaming { }\n"),
    ];

    [Fact]
    public void EveryMemberOfCompiledNetworks_IsInTheTable_AndEveryFixedNameIsEmitted()
    {
        Assembly assembly = GeneratorHarness.Load(GeneratorHarness.Run(string.Concat(new[] { "using NnGen;\nnamespace Demo;\n" }.Concat(Networks.Select(network => network.Declaration)))).Compilation);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, int layers, _) in Networks)
        {
            Type type = assembly.GetType("Demo." + name, throwOnError: true)!;
            const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (MemberInfo member in type.GetMembers(All))
            {
                // Constructors are checked by signature (NNG0016 on Net() and Net(int)); explicit interface implementations
                // are named "NnGen.ITrainableNetwork.X"; compiler-generated members start with '<'; accessors belong to their property.
                if (member is ConstructorInfo or MethodInfo { IsSpecialName: true } || member.Name.Contains('.', StringComparison.Ordinal) || member.Name.StartsWith('<'))
                {
                    continue;
                }

                seen.Add(member.Name);
                Assert.True(GeneratedNames.IsGenerated(member.Name, layers), $"{name}.{member.Name} ({member.MemberType}) is generated but not in GeneratedNames");
            }

            Assert.False(GeneratedNames.IsGenerated("W" + (layers + 1), layers));
        }

        // The vector aliases are reserved names but not members: using directives of the emitted namespace, which
        // TableTests finds in the generated source.
        string[] aliases = [GeneratedNames.Vec128, GeneratedNames.Vec512, GeneratedNames.Vec512D, GeneratedNames.Vec, GeneratedNames.VecD];
        Assert.All(GeneratedNames.Fixed.Except(aliases), fixedName => Assert.Contains(fixedName, seen));
        Assert.All(GeneratedNames.WorkspaceParts, part => Assert.Contains(part, seen));
    }

    [Theory]
    [InlineData("W0", 3, false)]
    [InlineData("W03", 3, false)]
    [InlineData("W3", 3, true)]
    [InlineData("W4", 3, false)]
    [InlineData("b2Offset", 2, true)]
    [InlineData("Layer12Units", 12, true)]
    [InlineData("Layer12Units", 11, false)]
    [InlineData("ForwardBatchWide", 1, true)]
    [InlineData("PredictProbability", 1, false)]
    [InlineData("predict", 1, false)]
    public void IsGenerated_ReadsLayerNumbersAsTheEmitterWritesThem(string name, int layers, bool expected) =>
        Assert.Equal(expected, GeneratedNames.IsGenerated(name, layers));
}
