using NnGen.Generator.Model;
using NnGen.Generator.Planning;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>
    /// Everything the generator writes for one <see cref="LayerKind"/>, forward and backward side by side: the comment
    /// that describes a layer, its constants and initialization, its summary row, the forward for one example, the
    /// forward for a batch in inference and in training mode, and the backward pass. One implementation per kind,
    /// chosen in <see cref="LayerEmitters.For"/>; a test fails when a kind lacks one.
    /// </summary>
    /// <remarks>
    /// Batches are feature-major inside the network: A[l] is (n[l] x m) in <c>cache</c>. A layer's input span is
    /// <c>x</c> (example-major, m x n[0]) for layer 1, else A[l-1]. Training caches beyond A[l] live in <c>extras</c> at
    /// <see cref="LayerPlan.ExtraCacheOffset"/> (floats per example). Deltas follow the course: the backward pass is
    /// handed dZ[l] (dA[l] for the kinds without an activation) and writes dZ[l-1] into <c>nextDelta</c>.
    /// </remarks>
    internal interface ILayerEmitter
    {
        /// <summary>One line: what the layer is and where its tensors live.</summary>
        string Describe(LayerPlan layer);

        /// <summary>The cells of the layer's row in <c>Summary</c>: layer, activation, the two tensor shapes, output shape.</summary>
        string[] SummaryCells(LayerPlan layer);

        /// <summary>Constants of the kind's arguments (ε, momentum, rate), after the layer's size and offset constants.</summary>
        void EmitConstants(SourceWriter writer, LayerPlan layer);

        /// <summary>Inside <c>Initialize(seed)</c>: the layer's starting values (drawing from <c>random</c> only for weights).</summary>
        void EmitInitialize(SourceWriter writer, LayerPlan layer);

        /// <summary>Inference for one example from span <paramref name="input"/> into span <paramref name="output"/>.</summary>
        void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output);

        /// <summary>m examples from <paramref name="input"/> into A[l] in <c>cache</c>, in inference or training mode.</summary>
        void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training);

        /// <summary>
        /// The backward pass of the layer given dZ[l] in <paramref name="deltaZ"/>: the gradients of its tensors and, for
        /// l &gt; 1, dZ[l-1] in <paramref name="nextDelta"/>.
        /// </summary>
        void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta);
    }

    /// <summary>The emitter of each layer kind: the one switch over the kinds.</summary>
    internal static class LayerEmitters
    {
        public static ILayerEmitter For(LayerKind kind) => kind switch
        {
            LayerKind.Dense => DenseLayerEmitter.Instance,
            LayerKind.Dropout => DropoutLayerEmitter.Instance,
            LayerKind.BatchNorm => BatchNormLayerEmitter.Instance,
            LayerKind.LayerNorm => LayerNormLayerEmitter.Instance,
            LayerKind.Lstm or LayerKind.Gru => RecurrentLayerEmitter.Instance,
            LayerKind.Conv1D or LayerKind.Conv2D => ConvolutionLayerEmitter.Instance,
            LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D => PoolLayerEmitter.Instance,
            LayerKind.GlobalAvgPool => GlobalAvgPoolLayerEmitter.Instance,
            LayerKind.Flatten => FlattenLayerEmitter.Instance,
            _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "No emitter for this layer kind."),
        };

        /// <summary>
        /// A span of the layer's training cache in <c>extras</c>: <paramref name="rows"/> (per example) from
        /// <paramref name="offset"/> (per example, within the layer's part), or <paramref name="length"/> floats.
        /// </summary>
        public static string Extra(LayerPlan layer, int offset, string length) =>
            $"extras.Slice({Literals.Int(layer.ExtraCacheOffset + offset)} * m, {length})";

        /// <summary>
        /// The declaration of A[l] in the cache, and for layer 1 (whose input arrives one example per row) the inputs
        /// transposed into it, so the layer then works in place; returns the span the layer reads.
        /// </summary>
        public static string DeclareOutput(SourceWriter writer, LayerPlan layer, string input)
        {
            string slice = layer.CacheOffset == 0 ? $"0, {layer.UnitsConstant} * m" : $"{layer.RowsBefore} * m, {layer.UnitsConstant} * m";
            writer.WriteLine($"{RuntimeNames.Span} {layer.A} = cache.Slice({slice});");
            if (layer.Index != 1)
            {
                return input;
            }

            writer.WriteLine($"// X arrives one example per row; this layer works on (n[0] x m), so transpose it into A1 and work in place.");
            writer.WriteLine($"{RuntimeNames.Transpose}({input}, {layer.A}, m, {layer.UnitsConstant});");
            return layer.A;
        }

        /// <summary>dZ[l-1] = dA[l-1] ⊙ g'(A[l-1]) in place, for the layer below a kind without an activation of its own.</summary>
        public static void EmitPreviousDerivative(SourceWriter writer, LayerPlan? previous, string deltaPrevious)
        {
            if (previous is not null && ActivationTable.Of(previous.Activation).BackwardKernel is not null)
            {
                writer.WriteLine($"// dZ{Literals.Int(previous.Index)} = dA{Literals.Int(previous.Index)} * {Literals.Derivative(previous.Activation, previous.Index)}.");
                LayerEmitter.EmitDerivative(writer, previous.Activation, previous.A, deltaPrevious);
            }
        }
    }
}
