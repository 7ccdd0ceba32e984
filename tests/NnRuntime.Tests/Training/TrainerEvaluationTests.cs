using System;

namespace NnGen.Tests.Training;

public class TrainerEvaluationTests
{
    [Fact]
    public void Evaluate_SigmoidOutput_CountsValuesOnTheRightSideOfOneHalf()
    {
        // Logistic regression with w = (1, 0), b = 0 predicts σ(x0): above 0.5 exactly when x0 > 0.
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([1f, 0f, 0f]);
        float[] x = [2f, 9f, -1f, 9f, 3f, 9f, -4f, 9f, 0f, 9f];
        float[] y = [1f, 0f, 0f, 1f, 0f];

        Evaluation evaluation = Trainer.Evaluate(network, x, y);

        // Right: example 0 (0.88 vs 1), example 1 (0.27 vs 0), example 4 (exactly 0.5 is not > 0.5, label 0). Wrong: 2 and 3.
        Assert.Equal(3.0 / 5, evaluation.Accuracy);
        Assert.Equal(5, evaluation.Examples);
        var predictions = new float[5];
        network.PredictBatch(x, predictions);
        Assert.Equal(Losses.BinaryCrossEntropy(predictions, y, 5), evaluation.Cost);
    }

    [Fact]
    public void Evaluate_LinearOutput_HasNaNAccuracyAndSquaredErrorCost()
    {
        var network = ScalarNetwork.LinearRegression(2);
        network.SetParameters([1f, 1f, 0f]);

        Evaluation evaluation = Trainer.Evaluate(network, [1f, 2f, 3f, 4f], [2f, 7f]);

        Assert.True(double.IsNaN(evaluation.Accuracy));
        Assert.Equal(((1.0 * 1) + (0 * 0)) / (2 * 2), evaluation.Cost);
        Assert.Equal(2, evaluation.Examples);
    }

    [Fact]
    public void Evaluate_DoesNotChangeParameters()
    {
        var network = ScalarNetwork.Tiny().Initialize(seed: 30);
        float[] before = network.CopyParameters();
        (float[] x, float[] y) = ToyData.Quadrants(10, seed: 31);

        Trainer.Evaluate(network, x, y);

        Assert.Equal(before, network.CopyParameters());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientCheck_CorrectNetworks_ScoreFarBelowOneThousandth(bool logisticRegression)
    {
        ScalarNetwork network = logisticRegression ? ScalarNetwork.LogisticRegression(2).Initialize(seed: 32) : ScalarNetwork.Tiny().Initialize(seed: 32);
        (float[] x, float[] y) = ToyData.Quadrants(16, seed: 33);

        double difference = Trainer.GradientCheck(network, x, y);

        Assert.InRange(difference, 0, 1e-4);
    }

    [Fact]
    public void GradientCheck_LinearRegression_ScoresFarBelowOneThousandth()
    {
        var network = ScalarNetwork.LinearRegression(2).Initialize(seed: 34);
        (float[] x, float[] y) = ToyData.Linear(16, seed: 35);

        Assert.InRange(Trainer.GradientCheck(network, x, y), 0, 1e-4);
    }

    [Fact]
    public void GradientCheck_BackwardMissingActivationDerivative_ScoresAboveOneHundredth()
    {
        var broken = ScalarNetwork.Tiny(dropHiddenDerivative: true).Initialize(seed: 36, scale: 1.5);
        (float[] x, float[] y) = ToyData.Quadrants(16, seed: 37);

        double difference = Trainer.GradientCheck(broken, x, y);

        Assert.True(difference > 1e-2, $"difference {difference}");
    }

    [Fact]
    public void GradientCheck_AnyNetwork_LeavesParametersBitForBit()
    {
        var network = ScalarNetwork.Tiny().Initialize(seed: 38);
        network.Parameters[4] = 1e6f; // far from 1: the step is relative there
        network.Parameters[5] = 1.1754944e-38f; // float.MinNormal: θ ± ε is not θ, but θ is restored exactly
        float[] before = network.CopyParameters();
        (float[] x, float[] y) = ToyData.Quadrants(8, seed: 39);

        double difference = Trainer.GradientCheck(network, x, y);

        Assert.Equal(before, network.CopyParameters());
        Assert.True(double.IsFinite(difference));
    }

    [Fact]
    public void GradientCheck_ZeroGradientsBothWays_IsZero()
    {
        // A constant cost: the analytic gradient is zero and so is every central difference.
        var network = new ScriptedNetwork([1f, 2f, 3f], cost: _ => 0f, gradient: (_, _) => 0f);

        Assert.Equal(0.0, Trainer.GradientCheck(network, [1f, 2f], [0f, 0f]));
    }

    [Fact]
    public void GradientCheck_WrongAnalyticGradientOfConstantCost_IsOne()
    {
        // ‖g − 0‖ / (‖g‖ + 0) = 1: the worst possible score.
        var network = new ScriptedNetwork([1f, 2f], cost: _ => 0f, gradient: (_, i) => i + 1);

        Assert.Equal(1.0, Trainer.GradientCheck(network, [1f], [0f]));
    }

    [Fact]
    public void Step_GradientBuffer_SubtractsLearningRateTimesGradientLikeNumPyFloat32()
    {
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([1f, -2f, 0.3f]);
        float[] gradients = [0.5f, -0.25f, 0.7f];

        Trainer.Step(network, gradients, 0.1f);

        float[] expected = new float[3];
        float[] start = [1f, -2f, 0.3f];
        for (int i = 0; i < 3; i++)
        {
            float product = 0.1f * gradients[i];
            expected[i] = start[i] - product;
        }

        Assert.Equal(expected, network.CopyParameters());
    }

    [Fact]
    public void Step_LongBuffer_UpdatesEveryElementIncludingTheTail()
    {
        // 37 parameters: several full vectors of any width plus a tail.
        var network = new ScalarNetwork("Wide", [4, 6, 1], [Activation.Tanh, Activation.Sigmoid]);
        var gradients = new float[network.ParameterCount];
        for (int i = 0; i < gradients.Length; i++)
        {
            gradients[i] = i;
        }

        Trainer.Step(network, gradients, 2f);

        for (int i = 0; i < gradients.Length; i++)
        {
            Assert.Equal(-2f * i, network.Parameters[i]);
        }
    }
}
