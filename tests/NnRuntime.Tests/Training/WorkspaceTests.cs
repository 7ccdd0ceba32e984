using System;

namespace NnGen.Tests.Training;

public class WorkspaceTests
{
    [Fact]
    public void Workspace_GrowsOnDemand_ReturnsRequestedLength()
    {
        var workspace = new Workspace();
        Assert.Equal(10, workspace.GetSpan(10).Length);
        Assert.Equal(3, workspace.GetSpan(3).Length);
        Assert.Equal(10, workspace.Capacity);
        Assert.Equal(12, workspace.GetSpan(4, 3, "Net", "ComputeGradients").Length);
    }

    [Fact]
    public void CheckedSize_TooLargeForAnArray_NamesNetworkMethodSizesAndTheLargestBatch()
    {
        // The case: full-batch [10, 1000, 1] needs 3001 floats per example; 715,828 examples wrap an int.
        var workspace = new Workspace();

        var error = Assert.Throws<WorkspaceSizeException>(() => workspace.GetSpan(3001, 715_828, "WideNet", "ComputeGradients"));

        Assert.StartsWith(
            "WideNet.ComputeGradients: the training workspace needs 3001 floats per example x 715828 examples = 2148199828 floats, more than one array holds (2147483591). Train in mini-batches of at most 715589 examples",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal("WideNet", error.Network);
        Assert.Equal(715_828, error.Examples);
        Assert.Equal(0, workspace.Capacity);
    }

    [Fact]
    public void NegativeSize_FromAnOverflowedProduct_SaysSoAndSuggestsMiniBatches()
    {
        var error = Assert.Throws<WorkspaceSizeException>(() => new Workspace().GetSpan(unchecked(3001 * 715_828)));

        Assert.Contains("overflowed a 32-bit int", error.Message, StringComparison.Ordinal);
        Assert.Contains("mini-batches", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NetworkWhoseWorkspaceSizeOverflows_ReportsNetworkBatchAndMiniBatchesWithParametersUntouched()
    {
        var network = new OverflowingNetwork();

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, new float[7], new float[7], new TrainingOptions { LearningRate = 0.1f, Iterations = 3 }));

        Assert.StartsWith("Overflowing.Fit: the training workspace for a batch of 7 examples is larger than one array can hold", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrainingOptions.BatchSize", error.Message, StringComparison.Ordinal);
        Assert.Equal([0.5f], network.Parameters.ToArray());
    }

    /// <summary>Computes its workspace size as generated code did before the checked overload: in 32 bits, wrapping.</summary>
    private sealed class OverflowingNetwork : ITrainableNetwork
    {
        private readonly float[] _parameters = [0.5f];

        public string Name => "Overflowing";

        public int InputSize => 1;

        public int OutputSize => 1;

        public int ParameterCount => 1;

        public Loss Loss => Loss.MeanSquaredError;

        public Activation OutputActivation => Activation.Linear;

        public Span<float> Parameters => _parameters;

        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> labels, Span<float> gradients, Workspace workspace)
        {
            workspace.GetSpan(unchecked(1_000_000_000 * inputs.Length));
            return 0f;
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => y.Clear();

        public void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Clear();
    }
}
