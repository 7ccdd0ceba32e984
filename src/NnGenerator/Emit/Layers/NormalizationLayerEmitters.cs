using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>
    /// Batch norm over the features (PyTorch's BatchNorm1d): in training x̂ = (x − μ_B)/√(σ²_B + ε) per feature over the
    /// batch, the running statistics updated; in inference the running statistics; A[l] = γ·x̂ + β. Backward in
    /// <c>NormalizationKernels.BatchNormBackward</c> from the cached x̂ and 1/σ.
    /// </summary>
    internal sealed class BatchNormLayerEmitter : NormalizationLayerEmitter
    {
        public static readonly BatchNormLayerEmitter Instance = new();

        private BatchNormLayerEmitter()
        {
        }

        protected override string What => "batch statistics in training, running ones in inference";

        public override void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
            base.EmitConstants(writer, layer);
            writer.WriteLine();
            writer.Summary($"The momentum of layer {Int(layer.Index)}: running = (1 − momentum)·running + momentum·batch after each training batch.");
            writer.WriteLine($"public const float {MomentumConstant(layer)} = {Literals.Float(layer.Momentum)};");
        }

        public override void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
            base.EmitInitialize(writer, layer);
            writer.WriteLine($"{layer.Tensor(TensorRole.RunningMean).Member}.Clear();");
            writer.WriteLine($"{layer.Tensor(TensorRole.RunningVariance).Member}.Fill(1f);");
        }

        protected override string InferenceCall(LayerPlan layer, string input, string output, string examples) =>
            $"{RuntimeNames.BatchNormInference}({input}, {output}, {Gamma(layer)}, {Beta(layer)}, {RunningStatistics(layer)}, {layer.UnitsConstant}, {examples}, {EpsilonConstant(layer)});";

        protected override string TrainingCall(LayerPlan layer, string input) =>
            $"{RuntimeNames.BatchNormTraining}({input}, {layer.A}, {Normalized(layer)}, {InverseStd(layer)}, {Gamma(layer)}, {Beta(layer)}, " +
            $"{RunningStatistics(layer)}, {layer.UnitsConstant}, m, {EpsilonConstant(layer)}, {MomentumConstant(layer)});";

        protected override string InverseStdLength(LayerPlan layer) => layer.UnitsConstant;

        protected override string BackwardKernel => RuntimeNames.BatchNormBackward;

        private static string RunningStatistics(LayerPlan layer) =>
            layer.Tensor(TensorRole.RunningMean).Member + ", " + layer.Tensor(TensorRole.RunningVariance).Member;

        private static string MomentumConstant(LayerPlan layer) => "Layer" + Int(layer.Index) + "Momentum";
    }

    /// <summary>
    /// Layer norm of each example over its features (PyTorch's LayerNorm(n)): x̂ = (x − μ_e)/√(σ²_e + ε), A[l] = γ·x̂ + β,
    /// the same in training and inference. Backward in <c>NormalizationKernels.LayerNormBackward</c>.
    /// </summary>
    internal sealed class LayerNormLayerEmitter : NormalizationLayerEmitter
    {
        public static readonly LayerNormLayerEmitter Instance = new();

        private LayerNormLayerEmitter()
        {
        }

        protected override string What => "per example";

        protected override string InferenceCall(LayerPlan layer, string input, string output, string examples) =>
            $"{RuntimeNames.LayerNorm}({input}, {output}, default, default, {Gamma(layer)}, {Beta(layer)}, {layer.UnitsConstant}, {examples}, {EpsilonConstant(layer)});";

        protected override string TrainingCall(LayerPlan layer, string input) =>
            $"{RuntimeNames.LayerNorm}({input}, {layer.A}, {Normalized(layer)}, {InverseStd(layer)}, {Gamma(layer)}, {Beta(layer)}, {layer.UnitsConstant}, m, {EpsilonConstant(layer)});";

        protected override string InverseStdLength(LayerPlan layer) => "m";

        protected override string BackwardKernel => RuntimeNames.LayerNormBackward;
    }

    /// <summary>What batch and layer norm share: γ and β, ε, the cached x̂ and 1/σ, and the shape of the backward call.</summary>
    internal abstract class NormalizationLayerEmitter : ILayerEmitter
    {
        /// <summary>Which statistics the layer normalizes with, for its description.</summary>
        protected abstract string What { get; }

        /// <summary>The backward kernel's name in <see cref="RuntimeNames"/>.</summary>
        protected abstract string BackwardKernel { get; }

        public string Describe(LayerPlan layer)
        {
            TensorPlan gamma = layer.Tensor(TensorRole.Scale);
            TensorPlan beta = layer.Tensor(TensorRole.Shift);
            string state = layer.Kind == LayerKind.BatchNorm
                ? $", running mean and variance at state[{Int(layer.Tensor(TensorRole.RunningMean).Offset)}..{Int(layer.Tensor(TensorRole.RunningVariance).Offset + layer.Units)})"
                : string.Empty;
            return $"Layer {Int(layer.Index)}: {LayerRules.KindName(layer.Kind)} over {Int(layer.Units)} features, {What}. " +
                $"{gamma.Member} [{Int(layer.Units)}] at params[{Int(gamma.Offset)}..{Int(gamma.Offset + layer.Units)}), " +
                $"{beta.Member} [{Int(layer.Units)}] at params[{Int(beta.Offset)}..{Int(beta.Offset + layer.Units)}){state}";
        }

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"{LayerRules.KindName(layer.Kind)} {Int(layer.Index)}",
            string.Empty,
            $"γ ({Int(layer.Units)})",
            $"β ({Int(layer.Units)})",
            $"({Int(layer.Units)}, m)",
        };

        public virtual void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
            writer.WriteLine();
            writer.Summary($"ε of layer {Int(layer.Index)}, added to the variance before the square root.");
            writer.WriteLine($"public const float {EpsilonConstant(layer)} = {Literals.Float(layer.Epsilon)};");
        }

        public virtual void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
            writer.WriteLine($"// Layer {Int(layer.Index)}: γ = 1, β = 0 (PyTorch's start), so the layer starts as a pure normalization.");
            writer.WriteLine($"{Gamma(layer)}.Fill(1f);");
            writer.WriteLine($"{Beta(layer)}.Clear();");
        }

        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine(InferenceCall(layer, input, output, "1"));
        }

        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string source = LayerEmitters.DeclareOutput(writer, layer, input);
            if (!training)
            {
                writer.WriteLine(InferenceCall(layer, source, layer.A, "m"));
                return;
            }

            DeclareCache(writer, layer, RuntimeNames.Span);
            writer.WriteLine(TrainingCall(layer, source));
        }

        /// <summary>The kernel call of the inference forward from <paramref name="input"/> into <paramref name="output"/>.</summary>
        protected abstract string InferenceCall(LayerPlan layer, string input, string output, string examples);

        /// <summary>The kernel call of the training forward from <paramref name="input"/> into A[l], keeping x̂ and 1/σ.</summary>
        protected abstract string TrainingCall(LayerPlan layer, string input);

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            string l = Int(layer.Index);
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"// d{Gamma(layer)} = (1/m) Σ dA{l} * x̂{l}, d{Beta(layer)} = (1/m) Σ dA{l}; dA{(previous is null ? "0 is not needed" : Int(previous.Index) + " through the normalization")}.");
            TensorPlan gamma = layer.Tensor(TensorRole.Scale);
            TensorPlan beta = layer.Tensor(TensorRole.Shift);
            writer.WriteLine($"{RuntimeNames.Span} d{gamma.Member} = gradients.Slice({gamma.OffsetConstant}, {layer.UnitsConstant});");
            writer.WriteLine($"{RuntimeNames.Span} d{beta.Member} = gradients.Slice({beta.OffsetConstant}, {layer.UnitsConstant});");
            DeclareCache(writer, layer, RuntimeNames.ReadOnlySpan);
            string destination = "default";
            if (previous is not null)
            {
                destination = "dZ" + Int(previous.Index);
                writer.WriteLine($"{RuntimeNames.Span} {destination} = {nextDelta}.Slice(0, {previous.UnitsConstant} * m);");
            }

            writer.WriteLine($"{BackwardKernel}({deltaZ}, {Normalized(layer)}, {InverseStd(layer)}, {Gamma(layer)}, d{gamma.Member}, d{beta.Member}, {destination}, {layer.UnitsConstant}, m, inverseM);");
            LayerEmitters.EmitPreviousDerivative(writer, previous, destination);
        }

        /// <summary>The length of the cached 1/σ: n[l] for batch norm (per feature), m for layer norm (per example).</summary>
        protected abstract string InverseStdLength(LayerPlan layer);

        /// <summary>Declares the cached x̂ (n[l] x m) and 1/σ in <c>extras</c> as <paramref name="spanType"/>.</summary>
        protected void DeclareCache(SourceWriter writer, LayerPlan layer, string spanType)
        {
            writer.WriteLine($"{spanType} {Normalized(layer)} = {LayerEmitters.Extra(layer, 0, layer.UnitsConstant + " * m")};");
            writer.WriteLine($"{spanType} {InverseStd(layer)} = {LayerEmitters.Extra(layer, layer.Units, InverseStdLength(layer))};");
        }

        protected static string Gamma(LayerPlan layer) => layer.Tensor(TensorRole.Scale).Member;

        protected static string Beta(LayerPlan layer) => layer.Tensor(TensorRole.Shift).Member;

        protected static string Normalized(LayerPlan layer) => "xhat" + Int(layer.Index);

        protected static string InverseStd(LayerPlan layer) => "inverseStd" + Int(layer.Index);

        protected static string EpsilonConstant(LayerPlan layer) => "Layer" + Int(layer.Index) + "Epsilon";
    }
}
