using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>
/// Issue 25, points 1 and 2: generated convolutional networks against PyTorch (tools/pytorch/conv_network_fixtures.py
/// runs the same networks as torch modules on the same weights and inputs; its own float64 loop reference checks the
/// modules), outputs, cost and every gradient within 1e-5 of the tensor's largest value, at every SIMD width; central
/// differences (GradientCheck) over every parameter; Predict against PredictBatch; 0 bytes per call once warm; the same
/// bits on one thread and two.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class ConvolutionalNetworkTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures => new() { "lenet_small", "one_d", "strided" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Outputs_CostAndGradients_MatchPyTorch_AtEveryWidth(string fixture)
    {
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 })
        {
            using (SimdWidths.ForceForTesting(width))
            {
                (ISerializableNetwork net, JsonElement json) = Load(fixture);
                float[] inputs = Floats(json, "inputs");
                var outputs = new float[Floats(json, "outputs").Length];
                net.PredictBatch(inputs, outputs);
                AssertClose(Floats(json, "outputs"), outputs, $"{fixture} at {width}: outputs");

                var gradients = new float[net.ParameterCount];
                float cost = net.ComputeGradients(inputs, Floats(json, "labels"), gradients, new Workspace(), computeCost: true)!.Value;
                double expectedCost = json.GetProperty("cost").GetDouble();
                Assert.True(Math.Abs(cost - expectedCost) <= Tolerance * Math.Abs(expectedCost), $"{fixture} at {width}: cost {cost} against PyTorch's {expectedCost}");
                foreach (LayerTensor tensor in net.Architecture.Tensors)
                {
                    AssertClose(Floats(json.GetProperty("gradients"), tensor.Name), gradients.AsSpan(tensor.Offset, tensor.Length).ToArray(), $"{fixture} at {width}: d{tensor.Name}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void OneExampleAtATime_AgreesWithPredictBatch(string fixture)
    {
        (ISerializableNetwork net, JsonElement json) = Load(fixture);
        float[] inputs = Floats(json, "inputs");
        var batch = new float[Floats(json, "outputs").Length];
        net.PredictBatch(inputs, batch);
        int n0 = net.InputSize, nL = net.OutputSize;
        for (int e = 0; e < inputs.Length / n0; e++)
        {
            var one = new float[nL];
            net.Predict(inputs.AsSpan(e * n0, n0), one);

            // The same arithmetic, but the products' tiles (and so their sums' order) depend on m: a few ulps apart.
            AssertClose(batch.AsSpan(e * nL, nL).ToArray(), one, $"{fixture}: example {e} alone", 1e-6);
        }
    }

    public static TheoryData<string> Networks => new() { "lenet_small", "one_d", "strided", "pool_first" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientCheck_EveryParameter_AgreesWithCentralDifferences(string name)
    {
        ISerializableNetwork net = Create(name, seed: 3);
        (float[] inputs, float[] labels) = RandomData(net, examples: 4, seed: 11);

        double difference = Trainer.GradientCheck(net, inputs, labels);

        Assert.True(difference < 2e-3, $"{name}: relative difference {difference:G3} between the analytic and the numerical gradient");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void PredictAndTraining_AllocateNothing_OnceWarm(string name)
    {
        ISerializableNetwork net = Create(name, seed: 1);
        (float[] inputs, float[] labels) = RandomData(net, examples: 64, seed: 2);
        var outputs = new float[64 * net.OutputSize];
        var one = new float[net.OutputSize];
        var gradients = new float[net.ParameterCount];
        var workspace = new Workspace();
        void Run()
        {
            net.PredictBatch(inputs, outputs);
            net.Predict(inputs.AsSpan(0, net.InputSize), one);
            net.ComputeGradients(inputs, labels, gradients, workspace, computeCost: true);
        }

        AllocationAssert.NoAllocation(Run, 1, $"{name}: PredictBatch, Predict and ComputeGradients with a kept workspace");
    }

    [Fact]
    public void Training_OneThreadAndTwo_GiveTheSameBits()
    {
        float[] Train(int threads)
        {
            var net = new LeNetSmall(seed: 5);
            (float[] inputs, float[] labels) = RandomData(net, examples: 200, seed: 6);
            var options = new TrainingOptions { LearningRate = 0.01f, Iterations = 3, BatchSize = 64, Seed = 7, MaxDegreeOfParallelism = threads, Optimizer = new Adam() };
            net.Fit(inputs, labels, options);
            return net.Parameters.ToArray();
        }

        Assert.Equal(Train(1), Train(2));
    }

    [Fact]
    public void Summary_ShowsEveryShapeAndPyTorchsParameterCounts()
    {
        string summary = LeNetSmall.Summary;
        Assert.Contains("(4, 12, 12)", summary);
        Assert.Contains("(4, 6, 6)", summary);
        Assert.Contains("(6, 4, 4)", summary);
        Assert.Contains("(6, 2, 2)", summary);
        Assert.Contains("(24)", summary);
        Assert.Contains("(4, 1, 3, 3)", summary);
        // PyTorch: 4·1·3·3 + 4 = 40, 6·4·3·3 + 6 = 222, 24·10 + 10 = 250, 10·3 + 3 = 33.
        Assert.Equal(40 + 222 + 250 + 33, LeNetSmall.ParameterCount);
        Assert.Contains("Total parameters: 545", summary);
    }

    private static ISerializableNetwork Create(string name, int seed) => name switch
    {
        "lenet_small" => new LeNetSmall(seed),
        "one_d" => new OneDimensionalNet(seed),
        "strided" => new StridedNet(seed),
        _ => new PoolFirstNet(seed),
    };

    /// <summary>Inputs uniform in [-1, 1) and labels the output kind accepts (one-hot for softmax, 0/1 otherwise).</summary>
    private static (float[] Inputs, float[] Labels) RandomData(ISerializableNetwork net, int examples, int seed)
    {
        var random = new Random(seed);
        float[] inputs = Enumerable.Range(0, examples * net.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var labels = new float[examples * net.OutputSize];
        for (int e = 0; e < examples; e++)
        {
            if (net.OutputSize == 1)
            {
                labels[e] = random.Next(2);
            }
            else
            {
                labels[(e * net.OutputSize) + random.Next(net.OutputSize)] = 1f;
            }
        }

        return (inputs, labels);
    }

    /// <summary>The fixture's network with the fixture's parameters in place, by tensor name; every fixture tensor must have a place.</summary>
    private static (ISerializableNetwork Network, JsonElement Json) Load(string fixture, [CallerFilePath] string here = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "conv-networks", fixture + ".json");
        JsonElement json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        ISerializableNetwork net = Create(fixture, seed: 0);
        var names = new List<string>();
        foreach (LayerTensor tensor in net.Architecture.Tensors)
        {
            float[] values = Floats(json.GetProperty("parameters"), tensor.Name);
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(net.Parameters.Slice(tensor.Offset));
            names.Add(tensor.Name);
        }

        Assert.Equal(json.GetProperty("parameters").EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal), names.OrderBy(n => n, StringComparer.Ordinal));
        return (net, json);
    }

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(value => value.GetSingle()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(value => Math.Abs((double)value));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= tolerance * scale, $"{what}[{i}]: {actual[i]} against {expected[i]} (error {error:G3}, {error / scale:G3} of the tensor's largest value)");
        }
    }
}
