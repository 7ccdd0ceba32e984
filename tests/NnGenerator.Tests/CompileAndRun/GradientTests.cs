using System;
using System.Linq;
using NnGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// The generated ComputeGradients against <see cref="ReferenceNetwork.Backward"/> (double precision): max relative
/// difference (|a - r| / max(|r|, 1e-3)) at most 1e-4 on every dW, db and the cost. The reference itself is checked
/// against central finite differences of its own cost, in double, to 1e-6.
/// </summary>
public sealed class GradientTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const double ReferenceTolerance = 1e-6;

    private static readonly string[] Names =
    [
        TestArchitecture.Planar.Name,
        TestArchitecture.Logistic.Name,
        TestArchitecture.ReLUStack.Name,
        TestArchitecture.TanhLinear.Name,
        TestArchitecture.MultiOutputSigmoid.Name,
        TestArchitecture.TanhOutputMse.Name,
        TestArchitecture.SigmoidMse.Name,
        TestArchitecture.BceReLUOutput.Name,
        TestArchitecture.Medium.Name,
        TestArchitecture.FanIn.Name,
        TestArchitecture.Mixed.Name,
        TestArchitecture.SoftmaxTiny.Name,
        TestArchitecture.SoftmaxKernel.Name,
        TestArchitecture.SoftmaxMixed.Name,
    ];

    public static TheoryData<string> Architectures => new(Names);

    internal static string[] ArchitectureNames => Names;

    public static TheoryData<string, int> ArchitecturesAndBatches
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string name in Names)
            {
                data.Add(name, 1);
                data.Add(name, 13);

                // Past one 32-example step of a tiny network: two full 512-bit blocks, then a partial one.
                data.Add(name, 45);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndBatches))]
    public void ComputeGradients_Interface_MatchesReferenceBackprop(string name, int m)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        float[] inputs = TestData.Inputs(compiled.Architecture, m, seed: 21);
        float[] labels = TestData.Labels(compiled.Architecture, m, seed: 22);

        // NaN everywhere: any gradient left unwritten, or any workspace float read before it is written, shows up.
        var gradients = new float[network.ParameterCount];
        Array.Fill(gradients, float.NaN);
        var workspace = new Workspace();
        workspace.GetSpan(1 << 12).Fill(float.NaN);

        float cost = network.ComputeGradients(inputs, labels, gradients, workspace);

        (double expectedCost, double[] expected) = reference.Backward(inputs, labels);
        AssertGradients(compiled.Architecture, expectedCost, expected, cost, gradients, $"{name}, m = {m}");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ComputeGradients_TypedOverload_MatchesReferenceBackprop(string name)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        float[] inputs = TestData.Inputs(compiled.Architecture, 9, seed: 23);
        float[] labels = TestData.Labels(compiled.Architecture, 9, seed: 24);
        var gradients = new float[network.ParameterCount];

        float cost = compiled.ComputeGradientsTyped(network, inputs, labels, gradients);

        (double expectedCost, double[] expected) = reference.Backward(inputs, labels);
        AssertGradients(compiled.Architecture, expectedCost, expected, cost, gradients, $"{name} typed");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ComputeGradients_WorkspaceReusedAcrossBatchSizes_StillMatchesReference(string name)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        var workspace = new Workspace();
        var gradients = new float[network.ParameterCount];

        // The second, smaller batch runs on the first one's stale cache and deltas.
        foreach (int m in new[] { 17, 5 })
        {
            float[] inputs = TestData.Inputs(compiled.Architecture, m, seed: 30 + m);
            float[] labels = TestData.Labels(compiled.Architecture, m, seed: 40 + m);
            float cost = network.ComputeGradients(inputs, labels, gradients, workspace);
            (double expectedCost, double[] expected) = reference.Backward(inputs, labels);
            AssertGradients(compiled.Architecture, expectedCost, expected, cost, gradients, $"{name}, m = {m} on a reused workspace");
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ReferenceBackward_RandomParameters_MatchesFiniteDifferences(string name)
    {
        TestArchitecture architecture = ForwardTests.Find(name);
        double[] parameters = TestData.Parameters(architecture, seed: 8).Select(value => (double)value).ToArray();
        var reference = new ReferenceNetwork(architecture, parameters);
        float[] inputs = TestData.Inputs(architecture, 6, seed: 25);
        float[] labels = TestData.Labels(architecture, 6, seed: 26);

        (double cost, double[] analytic) = reference.Backward(inputs, labels);
        double[] numeric = reference.FiniteDifferences(inputs, labels, step: 1e-6);

        Assert.Equal(reference.Cost(inputs, labels), cost, 12);
        double worst = NumericAssert.Close(numeric, analytic, ReferenceTolerance, $"{name} reference backprop vs central differences");
        output.WriteLine($"{name} reference vs finite differences: max relative error {worst:E2}");
    }

    internal static (CompiledNetwork Compiled, ITrainableNetwork Network, ReferenceNetwork Reference) Setup(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(ForwardTests.Find(name));
        ITrainableNetwork network = compiled.Create(seed: 2);
        double[] parameters = CompiledNetwork.SetParameters(network, TestData.Parameters(compiled.Architecture, seed: 9));
        return (compiled, network, new ReferenceNetwork(compiled.Architecture, parameters));
    }

    internal void AssertGradients(TestArchitecture architecture, double expectedCost, double[] expected, float cost, float[] gradients, string what)
    {
        double worst = NumericAssert.Close([expectedCost], [(double)cost], Tolerance, $"{what}: cost J");
        for (int l = 1; l <= architecture.Layers.Length; l++)
        {
            int w = architecture.WeightOffset(l);
            int b = architecture.BiasOffset(l);
            int units = architecture.Sizes[l];
            worst = Math.Max(worst, NumericAssert.Close(expected[w..b], gradients.AsSpan(w, b - w), Tolerance, $"{what}: dW{l}"));
            worst = Math.Max(worst, NumericAssert.Close(expected[b..(b + units)], gradients.AsSpan(b, units), Tolerance, $"{what}: db{l}"));
        }

        output.WriteLine($"{what}: max relative error {worst:E2}");
    }
}
