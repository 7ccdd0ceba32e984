using System;
using System.Linq;
using NnGen.Data;

namespace NnGen.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void Encode_ClassIndices_WritesIdentityRows()
    {
        var destination = new float[4 * 3];
        destination.AsSpan().Fill(7f);

        OneHot.Encode([2, 0, 1, 2], 3, destination);

        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], destination);
    }

    [Fact]
    public void Encode_FloatIndices_EqualsIntegerEncoding()
    {
        int[] classes = Enumerable.Range(0, 50).Select(i => (i * 7) % 10).ToArray();
        var fromInts = new float[500];
        var fromFloats = new float[500];

        OneHot.Encode(classes, 10, fromInts);
        OneHot.Encode(classes.Select(c => (float)c).ToArray(), 10, fromFloats);

        Assert.Equal(fromInts, fromFloats);
        for (int i = 0; i < classes.Length; i++)
        {
            Assert.Equal(1f, fromInts[(i * 10) + classes[i]]);
            Assert.Equal(1f, fromInts.AsSpan(i * 10, 10).ToArray().Sum());
        }
    }

    [Fact]
    public void Encode_IndexBeyondClasses_ThrowsLikeTheIssueAndWritesNothing()
    {
        var destination = new float[3 * 10];
        var ints = Assert.Throws<ArgumentException>(() => OneHot.Encode([1, 2, 12], 10, destination));
        var floats = Assert.Throws<ArgumentException>(() => OneHot.Encode([1f, 2f, 12f], 10, destination));

        Assert.StartsWith("classIndices[2] is 12, but there are 10 classes (0 to 9).", ints.Message, StringComparison.Ordinal);
        Assert.StartsWith("classIndices[2] is 12, but there are 10 classes (0 to 9).", floats.Message, StringComparison.Ordinal);
        Assert.All(destination, value => Assert.Equal(0f, value));
    }

    [Theory]
    [InlineData(-1f, "classIndices[0] is -1; expected a class index, a whole number from 0 to 2.")]
    [InlineData(1.5f, "classIndices[0] is 1.5; expected a class index, a whole number from 0 to 2.")]
    [InlineData(float.NaN, "classIndices[0] is NaN; expected a class index, a whole number from 0 to 2.")]
    public void Encode_FloatThatIsNoClass_ThrowsNamingValue(float label, string message)
    {
        var exception = Assert.Throws<ArgumentException>(() => OneHot.Encode([label], 3, new float[3]));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Encode_WrongDestinationLength_ThrowsNamingSizes()
    {
        var exception = Assert.Throws<ArgumentException>(() => OneHot.Encode([0, 1], 3, new float[5]));

        Assert.StartsWith("destination has 5 floats; expected 6 (2 examples x 3 classes).", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgMax_PicksLargestAndFirstOnTies()
    {
        float[] scores = [0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0f, -3f, -1f, -2f];
        var classes = new int[3];

        OneHot.ArgMax(scores, 3, classes);

        Assert.Equal([1, 0, 1], classes);
        Assert.Throws<ArgumentException>(() => OneHot.ArgMax(scores, 3, new int[2]));
    }

    [Fact]
    public void DatasetToOneHotAndBack_RoundTripsAndKeepsInputs()
    {
        var data = new Dataset([1, 2, 3, 4, 5, 6], 2, [2, 0, 1], 1, ["a", "b", "c"]);

        Dataset oneHot = data.ToOneHot();
        Dataset back = oneHot.ToClassIndices();

        Assert.Equal(3, oneHot.LabelSize);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], oneHot.Labels);
        Assert.Same(data.Inputs, oneHot.Inputs);
        Assert.Equal(data.Labels, back.Labels);
        Assert.Equal([2, 0, 1], oneHot.ClassIndices());
        Assert.Equal(["a", "b", "c"], back.ClassNames!);
    }

    [Fact]
    public void DatasetToOneHot_WithoutNamesOrOnOneHot_ThrowsSayingWhy()
    {
        var indices = new Dataset([1, 2], 1, [0, 1], 1);
        var oneHot = new Dataset([1, 2], 1, [1, 0, 0, 1], 2);

        Assert.Contains("call ToOneHot(classCount)", Assert.Throws<InvalidOperationException>(() => indices.ToOneHot()).Message, StringComparison.Ordinal);
        Assert.Contains("they may already be one-hot", Assert.Throws<InvalidOperationException>(() => oneHot.ToOneHot(2)).Message, StringComparison.Ordinal);
        Assert.Contains("already have 1 float per example", Assert.Throws<InvalidOperationException>(() => indices.ToClassIndices()).Message, StringComparison.Ordinal);
        Assert.Equal(
            "ToOneHot: labels[1] is 2, but there are 2 classes (0 to 1).",
            Assert.Throws<InvalidOperationException>(() => new Dataset([1, 2], 1, [0, 2], 1).ToOneHot(2)).Message);
    }

    [Fact]
    public void DatasetConstructor_LabelBeyondClassNames_ThrowsNamingExample()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset([1, 2, 3], 1, [0, 1, 2], 1, ["a", "b"]));

        Assert.Equal("labels[2] is 2, but there are 2 classes (0 to 1).", exception.Message);
    }

    [Fact]
    public void DatasetConstructor_BadClassNames_Throw()
    {
        Assert.Contains("also class 0", Assert.Throws<ArgumentException>(() => new Dataset([1], 1, [0], 1, ["a", "a"])).Message, StringComparison.Ordinal);
        Assert.Contains("expected 1 (class indices) or 2 (one-hot rows)", Assert.Throws<ArgumentException>(() => new Dataset([1], 1, [0, 0, 1], 3, ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Contains("at least 2 classes", Assert.Throws<ArgumentException>(() => new Dataset([1], 1, [0], 1, ["a"])).Message, StringComparison.Ordinal);
    }
}
