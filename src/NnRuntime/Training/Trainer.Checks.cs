using System;

namespace NnGen;

public static partial class Trainer
{
    /// <summary>
    /// The default step of <see cref="GradientCheck"/>, 2e-3. Central differences have a truncation error of order
    /// ε²·J‴ and a rounding error of order δ/ε, where δ ≈ 1e-7·|J| is the float32 noise of a forward pass (the cost is
    /// summed in double, but the activations are float), so the course's ε = 1e-7 is useless in float32 and the best
    /// step is near ∛δ, a few thousandths. Kinks pull the other way: a ReLU unit whose z is within ε of 0 flips when
    /// perturbed. Measured on correct float32 networks at initialization (tanh/sigmoid 2-4-1 and 5-20-7-1, generated
    /// planar, regression and ReLU networks), 2e-3 gives 3e-6 to 6e-4, the lowest worst case of 1e-3 … 1e-2; 5e-3
    /// doubled the ReLU scores and 1e-3 pushed large-weight tanh networks past 1e-3. A missing backward term scores
    /// above 1e-2. A ReLU unit that sits within a step of its kink is no longer a problem: see <see cref="CheckGradients"/>.
    /// </summary>
    public const float DefaultGradientCheckEpsilon = 2e-3f;

    // A central difference within this relative distance of the analytic gradient is accepted as it is: below it, float
    // noise, not a kink, separates the one-sided slopes.
    private const double KinkNoise = 1e-4;

    // Where corners lie on both sides of θ, the step is divided by this and tried again, at most this many times.
    private const float KinkStepDivisor = 8f;
    private const int KinkRetries = 3;

    /// <summary>
    /// The cost J and the figures of <see cref="Evaluation"/> (per-example accuracy, per-label accuracy, confusion matrix,
    /// regression errors) for <paramref name="network"/> on a data set, from one <see cref="ITrainableNetwork.PredictBatch"/>.
    /// </summary>
    /// <param name="network">The network to evaluate; it is not changed.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">
    /// Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row; each in [0, 1] for
    /// <see cref="Loss.BinaryCrossEntropy"/>; one-hot rows for <see cref="Loss.CategoricalCrossEntropy"/>.
    /// </param>
    /// <returns>The cost in double, the accuracy (NaN unless the output is a sigmoid or softmax, see <see cref="Evaluation.Accuracy"/>), the other figures and m.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A size or a value is invalid, or a parameter is NaN or infinite (such a network has no meaningful accuracy: its
    /// outputs are NaN, which no threshold or argmax can classify).
    /// </exception>
    public static Evaluation Evaluate(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(Evaluate), inputs, labels, loss);
        ValidateParameters(network, nameof(Evaluate));

