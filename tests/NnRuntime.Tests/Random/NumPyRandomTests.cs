using System;

// Not "NnGen.Tests.Random": a namespace of that name would shadow System.Random in every other NnGen.Tests.* file.
namespace NnGen.Tests.Randomness;

// Expected values were produced with NumPy 1.24.2 (Debian 12 python3-numpy), legacy RandomState, printed with repr().
public class NumPyRandomTests
{
    [Fact]
    public void NextGaussian_Seed1_MatchesNumPyRandn()
    {
        var random = new NumPyRandom(1);
        double[] expected = [1.6243453636632417, -0.6117564136500754, -0.5281717522634557, -1.0729686221561705, 0.8654076293246785];
        foreach (double value in expected)
        {
            Assert.Equal(value, random.NextGaussian());
        }
    }

    [Fact]
    public void NextGaussian_Seed2_MatchesNumPyRandn()
    {
        // np.random.seed(2); randn(8): the draws behind the course's week-3 W1 (4x2).
        var random = new NumPyRandom(2);
        double[] expected =
        [
            -0.4167578474054706, -0.056266827226329474, -2.136196095668454, 1.6402708084049886,
            -1.7934355851948631, -0.841747365656204, 0.5028814171580428, -1.2452880866072316,
        ];
        foreach (double value in expected)
        {
            Assert.Equal(value, random.NextGaussian());
        }
    }

    [Theory]
    [InlineData(623, -0.03966870009048212)]
    [InlineData(624, 0.8858257989659072)]
    [InlineData(5000, -0.9247552836219404)]
    [InlineData(10000, -0.12247390649231404)]
    public void NextGaussian_Seed1_FarIntoTheStream_MatchesNumPyRandn(int index, double expected)
    {
        // randn(10001)[index]: spans many regenerations of the 624-word state.
        var random = new NumPyRandom(1);
        for (int i = 0; i < index; i++)
        {
            random.NextGaussian();
        }

        Assert.Equal(expected, random.NextGaussian());
    }

    [Fact]
    public void NextDouble_Seed0_MatchesNumPyRandomSample()
    {
        var random = new NumPyRandom(0);
        Assert.Equal(0.5488135039273248, random.NextDouble());
        Assert.Equal(0.7151893663724195, random.NextDouble());
        Assert.Equal(0.6027633760716439, random.NextDouble());
        for (int i = 3; i < 999; i++)
        {
            random.NextDouble();
        }

        Assert.Equal(0.6771411441114241, random.NextDouble());
    }

    [Fact]
    public void NextUInt32_Seed5489_MatchesReferenceMt19937()
    {
        // 5489 is the reference seed of MT19937; C++ requires std::mt19937's 10000th output to be 4123659995.
        var random = new NumPyRandom(5489);
        Assert.Equal(3499211612U, random.NextUInt32());
        Assert.Equal(581869302U, random.NextUInt32());
        Assert.Equal(3890346734U, random.NextUInt32());
        for (int i = 3; i < 9999; i++)
        {
            random.NextUInt32();
        }

        Assert.Equal(4123659995U, random.NextUInt32());
    }

    [Fact]
    public void NextUInt32_LargestSeed_MatchesNumPy()
    {
        // RandomState(2**31 - 1).randint(0, 2**32, size=2, dtype=np.uint32), then randn(): seeding wraps mod 2**32.
        var random = new NumPyRandom(int.MaxValue);
        Assert.Equal(1689602031U, random.NextUInt32());
        Assert.Equal(3831148394U, random.NextUInt32());
        Assert.Equal(-0.6544848986833364, random.NextGaussian());
    }

    [Fact]
    public void NextGaussian_InterleavedWithNextDouble_ReturnsCachedSecondValue()
    {
        // numpy: rs = RandomState(3); rs.randn(), rs.random_sample(), rs.randn(), rs.randn()
        var random = new NumPyRandom(3);
        Assert.Equal(1.7886284734303186, random.NextGaussian());
        Assert.Equal(0.2909047389129443, random.NextDouble());
        Assert.Equal(0.43650985051198943, random.NextGaussian());
        Assert.Equal(0.9805538702908831, random.NextGaussian());
    }

    [Theory]
    [InlineData(0, new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 })]
    [InlineData(1, new[] { 2, 9, 6, 4, 0, 3, 1, 7, 8, 5 })]
    [InlineData(42, new[] { 8, 1, 5, 0, 7, 2, 9, 4, 3, 6 })]
    public void Permutation_Ten_MatchesNumPyPermutation(int seed, int[] expected)
    {
        Assert.Equal(expected, new NumPyRandom(seed).Permutation(10));
    }

    [Fact]
    public void Permutation_Thousand_MatchesNumPyAndLeavesStreamInStep()
    {
        var random = new NumPyRandom(7);
        int[] permutation = random.Permutation(1000);
        Assert.Equal([778, 334, 271, 802, 216, 408, 812, 94], permutation[..8]);
        Assert.Equal([579, 502, 537, 196, 175], permutation[^5..]);
        Assert.Equal(0.6387323162306459, random.NextDouble());

        Array.Sort(permutation);
        for (int i = 0; i < permutation.Length; i++)
        {
            Assert.Equal(i, permutation[i]);
        }
    }

    [Fact]
    public void Shuffle_ReferenceElements_MatchesNumPyShuffle()
    {
        // numpy: rs = RandomState(5); x = list(range(6)); rs.shuffle(x) -> [5, 2, 4, 1, 0, 3]
        string[] values = ["0", "1", "2", "3", "4", "5"];
        new NumPyRandom(5).Shuffle<string>(values);
        Assert.Equal(["5", "2", "4", "1", "0", "3"], values);
    }

    [Fact]
    public void Shuffle_ZeroOrOneElement_ConsumesNoRandomNumbers()
    {
        var random = new NumPyRandom(4);
        random.Shuffle(Span<int>.Empty);
        random.Shuffle<int>([42]);
        Assert.Equal(0.9670298390136767, random.NextDouble());
    }

    [Fact]
    public void Constructor_NegativeSeed_ThrowsArgumentOutOfRange()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new NumPyRandom(-1));
        Assert.Equal("seed", exception.ParamName);
        Assert.Contains("negative", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Permutation_Zero_ReturnsEmpty()
    {
        Assert.Empty(new NumPyRandom(0).Permutation(0));
    }

    [Fact]
    public void Permutation_NegativeCount_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NumPyRandom(0).Permutation(-1));
    }
}
