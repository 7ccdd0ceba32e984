using System.Linq;
using NnGen.Generator.Model;
using NnGen.Generator.Planning;
using static NnGen.Generator.Emit.Literals;

namespace NnGen.Generator.Emit.Layers
{
    /// <summary>
    /// What the layers over (C, L) and (C, H, W) shapes share. Their activations are feature-major like every layer's:
    /// A[l] is (C·H·W x m), element (c, y, x) of example j at ((c·H + y)·W + x)·m + j, so a flatten needs no copy and the
    /// kernels (<c>ConvKernels</c>) move runs of m examples at a time. A first layer reads Xᵀ, the input transposed into
    /// <c>inputsT</c>; convolutions take their im2col scratch from <c>convScratch</c> (both declared by the strategy).
    /// </summary>
    internal static class ShapedLayers
    {
        /// <summary>The span a shaped layer reads: A[l-1], or for layer 1 the input transposed into <c>inputsT</c> (batch) or <c>x</c> itself (one example).</summary>
        public static string BatchInput(SourceWriter writer, LayerPlan layer, string input)
        {
            if (layer.Index != 1)
            {
                return input;
            }

            writer.WriteLine("// X arrives one example per row; the kernels read (n[0] x m), so transpose it once into the workspace.");
            writer.WriteLine($"{RuntimeNames.Transpose}({input}, inputsT, m, {layer.InputsConstant});");
            return "inputsT";
        }

        /// <summary>Declares A[l] in the cache.</summary>
        public static void DeclareOutput(SourceWriter writer, LayerPlan layer)
        {
            string slice = layer.CacheOffset == 0 ? $"0, {layer.UnitsConstant} * m" : $"{layer.RowsBefore} * m, {layer.UnitsConstant} * m";
            writer.WriteLine($"{RuntimeNames.Span} {layer.A} = cache.Slice({slice});");
        }

        /// <summary>The span dA[l-1] is written to in the backward pass, declared in <paramref name="nextDelta"/>; null for layer 1.</summary>
        public static string? DeclarePreviousDelta(SourceWriter writer, LayerPlan? previous, string nextDelta)
        {
            if (previous is null)
            {
                return null;
            }

            string p = Int(previous.Index);
            writer.WriteLine($"{RuntimeNames.Span} dZ{p} = {nextDelta}.Slice(0, {previous.UnitsConstant} * m);");
            return "dZ" + p;
        }

        /// <summary>What the backward pass reads as the layer's input: A[l-1], or Xᵀ for layer 1.</summary>
        public static string BackwardInput(LayerPlan? previous) => previous?.A ?? "inputsT";

        public static string Shape(EquatableArray<int> shape) => ShapeRules.Text(shape);

        public static string Cell(EquatableArray<int> shape) => ShapeRules.Text(shape);
    }

    /// <summary>
    /// Conv1D and Conv2D (PyTorch's <c>nn.Conv1d</c>/<c>nn.Conv2d</c>): Z[l] = W[l] ⋆ A[l-1] + b[l], A[l] = g[l](Z[l]).
    /// Forward and backward in <c>ConvKernels</c> (im2col and the GEMM kernels); the activation and its derivative are the
    /// dense layers' element-wise kernels over the whole (Cout·Ho·Wo x m) block.
    /// </summary>
    internal sealed class ConvolutionLayerEmitter : ILayerEmitter
    {
        public static readonly ConvolutionLayerEmitter Instance = new();

        private ConvolutionLayerEmitter()
        {
        }