        var outputs = new float[labels.Length];
        network.PredictBatch(inputs, outputs);
        Activation activation = network.OutputActivation;
        int n = network.OutputSize;
        (double mse, double mae, double rSquared) = Metrics.Regression(outputs, labels, n);
        return new Evaluation(network.Cost(outputs, labels, examples), Metrics.Accuracy(activation, outputs, labels, n), examples)
        {
            LabelAccuracy = Metrics.LabelAccuracy(activation, outputs, labels),
            ConfusionMatrix = Metrics.Confusion(activation, outputs, labels, n),
            MeanSquaredError = mse,
            MeanAbsoluteError = mae,
            RSquared = rSquared,
        };
    }

    /// <summary>
    /// <see cref="Evaluate(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float})"/> for labels given as class
    /// indices, one per example (see <see cref="Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{int}, TrainingOptions)"/>).
    /// </summary>
    /// <param name="network">The network, with a softmax or sigmoid output.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">m class indices, each in 0 … K − 1.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">A size is invalid or a class index is out of range.</exception>
    public static Evaluation Evaluate(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Evaluate(network, inputs, ClassLabelRows(network, nameof(Evaluate), inputs, labels));
    }

    /// <summary>
    /// The relative difference of <see cref="CheckGradients"/>: ‖g − g̃‖ / (‖g‖ + ‖g̃‖) between the analytic gradient
    /// and finite differences of the cost, 0 when both are zero. Values well under 1e-3 mean the backward pass matches
    /// the forward pass; above 1e-2, something is wrong.
    /// </summary>
    /// <param name="network">The network to check; its parameters are exactly as before when this returns (or throws).</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row.</param>
    /// <param name="epsilon">ε, see <see cref="CheckGradients"/>.</param>
    /// <returns>The relative difference, in [0, 1].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">A size, a value, ε, or a parameter is invalid.</exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    public static double GradientCheck(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, float epsilon = DefaultGradientCheckEpsilon) =>
        CheckGradients(network, inputs, labels, epsilon).Difference;

    /// <summary>
    /// Compares the analytic gradient of <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/>
    /// with finite differences of the cost over every parameter.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each parameter θ is moved to θ ± ε·max(1, |θ|) and the central difference (J(θ+) − J(θ−)) / (θ+ − θ−) is
    /// compared with the analytic gradient. Costs 2 × <see cref="ITrainableNetwork.ParameterCount"/> + 1 forward passes
    /// over the data (and two more per retry at a kink): use a few examples.
    /// </para>
    /// <para>
    /// Kinks: when a ReLU or leaky-ReLU unit's z lies within the step of 0 for some example, moving θ flips the unit, the
    /// cost has a corner inside [θ−, θ+], and the central difference is off by up to half the change of slope, though the
    /// backward pass is right (this is how correct ReLU networks used to score 5e-3 to 6e-2). The corner shows in the
    /// one-sided differences d+ = (J(θ+) − J(θ)) / (θ+ − θ) and d− = (J(θ) − J(θ−)) / (θ − θ−): on a smooth cost they agree
    /// to O(ε), while across a corner they differ by the change of slope and the analytic gradient equals the one from the
    /// side without the corner. So where the central difference misses the analytic gradient by more than float noise,
    /// |d+ − d−| is at least that miss, and one side agrees four times better, that side's difference is used and the
    /// parameter is counted in <see cref="GradientCheckResult.OneSidedParameters"/>. Where neither side agrees (corners on
    /// both sides), the step is divided by 8 and tried again, up to three times; a smaller step's noisier estimate is used
    /// only when it explains the first miss (a side that agrees, or a smooth central difference four times closer). A wrong backward term on a smooth cost is not excused: its one-sided differences agree with each other
    /// and are as far from it as the central one. A unit whose z is exactly 0 has no derivative at all (the backward pass
    /// picks a side), so a network built to sit exactly on its kinks can still score high.
    /// </para>
    /// </remarks>
    /// <param name="network">
    /// The network to check. Each parameter is perturbed in turn and restored bit for bit, so the parameters are
    /// exactly as before when this returns (or throws).
    /// </param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row.</param>
    /// <param name="epsilon">
    /// ε, positive, at most 1, and large enough to move every parameter in float32 (θ ± ε·max(1, |θ|) ≠ θ); see
    /// <see cref="DefaultGradientCheckEpsilon"/> for the default.
    /// </param>
    /// <returns>The relative difference and how many parameters were checked one-sided.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A size, a value, ε (too small to move a parameter, or not in (0, 1]), or a parameter is invalid; the message names
    /// the first parameter ε cannot move.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The instance is already being written: training (<c>Fit</c>, <c>GradientCheck</c>), stepping or loading weights,
    /// on another thread or from a <see cref="TrainingOptions.Progress"/> callback. Nothing was written then.
    /// </exception>
    public static GradientCheckResult CheckGradients(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, float epsilon = DefaultGradientCheckEpsilon)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(epsilon > 0f && epsilon <= 1f))
        {
            throw new ArgumentException(Format(network.Name, nameof(GradientCheck), $"epsilon is {epsilon}; it must be in (0, 1]."), nameof(epsilon));
        }

        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(GradientCheck), inputs, labels, loss);
        Span<float> parameters = ValidateParameters(network, nameof(GradientCheck));
        for (int i = 0; i < parameters.Length; i++)
        {
            float theta = parameters[i];
            float step = epsilon * Math.Max(1f, Math.Abs(theta));
            if (theta + step == theta || theta - step == theta || !float.IsFinite(theta + step) || !float.IsFinite(theta - step))
            {
                throw new ArgumentException(
                    Format(network.Name, nameof(GradientCheck), $"epsilon {epsilon} cannot move Parameters[{i}] = {theta} in float32 (θ ± ε·max(1, |θ|) rounds back to θ); use a step near the default {DefaultGradientCheckEpsilon}."),
                    nameof(epsilon));
            }
        }

        using TrainingLease lease = TrainingLease.Acquire(network, nameof(GradientCheck));
        var analytic = new float[parameters.Length];
        var probe = new CostProbe(network, loss, examples, labels.Length);
        network.ComputeGradients(inputs, labels, analytic, probe.Workspace, computeCost: false, GradientCheckStepSeed);
        probe.RestoreState();

        double cost = probe.Cost(inputs, labels);

        double differenceSquares = 0, analyticSquares = 0, numericSquares = 0;
        int oneSided = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            double exact = analytic[i];
            float step = epsilon * Math.Max(1f, Math.Abs(parameters[i]));
            (double numeric, double forward, double backward) = Differences(probe, parameters, i, step, inputs, labels, cost);
            double firstError = Math.Abs(exact - numeric);

            // Within float noise of the analytic gradient, or smooth here (the one-sided slopes agree to within the
            // central error): the central difference stands.
            bool explained = firstError <= Noise(cost, step) + (KinkNoise * Math.Max(Math.Abs(exact), Math.Abs(numeric))) ||
                Math.Abs(forward - backward) < firstError;
            for (int attempt = 0; !explained && attempt <= KinkRetries; attempt++)
            {
                if (attempt > 0)
                {
                    // Corners on both sides of θ (two examples flip): a smaller step crosses fewer of them. Its estimate
                    // is noisier, so it is used only when it explains the first disagreement, never just because it differs.
                    float smaller = step / KinkStepDivisor;
                    if (parameters[i] + smaller == parameters[i] || parameters[i] - smaller == parameters[i])
                    {
                        break;
                    }

                    step = smaller;
                    (double central, forward, backward) = Differences(probe, parameters, i, step, inputs, labels, cost);
                    double centralError = Math.Abs(exact - central);
                    if (Math.Abs(forward - backward) < centralError && centralError < firstError / 4)
                    {
                        numeric = central;
                        break;
                    }
                }

                double closerSide = Math.Abs(exact - forward) <= Math.Abs(exact - backward) ? forward : backward;
                double sideError = Math.Abs(exact - closerSide);
                if (sideError < firstError / 4 && sideError < Math.Abs(forward - backward) / 4)
                {
                    numeric = closerSide;
                    oneSided++;
                    break;
                }
            }

            differenceSquares += (exact - numeric) * (exact - numeric);
            analyticSquares += exact * exact;
            numericSquares += numeric * numeric;
        }

        double denominator = Math.Sqrt(analyticSquares) + Math.Sqrt(numericSquares);
        double difference = denominator == 0 ? 0 : Math.Sqrt(differenceSquares) / denominator;
        return new GradientCheckResult(difference, parameters.Length, oneSided);
    }

    /// <summary>
    /// The float32 noise of a difference quotient of the cost with this step: a forward pass in float rounds each
    /// output at one part in 2^24, and the cost averages those errors over the examples, so the cost moves by less than
    /// 2^-24 of itself between two evaluations that should agree; divided by the step.
    /// </summary>
    private static double Noise(double cost, float step) => Math.Max(Math.Abs(cost), 1e-3) / (1 << 24) / step;

    /// <summary>
    /// The central and the two one-sided differences of the cost in parameter <paramref name="i"/> with the given step,
    /// restoring the parameter bit for bit. The denominators are the steps actually taken: θ ± step rounds in float, and
    /// the difference of two floats is exact in double.
    /// </summary>
    private static (double Central, double Forward, double Backward) Differences(
        CostProbe probe, Span<float> parameters, int i, float step, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, double cost)
    {
        float theta = parameters[i];
        float plus = theta + step;
        float minus = theta - step;
        double costPlus, costMinus;
        try
        {
            parameters[i] = plus;
            costPlus = probe.Cost(inputs, labels);

            parameters[i] = minus;
            costMinus = probe.Cost(inputs, labels);
        }
        finally
        {
            parameters[i] = theta;
        }

        return (
            (costPlus - costMinus) / ((double)plus - minus),
            (costPlus - cost) / ((double)plus - theta),
            (cost - costMinus) / ((double)theta - minus));
    }

    /// <summary>
    /// The step seed every pass of a gradient check uses, so a dropout layer keeps one mask while the parameters move
    /// (the finite differences then see the function the analytic gradient is of).
    /// </summary>
    internal const ulong GradientCheckStepSeed = 0x5EED_C0DE;

    /// <summary>
    /// J(θ) as the gradient check sees it: Predict's forward for networks that train as they predict; the training
    /// forward with a fixed step seed for those that do not (dropout, batch norm), with the running statistics the
    /// training forward moves put back after every pass, so the check leaves the state as it found it.
    /// </summary>
    private sealed class CostProbe
    {
        private readonly ITrainableNetwork _network;
        private readonly Loss _loss;
        private readonly int _examples;
        private readonly float[] _outputs;
        private readonly float[] _gradients;
        private readonly float[] _state;

        public CostProbe(ITrainableNetwork network, Loss loss, int examples, int outputLength)
        {
            _network = network;
            _loss = loss;
            _examples = examples;
            _outputs = new float[outputLength];
            _gradients = network.HasTrainingMode ? new float[network.ParameterCount] : Array.Empty<float>();
            _state = network.State.ToArray();
        }

        public Workspace Workspace { get; } = new();

        public double Cost(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels)
        {
            if (!_network.HasTrainingMode)
            {
                _network.PredictBatch(inputs, _outputs);
                return _network.Cost(_outputs, labels, _examples);
            }

            float cost = _network.ComputeGradients(inputs, labels, _gradients, Workspace, computeCost: true, GradientCheckStepSeed)!.Value;
            RestoreState();
            return cost;
        }

        public void RestoreState() => _state.CopyTo(_network.State);
    }
}
