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
    /// above 1e-2. A ReLU network can still score around 1e-2 when a unit sits at its kink: retry with another seed.
    /// </summary>
    public const float DefaultGradientCheckEpsilon = 2e-3f;

    /// <summary>
    /// The cost J and its accuracy for <paramref name="network"/> on a data set, from one <see cref="ITrainableNetwork.PredictBatch"/>.
    /// </summary>
    /// <param name="network">The network to evaluate; it is not changed.</param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">
    /// Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row; each in [0, 1] for
    /// <see cref="Loss.BinaryCrossEntropy"/>.
    /// </param>
    /// <returns>The cost in double, the accuracy (NaN unless the output is a sigmoid, see <see cref="Evaluation.Accuracy"/>) and m.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">A size or a value is invalid.</exception>
    public static Evaluation Evaluate(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(Evaluate), inputs, labels, loss);

        var outputs = new float[labels.Length];
        network.PredictBatch(inputs, outputs);
        double cost = Losses.Cost(loss, outputs, labels, examples);
        double accuracy = network.OutputActivation == Activation.Sigmoid ? Accuracy(outputs, labels) : double.NaN;
        return new Evaluation(cost, accuracy, examples);
    }

    /// <summary>
    /// Compares the analytic gradient of <see cref="ITrainableNetwork.ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Workspace)"/> with central differences of
    /// the cost over every parameter and returns ‖g − g̃‖ / (‖g‖ + ‖g̃‖), 0 when both are zero. Values well under 1e-3
    /// mean the backward pass matches the forward pass; above 1e-2, something is wrong.
    /// </summary>
    /// <param name="network">
    /// The network to check. Each parameter is perturbed in turn and restored bit for bit, so the parameters are
    /// exactly as before when this returns (or throws).
    /// </param>
    /// <param name="inputs">X, m × <see cref="ITrainableNetwork.InputSize"/> finite floats, one example per row.</param>
    /// <param name="labels">Y, m × <see cref="ITrainableNetwork.OutputSize"/> finite floats, one example per row.</param>
    /// <param name="epsilon">
    /// ε, positive and finite; each parameter θ is moved to θ ± ε·max(1, |θ|), so a large parameter still moves by a
    /// representable amount. See <see cref="DefaultGradientCheckEpsilon"/> for the default.
    /// </param>
    /// <returns>The relative difference, in [0, 1] (or NaN if a cost is not finite).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">A size, a value, ε, or a parameter is invalid.</exception>
    /// <remarks>Costs 2 × <see cref="ITrainableNetwork.ParameterCount"/> forward passes over the data: use a few examples.</remarks>
    public static double GradientCheck(ITrainableNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, float epsilon = DefaultGradientCheckEpsilon)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(epsilon > 0f) || !float.IsFinite(epsilon))
        {
            throw new ArgumentException(Format(network.Name, nameof(GradientCheck), $"epsilon is {epsilon}; it must be positive and finite."), nameof(epsilon));
        }

        Loss loss = Losses.Resolve(network.Loss, network.OutputActivation);
        int examples = ValidateData(network, nameof(GradientCheck), inputs, labels, loss);
        Span<float> parameters = ValidateParameters(network, nameof(GradientCheck));

        var analytic = new float[parameters.Length];
        network.ComputeGradients(inputs, labels, analytic, new Workspace());

        var outputs = new float[labels.Length];
        double differenceSquares = 0, analyticSquares = 0, numericSquares = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            float theta = parameters[i];
            float step = epsilon * Math.Max(1f, Math.Abs(theta));
            float plus = theta + step;
            float minus = theta - step;
            double costPlus, costMinus;
            try
            {
                parameters[i] = plus;
                network.PredictBatch(inputs, outputs);
                costPlus = Losses.Cost(loss, outputs, labels, examples);

                parameters[i] = minus;
                network.PredictBatch(inputs, outputs);
                costMinus = Losses.Cost(loss, outputs, labels, examples);
            }
            finally
            {
                parameters[i] = theta;
            }

            // The denominator is the step actually taken: θ ± ε rounds in float, and the difference of two floats is exact in double.
            double numeric = (costPlus - costMinus) / ((double)plus - minus);
            double exact = analytic[i];
            differenceSquares += (exact - numeric) * (exact - numeric);
            analyticSquares += exact * exact;
            numericSquares += numeric * numeric;
        }

        double denominator = Math.Sqrt(analyticSquares) + Math.Sqrt(numericSquares);
        return denominator == 0 ? 0 : Math.Sqrt(differenceSquares) / denominator;
    }

    private static double Accuracy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels)
    {
        int correct = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            if ((outputs[i] > 0.5f) == (labels[i] > 0.5f))
            {
                correct++;
            }
        }

        return (double)correct / outputs.Length;
    }
}
