using System;

namespace NnGen.Tests.Kernels;

/// <summary>
/// A causal Conv1D layer in double precision, direct loops over the definition y_t = b + Σ_k W[:, :, k]·x_{t−(K−1−k)d}:
/// the independent reference the streaming kernels are held to. A stream's inputs are given whole, the samples before
/// the window first, and zeros before those.
/// </summary>
internal sealed record CausalConvLayer(int InChannels, int OutChannels, int Kernel, int Dilation, int Groups)
{
    public int ChannelsPerGroup => InChannels / Groups;

    public int OutputsPerGroup => OutChannels / Groups;

    public int WeightLength => OutChannels * ChannelsPerGroup * Kernel;

    public override string ToString() => $"Conv1D {InChannels} -> {OutChannels}, K {Kernel}, d {Dilation}, g {Groups}";

    /// <summary>y (steps × Cout) of one stream whose inputs (steps × Cin) start at sample <paramref name="first"/> (earlier ones are zero).</summary>
    public double[] Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int first, int steps)
    {
        var y = new double[steps * OutChannels];
        for (int t = 0; t < steps; t++)
        {
            for (int o = 0; o < OutChannels; o++)
            {
                int firstInput = o / OutputsPerGroup * ChannelsPerGroup;
                double sum = bias[o];
                for (int k = 0; k < Kernel; k++)
                {
                    int s = first + t - ((Kernel - 1 - k) * Dilation);
                    if (s < 0)
                    {
                        continue;
                    }

                    for (int c = 0; c < ChannelsPerGroup; c++)
                    {
                        sum += (double)weight[(((o * ChannelsPerGroup) + c) * Kernel) + k] * inputs[(s * InChannels) + firstInput + c];
                    }
                }

                y[(t * OutChannels) + o] = sum;
            }
        }

        return y;
    }

    /// <summary>Σ y·r over m streams (batch-first inputs of <paramref name="past"/> + T samples each; r is (m, T, Cout)).</summary>
    public double Loss(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int past, int steps, int batch, ReadOnlySpan<float> r)
    {
        double loss = 0;
        int perStream = (past + steps) * InChannels;
        for (int j = 0; j < batch; j++)
        {
            double[] y = Forward(weight, bias, inputs.Slice(j * perStream, perStream), past, steps);
            for (int i = 0; i < y.Length; i++)
            {
                loss += y[i] * r[(j * steps * OutChannels) + i];
            }
        }

        return loss;
    }
}
