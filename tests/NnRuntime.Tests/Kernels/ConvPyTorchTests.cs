using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NnGen.Kernels;

namespace NnGen.Tests.Kernels;

/// <summary>
/// Issue 25, point 2: the convolution and pooling kernels against PyTorch. tools/pytorch/conv_fixtures.py runs
/// nn.Conv1d/Conv2d (stride, asymmetric padding through ZeroPad2d/ConstantPad1d, dilation, groups, LeNet-5's two layers,
/// a grouped 1×1), MaxPool/AvgPool 1-D and 2-D with padding (and max pools over ties and NaNs) and AdaptiveAvgPool(1) on
/// seeded NCHW inputs, with the autograd gradients of Σ out∘r, into tests/Fixtures/conv. The kernels run on the same
/// tensors in CHWN, the backward pass from dZ = r with scale 1, and every tensor (out, dW, db, dX) must agree within 1e-5
/// of its own magnitude, its largest absolute value (the ∞-norm), as the recurrent and layer-kind fixtures do: float32 sums
/// in another order differ by a few ulps of the largest terms. NaNs must sit where PyTorch's are.
/// </summary>
public sealed class ConvPyTorchTests
{
    private const double Tolerance = 1e-5;

    private static readonly string[] Names =
    [
        "conv2d_basic", "conv2d_stride2_asymmetric", "conv2d_dilation2", "conv2d_groups2", "conv2d_lenet_conv1", "conv2d_lenet_conv2",
        "conv2d_pointwise", "conv1d_stride2_dilation2", "conv1d_depthwise", "conv1d_causal",
        "maxpool2d_k2", "maxpool2d_k3s2p1", "maxpool2d_ties", "maxpool2d_nan", "avgpool2d_k2", "avgpool2d_k3s2p1",
        "maxpool1d_k3s2p1", "avgpool1d_k3s2p1", "globalavgpool2d", "globalavgpool1d",
    ];

    public static TheoryData<string> Fixtures() => new(Names);

