namespace NnGen.Reports;

/// <summary>
/// The one place the report explains the squared-error cost: NnGen keeps the course's J = (1/2m)·Σ(a − y)², whose
/// gradient is A − Y, so J is half the mean squared error that Keras and scikit-learn report. The report shows both.
/// </summary>
internal static class HalfSquaredError
{
    public const string Note =
        "For squared-error runs J = (1/2m)·Σ(a − y)², the course's cost: half the mean squared error (MSE) that Keras and scikit-learn report; the MSE columns give the mean itself.";

    /// <summary>Whether the run's network trains on squared error (its cost is ½·MSE).</summary>
    public static bool Applies(ReportRun run) => run.Network?.Loss == Loss.MeanSquaredError;
}
