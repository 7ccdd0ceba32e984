using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NnGen.Onnx;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;
using static NnGen.Shipping.Tests.OnnxLayerKindsTests;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Networks with LSTM and GRU layers (one and two stacked, every step or the last step only, dense, batch-norm and
/// layer-norm layers at every step) exported to ONNX run in ONNX Runtime and agree with the float64 reference written
/// from PyTorch's equations (<see cref="RecurrentReference"/>) within 1e-5 of the largest output: ONNX Runtime computes
/// in float32, and a gate block in PyTorch's order where ONNX expects its own, a missing linear_before_reset or a
/// transposed batch moves outputs by far more.
/// </summary>
public sealed class OnnxRecurrentTests(ITestOutputHelper output)
{
    private const double Relative = 1e-5;

    [Theory]
    [MemberData(nameof(RecurrentNetworks.All), MemberType = typeof(RecurrentNetworks))]
    public void Export_Recurrent_RunsInOnnxRuntime_MatchesTheDoubleReference(string name)
    {
        var network = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf(name), seed: 3);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));

        double worst = 0;
        foreach ((int examples, int steps) in new[] { (1, 1), (3, 17), (5, 40) })
        {
            float[] inputs = SaveLoadTests.Inputs(network.InputSize, examples * steps, seed: examples + steps);
            double[] expected = RecurrentReference.Forward(network.Architecture, network.Parameters, network.State, inputs, examples, steps);
            (float[] actual, int[] dimensions) = Run(session, inputs, examples, steps, network.InputSize);

            int[] shape = RecurrentNetworks.PerStep(network.Architecture) ? [examples, steps, network.OutputSize] : [examples, network.OutputSize];
            Assert.Equal(shape, dimensions);
            Assert.Equal(expected.Length, actual.Length);
            double scale = expected.Max(Math.Abs), difference = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
            }

            Assert.True(difference <= Relative * scale, $"{name}, {examples} x {steps} steps: ONNX Runtime differs from the reference by {difference:E2}, largest output {scale:E2}.");
            worst = Math.Max(worst, difference / scale);
        }

        output.WriteLine($"{name}: largest |onnx - reference| / largest |reference| = {worst:E2}");
    }

    [Fact]
    public void Export_StackedLstmLastStep_NodesInitializersAndShapes()
    {
        var network = new LayerKindsNetwork(RecurrentNetworks.ArchitectureOf("lstm2-last"), seed: 3);
        byte[] model = OnnxExporter.ToBytes(network);

        Assert.Equal(new[] { "Transpose", "LSTM", "Squeeze", "LSTM", "Squeeze", "Gemm", "Softmax" }, OnnxModelReader.Operators(model));
        Assert.Equal(
            new[] { "W3", "b3", "W1_iofc", "R1_iofc", "B1_iofc", "W2_iofc", "R2_iofc", "B2_iofc", "axes_0", "axes_1" },
            OnnxModelReader.Initializers(model));
        Assert.Equal((OnnxExporter.IrVersion, OnnxExporter.OpsetVersion), OnnxModelReader.Versions(model));
        using var session = new InferenceSession(model);
        Assert.Equal(new[] { -1, -1, 2 }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
        Assert.Equal(new[] { -1, 3 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        Assert.Equal("lstm(return_sequences=true),lstm(return_sequences=false),dense", session.ModelMetadata.CustomMetadataMap[WeightsFile.LayersKey]);
    }

    [Fact]
    public void Export_GruEveryStepWithNorms_TransposesAroundBatchNormAndBackAtTheEnd()
    {
        var network = new LayerKindsNetwork(RecurrentNetworks.Build("GruNorms", 2, Loss.MeanSquaredError, ("relu", 3), ("gru", 4), ("batch_norm", 4), ("layer_norm", 4), ("linear", 1)), seed: 4);
        byte[] model = OnnxExporter.ToBytes(network);

        Assert.Equal(
            new[] { "Transpose", "MatMul", "Add", "Relu", "Transpose", "GRU", "Squeeze", "Transpose", "BatchNormalization", "Transpose", "LayerNormalization", "Transpose", "MatMul", "Add", "Transpose" },
            OnnxModelReader.Operators(model));
        Assert.Equal((OnnxExporter.LayerNormalizationIrVersion, OnnxExporter.LayerNormalizationOpsetVersion), OnnxModelReader.Versions(model));
        using var session = new InferenceSession(model);
        Assert.Equal(new[] { -1, -1, 1 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        float[] inputs = SaveLoadTests.Inputs(2, 2 * 9, seed: 1);
        double[] expected = RecurrentReference.Forward(network.Architecture, network.Parameters, network.State, inputs, 2, 9);
        float[] actual = Run(session, inputs, 2, 9, 2).Values;
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= Relative * expected.Max(Math.Abs), $"reference {pair.First:R}, ONNX Runtime {pair.Second:R}"));
    }

    private static (float[] Values, int[] Dimensions) Run(InferenceSession session, float[] inputs, int examples, int steps, int features)
    {
        var tensor = new DenseTensor<float>(inputs, [examples, steps, features]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        Tensor<float> result = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>();
        return (result.ToArray(), result.Dimensions.ToArray());
    }
}
