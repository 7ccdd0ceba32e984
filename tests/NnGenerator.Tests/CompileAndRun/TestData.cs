using System;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.CompileAndRun;

/// <summary>Reproducible inputs, labels and parameters (System.Random with a seed is stable across runs and machines).</summary>
internal static class TestData
{
    /// <summary>Every W[l] and b[l] uniform in ±1/√n[l-1], so activations stay in the interesting range and no bias is zero.</summary>
    public static float[] Parameters(TestArchitecture architecture, int seed)
    {
        var random = new Random(seed);
        var values = new float[architecture.ParameterCount];
        int[] sizes = architecture.Sizes;
        for (int l = 1; l < sizes.Length; l++)
        {
            double bound = 1 / Math.Sqrt(sizes[l - 1]);
            for (int p = architecture.WeightOffset(l); p < architecture.BiasOffset(l) + sizes[l]; p++)
            {
                values[p] = (float)(((2 * random.NextDouble()) - 1) * bound);
            }
        }

        // Cross-entropy after a non-sigmoid output needs a in (0, 1): clamped outputs would have no gradient in the
        // cost, so neither the finite differences nor the comparison would mean anything. Centre the output at 0.5.
        if (architecture.ResolvedLoss == Loss.BinaryCrossEntropy && architecture.Layers[^1].Activation != Activation.Sigmoid)
        {
            int l = sizes.Length - 1;
            for (int p = architecture.WeightOffset(l); p < architecture.BiasOffset(l); p++)
            {
                values[p] *= 0.2f;
            }

            for (int p = architecture.BiasOffset(l); p < architecture.BiasOffset(l) + sizes[l]; p++)
            {
                values[p] = 0.5f + (0.1f * values[p]);
            }
        }

        return values;
    }

    /// <summary>m examples, one per row, uniform in [-1, 1].</summary>
    public static float[] Inputs(TestArchitecture architecture, int m, int seed) => Uniform(m * architecture.Inputs, -1, 1, seed);

    /// <summary>
    /// Y for m examples: 0/1 for cross-entropy, values the output can reach for mean squared error
    /// ([0.05, 0.95] after a sigmoid, [-0.9, 0.9] after tanh, [-1, 1] otherwise).
    /// </summary>
    public static float[] Labels(TestArchitecture architecture, int m, int seed)
    {
        int count = m * architecture.OutputSize;
        if (architecture.ResolvedLoss == Loss.CategoricalCrossEntropy)
        {
            // One-hot rows: one class per example.
            var random = new Random(seed);
            var labels = new float[count];
            for (int i = 0; i < m; i++)
            {
                labels[(i * architecture.OutputSize) + random.Next(architecture.OutputSize)] = 1f;
            }

            return labels;
        }

        if (architecture.ResolvedLoss == Loss.BinaryCrossEntropy)
        {
            var random = new Random(seed);
            var labels = new float[count];
            for (int i = 0; i < count; i++)
            {
                labels[i] = random.Next(2);
            }

            return labels;
        }

        return architecture.Layers[^1].Activation switch
        {
            Activation.Sigmoid => Uniform(count, 0.05f, 0.95f, seed),
            Activation.Tanh => Uniform(count, -0.9f, 0.9f, seed),
            _ => Uniform(count, -1, 1, seed),
        };
    }

    public static float[] Uniform(int count, float low, float high, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(low + ((high - low) * random.NextDouble()));
        }

        return values;
    }
}
