using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NnGen.Reports.Tests.Support;
using SkiaSharp;

namespace NnGen.Reports.Tests;

/// <summary>
/// Each report opened the way a person opens it: headless Chromium loads the file, the page's own check counts the
/// figures that decoded, nothing is written to the console (a blocked external request or a script error would be), and
/// a screenshot of the page is kept in artifacts/reports for a person to look at.
/// </summary>
public sealed class ReportInBrowserTests
{
    [ChromiumFact]
    public void PlanarReport_OpensWithEveryFigureDrawnAndNothingLogged()
    {
        RenderedReport rendered = SampleReports.PlanarReport().Render();
        SKBitmap screenshot = OpenAndCheck("planar-report", rendered, ["cost", "decision-boundary", "decision-boundary", "confusion-matrix", "confusion-matrix"], height: 2700);

        // Both decision boundaries are on the page as drawn: large areas of each class's tint.
        int red = CountNear(screenshot, Figures.RegionColors[0]);
        int blue = CountNear(screenshot, Figures.RegionColors[1]);
        Assert.True(red > 20_000 && blue > 20_000, $"The screenshot shows {red} pixels of class 0's region colour and {blue} of class 1's.");
    }

    [ChromiumFact("catvnoncat/train.csv", "catvnoncat/test.csv")]
    public void CatReport_OpensWithEveryFigureDrawnAndNothingLogged()
    {
        RenderedReport rendered = SampleReports.CatReport().Report.Render();
        OpenAndCheck("cat-report", rendered, ["cost", "accuracy", "confusion-matrix"], height: 2200);
    }

    [ChromiumFact]
    public void BrokenFigure_IsCountedAndLoggedByThePage()
    {
        // The check must be able to fail: a figure whose data is not an image decodes to nothing.
        RenderedReport rendered = SampleReports.PlanarReport().Render();
        string broken = Regex.Replace(rendered.Html, "base64,[^\"]*", "base64,AAAA", RegexOptions.None, TimeSpan.FromSeconds(10));
        string path = Path.Combine(Repository.Artifacts(), "broken-report.html");
        File.WriteAllText(path, broken);

        (string dom, var console) = Chromium.DumpDom(path);

        Assert.Contains("data-figures-loaded=\"0\"", dom, StringComparison.Ordinal);
        Assert.Equal(rendered.Figures.Count, console.Count(line => line.Contains("figure did not load", StringComparison.Ordinal)));
    }

    private static SKBitmap OpenAndCheck(string name, RenderedReport rendered, string[] expectedFigures, int height)
    {
        Assert.Equal(expectedFigures, rendered.Figures.Select(figure => HtmlPage.KindName(figure.Kind)));
        string directory = Repository.Artifacts();
        string htmlPath = Path.Combine(directory, name + ".html");
        File.WriteAllText(htmlPath, rendered.Html);

        (string dom, var console) = Chromium.DumpDom(htmlPath);
        Assert.True(console.Count == 0, "The page logged:\n" + string.Join("\n", console));
        Assert.Contains($"data-figures-loaded=\"{expectedFigures.Length}\"", dom, StringComparison.Ordinal);
        string[] figuresInDom = Regex.Matches(dom, "<figure data-figure=\"([^\"]+)\"").Select(match => match.Groups[1].Value).ToArray();
        Assert.Equal(expectedFigures, figuresInDom);

        string pngPath = Path.Combine(directory, name + ".png");
        var screenshotConsole = Chromium.Screenshot(htmlPath, pngPath, height);
        Assert.True(screenshotConsole.Count == 0, "The page logged:\n" + string.Join("\n", screenshotConsole));
        SKBitmap screenshot = SKBitmap.Decode(pngPath) ?? throw new InvalidOperationException($"{pngPath} is not a PNG.");
        Assert.Equal(1280, screenshot.Width);
        int inked = 0;
        for (int y = 0; y < screenshot.Height; y += 2)
        {
            for (int x = 0; x < screenshot.Width; x += 2)
            {
                SKColor color = screenshot.GetPixel(x, y);
                if (color.Red + color.Green + color.Blue < 3 * 235)
                {
                    inked++;
                }
            }
        }

        Assert.True(inked > screenshot.Width * screenshot.Height / 4 / 20, $"Only {inked} sampled pixels of {pngPath} are not white.");
        return screenshot;
    }

    private static int CountNear(SKBitmap image, ScottPlot.Color color)
    {
        int count = 0;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (ReportHtml.Distance(image.GetPixel(x, y), color) < 12)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
