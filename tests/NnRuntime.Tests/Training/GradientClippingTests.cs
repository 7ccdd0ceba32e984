using System;
using System.Linq;
using NnGen.Tests.Support;

namespace NnGen.Tests.Training;

/// <summary>
/// Clipping by global norm against PyTorch's <c>clip_grad_norm_</c> rule evaluated in double, and inside
/// <see cref="Trainer.Fit(ITrainableNetwork, ReadOnlySpan{float}, ReadOnlySpan{float}, TrainingOptions)"/>: applied after
/// the L2 term and before the optimizer, off by default, allocation-free, the same at every thread count.
/// </summary>
public class GradientClippingTests
{
    private const float LearningRate = 0.05f;
    private static readonly float[] Start = [0.5f, -1.25f, 2f, 0.1f, -0.3f];

    /// <summary>Gradients whose norm grows with t (from about 3 to about 10), so a max of 5 clips some updates and not others.</summary>
    private static float Gradient(int t, int i) => (float)(Math.Sin(1 + (0.7 * t) + (1.3 * i)) * (i + 1) * (0.5 + (0.25 * t)));

    [Fact]
    public void GlobalNorm_EveryLengthAndTail_MatchesTheDoubleReference()
    {
        var random = new Random(5);
        foreach (int length in new[] { 0, 1, 3, 4, 5, 7, 8, 17, 1000, 4099 })
        {
            float[] g = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Exp(random.Next(-20, 20)))).ToArray();
            double reference = Math.Sqrt(g.Sum(v => (double)v * v));

            double norm = GradientClipping.GlobalNorm(g);

