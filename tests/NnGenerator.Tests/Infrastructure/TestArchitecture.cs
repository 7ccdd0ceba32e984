using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace NnGen.Generator.Tests.Infrastructure;

/// <summary>One dense layer of a test network, with the runtime's enums so the reference and the source agree by construction.</summary>
internal readonly record struct TestLayer(int Units, Activation Activation, Init Init = Init.Default);

/// <summary>
/// A network declaration used by several kinds of tests: it writes its own C# source (the user's side of the partial
/// class) and knows its expected sizes, so the compile-and-run, snapshot and warning tests share one catalogue.
/// </summary>
internal sealed record TestArchitecture(string Name, int Inputs, TestLayer[] Layers, Loss Loss = Loss.Default, Init Init = Init.Default)
{
    /// <summary>The namespace every catalogue network is declared in.</summary>
    public const string Namespace = "NnGenTests.Run";

    /// <summary>[2, 4, 1] tanh / sigmoid: the course's planar-data network.</summary>
    public static TestArchitecture Planar { get; } =
        new("PlanarNet", 2, [new(4, Activation.Tanh), new(1, Activation.Sigmoid)]);

    /// <summary>[2, 1] sigmoid: logistic regression.</summary>
    public static TestArchitecture Logistic { get; } =
        new("LogisticNet", 2, [new(1, Activation.Sigmoid)]);

    /// <summary>[3, 5, 5, 2] ReLU / leaky ReLU / linear: multi-output regression (MSE by default).</summary>
    public static TestArchitecture MultiOutputLinear { get; } =
        new("MultiOutputLinearNet", 3, [new(5, Activation.ReLU), new(5, Activation.LeakyReLU), new(2, Activation.Linear)]);

    /// <summary>[3, 5, 5, 2] leaky ReLU / tanh / sigmoid: two sigmoid outputs (BCE by default, labels transposed inside).</summary>
    public static TestArchitecture MultiOutputSigmoid { get; } =
        new("MultiOutputSigmoidNet", 3, [new(5, Activation.LeakyReLU), new(5, Activation.Tanh), new(2, Activation.Sigmoid)]);

    /// <summary>[12288, 20, 7, 5, 1] ReLU×3 / sigmoid: the course's cat classifier (64×64×3 images).</summary>
    public static TestArchitecture Deep { get; } =
        new("DeepNet", 12288, [new(20, Activation.ReLU), new(7, Activation.ReLU), new(5, Activation.ReLU), new(1, Activation.Sigmoid)]);

    /// <summary>[5, 8, 8, 1] ReLU / leaky ReLU / sigmoid.</summary>
    public static TestArchitecture ReLUStack { get; } =
        new("ReLUStackNet", 5, [new(8, Activation.ReLU), new(8, Activation.LeakyReLU), new(1, Activation.Sigmoid)]);

    /// <summary>[3, 4, 2] tanh / linear: MSE by default, the second canonical dZ = A - Y case.</summary>
    public static TestArchitecture TanhLinear { get; } =
        new("TanhLinearNet", 3, [new(4, Activation.Tanh), new(2, Activation.Linear)]);

    /// <summary>[3, 5, 5, 2] ReLU / leaky ReLU / tanh: MSE after a tanh output, so dZ = (A - Y)(1 - A²) is not canonical.</summary>
    public static TestArchitecture TanhOutputMse { get; } =
        new("TanhOutputNet", 3, [new(5, Activation.ReLU), new(5, Activation.LeakyReLU), new(2, Activation.Tanh)]);

    /// <summary>[2, 3, 1] sigmoid / sigmoid with an explicit MSE: dZ = (A - Y) A (1 - A).</summary>
    public static TestArchitecture SigmoidMse { get; } =
        new("SigmoidMseNet", 2, [new(3, Activation.Sigmoid), new(1, Activation.Sigmoid)], Loss.MeanSquaredError);

