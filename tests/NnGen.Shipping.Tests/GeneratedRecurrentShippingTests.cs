using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NnGen.Onnx;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Generated recurrent networks (not only runtime descriptions) through the ship paths: exported to ONNX and run by
/// ONNX Runtime, and saved then loaded, against their own PredictSequences.
/// </summary>
public sealed class GeneratedRecurrentShippingTests
{
    public static TheoryData<string> Networks => new() { nameof(ShipLstmNet), nameof(ShipSequenceClassifier) };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Export_GeneratedRecurrentNetwork_OnnxRuntimeMatchesPredictSequences(string name)
    {
        ISequenceNetwork network = Create(name, seed: 5);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));
        foreach ((int m, int steps) in new[] { (1, 1), (3, 17), (4, 33) })
        {
            float[] inputs = Enumerable.Range(0, m * steps * network.InputSize).Select(i => MathF.Sin(i * 0.37f) * 0.9f).ToArray();
            var expected = new float[m * (network.OutputsEveryStep ? steps : 1) * network.OutputSize];
            network.PredictSequences(inputs, steps, expected, Span<float>.Empty);

            var tensor = new DenseTensor<float>(inputs, [m, steps, network.InputSize]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
            float[] actual = results.Single(result => result.Name == OnnxExporter.OutputName).AsTensor<float>().ToArray();

            // Float against float computed in another order: within 1e-5 of the largest output.
            double scale = expected.Max(v => Math.Abs(v));
            Assert.Equal(expected.Length, actual.Length);
            Assert.All(Enumerable.Range(0, expected.Length), i =>
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * scale, $"{name} {m} x {steps}: [{i}] onnx {actual[i]} vs {expected[i]}"));
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void SaveWeights_LoadWeights_GeneratedRecurrentNetwork_SameBits(string name)
    {
        ISequenceNetwork saved = Create(name, seed: 7), loaded = Create(name, seed: 8);
        using var stream = new MemoryStream();
        WeightsFile.Save(saved, stream);
        stream.Position = 0;
        WeightsFile.Load(loaded, stream);

        Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    private static ISequenceNetwork Create(string name, int seed) => name switch
    {
        nameof(ShipLstmNet) => new ShipLstmNet(seed),
        _ => new ShipSequenceClassifier(seed),
    };
}