            Assert.True(Math.Abs(norm - reference) <= 1e-14 * reference, $"length {length}: {norm:R} against {reference:R}");
        }
    }

    [Fact]
    public void GlobalNorm_HugeGradients_DoNotOverflowLikeAFloatSum()
    {
        // Σg² of these overflows float (3.4e38) but not double: the norm is 3e30·√2, finite.
        float[] g = [3e30f, -3e30f];

        Assert.Equal(3e30f * Math.Sqrt(2), GradientClipping.GlobalNorm(g), 1e16);
        Assert.Equal(double.PositiveInfinity, GradientClipping.GlobalNorm([1f, float.PositiveInfinity]));
        Assert.True(double.IsNaN(GradientClipping.GlobalNorm([1f, float.NaN])));
    }

    [Fact]
    public void ClipByGlobalNorm_HandExample_ScalesByMaxOverNormPlusEpsilon()
    {
        // ‖(3, 4)‖ = 5; PyTorch: clip_coef = 1 / (5 + 1e-6), grads *= clip_coef.
        float[] g = [3f, 4f];

        double norm = GradientClipping.ClipByGlobalNorm(g, maxNorm: 1f);

        Assert.Equal(5.0, norm);
        float factor = (float)(1 / (5 + 1e-6));
        Assert.Equal([3f * factor, 4f * factor], g);
        Assert.Equal(0.6, g[0], 1e-6);
        Assert.Equal(0.8, g[1], 1e-6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(g), 1e-6);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowMax_LeavesEveryBit()
    {
        float[] g = [0.1f, -0.2f, 0.3f, float.Epsilon, -0f];
        float[] before = (float[])g.Clone();

        double norm = GradientClipping.ClipByGlobalNorm(g, maxNorm: 1f);

        Assert.Equal(Math.Sqrt((0.1f * (double)0.1f) + (0.2f * (double)0.2f) + (0.3f * (double)0.3f)), norm, 1e-15);
        Assert.Equal(before.Select(BitConverter.SingleToInt32Bits), g.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ClipByGlobalNorm_NormEqualToMax_IsStillScaledAsPyTorchDoes()
    {
        // PyTorch compares max / (norm + 1e-6) with 1, not norm with max, so a norm exactly at the limit shrinks by
        // 1e-6 relative: the rule is followed to the letter, not approximated by "norm > max".
        float[] g = [3f, 4f];

        GradientClipping.ClipByGlobalNorm(g, maxNorm: 5f);

        float factor = (float)(5 / (5 + 1e-6));
        Assert.True(factor < 1f);
        Assert.Equal([3f * factor, 4f * factor], g);
    }

    [Fact]
    public void ClipByGlobalNorm_NonFiniteGradient_IsLeftForTheCallersCheck()
    {
        float[] g = [1e3f, float.NaN, 2e3f];

        double norm = GradientClipping.ClipByGlobalNorm(g, maxNorm: 1f);

        Assert.True(double.IsNaN(norm));
        Assert.Equal(1e3f, g[0]);
        Assert.Equal(2e3f, g[2]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ClipByGlobalNorm_BadMax_ThrowsNamingTheValue(float maxNorm)
    {
        float[] g = [3f, 4f];

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(g, maxNorm));

        Assert.Equal("maxNorm", error.ParamName);
        Assert.StartsWith(FormattableString.Invariant($"maxNorm is {maxNorm}; it must be positive and finite."), error.Message, StringComparison.Ordinal);
        Assert.Equal([3f, 4f], g);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.PositiveInfinity)]
    public void Fit_BadClipGradientNorm_IsRefusedNamingTheValueAndChangesNothing(float maxNorm)
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: Gradient);
        var options = new TrainingOptions { LearningRate = LearningRate, Iterations = 3, ClipGradientNorm = maxNorm };

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, [0f], [0f], options));

        Assert.Equal(
            FormattableString.Invariant($"Scripted.Fit: options.ClipGradientNorm is {maxNorm}; it must be positive and finite (or null for no clipping). (Parameter 'options')"),
            error.Message);
        Assert.Equal(0, network.Calls);
        Assert.Equal(Start, network.Parameters.ToArray());
    }

    [Fact]
    public void Fit_GradientDescent_ClipsEveryUpdateAboveTheMaxByPyTorchsRule()
    {
        const int Steps = 8;
        const double MaxNorm = 5;
        float[] actual = Train(GradientDescent.Instance, (float)MaxNorm, Steps);

        // The rule in double: θ -= α·g·min(1, max / (‖g‖ + 1e-6)).
        double[] theta = Start.Select(v => (double)v).ToArray();
        int clipped = 0;
        for (int t = 0; t < Steps; t++)
        {
            double[] g = Enumerable.Range(0, theta.Length).Select(i => (double)Gradient(t, i)).ToArray();
            double factor = Math.Min(1, MaxNorm / (Math.Sqrt(g.Sum(v => v * v)) + 1e-6));
            clipped += factor < 1 ? 1 : 0;
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] -= LearningRate * g[i] * factor;
            }
        }

        Assert.InRange(clipped, 2, Steps - 2);
        AssertClose(theta, actual, 1e-6);

        // Without the clipping the same run ends elsewhere, well beyond the tolerance above.
        float[] unclipped = Train(GradientDescent.Instance, clipGradientNorm: null, Steps);
        Assert.True(Enumerable.Range(0, theta.Length).Max(i => Math.Abs(theta[i] - unclipped[i])) > 1e-2);
    }

    [Fact]
    public void Fit_Adam_SeesTheClippedGradient()
    {
        const int Steps = 6;
        const double MaxNorm = 2;
        const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;
        float[] actual = Train(new Adam(), (float)MaxNorm, Steps);

        double[] theta = Start.Select(v => (double)v).ToArray();
        double[] m = new double[theta.Length], v = new double[theta.Length];
        for (int t = 1; t <= Steps; t++)
        {
            double[] g = Enumerable.Range(0, theta.Length).Select(i => (double)Gradient(t - 1, i)).ToArray();
            double factor = Math.Min(1, MaxNorm / (Math.Sqrt(g.Sum(x => x * x)) + 1e-6));
            for (int i = 0; i < theta.Length; i++)
            {
                double clipped = g[i] * factor;
                m[i] = (Beta1 * m[i]) + ((1 - Beta1) * clipped);
                v[i] = (Beta2 * v[i]) + ((1 - Beta2) * clipped * clipped);
                double mHat = m[i] / (1 - Math.Pow(Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(Beta2, t));
                theta[i] -= LearningRate * mHat / (Math.Sqrt(vHat) + AdamEpsilon);
            }
        }

        AssertClose(theta, actual, 2e-6);
    }

    [Fact]
    public void Fit_L2_IsClippedWithTheGradientItBelongsTo()
    {
        // Zero data gradient: the whole gradient is the L2 term (λ/m)·W on the weights, and that is what gets clipped.
        const double Lambda = 4, MaxNorm = 0.5;
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 0f, gradient: (_, _) => 0f) { Weights = [0..3] };

        Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.1f, Iterations = 1, L2 = (float)Lambda, ClipGradientNorm = (float)MaxNorm });

        double[] g = [Lambda * Start[0], Lambda * Start[1], Lambda * Start[2], 0, 0];
        double factor = MaxNorm / (Math.Sqrt(g.Sum(x => x * x)) + 1e-6);
        Assert.True(factor < 1);
        AssertClose(Start.Select((s, i) => s - (0.1 * g[i] * factor)).ToArray(), network.Parameters.ToArray(), 1e-6);
    }

    [Fact]
    public void Fit_ClippingOffOrNeverReached_IsBitForBitTheUnclippedRun()
    {
        (float[] x, float[] y) = ToyData.Separable(32, seed: 30);
        float[] Run(float? clip, Optimizer? optimizer)
        {
            var network = ScalarNetwork.Tiny().Initialize(seed: 31);
            Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.1f, Iterations = 40, BatchSize = 8, Optimizer = optimizer, ClipGradientNorm = clip });
            return network.CopyParameters();
        }

        foreach (Optimizer? optimizer in new Optimizer?[] { null, new Adam() })
        {
            float[] plain = Run(null, optimizer);

            // The default trains exactly as before the option existed: the course's update θ − α·dW, step by step.
            var reference = ScalarNetwork.Tiny().Initialize(seed: 31);
            if (optimizer is null)
            {
                var gradients = new float[reference.ParameterCount];
                var workspace = new Workspace();
                var random = new NumPyRandom(0);
                float[] bx = new float[8 * 2], by = new float[8];
                for (int pass = 0; pass < 40; pass++)
                {
                    int[] order = random.Permutation(32);
                    for (int start = 0; start < 32; start += 8)
                    {
                        for (int k = 0; k < 8; k++)
                        {
                            bx[2 * k] = x[2 * order[start + k]];
                            bx[(2 * k) + 1] = x[(2 * order[start + k]) + 1];
                            by[k] = y[order[start + k]];
                        }

                        reference.ComputeGradients(bx, by, gradients, workspace);
                        Trainer.Step(reference, gradients, 0.1f);
                    }
                }

                Assert.Equal(reference.CopyParameters(), plain);
            }

            // A limit no gradient reaches leaves every update's bits alone.
            Assert.Equal(plain, Run(1e30f, optimizer));
            Assert.NotEqual(plain, Run(1e-3f, optimizer));
        }
    }

    [Fact]
    public void Fit_NonFiniteGradient_WithClipping_StillReportsTheGradient()
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: (t, i) => t == 2 && i == 1 ? float.NaN : 1f);

        TrainingHistory history = Trainer.Fit(network, [0f], [0f], new TrainingOptions { LearningRate = 0.1f, Iterations = 5, ClipGradientNorm = 1f });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.Equal(2, history.DivergedAtIteration);
        Assert.Contains("a gradient is not finite", history.Problem, StringComparison.Ordinal);
        Assert.True(network.Parameters.ToArray().All(float.IsFinite));
    }

    [Fact]
    public void Fit_WithClipping_GivesTheSameBitsAtEveryThreadCount()
    {
        (float[] x, float[] y) = ToyData.Quadrants(64, seed: 32);
        float[] Run(int threads)
        {
            var network = new ScalarNetwork("Wide", [2, 24, 24, 1], [Activation.Tanh, Activation.Tanh, Activation.Sigmoid]).Initialize(seed: 33, scale: 2);
            Trainer.Fit(network, x, y, new TrainingOptions { LearningRate = 0.05f, Iterations = 30, BatchSize = 16, Optimizer = new Adam(), ClipGradientNorm = 0.25f, MaxDegreeOfParallelism = threads });
            return network.CopyParameters();
        }

        float[] one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Fit_WithClipping_AllocatesNothingPerIteration(int batchSize)
    {
        SteadyStateFit.AssertTinyAllocatesNothing(
            progress => new TrainingOptions
            {
                LearningRate = 0.01f,
                Iterations = 200,
                BatchSize = batchSize,
                RecordEvery = 50,
                Optimizer = new Adam(),
                ClipGradientNorm = 1e-3f,
                Progress = progress,
            },
            "149 clipped Adam iterations");
    }

    private static float[] Train(Optimizer optimizer, float? clipGradientNorm, int steps)
    {
        var network = new ScriptedNetwork((float[])Start.Clone(), cost: _ => 1f, gradient: Gradient);
        TrainingHistory history = Trainer.Fit(
            network,
            [0f],
            [0f],
            new TrainingOptions { LearningRate = LearningRate, Iterations = steps, Optimizer = optimizer, ClipGradientNorm = clipGradientNorm, RecordEvery = 1000 });
        Assert.Equal(steps, network.Calls);
        Assert.NotEqual(TrainingStatus.Diverged, history.Status);
        return network.Parameters.ToArray();
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"parameter {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
