using static NnGen.Generator.Tests.Diagnostics.DiagnosticVerifier;

namespace NnGen.Generator.Tests.Diagnostics;

/// <summary>
/// NNG0014 (a constant-length buffer that cannot fit a generated method) and NNG0015 (zeroed weights in a network
/// with a hidden layer), reported at the argument or call at fault, and silent on correct or unknowable code.
/// </summary>
public sealed class UsageAnalyzerTests
{
    // PlanarNet: InputSize 2, OutputSize 1; WideNet: InputSize 3, OutputSize 2; LogisticNet: one layer.
    private const string Networks =
        "[Network(Inputs = 2)]\n[Layer(4, Activation.Tanh)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class PlanarNet { }\n\n" +
        "[Network(Inputs = 3)]\n[Layer(5, Activation.ReLU)]\n[Layer(2, Activation.Linear)]\npublic partial class WideNet { }\n\n" +
        "[Network(Inputs = 2)]\n[Layer(1, Activation.Sigmoid)]\npublic partial class LogisticNet { }\n\n";

    private static string InMethod(string body) =>
        Networks + "public static class Use\n{\n    public static void Run(PlanarNet net, WideNet wide, LogisticNet logistic, float[] data, int n)\n    {\n" + body + "    }\n}\n";

    [Fact]
    public void PredictWithArrayOfWrongLength_NNG0014_OnTheArgument() =>
        Verify(
            InMethod("        net.Predict([|new float[3]|], new float[1]);\n"),
            Expected.Error("NNG0014", "PlanarNet.Predict: x has 3 floats, expected InputSize 2"));

    [Fact]
    public void PredictWithArrayInitializer_NNG0014() =>
        Verify(
            InMethod("        net.Predict([|new float[] { 1f, 2f, 3f }|], new float[1]);\n"),
            Expected.Error("NNG0014", "PlanarNet.Predict: x has 3 floats, expected InputSize 2"));

    [Fact]
    public void PredictWithCollectionExpression_NNG0014() =>
        Verify(
            InMethod("        wide.Predict([|[1f, 2f]|], new float[2]);\n"),
            Expected.Error("NNG0014", "WideNet.Predict: x has 2 floats, expected InputSize 3"));

    [Fact]
    public void PredictWithNamedArgumentAndWrongOutput_NNG0014_SpansTheNamedArgument() =>
        Verify(
            InMethod("        Span<float> y = stackalloc float[3];\n        wide.Predict(x: new float[3], [|y: y|]);\n"),
            Expected.Error("NNG0014", "WideNet.Predict: y has 3 floats, expected OutputSize 2"));

    [Fact]
    public void ConstSizedStackAllocLocal_NNG0014() =>
        Verify(
            InMethod("        const int Features = 4;\n        Span<float> x = stackalloc float[Features];\n        net.Predict([|x|], stackalloc float[1]);\n"),
            Expected.Error("NNG0014", "PlanarNet.Predict: x has 4 floats, expected InputSize 2"));

    [Fact]
    public void SpanOverConstantArray_NNG0014() =>
        Verify(
            InMethod("        var buffer = new float[5];\n        var x = buffer.AsSpan();\n        net.Predict([|x|], new Span<float>(new float[1]));\n"),
            Expected.Error("NNG0014", "PlanarNet.Predict: x has 5 floats, expected InputSize 2"));

    [Fact]
    public void PredictBatchWithInputsNotAMultiple_NNG0014() =>
        Verify(
            InMethod("        net.PredictBatch([|new float[5]|], new float[2]);\n"),
            Expected.Error("NNG0014", "PlanarNet.PredictBatch: inputs has 5 floats, which is not a multiple of InputSize 2"));

    [Fact]
    public void PredictBatchWithOutputsForAnotherExampleCount_NNG0014() =>
        Verify(
            InMethod("        float[] inputs = new float[9];\n        float[] outputs = new float[4];\n        wide.PredictBatch(inputs, [|outputs|]);\n"),
            Expected.Error("NNG0014", "WideNet.PredictBatch: outputs has 4 floats, expected 6 (inputs holds 3 examples x OutputSize 2)"));

    [Fact]
    public void FitWithDifferentExampleCounts_NNG0014_OnTheLabels() =>
        Verify(
            InMethod("        float[] inputs = [1f, 2f, 3f, 4f, 5f, 6f];\n        float[] labels = [1f, 0f];\n        net.Fit(inputs, [|labels|], new TrainingOptions { LearningRate = 0.1f, Iterations = 1 });\n"),
            Expected.Error("NNG0014", "PlanarNet.Fit: labels has 2 floats, expected 3 (inputs holds 3 examples x OutputSize 1)"));

