using System;

namespace NnGen.Networks.Tests;

/// <summary>
/// The training pass told it needs no cost (what Fit asks between recorded iterations) returns null and exactly the
/// gradients of the full pass, for the fused tiny path (PlanarNet, RegressionNet) and the kernel path (MixedNet).
/// </summary>
public class CostSkippingTests
{
    [Fact]
    public void ComputeGradients_WithoutCost_SameGradientsAndNoCost_Planar() =>
        Check(new PlanarNet(seed: 4), PlanarNet.InputSize, PlanarNet.OutputSize);

    [Fact]
    public void ComputeGradients_WithoutCost_SameGradientsAndNoCost_Regression() =>
        Check(new RegressionNet(seed: 5), RegressionNet.InputSize, RegressionNet.OutputSize);

    [Fact]
    public void ComputeGradients_WithoutCost_SameGradientsAndNoCost_Mixed() =>
        Check(new MixedNet(seed: 6), MixedNet.InputSize, MixedNet.OutputSize);

    private static void Check(ITrainableNetwork network, int inputSize, int outputSize)
    {
        const int m = 45;
        float[] inputs = TestData.Uniform(m * inputSize, seed: 7, scale: 2f);
        float[] labels = TestData.Binary(m * outputSize, seed: 8);
        var workspace = new Workspace();
        float[] withCost = new float[network.ParameterCount];
        float[] withoutCost = new float[network.ParameterCount];

        float? cost = network.ComputeGradients(inputs, labels, withCost, workspace, computeCost: true);
        float? skipped = network.ComputeGradients(inputs, labels, withoutCost, workspace, computeCost: false);

        Assert.NotNull(cost);
        Assert.True(float.IsFinite(cost!.Value));
        Assert.Equal(network.ComputeGradients(inputs, labels, new float[network.ParameterCount], workspace), cost.Value);
        Assert.Null(skipped);
        Assert.True(withCost.AsSpan().SequenceEqual(withoutCost), $"{network.Name}: gradients differ when the cost is skipped");
    }
}
