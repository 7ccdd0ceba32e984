using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using NnGen.Onnx;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Networks with batch norm, layer norm and dropout exported to ONNX run in ONNX Runtime and agree with the float64
/// reference (<see cref="LayerKindsReference"/>) within |onnx − reference| ≤ 1e-5·(1 + |reference|) per output: ONNX
/// Runtime computes in float32 (~1e-7 relative per operation, a few dozen operations deep here), and any wrong tensor,
/// epsilon, axis or a dropout left in changes outputs by far more than 1e-5.
/// </summary>
public sealed class OnnxLayerKindsTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Networks => new() { "bn", "ln", "dropout", "fashion" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Export_LayerKinds_RunInOnnxRuntime_MatchTheDoubleReference(string name)
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf(name), seed: 3);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));

        double worst = 0;
        foreach (int examples in new[] { 1, 7, 300 })
        {
            float[] inputs = SaveLoadTests.Inputs(network.InputSize, examples, seed: examples);
            double[] expected = LayerKindsReference.Forward(network.Architecture, network.Parameters, network.State, inputs, examples);
            float[] actual = OnnxExportTests.Run(session, inputs, examples, network.InputSize);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = Math.Abs(actual[i] - expected[i]);
                Assert.True(difference <= Tolerance * (1 + Math.Abs(expected[i])), $"{name}, {examples} examples: output {i}: ONNX Runtime {actual[i]:R}, reference {expected[i]:R}.");
                worst = Math.Max(worst, difference / (1 + Math.Abs(expected[i])));
            }
        }

        output.WriteLine($"{name}: largest |onnx - reference| / (1 + |reference|) = {worst:E2}");
    }

    [Fact]
    public void Export_Fashion_NodesInitializersAndOpset()
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("fashion"), seed: 3);
        byte[] model = OnnxExporter.ToBytes(network);

        List<string> operators = OnnxModelReader.Operators(model);
        Assert.Equal(new[] { "Gemm", "Relu", "BatchNormalization", "Gemm", "Relu", "LayerNormalization", "Gemm", "Softmax" }, operators);
        Assert.Equal(
            new[] { "W1", "b1", "gamma2", "beta2", "running_mean2", "running_var2", "W4", "b4", "gamma5", "beta5", "W6", "b6" },
            OnnxModelReader.Initializers(model));
        Assert.Equal((OnnxExporter.LayerNormalizationIrVersion, OnnxExporter.LayerNormalizationOpsetVersion), OnnxModelReader.Versions(model));
        using var session = new InferenceSession(model);
        Assert.Equal("12,10,10,10,8,8,4", session.ModelMetadata.CustomMetadataMap["nngen.layer_sizes"]);
        Assert.Equal(
            "dense,batch_norm(epsilon=1E-05 momentum=0.1),dropout(rate=0.2),dense,layer_norm(epsilon=1E-05),dense",
            session.ModelMetadata.CustomMetadataMap[WeightsFile.LayersKey]);
    }

    [Fact]
    public void Export_WithoutLayerNorm_KeepsOpset13()
    {
        Assert.Equal((OnnxExporter.IrVersion, OnnxExporter.OpsetVersion), OnnxModelReader.Versions(OnnxExporter.ToBytes(new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1))));
        Assert.Equal((OnnxExporter.IrVersion, OnnxExporter.OpsetVersion), OnnxModelReader.Versions(OnnxExporter.ToBytes(new PlanarNet(seed: 1))));
    }

    [Fact]
    public void Export_NonFiniteRunningVariance_Refused()
    {
        var network = new LayerKindsNetwork(LayerKindsNetwork.ArchitectureOf("bn"), seed: 1);
        network.State[8] = float.PositiveInfinity;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => OnnxExporter.ToBytes(network));

        Assert.Equal("BatchNormNet: state value 8 is Infinity; a network with non-finite running statistics (diverged?) is not exported.", error.Message);
    }

    /// <summary>Just enough of the ONNX protobuf to list what the exporter wrote (field numbers are onnx.proto3's).</summary>
    internal static class OnnxModelReader
    {
        public static List<string> Operators(byte[] model) =>
            Fields(Single(model, 7)).Where(f => f.Number == 1).Select(f => Strings(f.Bytes!, 4).Single()).ToList();

        public static List<string> Initializers(byte[] model) =>
            Fields(Single(model, 7)).Where(f => f.Number == 5).Select(f => Strings(f.Bytes!, 8).Single()).ToList();

        public static (long Ir, long Opset) Versions(byte[] model) =>
            (Fields(model).Single(f => f.Number == 1).Value, Fields(Single(model, 8)).Single(f => f.Number == 2).Value);

        private static byte[] Single(byte[] message, int number) => Fields(message).Single(f => f.Number == number).Bytes!;

        private static IEnumerable<string> Strings(byte[] message, int number) =>
            Fields(message).Where(f => f.Number == number).Select(f => System.Text.Encoding.UTF8.GetString(f.Bytes!));

        private static List<(int Number, long Value, byte[]? Bytes)> Fields(byte[] message)
        {
            var fields = new List<(int, long, byte[]?)>();
            int position = 0;
            while (position < message.Length)
            {
                long tag = Varint(message, ref position);
                int number = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        fields.Add((number, Varint(message, ref position), null));
                        break;
                    case 2:
                        int length = (int)Varint(message, ref position);
                        fields.Add((number, 0, message.AsSpan(position, length).ToArray()));
                        position += length;
                        break;
                    case 5:
                        position += 4;
                        break;
                    default:
                        throw new InvalidOperationException($"Wire type {tag & 7} is not written by the exporter.");
                }
            }

            return fields;
        }

        private static long Varint(byte[] message, ref int position)
        {
            long value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[position++];
                value |= (long)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}