    [Fact]
    public void EvaluateWithEmptyInputs_NNG0014() =>
        Verify(
            InMethod("        net.Evaluate([|new float[0]|], new float[1]);\n"),
            Expected.Error("NNG0014", "PlanarNet.Evaluate: inputs has 0 floats, expected at least one example of InputSize 2"));

    [Fact]
    public void ComputeGradientsWithLabelsNotAMultiple_NNG0014_WhenInputsAreUnknown() =>
        Verify(
            InMethod("        wide.ComputeGradients(data, [|new float[3]|], new WideNet.Gradients());\n"),
            Expected.Error("NNG0014", "WideNet.ComputeGradients: labels has 3 floats, which is not a positive multiple of OutputSize 2"));

    [Fact]
    public void GradientCheckWithWrongInputs_NNG0014() =>
        Verify(
            InMethod("        net.GradientCheck([|new float[3]|], new float[1], 1e-3f);\n"),
            Expected.Error("NNG0014", "PlanarNet.GradientCheck: inputs has 3 floats, which is not a multiple of InputSize 2"));

    [Fact]
    public void InsideTheNetworkItself_NNG0014() =>
        Verify(
            Networks + "public partial class PlanarNet\n{\n    /// <summary>Probe.</summary>\n    public void Probe() => Predict([|new float[1]|], new float[1]);\n}\n",
            Expected.Error("NNG0014", "PlanarNet.Predict: x has 1 floats, expected InputSize 2"));

    [Fact]
    public void FrozenPredictWithWrongOutput_NNG0014_NamesTheFrozenForm() =>
        Verify(
            InMethod("        var frozen = wide.Freeze();\n        frozen.Predict(new float[3], [|new float[1]|]);\n"),
            Expected.Error("NNG0014", "WideNet.Frozen.Predict: y has 1 floats, expected OutputSize 2"));

    [Fact]
    public void FrozenPredictBatchWithInputsNotAMultiple_NNG0014() =>
        Verify(
            InMethod("        net.Freeze().PredictBatch([|new float[3]|], new float[1]);\n"),
            Expected.Error("NNG0014", "PlanarNet.Frozen.PredictBatch: inputs has 3 floats, which is not a multiple of InputSize 2"));

    // AmpNet: 1 feature per step, 1 output per step; PairNet: 2 features, 3 outputs per step.
    private const string Recurrent =
        "[Network(Inputs = 1)]\n[Lstm(4)]\n[Dense(1, Activation.Linear)]\npublic partial class AmpNet { }\n\n" +
        "[Network(Inputs = 2)]\n[Gru(3)]\n[Dense(3, Activation.Linear)]\npublic partial class PairNet { }\n\n";

    private static string Streaming(string body) =>
        Recurrent + "public static class Use\n{\n    public static void Run(AmpNet amp, PairNet pair, float[] data, ref AmpNet.State a, ref PairNet.State p)\n    {\n" +
        body + "    }\n}\n";

    [Fact]
    public void StepWithWrongInput_NNG0014() =>
        Verify(
            Streaming("        pair.Step([|new float[3]|], new float[3], ref p);\n"),
            Expected.Error("NNG0014", "PairNet.Step: x has 3 floats, expected InputSize 2"));

    [Fact]
    public void FrozenStepWithWrongOutput_NNG0014() =>
        Verify(
            Streaming("        pair.Freeze().Step(new float[2], [|new float[2]|], ref p);\n"),
            Expected.Error("NNG0014", "PairNet.Frozen.Step: y has 2 floats, expected OutputSize 3"));

    [Fact]
    public void ProcessWithInputNotWholeSteps_NNG0014() =>
        Verify(
            Streaming("        pair.Process([|new float[5]|], data, ref p);\n"),
            Expected.Error("NNG0014", "PairNet.Process: input has 5 floats, which is not a multiple of InputSize 2"));

    [Fact]
    public void ProcessWithOutputForAnotherStepCount_NNG0014() =>
        Verify(
            Streaming("        float[] input = new float[8];\n        pair.Process(input, [|new float[6]|], ref p);\n"),
            Expected.Error("NNG0014", "PairNet.Process: output has 6 floats, expected 12 (input holds 4 steps x OutputSize 3)"));

    [Fact]
    public void CorrectStreamingLengths_AreClean() =>
        VerifyClean(Streaming(
            "        amp.Step(new float[1], new float[1], ref a);\n" +
            "        float y = amp.Step(0.5f, ref a);\n" +
            "        amp.Process(new float[256], new float[256], ref a);\n" +
            "        amp.Process(new float[0], new float[0], ref a);\n" +
            "        amp.Freeze().Process(data, new float[7], ref a);\n" +
            "        pair.Process(new float[8], new float[12], ref p);\n" +
            "        pair.Freeze().Step(new float[2], new float[3], ref p);\n"));