    /// <summary>
    /// [2, 3, 1] tanh / ReLU with an explicit cross-entropy: the non-canonical output delta
    /// dZ = dA · g'(A) with dA = (a - y) / (a (1 - a)). Test parameters keep the output inside (0, 1) (see TestData).
    /// </summary>
    public static TestArchitecture BceReLUOutput { get; } =
        new("BceReLUOutputNet", 2, [new(3, Activation.Tanh), new(1, Activation.ReLU)], Loss.BinaryCrossEntropy);

    /// <summary>
    /// [3, 16500, 1] tanh / sigmoid: one hidden layer wider than the 16 Ki floats of stack scratch, so single-example
    /// prediction and batch chunks rent their scratch from the ArrayPool (whose arrays arrive dirty).
    /// </summary>
    public static TestArchitecture Wide { get; } =
        new("WideNet", 3, [new(16_500, Activation.Tanh), new(1, Activation.Sigmoid)]);

    /// <summary>
    /// [16, 64, 64, 1] ReLU / ReLU / sigmoid: medium layers. One example goes through the fused MatVec kernel for
    /// every layer, the 64 → 1 output included (64 weights, but 64 inputs: too many to unroll).
    /// </summary>
    public static TestArchitecture Medium { get; } =
        new("MediumNet", 16, [new(64, Activation.ReLU), new(64, Activation.ReLU), new(1, Activation.Sigmoid)]);

    /// <summary>
    /// [20, 3, 1] tanh / sigmoid: a tiny network (batches take the fused pass) whose first layer has too many inputs
    /// to unroll for one example, so that path mixes a MatVec layer with an unrolled one.
    /// </summary>
    public static TestArchitecture FanIn { get; } =
        new("FanInNet", 20, [new(3, Activation.Tanh), new(1, Activation.Sigmoid)]);

    /// <summary>
    /// [12, 6, 4, 1] tanh / ReLU / sigmoid: too many parameters for the fused tiny pass (layer 1 has 72 weights), so
    /// batches and training go through the GEMM kernels, while one example mixes a MatVec layer 1 with unrolled
    /// layers 2 and 3.
    /// </summary>
    public static TestArchitecture Mixed { get; } =
        new("MixedNet", 12, [new(6, Activation.Tanh), new(4, Activation.ReLU), new(1, Activation.Sigmoid)]);

    /// <summary>[4, 5, 3] tanh / softmax: three classes through the fused tiny pass (categorical cross-entropy by default).</summary>
    public static TestArchitecture SoftmaxTiny { get; } =
        new("SoftmaxTinyNet", 4, [new(5, Activation.Tanh), new(3, Activation.Softmax)]);

    /// <summary>[20, 32, 10] ReLU / softmax: ten classes through the GEMM kernels and the runtime's softmax kernel.</summary>
    public static TestArchitecture SoftmaxKernel { get; } =
        new("SoftmaxKernelNet", 20, [new(32, Activation.ReLU), new(10, Activation.Softmax)]);

    /// <summary>[12, 6, 3] tanh / softmax: kernel batches (72 weights in layer 1), an unrolled softmax output for one example.</summary>
    public static TestArchitecture SoftmaxMixed { get; } =
        new("SoftmaxMixedNet", 12, [new(6, Activation.Tanh), new(3, Activation.Softmax)]);

    /// <summary>[3, 4, 3, 2, 1] with a network Init and per-layer overrides: Zeros, Scaled (network's), Xavier, He.</summary>
    public static TestArchitecture InitOverrides { get; } =
        new(
            "InitOverridesNet",
            3,
            [new(4, Activation.ReLU, Init.Zeros), new(3, Activation.Tanh), new(2, Activation.LeakyReLU, Init.Xavier), new(1, Activation.Sigmoid, Init.He)],
            Init: Init.Scaled);

    /// <summary>Every catalogue network (each activation and each loss appears at least once).</summary>
    public static IReadOnlyList<TestArchitecture> All { get; } =
        [Planar, Logistic, MultiOutputLinear, MultiOutputSigmoid, Deep, ReLUStack, TanhLinear, TanhOutputMse, SigmoidMse, Wide, InitOverrides, BceReLUOutput, Medium, FanIn, Mixed, SoftmaxTiny, SoftmaxKernel, SoftmaxMixed];

