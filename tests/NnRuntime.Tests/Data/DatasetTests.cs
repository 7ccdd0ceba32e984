using System;
using NnGen.Data;

namespace NnGen.Tests.Data;

public class DatasetTests
{
    [Fact]
    public void Constructor_ConsistentArrays_ExposesShapeAndKeepsArrays()
    {
        float[] inputs = [1, 2, 3, 4, 5, 6];
        float[] labels = [0, 1, 0];
        var dataset = new Dataset(inputs, 2, labels, 1);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(2, dataset.InputSize);
        Assert.Equal(1, dataset.LabelSize);
        Assert.Same(inputs, dataset.Inputs);
        Assert.Same(labels, dataset.Labels);
    }

    [Fact]
    public void Constructor_InputsNotWholeRows_ThrowsNamingSizes()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset(new float[5], 2, new float[2], 1));
        Assert.Equal("inputs", exception.ParamName);
        Assert.Contains("5 floats", exception.Message, StringComparison.Ordinal);
        Assert.Contains("inputSize 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LabelsForOtherCount_ThrowsNamingExpectedLength()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 2, new float[4], 1));
        Assert.Equal("labels", exception.ParamName);
        Assert.Contains("labels has 4 floats; expected 3 (3 examples x labelSize 1)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new Dataset([], 2, [], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[2], 0, new float[2], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[2], 1, new float[2], 0));
        Assert.Throws<ArgumentNullException>(() => new Dataset(null!, 1, new float[2], 1));
        Assert.Throws<ArgumentNullException>(() => new Dataset(new float[2], 1, null!, 1));
    }
}
