using System;
using System.Globalization;

namespace NnGen;

/// <summary>
/// How <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> turns a gradient into an update of the parameters. Set one on
/// <see cref="TrainingOptions.Optimizer"/>: <see cref="GradientDescent"/> (the default), <see cref="Momentum"/>,
/// <see cref="Adam"/> or <see cref="AdamW"/>.
/// </summary>
/// <remarks>
/// An optimizer is a description (its hyper-parameters) and holds no state, so one instance can be shared by any number
/// of runs. Its state (velocities, moments) lives in one float buffer that <see cref="Trainer.Fit(ITrainableNetwork, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, TrainingOptions)"/> allocates once per
/// call, <see cref="StateLength"/> floats for a network of <see cref="ITrainableNetwork.ParameterCount"/> parameters,
/// and every update runs over it without allocating. The state starts at zero at the start of each <c>Fit</c>.
/// Updates are element-wise and use no fused multiply-add, so they give the same bits at every vector width.
/// </remarks>
public abstract class Optimizer
{
    private protected Optimizer()
    {
    }

    /// <summary>Floats of state per parameter (0 for gradient descent, 1 for momentum, 2 for Adam).</summary>
    public abstract int StateSlots { get; }

    /// <summary>Whether the update treats weights and biases differently, so it needs <see cref="ITrainableNetwork.WeightRanges"/>.</summary>
    internal virtual bool NeedsWeightRanges => false;

    /// <summary>
    /// The length of the one state buffer for <paramref name="parameterCount"/> parameters: the optimizer's slots plus
    /// one slot where each update keeps the parameters it started from, so that a refused update is undone (gradient
    /// descent needs neither).
    /// </summary>
    /// <param name="parameterCount">P, the network's <see cref="ITrainableNetwork.ParameterCount"/>.</param>
    /// <returns>(<see cref="StateSlots"/> + 1) × P, or 0 for gradient descent.</returns>
    /// <exception cref="ArgumentException">The buffer would not fit in an array.</exception>
    public long StateLength(int parameterCount) => this is GradientDescent ? 0 : (StateSlots + 1L) * parameterCount;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the network, the method and the bad hyper-parameter.</summary>
    internal abstract void Validate(string network, string method);

    /// <summary>The element-wise rule of one update and its constants, applied by <see cref="OptimizerUpdate"/>.</summary>
    /// <param name="learningRate">α for this update (after any schedule).</param>
    /// <param name="t">The 1-based number of this update within the run (Adam's bias correction).</param>
    internal abstract UpdateRule Rule(float learningRate, long t);

    private protected static void Throw(string network, string method, FormattableString problem) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{network}.{method}: ") + problem.ToString(CultureInfo.InvariantCulture),
            "options");

    private protected static void CheckFraction(string network, string method, string name, float value)
    {
        if (!(value >= 0f && value < 1f))
        {
            Throw(network, method, $"options.Optimizer.{name} is {value}; it must be in [0, 1).");
        }
    }
}

/// <summary>Plain gradient descent, θ := θ − α·g, exactly as the course (and NnGen before optimizers existed) does it.</summary>
public sealed class GradientDescent : Optimizer
{
    /// <summary>The one instance; gradient descent has no hyper-parameters besides the learning rate.</summary>
    public static GradientDescent Instance { get; } = new();

    /// <inheritdoc/>
    public override int StateSlots => 0;

    internal override void Validate(string network, string method)
    {
    }

    internal override UpdateRule Rule(float learningRate, long t) => new() { Kind = UpdateKind.Descent, StepSize = learningRate };
}

