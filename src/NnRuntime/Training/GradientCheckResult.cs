namespace NnGen;

/// <summary>The outcome of <see cref="Trainer.CheckGradients"/>.</summary>
/// <param name="Difference">
/// ‖g − g̃‖ / (‖g‖ + ‖g̃‖) over every parameter, in [0, 1] (0 when both are zero): well under 1e-3 when the backward
/// pass matches the forward pass, above 1e-2 when something is wrong. NaN if a cost is not finite.
/// </param>
/// <param name="Parameters">The number of parameters checked (every one).</param>
/// <param name="OneSidedParameters">
/// Parameters whose step crossed a kink of the cost (a ReLU or leaky-ReLU unit flipping for some example), so they
/// were compared with the one-sided difference from the smooth side instead of the central difference.
/// </param>
public sealed record GradientCheckResult(double Difference, int Parameters, int OneSidedParameters);
