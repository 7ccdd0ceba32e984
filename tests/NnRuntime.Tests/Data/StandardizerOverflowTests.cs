using System;
using NnGen.Data;

namespace NnGen.Tests.Data;

/// <summary>Issue 21: finite training values far apart must not standardize to infinities.</summary>
public sealed class StandardizerOverflowTests
{
    [Fact]
    public void Fit_FiniteValuesNearFloatMaxOnBothSides_RefusedNamingTheColumn()
    {
        // Column 1: the mean is about -1e38, so 3e38 - mean overflows float.
        float[] rows = [0f, 3e38f, 1f, -3e38f, 2f, -3e38f];

        var error = Assert.Throws<ArgumentException>(() => Standardizer.Fit(rows, columns: 2));

        Assert.StartsWith("column 1 holds values from -3E+38 to 3E+38 around a mean of -1E+38: (x - mean) / scale, computed in float, overflows at its extremes", error.Message, StringComparison.Ordinal);
        Assert.Equal("rows", error.ParamName);
    }

    [Fact]
    public void Fit_LargeButRepresentableSpread_TrainingRowsStayFinite()
    {
        float[] rows = [1.5e38f, -1.5e38f, 1.6e38f, -1.6e38f, 3e38f];
        Standardizer standardizer = Standardizer.Fit(rows, columns: 1);

        standardizer.Transform(rows);

        Assert.All(rows, value => Assert.True(float.IsFinite(value), $"{value} is not finite"));
    }
}
