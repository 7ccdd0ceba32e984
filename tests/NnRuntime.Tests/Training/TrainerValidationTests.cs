using System;
using System.Collections.Generic;

namespace NnGen.Tests.Training;

public class TrainerValidationTests
{
    private static readonly float[] Inputs = [0.5f, -1f, 2f, 0.25f, -0.5f, 1f];
    private static readonly float[] Labels = [1f, 0f, 1f];

    public static IEnumerable<object[]> InvalidFits() =>
    [
        Case(
            [], Labels, Options(),
            "inputs", "LogReg.Fit: inputs is empty; expected at least one example of InputSize 2 floats."),
        Case(
            [1f, 2f, 3f], Labels, Options(),
            "inputs", "LogReg.Fit: inputs has 3 floats, which is not a multiple of InputSize 2."),
        Case(
            Inputs, [1f, 0f], Options(),
            "labels", "LogReg.Fit: labels has 2 floats, expected 3 (3 examples x OutputSize 1)."),
        Case(
            [0.5f, -1f, 2f, float.NaN, -0.5f, 1f], Labels, Options(),
            "inputs", "LogReg.Fit: inputs[3] is NaN; every input must be finite."),
        Case(
            Inputs, [1f, 1.5f, -1f], Options(),
            "labels", "LogReg.Fit: labels[1] is 1.5, but BinaryCrossEntropy needs every label in [0, 1]."),
        Case(
            Inputs, [1f, 0f, -0.25f], Options(),
            "labels", "LogReg.Fit: labels[2] is -0.25, but BinaryCrossEntropy needs every label in [0, 1]."),
        Case(
            Inputs, [float.NaN, 0f, 1f], Options(),
            "labels", "LogReg.Fit: labels[0] is NaN, but BinaryCrossEntropy needs every label in [0, 1]."),
        Case(
            Inputs, Labels, Options(learningRate: 0f),
            "options", "LogReg.Fit: options.LearningRate is 0; it must be positive and finite."),
        Case(
            Inputs, Labels, Options(learningRate: -0.5f),
            "options", "LogReg.Fit: options.LearningRate is -0.5; it must be positive and finite."),
        Case(
            Inputs, Labels, Options(learningRate: float.NaN),
            "options", "LogReg.Fit: options.LearningRate is NaN; it must be positive and finite."),
        Case(
            Inputs, Labels, Options(learningRate: float.PositiveInfinity),
            "options", "LogReg.Fit: options.LearningRate is Infinity; it must be positive and finite."),
        Case(
            Inputs, Labels, Options(iterations: 0),
            "options", "LogReg.Fit: options.Iterations is 0; at least 1 pass over the data is needed."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, BatchSize = -2 },
            "options", "LogReg.Fit: options.BatchSize is -2; use 0 for full batches or a positive mini-batch size."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Seed = -1 },
            "options", "LogReg.Fit: options.Seed is -1; NumPy-compatible seeds are at least 0."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, RecordEvery = 0 },
            "options", "LogReg.Fit: options.RecordEvery is 0; it must be at least 1."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, L2 = -1f },
            "options", "LogReg.Fit: options.L2 is -1; it must be at least 0 and finite."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Optimizer = new Momentum { Beta = 1f } },
            "options", "LogReg.Fit: options.Optimizer.Beta is 1; it must be in [0, 1)."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Optimizer = new Adam { Beta2 = -0.5f } },
            "options", "LogReg.Fit: options.Optimizer.Beta2 is -0.5; it must be in [0, 1)."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Optimizer = new Adam { Epsilon = 0f } },
            "options", "LogReg.Fit: options.Optimizer.Epsilon is 0; it must be positive and finite."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Optimizer = new AdamW { WeightDecay = float.NaN } },
            "options", "LogReg.Fit: options.Optimizer.WeightDecay is NaN; it must be at least 0 and finite."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Schedule = new StepDecay { Every = 0 } },
            "options", "LogReg.Fit: options.Schedule.Every is 0; it must be at least 1 pass."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Schedule = new ExponentialDecay { Rate = 1.5 } },
            "options", "LogReg.Fit: options.Schedule.Rate is 1.5; it must be in (0, 1]."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, EarlyStopping = new EarlyStopping() },
            "options", "LogReg.Fit: options.EarlyStopping is set but options.Validation is null; early stopping watches the validation data."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Validation = new ValidationData(Inputs, Labels), EarlyStopping = new EarlyStopping { Patience = 0 } },
            "options", "LogReg.Fit: options.EarlyStopping.Patience is 0; it must be at least 1 record point."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Validation = new ValidationData(Inputs, new float[] { 1f, 2f, 0f }) },
            "options.Validation.Labels", "LogReg.Fit: options.Validation.Labels[1] is 2, but BinaryCrossEntropy needs every label in [0, 1]."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, Validation = new ValidationData(new float[] { 1f, 2f, 3f }, Labels) },
            "options.Validation.Inputs", "LogReg.Fit: options.Validation.Inputs has 3 floats, which is not a multiple of InputSize 2."),
        Case(
            Inputs, Labels, new TrainingOptions { LearningRate = 0.1f, Iterations = 5, L2 = 0.5f },
            "options", "LogReg.Fit: options.L2 is 0.5, but the network does not list its weights (ITrainableNetwork.WeightRanges is empty), so the biases cannot be kept out of the regularization."),
    ];

    [Theory]
    [MemberData(nameof(InvalidFits))]
    public void Fit_InvalidArguments_ThrowsNamedMessageAndLeavesParametersUntouched(
        float[] inputs, float[] labels, TrainingOptions options, string parameter, string message)
    {
        // A network that does not list its weights, so that L2 is refused with the reason.
        var network = new ScalarNetwork("LogReg", [2, 1], [Activation.Sigmoid]) { ListsWeights = false };
        network.SetParameters([0.25f, -0.75f, 0.5f]);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, inputs, labels, options));

        Assert.Equal(parameter, error.ParamName);
        Assert.Equal($"{message} (Parameter '{parameter}')", error.Message);
        Assert.Equal([0.25f, -0.75f, 0.5f], network.CopyParameters());
    }

    [Fact]
    public void Fit_LabelsOutsideUnitIntervalWithSquaredError_AreAccepted()
    {
        var network = ScalarNetwork.LinearRegression(2);

        TrainingHistory history = Trainer.Fit(network, Inputs, [3f, -7f, 12f], Options());

        Assert.Equal(TrainingStatus.Completed, history.Status);
    }

    [Fact]
    public void Fit_InfiniteLabelWithSquaredError_Throws()
    {
        var network = ScalarNetwork.LinearRegression(2);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, Inputs, [3f, -7f, float.NegativeInfinity], Options()));

        Assert.StartsWith("LinReg.Fit: labels[2] is -Infinity; every label must be finite.", error.Message, StringComparison.Ordinal);
        Assert.Equal([0f, 0f, 0f], network.CopyParameters());
    }

    [Fact]
    public void Fit_NonFiniteStartingParameters_Throws()
    {
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([0.25f, float.PositiveInfinity, 0.5f]);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(network, Inputs, Labels, Options()));

        Assert.Equal("network", error.ParamName);
        Assert.StartsWith("LogReg.Fit: Parameters[1] is Infinity; training needs finite parameters", error.Message, StringComparison.Ordinal);
        Assert.Equal([0.25f, float.PositiveInfinity, 0.5f], network.CopyParameters());
    }

    [Fact]
    public void Fit_Nulls_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>("network", () => Trainer.Fit(null!, Inputs, Labels, Options()));
        Assert.Throws<ArgumentNullException>("options", () => Trainer.Fit(ScalarNetwork.LogisticRegression(2), Inputs, Labels, null!));
    }

    [Fact]
    public void Evaluate_WrongLabelCount_UsesGuardWording()
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(ScalarNetwork.Tiny(), Inputs, [1f]));
        Assert.StartsWith("Tiny.Evaluate: labels has 1 floats, expected 3 (3 examples x OutputSize 1).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GradientCheck_InvalidEpsilon_Throws()
    {
        var network = ScalarNetwork.Tiny();
        var error = Assert.Throws<ArgumentException>(() => Trainer.GradientCheck(network, Inputs, Labels, epsilon: 0f));
        Assert.Equal("epsilon", error.ParamName);
        Assert.StartsWith("Tiny.GradientCheck: epsilon is 0; it must be in (0, 1].", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e-30f)]
    [InlineData(1e-9f)]
    public void GradientCheck_EpsilonTooSmallToMoveAParameter_ThrowsInsteadOfReturningNaN(float epsilon)
    {
        var network = ScalarNetwork.Tiny().Initialize(seed: 1);
        float[] before = network.CopyParameters();

        var error = Assert.Throws<ArgumentException>(() => Trainer.GradientCheck(network, Inputs, Labels, epsilon));

        Assert.Equal("epsilon", error.ParamName);
        Assert.StartsWith($"Tiny.GradientCheck: epsilon {epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture)} cannot move Parameters[0] = ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.CopyParameters());
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void GradientCheck_EpsilonOutsideZeroOne_Throws(float epsilon)
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.GradientCheck(ScalarNetwork.Tiny(), Inputs, Labels, epsilon));
        Assert.Equal("epsilon", error.ParamName);
    }

    [Fact]
    public void Step_NaNOrInfiniteGradient_ThrowsAndWritesNothing()
    {
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([1f, 2f, 3f]);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Step(network, new float[] { 0.5f, float.NaN, 1f }, 0.1f));
        Assert.Equal("gradients", error.ParamName);
        Assert.StartsWith("LogReg.Step: gradients[1] is NaN; the parameters were left unchanged", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Trainer.Step(network, new float[] { float.NegativeInfinity, 0f, 1f }, 0.1f));
        Assert.Equal([1f, 2f, 3f], network.CopyParameters());
    }

    [Fact]
    public void Step_UpdateThatWouldOverflow_ThrowsAndWritesNothing()
    {
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([3e38f, 0f, 1f]);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Step(network, new float[] { -1e38f, 1f, 1f }, 1f));

        Assert.Contains("Parameters[0] = 3E+38", error.Message, StringComparison.Ordinal);
        Assert.Equal([3e38f, 0f, 1f], network.CopyParameters());
    }

    [Fact]
    public void Evaluate_NaNParameter_ThrowsInsteadOfReportingAnAccuracy()
    {
        // Before: NaN outputs failed every "> 0.5" test, so they counted as class 0 and 5 of 8 zero labels scored 0.625.
        var network = ScalarNetwork.Tiny().Initialize(seed: 2);
        network.Parameters[3] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(network, Inputs, Labels));

        Assert.StartsWith("Tiny.Evaluate: Parameters[3] is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GradientCheck_BadLabel_NamesTheMethod()
    {
        var error = Assert.Throws<ArgumentException>(() => Trainer.GradientCheck(ScalarNetwork.Tiny(), Inputs, [0f, 2f, 0f]));
        Assert.StartsWith("Tiny.GradientCheck: labels[1] is 2, but BinaryCrossEntropy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_WrongGradientLength_Throws()
    {
        var network = ScalarNetwork.Tiny();
        var error = Assert.Throws<ArgumentException>(() => Trainer.Step(network, new float[12], 0.1f));
        Assert.Equal("gradients", error.ParamName);
        Assert.StartsWith("Tiny.Step: gradients has 12 floats, expected 13 (ParameterCount).", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Step_InvalidLearningRate_ThrowsAndLeavesParametersUntouched(float learningRate)
    {
        var network = ScalarNetwork.LogisticRegression(2);
        network.SetParameters([1f, 2f, 3f]);

        var error = Assert.Throws<ArgumentException>(() => Trainer.Step(network, new float[] { 1f, 1f, 1f }, learningRate));

        Assert.Equal("learningRate", error.ParamName);
        Assert.Equal([1f, 2f, 3f], network.CopyParameters());
    }

    private static TrainingOptions Options(float learningRate = 0.1f, int iterations = 5) =>
        new() { LearningRate = learningRate, Iterations = iterations };

    private static object[] Case(float[] inputs, float[] labels, TrainingOptions options, string parameter, string message) =>
        [inputs, labels, options, parameter, message];
}
