using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// The PyTorch fixtures of tests/Fixtures/layer-kinds (tools/pytorch/layer_kinds_fixtures.py) agree with the contract as
/// C# reads it: the dropout masks are the contract's hash computed here, and the float64 reference
/// (<see cref="LayerKindsReference"/>) given the fixture's tensors reproduces PyTorch's float32 inference and training
/// outputs and cost within 1e-5·(1 + |value|), its running statistics after the step likewise, and its cost's central
/// finite differences PyTorch's autograd gradients within 1e-5 of each tensor's largest gradient (float32 autograd
/// carries ~1e-6 relative error; a wrong mask, statistic or variance convention moves values by 1e-2 and more).
/// So generated code compared with these fixtures is compared with something both PyTorch and the contract vouch for.
/// </summary>
public sealed class LayerKindsFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5, GradientTolerance = 1e-5;

    public static TheoryData<string> Fixtures => new() { "bn", "ln", "dropout", "fashion" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_AgreesWithTheDoubleReferenceAndTheContractsMask(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "Fixtures", "layer-kinds", name + ".json")));
        JsonElement fixture = document.RootElement;
        NetworkArchitecture architecture = LayerKindsNetwork.ArchitectureOf(name);
        int m = fixture.GetProperty("m").GetInt32();
        ulong seed = fixture.GetProperty("step_seed").GetUInt64();
        float[] inputs = Floats(fixture.GetProperty("inputs")), labels = Floats(fixture.GetProperty("labels"));
        Assert.Equal(name, fixture.GetProperty("name").GetString());
        Assert.Equal(architecture.LayerSizes, fixture.GetProperty("layer_sizes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(architecture.Layers.Select(l => l.Arguments().ToUpperInvariant()), fixture.GetProperty("layers").EnumerateArray().Select(e => e.GetString()!.ToUpperInvariant()));
        Assert.Equal((m * architecture.InputSize, m * architecture.OutputSize), (inputs.Length, labels.Length));

        float[] parameters = Buffer(architecture, fixture.GetProperty("parameters"), state: false);
        float[] state = Buffer(architecture, fixture.GetProperty("state"), state: true);

        foreach (LayerDescription dropout in architecture.Layers.Where(l => l.Kind == LayerKind.Dropout))
        {
            bool[] keep = LayerKindsReference.DropoutKeep(seed, dropout.Index, dropout.Rate, m, dropout.Units);
            float[] mask = Floats(fixture.GetProperty("masks").GetProperty(dropout.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(keep.Select(k => k ? 1f : 0f), mask);
            output.WriteLine($"{name}: layer {dropout.Index} keeps {keep.Count(k => k)} of {keep.Length} at rate {dropout.Rate}");
        }

        Close(LayerKindsReference.Forward(architecture, parameters, state, inputs, m), Floats(fixture.GetProperty("inference_outputs")), Tolerance, $"{name}: inference output");

        double[] running = state.Select(v => (double)v).ToArray();
        double[] training = LayerKindsReference.TrainingForward(architecture, parameters, running, inputs, m, seed);
        Close(training, Floats(fixture.GetProperty("training_outputs")), Tolerance, $"{name}: training output");
        Close(running, Buffer(architecture, fixture.GetProperty("state_after"), state: true), Tolerance, $"{name}: state after the step");
        double cost = LayerKindsReference.Cost(architecture.Loss, training, labels, m);
        Assert.True(Math.Abs(cost - fixture.GetProperty("cost").GetDouble()) <= Tolerance * (1 + cost), $"{name}: cost {cost:R}, PyTorch {fixture.GetProperty("cost").GetDouble():R}.");

        double worst = 0;
        foreach (LayerTensor tensor in architecture.Tensors.Where(t => !t.IsState))
        {
            float[] expected = Floats(fixture.GetProperty("gradients").GetProperty(tensor.Name));
            Assert.Equal(tensor.Length, expected.Length);
            double scale = expected.Max(v => Math.Abs((double)v));
            for (int i = 0; i < tensor.Length; i++)
            {
                double numeric = FiniteDifference(architecture, parameters, state, inputs, labels, m, seed, tensor.Offset + i);
                double difference = Math.Abs(numeric - expected[i]);
                worst = Math.Max(worst, difference / scale);
                Assert.True(difference <= GradientTolerance * scale, $"{name}: d{tensor.Name}[{i}]: finite difference {numeric:R}, PyTorch {expected[i]:R} (largest |d{tensor.Name}| {scale:R}).");
            }
        }

        output.WriteLine($"{name}: cost {cost:R}; largest gradient difference relative to its tensor's largest {worst:E2}");
    }

    /// <summary>∂J/∂θ by central differences of the float64 training pass (same mask, fresh running statistics each time).</summary>
    private static double FiniteDifference(NetworkArchitecture architecture, float[] parameters, float[] state, float[] inputs, float[] labels, int m, ulong seed, int index)
    {
        float original = parameters[index];
        float step = 1e-4f * Math.Max(1f, Math.Abs(original));
        // The step as stored: original ± step rounds to float32, and h must be the difference of what the pass saw.
        float[] at = [original + step, original - step];
        double[] cost = new double[2];
        for (int side = 0; side < 2; side++)
        {
            parameters[index] = at[side];
            double[] running = state.Select(v => (double)v).ToArray();
            cost[side] = LayerKindsReference.Cost(architecture.Loss, LayerKindsReference.TrainingForward(architecture, parameters, running, inputs, m, seed), labels, m);
        }

        parameters[index] = original;
        return (cost[0] - cost[1]) / ((double)at[0] - at[1]);
    }

    private static float[] Buffer(NetworkArchitecture architecture, JsonElement tensors, bool state)
    {
        float[] buffer = new float[state ? architecture.StateCount : architecture.ParameterCount];
        Assert.Equal(architecture.Tensors.Where(t => t.IsState == state).Select(t => t.Name), tensors.EnumerateObject().Select(p => p.Name));
        foreach (LayerTensor tensor in architecture.Tensors.Where(t => t.IsState == state))
        {
            float[] values = Floats(tensors.GetProperty(tensor.Name));
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(buffer, tensor.Offset);
        }

        return buffer;
    }

    private static void Close(IReadOnlyList<double> actual, IReadOnlyList<float> expected, double tolerance, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what} {i}: reference {actual[i]:R}, PyTorch {expected[i]:R}.");
        }
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
