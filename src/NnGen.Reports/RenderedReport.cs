using System.Collections.Generic;

namespace NnGen.Reports;

/// <summary>A report rendered in memory: the HTML page and the figures embedded in it.</summary>
public sealed class RenderedReport
{
    internal RenderedReport(string html, IReadOnlyList<ReportFigure> figures)
    {
        Html = html;
        Figures = figures;
    }

    /// <summary>The whole page: one self-contained HTML document, every image a <c>data:</c> URI.</summary>
    public string Html { get; }

    /// <summary>The figures in the order the page shows them.</summary>
    public IReadOnlyList<ReportFigure> Figures { get; }
}
