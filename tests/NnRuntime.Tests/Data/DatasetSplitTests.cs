using System;
using System.Collections.Generic;
using System.Linq;
using NnGen.Data;

namespace NnGen.Tests.Data;

public class DatasetSplitTests
{
    [Fact]
    public void Shuffle_Seed0_OrdersRowsLikeNumPyPermutation()
    {
        // np.random.RandomState(0).permutation(10) with NumPy 1.24.2.
        int[] numpy = [2, 8, 4, 9, 1, 6, 7, 3, 0, 5];
        Dataset data = Indexed([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);

        Dataset shuffled = data.Shuffle(0);

        Assert.Equal(numpy.SelectMany(i => new[] { (float)i, -i }), shuffled.Inputs);
        Assert.Equal(numpy.Select(i => (float)(i % 2)), shuffled.Labels);
        Assert.Equal(data.Inputs, Indexed([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]).Inputs);
    }

    [Fact]
    public void Shuffle_SameSeed_SameOrder_OtherSeed_OtherOrder()
    {
        Dataset data = Indexed(Enumerable.Range(0, 100).Select(i => i % 3).ToArray());

        // Two independent shuffles with one seed: each call draws its own generator, so equal orders show determinism.
        float[] first = data.Shuffle(5).Inputs;
        float[] again = data.Shuffle(5).Inputs;
        float[] otherSeed = data.Shuffle(6).Inputs;

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Split_Stratified_EveryExampleOnceAndEachClassWithinOneOfItsShare()
    {
        int[] classSizes = [50, 30, 20, 7, 1];
        int[] classes = classSizes.SelectMany((size, c) => Enumerable.Repeat(c, size)).ToArray();
        Dataset data = Indexed(Interleave(classes, seed: 3));

        var (train, test) = data.Split(0.25, seed: 11);

        int m = classes.Length;
        int expectedTest = (int)Math.Ceiling(0.25 * m);
        Assert.Equal(expectedTest, test.Count);
        Assert.Equal(m - expectedTest, train.Count);
        AssertPartition(data, train, test);
        for (int c = 0; c < classSizes.Length; c++)
        {
            double share = (double)expectedTest * classSizes[c] / m;
            int inTest = test.Labels.Count(label => label == c);
            Assert.InRange(inTest, Math.Floor(share), Math.Ceiling(share));
        }
    }

    [Fact]
    public void Split_Stratified_PartsAreShuffledNotGroupedByClass()
    {
        Dataset data = Indexed(Enumerable.Range(0, 200).Select(i => i < 100 ? 0 : 1).ToArray());

        var (train, _) = data.Split(0.2, seed: 1);

        // Grouped output would have a single change of class; a shuffled one changes class about every other row.
        int changes = Enumerable.Range(1, train.Count - 1).Count(i => train.Labels[i] != train.Labels[i - 1]);
        Assert.True(changes > 40, $"only {changes} class changes in {train.Count} training rows");
    }

    [Fact]
    public void Split_SameSeed_SameParts_OtherSeed_OtherParts()
    {
        Dataset data = Indexed(Enumerable.Range(0, 60).Select(i => i % 4).ToArray());

        var (trainA, testA) = data.Split(0.3, seed: 2);
        var (trainB, testB) = data.Split(0.3, seed: 2);
        var (_, testC) = data.Split(0.3, seed: 3);

        Assert.Equal(trainA.Inputs, trainB.Inputs);
        Assert.Equal(testA.Inputs, testB.Inputs);
        Assert.NotEqual(testA.Inputs.Order(), testC.Inputs.Order());
    }

    [Fact]
    public void Split_OneHotLabels_SameExamplesAsClassIndexLabels()
    {
        int[] classes = Interleave(Enumerable.Range(0, 90).Select(i => i % 3 == 0 ? 2 : i % 5 == 0 ? 1 : 0).ToArray(), seed: 4);
        Dataset indices = Indexed(classes);
        Dataset oneHot = indices.ToOneHot(3);

        var (trainI, testI) = indices.Split(0.2, seed: 9);
        var (trainH, testH) = oneHot.Split(0.2, seed: 9);

        Assert.Equal(trainI.Inputs, trainH.Inputs);
        Assert.Equal(testI.Inputs, testH.Inputs);
        Assert.Equal(testI.Labels, testH.ToClassIndices().Labels);
    }

    [Fact]
    public void Split_NotStratified_AcceptsRegressionTargetsAndCoversEveryExample()
    {
        float[] inputs = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        float[] targets = inputs.Select(x => (x * 0.37f) - 2.5f).ToArray();
        var data = new Dataset(inputs, 1, targets, 1);

        var (train, test) = data.Split(0.25, seed: 0, stratify: false);

        Assert.Equal(10, test.Count);
        Assert.Equal(inputs, train.Inputs.Concat(test.Inputs).Order());
        for (int i = 0; i < test.Count; i++)
        {
            Assert.Equal((test.Inputs[i] * 0.37f) - 2.5f, test.Labels[i]);
        }
    }

    [Fact]
    public void Split_StratifiedWithRegressionTargets_ThrowsNamingExampleAndWayOut()
    {
        var data = new Dataset([1, 2, 3, 4], 1, [0, 0.5f, 1, 2], 1);

        var exception = Assert.Throws<InvalidOperationException>(() => data.Split(0.5, seed: 0));

        Assert.Equal(
            "Split: labels[1] is 0.5; expected a class index, a whole number from 0. A stratified split needs class labels; pass stratify: false to split labels that are not classes.",
            exception.Message);
    }

    [Fact]
    public void Split_StratifiedWithMultiLabelRows_ThrowsNamingRow()
    {
        var data = new Dataset([1, 2], 1, [1, 0, 1, 0, 1, 0], 3);

        var exception = Assert.Throws<InvalidOperationException>(() => data.Split(0.5, seed: 0));

        Assert.StartsWith("Split: labels row 0 is not one-hot: expected a single 1 and 2 zeros, found 1 at position 2 after a 1 at 0.", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(double.NaN)]
    public void Split_FractionOutsideZeroToOne_Throws(double fraction)
    {
        Dataset data = Indexed([0, 1, 0, 1]);

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(fraction, seed: 0));

        Assert.Equal("testFraction", exception.ParamName);
    }

    [Fact]
    public void Split_TooFewExamplesForFraction_ThrowsGivingBothSizes()
    {
        Dataset data = Indexed([0, 1, 0]);

        var exception = Assert.Throws<ArgumentException>(() => data.Split(0.9, seed: 0));

        Assert.StartsWith("A test fraction of 0.9 of 3 examples gives 3 test and 0 training examples; each part needs at least 1.", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(178, 0.3, 54)]
    [InlineData(178, 0.2, 36)]
    [InlineData(442, 0.25, 111)]
    [InlineData(1797, 0.2, 360)]
    [InlineData(3, 0.1, 1)]
    public void Split_TestPartSize_IsScikitLearnsCeiling(int m, double fraction, int expectedTest)
    {
        // train_test_split(X, test_size=fraction): n_test = ceil(fraction * m) (wine, diabetes, digits sizes).
        Dataset data = Indexed(Enumerable.Range(0, m).Select(i => i % 3).ToArray());

        foreach (bool stratify in (bool[])[true, false])
        {
            var (train, test) = data.Split(fraction, seed: 0, stratify);

            Assert.Equal(expectedTest, test.Count);
            Assert.Equal(m - expectedTest, train.Count);
        }
    }

    [Fact]
    public void StratifiedTestCounts_MatchLargestRemainderReference()
    {
        var random = new Random(12345);
        for (int trial = 0; trial < 500; trial++)
        {
            int[] counts = Enumerable.Range(0, random.Next(2, 12)).Select(_ => random.Next(1, 60)).ToArray();
            int m = counts.Sum();
            int t = random.Next(1, m);

            int[] quotas = Dataset.StratifiedTestCounts(counts, t);

            // Reference: exact shares as fractions t·m_c/m; floors, then the largest fractional parts (lower class on ties).
            int[] expected = counts.Select(c => t * c / m).ToArray();
            foreach (int c in Enumerable.Range(0, counts.Length).OrderByDescending(c => (t * counts[c]) % m).ThenBy(c => c).Take(t - expected.Sum()))
            {
                expected[c]++;
            }

            Assert.Equal(expected, quotas);
            Assert.Equal(t, quotas.Sum());
        }
    }

    [Fact]
    public void Select_CopiesRowsInOrderAndRejectsBadIndices()
    {
        Dataset data = Indexed([0, 1, 2, 0]);

        Dataset picked = data.Select([3, 0, 3]);

        Assert.Equal([3f, -3f, 0f, -0f, 3f, -3f], picked.Inputs);
        Assert.Equal([0f, 0f, 0f], picked.Labels);
        Assert.Equal("indices[1] is 4; expected a row from 0 to 3. (Parameter 'indices')", Assert.Throws<ArgumentException>(() => data.Select([0, 4])).Message);
        Assert.Throws<ArgumentException>(() => data.Select([]));
    }

    [Fact]
    public void SplitAndShuffle_KeepClassNames()
    {
        float[] labels = Enumerable.Range(0, 20).Select(i => (float)(i % 2)).ToArray();
        var data = new Dataset(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 1, labels, 1, ["no", "yes"]);

        var (train, test) = data.Shuffle(1).Split(0.5, seed: 1);

        Assert.Equal(["no", "yes"], train.ClassNames!);
        Assert.Equal(["no", "yes"], test.ClassNames!);
    }

    /// <summary>Example i has inputs (i, −i) and label classes[i], so every row can be traced back to its origin.</summary>
    internal static Dataset Indexed(int[] classes) =>
        new(classes.SelectMany((_, i) => new[] { (float)i, -i }).ToArray(), 2, classes.Select(c => (float)c).ToArray(), 1);

    private static int[] Interleave(int[] classes, int seed)
    {
        int[] copy = (int[])classes.Clone();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    private static void AssertPartition(Dataset data, Dataset train, Dataset test)
    {
        var seen = new HashSet<int>();
        foreach (Dataset part in new[] { train, test })
        {
            for (int row = 0; row < part.Count; row++)
            {
                int origin = (int)part.Inputs[row * 2];
                Assert.True(seen.Add(origin), $"example {origin} appears twice");
                Assert.Equal(data.Inputs.AsSpan(origin * 2, 2).ToArray(), part.Inputs.AsSpan(row * 2, 2).ToArray());
                Assert.Equal(data.Labels[origin], part.Labels[row]);
            }
        }

        Assert.Equal(data.Count, seen.Count);
    }
}
