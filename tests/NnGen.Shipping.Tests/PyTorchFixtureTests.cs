using System;
using System.IO;
using NnGen.Shipping.Tests.Support;
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

    /// <summary>
    /// Sequentials with BatchNorm1d, Dropout and LayerNorm (seeded non-trivial gamma, beta and running statistics),
    /// exported by the script under NnGen's names with nngen.layers, and as a state_dict (with num_batches_tracked), load
    /// into the same layers described in C#; the double reference's eval-mode outputs match PyTorch's within the same 1e-6.
    /// The networks are hand-written (<see cref="LayerKindsNetwork"/>): the weights, the state and the layer kinds come
    /// from the file, the arithmetic from <see cref="LayerKindsReference"/>.
    /// </summary>
    [Theory]
    [InlineData("torch-layer-kinds.safetensors")]
    [InlineData("torch-layer-kinds-state-dict.safetensors")]
    public void PyTorchExport_LayerKinds_LoadedIntoTheSameLayers_OutputsMatchPyTorch(string fixture)
    {
        NetworkArchitecture architecture = fixture == "torch-layer-kinds.safetensors"
            ? new NetworkArchitecture(
                "TorchLayerKinds",
                4,
                [
                    LayerDescription.Dense(1, 4, 8, Activation.ReLU, 0), LayerDescription.BatchNorm(2, 8, 1e-5f, 0.1f, 40, 0),
                    LayerDescription.Dropout(3, 8, 0.3f), LayerDescription.Dense(4, 8, 6, Activation.Tanh, 56),
                    LayerDescription.LayerNorm(5, 6, 1e-5f, 110), LayerDescription.Dense(6, 6, 3, Activation.Softmax, 122),
                ],
                Loss.CategoricalCrossEntropy)
            : new NetworkArchitecture(
                "TorchLayerKindsStateDict",
                5,
                [
                    LayerDescription.Dense(1, 5, 7, Activation.LeakyReLU, 0), LayerDescription.LayerNorm(2, 7, 1e-5f, 42),
                    LayerDescription.BatchNorm(3, 7, 1e-5f, 0.1f, 56, 0), LayerDescription.Dense(4, 7, 2, Activation.Sigmoid, 70),
                ],
                Loss.BinaryCrossEntropy);
        var net = new LayerKindsNetwork(architecture, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(net, Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));
        NamedTensor inputs = loaded.GetExtra("fixture.inputs", 16, net.InputSize);
        float[] ours = SaveLoadTests.Predict(net, inputs.Values.ToArray());

        double worst = 0;
        foreach ((string reference, NamedTensor expected) in new[] { ("torch float32", loaded.GetExtra("fixture.outputs", 16, net.OutputSize)), ("torch float64", loaded.GetExtra("fixture.outputs_f64", 16, net.OutputSize)) })
        {
            for (int i = 0; i < 16; i++)
            {
                ReadOnlySpan<float> row = expected.Values.Slice(i * net.OutputSize, net.OutputSize);
                double scale = 0, difference = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    scale = Math.Max(scale, Math.Abs(row[j]));
                    difference = Math.Max(difference, Math.Abs(ours[(i * net.OutputSize) + j] - (double)row[j]));
                }

                worst = Math.Max(worst, difference / scale);
                Assert.True(difference <= Relative * scale, $"{fixture}: example {i}: ours [{string.Join(", ", ours.AsSpan(i * net.OutputSize, net.OutputSize).ToArray())}], {reference} [{string.Join(", ", row.ToArray())}].");
            }
        }

        Assert.Contains(net.State.ToArray(), value => value != 0 && value != 1);
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
