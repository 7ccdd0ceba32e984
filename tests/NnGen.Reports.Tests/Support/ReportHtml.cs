using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace NnGen.Reports.Tests.Support;

/// <summary>One figure as the HTML file holds it: its attributes and its decoded image.</summary>
internal sealed record HtmlFigure(string Kind, string Run, PlotArea Area, string? Counts, SKBitmap Image)
{
    /// <summary>The confusion matrix's class names (its <c>data-classes</c>), class 0 first; null for other figures.</summary>
    public string[]? Classes { get; init; }
}

/// <summary>Reads the figures back out of a report's HTML, as a browser would find them.</summary>
internal static class ReportHtml
{
    private static readonly Regex FigurePattern = new(
        "<figure data-figure=\"(?<kind>[^\"]*)\" data-run=\"(?<run>[^\"]*)\" data-plot-area=\"(?<area>[^\"]*)\" data-limits=\"(?<limits>[^\"]*)\"(?: data-counts=\"(?<counts>[^\"]*)\")?(?: data-classes=\"(?<classes>[^\"]*)\")?>\\s*<img [^>]*src=\"data:image/png;base64,(?<png>[^\"]*)\">",
        RegexOptions.Compiled);

    public static IReadOnlyList<HtmlFigure> Figures(string html) =>
        FigurePattern.Matches(html).Select(match =>
        {
            double[] area = Numbers(match.Groups["area"].Value);
            double[] limits = Numbers(match.Groups["limits"].Value);
            var plotArea = new PlotArea((float)area[0], (float)area[1], (float)area[2], (float)area[3], limits[0], limits[1], limits[2], limits[3]);
            SKBitmap image = SKBitmap.Decode(Convert.FromBase64String(match.Groups["png"].Value))
                ?? throw new InvalidOperationException("A figure's data URI is not a decodable PNG.");
            string? counts = match.Groups["counts"].Success ? match.Groups["counts"].Value : null;
            return new HtmlFigure(match.Groups["kind"].Value, WebUtility.HtmlDecode(match.Groups["run"].Value), plotArea, counts, image)
            {
                Classes = match.Groups["classes"].Success ? WebUtility.HtmlDecode(match.Groups["classes"].Value).Split(';') : null,
            };
        }).ToList();

    /// <summary>The number of pixels inside the data area that are not (near) white.</summary>
    public static int InkedPixels(HtmlFigure figure)
    {
        int inked = 0;
        PlotArea area = figure.Area;
        for (int y = (int)area.Top + 2; y < (int)area.Bottom - 2; y++)
        {
            for (int x = (int)area.Left + 2; x < (int)area.Right - 2; x++)
            {
                SKColor color = figure.Image.GetPixel(x, y);
                if (color.Red + color.Green + color.Blue < 3 * 235)
                {
                    inked++;
                }
            }
        }

        return inked;
    }

    public static double Distance(SKColor a, ScottPlot.Color b) =>
        Math.Sqrt(Square(a.Red - b.R) + Square(a.Green - b.G) + Square(a.Blue - b.B));

    private static double Square(double value) => value * value;

    private static double[] Numbers(string text) =>
        text.Split(',').Select(part => double.Parse(part, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}