        public string Describe(LayerPlan layer)
        {
            ConvShape conv = layer.Conv!;
            TensorPlan w = layer.Tensor(TensorRole.Weight);
            TensorPlan b = layer.Tensor(TensorRole.Bias);
            return $"Layer {Int(layer.Index)}: {LayerRules.KindName(layer.Kind)} {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}, " +
                $"{Arguments(layer.Kind, conv)}, {Prose(layer.Activation)}. " +
                $"{w.Member} {w.ShapeText} at params[{Int(w.Offset)}..{Int(w.Offset + w.Length)}), {b.Member} ({Int(conv.OutChannels)}) at params[{Int(b.Offset)}..{Int(b.Offset + b.Length)})";
        }

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"{LayerRules.KindName(layer.Kind)} {Int(layer.Index)}",
            Prose(layer.Activation),
            layer.Tensor(TensorRole.Weight).ShapeText,
            $"({Int(layer.Conv!.OutChannels)})",
            ShapedLayers.Cell(layer.OutputShape),
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
            ConvShape c = layer.Conv!;
            writer.WriteLine();
            writer.Summary($"Layer {Int(layer.Index)}'s arithmetic: {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}, {Arguments(layer.Kind, c)}.");
            writer.WriteLine($"private static readonly {RuntimeNames.ConvGeometry} {layer.GeometryField} = new(" +
                $"{Int(c.InChannels)}, {Int(c.InHeight)}, {Int(c.InWidth)}, {Int(c.OutChannels)}, {Int(c.KernelHeight)}, {Int(c.KernelWidth)}, " +
                $"{Int(c.StrideHeight)}, {Int(c.StrideWidth)}, {Int(c.PadTop)}, {Int(c.PadBottom)}, {Int(c.PadLeft)}, {Int(c.PadRight)}, " +
                $"{Int(c.DilationHeight)}, {Int(c.DilationWidth)}, {Int(c.Groups)});");
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
            int fanIn = layer.Conv!.KernelVolume;
            writer.WriteLine($"// Layer {Int(layer.Index)}: {layer.Init} over the fan-in (Cin / groups)·kh·kw = {Int(fanIn)}, zero biases, as for the dense layers.");
            writer.WriteLine($"{RuntimeNames.FillWeights}({layer.W}, {Int(fanIn)}, {RuntimeNames.InitType}.{layer.Init}, random);");
            writer.WriteLine($"{layer.B}.Clear();");
        }

        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{RuntimeNames.ConvForward}({layer.GeometryField}, {input}, {layer.W}, {layer.B}, {output}, 1, convScratch{ActivationArgument(layer)});");
        }

        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string source = ShapedLayers.BatchInput(writer, layer, input);
            ShapedLayers.DeclareOutput(writer, layer);
            writer.WriteLine($"{RuntimeNames.ConvForward}({layer.GeometryField}, {source}, {layer.W}, {layer.B}, {layer.A}, m, convScratch{ActivationArgument(layer)});");
        }

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            string l = Int(layer.Index);
            TensorPlan w = layer.Tensor(TensorRole.Weight);
            TensorPlan b = layer.Tensor(TensorRole.Bias);
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"// dW{l} = (1/m) dZ{l} ⋆ {(previous is null ? "X" : "A" + Int(previous.Index))}; db{l} = (1/m) Σ dZ{l} over examples and positions" +
                (previous is null ? "; dA0 is not needed." : $"; dA{Int(previous.Index)} = the transposed convolution of dZ{l} with {layer.W}."));
            writer.WriteLine($"{RuntimeNames.Span} dW{l} = gradients.Slice({w.OffsetConstant}, {Int(w.Length)});");
            writer.WriteLine($"{RuntimeNames.Span} db{l} = gradients.Slice({b.OffsetConstant}, {Int(b.Length)});");
            string? previousDelta = ShapedLayers.DeclarePreviousDelta(writer, previous, nextDelta);
            writer.WriteLine($"{RuntimeNames.ConvBackward}({layer.GeometryField}, {ShapedLayers.BackwardInput(previous)}, {layer.W}, {deltaZ}, m, inverseM, dW{l}, db{l}, {previousDelta ?? "default"}, convScratch);");
            if (previousDelta is not null)
            {
                LayerEmitters.EmitPreviousDerivative(writer, previous, previousDelta);
            }
        }

        // The kernel applies the activation (in its direct path as it stores each output), so A never takes a second pass.
        private static string ActivationArgument(LayerPlan layer) =>
            layer.Activation == ActivationKind.Linear ? string.Empty : ", " + LayerEmitter.ActivationValue(layer.Activation);

        private static string Arguments(LayerKind kind, ConvShape c)
        {
            bool twoD = kind == LayerKind.Conv2D;
            string Pair(int height, int width) => twoD ? (height == width ? Int(width) : Int(height) + " x " + Int(width)) : Int(width);
            var parts = new System.Collections.Generic.List<string> { "kernel " + Pair(c.KernelHeight, c.KernelWidth), "stride " + Pair(c.StrideHeight, c.StrideWidth) };
            if (c.PadTop + c.PadBottom + c.PadLeft + c.PadRight > 0)
            {
                parts.Add(twoD
                    ? $"padding (top {Int(c.PadTop)}, bottom {Int(c.PadBottom)}, left {Int(c.PadLeft)}, right {Int(c.PadRight)})"
                    : $"padding (left {Int(c.PadLeft)}, right {Int(c.PadRight)})");
            }

            if (c.DilationWidth != 1 || c.DilationHeight != 1)
            {
                parts.Add("dilation " + Pair(c.DilationHeight, c.DilationWidth));
            }

            if (c.Groups != 1)
            {
                parts.Add("groups " + Int(c.Groups));
            }

            return string.Join(", ", parts);
        }
    }

    /// <summary>
    /// MaxPool and AvgPool, 1-D and 2-D (PyTorch's, <c>ceil_mode=False</c>; average pooling counts the padding). No
    /// parameters; max pooling's backward recomputes each window's arg-max from A[l-1] instead of caching it.
    /// </summary>
    internal sealed class PoolLayerEmitter : ILayerEmitter
    {
        public static readonly PoolLayerEmitter Instance = new();

        private PoolLayerEmitter()
        {
        }

        private static bool IsMax(LayerPlan layer) => layer.Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D;

        public string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: {LayerRules.KindName(layer.Kind)} {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}, {Arguments(layer)}; no parameters.";

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"{LayerRules.KindName(layer.Kind)} {Int(layer.Index)}",
            Arguments(layer),
            string.Empty,
            string.Empty,
            ShapedLayers.Cell(layer.OutputShape),
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
            PoolShape p = layer.Pool!;
            writer.WriteLine();
            writer.Summary($"Layer {Int(layer.Index)}'s arithmetic: {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}, {Arguments(layer)}.");
            writer.WriteLine($"private static readonly {RuntimeNames.PoolGeometry} {layer.GeometryField} = new(" +
                $"{Int(p.Channels)}, {Int(p.InHeight)}, {Int(p.InWidth)}, {Int(p.KernelHeight)}, {Int(p.KernelWidth)}, " +
                $"{Int(p.StrideHeight)}, {Int(p.StrideWidth)}, {Int(p.PadHeight)}, {Int(p.PadWidth)});");
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
        }

        public void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{(IsMax(layer) ? RuntimeNames.MaxPoolForward : RuntimeNames.AvgPoolForward)}({layer.GeometryField}, {input}, {output}, 1);");
        }

        public void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string source = ShapedLayers.BatchInput(writer, layer, input);
            ShapedLayers.DeclareOutput(writer, layer);
            writer.WriteLine($"{(IsMax(layer) ? RuntimeNames.MaxPoolForward : RuntimeNames.AvgPoolForward)}({layer.GeometryField}, {source}, {layer.A}, m);");
        }

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string? previousDelta = ShapedLayers.DeclarePreviousDelta(writer, previous, nextDelta);
            if (previousDelta is null)
            {
                writer.WriteLine("// No parameters, and dA0 is not needed: the inputs are not trained.");
                return;
            }

            string p = Int(previous!.Index);
            if (IsMax(layer))
            {
                writer.WriteLine($"// dA{p}: each window's gradient goes to its first maximum in A{p}, found again from A{p}.");
                writer.WriteLine($"{RuntimeNames.MaxPoolBackward}({layer.GeometryField}, {previous.A}, {deltaZ}, {previousDelta}, m);");
            }
            else
            {
                writer.WriteLine($"// dA{p}: each window's gradient shared equally over its positions (padding included).");
                writer.WriteLine($"{RuntimeNames.AvgPoolBackward}({layer.GeometryField}, {deltaZ}, {previousDelta}, m);");
            }

            LayerEmitters.EmitPreviousDerivative(writer, previous, previousDelta);
        }

        private static string Arguments(LayerPlan layer)
        {
            PoolShape p = layer.Pool!;
            bool twoD = layer.Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
            string Pair(int height, int width) => twoD && height != width ? Int(height) + " x " + Int(width) : Int(width);
            return "window " + Pair(p.KernelHeight, p.KernelWidth) + ", stride " + Pair(p.StrideHeight, p.StrideWidth) +
                (p.PadWidth == 0 && p.PadHeight == 0 ? string.Empty : ", padding " + Pair(p.PadHeight, p.PadWidth));
        }
    }

    /// <summary>
    /// What the parameterless layers that only reshape or average share: no constants, no initialization, a summary row
    /// of the kind and its output shape, and a backward pass that writes dA[l-1] from dA[l], then g'[l-1] on it.
    /// </summary>
    internal abstract class ReshapingLayerEmitter : ILayerEmitter
    {
        public abstract string Describe(LayerPlan layer);

        public string[] SummaryCells(LayerPlan layer) => new[]
        {
            $"{LayerRules.KindName(layer.Kind)} {Int(layer.Index)}",
            string.Empty,
            string.Empty,
            string.Empty,
            ShapedLayers.Cell(layer.OutputShape),
        };

        public void EmitConstants(SourceWriter writer, LayerPlan layer)
        {
        }

        public void EmitInitialize(SourceWriter writer, LayerPlan layer)
        {
        }

        public abstract void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output);

        public abstract void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training);

        public void EmitBackward(SourceWriter writer, LayerPlan layer, LayerPlan? previous, string deltaZ, string nextDelta)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string? previousDelta = ShapedLayers.DeclarePreviousDelta(writer, previous, nextDelta);
            if (previousDelta is null)
            {
                writer.WriteLine("// No parameters, and dA0 is not needed: the inputs are not trained.");
                return;
            }

            EmitInputGradient(writer, layer, previous!, deltaZ, previousDelta);
            LayerEmitters.EmitPreviousDerivative(writer, previous, previousDelta);
        }

        /// <summary>dA[l-1] into <paramref name="previousDelta"/> from dA[l] in <paramref name="deltaZ"/>.</summary>
        protected abstract void EmitInputGradient(SourceWriter writer, LayerPlan layer, LayerPlan previous, string deltaZ, string previousDelta);
    }

    /// <summary>Global average pooling: (C, …) to the C channel means (PyTorch's AdaptiveAvgPool(1) + flatten). No parameters.</summary>
    internal sealed class GlobalAvgPoolLayerEmitter : ReshapingLayerEmitter
    {
        public static readonly GlobalAvgPoolLayerEmitter Instance = new();

        private GlobalAvgPoolLayerEmitter()
        {
        }

        private static int Positions(LayerPlan layer) => layer.Inputs / layer.Units;

        public override string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: GlobalAvgPool {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}, the mean of each channel's {Int(Positions(layer))} positions; no parameters.";

        public override void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{RuntimeNames.GlobalAvgPoolForward}({layer.UnitsConstant}, {Int(Positions(layer))}, {input}, {output}, 1);");
        }

        public override void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            string source = ShapedLayers.BatchInput(writer, layer, input);
            ShapedLayers.DeclareOutput(writer, layer);
            writer.WriteLine($"{RuntimeNames.GlobalAvgPoolForward}({layer.UnitsConstant}, {Int(Positions(layer))}, {source}, {layer.A}, m);");
        }

        protected override void EmitInputGradient(SourceWriter writer, LayerPlan layer, LayerPlan previous, string deltaZ, string previousDelta)
        {
            writer.WriteLine($"// dA{Int(previous.Index)}: each channel's gradient spread evenly over its positions.");
            writer.WriteLine($"{RuntimeNames.GlobalAvgPoolBackward}({layer.UnitsConstant}, {Int(Positions(layer))}, {deltaZ}, {previousDelta}, m);");
        }
    }

    /// <summary>
    /// Flatten: (C, …) to C·… features in PyTorch's order. The feature-major layout is already that order, so it is a copy
    /// forward and backward (kept so A[l] and dA[l] have a slot of their own like every layer's).
    /// </summary>
    internal sealed class FlattenLayerEmitter : ReshapingLayerEmitter
    {
        public static readonly FlattenLayerEmitter Instance = new();

        private FlattenLayerEmitter()
        {
        }

        public override string Describe(LayerPlan layer) =>
            $"Layer {Int(layer.Index)}: Flatten {ShapedLayers.Shape(layer.InputShape)} -> {ShapedLayers.Shape(layer.OutputShape)}; the layout is unchanged, no parameters.";

        public override void EmitForwardSingle(SourceWriter writer, LayerPlan layer, string input, string output)
        {
            writer.WriteLine($"// {Describe(layer)}");
            writer.WriteLine($"{input}.CopyTo({output});");
        }

        public override void EmitForwardBatch(SourceWriter writer, LayerPlan layer, string input, bool training)
        {
            writer.WriteLine($"// {Describe(layer)}");
            if (layer.Index == 1)
            {
                LayerEmitters.DeclareOutput(writer, layer, input);
                return;
            }

            ShapedLayers.DeclareOutput(writer, layer);
            writer.WriteLine($"{input}.CopyTo({layer.A});");
        }

        protected override void EmitInputGradient(SourceWriter writer, LayerPlan layer, LayerPlan previous, string deltaZ, string previousDelta) =>
            writer.WriteLine($"{deltaZ}.CopyTo({previousDelta});");
    }
}
