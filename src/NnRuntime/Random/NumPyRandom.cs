using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// A bit-exact port of NumPy's legacy <c>np.random.RandomState(seed)</c> (the generator behind
/// <c>np.random.seed</c>, <c>randn</c>, <c>random_sample</c>, <c>shuffle</c> and <c>permutation</c>), so that a network
/// initialized here starts from exactly the weights the course's notebooks print and its cost traces can be reproduced.
/// </summary>
/// <remarks>
/// The generator is MT19937 seeded with <c>init_genrand</c>, the way <c>RandomState(int)</c> seeds it. Every method
/// consumes the 32-bit stream in the same order as its NumPy counterpart, including the cached second value of the
/// polar Box–Muller method, so calls may be interleaved exactly as in Python. Instances are not thread-safe.
/// </remarks>
public sealed class NumPyRandom
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private const uint MatrixA = 0x9908b0dfU;
    private const uint UpperMask = 0x80000000U;
    private const uint LowerMask = 0x7fffffffU;

    private readonly uint[] _state = new uint[StateLength];
    private int _position;
    private bool _hasGaussian;
    private double _gaussian;

    /// <summary>Creates a generator in the state of <c>np.random.RandomState(seed)</c> or just after <c>np.random.seed(seed)</c>.</summary>
    /// <param name="seed">The seed, at least 0 (NumPy rejects negative seeds).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seed"/> is negative.</exception>
    public NumPyRandom(int seed)
    {
        if (seed < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(seed),
                seed,
                string.Create(CultureInfo.InvariantCulture, $"NumPy seeds must be between 0 and 2**32 - 1; {seed} is negative."));
        }

        // init_genrand: the 32-bit seed fills the state through Knuth's multiplier; uint arithmetic wraps mod 2**32
        // exactly like the C code's "& 0xffffffff".
        uint value = (uint)seed;
        for (int i = 0; i < StateLength; i++)
        {
            _state[i] = value;
            value = (1812433253U * (value ^ (value >> 30))) + (uint)i + 1;
        }

        _position = StateLength;
    }

    /// <summary>The next raw 32-bit output of the twister (NumPy's <c>next_uint32</c> of the legacy bit generator).</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
        {
            Regenerate();
        }

        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A uniform double in [0, 1) with 53 random bits, identical to <c>random_sample()</c> / <c>rand()</c>.
    /// Consumes two 32-bit outputs.
    /// </summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary>
    /// A standard normal sample identical to legacy <c>randn()</c> / <c>standard_normal()</c>: the polar Box–Muller
    /// method, which produces two values per accepted pair and returns the cached one on the next call.
    /// </summary>
    public double NextGaussian()
    {
        if (_hasGaussian)
        {
            _hasGaussian = false;
            double cached = _gaussian;
            _gaussian = 0.0;
            return cached;
        }

        double x1, x2, r2;
        do
        {
            x1 = (2.0 * NextDouble()) - 1.0;
            x2 = (2.0 * NextDouble()) - 1.0;
            r2 = (x1 * x1) + (x2 * x2);
        }
        while (r2 >= 1.0 || r2 == 0.0);

        // Same operation order as legacy_gauss, so the rounding (and hence every bit) matches.
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _gaussian = f * x1;
        _hasGaussian = true;
        return f * x2;
    }

    /// <summary>
    /// Shuffles <paramref name="values"/> in place exactly like legacy <c>RandomState.shuffle</c> on a 1-d array:
    /// Fisher–Yates from the last element down, each index drawn by masked rejection sampling.
    /// </summary>
    /// <typeparam name="T">The element type; only the order of the elements changes.</typeparam>
    /// <param name="values">The elements to permute; spans of length 0 or 1 consume no random numbers.</param>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)NextInterval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>
    /// A random permutation of 0 … <paramref name="count"/> − 1, identical to legacy <c>permutation(count)</c>
    /// (the course's mini-batch shuffling uses <c>np.random.permutation(m)</c>).
    /// </summary>
    /// <param name="count">How many indices to permute; at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public int[] Permutation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var indices = new int[count];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        Shuffle<int>(indices);
        return indices;
    }

    /// <summary>A uniform integer in [0, max] by NumPy's <c>random_interval</c>: 32-bit draws masked to the smallest covering power of two, rejected above max.</summary>
    internal uint NextInterval(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;

        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }

        return value;
    }

    private void Regenerate()
    {
        uint[] mt = _state;
        uint y;
        int i = 0;
        for (; i < StateLength - Shift; i++)
        {
            y = (mt[i] & UpperMask) | (mt[i + 1] & LowerMask);
            mt[i] = mt[i + Shift] ^ (y >> 1) ^ ((0U - (y & 1U)) & MatrixA);
        }

        for (; i < StateLength - 1; i++)
        {
            y = (mt[i] & UpperMask) | (mt[i + 1] & LowerMask);
            mt[i] = mt[i + Shift - StateLength] ^ (y >> 1) ^ ((0U - (y & 1U)) & MatrixA);
        }

        y = (mt[StateLength - 1] & UpperMask) | (mt[0] & LowerMask);
        mt[StateLength - 1] = mt[Shift - 1] ^ (y >> 1) ^ ((0U - (y & 1U)) & MatrixA);
        _position = 0;
    }
}
