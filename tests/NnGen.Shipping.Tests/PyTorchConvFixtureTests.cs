using System;
using System.IO;
using System.Linq;
using NnGen.Kernels;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Convolutional nn.Sequential models exported from PyTorch by tools/pytorch/export_sequential.py (conv-fixture: the
/// weights, inputs (examples, C, H, W) or (examples, C, L) and PyTorch's eval-mode outputs in one file) load into the same
/// layers described in C#, under NnGen's names with the geometry in the metadata and as a bare state_dict, and the
/// double-precision reference on the loaded weights reproduces PyTorch's outputs within 1e-5·(1 + |output|). This also
/// ties <see cref="ConvReference"/> (the ONNX tests' oracle) to PyTorch: stride, padding (PyTorch's uneven 'same'),
/// dilation, groups, both pools and global average pooling. The checked-in fixtures always run;
/// <see cref="ExportScript_RunLive_WritesWhatLoadsDeclaresTheNetworkAndRefusesWhatItCannotMap"/> runs the script where
/// /usr/bin/python3 has torch.
/// </summary>
public sealed class PyTorchConvFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures => new() { "torch-conv2d.safetensors", "torch-conv1d-state-dict.safetensors" };

    /// <summary>conv-fixture --model conv2d: (2, 12, 11) -> Conv2d 4 k3 s2 p1 relu -> MaxPool2d 2 s1 -> Conv2d 6 k3 same d2 g2 tanh -> AvgPool2d 3 s1 p1 -> flatten -> 8 relu -> dropout -> 3 softmax.</summary>
    internal static NetworkArchitecture Conv2DModel(string name = "TorchConv2D") => new(
        name,
        new[] { 2, 12, 11 },
        [
            LayerDescription.Convolution(1, LayerKind.Conv2D, new ConvGeometry(2, 12, 11, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1), Activation.ReLU, 0),
            LayerDescription.Pooling(2, LayerKind.MaxPool2D, new PoolGeometry(4, 6, 6, 2, 2, 1, 1, 0, 0)),
            LayerDescription.Convolution(3, LayerKind.Conv2D, new ConvGeometry(4, 5, 5, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2), Activation.Tanh, 76),
            LayerDescription.Pooling(4, LayerKind.AvgPool2D, new PoolGeometry(6, 5, 5, 3, 3, 1, 1, 1, 1)),
            LayerDescription.Flatten(5, 6, 5, 5),
            LayerDescription.Dense(6, 150, 8, Activation.ReLU, 190),
            LayerDescription.Dropout(7, 8, 0.2f),
            LayerDescription.Dense(8, 8, 3, Activation.Softmax, 1398),
        ],
        Loss.CategoricalCrossEntropy);

    /// <summary>
    /// conv-fixture --model conv1d: (3, 40) -> Conv1d 8 k4 same (1 before, 2 after) leaky -> MaxPool1d 3 s2 p1 -> Conv1d 8 k3
    /// same d2 g4 sigmoid -> AvgPool1d 2 -> AdaptiveAvgPool1d(1) + Flatten -> 2 linear. <paramref name="padBefore"/> moves
    /// the first convolution's uneven padding, to show the comparison can fail.
    /// </summary>
    internal static NetworkArchitecture Conv1DModel(string name = "TorchConv1D", int padBefore = 1) => new(
        name,
        new[] { 3, 40 },
        [
            LayerDescription.Convolution(1, LayerKind.Conv1D, ConvGeometry.OneDimensional(3, 40, 8, 4, 1, padBefore, 3 - padBefore, 1, 1), Activation.LeakyReLU, 0),
            LayerDescription.Pooling(2, LayerKind.MaxPool1D, PoolGeometry.OneDimensional(8, 40, 3, 2, 1)),
            LayerDescription.Convolution(3, LayerKind.Conv1D, ConvGeometry.OneDimensional(8, 20, 8, 3, 1, 2, 2, 2, 4), Activation.Sigmoid, 104),
            LayerDescription.Pooling(4, LayerKind.AvgPool1D, PoolGeometry.OneDimensional(8, 20, 2, 2, 0)),
            LayerDescription.GlobalAvgPool(5, 8, 1, 10),
            LayerDescription.Dense(6, 8, 2, Activation.Linear, 160),
        ],
        Loss.MeanSquaredError);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void PyTorchExport_LoadedIntoTheSameLayers_ReferenceMatchesPyTorch(string fixture)
    {
        NetworkArchitecture architecture = fixture.Contains("conv2d", StringComparison.Ordinal) ? Conv2DModel() : Conv1DModel();

        double worst = Compare(architecture, Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture), examples: 5);

        output.WriteLine($"{fixture}: largest |reference - torch| / (1 + |torch|) = {worst:E2}");
    }

    [Fact]
    public void PyTorchExport_UnevenSamePaddingOnTheOtherSide_DoesNotMatch()
    {
        // The state_dict carries no geometry, so the weights load into a first convolution padded 2 before and 1 after
        // instead of PyTorch's 1 and 2; every output moves well beyond the tolerance.
        var network = new ConvNetwork(Conv1DModel(padBefore: 2), seed: 0);
        LoadedWeights loaded = WeightsFile.Load(network, Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch-conv1d-state-dict.safetensors"));

        Assert.True(Difference(network, loaded, 5, "fixture.outputs_f64") > 1e-3);
    }

    /// <summary>
    /// Runs the script: each model under both naming schemes loads and matches, the printed C# declaration is the
    /// contract's spelling, and models it cannot map are refused with a message naming the module and why.
    /// </summary>
    [TorchFact]
    public void ExportScript_RunLive_WritesWhatLoadsDeclaresTheNetworkAndRefusesWhatItCannotMap()
    {
        string directory = Repository.TestDirectory("nngen-conv-export");
        try
        {
            string script = Path.Combine(Repository.Root, "tools", "pytorch", "export_sequential.py");
            foreach ((string model, bool torchNames) in new[] { ("conv2d", false), ("conv2d", true), ("conv1d", false), ("conv1d", true) })
            {
                string path = Path.Combine(directory, $"{model}-{torchNames}.safetensors");
                string[] arguments = [script, "conv-fixture", path, "--model", model, "--examples", "4", "--seed", "7", "--name", "Live", .. (torchNames ? new[] { "--torch-names" } : [])];
                (int exit, string stdout, string stderr) = ProcessRunner.Run(TorchFactAttribute.Python, arguments, directory, TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"export_sequential.py {model}: exit {exit}\n{stdout}\n{stderr}");
                Compare(model == "conv2d" ? Conv2DModel("Live") : Conv1DModel("Live"), path, examples: 4);
                string declared = string.Join("\n", stdout.Split('\n').TakeWhile(line => !line.StartsWith("wrote ", StringComparison.Ordinal)).Select(line => line.TrimEnd()));
                Assert.Equal(
                    model == "conv2d"
                        ? """
                          [Network(Input = new[] { 2, 12, 11 })]
                          [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1, Activation = Activation.ReLU)]
                          [MaxPool2D(2, Stride = 1)]
                          [Conv2D(6, Kernel = 3, PaddingMode = PaddingMode.Same, Dilation = 2, Groups = 2, Activation = Activation.Tanh)]
                          [AvgPool2D(3, Stride = 1, Padding = 1)]
                          [Flatten]
                          [Dense(8, Activation.ReLU)]
                          [Dropout(0.2)]
                          [Dense(3, Activation.Softmax)]
                          public partial class Live;
                          """
                        : """
                          [Network(Input = new[] { 3, 40 })]
                          [Conv1D(8, Kernel = 4, PaddingMode = PaddingMode.Same, Activation = Activation.LeakyReLU)]
                          [MaxPool1D(3, Stride = 2, Padding = 1)]
                          [Conv1D(8, Kernel = 3, PaddingMode = PaddingMode.Same, Dilation = 2, Groups = 4, Activation = Activation.Sigmoid)]
                          [AvgPool1D(2)]
                          [GlobalAvgPool]
                          [Dense(2, Activation.Linear)]
                          public partial class Live;
                          """,
                    declared);
            }

            const string Refusals = """
                import sys
                sys.path.insert(0, sys.argv[1])
                from export_sequential import export_sequential
                from torch import nn

                cases = [
                    (nn.Sequential(nn.Conv2d(1, 2, (3, 5)), nn.Flatten(), nn.Linear(2 * 6 * 4, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(), nn.Linear(18, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.AvgPool2d(2, padding=1, count_include_pad=False), nn.Flatten(), nn.Linear(32, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(72, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv1d(2, 4, 3), nn.BatchNorm1d(4), nn.Flatten(), nn.Linear(24, 1)), (2, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3, bias=False), nn.Flatten(), nn.Linear(72, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"), nn.Flatten(), nn.Linear(128, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(8, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1), nn.Linear(1, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.Linear(3, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(72, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(18, 1)), (1, 8, 8)),
                    (nn.Sequential(nn.Conv1d(1, 2, 9), nn.Flatten(), nn.Linear(2, 1)), (1, 8)),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(72, 1)), None),
                    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.Softmax(dim=1), nn.Flatten(), nn.Linear(72, 1)), (1, 8, 8)),
                ]
                for model, shape in cases:
                    try:
                        export_sequential(model, sys.argv[2], input_shape=shape)
                        print("accepted")
                    except ValueError as error:
                        print(error)
                """;
            (int code, string refusals, string errors) = ProcessRunner.Run(
                TorchFactAttribute.Python, ["-c", Refusals, Path.GetDirectoryName(script)!, Path.Combine(directory, "refused.safetensors")], directory, TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"{refusals}\n{errors}");
            Assert.Equal(
                [
                    "module 0 (Conv2d): kernel_size=(3, 5) is not square; NnGen's Conv2D, Conv1D and pools take one kernel_size for every dimension",
                    "module 1 (MaxPool2d): ceil_mode=True is not supported; NnGen's pools drop a last partial window (ceil_mode=False)",
                    "module 1 (AvgPool2d): count_include_pad=False is not supported; NnGen's average counts the padding (PyTorch's default)",
                    "module 1 (BatchNorm2d): normalizes each channel over its positions; NnGen's batch norm normalizes each feature, so put BatchNorm1d after nn.Flatten()",
                    "module 1 (BatchNorm1d): normalizes each channel over its positions; NnGen's batch norm normalizes each feature, so put BatchNorm1d after nn.Flatten()",
                    "module 0 (Conv2d): bias=False is not supported (NnGen's convolutions have b)",
                    "module 0 (Conv2d): padding_mode='reflect'; NnGen pads with zeros",
                    "module 1 (AdaptiveAvgPool2d): output_size=2; NnGen's global average pooling is AdaptiveAvgPool(1)",
                    "module 1 (AdaptiveAvgPool2d): NnGen's GlobalAvgPool is AdaptiveAvgPool(1) followed by nn.Flatten(); put the Flatten right after it",
                    "module 2: expects 3 flat inputs, previous layer gives (2, 3, 3); put an nn.Flatten() before it",
                    "module 0 (Conv2d): expects 3 input channels, previous layer gives (1, 8, 8)",
                    "module 2 (ReLU) follows MaxPool2d 1: NnGen applies activations in dense and convolution layers only; put it right after a Linear or a Conv (Linear, ReLU, BatchNorm1d)",
                    "module 0 (Conv1d): kernel 9 (dilation 1, stride 1, padding 0) on (1, 8) leaves no output",
                    "module 0 (Conv2d): the input's shape is unknown; pass input_shape=(C, H, W) or (C, L)",
                    "module 1: softmax after a convolution; NnGen's softmax normalizes a dense output layer",
                ],
                refusals.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(File.Exists(Path.Combine(directory, "refused.safetensors")));
        }
        finally
        {
            Repository.DeleteQuietly(directory);
        }
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="architecture"/> and compares the reference with PyTorch's float32 and float64 outputs.</summary>
    private static double Compare(NetworkArchitecture architecture, string path, int examples)
    {
        var network = new ConvNetwork(architecture, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(network, path);
        double worst = 0;
        foreach (string reference in new[] { "fixture.outputs", "fixture.outputs_f64" })
        {
            double difference = Difference(network, loaded, examples, reference);
            Assert.True(difference <= Tolerance, $"{Path.GetFileName(path)}: the reference differs from {reference} by {difference:E2}.");
            worst = Math.Max(worst, difference);
        }

        return worst;
    }

    /// <summary>The largest |reference − PyTorch| / (1 + |PyTorch|) over the outputs.</summary>
    private static double Difference(ConvNetwork network, LoadedWeights loaded, int examples, string name)
    {
        NetworkArchitecture architecture = network.Architecture;
        NamedTensor inputs = loaded.GetExtra("fixture.inputs", [examples, .. architecture.InputShape]);
        NamedTensor expected = loaded.GetExtra(name, examples, architecture.OutputSize);
        double[] ours = ConvReference.Forward(architecture, network.Parameters, network.State, inputs.Values, examples);
        Assert.Equal(expected.Values.Length, ours.Length);
        double worst = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(ours[i] - expected.Values[i]) / (1 + Math.Abs(expected.Values[i])));
        }

        return worst;
    }
}
