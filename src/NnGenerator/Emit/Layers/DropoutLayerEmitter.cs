using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>
    /// Inverted dropout: in training A[l] = A[l-1] ⊙ mask, mask = 1/(1 − p) where kept and 0 where dropped, drawn from
    /// the step seed; in inference the identity. Backward: dA[l-1] = dA[l] ⊙ mask.
    /// </summary>
    internal sealed class DropoutLayerEmitter : ILayerEmitter
    {
        public static readonly DropoutLayerEmitter Instance = new();

        private DropoutLayerEmitter()
        {
        }

        public string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: Dropout p = {Literals.Float(layer.Rate).TrimEnd('f')} over {Int(layer.Units)} features; identity in inference, no parameters.";

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"Dropout {Int(layer.Index)}",
            $"p = {Literals.Float(layer.Rate).TrimEnd('f')}",
            string.Empty,
            string.Empty,
            $"({Int(layer.Units)}, m)",
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
            writer.WriteLine();
            writer.Summary($"p of layer {Int(layer.Index)}: the probability that a feature is dropped in training.");
            writer.WriteLine($"public const float {RateConstant(layer)} = {Literals.Float(layer.Rate)};");
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
        }

        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{input}.CopyTo({output});");
        }

        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            if (!training)
            {
                if (layer.Index == 1)
                {
                    LayerEmitters.DeclareOutput(writer, layer, input);
                }
                else
                {
                    writer.WriteLine($"{RuntimeNames.Span} {layer.A} = {input};");
                }

                return;
            }

            string source = LayerEmitters.DeclareOutput(writer, layer, input);
            writer.WriteLine($"{RuntimeNames.Span} {Mask(layer)} = {LayerEmitters.Extra(layer, 0, layer.UnitsConstant + " * m")};");
            writer.WriteLine($"{RuntimeNames.DropoutForward}({source}, {layer.A}, {Mask(layer)}, {layer.UnitsConstant}, m, {RateConstant(layer)}, stepSeed, layer: {Int(layer.Index)});");
        }

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            writer.WriteLine($"// {Describe(layer)}");
            if (previous is null)
            {
                writer.WriteLine("// No parameters, and dA0 is not needed: the inputs are not trained.");
                return;
            }

            string p = Int(previous.Index);
            writer.WriteLine($"// dA{p} = dA{Int(layer.Index)} * mask{Int(layer.Index)}: a dropped feature passes no gradient back.");
            writer.WriteLine($"{RuntimeNames.ReadOnlySpan} {Mask(layer)} = {LayerEmitters.Extra(layer, 0, layer.UnitsConstant + " * m")};");
            writer.WriteLine($"{RuntimeNames.Span} dZ{p} = {nextDelta}.Slice(0, {previous.UnitsConstant} * m);");
            writer.WriteLine($"{RuntimeNames.DropoutBackward}({Mask(layer)}, {deltaZ}, dZ{p});");
            LayerEmitters.EmitPreviousDerivative(writer, previous, "dZ" + p);
        }

        private static string Mask(LayerPlan layer) => "mask" + Int(layer.Index);

        private static string RateConstant(LayerPlan layer) => "Layer" + Int(layer.Index) + "Rate";
    }
}
