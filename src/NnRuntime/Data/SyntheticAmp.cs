using System;
using System.Globalization;
using NnGen.Kernels;

namespace NnGen.Data;

/// <summary>
/// A guitar amplifier's worth of training data defined in code, so nothing is downloaded: a guitar-like signal at
/// 48 kHz (<see cref="Guitar"/>) and what an overdrive effect with memory makes of it (<see cref="Effect"/>).
/// <see cref="Generate"/> gives both series from a seed, the input and target of an amp model; a model is judged by
/// <see cref="SignalMetrics.ErrorToSignalRatio"/>.
/// </summary>
/// <remarks>
/// Every value is computed in float with additions, multiplications, divisions and the runtime's own tanh
/// (<see cref="VectorMath.Tanh(float)"/>), and every filter coefficient is a literal, so a seed gives the same bits on every
/// machine and .NET version (no <c>Math.Sin</c>/<c>Math.Exp</c> of the platform's C library).
/// </remarks>
public static class SyntheticAmp
{
    /// <summary>Samples per second of every series.</summary>
    public const int SampleRate = 48_000;

    /// <summary>The largest magnitude <see cref="Guitar"/> can produce: six strings at full strength plus the noise.</summary>
    public const float MaxInput = (Strings * VoiceGain) + NoiseLevel;

    /// <summary>
    /// The largest magnitude the effect can produce, whatever its input:
    /// <see cref="Effect.OutputGain"/>·(1 + tanh(<see cref="Effect.Bias"/>)).
    /// </summary>
    public const float MaxOutput = 0.934f;

    private const int Strings = 6;
    private const float VoiceGain = 0.22f;
    private const float NoiseLevel = 0.002f;

    // The open strings of a guitar in standard tuning, E2 A2 D3 G3 B3 E4, as MIDI notes.
    private static readonly int[] OpenStrings = [40, 45, 50, 55, 59, 64];

    // Triads spread over up to five strings: root, fifth, octave, third, fifth.
    private static readonly int[] Major = [0, 7, 12, 16, 19];
    private static readonly int[] Minor = [0, 7, 12, 15, 19];

    /// <summary>
    /// The input and the target of an amp model: <see cref="Guitar"/>(<paramref name="length"/>, <paramref name="seed"/>)
    /// and the <see cref="Effect"/> applied to it from silence.
    /// </summary>
    /// <param name="length">Samples, at least 1 (48,000 per second).</param>
    /// <param name="seed">Chooses the notes, chords, loudness and noise; at least 0.</param>
    /// <returns>Two new arrays of <paramref name="length"/> samples.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is below 1 or <paramref name="seed"/> below 0.</exception>
    public static (float[] Input, float[] Target) Generate(int length, int seed)
    {
        float[] input = Guitar(length, seed);
        var target = new float[length];
        var effect = default(Effect);
        effect.Process(input, target);
        return (input, target);
    }

    /// <summary>
    /// A guitar-like signal: plucked strings by Karplus–Strong (a noise burst circulating in a delay line one period
    /// long, averaged and damped on every pass), single notes and strummed major and minor chords of three to five
    /// strings at random pitches from E2 to E5, phrases of varying loudness with rests (the strings muted), and a
    /// little noise. Within ±<see cref="MaxInput"/>; typical peaks are about ±0.3.
    /// </summary>
    /// <param name="length">Samples, at least 1 (48,000 per second).</param>
    /// <param name="seed">Chooses everything random; the same seed gives the same bits. At least 0.</param>
    /// <returns>A new array of <paramref name="length"/> samples.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is below 1 or <paramref name="seed"/> below 0.</exception>
    public static float[] Guitar(int length, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(seed);

        var random = new NumPyRandom(seed);
        var strings = new PluckedString[Strings];
        for (int s = 0; s < Strings; s++)
        {
            strings[s] = new PluckedString();
        }

        var output = new float[length];
        int nextEvent = 0;
        int nextPhrase = 0;
        float phraseGain = 1f;
        for (int n = 0; n < length; n++)
        {
            if (n == nextPhrase)
            {
                // Phrases of 1 to 3 s, each with its own loudness, so the effect's envelope sees soft and loud playing.
                phraseGain = Uniform(random, 0.2f, 1f);
                nextPhrase += (int)Uniform(random, 1f * SampleRate, 3f * SampleRate);
            }

            if (n == nextEvent)
            {
                nextEvent += Schedule(random, strings, n, phraseGain);
            }

            float sum = 0f;
            for (int s = 0; s < Strings; s++)
            {
                sum += strings[s].Next(n, random);
            }

            output[n] = (VoiceGain * sum) + (NoiseLevel * Uniform(random, -1f, 1f));
        }

        return output;
    }

