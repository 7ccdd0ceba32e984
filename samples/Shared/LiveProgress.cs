using System;
using NnGen;
using Spectre.Console;

namespace NnGen.Samples;

/// <summary>
/// A live progress bar for <c>Fit</c> in the samples: iteration, cost, the validation metric when <c>Fit</c> has
/// validation data (the accuracy, for a classifier), and the time left. It is drawn only when the output is an interactive terminal; when it is redirected (CI, a pipe, a
/// file) nothing is drawn and, unless the caller wants each record itself, <c>Fit</c> gets no <see cref="IProgress{T}"/>
/// at all and so pays nothing for reporting.
/// </summary>
internal static class LiveProgress
{
    /// <summary>Whether a live display can be drawn: standard output is a terminal that accepts cursor movement.</summary>
    public static bool IsInteractive { get; } = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="train"/> (which calls <c>Fit</c> with the progress it is given) under a live bar.
    /// </summary>
    /// <param name="title">What is being trained, shown left of the bar.</param>
    /// <param name="train">Trains, passing its argument as <c>TrainingOptions.Progress</c>; receives null when no one listens.</param>
    /// <param name="onRecord">Called first at every record point, on the training thread, in order (e.g. to print the course's trace).</param>
    /// <returns>What <paramref name="train"/> returned.</returns>
    public static TResult Run<TResult>(string title, Func<IProgress<TrainingProgress>?, TResult> train, Action<TrainingProgress>? onRecord = null)
    {
        if (!IsInteractive)
        {
            return train(onRecord is null ? null : new SynchronousProgress<TrainingProgress>(onRecord));
        }

        TResult result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: 1);
                var progress = new SynchronousProgress<TrainingProgress>(record =>
                {
                    onRecord?.Invoke(record);
                    string metric = double.IsFinite(record.ValidationMetric) ? $"  validation {record.ValidationMetric:P1}" : string.Empty;
                    task.MaxValue = record.Iterations;
                    task.Value = record.Iteration + 1;
                    task.Description = Markup.Escape($"{title}  {record.Iteration + 1,6}/{record.Iterations}  cost {record.Cost:F6}{metric}");
                });
                result = train(progress);
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>
    /// Writes a line above the live bar while one is drawn (Spectre.Console moves the bar down), plainly otherwise.
    /// </summary>
    public static void WriteLine(string line)
    {
        if (IsInteractive)
        {
            AnsiConsole.WriteLine(line);
        }
        else
        {
            Console.WriteLine(line);
        }
    }
}
