using System;

namespace NnGen.Tests.Training;

/// <summary>
/// GradientCheck on ReLU and leaky-ReLU networks whose steps straddle kinks: correct backward passes pass the
/// documented bound, and a wrong one is still caught.
/// </summary>
public class GradientCheckKinkTests
{
    [Theory]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    public void CorrectReluNetworks_WhoseStepsCrossKinks_PassTheDocumentedBound(Activation hidden)
    {
        int failedBefore = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            var network = new ScalarNetwork("Relu", [2, 6, 6, 1], [hidden, hidden, Activation.Sigmoid]).Initialize(seed, scale: 0.3);
            float[] x = new float[2 * 16];
            float[] y = new float[16];
            for (int e = 0; e < 16; e++)
            {
                x[2 * e] = (float)Math.Sin((e * 1.7) + seed);
                x[(2 * e) + 1] = (float)Math.Cos((e * 2.3) + seed);
                y[e] = e % 3 == 0 ? 1f : 0f;
            }

            GradientCheckResult result = Trainer.CheckGradients(network, x, y);

            Assert.True(result.Difference < 1e-3, $"seed {seed}: {result.Difference} with {result.OneSidedParameters} one-sided");
            if (PlainCentralDifference(network, x, y) > 1e-3)
            {
                failedBefore++;
                Assert.True(result.OneSidedParameters > 0);
            }
        }

        // The plain central difference of every parameter (the check before kinks were handled) fails several of
        // these correct networks, so the scenario does straddle kinks.
        Assert.True(failedBefore >= 4, $"{failedBefore} networks failed the plain check");
    }

    [Fact]
    public void BrokenBackward_OnAReluNetwork_IsStillCaught()
    {
        var broken = new ScalarNetwork("BrokenRelu", [2, 6, 1], [Activation.ReLU, Activation.Sigmoid], dropHiddenDerivative: true).Initialize(seed: 3, scale: 1.5);
        (float[] x, float[] y) = ToyData.Quadrants(16, seed: 4);

        GradientCheckResult result = Trainer.CheckGradients(broken, x, y);

        Assert.True(result.Difference > 1e-2, $"difference {result.Difference}");
    }

    /// <summary>‖g − g̃‖ / (‖g‖ + ‖g̃‖) with the central difference at the default step for every parameter, in double.</summary>
    private static double PlainCentralDifference(ScalarNetwork network, float[] x, float[] y)
    {
        var analytic = new float[network.ParameterCount];
        network.ComputeGradients(x, y, analytic, new Workspace());
        var outputs = new float[y.Length];
        double Cost()
        {
            network.PredictBatch(x, outputs);
            return Losses.BinaryCrossEntropy(outputs, y, y.Length);
        }

        double difference = 0, a = 0, n = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            float theta = network.Parameters[i];
            float step = Trainer.DefaultGradientCheckEpsilon * Math.Max(1f, Math.Abs(theta));
            network.Parameters[i] = theta + step;
            double plus = Cost();
            network.Parameters[i] = theta - step;
            double minus = Cost();
            network.Parameters[i] = theta;
            double numeric = (plus - minus) / ((double)(theta + step) - (theta - step));
            difference += (analytic[i] - numeric) * (analytic[i] - numeric);
            a += (double)analytic[i] * analytic[i];
            n += numeric * numeric;
        }

        return Math.Sqrt(difference) / (Math.Sqrt(a) + Math.Sqrt(n));
    }

    [Fact]
    public void SmoothNetworks_AreCheckedCentrallyEverywhere()
    {
        var network = ScalarNetwork.Tiny().Initialize(seed: 5);
        (float[] x, float[] y) = ToyData.Quadrants(16, seed: 6);

        GradientCheckResult result = Trainer.CheckGradients(network, x, y);

        Assert.Equal(network.ParameterCount, result.Parameters);
        Assert.Equal(0, result.OneSidedParameters);
        Assert.Equal(result.Difference, Trainer.GradientCheck(network, x, y));
    }
}
