using System;
using System.Collections.Generic;

namespace NnGen.Reports;

/// <summary>What a figure of a report shows; also its <c>data-figure</c> attribute in the HTML.</summary>
public enum FigureKind
{
    /// <summary>The cost J per recorded iteration, training and (when recorded) validation.</summary>
    Cost,

    /// <summary>Accuracy on the validation data per recorded iteration or epoch, for classifiers.</summary>
    Accuracy,

    /// <summary>The class a two-input network predicts over the plane, with the data points on top.</summary>
    DecisionBoundary,

    /// <summary>Counts of (true class, predicted class) pairs.</summary>
    ConfusionMatrix,

    /// <summary>R² on the validation data per recorded iteration or epoch, for regression networks.</summary>
    RSquared,

    /// <summary>A regression network's predictions against the labels, with the diagonal where they agree.</summary>
    PredictedActual,
}

/// <summary>
/// Where the data area of a rendered figure sits in its image and which coordinates its edges stand for, so a pixel
/// can be mapped back to the value plotted there (the tests check the decision boundary this way).
/// </summary>
/// <param name="Left">Pixel column of the data area's left edge.</param>
/// <param name="Top">Pixel row of the data area's top edge.</param>
/// <param name="Right">Pixel column of the data area's right edge.</param>
/// <param name="Bottom">Pixel row of the data area's bottom edge.</param>
/// <param name="XMin">The x value at <paramref name="Left"/>.</param>
/// <param name="XMax">The x value at <paramref name="Right"/>.</param>
/// <param name="YMin">The y value at <paramref name="Bottom"/>.</param>
/// <param name="YMax">The y value at <paramref name="Top"/>.</param>
public readonly record struct PlotArea(float Left, float Top, float Right, float Bottom, double XMin, double XMax, double YMin, double YMax)
{
    /// <summary>The pixel (column, row) at which the point (x, y) is drawn.</summary>
    public (double Column, double Row) ToPixel(double x, double y) =>
        (Left + ((x - XMin) / (XMax - XMin) * (Right - Left)), Bottom - ((y - YMin) / (YMax - YMin) * (Bottom - Top)));
}

/// <summary>One rendered figure of a report: a PNG image and what it shows.</summary>
public sealed class ReportFigure
{
    internal ReportFigure(FigureKind kind, string run, string caption, byte[] png, int width, int height, PlotArea area, long[,]? counts = null, IReadOnlyList<string>? classNames = null)
    {
        Counts = counts;
        ClassNames = classNames;
        Kind = kind;
        Run = run;
        Caption = caption;
        Png = png;
        Width = width;
        Height = height;
        Area = area;
    }

    /// <summary>What the figure shows.</summary>
    public FigureKind Kind { get; }

    /// <summary>The run it belongs to (<see cref="ReportRun.Name"/>), or empty for a figure over every run.</summary>
    public string Run { get; }

    /// <summary>The sentence under the figure.</summary>
    public string Caption { get; }

    /// <summary>The image, PNG-encoded.</summary>
    public byte[] Png { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>The data area and its coordinates.</summary>
    public PlotArea Area { get; }

    /// <summary>For a <see cref="FigureKind.ConfusionMatrix"/>: the counts drawn, [true class, predicted class]; otherwise null.</summary>
    public long[,]? Counts { get; }

    /// <summary>For a <see cref="FigureKind.ConfusionMatrix"/>: the class names on its axes, class 0 first; otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image as a <c>data:</c> URI, so the HTML needs no other file.</summary>
    public string DataUri => "data:image/png;base64," + Convert.ToBase64String(Png);
}
