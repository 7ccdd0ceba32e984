using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// The batch kernels' per-step recurrent products up to <see cref="RecurrentKernels.SmallBatchRows"/> sequences: one
/// fused multiply-add chain over k per element, so a sequence run inside a batch gives the bits it gives alone.
/// </summary>
public sealed class RecurrentBatchProductTests
{
    private static readonly SimdWidth[] VectorWidths = [SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    [Theory]
    [InlineData(RecurrentKind.Lstm, 1, 32, 16)]
    [InlineData(RecurrentKind.Lstm, 3, 13, 12)]
    [InlineData(RecurrentKind.Gru, 1, 16, 16)]
    [InlineData(RecurrentKind.Gru, 2, 5, 64)]
    public void Forward_SequenceInBatch_SameBitsAsAlone(RecurrentKind kind, int inputs, int units, int batch)
    {
        const int Steps = 20;
        var data = new RecurrentCase(kind, inputs, units, Steps, batch, seed: 31 + units);
        foreach (SimdWidth width in VectorWidths)
        {
            (float[] hs, _, _) = data.Forward(width);
            foreach (int e in new[] { 0, batch / 2, batch - 1 })
            {
                float[] alone = ForwardAlone(data, e, width);
                var inBatch = new float[Steps * units];
                for (int t = 0; t < Steps; t++)
                {
                    Array.Copy(hs, ((t * batch) + e) * units, inBatch, t * units, units);
                }

                KernelDeterminismTests.AssertBitIdentical(alone, inBatch, $"{data} at {width}: sequence {e} in the batch against alone");
            }
        }
    }

    private static float[] ForwardAlone(RecurrentCase data, int e, SimdWidth width)
    {
        int inputs = data.Inputs, units = data.Units, steps = data.Steps;
        var x = new float[steps * inputs];
        for (int t = 0; t < steps; t++)
        {
            Array.Copy(data.X, ((t * data.Batch) + e) * inputs, x, t * inputs, inputs);
        }

        float[] h = data.H0.AsSpan(e * units, units).ToArray(), hs = new float[steps * units];
        if (data.Kind == RecurrentKind.Lstm)
        {
            float[] c = data.C0.AsSpan(e * units, units).ToArray();
            RecurrentKernels.LstmForward(
                data.WIh, data.WHh, data.BIh, data.BHh, x, steps, 1, inputs, units, h, c, hs, new float[RecurrentKernels.LstmForwardScratch(steps, 1, units)], width);
        }
        else
        {
            RecurrentKernels.GruForward(
                data.WIh, data.WHh, data.BIh, data.BHh, x, steps, 1, inputs, units, h, hs, new float[RecurrentKernels.GruForwardScratch(steps, 1, units)], width);
        }

        return hs;
    }
}
