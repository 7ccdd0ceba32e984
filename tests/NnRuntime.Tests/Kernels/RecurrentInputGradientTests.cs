using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// dW_ih of a one-input layer is a rank-1 accumulation taken in the same pass as db_ih: both are chains over the rows in
/// order, so with every input equal to a power of two c, dW_ih is exactly c·db_ih, at every width.
/// </summary>
public sealed class RecurrentInputGradientTests
{
    private static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];

    [Theory]
    [InlineData(RecurrentKind.Lstm, 32, 0.5f)]
    [InlineData(RecurrentKind.Lstm, 5, 2f)]
    [InlineData(RecurrentKind.Gru, 16, 0.5f)]
    [InlineData(RecurrentKind.Gru, 13, 1f)]
    public void Backward_OneInput_InputWeightGradientIsTheBiasChainScaled(RecurrentKind kind, int units, float input)
    {
        // 16 sequences of 40 steps: 640 rows, enough that a blocked or reassociated sum would round differently.
        var data = new RecurrentCase(kind, inputs: 1, units, steps: 40, batch: 16, seed: 1000 + units);
        Array.Fill(data.X, input);
        foreach (SimdWidth width in AllWidths)
        {
            RecurrentGradients<float> gradients = data.Backward(width);
            float[] scaledBias = Array.ConvertAll(gradients.BIh, b => b * input);
            KernelDeterminismTests.AssertBitIdentical(scaledBias, gradients.WIh, $"{data} at {width}, x = {input}: dW_ih against {input}·db_ih");
        }
    }

    [Theory]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.Gru)]
    public void Backward_OneInput_SameBitsAtEveryVectorWidthAndShift(RecurrentKind kind)
    {
        var data = new RecurrentCase(kind, inputs: 1, units: 32, steps: 30, batch: 16, seed: 77);
        RecurrentGradients<float> expected = data.Backward(SimdWidth.V512);
        foreach (SimdWidth width in new[] { SimdWidth.V128, SimdWidth.V256, SimdWidth.Auto })
        {
            RecurrentGradients<float> actual = data.Backward(width);
            KernelDeterminismTests.AssertBitIdentical(expected.WIh, actual.WIh, $"{data} at {width}: dW_ih");
            KernelDeterminismTests.AssertBitIdentical(expected.BIh, actual.BIh, $"{data} at {width}: db_ih");
            KernelDeterminismTests.AssertBitIdentical(expected.BHh, actual.BHh, $"{data} at {width}: db_hh");
        }
    }
}
