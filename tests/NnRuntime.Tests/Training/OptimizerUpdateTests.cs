using System;
using NnGen.Kernels;
using NnGen.Tests.Kernels;

namespace NnGen.Tests.Training;

/// <summary>
/// The fused update pass of the optimizers on parameter counts that use the vector body, the scalar tail and several
/// parts: against each rule evaluated in double, bit-for-bit against the same float formula written element by element
/// (so every vector width gives the scalar result), bit-for-bit for every number of threads, and undone exactly when a
/// step or an updated parameter is not finite.
/// </summary>
public sealed class OptimizerUpdateTests
{
    // Three whole parts and a short fourth, with a tail that is not a whole vector at any width.
    private const int Count = (3 * OptimizerUpdate.PartLength) + 77;
    private const int Updates = 5;
    private const float LearningRate = 0.01f;

    // Weights cross the part boundaries; the rest are "biases".
    private static readonly Range[] Weights = [100..(OptimizerUpdate.PartLength + 5000), ((2 * OptimizerUpdate.PartLength) - 3)..((3 * OptimizerUpdate.PartLength) + 50)];

    public static TheoryData<string> Optimizers() => ["Descent", "Momentum", "Nesterov", "Adam", "AdamW"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Apply_ManyParameters_FollowsTheRuleInDouble(string name)
    {
        Optimizer optimizer = Create(name);
        (float[] theta, _) = Run(optimizer, degree: 1);

        double[] reference = ReferenceInDouble(optimizer);
        for (int i = 0; i < Count; i++)
        {
            double tolerance = 1e-6 + (1e-5 * Math.Abs(reference[i]));
            Assert.True(Math.Abs(theta[i] - reference[i]) <= tolerance, $"{name}: θ[{i}] = {theta[i]}, double reference {reference[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Apply_VectorBodyAndTail_BitIdenticalToTheScalarFloatFormula(string name)
    {
        Optimizer optimizer = Create(name);
        (float[] theta, float[] state) = Run(optimizer, degree: 1);

        (float[] expectedTheta, float[] expectedState) = ScalarFloat(optimizer);
        Assert.Equal(expectedTheta, theta);
        Assert.Equal(expectedState, state);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Apply_EveryDegree_BitIdentical(string name)
    {
        Optimizer optimizer = Create(name);
        (float[] theta, float[] state) = Run(optimizer, degree: 1);
        foreach (int degree in new[] { 2, 3, 4, 16 })
        {
            (float[] parallelTheta, float[] parallelState) = Run(optimizer, degree);
            Assert.Equal(theta, parallelTheta);
            Assert.Equal(state, parallelState);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Apply_NonFiniteGradient_WritesNothingNonFiniteAndUndoRestoresEveryParameter(int degree)
    {
        float[] theta = KernelTestSupport.RandomFloats(Count, seed: 1);
        float[] gradients = KernelTestSupport.RandomFloats(Count, seed: 2);
        gradients[(2 * OptimizerUpdate.PartLength) + 9] = float.NaN;
        float[] before = (float[])theta.Clone();
        float[] state = new float[2 * Count];
        float[] backup = new float[Count];

        OptimizerUpdate.Outcome outcome = OptimizerUpdate.Apply(new Adam().Rule(LearningRate, 1), theta, gradients, state, backup, [], degree);

        Assert.Equal(OptimizerUpdate.Outcome.StepNotFinite, outcome);
        Assert.True(Array.TrueForAll(theta, float.IsFinite));
        OptimizerUpdate.Undo(backup, theta);
        Assert.Equal(before, theta);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Apply_UpdateOverflows_IsReportedApartFromANonFiniteStep(int degree)
    {
        float[] theta = KernelTestSupport.RandomFloats(Count, seed: 3);
        float[] gradients = KernelTestSupport.RandomFloats(Count, seed: 4);
        theta[Count - 3] = -float.MaxValue;
        gradients[Count - 3] = float.MaxValue / 2;
        float[] before = (float[])theta.Clone();
        float[] backup = new float[Count];

        OptimizerUpdate.Outcome outcome = OptimizerUpdate.Apply(GradientDescent.Instance.Rule(1f, 1), theta, gradients, [], backup, [], degree);

        Assert.Equal(OptimizerUpdate.Outcome.UpdateNotFinite, outcome);
        Assert.Equal(-float.MaxValue, theta[Count - 3]);
        OptimizerUpdate.Undo(backup, theta);
        Assert.Equal(before, theta);
    }

    private static Optimizer Create(string name) => name switch
    {
        "Descent" => GradientDescent.Instance,
        "Momentum" => new Momentum { Beta = 0.8f },
        "Nesterov" => new Momentum { Beta = 0.8f, Nesterov = true },
        "Adam" => new Adam(),
        _ => new AdamW { WeightDecay = 0.3f },
    };

    /// <summary>The gradient of update t at parameter i: varied signs and magnitudes, exact zeros now and then.</summary>
    private static float Gradient(int t, int i) => i % 97 == 5 ? 0f : (float)(Math.Sin(1 + (0.7 * t) + (1.3 * i)) * (1 + (i % 7)));

    private static float Start(int i) => (float)Math.Cos(0.37 * i);

    private static (float[] Theta, float[] State) Run(Optimizer optimizer, int degree)
    {
        float[] theta = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            theta[i] = Start(i);
        }

        float[] state = new float[optimizer.StateSlots * Count];
        float[] backup = new float[Count];
        float[] gradients = new float[Count];
        for (int t = 0; t < Updates; t++)
        {
            for (int i = 0; i < Count; i++)
            {
                gradients[i] = Gradient(t, i);
            }

            UpdateRule rule = optimizer.Rule(LearningRate, t + 1);
            Assert.Equal(OptimizerUpdate.Outcome.Applied, OptimizerUpdate.Apply(rule, theta, gradients, state, backup, Weights, degree));
        }

        return (theta, state);
    }

    private static bool IsWeight(int i)
    {
        foreach (Range range in Weights)
        {
            if (i >= range.Start.Value && i < range.End.Value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Each rule's published form in double.</summary>
    private static double[] ReferenceInDouble(Optimizer optimizer)
    {
        var theta = new double[Count];
        var first = new double[Count];
        var second = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            theta[i] = Start(i);
        }

        for (int t = 1; t <= Updates; t++)
        {
            for (int i = 0; i < Count; i++)
            {
                double g = Gradient(t - 1, i);
                switch (optimizer)
                {
                    case GradientDescent:
                        theta[i] -= LearningRate * g;
                        break;
                    case Momentum momentum:
                        double beta = momentum.Beta;
                        first[i] = (beta * first[i]) + ((1 - beta) * g);
                        theta[i] -= LearningRate * (momentum.Nesterov ? (beta * first[i]) + ((1 - beta) * g) : first[i]);
                        break;
                    case Adam adam:
                        double beta1 = adam.Beta1, beta2 = adam.Beta2;
                        first[i] = (beta1 * first[i]) + ((1 - beta1) * g);
                        second[i] = (beta2 * second[i]) + ((1 - beta2) * g * g);
                        double mHat = first[i] / (1 - Math.Pow(beta1, t));
                        double vHat = second[i] / (1 - Math.Pow(beta2, t));
                        double decay = adam is AdamW adamW && IsWeight(i) ? adamW.WeightDecay * theta[i] : 0;
                        theta[i] -= LearningRate * ((mHat / (Math.Sqrt(vHat) + adam.Epsilon)) + decay);
                        break;
                }
            }
        }

        return theta;
    }

    /// <summary>The float formula of each rule, one element at a time, in the order the optimizers document.</summary>
    private static (float[] Theta, float[] State) ScalarFloat(Optimizer optimizer)
    {
        float[] theta = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            theta[i] = Start(i);
        }

        float[] state = new float[optimizer.StateSlots * Count];
        for (int t = 1; t <= Updates; t++)
        {
            for (int i = 0; i < Count; i++)
            {
                float g = Gradient(t - 1, i);
                float step;
                switch (optimizer)
                {
                    case Momentum momentum:
                        float beta = momentum.Beta, oneMinusBeta = 1f - momentum.Beta;
                        float v = (beta * state[i]) + (oneMinusBeta * g);
                        state[i] = v;
                        step = LearningRate * (momentum.Nesterov ? (beta * v) + (oneMinusBeta * g) : v);
                        break;
                    case Adam adam:
                        float stepSize = (float)(LearningRate / (1.0 - Math.Pow(adam.Beta1, t)));
                        float inverseRoot = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(adam.Beta2, t)));
                        float m = (adam.Beta1 * state[i]) + ((1f - adam.Beta1) * g);
                        float s = (adam.Beta2 * state[Count + i]) + ((1f - adam.Beta2) * (g * g));
                        state[i] = m;
                        state[Count + i] = s;
                        step = stepSize * m / ((MathF.Sqrt(s) * inverseRoot) + adam.Epsilon);
                        if (adam is AdamW adamW && IsWeight(i))
                        {
                            step += LearningRate * adamW.WeightDecay * theta[i];
                        }

                        break;
                    default:
                        step = LearningRate * g;
                        break;
                }

                theta[i] -= step;
            }
        }

        return (theta, state);
    }
}