    [Fact]
    public void CorrectAndUnknowableLengths_AreClean() =>
        VerifyClean(InMethod(
            "        net.Predict(new float[2], new float[1]);\n" +
            "        net.Predict([1f, 2f], stackalloc float[PlanarNet.OutputSize]);\n" +
            "        net.Predict(data, new float[n]);\n" +
            "        net.PredictBatch(new float[8], new float[4]);\n" +
            "        net.PredictBatch(data, new float[3]);\n" +
            "        wide.PredictBatch(new float[9], data);\n" +
            "        wide.ComputeGradients(new float[6], new float[4], new WideNet.Gradients());\n" +
            "        net.Fit(new float[4], new float[2], new TrainingOptions { LearningRate = 0.1f, Iterations = 1 });\n" +
            "        net.Evaluate(data, data);\n" +
            "        logistic.Predict(new float[2], new float[1]);\n" +
            "        var input = new PlanarNet.Input();\n" +
            "        net.Predict(in input);\n" +
            "        float[] spread = [.. data];\n" +
            "        net.Predict(spread, new float[1]);\n" +
            "        net.Predict(data.AsSpan(0, n), new float[1]);\n" +
            "        var frozen = wide.Freeze();\n" +
            "        frozen.Predict(new float[3], new float[2]);\n" +
            "        frozen.PredictBatch(new float[9], new float[6]);\n" +
            "        frozen.PredictBatch(data, new float[4]);\n"));

    [Fact]
    public void LocalsThatMayChange_AreNotTraced() =>
        VerifyClean(InMethod(
            "        float[] reassigned = new float[3];\n        reassigned = data;\n        net.Predict(reassigned, new float[1]);\n" +
            "        float[] byRef = new float[3];\n        Replace(ref byRef);\n        net.Predict(byRef, new float[1]);\n" +
            "        float[] deconstructed = new float[3];\n        (deconstructed, n) = (data, 1);\n        net.Predict(deconstructed, new float[1]);\n" +
            "        float[] inLambda = new float[3];\n        Action later = () => inLambda = data;\n        net.Predict(inLambda, new float[1]);\n" +
            "        float[] noInitializer;\n        noInitializer = new float[3];\n        net.Predict(noInitializer, new float[1]);\n" +
            "    }\n\n    private static void Replace(ref float[] buffer) => buffer = new float[2];\n\n    private static void Unused()\n    {\n"));

    [Fact]
    public void ClearingWeightsIntoAHiddenLayer_NNG0015_OnTheCall() =>
        Verify(
            InMethod("        [|net.W1.Clear()|];\n"),
            Expected.Warning("NNG0015", "PlanarNet.W1.Clear() zeroes the weights into hidden layer 1; a hidden layer whose weights in and out are both zero keeps identical units during training, so draw random weights with Initialize(seed) instead"));

    [Fact]
    public void FillingOutputWeightsWithZero_NNG0015() =>
        Verify(
            InMethod("        [|net.W2.Fill(0)|];\n"),
            Expected.Warning("NNG0015", "PlanarNet.W2.Fill(0) zeroes the weights out of hidden layer 1; a hidden layer whose weights in and out are both zero keeps identical units during training, so draw random weights with Initialize(seed) instead"));

    [Fact]
    public void ClearingAllParameters_NNG0015() =>
        Verify(
            InMethod("        [|wide.Parameters.Clear()|];\n"),
            Expected.Warning("NNG0015", "WideNet.Parameters.Clear() zeroes every weight, including W1 and W2 on both sides of hidden layer 1; a hidden layer whose weights in and out are both zero keeps identical units during training, so draw random weights with Initialize(seed) instead"));

    [Fact]
    public void ClearingWeightsInsideTheNetwork_NNG0015() =>
        Verify(
            Networks + "public partial class PlanarNet\n{\n    /// <summary>Reset.</summary>\n    public void Reset() => [|W1.Fill(0.0f)|];\n}\n",
            Expected.Warning("NNG0015", "PlanarNet.W1.Fill(0) zeroes the weights into hidden layer 1; a hidden layer whose weights in and out are both zero keeps identical units during training, so draw random weights with Initialize(seed) instead"));

    [Fact]
    public void ZeroingThatKeepsSymmetryBroken_IsClean() =>
        VerifyClean(InMethod(
            "        logistic.W1.Clear();\n" +
            "        logistic.Parameters.Fill(0f);\n" +
            "        net.b1.Clear();\n" +
            "        net.W1.Fill(0.5f);\n" +
            "        var gradients = new PlanarNet.Gradients();\n" +
            "        gradients.dW1.Clear();\n" +
            "        gradients.Values.Clear();\n" +
            "        data.AsSpan().Clear();\n"));
}
