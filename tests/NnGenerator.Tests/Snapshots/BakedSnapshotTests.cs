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

    [Fact]
    public void LogisticRegression_BakedWeightsWithStandardizerAndExtra_MatchesBaseline()
    {
        const string source = """
            using NnGen;

            namespace Demo;

            [Network(Inputs = 2, Weights = "logistic.safetensors")]
            [Layer(1, Activation.Sigmoid)]
            public partial class BakedStandardized { }
            """;

        // W1, b1, then the extras in file order: standardizer.mean (2), standardizer.scale (2), and one whose name needs escaping, class "codes" (1, 3).
        float[] values = [0.75f, -1.5f, 0.125f, 1.25f, -3f, 0.5f, 2f, -0f, 1e-7f, 0.1f];
        byte[] file = BakingHarness.Safetensors(
            """{"W1":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b1":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"standardizer.mean":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"standardizer.scale":{"dtype":"F32","shape":[2],"data_offsets":[20,28]},"class \"codes\"":{"dtype":"F32","shape":[1,3],"data_offsets":[28,40]}}""",
            values.SelectMany(BitConverter.GetBytes).ToArray());

        var (driver, _, diagnostics) = BakingHarness.Run(source, BakingHarness.Encoded("/app/logistic.safetensors", file));

        Assert.Empty(diagnostics);
        Snapshot.Verify("BakedStandardized", driver.GetRunResult());
    }
}
