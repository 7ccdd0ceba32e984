using System;
using System.Collections.Generic;
using System.IO;
using NnGen.Data;
using NnGen.Shipping.Tests.Support;

namespace NnGen.Shipping.Tests;

/// <summary>Weights saved here and loaded by another program in another process predict bit for bit the same.</summary>
public sealed class ProcessRoundTripTests : IDisposable
{
    private readonly string _directory = Repository.TestDirectory("nngen-roundtrip");

    public void Dispose() => Repository.DeleteQuietly(_directory);

    [Fact]
    public void SavedWeights_LoadedByShipItInANewProcess_PredictBitIdentically()
    {
        // Trained briefly from another seed than ShipIt's checked-in weights, so the file cannot be confused with them.
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 7);
        net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 300, RecordEvery = 300 });
        string path = Path.Combine(_directory, "planar.safetensors");
        net.SaveWeights(path);

        (int exitCode, string output, string error) = ProcessRunner.Run("dotnet", [ShipItOutput.JitAssembly, "predict", path], _directory, TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, output + error);
        List<(float X1, float X2, int OutputBits)> predictions = ShipItOutput.Predictions(output);
        Assert.Equal(8, predictions.Count);
        Span<float> y = stackalloc float[1];
        foreach ((float x1, float x2, int bits) in predictions)
        {
            net.Predict([x1, x2], y);
            Assert.Equal(BitConverter.SingleToInt32Bits(y[0]), bits);
        }
    }

    [Fact]
    public void ShipIt_WeightsOfAnotherArchitecture_ExitsWithTheLoadError()
    {
        string path = Path.Combine(_directory, "mixed.safetensors");
        new MixedNet(seed: 1).SaveWeights(path);

        (int exitCode, string output, string error) = ProcessRunner.Run("dotnet", [ShipItOutput.JitAssembly, "predict", path], _directory, TimeSpan.FromMinutes(2));

        Assert.Equal(2, exitCode);
        Assert.Equal($"{path}: tensor '__metadata__': layer sizes 3,5,5,2 (saved from MixedNet) do not match PlanarNet's 2,4,1 (2 -> 4 tanh -> 1 sigmoid).", error.Trim());
        Assert.Empty(output);
    }
}
