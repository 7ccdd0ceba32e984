using System;
using System.Linq;
using NnGen.Generator.Tests.Baking;

namespace NnGen.Generator.Tests.Snapshots;

/// <summary>The generated source of a small network with baked weights, compared with its baseline (see Snapshots/README.md).</summary>
public sealed class BakedSnapshotTests
{
    [Fact]
    public void LogisticRegression_BakedWeights_MatchesBaseline()
    {
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Inputs = 2, Weights = "logistic.safetensors")]
            [Layer(1, Activation.Sigmoid)]
            public partial class BakedLogistic { }
            """;
        float[] values = [0.75f, -1.5f, 0.125f];
        byte[] file = BakingHarness.Safetensors(
            """{"__metadata__":{"nngen.layer_sizes":"2,1","nngen.activations":"sigmoid"},"W1":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b1":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""",
            values.SelectMany(BitConverter.GetBytes).ToArray());

        var (driver, _, diagnostics) = BakingHarness.Run(source, BakingHarness.Encoded("/app/logistic.safetensors", file));

        Assert.Empty(diagnostics);
        Snapshot.Verify("BakedLogistic", driver.GetRunResult());
    }
}
