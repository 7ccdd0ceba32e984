using System;
using System.Linq;
using NnGen.Kernels;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>Tests that change a process-wide setting run alone, after every parallel test of the assembly.</summary>
[CollectionDefinition(nameof(ProcessWideSettings), DisableParallelization = true)]
public sealed class ProcessWideSettings;

/// <summary>
/// Tiny networks are generated twice, at 512 bits and at <c>Vector&lt;float&gt;</c>'s width, and
/// <see cref="SimdPolicy.Use512Bit"/> picks one per call. The other tests run whichever this machine picks; these
/// run each path in turn against the double-precision reference, at batch sizes that fill whole steps, part of a
/// step, and several steps.
/// </summary>
[Collection(nameof(ProcessWideSettings))]
public sealed class SimdPolicyTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string, bool> ArchitecturesAndPolicies
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string name in GradientTests.ArchitectureNames)
            {
                data.Add(name, false);
                data.Add(name, true);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndPolicies))]
    public void ComputeGradientsAndPredictBatch_EachVectorWidth_MatchReference(string name, bool use512Bit)
    {
        bool saved = SimdPolicy.Use512Bit;
        try
        {
            SimdPolicy.Use512Bit = use512Bit;
            (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = GradientTests.Setup(name);
            var gradientTests = new GradientTests(output);
            foreach (int m in new[] { 16, 32, 45, 101 })
            {
                float[] inputs = TestData.Inputs(compiled.Architecture, m, seed: 50 + m);
                float[] labels = TestData.Labels(compiled.Architecture, m, seed: 60 + m);
                var gradients = new float[network.ParameterCount];
                float cost = network.ComputeGradients(inputs, labels, gradients, new Workspace());
                (double expectedCost, double[] expected) = reference.Backward(inputs, labels);
                gradientTests.AssertGradients(compiled.Architecture, expectedCost, expected, cost, gradients, $"{name}, 512-bit {use512Bit}, m = {m}");

                float[] outputs = new float[m * network.OutputSize];
                network.PredictBatch(inputs, outputs);
                double[] predicted = Enumerable.Range(0, m)
                    .SelectMany(i => reference.Predict(inputs.AsSpan(i * network.InputSize, network.InputSize)))
                    .ToArray();
                NumericAssert.Close(predicted, outputs, Tolerance, $"{name}.PredictBatch, 512-bit {use512Bit}, m = {m}");
            }
        }
        finally
        {
            SimdPolicy.Use512Bit = saved;
        }
    }

    [Fact]
    public void Use512Bit_SetOnThisMachine_ReportsWhetherTheCpuRunsIt()
    {
        bool saved = SimdPolicy.Use512Bit;
        try
        {
            SimdPolicy.Use512Bit = true;
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || System.Runtime.Intrinsics.X86.Avx512F.IsSupported, SimdPolicy.Use512Bit);
            SimdPolicy.Use512Bit = false;
            Assert.False(SimdPolicy.Use512Bit);
        }
        finally
        {
            SimdPolicy.Use512Bit = saved;
        }
    }
}
