using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NnGen.Onnx;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Exported models run in ONNX Runtime and agree with NnGen. Tolerance: |onnx − nngen| ≤ 1e-5 + 1e-5·|nngen| per
/// output. Both compute in float32, but NnGen's vectorized tanh, sigmoid and exp are approximations (a few ulp) and the
/// sums run in another order, so bit equality is not expected; 1e-5 is ~100 ulp at 1.0, far above those effects and far
/// below any wrong weight, transposition or activation (each of which changes outputs in the first or second decimal).
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Networks => new()
    {
        "PlanarNet", "LogisticRegression", "MixedNet", "RegressionNet", "DeepCatNet", "TinyLinearNet", "MediumNet", "TorchClassifier", "TorchRegressor", "SoftmaxNet",
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Export_RunInOnnxRuntime_MatchesNnGenForBatchesOfOneAndMany(string name)
    {
        ISerializableNetwork network = SaveLoadTests.Randomized(SaveLoadTests.Create(name, seed: 1), seed: 31);
        byte[] model = OnnxExporter.ToBytes(network);
        using var session = new InferenceSession(model);

        Assert.Equal(OnnxExporter.InputName, session.InputMetadata.Keys.Single());
        Assert.Equal(new[] { -1, network.InputSize }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
        Assert.Equal(new[] { -1, network.OutputSize }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        Assert.Equal(string.Join(",", network.Architecture.LayerSizes), session.ModelMetadata.CustomMetadataMap["nngen.layer_sizes"]);

        double worst = 0;
        foreach (int examples in new[] { 1, 7, 300 })
        {
            float[] inputs = SaveLoadTests.Inputs(network.InputSize, examples, seed: examples);
            float[] expected = SaveLoadTests.Predict(network, inputs);
            float[] actual = Run(session, inputs, examples, network.InputSize);
            worst = Math.Max(worst, Compare(expected, actual, name));
        }

        output.WriteLine($"{name}: largest |onnx - nngen| / (1 + |nngen|) = {worst:E2}");
    }

    [Fact]
    public void Export_Softmax_RunsAsSoftmaxOverTheLastAxis()
    {
        // Besides the generated SoftmaxNet: a network whose forward pass is double-precision loops, an independent reference.
        var network = new ReferenceNetwork([4, 6, 3], [Activation.ReLU, Activation.Softmax], seed: 5);
        using var session = new InferenceSession(OnnxExporter.ToBytes(network));
        float[] inputs = SaveLoadTests.Inputs(4, examples: 9, seed: 2);

        float[] actual = Run(session, inputs, 9, 4);

        Compare(SaveLoadTests.Predict(network, inputs), actual, "softmax");
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(1.0, actual.AsSpan(i * 3, 3).ToArray().Sum(), 5);
        }
    }

    [Fact]
    public void Export_ToFile_WritesTheSameModelAsToBytes()
    {
        var network = new PlanarNet(seed: 2);
        string path = Path.Combine(Path.GetTempPath(), "nngen-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            OnnxExporter.Export(network, path);
            Assert.Equal(OnnxExporter.ToBytes(network), File.ReadAllBytes(path));
            using var session = new InferenceSession(path);
            Assert.Equal("NnGen", session.ModelMetadata.ProducerName);
            Assert.Equal("2,4,1", session.ModelMetadata.CustomMetadataMap["nngen.layer_sizes"]);
            Assert.Equal("tanh,sigmoid", session.ModelMetadata.CustomMetadataMap["nngen.activations"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Export_DivergedNetwork_Refused()
    {
        var network = new PlanarNet();
        network.b1[2] = float.NaN;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => OnnxExporter.ToBytes(network));

        Assert.Equal("PlanarNet: parameter 10 is NaN; a network with non-finite parameters (diverged?) is not exported.", error.Message);
    }

    internal static float[] Run(InferenceSession session, float[] inputs, int examples, int inputSize)
    {
        var tensor = new DenseTensor<float>(inputs, [examples, inputSize]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        return results.Single(r => r.Name == OnnxExporter.OutputName).AsEnumerable<float>().ToArray();
    }

    private static double Compare(float[] expected, float[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(difference <= Tolerance * (1 + Math.Abs(expected[i])), $"{name}: output {i}: ONNX Runtime {actual[i]:R}, NnGen {expected[i]:R}.");
            worst = Math.Max(worst, difference / (1 + Math.Abs(expected[i])));
        }

        return worst;
    }

    /// <summary>A network whose forward pass is plain double-precision loops, for activations the generator does not emit yet.</summary>
    private sealed class ReferenceNetwork : ISerializableNetwork
    {
        private readonly float[] _parameters;

        public ReferenceNetwork(int[] sizes, Activation[] activations, int seed)
        {
            Architecture = new NetworkArchitecture("ReferenceNet", sizes, activations, activations[^1] == Activation.Softmax ? Loss.CategoricalCrossEntropy : Loss.MeanSquaredError);
            _parameters = new float[Architecture.ParameterCount];
            var random = new NumPyRandom(seed);
            for (int i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = (float)random.NextGaussian();
            }
        }

        public NetworkArchitecture Architecture { get; }

        public string Name => Architecture.Name;

        public int InputSize => Architecture.InputSize;

        public int OutputSize => Architecture.OutputSize;

        public int ParameterCount => _parameters.Length;

        public Loss Loss => Architecture.Loss;

        public Activation OutputActivation => Architecture.Activations[^1];

        public Span<float> Parameters => _parameters;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace) =>
            throw new NotSupportedException("Inference only.");

        public void Predict(ReadOnlySpan<float> x, Span<float> y)
        {
            double[] a = x.ToArray().Select(v => (double)v).ToArray();
            for (int l = 1; l <= Architecture.LayerCount; l++)
            {
                int units = Architecture.UnitsOf(l), inputs = Architecture.InputsOf(l);
                double[] z = new double[units];
                for (int j = 0; j < units; j++)
                {
                    z[j] = _parameters[Architecture.BiasOffset(l) + j];
                    for (int k = 0; k < inputs; k++)
                    {
                        z[j] += _parameters[Architecture.WeightOffset(l) + (j * inputs) + k] * a[k];
                    }
                }

                a = Architecture.Activations[l - 1] switch
                {
                    Activation.ReLU => z.Select(v => Math.Max(0, v)).ToArray(),
                    Activation.Softmax => z.Select(v => Math.Exp(v - z.Max())).ToArray() is var e ? e.Select(v => v / e.Sum()).ToArray() : z,
                    _ => throw new NotSupportedException(),
                };
            }

            for (int j = 0; j < y.Length; j++)
            {
                y[j] = (float)a[j];
            }
        }

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            for (int i = 0; i < inputs.Length / InputSize; i++)
            {
                Predict(inputs.Slice(i * InputSize, InputSize), outputs.Slice(i * OutputSize, OutputSize));
            }
        }
    }
}
