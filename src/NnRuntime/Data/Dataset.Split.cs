using System;
using System.Globalization;

namespace NnGen.Data;

public sealed partial class Dataset
{
    /// <summary>
    /// A copy with the examples in a random order: row i of the result is row p[i] of this data set, where p is
    /// <c>np.random.RandomState(seed).permutation(m)</c> (<see cref="NumPyRandom.Permutation"/>), so NumPy's
    /// <c>X[p], Y[p]</c> gives the same rows.
    /// </summary>
    /// <param name="seed">The NumPy seed, at least 0; the same seed always gives the same order.</param>
    /// <returns>A new data set with the same sizes and class names.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seed"/> is negative.</exception>
    public Dataset Shuffle(int seed) => Select(new NumPyRandom(seed).Permutation(Count));

    /// <summary>
    /// Splits the examples into two disjoint data sets that together hold each example once: a test (or validation) part
    /// of ⌈<paramref name="testFraction"/> · m⌉ examples (scikit-learn's <c>train_test_split</c> count, so 0.3 of 178
    /// examples gives 54) and a training part of the rest. Stratified by default, so
    /// each class is represented in both parts in the proportion it has here. Call it twice for train / validation /
    /// test: <c>var (rest, test) = data.Split(0.2, seed); var (train, validation) = rest.Split(0.1, seed);</c>.
    /// </summary>
    /// <param name="testFraction">The share of examples in the second part, strictly between 0 and 1.</param>
    /// <param name="seed">The NumPy seed, at least 0; the same seed and data always give the same split.</param>
    /// <param name="stratify">
    /// True to split each class separately (needs class labels: a whole number from 0 per example, or one-hot rows);
    /// false for a plain random split (regression targets, multi-label rows).
    /// </param>
    /// <returns>
    /// The training and test parts, each in a random order (classes interleaved, ready for mini-batches), with the
    /// sizes and class names of this data set.
    /// </returns>
    /// <remarks>
    /// The test part gets t = ⌈f·m⌉ examples, f·m computed in double as scikit-learn does. Stratified, class c with m_c examples gets
    /// ⌊t·m_c/m⌋ of them, and the t − Σ⌊t·m_c/m⌋ examples left over go one each to the classes with the largest remainders
    /// (t·m_c mod m; ties to the lower class), so every class's test count is within 1 of its exact share t·m_c/m and the
    /// total is exactly t. Random choices come from one <see cref="NumPyRandom"/>(<paramref name="seed"/>): each class's
    /// examples (in data set order) are shuffled and the first ones go to the test part; then both parts are shuffled.
    /// A class with a single example ends up in one part only.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="testFraction"/> is not strictly between 0 and 1, or <paramref name="seed"/> is negative.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// One part would be empty (too few examples for the fraction; the message gives both sizes).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="stratify"/> is true and a label is not a class (the message names the example and suggests
    /// <c>stratify: false</c>).
    /// </exception>
    public (Dataset Train, Dataset Test) Split(double testFraction, int seed, bool stratify = true)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        // scikit-learn's _validate_shuffle_split: n_test = ceil(test_size * n_samples), the product in double.
        int testCount = (int)Math.Ceiling(testFraction * Count);
        if (testCount == 0 || testCount == Count)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A test fraction of {testFraction:R} of {Count} examples gives {testCount} test and {Count - testCount} training examples; each part needs at least 1."),
                nameof(testFraction));
        }

        var random = new NumPyRandom(seed);
        var test = new int[testCount];
        var train = new int[Count - testCount];
        if (stratify)
        {
            FillStratified(random, train, test);
        }
        else
        {
            int[] order = random.Permutation(Count);
            order.AsSpan(0, testCount).CopyTo(test);
            order.AsSpan(testCount).CopyTo(train);
        }

        random.Shuffle<int>(train);
        random.Shuffle<int>(test);
        return (Select(train), Select(test));
    }

    /// <summary>
    /// How many of each class's examples a stratified split puts in a test part of <paramref name="testCount"/>:
    /// the floor of each exact share, then one more for the largest remainders (ties to the lower class).
    /// </summary>
    internal static int[] StratifiedTestCounts(ReadOnlySpan<int> classCounts, int testCount)
    {
        long total = 0;
        foreach (int count in classCounts)
        {
            total += count;
        }

        var quotas = new int[classCounts.Length];
        var remainders = new long[classCounts.Length];
        long assigned = 0;
        for (int c = 0; c < classCounts.Length; c++)
        {
            long share = (long)testCount * classCounts[c];
            quotas[c] = (int)(share / total);
            remainders[c] = share % total;
            assigned += quotas[c];
        }

        // Σ⌊share/total⌋ > testCount − (number of classes), so fewer left-overs than classes: each goes to a different
        // class, and a class with a positive remainder has quota < its count, so it has an example to give.
        for (long left = testCount - assigned; left > 0; left--)
        {
            int best = -1;
            for (int c = 0; c < remainders.Length; c++)
            {
                if (remainders[c] > 0 && (best < 0 || remainders[c] > remainders[best]))
                {
                    best = c;
                }
            }

            quotas[best]++;
            remainders[best] = 0;
        }

        return quotas;
    }

    private void FillStratified(NumPyRandom random, Span<int> train, Span<int> test)
    {
        var classes = new int[Count];
        try
        {
            ReadClassIndices(classes, nameof(Split));
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException(
                exception.Message + " A stratified split needs class labels; pass stratify: false to split labels that are not classes.",
                exception);
        }

        int classCount = ClassNames?.Count ?? 0;
        foreach (int c in classes)
        {
            classCount = Math.Max(classCount, c + 1);
        }

        // Counting sort by class keeps each class's examples in data set order before its shuffle.
        var classCounts = new int[classCount];
        foreach (int c in classes)
        {
            classCounts[c]++;
        }

        var starts = new int[classCount + 1];
        for (int c = 0; c < classCount; c++)
        {
            starts[c + 1] = starts[c] + classCounts[c];
        }

        var byClass = new int[Count];
        var next = (int[])starts.Clone();
        for (int i = 0; i < classes.Length; i++)
        {
            byClass[next[classes[i]]++] = i;
        }

        int[] testCounts = StratifiedTestCounts(classCounts, test.Length);
        int testFilled = 0;
        int trainFilled = 0;
        for (int c = 0; c < classCount; c++)
        {
            Span<int> members = byClass.AsSpan(starts[c], classCounts[c]);
            random.Shuffle(members);
            members[..testCounts[c]].CopyTo(test[testFilled..]);
            members[testCounts[c]..].CopyTo(train[trainFilled..]);
            testFilled += testCounts[c];
            trainFilled += classCounts[c] - testCounts[c];
        }
    }
}
