using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NnGen.Generator.Model
{
    /// <summary>
    /// One convolution's arithmetic, the generator's copy of the runtime's <c>ConvGeometry</c> (the generator cannot
    /// reference the runtime): input (Cin, H, W), weight (Cout, Cin / groups, kh, kw), output (Cout, Ho, Wo). 1-D layers have
    /// H = kh = 1 and no vertical padding.
    /// </summary>
    internal sealed record ConvShape(
        int InChannels, int InHeight, int InWidth, int OutChannels, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth,
        int PadTop, int PadBottom, int PadLeft, int PadRight, int DilationHeight, int DilationWidth, int Groups, int OutHeight, int OutWidth)
    {
        /// <summary>(Cin / groups)·kh·kw: one output's dot product, a row of the weight, the weights' fan-in.</summary>
        public int KernelVolume => InChannels / Groups * KernelHeight * KernelWidth;

        public int OutputFeatures => OutChannels * OutHeight * OutWidth;

        public int InputFeatures => InChannels * InHeight * InWidth;
    }

    /// <summary>One max or average pool's arithmetic, the generator's copy of the runtime's <c>PoolGeometry</c>.</summary>
    internal sealed record PoolShape(
        int Channels, int InHeight, int InWidth, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth, int OutHeight, int OutWidth)
    {
        public int OutputFeatures => Channels * OutHeight * OutWidth;
    }

    /// <summary>A layer's input and output shapes ((n) for features, (C, L) or (C, H, W) for the shaped kinds) and its arithmetic.</summary>
    internal sealed record LayerShape(EquatableArray<int> Input, EquatableArray<int> Output, ConvShape? Conv, PoolShape? Pool)
    {
        public int OutputFeatures => Output.Aggregate(1, (product, size) => product * size);

        public int InputFeatures => Input.Aggregate(1, (product, size) => product * size);
    }

    /// <summary>
    /// Why a network's shapes do not work out: where to say it, what kind of problem, the layer it is about ("Conv2D layer 3";
    /// empty for the network's input) and the rest of the sentence. For <see cref="ShapeProblemKind.Argument"/>,
    /// <see cref="Argument"/> and <see cref="Value"/> name the argument and what was written, <see cref="Detail"/> the rule.
    /// </summary>
    internal sealed record ShapeProblem(LocationInfo? Location, ShapeProblemKind Kind, string Subject, string Detail, string Argument = "", int Value = 0);

    internal enum ShapeProblemKind
    {
        /// <summary>Input = new[] { … } is not a shape, or both Inputs and Input are set.</summary>
        Input,

        /// <summary>A layer argument out of its range (kernel, stride, padding, dilation, groups, padding mode).</summary>
        Argument,

        /// <summary>A layer gets a shape of the wrong rank (a Dense after a (C, H, W) output, a Conv2D after a Dense).</summary>
        Rank,

        /// <summary>A window does not fit its input: no output would be left.</summary>
        Size,
    }

    /// <summary>
    /// Every layer's shape, computed from the declaration alone: the one place the validator (which reports the first
    /// problem) and the plan (which sizes everything from the result) take shapes from. PyTorch's arithmetic:
    /// out = ⌊(in + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.
    /// </summary>
    internal static class ShapeRules
    {
        /// <summary>Whether <paramref name="kind"/> works on a (C, L) or (C, H, W) shape.</summary>
        public static bool IsShaped(LayerKind kind) => kind is LayerKind.Conv1D or LayerKind.Conv2D or LayerKind.MaxPool1D or LayerKind.MaxPool2D
            or LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAvgPool or LayerKind.Flatten;

        public static bool IsConvolution(LayerKind kind) => kind is LayerKind.Conv1D or LayerKind.Conv2D;

        public static bool IsWindowPool(LayerKind kind) => kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D;

        /// <summary>The rank of the shape a kind takes: 2 for (C, L), 3 for (C, H, W), 0 for either, 1 for features.</summary>
        private static int RankTaken(LayerKind kind) => kind switch
        {
            LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D => 2,
            LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D => 3,
            LayerKind.GlobalAvgPool or LayerKind.Flatten or LayerKind.Dropout => 0,
            _ => 1,
        };

        /// <summary>The shape of one example as the network declares it: Input's, or (Inputs).</summary>
        public static int[] InputShape(NetworkSpec spec) =>
            spec.InputShape.Count > 0 ? spec.InputShape.ToArray() : new[] { spec.Inputs ?? 1 };

        /// <summary>
        /// Each layer's shapes, or the first problem (and the shapes up to it). A network declared with <c>Inputs</c> and
        /// no shaped layer has rank-1 shapes throughout and never a problem here.
        /// </summary>
        public static (List<LayerShape> Shapes, ShapeProblem? Problem) Infer(NetworkSpec spec)
        {
            var shapes = new List<LayerShape>(spec.Layers.Count);
            if (spec.InputShape.Count > 0)
            {
                if (spec.Inputs is not null)
                {
                    return (shapes, new ShapeProblem(spec.Locations?.Input ?? spec.Locations?.Attribute, ShapeProblemKind.Input, string.Empty,
                        "sets both Inputs and Input; give the shape of one example once: Input = new[] { channels, length } or { channels, height, width }, or Inputs = features"));
                }

                if (spec.InputShape.Count is < 2 or > 3 || spec.InputShape.Any(size => size < 1) ||
                    spec.InputShape.Aggregate(1L, (product, size) => product * size) > Validation.NetworkLimits.MaxUnits)
                {
                    return (shapes, new ShapeProblem(spec.Locations?.Input ?? spec.Locations?.Attribute, ShapeProblemKind.Input, string.Empty,
                        "has Input = " + Text(spec.InputShape) + "; Input is the shape of one example, (channels, length) for 1-D layers or (channels, height, width) for 2-D ones, every size at least 1 and at most " + Int(Validation.NetworkLimits.MaxUnits) + " values in all"));
                }
            }

            int[] current = InputShape(spec);
            string source = "the input";
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                int index = i + 1;
                string name = LayerRules.KindName(layer.Kind) + " layer " + Int(index);
                LocationInfo? at = layer.Locations?.Attribute;
                int taken = RankTaken(layer.Kind);
                bool rankFits = taken switch
                {
                    0 => layer.Kind == LayerKind.Dropout || current.Length > 1,
                    1 => current.Length == 1,
                    _ => current.Length == taken,
                };
                if (!rankFits)
                {
                    return (shapes, new ShapeProblem(at, ShapeProblemKind.Rank, name, RankAdvice(layer.Kind, taken, current, source)));
                }

                if (ArgumentProblem(layer, name, current[0]) is { } argument)
                {
                    return (shapes, argument);
                }

                LayerShape shape;
                switch (layer.Kind)
                {
                    case LayerKind.Conv1D:
                    case LayerKind.Conv2D:
                    {
                        bool twoD = layer.Kind == LayerKind.Conv2D;
                        int inH = twoD ? current[1] : 1;
                        int inW = twoD ? current[2] : current[1];
                        (int before, int after) = Padding(layer);
                        int outH = twoD ? OutputLength(inH, layer.Kernel, layer.Stride, before + after, layer.Dilation) : 1;
                        int outW = OutputLength(inW, layer.Kernel, layer.Stride, before + after, layer.Dilation);
                        if (outH < 1 || outW < 1)
                        {
                            int span = (layer.Dilation * (layer.Kernel - 1)) + 1 - before - after;
                            return (shapes, new ShapeProblem(at, ShapeProblemKind.Size, name,
                                $"({ConvArguments(layer)}) needs an input of at least {Size(twoD, span)} but {source} gives {Size(twoD, inH, inW)}"));
                        }

                        var conv = new ConvShape(current[0], inH, inW, layer.Units, twoD ? layer.Kernel : 1, layer.Kernel, twoD ? layer.Stride : 1, layer.Stride,
                            twoD ? before : 0, twoD ? after : 0, before, after, twoD ? layer.Dilation : 1, layer.Dilation, layer.Groups, outH, outW);
                        int[] output = twoD ? new[] { layer.Units, outH, outW } : new[] { layer.Units, outW };
                        shape = new LayerShape(Array(current), Array(output), conv, null);
                        source = $"{name} ({ConvArguments(layer)}) on {Size(twoD, inH, inW)}";
                        break;
                    }

                    case LayerKind.MaxPool1D:
                    case LayerKind.MaxPool2D:
                    case LayerKind.AvgPool1D:
                    case LayerKind.AvgPool2D:
                    {
                        bool twoD = layer.Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
                        int inH = twoD ? current[1] : 1;
                        int inW = twoD ? current[2] : current[1];
                        int outH = twoD ? OutputLength(inH, layer.Kernel, layer.Stride, 2 * layer.Padding, 1) : 1;
                        int outW = OutputLength(inW, layer.Kernel, layer.Stride, 2 * layer.Padding, 1);
                        if (outH < 1 || outW < 1)
                        {
                            return (shapes, new ShapeProblem(at, ShapeProblemKind.Size, name,
                                $"({PoolArguments(layer)}) needs an input of at least {Size(twoD, layer.Kernel - (2 * layer.Padding))} but {source} gives {Size(twoD, inH, inW)}"));
                        }

                        var pool = new PoolShape(current[0], inH, inW, twoD ? layer.Kernel : 1, layer.Kernel, twoD ? layer.Stride : 1, layer.Stride,
                            twoD ? layer.Padding : 0, layer.Padding, outH, outW);
                        int[] output = twoD ? new[] { current[0], outH, outW } : new[] { current[0], outW };
                        shape = new LayerShape(Array(current), Array(output), null, pool);
                        source = $"{name} ({PoolArguments(layer)}) on {Size(twoD, inH, inW)}";
                        break;
                    }

                    case LayerKind.GlobalAvgPool:
                        shape = new LayerShape(Array(current), Array(new[] { current[0] }), null, null);
                        source = name;
                        break;
                    case LayerKind.Flatten:
                        shape = new LayerShape(Array(current), Array(new[] { current.Aggregate(1, (product, size) => product * size) }), null, null);
                        source = name;
                        break;
                    default:
                    {
                        int[] output = LayerRules.HasUnits(layer.Kind) ? new[] { System.Math.Max(layer.Units, 1) } : current;
                        shape = new LayerShape(Array(current), Array(output), null, null);
                        source = name;
                        break;
                    }
                }

                shapes.Add(shape);
                current = shape.Output.ToArray();
                // The validator judges the sizes dense and recurrent layers declare; here only those a shape computes.
                long features = shape.Output.Aggregate(1L, (product, size) => product * size);
                if (IsShaped(layer.Kind) && features > Validation.NetworkLimits.MaxUnits)
                {
                    return (shapes, new ShapeProblem(at, ShapeProblemKind.Size, name,
                        $"gives {Text(shape.Output)} = {features.ToString(CultureInfo.InvariantCulture)} features per example, more than the {Int(Validation.NetworkLimits.MaxUnits)} a layer may have"));
                }
            }

            return (shapes, null);
        }

        /// <summary>The zeros before and after the input along each spatial dimension, as the padding mode says.</summary>
        public static (int Before, int After) Padding(LayerSpec layer)
        {
            int total = layer.Dilation * (layer.Kernel - 1);
            return layer.PaddingMode switch
            {
                PaddingModeKind.Same => (total / 2, total - (total / 2)),
                PaddingModeKind.Causal => (total, 0),
                _ => (layer.Padding, layer.Padding),
            };
        }

        /// <summary>The first argument of a convolution or pool out of its range, given the channels it receives; null when all are in range.</summary>
        public static ShapeProblem? ArgumentProblem(LayerSpec layer, string name, int inChannels)
        {
            LayerLocations? at = layer.Locations;
            ShapeProblem Problem(LocationInfo? where, string argument, int value, string rule) =>
                new(where ?? at?.Attribute, ShapeProblemKind.Argument, name, rule, argument, value);

            if (IsConvolution(layer.Kind))
            {
                if (layer.Units < 1)
                {
                    return Problem(at?.Units, "channels", layer.Units, "a convolution needs at least 1 output channel");
                }

                if (layer.Kernel < 1)
                {
                    return Problem(at?.Kernel, "Kernel", layer.Kernel, "the kernel size must be at least 1");
                }

                if (layer.Stride < 1)
                {
                    return Problem(at?.Stride, "Stride", layer.Stride, "the stride must be at least 1");
                }

                if (layer.Dilation < 1)
                {
                    return Problem(at?.Dilation, "Dilation", layer.Dilation, "the dilation must be at least 1 (1 is an ordinary kernel)");
                }

                if (layer.Padding < 0)
                {
                    return Problem(at?.Padding, "Padding", layer.Padding, "the padding must be at least 0");
                }

                if (!System.Enum.IsDefined(typeof(PaddingModeKind), layer.PaddingModeValue))
                {
                    return Problem(at?.PaddingMode, "PaddingMode", layer.PaddingModeValue, "expected PaddingMode.Explicit, PaddingMode.Same or PaddingMode.Causal");
                }

                if (layer.PaddingMode != PaddingModeKind.Explicit && layer.Padding != 0)
                {
                    return Problem(at?.Padding, "Padding", layer.Padding, $"PaddingMode.{layer.PaddingMode} computes the padding itself; leave Padding out");
                }

                if (layer.PaddingMode == PaddingModeKind.Causal && layer.Kind != LayerKind.Conv1D)
                {
                    return Problem(at?.PaddingMode, "PaddingMode", layer.PaddingModeValue, "causal padding is for Conv1D over time; a Conv2D takes Explicit or Same");
                }

                if (layer.PaddingMode == PaddingModeKind.Same && layer.Stride != 1)
                {
                    return Problem(at?.Stride, "Stride", layer.Stride, "PaddingMode.Same keeps the input's size, which needs stride 1 (as PyTorch's padding='same')");
                }

                if (layer.Groups < 1 || inChannels % layer.Groups != 0 || layer.Units % layer.Groups != 0)
                {
                    return Problem(at?.Groups, "Groups", layer.Groups,
                        $"the groups must divide both the {Int(inChannels)} input channels and the {Int(layer.Units)} output channels");
                }
            }
            else if (IsWindowPool(layer.Kind))
            {
                if (layer.Kernel < 1)
                {
                    return Problem(at?.Kernel, "kernel", layer.Kernel, "the window must be at least 1");
                }

                if (layer.Stride < 1)
                {
                    return Problem(at?.Stride, "Stride", layer.Stride, "the stride must be at least 1 (leave it out for the window size, PyTorch's default)");
                }

                if (layer.Padding < 0 || 2 * layer.Padding > layer.Kernel)
                {
                    return Problem(at?.Padding, "Padding", layer.Padding, $"the padding must be between 0 and half the window ({Int(layer.Kernel / 2)}), as in PyTorch");
                }
            }

            return null;
        }

        private static string RankAdvice(LayerKind kind, int taken, int[] current, string source)
        {
            string got = $"{source} gives {Text(current)}";
            return taken switch
            {
                1 when kind == LayerKind.Dense => $"needs features but {got}; put [Flatten] (or [GlobalAvgPool]) before it",
                1 => $"needs features but {got}; a shaped output goes through [Flatten] first",
                2 => current.Length == 1
                    ? $"needs a (channels, length) input but {got}; declare Input = new[] {{ channels, length }} on the network and put the 1-D layers first"
                    : $"needs a (channels, length) input but {got}; use the 2-D kind",
                3 => current.Length == 1
                    ? $"needs a (channels, height, width) input but {got}; declare Input = new[] {{ channels, height, width }} on the network and put the 2-D layers first"
                    : $"needs a (channels, height, width) input but {got}; use the 1-D kind",
                _ => $"needs a (channels, length) or (channels, height, width) input but {got}",
            };
        }

        private static string ConvArguments(LayerSpec layer)
        {
            var parts = new List<string> { "kernel " + Int(layer.Kernel), "stride " + Int(layer.Stride) };
            (int before, int after) = Padding(layer);
            parts.Add(layer.PaddingMode switch
            {
                PaddingModeKind.Same => "same padding",
                PaddingModeKind.Causal => "causal padding " + Int(before),
                _ => before == 0 ? "no padding" : "padding " + Int(before),
            });
            if (layer.Dilation != 1)
            {
                parts.Add("dilation " + Int(layer.Dilation));
            }

            if (layer.Groups != 1)
            {
                parts.Add("groups " + Int(layer.Groups));
            }

            return string.Join(", ", parts);
        }

        private static string PoolArguments(LayerSpec layer) =>
            "window " + Int(layer.Kernel) + ", stride " + Int(layer.Stride) + (layer.Padding == 0 ? string.Empty : ", padding " + Int(layer.Padding));

        /// <summary>⌊(size + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1, or 0 when nothing is left.</summary>
        public static int OutputLength(int size, int kernel, int stride, int padding, int dilation)
        {
            long span = ((long)dilation * (kernel - 1)) + 1;
            long padded = (long)size + padding;
            return padded < span ? 0 : (int)(((padded - span) / stride) + 1);
        }

        private static string Size(bool twoD, int height, int width) => twoD ? Int(height) + " × " + Int(width) : Int(width);

        private static string Size(bool twoD, int size) => Size(twoD, size, size);

        /// <summary>A shape as the summary writes it: "(6, 28, 28)".</summary>
        public static string Text(IEnumerable<int> shape) => "(" + string.Join(", ", shape.Select(Int)) + ")";

        private static EquatableArray<int> Array(int[] values) => new(values);

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
