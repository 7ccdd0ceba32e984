using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NnGen.Data;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Baking;

/// <summary>
/// NNG0024–NNG0028: each fires once, at the Weights argument, with a message naming the file, the tensor and what was
/// expected and found; the network still generates (without baked data), and correct files fire nothing.
/// </summary>
public sealed class BakingDiagnosticTests
{
    private const string Path = "/app/planar.safetensors";

    private static byte[] Good => BakingHarness.PlanarFile(BakingHarness.SomePlanarParameters());

    [Fact]
    public void GoodFile_NoDiagnostic_AndBakedDataEmitted()
    {
        (GeneratorDriver driver, Compilation output, var diagnostics) = BakingHarness.Run(BakingHarness.PlanarSource("planar.safetensors"), BakingHarness.Encoded(Path, Good));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        Assert.Contains("BakedParameters", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FileNotAmongAdditionalFiles_NNG0024_SaysHowToAddIt()
    {
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("missing.safetensors"), DiagnosticIds.WeightsFileNotFound, BakingHarness.Encoded(Path, Good));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("<AdditionalFiles Include=\"missing.safetensors\" />", message, StringComparison.Ordinal);
        Assert.Contains("planar.safetensors", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("planar.bin", "planar.safetensors")]
    [InlineData("Models/planar", "planar.safetensors")]
    public void WeightsNotNamedSafetensors_NNG0024_SaysOnlySuchFilesAreBaked_EvenWithTheItemPresent(string weights, string renamed)
    {
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource(weights), DiagnosticIds.WeightsFileNotFound,
            BakingHarness.Text("/app/" + weights, "not read"), BakingHarness.Encoded(Path, Good));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("NnGen bakes only AdditionalFiles whose name ends in .safetensors", message, StringComparison.Ordinal);
        Assert.Contains($"rename the file to '{renamed}'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("<AdditionalFiles Include=", message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodedCopyOfAMissingFile_NNG0025_NamesThePath()
    {
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileUnreadable,
            BakingHarness.Text("/obj/nngen/1/planar.safetensors.nngen-base64", $"nngen-base64 1\n{Path}\nmissing\n"));
        Assert.Equal(
            $"The weights file 'planar.safetensors' of network 'BakedNet' cannot be baked: the AdditionalFiles item points at no file: '{Path}' does not exist (check the Include path, which is relative to the project)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TwoFilesMatch_NNG0024_AsksForMoreOfThePath()
    {
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileNotFound,
            BakingHarness.Encoded("/app/a/planar.safetensors", Good), BakingHarness.Encoded("/app/b/planar.safetensors", Good));
        Assert.Contains("2 AdditionalFiles match it (/app/a/planar.safetensors, /app/b/planar.safetensors)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFile_NNG0025_NamesTheProblemAndOffset()
    {
        byte[] file = Good;
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileUnreadable, BakingHarness.Encoded(Path, file[..^4]));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("run past the end of the data", message, StringComparison.Ordinal);
        Assert.Contains("(at byte ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryFileTheCompilerDecodedLossily_NNG0025_NeverWrongWeights()
    {
        // Bytes that are not UTF-8: SourceText replaces them with U+FFFD, so they cannot be recovered.
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileUnreadable, BakingHarness.Raw(Path, Good));
        Assert.Contains("replaced invalid bytes", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteValue_NNG0025_NamesTensorAndPosition()
    {
        float[] parameters = BakingHarness.SomePlanarParameters();
        parameters[12 + 3] = float.NaN; // W2 [0, 3]
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileUnreadable, BakingHarness.Encoded(Path, FileWithRaw(parameters)));
        Assert.Contains("tensor 'W2': value at [0, 3] is NaN", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void WrongShape_NNG0026_NamesTensorExpectedAndActual()
    {
        byte[] data = new byte[68];
        byte[] file = BakingHarness.Safetensors(
            """{"W1":{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"b2":{"dtype":"F32","shape":[1],"data_offsets":[64,68]}}""",
            data);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.Equal("Tensor 'W1' in 'planar.safetensors' does not fit network 'BakedNet': expected shape (4, 2), found (2, 4)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MissingTensor_NNG0026()
    {
        byte[] file = BakingHarness.Safetensors(
            """{"W1":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]}}""",
            new byte[64]);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.StartsWith("Tensor 'b2' in 'planar.safetensors' does not fit network 'BakedNet': missing: expected shape (1) F32", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void WrongDType_NNG0026()
    {
        byte[] file = BakingHarness.Safetensors(
            """{"W1":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"b2":{"dtype":"I32","shape":[1],"data_offsets":[64,68]}}""",
            new byte[68]);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.EndsWith("expected dtype F32, found I32", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void OtherArchitectureInMetadata_NNG0027()
    {
        byte[] file = BakingHarness.Safetensors(
            """{"__metadata__":{"nngen.layer_sizes":"2,5,1","nngen.network":"Wider"},"W1":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"b2":{"dtype":"F32","shape":[1],"data_offsets":[64,68]}}""",
            new byte[68]);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsArchitectureMismatch, BakingHarness.Encoded(Path, file));
        Assert.Equal("The weights file 'planar.safetensors' holds layer sizes 2,5,1 (saved from Wider), but network 'BakedNet' has layer sizes 2,4,1 (2 -> 4 tanh -> 1 sigmoid)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FileOverTheLimit_NNG0028_StatesTheLimit()
    {
        var text = $"nngen-base64 1\n{Path}\nlength {(4 * 1024 * 1024) + 1}\n";
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileTooLarge, BakingHarness.Text("/obj/planar.safetensors.nngen-base64", text));
        Assert.Contains("is 4194305 bytes; at most 4194304 bytes (4 MiB)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void RawFileOverTheLimit_NNG0028()
    {
        byte[] big = Enumerable.Repeat((byte)' ', (4 * 1024 * 1024) + 8).ToArray();
        Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileTooLarge, BakingHarness.Raw(Path, big));
    }

    [Fact]
    public void StandardizerMeanWithoutScale_NNG0026_NamesTheMissingTensor()
    {
        byte[] file = BakedExtrasTests.FileWith([new NamedTensor("standardizer.mean", [0.5f, -1f])]);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.Equal(
            "Tensor 'standardizer.scale' in 'planar.safetensors' does not fit network 'BakedNet': missing beside 'standardizer.mean': a standardizer needs both; expected shape (2) F32, one value per input of the network",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void StandardizerOfAnotherWidth_NNG0026_ExpectedAndFoundShapes()
    {
        byte[] file = BakedExtrasTests.FileWith(new Standardizer([0f, 1f, 2f], [1f, 1f, 1f]).ToTensors());
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.EndsWith("'standardizer.mean' in 'planar.safetensors' does not fit network 'BakedNet': expected shape (2) F32, one value per input of the network, found (3)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f, "0")]
    [InlineData(-2f, "-2")]
    public void StandardizerScaleNotPositive_NNG0026_NamesTheValue(float scale, string written)
    {
        byte[] file = BakedExtrasTests.FileWith([new NamedTensor("standardizer.mean", [0.5f, -1f]), new NamedTensor("standardizer.scale", [1f, scale])]);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsTensorMismatch, BakingHarness.Encoded(Path, file));
        Assert.EndsWith($"'standardizer.scale' in 'planar.safetensors' does not fit network 'BakedNet': value at [1] is {written}; a standardizer's scale must be positive", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteExtra_NNG0025_NamesTensorAndPosition()
    {
        // A save refuses a non-finite extra (the loader's rules), so the file is written finite and its last value, the
        // extra's [1, 1], is then overwritten with +∞, as a file from elsewhere could hold it.
        byte[] file = BakedExtrasTests.FileWith([new NamedTensor("thresholds", [2, 2], [1f, 2f, 3f, 4f])]);
        Assert.Equal(4f, BitConverter.ToSingle(file, file.Length - 4));
        BitConverter.GetBytes(float.PositiveInfinity).CopyTo(file, file.Length - 4);
        Diagnostic diagnostic = Single(BakingHarness.PlanarSource("planar.safetensors"), DiagnosticIds.WeightsFileUnreadable, BakingHarness.Encoded(Path, file));
        Assert.Contains("tensor 'thresholds': value at [1, 1] is Infinity", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static byte[] FileWithRaw(float[] parameters)
    {
        string header = """{"W1":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"b1":{"dtype":"F32","shape":[4],"data_offsets":[32,48]},"W2":{"dtype":"F32","shape":[1,4],"data_offsets":[48,64]},"b2":{"dtype":"F32","shape":[1],"data_offsets":[64,68]}}""";
        return BakingHarness.Safetensors(header, parameters.SelectMany(BitConverter.GetBytes).ToArray());
    }

    /// <summary>Exactly one diagnostic, <paramref name="id"/>, at the Weights argument; the network still compiles, without baked data.</summary>
    private static Diagnostic Single(string source, string id, params AdditionalText[] files)
    {
        (GeneratorDriver driver, Compilation output, var diagnostics) = BakingHarness.Run(source, files);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Reported from the pipeline's plain-value location: a path and span in the user's file.
        SyntaxTree tree = output.SyntaxTrees.Single(candidate => candidate.FilePath == diagnostic.Location.GetLineSpan().Path);
        string located = tree.GetText().ToString(diagnostic.Location.SourceSpan);
        Assert.StartsWith("Weights = ", located, StringComparison.Ordinal);

        string generated = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
        Assert.DoesNotContain("BakedParameters", generated, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.BuildProblems(output));
        return diagnostic;
    }
}
