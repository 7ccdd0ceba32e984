using System;
using System.Linq;
using NnGen.Tests.Support;

namespace NnGen.Tests.Training;

/// <summary>
/// Each optimizer's first updates against its published rule evaluated in double, the L2 term against the course's
/// formula, and the schedules against their closed forms. The scripted network dictates the gradient of every call, so
/// the trainer's arithmetic is all that is tested.
/// </summary>
public class OptimizerTests
{
    private const int Steps = 6;
    private const float LearningRate = 0.05f;
    private static readonly float[] Start = [0.5f, -1.25f, 2f, 0.1f, -0.3f];

    // Weights are parameters 0..3, the bias is parameter 3..5 (for AdamW and L2).
    private static readonly Range[] Weights = [0..3];

    /// <summary>The gradient of update t (0-based) for parameter i: varied signs and magnitudes, a zero now and then.</summary>
    private static float Gradient(int t, int i) => i == 4 && t == 2 ? 0f : (float)(Math.Sin(1 + (0.7 * t) + (1.3 * i)) * (i + 1));

    [Fact]
    public void GradientDescent_Explicit_IsBitForBitTheDefault()
    {
        float[] byDefault = Train(null);
        float[] explicitly = Train(GradientDescent.Instance);

        Assert.Equal(byDefault, explicitly);
        double[] reference = Start.Select(v => (double)v).ToArray();
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < reference.Length; i++)
            {
                reference[i] -= LearningRate * Gradient(t, i);
            }
        }

        AssertClose(reference, byDefault, 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Momentum_FirstSteps_FollowThePublishedRule(bool nesterov)
    {
        const double Beta = 0.8;
        float[] actual = Train(new Momentum { Beta = (float)Beta, Nesterov = nesterov });

        double[] theta = Start.Select(v => (double)v).ToArray();
        double[] velocity = new double[theta.Length];
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double g = Gradient(t, i);
                velocity[i] = (Beta * velocity[i]) + ((1 - Beta) * g);
                theta[i] -= LearningRate * (nesterov ? (Beta * velocity[i]) + ((1 - Beta) * g) : velocity[i]);
            }
        }

        AssertClose(theta, actual, 1e-6);
    }

    [Fact]
    public void Adam_FirstSteps_FollowKingmaAndBaAlgorithm1WithBiasCorrection()
    {
        float[] actual = Train(new Adam());

        double[] theta = AdamReference(weightDecay: 0);

        AssertClose(theta, actual, 2e-6);

        // Bias correction is what makes the first step ±α per parameter (m̂/√v̂ = g/|g|); without it the first step
        // would be α·0.1/√0.001 ≈ 3.16α.
        float[] first = TrainSteps(new Adam(), steps: 1);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(LearningRate, Math.Abs(Start[i] - first[i]), 1e-6);
        }
    }

    [Fact]
    public void AdamW_FirstSteps_DecayTheWeightsOnlyAndDecoupledFromTheGradient()
    {
        const double Decay = 0.3;
        float[] actual = Train(new AdamW { WeightDecay = (float)Decay });

        AssertClose(AdamReference(Decay), actual, 2e-6);

        // Decoupled: with a zero gradient Adam does nothing, and the weights still shrink by the factor (1 − αλ) per step
        // while the biases stay put.
        var still = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: (_, _) => 0f) { Weights = Weights };
        Trainer.Fit(still, [0f], [0f], Options(new AdamW { WeightDecay = (float)Decay }, steps: 3));
        for (int i = 0; i < Start.Length; i++)
        {
            double expected = i < 3 ? Start[i] * Math.Pow(1 - (LearningRate * Decay), 3) : Start[i];
            Assert.Equal(expected, still.Parameters[i], 1e-6);
        }
    }

    [Fact]
    public void AdamW_NetworkWithoutWeightRanges_IsRefusedWithTheReason()
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: Gradient);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, [0f], [0f], Options(new AdamW(), Steps)));

        Assert.StartsWith("Scripted.Fit: options.Optimizer is AdamW, but the network does not list its weights", error.Message, StringComparison.Ordinal);
        Assert.Equal(Start, network.Parameters.ToArray());
    }

    [Fact]
    public void WeightRanges_OutOfOrderOrOutside_AreRefused()
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: Gradient) { Weights = [2..4, 0..3] };

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, [0f], [0f], Options(new AdamW(), Steps)));

        Assert.Equal("Scripted.Fit: WeightRanges[1] is 0..3; ranges must lie in 0..5, in order and without overlap. (Parameter 'network')", error.Message);
    }

    [Fact]
    public void L2_FullBatchLogisticRegression_MatchesTheCoursesRegularizedGradientDescentInDouble()
    {
        (float[] x, float[] y) = ToyData.Separable(40, seed: 41);
        var network = new ScalarNetwork("LogReg", [2, 1], [Activation.Sigmoid]);
        network.SetParameters([0.3f, -0.2f, 0.1f]);
        const double Lambda = 0.7;
        const float Alpha = 0.3f;
        const int Iterations = 200;

        TrainingHistory history = Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = Alpha, Iterations = Iterations, L2 = (float)Lambda, RecordEvery = 50 });

        // The course's compute_cost_with_regularization and backward_propagation_with_regularization, in double:
        // J += λ/(2m)·‖W‖², dW += (λ/m)·W, and b is not regularized.
        double w0 = 0.3, w1 = -0.2, b = 0.1;
        const int M = 40;
        var referenceCosts = new double[Iterations];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            double cost = 0, dw0 = 0, dw1 = 0, db = 0;
            for (int e = 0; e < M; e++)
            {
                double a = 1 / (1 + Math.Exp(-((w0 * x[2 * e]) + (w1 * x[(2 * e) + 1]) + b)));
                cost -= (y[e] * Math.Log(a)) + ((1 - y[e]) * Math.Log(1 - a));
                dw0 += (a - y[e]) * x[2 * e];
                dw1 += (a - y[e]) * x[(2 * e) + 1];
                db += a - y[e];
            }

            referenceCosts[iteration] = (cost / M) + (Lambda / (2 * M) * ((w0 * w0) + (w1 * w1)));

            w0 -= Alpha * ((dw0 / M) + (Lambda / M * w0));
            w1 -= Alpha * ((dw1 / M) + (Lambda / M * w1));
            b -= Alpha * db / M;
        }

        Assert.Equal(5, history.Costs.Count);
        foreach (CostRecord record in history.Costs)
        {
            Assert.Equal(referenceCosts[record.Iteration], record.Cost, 1e-5);
        }

        float[] actual = network.CopyParameters();
        Assert.Equal(w0, actual[0], 1e-4);
        Assert.Equal(w1, actual[1], 1e-4);
        Assert.Equal(b, actual[2], 1e-4);
        Assert.Equal(TrainingStatus.Completed, history.Status);
    }

    [Fact]
    public void L2_ShrinksWeightsButNotBiases()
    {
        // With a zero gradient the only force is λ/m·W: weights decay geometrically by (1 − αλ/m), biases never move.
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 0f, gradient: (_, _) => 0f) { Weights = Weights };

        TrainingHistory history = Trainer.Fit(network, [0f, 0f], [0f, 0f], new TrainingOptions { LearningRate = 0.5f, Iterations = 4, L2 = 0.2f, RecordEvery = 1 });

        for (int i = 0; i < Start.Length; i++)
        {
            double expected = i < 3 ? Start[i] * Math.Pow(1 - (0.5 * 0.2 / 2), 4) : Start[i];
            Assert.Equal(expected, network.Parameters[i], 1e-6);
        }

        // The recorded cost is the (zero) scripted cost plus λ/(2m)·‖W‖² of the parameters at that point.
        double squares = (0.5 * 0.5) + (1.25 * 1.25) + (2.0 * 2.0);
        Assert.Equal(0.2 / 4 * squares, history.Costs[0].Cost, 1e-6);
    }

    [Fact]
    public void Schedules_Multipliers_FollowTheirClosedForms()
    {
        var step = new StepDecay { Every = 3, Factor = 0.5 };
        var exponential = new ExponentialDecay { Rate = 0.9 };
        var inverse = new InverseTimeDecay { DecayRate = 0.5, Every = 2 };

        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.25], Enumerable.Range(0, 7).Select(step.Multiplier));
        for (int p = 0; p < 7; p++)
        {
            Assert.Equal(Math.Pow(0.9, p), exponential.Multiplier(p), 1e-15);
            Assert.Equal(1 / (1 + (0.5 * (p / 2))), inverse.Multiplier(p), 1e-15);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Schedule_ChangesTheRateOncePerPass(int batchSize)
    {
        // Gradient 1 everywhere: each update subtracts exactly the pass's learning rate (powers of two, so exactly).
        var network = new ScriptedNetwork([0f], cost: _ => 0f, gradient: (_, _) => 1f);
        int examples = batchSize == 0 ? 1 : 5;

        Trainer.Fit(
            network,
            new float[examples],
            new float[examples],
            new TrainingOptions { LearningRate = 1f, Iterations = 5, BatchSize = batchSize, Schedule = new StepDecay { Every = 2, Factor = 0.5 } });

        int updatesPerPass = batchSize == 0 ? 1 : 3;
        Assert.Equal(-(1 + 1 + 0.5 + 0.5 + 0.25) * updatesPerPass, network.Parameters[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Adam_SteadyState_AllocatesNothingPerIteration(int batchSize)
    {
        SteadyStateFit.AssertTinyAllocatesNothing(
            progress => new TrainingOptions
            {
                LearningRate = 0.01f,
                Iterations = 200,
                BatchSize = batchSize,
                RecordEvery = 50,
                Optimizer = new AdamW(),
                L2 = 0.1f,
                Schedule = new ExponentialDecay { Rate = 0.999 },
                Progress = progress,
            },
            "149 AdamW + L2 + schedule iterations");
    }

    [Fact]
    public void StateLength_IsOneBufferSizedFromParameterCount()
    {
        Assert.Equal(0, GradientDescent.Instance.StateLength(1000));
        Assert.Equal(2000, new Momentum().StateLength(1000));
        Assert.Equal(3000, new Adam().StateLength(1000));
        Assert.Equal(3000, new AdamW().StateLength(1000));
    }

    private static double[] AdamReference(double weightDecay)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        double[] theta = Start.Select(v => (double)v).ToArray();
        double[] m = new double[theta.Length], v = new double[theta.Length];
        for (int t = 1; t <= Steps; t++)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double g = Gradient(t - 1, i);
                m[i] = (Beta1 * m[i]) + ((1 - Beta1) * g);
                v[i] = (Beta2 * v[i]) + ((1 - Beta2) * g * g);
                double mHat = m[i] / (1 - Math.Pow(Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(Beta2, t));
                double decay = i < 3 ? weightDecay * theta[i] : 0;
                theta[i] -= LearningRate * ((mHat / (Math.Sqrt(vHat) + Epsilon)) + decay);
            }
        }

        return theta;
    }

    private static float[] Train(Optimizer? optimizer) => TrainSteps(optimizer, Steps);

    private static float[] TrainSteps(Optimizer? optimizer, int steps)
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: Gradient) { Weights = Weights };
        TrainingHistory history = Trainer.Fit(network, [0f], [0f], Options(optimizer, steps));
        Assert.Equal(steps, network.Calls);
        Assert.NotEqual(TrainingStatus.Diverged, history.Status);
        return network.Parameters.ToArray();
    }

    private static TrainingOptions Options(Optimizer? optimizer, int steps) =>
        new() { LearningRate = LearningRate, Iterations = steps, Optimizer = optimizer, RecordEvery = 1000 };

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"parameter {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
