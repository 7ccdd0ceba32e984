using NnGen.Data;
using NnGen.Tests.Data;

namespace NnGen.Networks.Tests;

/// <summary>
/// The course's week-2 and week-4 results on its own cat/non-cat images (../shared/data/catvnoncat). Reported as
/// skipped, with the path searched, when the data is not beside the repository.
/// </summary>
public class CatTrainingTests
{
    private const double Scale = 1.0 / 255;

    [DataFact("catvnoncat/train.csv", "catvnoncat/test.csv")]
    public void Fit_LogisticRegressionFromZeros_ReachesCourseAccuracy()
    {
        (Dataset train, Dataset test) = Load();
        var net = new CatLogisticRegression();

        TrainingHistory history = net.Fit(train.Inputs, train.Labels, new TrainingOptions { LearningRate = 0.005f, Iterations = 2000, RecordEvery = 100 });

        // The course's trace: iteration 0 0.693147, 100 0.584508, 1900 0.140872.
        Assert.Equal(0.693147, history.Costs[0].Cost, 5);
        Assert.Equal(0.584508, history.Costs[1].Cost, 3);
        Assert.Equal(0.140872, history.Costs[19].Cost, 3);
        double trainAccuracy = net.Evaluate(train.Inputs, train.Labels).Accuracy;
        double testAccuracy = net.Evaluate(test.Inputs, test.Labels).Accuracy;
        Assert.True(trainAccuracy >= 0.95, $"train accuracy {trainAccuracy:P2} (course 99.04%)");
        Assert.True(testAccuracy >= 0.66, $"test accuracy {testAccuracy:P2} (course 70%)");
    }

    [DataFact("catvnoncat/train.csv", "catvnoncat/test.csv")]
    public void Fit_FourLayerNetAsTheCourse_ReachesCourseAccuracy()
    {
        (Dataset train, Dataset test) = Load();
        var net = new DeepCatNet(seed: 1);

        TrainingHistory history = net.Fit(train.Inputs, train.Labels, new TrainingOptions { LearningRate = 0.0075f, Iterations = 2500, RecordEvery = 100 });

        // With NumPy's stream and seed 1 the initial weights are the course's, so is the first cost (0.771749).
        Assert.Equal(0.771749, history.Costs[0].Cost, 5);
        double trainAccuracy = net.Evaluate(train.Inputs, train.Labels).Accuracy;
        double testAccuracy = net.Evaluate(test.Inputs, test.Labels).Accuracy;
        Assert.True(trainAccuracy >= 0.95, $"train accuracy {trainAccuracy:P2} (course 98.56%)");
        Assert.True(testAccuracy >= 0.72, $"test accuracy {testAccuracy:P2} (course 80%)");
    }

    private static (Dataset Train, Dataset Test) Load() =>
        (CsvDataset.Load(SharedData.Find("catvnoncat/train.csv"), CsvLabelColumn.First, Scale),
         CsvDataset.Load(SharedData.Find("catvnoncat/test.csv"), CsvLabelColumn.First, Scale));
}
