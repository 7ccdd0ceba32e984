using System;
using System.Linq;
using NnGen.Data;

namespace NnGen.Tests.Data;

public class SyntheticAmpTests
{
    private const int TwoSeconds = 2 * SyntheticAmp.SampleRate;
    private const ulong InputFingerprint = 0x588A77472B14F1B3;
    private const ulong TargetFingerprint = 0x369FD586F6B67D56;

    /// <summary>FNV-1a over the bits of every sample.</summary>
    private static ulong Fingerprint(float[] samples)
    {
        ulong hash = 14695981039346656037;
        foreach (float sample in samples)
        {
            hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(sample)) * 1099511628211;
        }

        return hash;
    }

    [Fact]
    public void Generate_SameSeed_SameBits_OtherSeed_OtherSignal()
    {
        (float[] input, float[] target) = SyntheticAmp.Generate(TwoSeconds, seed: 7);
        (float[] again, float[] againTarget) = SyntheticAmp.Generate(TwoSeconds, seed: 7);
        (float[] other, _) = SyntheticAmp.Generate(TwoSeconds, seed: 8);

        Assert.Equal(input.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(target.Select(BitConverter.SingleToInt32Bits), againTarget.Select(BitConverter.SingleToInt32Bits));
        Assert.True(SignalMetrics.ErrorToSignalRatio(input, other) > 0.5, "another seed plays other notes");

        // A shorter request is the start of the longer one: the signal does not depend on its length.
        (float[] shortInput, float[] shortTarget) = SyntheticAmp.Generate(1000, seed: 7);
        Assert.Equal(input[..1000], shortInput);
        Assert.Equal(target[..1000], shortTarget);
    }

    [Fact]
    public void Generate_Seed1_IsPinnedBitForBit()
    {
        // The same bits on every machine and runtime (float arithmetic in a fixed order, the runtime's own tanh, literal
        // coefficients): a change here changes every figure quoted for the amp sample, so it has to be deliberate.
        (float[] input, float[] target) = SyntheticAmp.Generate(SyntheticAmp.SampleRate, seed: 1);

        Assert.Equal((InputFingerprint, TargetFingerprint), (Fingerprint(input), Fingerprint(target)));
    }

    [Fact]
    public void Guitar_IsBoundedAudibleAndVaried()
    {
        float[] input = SyntheticAmp.Guitar(5 * SyntheticAmp.SampleRate, seed: 3);

        Assert.All(input, x => Assert.InRange(x, -SyntheticAmp.MaxInput, SyntheticAmp.MaxInput));
        float peak = input.Max(Math.Abs);
        Assert.InRange(peak, 0.1f, SyntheticAmp.MaxInput);

        // Varying loudness: the RMS of 100 ms blocks spans at least a factor of 4 between the loud and the soft ones.
        double[] rms = Enumerable.Range(0, 50)
            .Select(b => Math.Sqrt(input.Skip(b * 4800).Take(4800).Average(x => (double)x * x)))
            .Order()
            .ToArray();
        Assert.True(rms[^5] > 4 * rms[5], $"block RMS from {rms[5]:G3} to {rms[^5]:G3}");

        // Mean close to 0 (the plucks have their DC taken out) and a pitch-like signal: it crosses zero often but not
        // like white noise (which would cross about every other sample).
        Assert.InRange(input.Average(x => (double)x), -0.01, 0.01);
        int crossings = Enumerable.Range(1, input.Length - 1).Count(i => (input[i - 1] < 0) != (input[i] < 0));
        Assert.InRange(crossings, input.Length / 400, input.Length / 8);
    }

    [Fact]
    public void Target_IsBoundedByTheClipper()
    {
        (float[] input, float[] target) = SyntheticAmp.Generate(3 * SyntheticAmp.SampleRate, seed: 11);

        Assert.All(target, y => Assert.InRange(y, -SyntheticAmp.MaxOutput, SyntheticAmp.MaxOutput));

        // Even driven as hard as floats allow, the clipper stays within its bound.
        var effect = default(SyntheticAmp.Effect);
        foreach (float x in new[] { 1e30f, -1e30f, 5f, -5f, 0f, 1e30f })
        {
            Assert.InRange(effect.Process(x), -SyntheticAmp.MaxOutput, SyntheticAmp.MaxOutput);
        }

        // The effect changes the signal a lot (it is worth modelling) and its output is not the input scaled.
        double scale = input.Zip(target, (x, y) => (double)x * y).Sum() / input.Sum(x => (double)x * x);
        Assert.True(SignalMetrics.ErrorToSignalRatio(target, input.Select(x => (float)(scale * x)).ToArray()) > 0.02);
    }

    [Fact]
    public void Effect_SilenceIn_SilenceOut()
    {
        var effect = default(SyntheticAmp.Effect);
        float[] output = new float[100];

        effect.Process(new float[100], output);

        Assert.All(output, y => Assert.Equal(0f, y));
    }

    [Fact]
    public void Effect_HasMemory_TheSameSampleComesOutDifferentlyAfterLoudPlaying()
    {
        // Loud playing, then 10 ms of silence: the low-pass has forgotten it (its impulse response is gone within a
        // millisecond) but the 120 ms envelope has not, and it has lowered the drive.
        var rested = default(SyntheticAmp.Effect);
        var played = default(SyntheticAmp.Effect);
        for (int n = 0; n < 4800; n++)
        {
            played.Process(n % 40 < 20 ? 0.8f : -0.8f);
        }

        for (int n = 0; n < 480; n++)
        {
            rested.Process(0f);
            played.Process(0f);
        }

        Assert.Equal(0f, rested.Envelope);
        Assert.InRange(played.Envelope, 0.3f, 0.8f);

        float[] probe = [0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f];
        float[] fromRest = new float[probe.Length], fromPlaying = new float[probe.Length];
        rested.Process(probe, fromRest);
        played.Process(probe, fromPlaying);

        Assert.True(fromRest[^1] > 1.5f * fromPlaying[^1], $"after rest {fromRest[^1]}, after playing {fromPlaying[^1]}");

        // And the filter's memory: the first output of a step is not the step's settled value.
        Assert.True(fromRest[0] < 0.5f * fromRest[^1]);
    }

    [Fact]
    public void Effect_MemoryMatters_NoFixedDriveComesWithin2Point5PercentEsr()
    {
        // The envelope's memory is what a model must learn: the same filter and clipper with the envelope held at any
        // fixed value (every drive from 4 down to 1.3) misses the target by more than 2.5 % ESR, well above the 1 % an
        // amp model aims at, so a model that reaches 1 % has learned the memory.
        (float[] input, float[] target) = SyntheticAmp.Generate(10 * SyntheticAmp.SampleRate, seed: 5);
        double best = double.MaxValue;
        float bestEnvelope = float.NaN;
        float[] predicted = new float[input.Length];
        for (int step = 0; step <= 20; step++)
        {
            float envelope = step * 0.01f;
            var frozen = default(SyntheticAmp.Effect);
            for (int n = 0; n < input.Length; n++)
            {
                predicted[n] = frozen.Shape(input[n], envelope);
            }

            double esr = SignalMetrics.ErrorToSignalRatio(target, predicted);
            if (esr < best)
            {
                best = esr;
                bestEnvelope = envelope;
            }
        }

        Assert.True(best > 0.025, $"a fixed envelope of {bestEnvelope} reaches {best:P2} ESR");
        Assert.InRange(bestEnvelope, 0.01f, 0.19f);
    }

    [Fact]
    public void Effect_Asymmetric_PositiveAndNegativeInputsClipDifferently()
    {
        var positive = default(SyntheticAmp.Effect);
        var negative = default(SyntheticAmp.Effect);
        float up = 0, down = 0;
        for (int n = 0; n < 200; n++)
        {
            // At rest's drive: the full effect's envelope would rise towards 0.5 and make the clipper almost linear.
            up = positive.Shape(0.5f, envelope: 0f);
            down = negative.Shape(-0.5f, envelope: 0f);
        }

        // 0.75·(tanh(2.25) − tanh(0.25)) against 0.75·(tanh(−1.75) − tanh(0.25)).
        Assert.Equal(0.75 * (Math.Tanh(2.25) - Math.Tanh(0.25)), up, 1e-5);
        Assert.Equal(0.75 * (Math.Tanh(-1.75) - Math.Tanh(0.25)), down, 1e-5);
        Assert.True(Math.Abs(up + down) > 0.3f, $"+0.5 gives {up}, -0.5 gives {down}");
    }

    [Fact]
    public void Effect_BlockAndSampleBySample_GiveTheSameBits()
    {
        float[] input = SyntheticAmp.Guitar(5000, seed: 2);
        var block = default(SyntheticAmp.Effect);
        var single = default(SyntheticAmp.Effect);
        float[] output = new float[input.Length];

        block.Process(input, output);

        Assert.Equal(input.Select(x => single.Process(x)), output);
        Assert.Throws<ArgumentException>(() => block.Process(input, new float[3]));
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticAmp.Generate(0, seed: 1)).ParamName);
        Assert.Equal("seed", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticAmp.Guitar(10, seed: -1)).ParamName);
    }

    [Fact]
    public void ErrorToSignalRatio_HandExampleAndLimits()
    {
        // Σ(y − ŷ)² = 1, Σy² = 1 + 4 + 9 = 14.
        Assert.Equal(1.0 / 14, SignalMetrics.ErrorToSignalRatio([1f, 2f, 3f], [1f, 2f, 2f]), 1e-15);
        Assert.Equal(0.0, SignalMetrics.ErrorToSignalRatio([1f, -2f, 3f], [1f, -2f, 3f]));
        Assert.Equal(1.0, SignalMetrics.ErrorToSignalRatio([1f, -2f, 3f], [0f, 0f, 0f]));

        // Double accumulation: 0.1 short of every sample of a large signal is 1 % of its energy, to 1e-12.
        float[] y = Enumerable.Range(0, 100_000).Select(i => (float)Math.Sin(i * 0.01) + 2f).ToArray();
        float[] almost = y.Select(v => v * 0.9f).ToArray();
        double expected = y.Zip(almost, (a, b) => ((double)a - b) * ((double)a - b)).Sum() / y.Sum(a => (double)a * a);
        Assert.Equal(expected, SignalMetrics.ErrorToSignalRatio(y, almost), 1e-12);
        Assert.Equal(0.01, SignalMetrics.ErrorToSignalRatio(y, almost), 1e-6);

        Assert.True(double.IsNaN(SignalMetrics.ErrorToSignalRatio([1f, 2f], [1f, float.NaN])));
    }

    [Fact]
    public void ErrorToSignalRatio_BadArguments_AreRefusedNamingTheLengths()
    {
        Assert.StartsWith(
            "predicted has 2 samples and target 3; they must be the same positive number.",
            Assert.Throws<ArgumentException>(() => SignalMetrics.ErrorToSignalRatio([1f, 2f, 3f], [1f, 2f])).Message,
            StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SignalMetrics.ErrorToSignalRatio([], []));
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => SignalMetrics.ErrorToSignalRatio([0f, 0f], [1f, 0f])).ParamName);
    }
}
