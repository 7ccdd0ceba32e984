using System;
using System.IO;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Weights exported from PyTorch by tools/pytorch/export_sequential.py (checked-in fixtures: the weights, 16 inputs and
/// PyTorch's outputs in one safetensors file) load into the same architecture declared in C#, and NnGen's outputs match
/// PyTorch's within 1e-6 relative, normwise per example: max_j |nngen_j − torch_j| ≤ 1e-6 · max_j |torch_j|. Normwise
/// because a linear output that is a small difference of large terms (0.0443 from terms near 1) carries float32 rounding
/// of the terms, ~1e-6 of itself, in any float32 implementation; measured against both PyTorch's float32 outputs and
/// the same network evaluated in float64.
/// </summary>
public sealed class PyTorchFixtureTests(ITestOutputHelper output)
{
    private const double Relative = 1e-6;

    [Theory]
    [InlineData("torch-classifier.safetensors", "TorchClassifier")]
    [InlineData("torch-regressor-state-dict.safetensors", "TorchRegressor")]
    public void PyTorchExport_LoadedIntoTheDeclaredNetwork_OutputsMatchPyTorch(string fixture, string network)
    {
        ISerializableNetwork net = SaveLoadTests.Create(network, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(net, Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));
        NamedTensor inputs = loaded.GetExtra("fixture.inputs", 16, net.InputSize);
        NamedTensor torchOutputs = loaded.GetExtra("fixture.outputs", 16, net.OutputSize);
        NamedTensor exactOutputs = loaded.GetExtra("fixture.outputs_f64", 16, net.OutputSize);

        float[] batch = SaveLoadTests.Predict(net, inputs.Values.ToArray());
        float[] single = new float[net.OutputSize];
        double worst = 0;
        for (int i = 0; i < 16; i++)
        {
            net.Predict(inputs.Values.Slice(i * net.InputSize, net.InputSize), single);
            foreach ((string what, float[] ours) in new[] { ("PredictBatch", batch.AsSpan(i * net.OutputSize, net.OutputSize).ToArray()), ("Predict", single) })
            {
                foreach ((string reference, NamedTensor expected) in new[] { ("torch float32", torchOutputs), ("torch float64", exactOutputs) })
                {
                    ReadOnlySpan<float> row = expected.Values.Slice(i * net.OutputSize, net.OutputSize);
                    double scale = 0, difference = 0;
                    for (int j = 0; j < row.Length; j++)
                    {
                        scale = Math.Max(scale, Math.Abs(row[j]));
                        difference = Math.Max(difference, Math.Abs(ours[j] - (double)row[j]));
                    }

                    double error = difference / scale;
                    worst = Math.Max(worst, error);
                    Assert.True(error <= Relative, $"{fixture}: example {i}: {what} [{string.Join(", ", ours)}], {reference} [{string.Join(", ", row.ToArray())}] (relative {error:E2}).");
                }
            }
        }

        output.WriteLine($"{fixture}: largest relative difference {worst:E2}");
    }

    [Fact]
    public void PyTorchExport_IntoAnotherArchitecture_RefusedNamingTheMetadata()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch-classifier.safetensors");
        var net = new MixedNet(seed: 1);
        int[] before = SaveLoadTests.Bits(net.Parameters);

        WeightsFormatException error = Assert.Throws<WeightsFormatException>(() => net.LoadWeights(path));

        Assert.Equal($"{path}: tensor '__metadata__': layer sizes 3,8,6,2 (saved from TorchClassifier) do not match MixedNet's 3,5,5,2 (3 -> 5 relu -> 5 leaky_relu -> 2 sigmoid).", error.Message);
        Assert.Equal(before, SaveLoadTests.Bits(net.Parameters));
    }
}
