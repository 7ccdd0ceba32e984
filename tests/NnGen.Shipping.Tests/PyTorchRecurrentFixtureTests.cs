using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NnGen.Shipping.Tests.Support;
using Xunit.Abstractions;

namespace NnGen.Shipping.Tests;

/// <summary>
/// Recurrent models exported from PyTorch by tools/pytorch/export_sequential.py (an nn.LSTM or nn.GRU "rnn", one or two
/// stacked layers, and an nn.Linear "dense"; the weights, inputs and PyTorch's outputs in one file) load into the same
/// layers described in C#, under NnGen's names and as a state_dict, and the double-precision reference on the loaded
/// weights reproduces PyTorch's outputs within 1e-5 of each output row's largest value (float32 PyTorch over 50 to
/// 1,000 steps carries ~1e-6; a gate block out of order or a bias in the wrong place moves outputs by 1e-2 and more).
/// The checked-in fixtures always run; <see cref="ExportScript_RunLive_WritesWhatLoadsAndRefusesWhatItCannotMap"/> runs
/// the script itself where /usr/bin/python3 has torch.
/// </summary>
public sealed class PyTorchRecurrentFixtureTests(ITestOutputHelper output)
{
    private const double Relative = 1e-5;

    public static TheoryData<string> Fixtures => new() { "torch-lstm2.safetensors", "torch-gru-last-state-dict.safetensors", "torch-lstm2-last-state-dict.safetensors", "torch-gru-1000.safetensors" };

    /// <summary>The architecture each fixture was made with (see the commands in tools/pytorch/export_sequential.py).</summary>
    private static (NetworkArchitecture Architecture, int Examples, int Steps) Fixture(string name) => name switch
    {
        "torch-lstm2.safetensors" => (RecurrentNetworks.Build("TorchLstm2", 3, Loss.MeanSquaredError, ("lstm", 8), ("lstm", 8), ("tanh", 2)), 4, 50),
        "torch-gru-last-state-dict.safetensors" => (RecurrentNetworks.Build("TorchGruLast", 2, Loss.CategoricalCrossEntropy, ("gru-last", 6), ("softmax", 3)), 4, 50),
        "torch-lstm2-last-state-dict.safetensors" => (RecurrentNetworks.Build("TorchLstm2Last", 2, Loss.BinaryCrossEntropy, ("lstm", 5), ("lstm-last", 5), ("sigmoid", 1)), 4, 50),
        "torch-gru-1000.safetensors" => (RecurrentNetworks.Build("TorchGru1000", 1, Loss.MeanSquaredError, ("gru", 8), ("linear", 1)), 2, 1000),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void PyTorchExport_LoadedIntoTheSameLayers_ReferenceMatchesPyTorch(string fixture)
    {
        (NetworkArchitecture architecture, int examples, int steps) = Fixture(fixture);

        double worst = Compare(architecture, Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture), examples, steps);

        output.WriteLine($"{fixture}: largest difference relative to its row's largest output {worst:E2}");
    }

