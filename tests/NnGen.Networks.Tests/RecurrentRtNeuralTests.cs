using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using NnGen.Benchmarks;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>RTNeural's <c>gru_1_8_1</c> workload, declared as the benchmarks declare it.</summary>
[Network(Inputs = 1)]
[Gru(8)]
[Dense(1, Activation.Linear)]
public partial class RtNeuralGru8Net;

/// <summary>RTNeural's <c>gru_1_16_1</c>.</summary>
[Network(Inputs = 1)]
[Gru(16)]
[Dense(1, Activation.Linear)]
public partial class RtNeuralGru16Net;

/// <summary>RTNeural's <c>lstm_1_16_1</c>.</summary>
[Network(Inputs = 1)]
[Lstm(16)]
[Dense(1, Activation.Linear)]
public partial class RtNeuralLstm16Net;

/// <summary>
/// Generated networks on RTNeural's own weights: the fixtures in <c>tests/Fixtures/rtneural</c> are the RTNeural harness's
/// weight dumps (<c>../shared/bench/rtneural</c>, <c>rtneural_bench_eigen --dump-weights DIR gru_1_8_1 gru_1_16_1
/// lstm_1_16_1</c>, RTNeural 1fb1f075, Eigen backend): PyTorch <c>state_dict</c> tensors, a 64-step input and RTNeural's
/// output at each step from a reset state. Loaded through <c>LoadWeights</c> under those names, Step must give RTNeural's
/// outputs at every vector width, and Process the same bits as Step.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class RecurrentRtNeuralTests
{
    /// <summary>RTNeural's outputs are within 4e-8 of a double reference (the harness's check), |y| ≤ 0.16: float sums and σ, tanh err by ulps.</summary>
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> Workloads() => new() { "gru_1_8_1", "gru_1_16_1", "lstm_1_16_1" };

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Step_OnRtNeuralWeights_GivesRtNeuralOutputsAtEveryWidth(string workload)
    {
        RtNeuralDump dump = Dump(workload);
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 })
        {
            using (SimdWidths.ForceForTesting(width))
            {
                float[] stepped = Stream(workload, dump, process: false);
                for (int t = 0; t < dump.Output.Length; t++)
                {
                    Assert.True(
                        Math.Abs(stepped[t] - dump.Output[t]) <= Tolerance,
                        string.Create(CultureInfo.InvariantCulture, $"{workload} at {width}, step {t}: NnGen {stepped[t]:R}, RTNeural {dump.Output[t]:R}"));
                }

                float[] processed = Stream(workload, dump, process: true);
                Assert.Equal(Array.ConvertAll(stepped, BitConverter.SingleToInt32Bits), Array.ConvertAll(processed, BitConverter.SingleToInt32Bits));
            }
        }
    }

    /// <summary>The dump's input through a freshly loaded network from the zero state, by Step or by one Process call.</summary>
    private static float[] Stream(string workload, RtNeuralDump dump, bool process)
    {
        var output = new float[dump.Input.Length];
        switch (workload)
        {
            case "gru_1_8_1":
            {
                var net = new RtNeuralGru8Net();
                net.LoadWeights(new MemoryStream(dump.Weights));
                RtNeuralGru8Net.State state = default;
                if (process)
                {
                    net.Process(dump.Input, output, ref state);
                }
                else
                {
                    for (int t = 0; t < output.Length; t++)
                    {
                        output[t] = net.Step(dump.Input[t], ref state);
                    }
                }

                break;
            }

            case "gru_1_16_1":
            {
                var net = new RtNeuralGru16Net();
                net.LoadWeights(new MemoryStream(dump.Weights));
                RtNeuralGru16Net.State state = default;
                if (process)
                {
                    net.Process(dump.Input, output, ref state);
                }
                else
                {
                    for (int t = 0; t < output.Length; t++)
                    {
                        output[t] = net.Step(dump.Input[t], ref state);
                    }
                }

                break;
            }

            default:
            {
                var net = new RtNeuralLstm16Net();
                net.LoadWeights(new MemoryStream(dump.Weights));
                RtNeuralLstm16Net.State state = default;
                if (process)
                {
                    net.Process(dump.Input, output, ref state);
                }
                else
                {
                    for (int t = 0; t < output.Length; t++)
                    {
                        output[t] = net.Step(dump.Input[t], ref state);
                    }
                }

                break;
            }
        }

        return output;
    }

    private static RtNeuralDump Dump(string workload, [CallerFilePath] string here = "") =>
        RtNeuralDump.Read(Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "rtneural", $"rtneural_{workload}_eigen.json"));
}