    /// <summary>The fixtures directory holds exactly the cases above, so a new fixture cannot go untested.</summary>
    [Fact]
    public void FixtureDirectory_EveryFileIsTested()
    {
        string[] files = Directory.GetFiles(FixtureDirectory(), "*.json").Select(path => Path.GetFileNameWithoutExtension(path)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Names.Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Kernels_OutputsAndGradients_MatchPyTorch(string fixture)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory(), fixture + ".json")));
        JsonElement json = document.RootElement;
        string kind = json.GetProperty("kind").GetString()!;
        JsonElement geometry = json.GetProperty("geometry");
        int m = json.GetProperty("batch").GetInt32();
        float[] xNchw = Floats(json, "x"), r = Floats(json, "r");
        JsonElement gradients = json.GetProperty("gradients");
        var compared = new List<string>();
        switch (kind)
        {
            case "conv":
            {
                var g = new ConvGeometry(
                    Int(geometry, "inChannels"), Int(geometry, "inHeight"), Int(geometry, "inWidth"), Int(geometry, "outChannels"),
                    Int(geometry, "kernelHeight"), Int(geometry, "kernelWidth"), Int(geometry, "strideHeight"), Int(geometry, "strideWidth"),
                    Int(geometry, "padTop"), Int(geometry, "padBottom"), Int(geometry, "padLeft"), Int(geometry, "padRight"),
                    Int(geometry, "dilationHeight"), Int(geometry, "dilationWidth"), Int(geometry, "groups"));
                float[] x = ConvReference.ToChwn(xNchw, g.InputFeatures, m), w = Floats(json, "weight"), b = Floats(json, "bias");
                float[] z = new float[g.OutputFeatures * m];
                ConvKernels.ConvForward(g, x, w, b, z, m, new float[ConvKernels.ConvForwardScratch(g, m)]);
                Compare("out", Floats(json, "out"), ConvReference.ToNchw(z, g.OutputFeatures, m));
                float[] dw = new float[g.WeightCount], db = new float[g.OutChannels], dx = new float[x.Length];
                ConvKernels.ConvBackward(
                    g, x, w, ConvReference.ToChwn(r, g.OutputFeatures, m), m, 1f, dw, db, dx, new float[ConvKernels.ConvBackwardScratch(g, m)]);
                Compare("weight", Floats(gradients, "weight"), dw);
                Compare("bias", Floats(gradients, "bias"), db);
                Compare("x", Floats(gradients, "x"), ConvReference.ToNchw(dx, g.InputFeatures, m));
                break;
            }

            case "maxpool":
            case "avgpool":
            {
                var g = new PoolGeometry(
                    Int(geometry, "channels"), Int(geometry, "inHeight"), Int(geometry, "inWidth"), Int(geometry, "kernelHeight"),
                    Int(geometry, "kernelWidth"), Int(geometry, "strideHeight"), Int(geometry, "strideWidth"), Int(geometry, "padHeight"),
                    Int(geometry, "padWidth"));
                float[] x = ConvReference.ToChwn(xNchw, g.InputFeatures, m), z = new float[g.OutputFeatures * m], dx = new float[x.Length];
                float[] dOut = ConvReference.ToChwn(r, g.OutputFeatures, m);
                if (kind == "maxpool")
                {
                    ConvKernels.MaxPoolForward(g, x, z, m);
                    ConvKernels.MaxPoolBackward(g, x, dOut, dx, m);
                }
                else
                {
                    ConvKernels.AvgPoolForward(g, x, z, m);
                    ConvKernels.AvgPoolBackward(g, dOut, dx, m);
                }

                Compare("out", Floats(json, "out"), ConvReference.ToNchw(z, g.OutputFeatures, m));
                Compare("x", Floats(gradients, "x"), ConvReference.ToNchw(dx, g.InputFeatures, m));
                break;
            }

            case "globalavgpool":
            {
                int channels = Int(geometry, "channels"), positions = Int(geometry, "height") * Int(geometry, "width");
                float[] x = ConvReference.ToChwn(xNchw, channels * positions, m), z = new float[channels * m], dx = new float[x.Length];
                ConvKernels.GlobalAvgPoolForward(channels, positions, x, z, m);
                ConvKernels.GlobalAvgPoolBackward(channels, positions, ConvReference.ToChwn(r, channels, m), dx, m);
                Compare("out", Floats(json, "out"), ConvReference.ToNchw(z, channels, m));
                Compare("x", Floats(gradients, "x"), ConvReference.ToNchw(dx, channels * positions, m));
                break;
            }

            default:
                Assert.Fail($"{fixture}: unknown kind {kind}.");
                break;
        }

        // Every gradient PyTorch wrote was compared, so a renamed or missing tensor cannot pass unnoticed.
        Assert.Equal(
            gradients.EnumerateObject().Select(p => p.Name).Append("out").Order(StringComparer.Ordinal),
            compared.Order(StringComparer.Ordinal));

        void Compare(string name, float[] expected, float[] actual)
        {
            compared.Add(name);
            Assert.Equal(expected.Length, actual.Length);
            double norm = expected.Where(v => !float.IsNaN(v)).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
            for (int i = 0; i < expected.Length; i++)
            {
                bool bothNaN = float.IsNaN(expected[i]) && float.IsNaN(actual[i]);
                double error = Math.Abs((double)expected[i] - actual[i]);
                if (!bothNaN && !(error <= Tolerance * Math.Max(norm, 1e-30)))
                {
                    Assert.Fail(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{fixture}: {name}[{i}] is {actual[i]:R}, PyTorch {expected[i]:R} (error {error:E3}, allowed {Tolerance * norm:E3} = 1e-5 x max |{name}|)."));
                }
            }
        }
    }

    private static string FixtureDirectory([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "Fixtures", "conv");

    private static int Int(JsonElement element, string name) => element.GetProperty(name).GetInt32();

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(v => float.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
}
