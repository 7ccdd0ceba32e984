using System;
using System.Linq;
using System.Threading;
using NnGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>
/// The generated forward passes, compiled and run, against <see cref="ReferenceNetwork"/> in double precision with
/// random parameters: max relative error (|a - r| / max(|r|, 1e-3)) at most 1e-5.
/// </summary>
public sealed class ForwardTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly string[] Names =
    [
        TestArchitecture.Planar.Name,
        TestArchitecture.Logistic.Name,
        TestArchitecture.MultiOutputLinear.Name,
        TestArchitecture.MultiOutputSigmoid.Name,
        TestArchitecture.Deep.Name,
        TestArchitecture.Wide.Name,
        TestArchitecture.Medium.Name,
        TestArchitecture.FanIn.Name,
        TestArchitecture.Mixed.Name,
        TestArchitecture.SoftmaxTiny.Name,
        TestArchitecture.SoftmaxKernel.Name,
        TestArchitecture.SoftmaxMixed.Name,
    ];

    public static TheoryData<string> Architectures => new(Names);

    public static TheoryData<string, int> BatchSizes
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string name in Names)
            {
                // 300 is more than one inference chunk (at most 256 examples), so the chunk loop and its tail run.
                foreach (int m in new[] { 1, 7, 300 })
                {
                    data.Add(name, m);
                }
            }

            return data;
        }
    }

    internal static TestArchitecture Find(string name) => TestArchitecture.All.Single(architecture => architecture.Name == name);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Predict_SpanOverload_MatchesReference(string name)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        float[] inputs = TestData.Inputs(compiled.Architecture, 5, seed: 11);
        double worst = 0;
        for (int i = 0; i < 5; i++)
        {
            float[] x = inputs.AsSpan(i * network.InputSize, network.InputSize).ToArray();
            var y = new float[network.OutputSize];
            network.Predict(x, y);
            worst = Math.Max(worst, NumericAssert.Close(reference.Predict(x), y, Tolerance, $"{name}.Predict(span, span), example {i}"));
        }

        output.WriteLine($"{name} Predict(span): max relative error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void PredictBatch_BatchOfM_MatchesReferenceRowByRow(string name, int m)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        float[] inputs = TestData.Inputs(compiled.Architecture, m, seed: 12 + m);
        float[] outputs = new float[m * network.OutputSize];
        Array.Fill(outputs, float.NaN);

        network.PredictBatch(inputs, outputs);

        double[] expected = Enumerable.Range(0, m)
            .SelectMany(i => reference.Predict(inputs.AsSpan(i * network.InputSize, network.InputSize)))
            .ToArray();
        double worst = NumericAssert.Close(expected, outputs, Tolerance, $"{name}.PredictBatch, m = {m}");
        output.WriteLine($"{name} PredictBatch m={m}: max relative error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Predict_TypedInputOverload_MatchesReference(string name)
    {
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        float[] inputs = TestData.Inputs(compiled.Architecture, 3, seed: 13);
        for (int i = 0; i < 3; i++)
        {
            float[] x = inputs.AsSpan(i * network.InputSize, network.InputSize).ToArray();
            float[] y = compiled.PredictTyped(network, x);
            NumericAssert.Close(reference.Predict(x), y, Tolerance, $"{name}.Predict(in Input), example {i}");
        }
    }

    [Theory]
    [InlineData("PlanarNet")]
    [InlineData("WideNet")]
    public void PredictBatch_ManyThreadsOnOneNetwork_EachMatchesReference(string name)
    {
        // Documented as safe to call from many threads at once: scratch is per call (stack or pool), never shared.
        (CompiledNetwork compiled, ITrainableNetwork network, ReferenceNetwork reference) = Setup(name);
        const int Threads = 8;
        const int M = 40;
        float[][] inputs = Enumerable.Range(0, Threads).Select(t => TestData.Inputs(compiled.Architecture, M, seed: 100 + t)).ToArray();
        float[][] outputs = Enumerable.Range(0, Threads).Select(_ => new float[M * network.OutputSize]).ToArray();
        float[][] singles = Enumerable.Range(0, Threads).Select(_ => new float[M * network.OutputSize]).ToArray();

        using var start = new Barrier(Threads);
        System.Threading.Tasks.Parallel.For(0, Threads, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            for (int repeat = 0; repeat < 5; repeat++)
            {
                network.PredictBatch(inputs[t], outputs[t]);
                for (int i = 0; i < M; i++)
                {
                    network.Predict(inputs[t].AsSpan(i * network.InputSize, network.InputSize), singles[t].AsSpan(i * network.OutputSize, network.OutputSize));
                }
            }
        });

        for (int t = 0; t < Threads; t++)
        {
            float[] x = inputs[t];
            double[] expected = Enumerable.Range(0, M).SelectMany(i => reference.Predict(x.AsSpan(i * network.InputSize, network.InputSize))).ToArray();
            NumericAssert.Close(expected, outputs[t], Tolerance, $"{name}.PredictBatch on thread {t}");
            NumericAssert.Close(expected, singles[t], Tolerance, $"{name}.Predict on thread {t}");
        }
    }

    private static (CompiledNetwork Compiled, ITrainableNetwork Network, ReferenceNetwork Reference) Setup(string name)
    {
        CompiledNetwork compiled = CompiledNetwork.For(Find(name));
        ITrainableNetwork network = compiled.Create(seed: 1);
        double[] parameters = CompiledNetwork.SetParameters(network, TestData.Parameters(compiled.Architecture, seed: 7));
        return (compiled, network, new ReferenceNetwork(compiled.Architecture, parameters));
    }
}
