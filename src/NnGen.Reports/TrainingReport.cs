using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace NnGen.Reports;

/// <summary>
/// A training report: one self-contained HTML file with the cost curve of each run, the validation accuracy (or R² for
/// regression) per recorded iteration when the history holds it, the decision boundary of two-input binary classifiers
/// over their data, the confusion matrix of classifiers, predicted against actual for regression, and a table of each
/// run (network, options, time, status, final metrics).
/// </summary>
/// <example>
/// <code>
/// TrainingHistory history = net.Fit(data.Inputs, data.Labels, options);
/// var report = new TrainingReport("Planar data");
/// report.Add(new ReportRun("2-4-1 tanh/sigmoid", history) { Network = net, Training = data, Options = options, Summary = PlanarNet.Summary });
/// string path = report.Save("planar-report.html");
/// </code>
/// </example>
/// <remarks>
/// Figures are PNG images drawn with ScottPlot and embedded as <c>data:</c> URIs; the page loads no script, font or
/// style from anywhere else (its content security policy forbids it), so it opens offline and can be mailed as one file.
/// </remarks>
public sealed class TrainingReport
{
    private readonly List<ReportRun> _runs = [];

    /// <summary>Creates an empty report.</summary>
    /// <param name="title">The page's title and heading.</param>
    /// <exception cref="ArgumentException"><paramref name="title"/> is empty.</exception>
    public TrainingReport(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
    }

    /// <summary>The page's title and heading.</summary>
    public string Title { get; }

    /// <summary>A paragraph under the heading: what was trained, on what, and why.</summary>
    public string? Description { get; init; }

    /// <summary>The runs, in the order they were added.</summary>
    public IReadOnlyList<ReportRun> Runs => _runs;

    /// <summary>Adds a run; runs share the cost and accuracy figures and get a row each in the table.</summary>
    /// <param name="run">The run to add.</param>
    /// <returns>This report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A run of the same name is already in the report, or the run's data does not fit its network (the message says which).
    /// </exception>
    public TrainingReport Add(ReportRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_runs.Any(existing => existing.Name == run.Name))
        {
            throw new ArgumentException($"The report already has a run named '{run.Name}'; give each run its own name.", nameof(run));
        }

        if (run.Network is ITrainableNetwork network)
        {
            CheckData(run.Name, network, run.Training, nameof(ReportRun.Training));
            CheckData(run.Name, network, run.Validation, nameof(ReportRun.Validation));
            if (run.ClassNames is { } names && Classification.IsClassifier(network) && names.Count != Classification.ClassCount(network))
            {
                throw new ArgumentException(
                    $"Run '{run.Name}': ClassNames has {names.Count} names but {network.Name} tells {Classification.ClassCount(network)} classes apart.",
                    nameof(run));
            }
        }

        _runs.Add(run);
        return this;
    }

    /// <summary>Draws every figure and builds the page, in memory.</summary>
    /// <returns>The HTML and the figures it embeds.</returns>
    /// <exception cref="InvalidOperationException">The report has no run.</exception>
    public RenderedReport Render()
    {
        if (_runs.Count == 0)
        {
            throw new InvalidOperationException($"The report '{Title}' has no run; add one with Add before rendering.");
        }

        var content = ReportContent.Build(_runs);
        return new RenderedReport(HtmlPage.Write(Title, Description, content), content.AllFigures);
    }

    /// <summary>Renders the report and writes it to <paramref name="path"/> (UTF-8), creating the folder if needed.</summary>
    /// <param name="path">The file to write, e.g. <c>planar-report.html</c>.</param>
    /// <returns>The full path of the file written.</returns>
    /// <exception cref="InvalidOperationException">The report has no run.</exception>
    public string Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RenderedReport rendered = Render();
        string fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(fullPath, rendered.Html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return fullPath;
    }

    private static void CheckData(string run, ITrainableNetwork network, Data.Dataset? data, string which)
    {
        if (data is null)
        {
            return;
        }

        // Class indices (one label per example) stand for the one-hot rows of a classifier with several outputs, as in
        // Fit(Dataset) and Evaluate(Dataset).
        bool classIndices = data.LabelSize == 1 && network.OutputSize > 1 && network.OutputActivation is Activation.Softmax or Activation.Sigmoid;
        if (data.InputSize != network.InputSize || (data.LabelSize != network.OutputSize && !classIndices))
        {
            throw new ArgumentException(
                $"Run '{run}': {which} has {data.InputSize} inputs and {data.LabelSize} labels per example, but {network.Name} takes {network.InputSize} inputs and gives {network.OutputSize} outputs.",
                nameof(run));
        }
    }
}