    /// <summary>Plucks a note, strums a chord or rests from sample <paramref name="n"/>; returns the samples until the next event.</summary>
    private static int Schedule(NumPyRandom random, PluckedString[] strings, int n, float phraseGain)
    {
        double kind = random.NextDouble();
        if (kind < 0.08)
        {
            foreach (PluckedString s in strings)
            {
                s.Mute();
            }

            return (int)Uniform(random, 0.1f * SampleRate, 0.6f * SampleRate);
        }

        if (kind < 0.65)
        {
            int s = (int)(random.NextDouble() * Strings);
            int fret = (int)(random.NextDouble() * 13);
            strings[s].Pluck(n, OpenStrings[s] + fret, phraseGain * Uniform(random, 0.5f, 1f));
            return (int)Uniform(random, 0.12f * SampleRate, 0.6f * SampleRate);
        }

        // A strummed chord: a root on one of the three lowest strings, the chord's notes on the next strings, each string
        // plucked a few milliseconds after the one before, downwards or upwards.
        int[] shape = random.NextDouble() < 0.5 ? Major : Minor;
        int first = (int)(random.NextDouble() * 3);
        int count = Math.Min(3 + (int)(random.NextDouble() * 3), Strings - first);
        int root = OpenStrings[first] + (int)(random.NextDouble() * 8);
        int gap = (int)Uniform(random, 0.006f * SampleRate, 0.025f * SampleRate);
        bool up = random.NextDouble() < 0.3;
        float strength = phraseGain * Uniform(random, 0.6f, 1f);
        for (int k = 0; k < count; k++)
        {
            int order = up ? count - 1 - k : k;
            strings[first + k].Pluck(n + (order * gap), root + shape[k], strength * Uniform(random, 0.8f, 1f));
        }

        return (int)Uniform(random, 0.4f * SampleRate, 1.5f * SampleRate);
    }

    private static float Uniform(NumPyRandom random, float low, float high) => low + ((high - low) * (float)random.NextDouble());

    /// <summary>One Karplus–Strong string: a delay line of one period, averaged and damped on every pass.</summary>
    private sealed class PluckedString
    {
        // 2^(k/12), k = 0 … 11, from A.
        private static readonly double[] Semitones =
        [
            1.0, 1.0594630943592953, 1.122462048309373, 1.1892071150027210, 1.2599210498948732, 1.3348398541700344,
            1.4142135623730951, 1.4983070768766815, 1.5874010519681994, 1.6817928305074290, 1.7817974362806785, 1.8877486253633868,
        ];

        // The longest period: E2 (82.4 Hz) is 583 samples; the lowest note plucked is E2.
        private readonly float[] _line = new float[600];
        private int _period;
        private int _position;
        private float _damping;

        // A pluck waits here until its sample comes (the strings of a strum start one after another).
        private int _pendingAt = -1;
        private int _pendingNote;
        private float _pendingStrength;

        public void Pluck(int at, int note, float strength)
        {
            _pendingAt = at;
            _pendingNote = note;
            _pendingStrength = strength;
        }

        /// <summary>Damps the string to silence within a few periods, as a palm on the strings does.</summary>
        public void Mute()
        {
            _damping = 0.9f;
            _pendingAt = -1;
        }

        public float Next(int n, NumPyRandom random)
        {
            if (n == _pendingAt)
            {
                Excite(random);
                _pendingAt = -1;
            }

            if (_period == 0)
            {
                return 0f;
            }

            int next = _position + 1 == _period ? 0 : _position + 1;
            float y = _line[_position];

            // The average of two neighbours is the loop's low-pass (high partials die first), the damping its loss. Both
            // shrink magnitudes, so a string never exceeds the strength it was plucked with.
            _line[_position] = _damping * 0.5f * (y + _line[next]);
            _position = next;
            return y;
        }

        private void Excite(NumPyRandom random)
        {
            // Period = sample rate / frequency, frequency = 440·2^((note − 69)/12), rounded to whole samples; the table of
            // 2^(k/12) is exact enough and keeps the platform's pow out of the bits.
            int note = Math.Clamp(_pendingNote, 40, 88);
            int octave = (note - 33) / 12;
            double frequency = 55.0 * (1 << octave) * Semitones[(note - 33) % 12];
            _period = (int)((SampleRate / frequency) + 0.5);
            _position = 0;

            // A low damping on high notes would keep them ringing for ever (they pass the loop more often per second);
            // 0.990–0.998 per pass gives a few seconds at E2 and under a second at E5.
            _damping = Uniform(random, 0.990f, 0.998f);

            // The burst: white noise, softened by a one-pole low-pass whose strength varies like the picking, its mean
            // taken out (no DC thump) and scaled so its peak is the pluck's strength.
            float softness = Uniform(random, 0.1f, 0.7f);
            float state = 0f, mean = 0f;
            for (int i = 0; i < _period; i++)
            {
                state += (1f - softness) * (Uniform(random, -1f, 1f) - state);
                _line[i] = state;
                mean += state;
            }

            mean /= _period;
            float peak = 0f;
            for (int i = 0; i < _period; i++)
            {
                _line[i] -= mean;
                peak = Math.Max(peak, Math.Abs(_line[i]));
            }

            float scale = peak > 0f ? _pendingStrength / peak : 0f;
            for (int i = 0; i < _period; i++)
            {
                _line[i] *= scale;
            }
        }
    }

