using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Baking;

/// <summary>Runs the generator with AdditionalFiles, as the compiler hands them over, and makes weights files to bake.</summary>
internal static class BakingHarness
{
    /// <summary>A planar 2-4-1 network baking <paramref name="weights"/>, plus a probe that predicts a batch.</summary>
    public static string PlanarSource(string weights, string name = "BakedNet") => $$"""
        using NnGen;

        namespace Demo;

        [Network(Inputs = 2, Weights = "{{weights}}")]
        [Layer(4, Activation.Tanh)]
        [Layer(1, Activation.Sigmoid)]
        public partial class {{name}} { }

        public static class {{name}}Probe
        {
            public static float[] Parameters() => new {{name}}().Parameters.ToArray();

            public static float[] PredictBatch(float[] inputs) => PredictBatch(new {{name}}(), inputs);

            /// <summary>The same network type with the weights loaded at run time from <paramref name="file"/> instead.</summary>
            public static float[] PredictBatchLoaded(byte[] file, float[] inputs)
            {
                var network = new {{name}}(seed: 7);
                network.LoadWeights(new System.IO.MemoryStream(file));
                return PredictBatch(network, inputs);
            }

            /// <summary>The baked network frozen: its PredictBatch outputs, then its Predict outputs one example at a time.</summary>
            public static float[] FrozenPredictions(float[] inputs)
            {
                {{name}}.Frozen frozen = new {{name}}().Freeze();
                var outputs = new float[inputs.Length];
                frozen.PredictBatch(inputs, new System.Span<float>(outputs, 0, inputs.Length / 2));
                for (int i = 0; i < inputs.Length / 2; i++)
                {
                    frozen.Predict(new System.ReadOnlySpan<float>(inputs, 2 * i, 2), new System.Span<float>(outputs, (inputs.Length / 2) + i, 1));
                }

                return outputs;
            }

            /// <summary>The same from the baked network itself.</summary>
            public static float[] Predictions(float[] inputs)
            {
                var network = new {{name}}();
                var outputs = new float[inputs.Length];
                network.PredictBatch(inputs, new System.Span<float>(outputs, 0, inputs.Length / 2));
                for (int i = 0; i < inputs.Length / 2; i++)
                {
                    network.Predict(new System.ReadOnlySpan<float>(inputs, 2 * i, 2), new System.Span<float>(outputs, (inputs.Length / 2) + i, 1));
                }

                return outputs;
            }

            private static float[] PredictBatch({{name}} network, float[] inputs)
            {
                var outputs = new float[inputs.Length / 2];
                network.PredictBatch(inputs, outputs);
                return outputs;
            }
        }
        """;

    /// <summary>A driver with step tracking and these AdditionalFiles.</summary>
    public static GeneratorDriver CreateDriver(params AdditionalText[] files) =>
        CSharpGeneratorDriver.Create(
            new[] { new NnGenerator().AsSourceGenerator() },
            additionalTexts: files,
            parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(string source, params AdditionalText[] files)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorDriver driver = CreateDriver(files).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver, output, diagnostics);
    }

    /// <summary>The file as NnGen.targets passes it on: a text copy holding base64 and the original's path.</summary>
    public static AdditionalText Encoded(string originalPath, byte[] bytes) =>
        new TextFile(
            "/obj/nngen/1/" + Path.GetFileName(originalPath) + ".nngen-base64",
            $"nngen-base64 1\n{originalPath}\nlength {bytes.Length}\n{Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks)}\n");

    /// <summary>The file added as it is: the compiler decodes it as UTF-8 (invalid bytes replaced).</summary>
    public static AdditionalText Raw(string path, byte[] bytes) => new TextFile(path, SourceText.From(bytes, bytes.Length, encoding: null));

    public static AdditionalText Text(string path, string text) => new TextFile(path, text);

    /// <summary>What SaveWeights writes for a planar network whose parameters are <paramref name="parameters"/>.</summary>
    public static byte[] PlanarFile(float[] parameters)
    {
        var network = (ISerializableNetwork)CompileAndRun.CompiledNetwork.For(TestArchitecture.Planar).Create();
        parameters.CopyTo(network.Parameters);
        using var stream = new MemoryStream();
        WeightsFile.Save(network, stream);
        return stream.ToArray();
    }

    public static float[] SomePlanarParameters() => Enumerable.Range(0, 17).Select(i => (i - 8) * 0.125f + 0.01f).ToArray();

    /// <summary>A file laid out by hand: header JSON, then data.</summary>
    public static byte[] Safetensors(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BitConverter.GetBytes((ulong)json.Length).CopyTo(file, 0);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private sealed class TextFile : AdditionalText
    {
        private readonly SourceText _text;

        public TextFile(string path, string text)
            : this(path, SourceText.From(text, Encoding.UTF8))
        {
        }

        public TextFile(string path, SourceText text)
        {
            Path = path;
            _text = text;
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
