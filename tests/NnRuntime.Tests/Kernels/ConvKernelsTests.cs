using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Kernels;
using NnGen.Tests.Support;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Issue 25: ConvKernels.ConvForward and ConvBackward against the double-precision direct reference
/// (<see cref="ConvReference"/>) over a table of geometries, at every width this CPU runs (and both register-tile
/// shapes), for one example and for 37; the reference against finite differences; and the kernels' own promises:
/// chunking changes no bit of Z, positions of the buffers and the thread count change no bit at all, nothing allocates,
/// and wrong lengths are named.
/// </summary>
/// <remarks>
/// Tolerance: each element within 1e-5 of its magnitude Σ|terms| (the scale float32 rounding is relative to; the
/// longest sums here, dW over 37·784 positions, stay two orders of magnitude inside it) plus 1e-6 absolute for sums
/// that cancel to nothing.
/// </remarks>
public sealed class ConvKernelsTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;

    /// <summary>The geometries every test walks: each feature alone, a few together, the degenerate sizes, and LeNet-5's layers.</summary>
    internal static readonly IReadOnlyDictionary<string, ConvGeometry> Geometries = new Dictionary<string, ConvGeometry>
    {
        ["basic 3x3 pad 1"] = new(3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        ["stride 2"] = new(2, 9, 8, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        ["asymmetric padding"] = new(2, 6, 7, 3, 3, 2, 1, 1, 2, 0, 1, 3, 1, 1, 1),
        ["dilation 2"] = new(2, 10, 9, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
        ["groups 2, stride 2x1, asymmetric"] = new(4, 8, 7, 6, 3, 3, 2, 1, 1, 1, 0, 2, 1, 1, 2),
        ["1-D stride 2 dilation 2"] = ConvGeometry.OneDimensional(2, 11, 3, 3, 2, 1, 1, 2, 1),
        ["1-D causal depthwise"] = ConvGeometry.OneDimensional(4, 13, 4, 3, 1, 4, 0, 2, 4),
        ["kernel = input"] = new(3, 5, 4, 2, 5, 4, 1, 1, 0, 0, 0, 0, 1, 1, 1),
        ["1x1 groups 3"] = new(6, 5, 4, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3),
        ["1x1 stride 2"] = new(3, 5, 5, 2, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1),
        ["stride 3 > kernel 2"] = new(2, 8, 8, 2, 2, 2, 3, 3, 1, 0, 0, 1, 1, 1, 1),
        ["LeNet-5 conv1"] = new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1),
        ["LeNet-5 conv2"] = new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1),
    };

    public static TheoryData<string, string, string, int> Cases()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (string geometry in Geometries.Keys)
        {
            foreach (string width in KernelTestSupport.SupportedWidths())
            {
                foreach (int batch in new[] { 1, 37 })
                {
                    data.Add(geometry, width, batch == 1 ? nameof(TileShape.Wide) : nameof(TileShape.Narrow), batch);
                }
            }
        }

        return data;
    }

    public static TheoryData<string> GeometryNames() => new(Geometries.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvForward_AgainstDirectReference_WithinTolerance(string geometry, string widthName, string tiles, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: geometry.Length + batch);
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float[] z;
        using (KernelTestSupport.ForceTileShape(tiles))
        {
            z = data.Forward(width);
        }

        (double[] expected, double[] magnitude) = ConvReference.ConvForward(g, data.XNchw, data.W, data.B, batch);
        KernelTestSupport.AssertClose(ConvReference.ToNchw(z, g.OutputFeatures, batch), expected, magnitude, Relative, Absolute, $"{geometry}, Z at {widthName}, m = {batch}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvBackward_AgainstDirectReference_WithinTolerance(string geometry, string widthName, string tiles, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: geometry.Length + batch);
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        float scale = 1f / batch;
        (float[] dw, float[] db, float[] dx) result;
        using (KernelTestSupport.ForceTileShape(tiles))
        {
            result = data.Backward(width, scale);
        }

        ConvGradients expected = ConvReference.ConvBackward(g, data.XNchw, data.W, data.DzNchw, batch, scale);
        string context = $"{geometry} at {widthName}, m = {batch}";
        KernelTestSupport.AssertClose(result.dw, expected.DWeight, expected.DWeightMagnitude, Relative, Absolute, $"{context}: dW");
        KernelTestSupport.AssertClose(result.db, expected.DBias, expected.DBiasMagnitude, Relative, Absolute, $"{context}: db");
        KernelTestSupport.AssertClose(ConvReference.ToNchw(result.dx, g.InputFeatures, batch), expected.DInput, expected.DInputMagnitude, Relative, Absolute, $"{context}: dInput");
    }

    /// <summary>
    /// The reference's gradients are those of its own forward pass: central differences of L = Σ r·tanh(Z) in double
    /// (step 1e-4; the loss is smooth, so the difference is accurate to about 1e-8) agree with the back-propagated
    /// dW, db and dX within 1e-6 relative.
    /// </summary>
    [Theory]
    [InlineData("stride 2")]
    [InlineData("asymmetric padding")]
    [InlineData("dilation 2")]
    [InlineData("groups 2, stride 2x1, asymmetric")]
    [InlineData("1-D causal depthwise")]
    public void ReferenceBackward_MatchesFiniteDifferences(string geometry)
    {
        ConvGeometry g = Geometries[geometry];
        const int M = 2;
        var data = new ConvCase(g, M, seed: 5);
        float[] r = KernelTestSupport.RandomFloats(M * g.OutputFeatures, seed: 6);
        double Loss(float[] x, float[] w, float[] b)
        {
            double[] z = ConvReference.ConvForward(g, x, w, b, M).Z;
            return z.Select((value, i) => r[i] * Math.Tanh(value)).Sum();
        }

        double[] zBase = ConvReference.ConvForward(g, data.XNchw, data.W, data.B, M).Z;
        float[] dz = zBase.Select((value, i) => (float)(r[i] * (1 - (Math.Tanh(value) * Math.Tanh(value))))).ToArray();
        ConvGradients gradients = ConvReference.ConvBackward(g, data.XNchw, data.W, dz, M, scale: 1f);
        Check("W", data.W, gradients.DWeight);
        Check("b", data.B, gradients.DBias);
        Check("x", data.XNchw, gradients.DInput);

        void Check(string name, float[] values, double[] gradient)
        {
            const float Step = 1f / 8192;
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                values[i] = original + Step;
                double plus = Loss(data.XNchw, data.W, data.B), up = values[i];
                values[i] = original - Step;
                double minus = Loss(data.XNchw, data.W, data.B), down = values[i];
                values[i] = original;

                // The step actually taken: original ± Step rounds to float when the sum changes binade.
                double numeric = (plus - minus) / (up - down);
                Assert.True(
                    Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"{geometry}: d{name}[{i}] back-propagated {gradient[i]:R}, finite difference {numeric:R}");
            }
        }
    }

    /// <summary>
    /// The kernels' backward pass is the gradient of their own forward pass: central differences of L = Σ r·Z, Z from
    /// ConvForward in float, agree with ConvBackward's dW, db and dX. L is linear in every parameter, so the difference
    /// has no truncation error; only Z's float rounding at the outputs the parameter touches is divided by the step
    /// (2^-4), hence 1e-4 of Σ|r·x| (or Σ|r·w|, Σ|r|), two orders of magnitude above that rounding.
    /// </summary>
    [Theory]
    [InlineData("stride 2")]
    [InlineData("asymmetric padding")]
    [InlineData("dilation 2")]
    [InlineData("groups 2, stride 2x1, asymmetric")]
    [InlineData("1-D stride 2 dilation 2")]
    [InlineData("1x1 groups 3")]
    public void ConvBackward_MatchesFiniteDifferencesOfConvForward(string geometry)
    {
        ConvGeometry g = Geometries[geometry];
        const int M = 3;
        var data = new ConvCase(g, M, seed: 8);
        float[] r = data.Dz;
        double Loss()
        {
            float[] z = data.Forward(SimdWidth.Auto);
            double sum = 0;
            for (int i = 0; i < z.Length; i++)
            {
                sum += (double)r[i] * z[i];
            }

            return sum;
        }

        (float[] dw, float[] db, float[] dx) = data.Backward(SimdWidth.Auto, scale: 1f);
        ConvGradients magnitudes = ConvReference.ConvBackward(g, data.XNchw, data.W, data.DzNchw, M, 1f);
        Check("W", data.W, dw, magnitudes.DWeightMagnitude);
        Check("b", data.B, db, magnitudes.DBiasMagnitude);
        Check("x", data.X, dx, ConvReference.ToChwn(magnitudes.DInputMagnitude, g.InputFeatures, M));

        void Check(string name, float[] values, float[] gradient, double[] magnitude)
        {
            const float Step = 1f / 16;
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                values[i] = original + Step;
                double plus = Loss(), up = values[i];
                values[i] = original - Step;
                double minus = Loss(), down = values[i];
                values[i] = original;
                double numeric = (plus - minus) / (up - down);
                Assert.True(
                    Math.Abs(numeric - gradient[i]) <= (1e-4 * magnitude[i]) + 1e-5,
                    $"{geometry}: d{name}[{i}] ConvBackward {gradient[i]:R}, finite difference of ConvForward {numeric:R} (magnitude {magnitude[i]:R})");
            }
        }
    }

    /// <summary>
    /// Scratch is bounded by the chunk, not the batch: LeNet-5's conv1 at m = 15 (25 × 11,760 floats of im2col; larger
    /// batches take the direct path) needs at most 1 MiB of chunk per buffer, and every chunking gives Z the same bits
    /// (each output one FMA chain over the kernel whatever chunk computes it), including a last chunk narrower than a vector.
    /// </summary>
    [Theory]
    [InlineData("LeNet-5 conv1", 15)]
    [InlineData("LeNet-5 conv2", 15)]
    [InlineData("groups 2, stride 2x1, asymmetric", 13)]
    [InlineData("1-D causal depthwise", 5)]
    public void ConvForward_AnyChunking_SameBits(string geometry, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: 9);
        int columns = g.OutHeight * g.OutWidth * batch;
        Assert.True(ConvKernels.ConvForwardScratch(g, batch) * 4L <= 4L << 20, $"{geometry}: forward scratch {ConvKernels.ConvForwardScratch(g, batch)} floats");
        Assert.True(ConvKernels.ConvBackwardScratch(g, batch) * 4L <= (2L * 4 << 20) + (4L * g.WeightCount), $"{geometry}: backward scratch {ConvKernels.ConvBackwardScratch(g, batch)} floats");
        float[] whole = data.Forward(SimdWidth.Auto, chunkColumns: columns);
        foreach (int chunk in new[] { 64, 128, 192, 640, ConvKernels.ChunkColumns(g) })
        {
            if (chunk < 64 || chunk > columns)
            {
                continue;
            }

            float[] chunked = data.Forward(SimdWidth.Auto, chunkColumns: chunk);
            AssertSameBits(whole, chunked, $"{geometry}, m = {batch}: Z in chunks of {chunk} columns against one chunk of {columns}");
        }
    }

    public static TheoryData<string, string> GeometriesAndVectorWidths()
    {
        var data = new TheoryData<string, string>();
        foreach (string geometry in Geometries.Keys)
        {
            foreach (string width in KernelTestSupport.SupportedWidths())
            {
                if (width != nameof(SimdWidth.Scalar))
                {
                    data.Add(geometry, width);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// From 24 examples on, every kernel but a pointwise one takes the direct path (no scratch), and below it im2col:
    /// both compute each output as the same chain (the taps in order from zero, then the bias), so the first and the
    /// last 15 examples of a batch give alone the bits they give inside it. The batches put the direct kernel's last
    /// tile of one to four vectors at every width over examples another tile computed too, and the geometries leave one
    /// to three output channels after its four-channel tiles. The scalar width is left out: its im2col product rounds
    /// each product and sum apart, the direct loop fuses them as every vector width does.
    /// </summary>
    [Theory]
    [MemberData(nameof(GeometriesAndVectorWidths))]
    public void ConvForward_DirectAndIm2ColPaths_SameBits(string geometry, string widthName)
    {
        ConvGeometry g = Geometries[geometry];
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        bool pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1;
        Assert.Equal(0, ConvKernels.ConvForwardScratch(g, ConvKernels.DirectMinimumBatch));
        if (!pointwise)
        {
            Assert.NotEqual(0, ConvKernels.ConvForwardScratch(g, ConvKernels.DirectMinimumBatch - 1));
        }

        foreach (int batch in new[] { 24, 25, 37, 50, 64, 75, 120 })
        {
            var data = new ConvCase(g, batch, seed: batch);
            float[] direct = ConvReference.ToNchw(data.Forward(width), g.OutputFeatures, batch);
            foreach (int first in new[] { 0, batch - 15 })
            {
                var part = new ConvCase(g, 15, seed: batch);
                Array.Copy(data.W, part.W, g.WeightCount);
                Array.Copy(data.B, part.B, g.OutChannels);
                ConvReference.ToChwn(data.XNchw.AsSpan(first * g.InputFeatures, 15 * g.InputFeatures).ToArray(), g.InputFeatures, 15).CopyTo(part.X, 0);
                float[] im2col = ConvReference.ToNchw(part.Forward(width), g.OutputFeatures, 15);
                AssertSameBits(
                    im2col, direct.AsSpan(first * g.OutputFeatures, 15 * g.OutputFeatures).ToArray(),
                    $"{geometry} at {widthName}: examples {first}..{first + 14} alone through im2col against inside a batch of {batch} through the direct path");
            }
        }
    }

    /// <summary>
    /// ConvForward with an activation gives the bits of ConvForward then ActivationKernels.Forward over Z (what the
    /// generated code did before it passed the activation): through im2col (m = 15) and through the direct kernel, which
    /// applies ReLU and leaky ReLU as it stores each output and tanh and sigmoid in a pass after, at every width.
    /// </summary>
    [Theory]
    [MemberData(nameof(GeometriesAndVectorWidths))]
    public void ConvForward_WithActivation_SameBitsAsActivationAfter(string geometry, string widthName)
    {
        ConvGeometry g = Geometries[geometry];
        SimdWidth width = KernelTestSupport.ParseWidth(widthName);
        foreach (int batch in new[] { 15, 37 })
        {
            var data = new ConvCase(g, batch, seed: 21 + batch);
            float[] z = data.Forward(width);
            foreach (Activation activation in new[] { Activation.ReLU, Activation.LeakyReLU, Activation.Tanh, Activation.Sigmoid, Activation.Linear })
            {
                float[] expected = new float[z.Length];
                ActivationKernels.Forward(activation, z, expected, width);
                AssertSameBits(expected, data.Forward(width, activation: activation), $"{geometry} at {widthName}, m = {batch}: {activation} fused against applied after");
            }
        }
    }

    /// <summary>An activation the kernel cannot apply element-wise is refused, named, before anything is written.</summary>
    [Fact]
    public void ConvForward_NotElementwiseActivation_ThrowsAndWritesNothing()
    {
        ConvGeometry g = Geometries["LeNet-5 conv2"];
        var data = new ConvCase(g, 24, seed: 22);
        float[] z = new float[g.OutputFeatures * 24];
        Array.Fill(z, 3f);
        var softmax = Assert.Throws<ArgumentException>(() => ConvKernels.ConvForward(g, data.X, data.W, data.B, z, 24, [], Activation.Softmax));
        Assert.Equal("activation", softmax.ParamName);
        Assert.StartsWith("ConvKernels.ConvForward: activation is Softmax, which is not element-wise", softmax.Message, StringComparison.Ordinal);
        var undefined = Assert.Throws<ArgumentOutOfRangeException>(() => ConvKernels.ConvForward(g, data.X, data.W, data.B, z, 24, [], (Activation)99));
        Assert.Equal("activation", undefined.ParamName);
        Assert.All(z, value => Assert.Equal(3f, value));
    }

    /// <summary>The backward pass in chunks sums dW chunk by chunk and adds dInput chunk after chunk: close to one chunk's result, and the reference's.</summary>
    [Theory]
    [InlineData("LeNet-5 conv2", 37)]
    [InlineData("stride 2", 37)]
    public void ConvBackward_SmallChunks_StillMatchReference(string geometry, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: 10);
        (float[] dw, float[] db, float[] dx) = data.Backward(SimdWidth.Auto, scale: 0.5f, chunkColumns: 64);
        ConvGradients expected = ConvReference.ConvBackward(g, data.XNchw, data.W, data.DzNchw, batch, 0.5f);
        KernelTestSupport.AssertClose(dw, expected.DWeight, expected.DWeightMagnitude, Relative, Absolute, $"{geometry}: dW in chunks of 64");
        KernelTestSupport.AssertClose(db, expected.DBias, expected.DBiasMagnitude, Relative, Absolute, $"{geometry}: db in chunks of 64");
        KernelTestSupport.AssertClose(ConvReference.ToNchw(dx, g.InputFeatures, batch), expected.DInput, expected.DInputMagnitude, Relative, Absolute, $"{geometry}: dInput in chunks of 64");
    }

    /// <summary>Every width runs the same FMA chains (Z, dInput) and 16-lane sums (dW, db): V128, V256 and V512 agree bit for bit.</summary>
    [Theory]
    [MemberData(nameof(GeometryNames))]
    public void ConvForwardAndBackward_EveryVectorWidth_SameBits(string geometry)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, 37, seed: 11);
        float[] z = data.Forward(SimdWidth.V512);
        (float[] dw, float[] db, float[] dx) = data.Backward(SimdWidth.V512, 1f / 37);
        foreach (SimdWidth width in new[] { SimdWidth.V256, SimdWidth.V128 })
        {
            AssertSameBits(z, data.Forward(width), $"{geometry}: Z at {width} against V512");
            (float[] dw2, float[] db2, float[] dx2) = data.Backward(width, 1f / 37);
            AssertSameBits(dw, dw2, $"{geometry}: dW at {width} against V512");
            AssertSameBits(db, db2, $"{geometry}: db at {width} against V512");
            AssertSameBits(dx, dx2, $"{geometry}: dInput at {width} against V512");
        }
    }

    /// <summary>Same inputs, buffers at other offsets (so other alignments) and 1 or 2 threads: the same bits.</summary>
    [Theory]
    [InlineData("LeNet-5 conv1", 128)]
    [InlineData("LeNet-5 conv2", 128)]
    [InlineData("groups 2, stride 2x1, asymmetric", 37)]
    [InlineData("1x1 groups 3", 37)]
    public void ConvForwardAndBackward_ShiftedBuffersAndThreads_SameBits(string geometry, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: 12);
        float[] z;
        (float[] dw, float[] db, float[] dx) gradients;
        using (KernelParallelism.Override(1))
        {
            z = data.Forward(SimdWidth.Auto);
            gradients = data.Backward(SimdWidth.Auto, 1f / batch);
        }

        foreach ((int shift, int degree) in new[] { (1, 1), (3, 2), (5, 2), (16, 2) })
        {
            using (KernelParallelism.Override(degree))
            {
                string context = $"{geometry}, m = {batch}, buffers shifted by {shift} floats, {degree} threads";
                AssertSameBits(z, data.Forward(SimdWidth.Auto, shift: shift), $"{context}: Z");
                (float[] dw, float[] db, float[] dx) shifted = data.Backward(SimdWidth.Auto, 1f / batch, shift: shift);
                AssertSameBits(gradients.dw, shifted.dw, $"{context}: dW");
                AssertSameBits(gradients.db, shifted.db, $"{context}: db");
                AssertSameBits(gradients.dx, shifted.dx, $"{context}: dInput");
            }
        }
    }

    /// <summary>
    /// Geometries large enough (at least <see cref="KernelParallelism.MinimumParallelFlops"/>, several chunks) for the
    /// backward pass to be shared over threads (dW by chunk slots, dInput by input channels): at every width, 2, 3 and
    /// 4 threads with buffers shifted give one thread's bits at that width.
    /// </summary>
    [Theory]
    [InlineData("LeNet-5 conv2", 128)]
    [InlineData("odd: groups 2, stride 2x1, dilation 2x1, asymmetric", 100)]
    [InlineData("1-D: groups 2, stride 2, dilation 2", 3000)]
    public void ConvBackward_ParallelSized_AnyThreadCountAndWidth_SameBits(string geometry, int batch)
    {
        ConvGeometry g = ParallelGeometries.TryGetValue(geometry, out ConvGeometry large) ? large : Geometries[geometry];
        Assert.True(2L * g.WeightCount * g.OutHeight * g.OutWidth * batch >= KernelParallelism.MinimumParallelFlops, $"{geometry} at m = {batch} is too small to be shared.");
        Assert.True((long)g.OutHeight * g.OutWidth * batch > ConvKernels.ChunkColumns(g), $"{geometry} at m = {batch} fits one chunk: nothing to share.");
        var data = new ConvCase(g, batch, seed: 16);
        foreach (string widthName in KernelTestSupport.SupportedWidths())
        {
            SimdWidth width = KernelTestSupport.ParseWidth(widthName);
            (float[] dw, float[] db, float[] dx) expected;
            using (KernelParallelism.Override(1))
            {
                expected = data.Backward(width, 1f / batch);
            }

            foreach ((int degree, int shift) in new[] { (2, 1), (3, 5), (4, 16) })
            {
                using (KernelParallelism.Override(degree))
                {
                    string context = $"{geometry}, m = {batch}, {widthName}, {degree} threads, buffers shifted by {shift}";
                    (float[] dw, float[] db, float[] dx) = data.Backward(width, 1f / batch, shift: shift);
                    AssertSameBits(expected.dw, dw, $"{context}: dW");
                    AssertSameBits(expected.db, db, $"{context}: db");
                    AssertSameBits(expected.dx, dx, $"{context}: dInput");
                }
            }
        }
    }

    /// <summary>Odd geometries sized for the thread-count test (each feature of the table's small ones, at a size worth sharing).</summary>
    private static readonly IReadOnlyDictionary<string, ConvGeometry> ParallelGeometries = new Dictionary<string, ConvGeometry>
    {
        ["odd: groups 2, stride 2x1, dilation 2x1, asymmetric"] = new(8, 16, 15, 12, 3, 3, 2, 1, 1, 2, 0, 1, 2, 1, 2),
        ["1-D: groups 2, stride 2, dilation 2"] = ConvGeometry.OneDimensional(6, 40, 8, 3, 2, 2, 1, 2, 2),
    };

    /// <summary>An empty dInput skips the input gradient and leaves dW and db as they are with it.</summary>
    [Fact]
    public void ConvBackward_EmptyDInput_SameWeightGradients()
    {
        ConvGeometry g = Geometries["LeNet-5 conv2"];
        var data = new ConvCase(g, 9, seed: 13);
        (float[] dw, float[] db, _) = data.Backward(SimdWidth.Auto, 0.25f);
        float[] dw2 = new float[g.WeightCount], db2 = new float[g.OutChannels];
        ConvKernels.ConvBackward(g, data.X, data.W, data.Dz, 9, 0.25f, dw2, db2, [], new float[ConvKernels.ConvBackwardScratch(g, 9)]);
        AssertSameBits(dw, dw2, "dW without dInput");
        AssertSameBits(db, db2, "db without dInput");
    }

    [Theory]
    [InlineData("LeNet-5 conv1", 128)]
    [InlineData("LeNet-5 conv2", 1)]
    [InlineData("LeNet-5 conv2", 128)]
    [InlineData("1x1 groups 3", 37)]
    public void ConvForwardAndBackward_AfterWarmUp_AllocateNothing(string geometry, int batch)
    {
        ConvGeometry g = Geometries[geometry];
        var data = new ConvCase(g, batch, seed: 14);
        float[] z = new float[g.OutputFeatures * batch], dw = new float[g.WeightCount], db = new float[g.OutChannels], dx = new float[g.InputFeatures * batch];
        float[] forwardScratch = new float[ConvKernels.ConvForwardScratch(g, batch)];
        float[] backwardScratch = new float[ConvKernels.ConvBackwardScratch(g, batch)];
        AllocationAssert.NoAllocation(
            () =>
            {
                ConvKernels.ConvForward(g, data.X, data.W, data.B, z, batch, forwardScratch);
                ConvKernels.ConvBackward(g, data.X, data.W, data.Dz, batch, 1f / batch, dw, db, dx, backwardScratch);
            },
            calls: 3,
            $"{geometry} forward and backward at m = {batch}");
    }

    [Fact]
    public void ConvForward_WrongLengths_NameSpanExpectedAndActual()
    {
        ConvGeometry g = Geometries["stride 2"];
        const int M = 4;
        float[] x = new float[g.InputFeatures * M], w = new float[g.WeightCount], b = new float[g.OutChannels], z = new float[g.OutputFeatures * M];
        float[] scratch = new float[ConvKernels.ConvForwardScratch(g, M)];
        AssertNames("input", x.Length - 1, $"{g.InputFeatures * M} (Cin·H·W {g.InputFeatures} x batch 4)", () => ConvKernels.ConvForward(g, x.AsSpan(1), w, b, z, M, scratch));
        AssertNames("weight", w.Length + 1, $"{g.WeightCount} (Cout·(Cin/groups)·kh·kw)", () => ConvKernels.ConvForward(g, x, new float[w.Length + 1], b, z, M, scratch));
        AssertNames("bias", 2, $"{g.OutChannels} (Cout)", () => ConvKernels.ConvForward(g, x, w, new float[2], z, M, scratch));
        AssertNames("output", z.Length - 4, $"{g.OutputFeatures * M} (Cout·Ho·Wo {g.OutputFeatures} x batch 4)", () => ConvKernels.ConvForward(g, x, w, b, z.AsSpan(4), M, scratch));
        AssertNames("scratch", scratch.Length - 1, $"at least {scratch.Length} (ConvForwardScratch)", () => ConvKernels.ConvForward(g, x, w, b, z, M, scratch.AsSpan(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvKernels.ConvForward(g, x, w, b, z, -1, scratch));
        float[] shared = new float[x.Length + z.Length];
        var overlap = Assert.Throws<ArgumentException>(() => ConvKernels.ConvForward(g, shared.AsSpan(0, x.Length), w, b, shared.AsSpan(x.Length - 1, z.Length), M, scratch));
        Assert.Equal("ConvKernels.ConvForward: output overlaps input; they must not overlap.", overlap.Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public void ConvBackward_WrongLengths_NameSpanExpectedAndActual()
    {
        ConvGeometry g = Geometries["groups 2, stride 2x1, asymmetric"];
        const int M = 3;
        float[] x = new float[g.InputFeatures * M], w = new float[g.WeightCount], dz = new float[g.OutputFeatures * M];
        float[] dw = new float[g.WeightCount], db = new float[g.OutChannels], dx = new float[g.InputFeatures * M];
        float[] scratch = new float[ConvKernels.ConvBackwardScratch(g, M)];
        AssertNames("input", x.Length + 3, $"{x.Length} (Cin·H·W {g.InputFeatures} x batch 3)", () => ConvKernels.ConvBackward(g, new float[x.Length + 3], w, dz, M, 1, dw, db, dx, scratch));
        AssertNames("weight", 1, $"{g.WeightCount} (Cout·(Cin/groups)·kh·kw)", () => ConvKernels.ConvBackward(g, x, new float[1], dz, M, 1, dw, db, dx, scratch));
        AssertNames("deltaZ", dz.Length - 1, $"{dz.Length} (Cout·Ho·Wo {g.OutputFeatures} x batch 3)", () => ConvKernels.ConvBackward(g, x, w, dz.AsSpan(1), M, 1, dw, db, dx, scratch));
        AssertNames("dWeight", dw.Length - 2, $"{dw.Length} (Cout·(Cin/groups)·kh·kw)", () => ConvKernels.ConvBackward(g, x, w, dz, M, 1, dw.AsSpan(2), db, dx, scratch));
        AssertNames("dBias", 0, $"{db.Length} (Cout)", () => ConvKernels.ConvBackward(g, x, w, dz, M, 1, dw, [], dx, scratch));
        AssertNames("dInput", dx.Length - 1, $"{dx.Length} (Cin·H·W {g.InputFeatures} x batch 3)", () => ConvKernels.ConvBackward(g, x, w, dz, M, 1, dw, db, dx.AsSpan(1), scratch));
        AssertNames("scratch", 3, $"at least {scratch.Length} (ConvBackwardScratch)", () => ConvKernels.ConvBackward(g, x, w, dz, M, 1, dw, db, dx, new float[3]));
    }

    internal static void AssertNames(string parameter, int actual, string expected, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains($"{parameter} has {actual.ToString(CultureInfo.InvariantCulture)} floats, expected {expected}", error.Message, StringComparison.Ordinal);
    }

    internal static void AssertSameBits(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R} bit for bit."));
            }
        }
    }

    /// <summary>Seeded inputs of one geometry and batch, in the kernels' CHWN and in NCHW for the reference.</summary>
    internal sealed class ConvCase
    {
        public ConvCase(ConvGeometry g, int batch, int seed)
        {
            Geometry = g;
            Batch = batch;
            XNchw = KernelTestSupport.RandomFloats(g.InputFeatures * batch, seed);
            W = KernelTestSupport.RandomFloats(g.WeightCount, seed + 1, 0.5f);
            B = KernelTestSupport.RandomFloats(g.OutChannels, seed + 2);
            DzNchw = KernelTestSupport.RandomFloats(g.OutputFeatures * batch, seed + 3);
            X = ConvReference.ToChwn(XNchw, g.InputFeatures, batch);
            Dz = ConvReference.ToChwn(DzNchw, g.OutputFeatures, batch);
        }

        public ConvGeometry Geometry { get; }

        public int Batch { get; }

        public float[] XNchw { get; }

        public float[] X { get; }

        public float[] W { get; }

        public float[] B { get; }

        public float[] DzNchw { get; }

        public float[] Dz { get; }

        /// <summary>ConvForward with every buffer (input, weight, bias, output, scratch) starting <paramref name="shift"/> floats into a larger array.</summary>
        public float[] Forward(SimdWidth width, int chunkColumns = 0, int shift = 0, Activation activation = Activation.Linear)
        {
            ConvGeometry g = Geometry;
            int chunk = chunkColumns > 0 ? chunkColumns : ConvKernels.ChunkColumns(g);
            Span<float> x = Place(X, shift), w = Place(W, shift), b = Place(B, shift);
            Span<float> z = new float[(g.OutputFeatures * Batch) + shift].AsSpan(shift);
            float[] scratchBuffer = Guarded(ConvKernels.ConvForwardScratch(g, Batch, chunk), shift);
            Span<float> scratch = scratchBuffer.AsSpan(shift, scratchBuffer.Length - shift - Guard);
            scratch.Fill(float.NaN);
            z.Fill(float.NaN);
            ConvKernels.ConvForward(g, x, w, b, z, Batch, scratch, width, chunk, activation);
            KernelTestSupport.AssertUntouched(scratchBuffer, scratchBuffer.Length - Guard, Sentinel, "ConvForward's scratch");
            return z.ToArray();
        }

        /// <summary>ConvBackward of <see cref="Dz"/>, buffers shifted as in <see cref="Forward"/>; dW, db, dInput (CHWN).</summary>
        public (float[] DWeight, float[] DBias, float[] DInput) Backward(SimdWidth width, float scale, int chunkColumns = 0, int shift = 0)
        {
            ConvGeometry g = Geometry;
            int chunk = chunkColumns > 0 ? chunkColumns : ConvKernels.ChunkColumns(g);
            Span<float> x = Place(X, shift), w = Place(W, shift), dz = Place(Dz, shift);
            Span<float> dw = new float[g.WeightCount + shift].AsSpan(shift), db = new float[g.OutChannels + shift].AsSpan(shift);
            Span<float> dx = new float[(g.InputFeatures * Batch) + shift].AsSpan(shift);
            float[] scratchBuffer = Guarded(ConvKernels.ConvBackwardScratch(g, Batch, chunk), shift);
            Span<float> scratch = scratchBuffer.AsSpan(shift, scratchBuffer.Length - shift - Guard);

            // Garbage everywhere the kernel must overwrite.
            scratch.Fill(float.NaN);
            dw.Fill(float.NaN);
            db.Fill(float.NaN);
            dx.Fill(float.NaN);
            ConvKernels.ConvBackward(g, x, w, dz, Batch, scale, dw, db, dx, scratch, width, chunk);
            KernelTestSupport.AssertUntouched(scratchBuffer, scratchBuffer.Length - Guard, Sentinel, "ConvBackward's scratch");
            return (dw.ToArray(), db.ToArray(), dx.ToArray());
        }

        private const int Guard = 64;
        private const float Sentinel = -7.25f;

        /// <summary>Scratch of <paramref name="floats"/> after <paramref name="shift"/> floats, then <see cref="Guard"/> sentinels the kernel must not write.</summary>
        private static float[] Guarded(int floats, int shift)
        {
            var buffer = new float[shift + floats + Guard];
            buffer.AsSpan(shift + floats).Fill(Sentinel);
            return buffer;
        }

        private static Span<float> Place(float[] values, int shift)
        {
            var buffer = new float[values.Length + shift];
            values.CopyTo(buffer, shift);
            return buffer.AsSpan(shift);
        }
    }
}