/// <summary>
/// Gradient descent with momentum in the course's form: v := β·v + (1 − β)·g, θ := θ − α·v (classic), or with
/// <see cref="Nesterov"/> θ := θ − α·(β·v + (1 − β)·g) with the new v, the look-ahead of Nesterov's accelerated
/// gradient as Sutskever et al. (2013) and Dozat (2016) rewrite it for a gradient taken at θ. v starts at 0.
/// </summary>
/// <remarks>
/// The (1 − β) factor makes v an average of gradients rather than a sum, so the learning rate that suits plain gradient
/// descent suits momentum too. (PyTorch's SGD accumulates v := β·v + g instead; its α is the course's α / (1 − β).)
/// </remarks>
public sealed class Momentum : Optimizer
{
    /// <summary>β, the weight of the previous velocity, in [0, 1). Default 0.9.</summary>
    public float Beta { get; init; } = 0.9f;

    /// <summary>Whether to take the Nesterov look-ahead step. Default false (classic momentum).</summary>
    public bool Nesterov { get; init; }

    /// <inheritdoc/>
    public override int StateSlots => 1;

    internal override void Validate(string network, string method) => CheckFraction(network, method, nameof(Beta), Beta);

    internal override UpdateRule Rule(float learningRate, long t) =>
        new() { Kind = UpdateKind.Momentum, StepSize = learningRate, Beta1 = Beta, Nesterov = Nesterov };
}

/// <summary>
/// Adam (Kingma and Ba, 2015, Algorithm 1): m := β₁·m + (1 − β₁)·g, v := β₂·v + (1 − β₂)·g², m̂ = m / (1 − β₁ᵗ),
/// v̂ = v / (1 − β₂ᵗ), θ := θ − α·m̂ / (√v̂ + ε), with m and v starting at 0 and t counting updates from 1.
/// </summary>
/// <remarks>
/// The bias corrections are computed in double once per update; the element-wise work is float, as
/// α/(1 − β₁ᵗ)·m / (√v·(1/√(1 − β₂ᵗ)) + ε), the same rearrangement PyTorch uses. A usual learning rate is 1e-3.
/// </remarks>
public class Adam : Optimizer
{
    /// <summary>β₁, the decay of the first moment (the mean of g), in [0, 1). Default 0.9.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β₂, the decay of the second moment (the mean of g²), in [0, 1). Default 0.999.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε, added to √v̂ so the step stays finite where g has been 0; positive and finite. Default 1e-8.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <inheritdoc/>
    public override int StateSlots => 2;

    internal override void Validate(string network, string method)
    {
        CheckFraction(network, method, nameof(Beta1), Beta1);
        CheckFraction(network, method, nameof(Beta2), Beta2);
        if (!(Epsilon > 0f) || !float.IsFinite(Epsilon))
        {
            Throw(network, method, $"options.Optimizer.Epsilon is {Epsilon}; it must be positive and finite.");
        }
    }

    internal override UpdateRule Rule(float learningRate, long t) => new()
    {
        Kind = UpdateKind.Adam,
        StepSize = (float)(learningRate / (1.0 - Math.Pow(Beta1, t))),
        Beta1 = Beta1,
        Beta2 = Beta2,
        InverseRootCorrection = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(Beta2, t))),
        Epsilon = Epsilon,
    };
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay, θ := θ − α·(m̂ / (√v̂ + ε) + λ·θ) on the
/// weights and plain Adam on the biases. The decay is applied to θ directly rather than added to g, so Adam's scaling
/// does not weaken it for parameters with large gradients. As in PyTorch, λ is multiplied by the (scheduled) α.
/// </summary>
/// <remarks>Needs the network's <see cref="ITrainableNetwork.WeightRanges"/>.</remarks>
public sealed class AdamW : Adam
{
    /// <summary>λ, the decoupled weight decay, at least 0 and finite. Default 0.01 (PyTorch's).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    internal override bool NeedsWeightRanges => true;

    internal override void Validate(string network, string method)
    {
        base.Validate(network, method);
        if (!(WeightDecay >= 0f) || !float.IsFinite(WeightDecay))
        {
            Throw(network, method, $"options.Optimizer.WeightDecay is {WeightDecay}; it must be at least 0 and finite.");
        }
    }

    internal override UpdateRule Rule(float learningRate, long t) => base.Rule(learningRate, t) with { Decay = learningRate * WeightDecay };
}