    /// <summary>
    /// An overdrive with memory, one sample at a time: an envelope follower on the input (2 ms attack, 120 ms release),
    /// a 3.5 kHz Butterworth low-pass (a biquad), and an asymmetric soft clipper
    /// <c>OutputGain·(tanh(drive·v + Bias) − tanh(Bias))</c> whose drive sags as the envelope rises,
    /// <c>drive = Drive / (1 + Sag·envelope)</c>, as a tube amp's supply does under loud playing. The same input sample
    /// comes out differently depending on what was played before it. <c>default</c> is the effect at rest (silence).
    /// </summary>
    public struct Effect
    {
        /// <summary>The clipper's gain at rest (zero envelope).</summary>
        public const float Drive = 4f;

        /// <summary>
        /// How strongly the envelope lowers the drive: typical playing (an envelope near 0.06) halves it, so a model
        /// that ignores the envelope cannot come within 2.5 % ESR of the target whatever drive it settles on.
        /// </summary>
        public const float Sag = 10f;

        /// <summary>The clipper's offset, which makes it asymmetric (even harmonics).</summary>
        public const float Bias = 0.25f;

        /// <summary>Scales the clipper's output into ±<see cref="MaxOutput"/>.</summary>
        public const float OutputGain = 0.75f;

        // 1 − exp(−1 / (τ·48000)) for τ = 2 ms and 120 ms.
        private const float Attack = 0.010362601f;
        private const float Release = 0.00017359604f;

        // RBJ cookbook low-pass, f0 = 3500 Hz, Q = 1/√2, at 48 kHz, normalized by a0.
        private const float B0 = 0.03927923259214919f;
        private const float B1 = 0.07855846518429838f;
        private const float B2 = 0.03927923259214919f;
        private const float A1 = -1.3664078166641995f;
        private const float A2 = 0.5235247470327963f;

        // tanh(Bias) with the same tanh as the clipper, so silence in is exactly silence out.
        private static readonly float TanhBias = VectorMath.Tanh(Bias);

        private float _x1;
        private float _x2;
        private float _y1;
        private float _y2;

        /// <summary>The envelope of the input so far (its recent peak level), which sets the drive.</summary>
        public float Envelope { get; private set; }

        /// <summary>One sample through the effect, updating its state.</summary>
        /// <param name="x">The input sample.</param>
        /// <returns>The output sample, within ±<see cref="MaxOutput"/>.</returns>
        public float Process(float x)
        {
            float level = Math.Abs(x);
            float envelope = Envelope;
            envelope += (level > envelope ? Attack : Release) * (level - envelope);
            Envelope = envelope;
            return Shape(x, envelope);
        }

        /// <summary>
        /// The filter and the clipper with the drive set by <paramref name="envelope"/> instead of the envelope's memory
        /// (which is left alone): what a model without that memory could at best do, for tests.
        /// </summary>
        internal float Shape(float x, float envelope)
        {
            // Direct form I: the filter's state is its past inputs and outputs.
            float v = (B0 * x) + (B1 * _x1) + (B2 * _x2) - (A1 * _y1) - (A2 * _y2);
            _x2 = _x1;
            _x1 = x;
            _y2 = _y1;
            _y1 = v;

            float drive = Drive / (1f + (Sag * envelope));
            return OutputGain * (VectorMath.Tanh((drive * v) + Bias) - TanhBias);
        }

        /// <summary>A block of samples through the effect, the same as <see cref="Process(float)"/> on each in turn.</summary>
        /// <param name="input">The input samples.</param>
        /// <param name="output">As many samples; may be the input itself.</param>
        /// <exception cref="ArgumentException">The lengths differ.</exception>
        public void Process(ReadOnlySpan<float> input, Span<float> output)
        {
            if (input.Length != output.Length)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"output has {output.Length} samples, input {input.Length}; they must be the same."),
                    nameof(output));
            }

            for (int i = 0; i < input.Length; i++)
            {
                output[i] = Process(input[i]);
            }
        }
    }
}
