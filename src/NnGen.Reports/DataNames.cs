using System;

namespace NnGen.Reports;

/// <summary>How the report names the data sets of a run, the same in every table, caption and legend.</summary>
internal static class DataNames
{
    /// <summary>The training data.</summary>
    public const string Training = "training";

    /// <summary>
    /// The name of <see cref="ReportRun.Validation"/>: "validation" when it is the data <c>Fit</c> validated on (the same
    /// arrays as <see cref="TrainingOptions.Validation"/>), otherwise "test", so two different sets never share a name.
    /// </summary>
    public static string HeldOut(ReportRun run) =>
        run.Validation is { } held && run.Options?.Validation is { } fitValidation && fitValidation.Inputs.Span == held.Inputs.AsSpan()
            ? "validation"
            : "test";
}
