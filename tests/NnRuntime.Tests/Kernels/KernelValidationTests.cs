using System;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>The public edge rejects buffers that do not match their shapes, naming both sizes.</summary>
public sealed class KernelValidationTests
{
    [Fact]
    public void MultiplyNN_ShortA_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNN(new float[11], new float[20], new float[15], 3, 4, 5));
        Assert.Equal("a", error.ParamName);
        Assert.Contains("has 11 floats, expected 12 (m 3 x k 4)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gemm.MultiplyNN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyNN_WrongB_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNN(new float[12], new float[21], new float[15], 3, 4, 5));
        Assert.Equal("b", error.ParamName);
        Assert.Contains("has 21 floats, expected 20 (k 4 x n 5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyNN_WrongC_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNN(new float[12], new float[20], new float[16], 3, 4, 5));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("has 16 floats, expected 15 (m 3 x n 5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyNT_WrongB_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNT(new float[12], new float[19], new float[15], 3, 4, 5));
        Assert.Equal("b", error.ParamName);
        Assert.Contains("has 19 floats, expected 20 (n 5 x k 4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyTN_WrongA_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTN(new float[13], new float[20], new float[15], 3, 4, 5));
        Assert.Equal("a", error.ParamName);
        Assert.Contains("has 13 floats, expected 12 (k 4 x m 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyNN_NegativeSize_ThrowsOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyNN([], [], [], -1, 0, 0));
        Assert.Equal("m", error.ParamName);
    }

    [Fact]
    public void MultiplyNT_OutputOverlapsInput_Throws()
    {
        float[] buffer = new float[8];
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNT(buffer.AsSpan(0, 4), buffer.AsSpan(4, 4), buffer.AsSpan(2, 4), 2, 2, 2));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("overlaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatVec_WrongX_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MatVec(new float[12], new float[3], [], new float[3], 3, 4));
        Assert.Equal("x", error.ParamName);
        Assert.Contains("has 3 floats, expected 4 (cols)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatVec_WrongBias_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MatVec(new float[12], new float[4], new float[2], new float[3], 3, 4));
        Assert.Equal("bias", error.ParamName);
        Assert.Contains("has 2 floats, expected 3 (rows)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatVec_WrongY_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.MatVec(new float[12], new float[4], [], new float[4], 3, 4));
        Assert.Equal("y", error.ParamName);
        Assert.Contains("has 4 floats, expected 3 (rows)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, 4, 3, 3, 3, "w", "has 11 floats, expected 12 (rows 3 x cols 4)")]
    [InlineData(12, 3, 3, 3, 3, "x", "has 3 floats, expected 4 (cols)")]
    [InlineData(12, 4, 2, 3, 3, "bias", "has 2 floats, expected 3 (rows)")]
    [InlineData(12, 4, 3, 4, 3, "y", "has 4 floats, expected 3 (rows)")]
    [InlineData(12, 4, 3, 3, -3, "rows", "rows is -3")]
    public void MatVecWithActivation_WrongSize_ThrowsNamingSizesAndWritesNothing(int w, int x, int bias, int y, int rows, string parameter, string message)
    {
        float[] output = new float[y];
        output.AsSpan().Fill(7f);
        var error = Assert.ThrowsAny<ArgumentException>(() => Gemm.MatVec(new float[w], new float[x], new float[bias], output, rows, 4, Activation.Tanh));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains("Gemm.MatVec: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.All(output, value => Assert.Equal(7f, value));
    }

    [Fact]
    public void MatVecWithActivation_OutputOverlapsInput_Throws()
    {
        float[] buffer = new float[16];
        var error = Assert.Throws<ArgumentException>(() => Gemm.MatVec(buffer.AsSpan(0, 8), buffer.AsSpan(8, 4), buffer.AsSpan(12, 2), buffer.AsSpan(10, 2), 2, 4, Activation.ReLU));
        Assert.Equal("y", error.ParamName);
        Assert.Contains("overlaps x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatVecWithActivation_UndefinedActivation_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatVec(new float[4], new float[2], new float[2], new float[2], 2, 2, (Activation)42));
        Assert.Equal("activation", error.ParamName);
        Assert.Contains("42 is not a defined Activation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigmoid_LengthMismatch_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => ActivationKernels.Forward(Activation.Sigmoid, new float[5], new float[4]));
        Assert.Equal("a", error.ParamName);
        Assert.Contains("has 4 floats, expected 5 (z.Length)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeakyReLU_ShiftedOverlap_Throws()
    {
        float[] buffer = new float[10];
        var error = Assert.Throws<ArgumentException>(() => ActivationKernels.Forward(Activation.LeakyReLU, buffer.AsSpan(0, 8), buffer.AsSpan(1, 8)));
        Assert.Contains("overlaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TanhBackward_LengthMismatch_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => ActivationKernels.TanhBackward(new float[5], new float[6]));
        Assert.Equal("grad", error.ParamName);
        Assert.Contains("has 6 floats, expected 5 (a.Length)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SumRows_WrongDz_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => ActivationKernels.SumRows(new float[10], new float[3], 4, 1f));
        Assert.Equal("dz", error.ParamName);
        Assert.Contains("has 10 floats, expected 12 (db.Length 3 x m 4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transpose_WrongDst_ThrowsNamingSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Layout.Transpose(new float[6], new float[5], 2, 3));
        Assert.Equal("dst", error.ParamName);
        Assert.Contains("has 5 floats, expected 6 (cols 3 x rows 2)", error.Message, StringComparison.Ordinal);
    }
}
