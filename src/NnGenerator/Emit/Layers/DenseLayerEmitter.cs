using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>Dense layers, through <see cref="LayerEmitter"/> (shared with the one-example and tiny passes).</summary>
    internal sealed class DenseLayerEmitter : ILayerEmitter
    {
        public static readonly DenseLayerEmitter Instance = new();

        private DenseLayerEmitter()
        {
        }

        public string Describe(LayerPlan layer) => LayerEmitter.Describe(layer);

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"Dense {Int(layer.Index)}",
            Prose(layer.Activation),
            $"({Int(layer.Units)}, {Int(layer.Inputs)})",
            $"({Int(layer.Units)}, 1)",
            $"({Int(layer.Units)}, m)",
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
            writer.WriteLine($"// Layer {Int(layer.Index)}: {InitProse(layer)}.");
            writer.WriteLine($"{RuntimeNames.FillWeights}({layer.W}, {Int(layer.Inputs)}, {RuntimeNames.InitType}.{layer.Init}, random);");
            writer.WriteLine($"{layer.B}.Clear();");
        }

        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output) =>
            LayerEmitter.EmitForwardSingle(writer, layer, input, output);

        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training) =>
            LayerEmitter.EmitForwardBatch(writer, layer, input);

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta) =>
            LayerEmitter.EmitBackward(writer, layer, previous, deltaZ, nextDelta);

        private static string InitProse(LayerPlan layer) => layer.Init switch
        {
            Model.InitKind.Xavier => $"Xavier, randn / √{Int(layer.Inputs)}",
            Model.InitKind.He => $"He, randn · √(2/{Int(layer.Inputs)})",
            Model.InitKind.Scaled => "randn · 0.01",
            _ => "zeros",
        };
    }
}
