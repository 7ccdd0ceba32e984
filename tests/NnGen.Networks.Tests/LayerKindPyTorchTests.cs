using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NnGen.Networks.Tests;

/// <summary>
/// Issue 20, point 1: the layer kinds against PyTorch. tools/pytorch/layer_kinds_fixtures.py runs the same networks as
/// torch modules (nn.Linear, nn.BatchNorm1d, nn.LayerNorm, and dropout with the mask NnGen draws for the step seed) on the
/// same weights and inputs, and writes outputs, costs, gradients and running statistics to tests/Fixtures/layer-kinds.
/// Each tensor must agree within 1e-5 of its own magnitude (the largest absolute value in the tensor): float32 sums in
/// another order differ by a few ulps of the largest terms, and an element near zero has only those ulps to show.
/// </summary>
public class LayerKindPyTorchTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures => new() { "bn", "ln", "dropout", "fashion" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InferenceOutputs_MatchPyTorchEval(string fixture)
    {
        (ISerializableNetwork net, JsonElement json) = Load(fixture);
        float[] inputs = Floats(json, "inputs");
        var outputs = new float[Floats(json, "inference_outputs").Length];

        net.PredictBatch(inputs, outputs);

        AssertClose(Floats(json, "inference_outputs"), outputs, $"{fixture}: inference outputs");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TrainingStep_CostGradientsAndRunningStatistics_MatchPyTorchTrain(string fixture)
    {
        (ISerializableNetwork net, JsonElement json) = Load(fixture);
        var gradients = new float[net.ParameterCount];

        float cost = net.ComputeGradients(Floats(json, "inputs"), Floats(json, "labels"), gradients, new Workspace(), computeCost: true, json.GetProperty("step_seed").GetUInt64())!.Value;

        double expectedCost = json.GetProperty("cost").GetDouble();
        Assert.True(Math.Abs(cost - expectedCost) <= Tolerance * Math.Abs(expectedCost), $"{fixture}: cost {cost} against PyTorch's {expectedCost}");
        foreach (LayerTensor tensor in net.Architecture.Tensors.Where(tensor => !tensor.IsState))
        {
            AssertClose(Floats(json.GetProperty("gradients"), tensor.Name), gradients.AsSpan(tensor.Offset, tensor.Length).ToArray(), $"{fixture}: d{tensor.Name}");
        }

        foreach (LayerTensor tensor in net.Architecture.Tensors.Where(tensor => tensor.IsState))
        {
            AssertClose(Floats(json.GetProperty("state_after"), tensor.Name), net.State.Slice(tensor.Offset, tensor.Length).ToArray(), $"{fixture}: {tensor.Name} after the step");
        }
    }

    /// <summary>The fixture's network with the fixture's parameters and state in place, by tensor name.</summary>
    private static (ISerializableNetwork Network, JsonElement Json) Load(string fixture, [CallerFilePath] string here = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "layer-kinds", fixture + ".json");
        JsonElement json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        ISerializableNetwork net = fixture switch
        {
            "bn" => new BatchNormNet(),
            "ln" => new LayerNormNet(),
            "dropout" => new DropoutNet(),
            _ => new AllKindsNet(),
        };

        var names = new HashSet<string>();
        foreach (LayerTensor tensor in net.Architecture.Tensors)
        {
            float[] values = Floats(json.GetProperty(tensor.IsState ? "state" : "parameters"), tensor.Name);
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(tensor.IsState ? net.State.Slice(tensor.Offset) : net.Parameters.Slice(tensor.Offset));
            names.Add(tensor.Name);
        }

        // Every tensor of the fixture has a place in the network, so a renamed tensor cannot pass unnoticed.
        Assert.Equal(
            json.GetProperty("parameters").EnumerateObject().Select(p => p.Name).Concat(json.GetProperty("state").EnumerateObject().Select(p => p.Name)).OrderBy(n => n, StringComparer.Ordinal),
            names.OrderBy(n => n, StringComparer.Ordinal));
        return (net, json);
    }

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(value => value.GetSingle()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(value => Math.Abs((double)value));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= Tolerance * scale, $"{what}[{i}]: {actual[i]} against PyTorch's {expected[i]} (error {error:G3}, {error / scale:G3} of the tensor's largest value)");
        }
    }
}