    /// <summary>The Init a layer is drawn with: its own, else the network's, else the activation's default (the runtime's rule).</summary>
    public Init ResolvedInit(int layer) =>
        ParameterInitializer.Resolve(Layers[layer - 1].Init != Init.Default ? Layers[layer - 1].Init : Init, Layers[layer - 1].Activation);

    public int OutputSize => Layers[^1].Units;

    /// <summary>The loss the network trains with: the declared one, or BCE after a sigmoid output and MSE otherwise.</summary>
    public Loss ResolvedLoss => Loss != Loss.Default ? Loss
        : Layers[^1].Activation == Activation.Sigmoid ? Loss.BinaryCrossEntropy
        : Layers[^1].Activation == Activation.Softmax ? Loss.CategoricalCrossEntropy
        : Loss.MeanSquaredError;

    /// <summary>n[l] for l = 0..L.</summary>
    public int[] Sizes => [Inputs, .. Layers.Select(layer => layer.Units)];

    public int ParameterCount => Enumerable.Range(1, Layers.Length).Sum(l => (Sizes[l] * Sizes[l - 1]) + Sizes[l]);

    /// <summary>Where W[l] (1-based) starts in the parameter buffer: W1, b1, W2, b2, … contiguous.</summary>
    public int WeightOffset(int l) => Enumerable.Range(1, l - 1).Sum(k => (Sizes[k] * Sizes[k - 1]) + Sizes[k]);

    public int BiasOffset(int l) => WeightOffset(l) + (Sizes[l] * Sizes[l - 1]);

    public string FullName => Namespace + "." + Name;

    /// <summary>The attributes and the empty partial class, in a file-scoped namespace.</summary>
    public string Source(bool withProbe = false)
    {
        var source = new StringBuilder();
        source.Append("using NnGen;\n\nnamespace ").Append(Namespace).Append(";\n\n");
        source.Append(Declaration());
        if (withProbe)
        {
            source.Append('\n').Append(Probe());
        }

        return source.ToString();
    }

    /// <summary>Only the attributed declaration, for tests that wrap it in their own namespace.</summary>
    public string Declaration()
    {
        var source = new StringBuilder();
        source.Append("[Network(Inputs = ").Append(Inputs);
        if (Loss != Loss.Default)
        {
            source.Append(", Loss = Loss.").Append(Loss);
        }

        if (Init != Init.Default)
        {
            source.Append(", Init = Init.").Append(Init);
        }

        source.Append(")]\n");
        foreach (TestLayer layer in Layers)
        {
            source.Append("[Layer(").Append(layer.Units).Append(", Activation.").Append(layer.Activation);
            if (layer.Init != Init.Default)
            {
                source.Append(", Init = Init.").Append(layer.Init);
            }

            source.Append(")]\n");
        }

        source.Append("public partial class ").Append(Name).Append(" { }\n");
        return source.ToString();
    }

    /// <summary>
    /// A static class compiled beside the network that reaches its typed surface (Input/Output, Gradients), which
    /// reflection cannot call directly because spans and inline arrays are by-ref-like or generic-free structs.
    /// </summary>
    public string Probe() =>
        $$"""
        /// <summary>Test access to the typed API of {{Name}}.</summary>
        public static class {{Name}}Probe
        {
            /// <summary>Predict(in Input) with arrays.</summary>
            public static float[] Typed({{Name}} network, float[] x)
            {
                {{Name}}.Input input = default;
                for (int i = 0; i < {{Name}}.InputSize; i++)
                {
                    input[i] = x[i];
                }

                {{Name}}.Output output = network.Predict(in input);
                float[] y = new float[{{Name}}.OutputSize];
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = output[i];
                }

                return y;
            }

            /// <summary>The typed ComputeGradients with arrays; returns the cost and copies the gradients out.</summary>
            public static float TypedGradients({{Name}} network, float[] inputs, float[] labels, float[] gradients)
            {
                var typed = new {{Name}}.Gradients();
                float cost = network.ComputeGradients(inputs, labels, typed);
                typed.Values.CopyTo(gradients);
                return cost;
            }
        }
        """;
}
