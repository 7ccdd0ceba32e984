using System;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Networks.Tests;

/// <summary>
/// Issue 24 point 6 with issue 22 point 1: <c>Freeze()</c> gives an immutable copy whose recurrent layers are packed for
/// the step; it must give the network's own Step bits at every vector width, allocate nothing, and not see later changes.
/// </summary>
[Collection(nameof(KernelParallelismSetting))]
public sealed class FrozenRecurrentTests
{
    private static readonly SimdWidth[] Widths = { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 };

    [Fact]
    public void FrozenStep_EveryNetworkAndWidth_GivesTheNetworksStepBits_Over1000Steps()
    {
        foreach (SimdWidth width in Widths)
        {
            using (SimdWidths.ForceForTesting(width))
            {
                var tinyAmpNet = new TinyAmpNet(seed: 1);
                Compare("TinyAmpNet", width, Run<TinyAmpNet.State>(tinyAmpNet.Step, tinyAmpNet.Freeze().Step, TinyAmpNet.InputSize, TinyAmpNet.OutputSize));
                var lstm40AmpNet = new Lstm40AmpNet(seed: 2);
                Compare("Lstm40AmpNet", width, Run<Lstm40AmpNet.State>(lstm40AmpNet.Step, lstm40AmpNet.Freeze().Step, Lstm40AmpNet.InputSize, Lstm40AmpNet.OutputSize));
                var gru16AmpNet = new Gru16AmpNet(seed: 3);
                Compare("Gru16AmpNet", width, Run<Gru16AmpNet.State>(gru16AmpNet.Step, gru16AmpNet.Freeze().Step, Gru16AmpNet.InputSize, Gru16AmpNet.OutputSize));
                var lstmProbeNet = new LstmProbeNet(seed: 4);
                Compare("LstmProbeNet", width, Run<LstmProbeNet.State>(lstmProbeNet.Step, lstmProbeNet.Freeze().Step, LstmProbeNet.InputSize, LstmProbeNet.OutputSize));
                var gruProbeNet = new GruProbeNet(seed: 5);
                Compare("GruProbeNet", width, Run<GruProbeNet.State>(gruProbeNet.Step, gruProbeNet.Freeze().Step, GruProbeNet.InputSize, GruProbeNet.OutputSize));
                var sequenceClassifierNet = new SequenceClassifierNet(seed: 6);
                Compare("SequenceClassifierNet", width, Run<SequenceClassifierNet.State>(sequenceClassifierNet.Step, sequenceClassifierNet.Freeze().Step, SequenceClassifierNet.InputSize, SequenceClassifierNet.OutputSize));
                var denseFirstNet = new DenseFirstNet(seed: 7);
                Compare("DenseFirstNet", width, Run<DenseFirstNet.State>(denseFirstNet.Step, denseFirstNet.Freeze().Step, DenseFirstNet.InputSize, DenseFirstNet.OutputSize));
            }
        }
    }

    [Fact]
    public void FrozenProcess_IsFrozenStepPerSample_AndTheOneFloatStepAgrees()
    {
        var net = new Gru16AmpNet(seed: 8);
        Gru16AmpNet.Frozen frozen = net.Freeze();
        float[] input = Signal(700, seed: 9);
        Gru16AmpNet.State a = default, b = default;
        float[] stepped = input.Select(x => frozen.Step(x, ref a)).ToArray();
        var processed = new float[input.Length];
        frozen.Process(input, processed, ref b);
        Assert.Equal(TestData.Bits(stepped), TestData.Bits(processed));
    }

    [Fact]
    public void Frozen_DoesNotSeeLaterChangesToTheNetwork()
    {
        var net = new TinyAmpNet(seed: 10);
        TinyAmpNet.Frozen frozen = net.Freeze();
        float[] input = Signal(50, seed: 11);
        TinyAmpNet.State s1 = default, s2 = default;
        float[] before = input.Select(x => frozen.Step(x, ref s1)).ToArray();
        net.Parameters.Fill(0.5f);
        float[] after = input.Select(x => frozen.Step(x, ref s2)).ToArray();
        Assert.Equal(TestData.Bits(before), TestData.Bits(after));
    }

    [Fact]
    public void FrozenStep_AllocatesNothing()
    {
        Lstm40AmpNet.Frozen frozen = new Lstm40AmpNet(seed: 12).Freeze();
        Lstm40AmpNet.State state = default;
        float sum = 0f;
        int i = 0;

        AllocationAssert.NoAllocation(() => sum += frozen.Step(0.001f * i++, ref state), 1000, "Lstm40AmpNet.Frozen.Step");
        Assert.True(float.IsFinite(sum));
    }

    private delegate void StepSpan<TState>(ReadOnlySpan<float> x, Span<float> y, ref TState state);

    private static float[] Run<TState>(StepSpan<TState> network, StepSpan<TState> frozen, int inputs, int outputs)
        where TState : struct
    {
        float[] signal = Signal(1000 * inputs, seed: inputs + outputs);
        var result = new float[2 * 1000 * outputs];
        TState a = default, b = default;
        for (int t = 0; t < 1000; t++)
        {
            network(signal.AsSpan(t * inputs, inputs), result.AsSpan(t * outputs, outputs), ref a);
            frozen(signal.AsSpan(t * inputs, inputs), result.AsSpan((1000 + t) * outputs, outputs), ref b);
        }

        return result;
    }

    private static void Compare(string name, SimdWidth width, float[] both)
    {
        int half = both.Length / 2;
        Assert.True(both.Take(half).Any(value => value != 0), $"{name}: the outputs are all zero");
        Assert.True(TestData.Bits(both.Take(half).ToArray()).SequenceEqual(TestData.Bits(both.Skip(half).ToArray())), $"{name} at {width}: Frozen.Step differs from Step");
    }

    private static float[] Signal(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (MathF.Sin(i * 0.05f) * 0.6f) + (float)((random.NextDouble() - 0.5) * 0.4)).ToArray();
    }
}
