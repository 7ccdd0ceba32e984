using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Snapshots;

/// <summary>
/// The generated source of representative declarations, compared with the baselines in Baselines/&lt;Scenario&gt;/, so a
/// reviewer sees every change to the emitted code as a diff. Re-accept with NNGEN_ACCEPT_BASELINES=1 (see README.md).
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void PlanarNet_FileScopedNamespace_MatchesBaseline()
    {
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Inputs = 2)]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class PlanarNet { }
            """;

        Snapshot.Verify("FileScopedNamespace", GeneratorHarness.Run(source).Result);
    }

    [Fact]
    public void Network_NestedInPartialClasses_MatchesBaseline()
    {
        const string source = """
            using NnGen;

            namespace Demo.Nested
            {
                public partial class Outer
                {
                    internal partial class Inner
                    {
                        [Network(Inputs = 3)]
                        [Layer(2, Activation.ReLU)]
                        [Layer(1, Activation.Linear)]
                        partial class Net { }
                    }
                }
            }
            """;

        Snapshot.Verify("NestedTypes", GeneratorHarness.Run(source).Result);
    }

    [Fact]
    public void Network_GlobalNamespace_MatchesBaseline()
    {
        const string source = """
            using NnGen;

            [Network(Inputs = 2)]
            [Layer(3, Activation.LeakyReLU)]
            [Layer(1, Activation.Sigmoid)]
            public partial class GlobalNet { }
            """;

        Snapshot.Verify("GlobalNamespace", GeneratorHarness.Run(source).Result);
    }

    [Fact]
    public void LogisticRegression_SingleSigmoidLayer_MatchesBaseline()
    {
        Snapshot.Verify("LogisticRegression", GeneratorHarness.Run(TestArchitecture.Logistic.Source()).Result);
    }

    [Fact]
    public void MultiOutput_ReLULeakyReLULinear_MatchesBaseline()
    {
        Snapshot.Verify("MultiOutputLinear", GeneratorHarness.Run(TestArchitecture.MultiOutputLinear.Source()).Result);
    }

    [Fact]
    public void MultiOutput_LeakyReLUTanhSigmoid_MatchesBaseline()
    {
        Snapshot.Verify("MultiOutputSigmoid", GeneratorHarness.Run(TestArchitecture.MultiOutputSigmoid.Source()).Result);
    }

    [Fact]
    public void DeepCatNetwork_KernelPath_MatchesBaseline()
    {
        Snapshot.Verify("KernelDeep", GeneratorHarness.Run(TestArchitecture.Deep.Source()).Result);
    }

    [Fact]
    public void MediumNetwork_KernelPathWithMatVecOutput_MatchesBaseline()
    {
        Snapshot.Verify("KernelMedium", GeneratorHarness.Run(TestArchitecture.Medium.Source()).Result);
    }

    [Fact]
    public void WideFanInNetwork_TinyBatchesMatVecFirstLayer_MatchesBaseline()
    {
        Snapshot.Verify("TinyWideFanIn", GeneratorHarness.Run(TestArchitecture.FanIn.Source()).Result);
    }

    [Fact]
    public void MixedNetwork_KernelBatchesUnrolledSmallLayers_MatchesBaseline()
    {
        Snapshot.Verify("KernelMixed", GeneratorHarness.Run(TestArchitecture.Mixed.Source()).Result);
    }

    [Fact]
    public void SoftmaxNetwork_TinyPath_MatchesBaseline()
    {
        Snapshot.Verify("SoftmaxTiny", GeneratorHarness.Run(TestArchitecture.SoftmaxTiny.Source()).Result);
    }

    [Fact]
    public void SoftmaxNetwork_KernelPath_MatchesBaseline()
    {
        Snapshot.Verify("SoftmaxKernel", GeneratorHarness.Run(TestArchitecture.SoftmaxKernel.Source()).Result);
    }

    [Fact]
    public void LayerKinds_BatchNormDropoutLayerNorm_MatchesBaseline()
    {
        // Every kind beyond dense on the kernel strategy (the only one they take), with a first layer of another kind.
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Inputs = 6)]
            [Dense(8, Activation.ReLU)]
            [BatchNorm]
            [Dropout(0.2)]
            [Dense(4, Activation.Tanh)]
            [LayerNorm]
            [Dense(3, Activation.Softmax)]
            public partial class LayerKindsNet { }

            [Network(Inputs = 4)]
            [BatchNorm(Momentum = 0.3, Epsilon = 1e-3)]
            [Dropout(0.1)]
            [Dense(1, Activation.Sigmoid)]
            public partial class InputNormNet { }
            """;

        Snapshot.Verify("LayerKinds", GeneratorHarness.Run(source).Result);
    }

    [Fact]
    public void Recurrent_LstmAmpAndStackedGruClassifier_MatchesBaseline()
    {
        // The streaming amp shape (one sample in and out) and a stacked many-to-one network with a dense layer first.
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Inputs = 1)]
            [Lstm(16)]
            [Dense(1, Activation.Linear)]
            public partial class AmpNet;

            [Network(Inputs = 3)]
            [Dense(4, Activation.Tanh)]
            [Gru(8)]
            [Gru(6, ReturnSequences = false)]
            [Dense(2, Activation.Softmax)]
            public partial class GruClassifierNet;
            """;

        Snapshot.Verify("Recurrent", GeneratorHarness.Run(source).Result);
    }

    [Fact]
    public void Convolutional_LeNetAndOneDimensionalNet_MatchBaseline()
    {
        // LeNet-5 as the issue declares it, and a 1-D network with same and causal padding, dilation, groups, a pool
        // first in neither and global average pooling.
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Input = new[] { 1, 28, 28 })]
            [Conv2D(6, Kernel = 5, Padding = 2, Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Conv2D(16, Kernel = 5, Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(120, Activation.ReLU)]
            [Dense(84, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class LeNet5;

            [Network(Input = new[] { 2, 32 })]
            [Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Same, Activation = Activation.Tanh)]
            [Conv1D(8, Kernel = 3, Dilation = 2, Groups = 2, PaddingMode = PaddingMode.Causal)]
            [AvgPool1D(2)]
            [GlobalAvgPool]
            [Dense(1, Activation.Sigmoid)]
            public partial class SignalNet;
            """;

        Snapshot.Verify("Convolutional", GeneratorHarness.Run(source).Result);
    }
}
