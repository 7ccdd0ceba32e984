using NnGen.Data;

namespace NnGen.Networks.Tests;

/// <summary>The course's week-3 results, reproduced with the generated network on the generated flower data.</summary>
public class PlanarTrainingTests
{
    [Fact]
    public void Fit_PlanarNetAsTheCourse_ReachesCourseAccuracyAndCostTrace()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new PlanarNet(seed: 2);

        TrainingHistory history = net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 10000, RecordEvery = 1000 });
        Evaluation result = net.Evaluate(data.Inputs, data.Labels);

        Assert.Equal(TrainingStatus.Completed, history.Status);
        Assert.True(result.Accuracy >= 0.89, $"accuracy {result.Accuracy:P2}, course 90%");

        // Same data, same initial weights (NumPy's stream), same algorithm: the course's trace, to float32 precision.
        // Past 7000 iterations the cost oscillates and the last digits depend on rounding, as the data README notes.
        double[] course = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504];
        for (int i = 0; i < course.Length; i++)
        {
            Assert.Equal(i * 1000, history.Costs[i].Iteration);
            Assert.True(System.Math.Abs(history.Costs[i].Cost - course[i]) < 1e-4, $"iteration {i * 1000}: cost {history.Costs[i].Cost}, course {course[i]}");
        }
    }

    [Fact]
    public void Fit_LogisticRegressionOnPlanar_CannotSeparateThePetals()
    {
        Dataset data = PlanarDataset.Generate(seed: 1);
        var net = new LogisticRegression();

        net.Fit(data.Inputs, data.Labels, new TrainingOptions { LearningRate = 1.2f, Iterations = 2000, RecordEvery = 2000 });
        Evaluation result = net.Evaluate(data.Inputs, data.Labels);

        Assert.True(result.Accuracy <= 0.55, $"accuracy {result.Accuracy:P2}, course 47%");
    }

    [Fact]
    public void Fit_NaNProducingLearningRate_RestoresFiniteParametersAndReportsDivergence()
    {
        // A linear output with squared error has no saturation to hide behind: a huge step overflows within a few passes.
        var net = new RegressionNet(seed: 4);
        float[] inputs = TestData.Uniform(64 * RegressionNet.InputSize, 21, scale: 3f);
        float[] labels = TestData.Uniform(64 * RegressionNet.OutputSize, 22, scale: 10f);
        float[] initial = net.Parameters.ToArray();

        TrainingHistory history = net.Fit(inputs, labels, new TrainingOptions { LearningRate = 1e6f, Iterations = 1000, RecordEvery = 1 });

        Assert.Equal(TrainingStatus.Diverged, history.Status);
        Assert.NotNull(history.DivergedAtIteration);
        Assert.All(net.Parameters.ToArray(), value => Assert.True(float.IsFinite(value)));
        Assert.NotEqual(initial, net.Parameters.ToArray());

        // The parameters left behind are those after the last finite update: replaying that many updates from the
        // same start reproduces them exactly, and their cost is the last one recorded.
        var replay = new RegressionNet(seed: 4);
        replay.Fit(inputs, labels, new TrainingOptions { LearningRate = 1e6f, Iterations = history.DivergedAtIteration!.Value, RecordEvery = 1 });
        Assert.Equal(replay.Parameters.ToArray(), net.Parameters.ToArray());
    }
}
