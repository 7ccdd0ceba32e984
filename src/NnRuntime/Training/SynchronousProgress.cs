using System;

namespace NnGen;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread before <see cref="Report"/> returns, so
/// <see cref="TrainingOptions.Progress"/> sees every record point in order and all of them before <c>Fit</c> returns.
/// <see cref="Progress{T}"/> does neither in a console app: with no synchronization context it posts each report to the
/// thread pool, and lines come out as 0, 2000, 3000, 1000, … (some after <c>Fit</c> has returned).
/// </summary>
/// <typeparam name="T">The report type, <see cref="TrainingProgress"/> for <c>Fit</c>.</typeparam>
/// <example><c>Progress = new SynchronousProgress&lt;TrainingProgress&gt;(p =&gt; Console.WriteLine($"{p.Iteration}: {p.Cost:F6}"))</c></example>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Creates a progress that calls <paramref name="handler"/> inside each <see cref="Report"/>.</summary>
    /// <param name="handler">Called with each report, on the reporting thread; what it throws reaches the reporter (<c>Fit</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public SynchronousProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <summary>Calls the handler with <paramref name="value"/> before returning.</summary>
    /// <param name="value">The report.</param>
    public void Report(T value) => _handler(value);
}