    [Fact]
    public void PyTorchExport_GateBlocksSwapped_DoesNotMatch()
    {
        // The check can fail: the LSTM's f and g blocks of layer 1 exchanged after loading move the outputs far beyond 1e-5.
        (NetworkArchitecture architecture, int examples, int steps) = Fixture("torch-lstm2.safetensors");
        var network = new LayerKindsNetwork(architecture, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(network, Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch-lstm2.safetensors"));
        const int Units = 8;
        foreach (LayerTensor tensor in architecture.Layers[0].Tensors)
        {
            // The parameters hold Wih and Whh transposed, so every stored row (one per bias) has the gate blocks side by side.
            for (int row = tensor.Offset; row < tensor.Offset + tensor.Length; row += 4 * Units)
            {
                Span<float> f = network.Parameters.Slice(row + Units, Units);
                Span<float> g = network.Parameters.Slice(row + (2 * Units), Units);
                float[] swap = f.ToArray();
                g.CopyTo(f);
                swap.CopyTo(g);
            }
        }

        double worst = Difference(network, loaded, examples, steps, "fixture.outputs_f64");

        Assert.True(worst > 1e-2, $"swapped gates still match within {worst:E2}");
    }

    /// <summary>
    /// Runs the script: a fixture of each kind under both naming schemes loads and matches, and models it cannot map
    /// are refused with a message naming the module and what it needs.
    /// </summary>
    [TorchFact]
    public void ExportScript_RunLive_WritesWhatLoadsAndRefusesWhatItCannotMap()
    {
        string directory = Repository.TestDirectory("nngen-recurrent-export");
        try
        {
            string script = Path.Combine(Repository.Root, "tools", "pytorch", "export_sequential.py");
            foreach ((string kind, bool torchNames) in new[] { ("gru", false), ("lstm", true) })
            {
                string path = Path.Combine(directory, $"{kind}-{torchNames}.safetensors");
                string[] arguments =
                [
                    script, "recurrent-fixture", path, "--kind", kind, "--inputs", "2", "--hidden", "4", "--num-layers", "2", "--outputs", "2",
                    "--activation", "tanh", "--last-step", "--steps", "20", "--examples", "3", "--seed", "9", .. (torchNames ? new[] { "--torch-names" } : []),
                ];
                (int exit, string stdout, string stderr) = ProcessRunner.Run(TorchFactAttribute.Python, arguments, directory, TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"export_sequential.py {kind}: exit {exit}\n{stdout}\n{stderr}");
                NetworkArchitecture architecture = RecurrentNetworks.Build("Live", 2, Loss.MeanSquaredError, (kind, 4), (kind + "-last", 4), ("tanh", 2));
                Compare(architecture, path, examples: 3, steps: 20);
            }

            const string Refusals = """
                import sys
                sys.path.insert(0, sys.argv[1])
                from export_sequential import export_sequential
                from torch import nn

                class Model(nn.Module):
                    def __init__(self, rnn, *rest):
                        super().__init__()
                        self.rnn = rnn
                        for i, module in enumerate(rest):
                            self.add_module(f"m{i}", module)

                cases = [
                    Model(nn.LSTM(2, 4, batch_first=False), nn.Linear(4, 1)),
                    Model(nn.GRU(2, 4, batch_first=True, bidirectional=True), nn.Linear(8, 1)),
                    Model(nn.LSTM(2, 4, batch_first=True, num_layers=3), nn.Linear(4, 1)),
                    Model(nn.GRU(2, 4, batch_first=True, bias=False), nn.Linear(4, 1)),
                    Model(nn.LSTM(2, 4, batch_first=True, proj_size=2), nn.Linear(2, 1)),
                    Model(nn.GRU(2, 4, batch_first=True), nn.Tanh(), nn.Linear(4, 1)),
                    Model(nn.GRU(2, 4, batch_first=True), nn.Linear(5, 1)),
                    Model(nn.GRU(2, 4, batch_first=True)),
                ]
                for model in cases:
                    try:
                        export_sequential(model, sys.argv[2])
                        print("accepted")
                    except ValueError as error:
                        print(error)
                """;
            (int code, string refusals, string errors) = ProcessRunner.Run(
                TorchFactAttribute.Python, ["-c", Refusals, Path.GetDirectoryName(script)!, Path.Combine(directory, "refused.safetensors")], directory, TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"{refusals}\n{errors}");
            Assert.Equal(
                [
                    "module rnn (LSTM): batch_first=False; NnGen's sequences are batch-first (batch, steps, features): construct it with batch_first=True",
                    "module rnn (GRU): bidirectional=True is not supported; NnGen's recurrent layers run forward in time",
                    "module rnn (LSTM): num_layers=3; NnGen exports 1 or 2 stacked layers per module",
                    "module rnn (GRU): bias=False is not supported (NnGen's recurrent layers have bias_ih and bias_hh)",
                    "module rnn (LSTM): proj_size=2 is not supported; NnGen's LSTM outputs h of its hidden size",
                    "module m0 (Tanh) follows GRU rnn: NnGen applies activations in dense and convolution layers only; put it right after a Linear or a Conv (Linear, ReLU, BatchNorm1d)",
                    "module m0: expects 5 inputs, previous layer gives 4",
                    "module rnn: the last layer must be a Linear (NnGen's output layer is dense)",
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
    private static double Compare(NetworkArchitecture architecture, string path, int examples, int steps)
    {
        var network = new LayerKindsNetwork(architecture, seed: 0);
        LoadedWeights loaded = WeightsFile.Load(network, path);
        double worst = 0;
        foreach (string reference in new[] { "fixture.outputs", "fixture.outputs_f64" })
        {
            double difference = Difference(network, loaded, examples, steps, reference);
            Assert.True(difference <= Relative, $"{Path.GetFileName(path)}: the reference differs from {reference} by {difference:E2} of a row's largest output.");
            worst = Math.Max(worst, difference);
        }

        return worst;
    }

    /// <summary>The largest |reference − PyTorch| over the outputs, relative to the largest |PyTorch| of the same row (a step's or a sequence's outputs).</summary>
    private static double Difference(LayerKindsNetwork network, LoadedWeights loaded, int examples, int steps, string name)
    {
        NetworkArchitecture architecture = network.Architecture;
        NamedTensor inputs = loaded.GetExtra("fixture.inputs", examples, steps, architecture.InputSize);
        bool perStep = RecurrentNetworks.PerStep(architecture);
        NamedTensor expected = perStep ? loaded.GetExtra(name, examples, steps, architecture.OutputSize) : loaded.GetExtra(name, examples, architecture.OutputSize);
        double[] ours = RecurrentReference.Forward(architecture, network.Parameters, network.State, inputs.Values, examples, steps);
        Assert.Equal(expected.Values.Length, ours.Length);
        double worst = 0;
        int width = architecture.OutputSize;
        for (int row = 0; row < ours.Length / width; row++)
        {
            ReadOnlySpan<float> torch = expected.Values.Slice(row * width, width);
            double scale = 0, difference = 0;
            for (int j = 0; j < width; j++)
            {
                scale = Math.Max(scale, Math.Abs(torch[j]));
                difference = Math.Max(difference, Math.Abs(ours[(row * width) + j] - torch[j]));
            }

            worst = Math.Max(worst, difference / scale);
        }

        return worst;
    }
}

/// <summary>A fact that needs /usr/bin/python3 with torch (Debian's python3-torch); skipped elsewhere, with the reason.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            return ProcessRunner.Run(Python, ["-c", "import torch, numpy"], Path.GetTempPath(), TimeSpan.FromMinutes(1)).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public TorchFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = $"Needs {Python} with torch and numpy (apt-get install python3-torch); the checked-in fixtures test the same export without it.";
        }
    }
}
