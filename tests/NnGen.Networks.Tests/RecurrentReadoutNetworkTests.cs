using System;
using System.Linq;
using System.Threading.Tasks;
using NnGen.Kernels;

namespace NnGen.Networks.Tests;

/// <summary>
/// Issue 24 point 6: networks of one recurrent layer and a small linear Dense readout step both in one kernel call,
/// the readout summed from h' as the cell produces it. Step, Process and the frozen copy's Step and Process give the
/// same bits at every forced width and whatever the blocks; the outputs match the double-precision reference and the
/// layered path (the layer's step, then Gemm.MatVec) within tolerance; the networks the fused step does not take
/// (more outputs, an activation, stacked or many-to-one layers) keep giving their bits on every path; 0 B; one state per
/// thread on many threads gives one thread's bits.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class RecurrentReadoutNetworkTests
{
    private static readonly SimdWidth[] Widths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512];

    private const int Steps = 400;

    private delegate void Stepper<TState>(ReadOnlySpan<float> x, Span<float> y, ref TState state);

    [Fact]
    public void EveryWidth_StepProcessFrozenStepAndFrozenProcess_SameBits_AndTheDoubleReference()
    {
        foreach (SimdWidth width in Widths)
        {
            using (SimdWidths.ForceForTesting(width))
            {
                // H 8, 16, 32, 33, 40; readouts of 1, 2, 7 and 8 outputs; then the layered ones.
                var tiny = new TinyAmpNet(seed: 1);
                AllPaths<TinyAmpNet.State>(tiny, width, tiny.Step, tiny.Process, tiny.Freeze().Step, tiny.Freeze().Process, perStep: true);
                var gru16 = new Gru16AmpNet(seed: 2);
                AllPaths<Gru16AmpNet.State>(gru16, width, gru16.Step, gru16.Process, gru16.Freeze().Step, gru16.Freeze().Process, perStep: true);
                var lstm32 = new Lstm32TwoOutNet(seed: 3);
                AllPaths<Lstm32TwoOutNet.State>(lstm32, width, lstm32.Step, lstm32.Process, lstm32.Freeze().Step, lstm32.Freeze().Process, perStep: true);
                var lstm33 = new Lstm33SevenOutNet(seed: 4);
                AllPaths<Lstm33SevenOutNet.State>(lstm33, width, lstm33.Step, lstm33.Process, lstm33.Freeze().Step, lstm33.Freeze().Process, perStep: true);
                var lstm40 = new Lstm40AmpNet(seed: 5);
                AllPaths<Lstm40AmpNet.State>(lstm40, width, lstm40.Step, lstm40.Process, lstm40.Freeze().Step, lstm40.Freeze().Process, perStep: true);
                var gru40 = new Gru40TwoInNet(seed: 6);
                AllPaths<Gru40TwoInNet.State>(gru40, width, gru40.Step, gru40.Process, gru40.Freeze().Step, gru40.Freeze().Process, perStep: true);
                var probe = new LstmProbeNet(seed: 7);
                AllPaths<LstmProbeNet.State>(probe, width, probe.Step, probe.Process, probe.Freeze().Step, probe.Freeze().Process, perStep: true);
                var nine = new Lstm16NineOutNet(seed: 8);
                AllPaths<Lstm16NineOutNet.State>(nine, width, nine.Step, nine.Process, nine.Freeze().Step, nine.Freeze().Process, perStep: true);
                var tanh = new Gru8TanhOutNet(seed: 9);
                AllPaths<Gru8TanhOutNet.State>(tanh, width, tanh.Step, tanh.Process, tanh.Freeze().Step, tanh.Freeze().Process, perStep: true);
                var classifier = new SequenceClassifierNet(seed: 10);
                AllPaths<SequenceClassifierNet.State>(classifier, width, classifier.Step, classifier.Process, classifier.Freeze().Step, classifier.Freeze().Process, perStep: false);
                var denseFirst = new DenseFirstNet(seed: 11);
                AllPaths<DenseFirstNet.State>(denseFirst, width, denseFirst.Step, denseFirst.Process, denseFirst.Freeze().Step, denseFirst.Freeze().Process, perStep: true);
            }
        }
    }

    [Fact]
    public void FusedReadout_EveryWidth_CloseToTheLayersStepThenMatVec()
    {
        foreach (SimdWidth width in Widths)
        {
            using (SimdWidths.ForceForTesting(width))
            {
                AgainstLayered(new TinyAmpNet(seed: 21), width);
                AgainstLayered(new Gru16AmpNet(seed: 22), width);
                AgainstLayered(new Lstm32TwoOutNet(seed: 23), width);
                AgainstLayered(new Lstm33SevenOutNet(seed: 24), width);
                AgainstLayered(new Lstm40AmpNet(seed: 25), width);
                AgainstLayered(new Gru40TwoInNet(seed: 26), width);
            }
        }
    }

    [Fact]
    public void FusedNetwork_EveryWidth_StepSumsTheReadoutInTheDocumentedOrder_NotMatVecs()
    {
        // Given each step's h', Step's y is bit for bit the order docs/performance.md and RecurrentKernels.Readout.cs give
        // (lane sums over j mod 16 from zero, the fixed tree, b last). The layered step (the layer's kernel, then
        // Gemm.MatVec, which the generated StepCore called before the readout was fused) sums otherwise: it must differ
        // somewhere, or this test could not tell the two apart.
        int matVecDiffers = 0;
        foreach (SimdWidth width in Widths)
        {
            using (SimdWidths.ForceForTesting(width))
            {
                var net = new Lstm32TwoOutNet(seed: 27);
                float[] w = net.W2.ToArray(), b = net.b2.ToArray(), signal = Signal(Steps, seed: 28);
                Lstm32TwoOutNet.State state = default;
                var y = new float[2];
                var matVec = new float[2];
                for (int t = 0; t < Steps; t++)
                {
                    net.Step(signal.AsSpan(t, 1), y, ref state);
                    ReadOnlySpan<float> h = ((ReadOnlySpan<float>)state)[..32];
                    Gemm.MatVec(w, h, b, matVec, 2, 32, Activation.Linear);
                    for (int o = 0; o < 2; o++)
                    {
                        float expected = DocumentedOrder(h, w.AsSpan(o * 32, 32), b[o]);
                        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y[o]), $"at {width}, step {t}, output {o}: Step gives {y[o]:R}, the documented order {expected:R}.");
                        matVecDiffers += BitConverter.SingleToInt32Bits(matVec[o]) != BitConverter.SingleToInt32Bits(expected) ? 1 : 0;
                    }
                }
            }
        }

        Assert.True(matVecDiffers > 0, "Gemm.MatVec gave the documented order's bits at every step and width: the test cannot tell the fused readout from it.");
    }

    [Fact]
    public void FusedNetworks_StepProcessAndFrozen_AfterWarmUp_AllocateNothing()
    {
        var lstm32 = new Lstm32TwoOutNet(seed: 31);
        Lstm32TwoOutNet.Frozen frozen32 = lstm32.Freeze();
        var gru40 = new Gru40TwoInNet(seed: 32);
        Gru40TwoInNet.Frozen frozen40 = gru40.Freeze();
        var tiny = new TinyAmpNet(seed: 33);
        TinyAmpNet.Frozen frozenTiny = tiny.Freeze();
        float[] block = Signal(128, seed: 34);
        var output = new float[128];
        var y2 = new float[2];
        Lstm32TwoOutNet.State s32 = default;
        Gru40TwoInNet.State s40 = default;
        TinyAmpNet.State sTiny = default;

        void Round()
        {
            lstm32.Step(block.AsSpan(0, 1), y2, ref s32);
            frozen32.Step(block.AsSpan(1, 1), y2, ref s32);
            lstm32.Process(block.AsSpan(0, 64), output, ref s32);
            frozen32.Process(block.AsSpan(0, 64), output, ref s32);
            gru40.Step(block.AsSpan(0, 2), y2, ref s40);
            frozen40.Process(block, output, ref s40);
            tiny.Step(0.25f, ref sTiny);
            frozenTiny.Step(0.5f, ref sTiny);
            tiny.Process(block, output, ref sTiny);
        }

        NnGen.Tests.Support.AllocationAssert.NoAllocation(Round, 20, "the fused networks' Step, Process, Frozen.Step and Frozen.Process");
    }

    [Fact]
    public void FusedNetwork_ManyStreamsOnManyThreads_OneInstance_SameBitsAsOneAtATime()
    {
        var net = new Lstm32TwoOutNet(seed: 41);
        Lstm32TwoOutNet.Frozen frozen = net.Freeze();
        const int Streams = 8;
        float[][] inputs = Enumerable.Range(0, Streams).Select(i => Signal(Steps, seed: 100 + i)).ToArray();

        float[] Run(int stream)
        {
            Lstm32TwoOutNet.State state = default;
            var outputs = new float[Steps * Lstm32TwoOutNet.OutputSize];
            for (int t = 0; t < Steps; t++)
            {
                // Alternate the four paths: they give the same bits.
                Span<float> y = outputs.AsSpan(t * 2, 2);
                switch ((t + stream) % 4)
                {
                    case 0: net.Step(inputs[stream].AsSpan(t, 1), y, ref state); break;
                    case 1: frozen.Step(inputs[stream].AsSpan(t, 1), y, ref state); break;
                    case 2: net.Process(inputs[stream].AsSpan(t, 1), y, ref state); break;
                    default: frozen.Process(inputs[stream].AsSpan(t, 1), y, ref state); break;
                }
            }

            return outputs;
        }

        TestData.AssertStreamsIndependent(Streams, Run);
    }

    /// <summary>
    /// Step per sample, Process in blocks of 1, 37 and the rest, and the frozen copy's Step and Process in other blocks: all
    /// the same bits, and (for a network with an output per step) within 1e-5 of the double-precision reference.
    /// </summary>
    private static void AllPaths<TState>(
        ISerializableNetwork net, SimdWidth width, Stepper<TState> step, Stepper<TState> process, Stepper<TState> frozenStep, Stepper<TState> frozenProcess, bool perStep)
        where TState : struct
    {
        int inputs = net.InputSize, outputs = net.OutputSize;
        float[] signal = Signal(Steps * inputs, seed: inputs + (7 * outputs));
        float[] stepped = RunSteps(step, signal, inputs, outputs);
        string name = $"{net.Name} at {width}";
        Assert.True(stepped.Any(value => value != 0), $"{name}: the outputs are all zero");
        Assert.True(TestData.Bits(stepped).SequenceEqual(TestData.Bits(RunBlocks(process, signal, inputs, outputs, [1, 37, 100]))), $"{name}: Process differs from Step");
        Assert.True(TestData.Bits(stepped).SequenceEqual(TestData.Bits(RunSteps(frozenStep, signal, inputs, outputs))), $"{name}: Frozen.Step differs from Step");
        Assert.True(TestData.Bits(stepped).SequenceEqual(TestData.Bits(RunBlocks(frozenProcess, signal, inputs, outputs, [64, 3, 250]))), $"{name}: Frozen.Process differs from Step");
        if (!perStep)
        {
            return;
        }

        double[] expected = new RecurrentNetworkReference(net.Architecture).Forward(net.Parameters.ToArray().Select(v => (double)v).ToArray(), signal, Steps);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(stepped[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{name}: output {i} is {stepped[i]:R}, the double reference {expected[i]:R}");
        }
    }

    /// <summary>
    /// The network's Step against its layer stepped by the layer's own kernel and Gemm.MatVec over the same parameters (the
    /// path a layered network takes): the states agree to the bit (the readout does not touch them), the outputs within
    /// 1e-6 relative (the readout sums in another order than MatVec).
    /// </summary>
    private static void AgainstLayered(ISerializableNetwork net, SimdWidth width)
    {
        NetworkArchitecture architecture = net.Architecture;
        LayerDescription layer = architecture.Layers[0];
        bool lstm = layer.Kind == LayerKind.Lstm;
        int inputs = net.InputSize, units = layer.Units, outputs = net.OutputSize, rows = (lstm ? 4 : 3) * units;
        float[] p = net.Parameters.ToArray();
        int offset = 0;
        float[] Take(int length)
        {
            float[] part = p.AsSpan(offset, length).ToArray();
            offset += length;
            return part;
        }

        float[] wIh = Take(rows * inputs), wHh = Take(rows * units), bIh = Take(rows), bHh = Take(rows), w = Take(outputs * units), b = Take(outputs);
        Assert.Equal(p.Length, offset);
        float[] signal = Signal(Steps * inputs, seed: 50 + units);
        float[] h = new float[units], c = new float[lstm ? units : 0];
        var expected = new float[Steps * outputs];
        for (int t = 0; t < Steps; t++)
        {
            ReadOnlySpan<float> x = signal.AsSpan(t * inputs, inputs);
            if (lstm)
            {
                RecurrentKernels.LstmStep(wIh, wHh, bIh, bHh, x, h, c, inputs, units);
            }
            else
            {
                RecurrentKernels.GruStep(wIh, wHh, bIh, bHh, x, h, inputs, units);
            }

            Gemm.MatVec(w, h, b, expected.AsSpan(t * outputs, outputs), outputs, units, Activation.Linear);
        }

        var actual = new float[Steps * outputs];
        float[] state = Process(net, signal, actual);
        Assert.True(TestData.Bits(h).SequenceEqual(TestData.Bits(state.AsSpan(0, units).ToArray())), $"{net.Name} at {width}: h after the last step differs from the layer's own step");
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(error <= 1e-6, $"{net.Name} at {width}: output {i} is {actual[i]:R} fused, {expected[i]:R} through Gemm.MatVec (error {error:E2}).");
        }
    }

    /// <summary>The network's Process over the whole signal from the zero state; returns the state after it.</summary>
    private static float[] Process(ISerializableNetwork net, float[] signal, float[] output)
    {
        switch (net)
        {
            case TinyAmpNet n: { TinyAmpNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            case Gru16AmpNet n: { Gru16AmpNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            case Lstm32TwoOutNet n: { Lstm32TwoOutNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            case Lstm33SevenOutNet n: { Lstm33SevenOutNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            case Lstm40AmpNet n: { Lstm40AmpNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            case Gru40TwoInNet n: { Gru40TwoInNet.State s = default; n.Process(signal, output, ref s); return ((ReadOnlySpan<float>)s).ToArray(); }
            default: throw new ArgumentException($"no Process for {net.Name}", nameof(net));
        }
    }

    private static float[] RunSteps<TState>(Stepper<TState> step, float[] signal, int inputs, int outputs)
        where TState : struct
    {
        var result = new float[Steps * outputs];
        TState state = default;
        for (int t = 0; t < Steps; t++)
        {
            step(signal.AsSpan(t * inputs, inputs), result.AsSpan(t * outputs, outputs), ref state);
        }

        return result;
    }

    /// <summary>The signal in blocks of the given sizes in turn (the last block whatever is left), the state carried.</summary>
    private static float[] RunBlocks<TState>(Stepper<TState> process, float[] signal, int inputs, int outputs, int[] blocks)
        where TState : struct
    {
        var result = new float[Steps * outputs];
        TState state = default;
        int t = 0;
        for (int i = 0; t < Steps; i++)
        {
            int count = Math.Min(blocks[i % blocks.Length], Steps - t);
            process(signal.AsSpan(t * inputs, count * inputs), result.AsSpan(t * outputs, count * outputs), ref state);
            t += count;
        }

        return result;
    }

    /// <summary>The readout's order written out one float at a time: lane l sums W[j]·h[j] over j ≡ l (mod 16), then the tree, then b.</summary>
    private static float DocumentedOrder(ReadOnlySpan<float> h, ReadOnlySpan<float> w, float b)
    {
        var s = new float[16];
        for (int j = 0; j < h.Length; j++)
        {
            s[j % 16] = MathF.FusedMultiplyAdd(w[j], h[j], s[j % 16]);
        }

        var u = new float[4];
        for (int l = 0; l < 4; l++)
        {
            u[l] = (s[l] + s[l + 8]) + (s[l + 4] + s[l + 12]);
        }

        return ((u[0] + u[2]) + (u[1] + u[3])) + b;
    }

    private static float[] Signal(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (MathF.Sin(i * 0.05f) * 0.6f) + (float)((random.NextDouble() - 0.5) * 0.4)).ToArray();
    }
}
