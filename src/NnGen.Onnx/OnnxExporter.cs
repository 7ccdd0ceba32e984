using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using NnGen.Kernels;

namespace NnGen.Onnx;

/// <summary>
/// Writes a network as an ONNX model for inference: one <c>Gemm</c> per dense layer (Y = X·Wᵀ + b, with W stored as the
/// course's (n[l], n[l-1]) and <c>transB = 1</c>) followed by its activation node, <c>BatchNormalization</c> per batch-norm
/// layer, <c>LayerNormalization</c> per layer-norm layer, <c>LSTM</c> or <c>GRU</c> per recurrent layer, nothing for
/// dropout (the identity at inference); input <c>input</c> of shape (batch, n[0]) and output <c>output</c> of shape
/// (batch, n[L]) with the batch dimension dynamic. A network with recurrent layers reads (batch, steps, n[0]), both
/// dynamic, and writes (batch, steps, n[L]), or (batch, n[L]) when a recurrent layer returns only its last step. A
/// network that reads shaped examples (<see cref="NetworkArchitecture.InputShape"/> (C, H, W) or (C, L)) reads
/// (batch, C, H, W) or (batch, C, L), PyTorch's NCHW and NCL, through <c>Conv</c>, <c>MaxPool</c>, <c>AveragePool</c>,
/// <c>GlobalAveragePool</c> and <c>Flatten</c> nodes to the dense layers' <c>Gemm</c>s.
/// Opset 13, IR version 7 (readable by ONNX Runtime 1.6 and later and by every current ONNX tool), or opset 17, IR
/// version 8 for a network with layer normalization, which has no ONNX operator before opset 17.
/// </summary>
/// <remarks>
/// Activations: sigmoid → <c>Sigmoid</c>, tanh → <c>Tanh</c>, ReLU → <c>Relu</c>, leaky ReLU → <c>LeakyRelu</c>
/// (alpha 0.01, NnGen's slope), linear → nothing (the Gemm's output is the layer's), softmax → <c>Softmax</c> over the
/// last axis. Batch normalization is the inference form, normalizing with the running statistics and the layer's
/// epsilon; layer normalization is over the last axis with the layer's epsilon. Every tensor of the architecture
/// (<see cref="NetworkArchitecture.Tensors"/>) is an F32 initializer under its name in NnGen's weight files: <c>W1</c>,
/// <c>b1</c>, <c>gamma2</c>, <c>beta2</c>, <c>running_mean2</c>, <c>running_var2</c>, ….
/// <para>
/// Convolutions and pools. A convolution is one <c>Conv</c> (its W{l} and b{l} unchanged: PyTorch's and ONNX's weight
/// layouts are the same) with <c>strides</c>, <c>pads</c> ([top, left, bottom, right] in 2-D, [left, right] in 1-D),
/// <c>dilations</c> and <c>group</c>, then its activation node; a max pool is <c>MaxPool</c>, an average pool
/// <c>AveragePool</c> with <c>count_include_pad = 1</c> (padding counted, PyTorch's default), global average pooling
/// <c>GlobalAveragePool</c> then <c>Flatten</c> (to (batch, C)), flatten <c>Flatten</c> (axis 1). Batch and layer
/// normalization of shaped data normalize every feature (C·H·W of them), so they run between a <c>Flatten</c> and a
/// <c>Reshape</c> back to the shape (initializer <c>shape{l}</c>).
/// </para>
/// <para>
/// Recurrent layers. ONNX orders the gate blocks differently from PyTorch and NnGen (LSTM i, o, f, c for PyTorch's
/// i, f, g, o; GRU z, r, h for r, z, n), so a recurrent layer's initializers are its tensors with the blocks reordered:
/// <c>W{l}_iofc</c> (1, 4H, I) and <c>R{l}_iofc</c> (1, 4H, H) from Wih{l} and Whh{l}, <c>B{l}_iofc</c> (1, 8H) = [bih{l}, bhh{l}]
/// (<c>_zrh</c> and 3H for a GRU, which is written with <c>linear_before_reset = 1</c>, PyTorch's GRU). The states start
/// at zero. The ONNX operators take time-major input (layout 0; ONNX Runtime's CPU kernels do not run layout 1), so one
/// <c>Transpose</c> turns the batch-first input time-major before the first recurrent layer and, when the output is per
/// step, one turns it back at the end. Dense layers at every step are <c>MatMul</c> by the transposed W over the last axis
/// and <c>Add</c>; batch normalization over steps is transposed to put the features on axis 1 as ONNX requires.
/// </para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set of a graph without layer normalization.</summary>
    public const int OpsetVersion = 13;

    /// <summary>The ONNX IR version written with <see cref="OpsetVersion"/> (IR 7 is the one of opset 13).</summary>
    public const int IrVersion = 7;

    /// <summary>The ONNX operator set of a graph with layer normalization (<c>LayerNormalization</c> is opset 17's).</summary>
    public const int LayerNormalizationOpsetVersion = 17;

    /// <summary>The ONNX IR version written with <see cref="LayerNormalizationOpsetVersion"/> (IR 8 is the one of opset 17).</summary>
    public const int LayerNormalizationIrVersion = 8;

    /// <summary>The graph's input name.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output name.</summary>
    public const string OutputName = "output";

    /// <summary>Exports <paramref name="network"/> to the file at <paramref name="path"/>.</summary>
    /// <remarks>
    /// Written as weight files are: beside the target, flushed and moved over it with the target's permission bits, so a
    /// failed export (a full disk) leaves an existing model intact.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">
    /// A parameter or state value is not finite, a buffer's length does not match the architecture, or the network has
    /// both recurrent and convolution or pooling layers (which have no export).
    /// </exception>
    /// <exception cref="IOException">The file cannot be written: <paramref name="path"/> is a directory, its folder is missing or not writable, or the disk is full.</exception>
    public static void Export(ISerializableNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] model = ToBytes(network);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>Exports <paramref name="network"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// A parameter or state value is not finite, a buffer's length does not match the architecture, or the network has
    /// both recurrent and convolution or pooling layers (which have no export).
    /// </exception>
    public static void Export(ISerializableNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(network));
    }

    /// <summary>The serialized ModelProto of <paramref name="network"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// A parameter or state value is not finite, a buffer's length does not match the architecture, or the network has
    /// both recurrent and convolution or pooling layers (which have no export).
    /// </exception>
    public static byte[] ToBytes(ISerializableNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkArchitecture architecture = network.Architecture;
        ReadOnlySpan<float> parameters = network.Parameters;
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {parameters.Length} parameters but its architecture {architecture.Describe()} needs {architecture.ParameterCount}."));
        }

        ReadOnlySpan<float> state = network.State;
        if (state.Length != architecture.StateCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {state.Length} state values but its architecture {architecture.Describe()} needs {architecture.StateCount}."));
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            if (!float.IsFinite(parameters[i]))
            {
                throw new InvalidOperationException(Invariant($"{architecture.Name}: parameter {i} is {parameters[i]}; a network with non-finite parameters (diverged?) is not exported."));
            }
        }

        for (int i = 0; i < state.Length; i++)
        {
            if (!float.IsFinite(state[i]))
            {
                throw new InvalidOperationException(Invariant($"{architecture.Name}: state value {i} is {state[i]}; a network with non-finite running statistics (diverged?) is not exported."));
            }
        }

        if (architecture.IsRecurrent && architecture.Layers.Any(layer => layer.IsShaped))
        {
            throw new InvalidOperationException($"{architecture.Name} ({architecture.Describe()}) has recurrent and convolution or pooling layers; ONNX export handles one or the other.");
        }

        var graph = new Message();
        foreach (LayerTensor tensor in architecture.Tensors)
        {
            if (architecture.Layers[LayerOf(architecture, tensor) - 1].IsRecurrent)
            {
                continue;
            }

            graph.Embedded(5, Tensor(tensor.Name, tensor.Shape.Select(d => (long)d).ToArray(), (tensor.IsState ? state : parameters).Slice(tensor.Offset, tensor.Length)));
        }

        var squeezeAxes = new HashSet<long>();
        string previous = InputName;
        Shape shape = architecture.IsRecurrent ? Shape.BatchFirst : architecture.InputShape.Count > 1 ? Shape.Channels : Shape.Rows;
        bool layerNormalization = false;

        // What one example is between nodes while the data is shaped (C, H, W) or (C, L); dropout and the norms keep it.
        IReadOnlyList<int> features = architecture.InputShape;
        foreach (LayerDescription layer in architecture.Layers)
        {
            int l = layer.Index;
            bool last = l == architecture.LayerCount;
            string[] names = layer.Tensors.Select(tensor => tensor.Name).ToArray();
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    Activation activation = layer.Activation;

                    // A time-major output is transposed back to batch-first at the end, so its last layer does not write "output".
                    bool writesOutput = last && shape != Shape.TimeMajor;
                    string z = writesOutput && activation == Activation.Linear ? OutputName : Invariant($"z{l}");
                    if (shape == Shape.Rows)
                    {
                        graph.Embedded(1, Node(Invariant($"gemm{l}"), "Gemm", new[] { previous, names[0], names[1] }, z, Attribute.Int("transB", 1)));
                    }
                    else
                    {
                        // Gemm is 2-D only: at every step, X·Wᵀ over the last axis, then + b broadcast.
                        graph.Embedded(1, Node(Invariant($"transpose_w{l}"), "Transpose", new[] { names[0] }, Invariant($"{names[0]}_t"), Attribute.Ints("perm", 1, 0)));
                        graph.Embedded(1, Node(Invariant($"matmul{l}"), "MatMul", new[] { previous, Invariant($"{names[0]}_t") }, Invariant($"xw{l}"), Array.Empty<Message>()));
                        graph.Embedded(1, Node(Invariant($"add{l}"), "Add", new[] { Invariant($"xw{l}"), names[1] }, z, Array.Empty<Message>()));
                    }

                    previous = ActivationNode(graph, l, activation, z, writesOutput ? OutputName : Invariant($"a{l}"));
                    break;

                case LayerKind.Conv1D:
                case LayerKind.Conv2D:
                    ConvGeometry c = layer.ConvolutionGeometry!.Value;
                    bool twoD = layer.Kind == LayerKind.Conv2D;
                    graph.Embedded(1, Node(
                        Invariant($"conv{l}"),
                        "Conv",
                        new[] { previous, names[0], names[1] },
                        Invariant($"z{l}"),
                        Attribute.Ints("kernel_shape", twoD ? [c.KernelHeight, c.KernelWidth] : [c.KernelWidth]),
                        Attribute.Ints("strides", twoD ? [c.StrideHeight, c.StrideWidth] : [c.StrideWidth]),
                        Attribute.Ints("pads", twoD ? [c.PadTop, c.PadLeft, c.PadBottom, c.PadRight] : [c.PadLeft, c.PadRight]),
                        Attribute.Ints("dilations", twoD ? [c.DilationHeight, c.DilationWidth] : [c.DilationWidth]),
                        Attribute.Int("group", c.Groups)));
                    previous = ActivationNode(graph, l, layer.Activation, Invariant($"z{l}"), Invariant($"a{l}"));
                    features = layer.OutputShape;
                    break;

                case LayerKind.MaxPool1D:
                case LayerKind.MaxPool2D:
                case LayerKind.AvgPool1D:
                case LayerKind.AvgPool2D:
                    PoolGeometry p = layer.Pool!.Value;
                    bool pool2D = layer.Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
                    bool max = layer.Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D;
                    var poolAttributes = new List<Message>
                    {
                        Attribute.Ints("kernel_shape", pool2D ? [p.KernelHeight, p.KernelWidth] : [p.KernelWidth]),
                        Attribute.Ints("strides", pool2D ? [p.StrideHeight, p.StrideWidth] : [p.StrideWidth]),
                        Attribute.Ints("pads", pool2D ? [p.PadHeight, p.PadWidth, p.PadHeight, p.PadWidth] : [p.PadWidth, p.PadWidth]),
                    };
                    if (!max)
                    {
                        // PyTorch's AvgPool default: the padding's zeros count in every window's mean.
                        poolAttributes.Add(Attribute.Int("count_include_pad", 1));
                    }

                    graph.Embedded(1, Node(Invariant($"{(max ? "max" : "avg")}_pool{l}"), max ? "MaxPool" : "AveragePool", new[] { previous }, Invariant($"a{l}"), poolAttributes.ToArray()));
                    previous = Invariant($"a{l}");
                    features = layer.OutputShape;
                    break;

                case LayerKind.GlobalAvgPool:
                    // (batch, C, 1, 1) or (batch, C, 1), then (batch, C).
                    graph.Embedded(1, Node(Invariant($"global_avg_pool{l}"), "GlobalAveragePool", new[] { previous }, Invariant($"pooled{l}")));
                    graph.Embedded(1, Node(Invariant($"flatten{l}"), "Flatten", new[] { Invariant($"pooled{l}") }, Invariant($"a{l}"), Attribute.Int("axis", 1)));
                    previous = Invariant($"a{l}");
                    shape = Shape.Rows;
                    features = layer.OutputShape;
                    break;

                case LayerKind.Flatten:
                    graph.Embedded(1, Node(Invariant($"flatten{l}"), "Flatten", new[] { previous }, Invariant($"a{l}"), Attribute.Int("axis", 1)));
                    previous = Invariant($"a{l}");
                    shape = Shape.Rows;
                    features = layer.OutputShape;
                    break;

                case LayerKind.BatchNorm or LayerKind.LayerNorm when shape == Shape.Channels:
                    // Per feature over C·H·W features (NnGen's norms), not ONNX's per channel of axis 1: flattened, then shaped back.
                    graph.Embedded(1, Node(Invariant($"flatten{l}"), "Flatten", new[] { previous }, Invariant($"flat{l}"), Attribute.Int("axis", 1)));
                    if (layer.Kind == LayerKind.BatchNorm)
                    {
                        graph.Embedded(1, Node(Invariant($"batch_norm{l}"), "BatchNormalization", names.Prepend(Invariant($"flat{l}")).ToArray(), Invariant($"n{l}"), Attribute.Float("epsilon", layer.Epsilon)));
                    }
                    else
                    {
                        graph.Embedded(1, Node(Invariant($"layer_norm{l}"), "LayerNormalization", names.Prepend(Invariant($"flat{l}")).ToArray(), Invariant($"n{l}"), Attribute.Int("axis", -1), Attribute.Float("epsilon", layer.Epsilon)));
                        layerNormalization = true;
                    }

                    graph.Embedded(5, Int64Tensor(Invariant($"shape{l}"), [-1, .. features.Select(d => (long)d)]));
                    graph.Embedded(1, Node(Invariant($"reshape{l}"), "Reshape", new[] { Invariant($"n{l}"), Invariant($"shape{l}") }, Invariant($"a{l}")));
                    previous = Invariant($"a{l}");
                    break;

                case LayerKind.BatchNorm:
                    // Inputs X, scale, B, mean, var: the factory's tensor order. Inference form (no training_mode before
                    // opset 15, whose default is inference too): normalizes with the running statistics. ONNX normalizes
                    // axis 1, so steps go last: (batch, features, steps), and back.
                    string input = previous;
                    if (shape != Shape.Rows)
                    {
                        input = Invariant($"bn_in{l}");
                        graph.Embedded(1, Node(Invariant($"transpose_bn_in{l}"), "Transpose", new[] { previous }, input, Attribute.Ints("perm", shape == Shape.BatchFirst ? [0, 2, 1] : [1, 2, 0])));
                    }

                    graph.Embedded(1, Node(Invariant($"batch_norm{l}"), "BatchNormalization", names.Prepend(input).ToArray(), Invariant($"a{l}"), Attribute.Float("epsilon", layer.Epsilon)));
                    previous = Invariant($"a{l}");
                    if (shape != Shape.Rows)
                    {
                        graph.Embedded(1, Node(Invariant($"transpose_bn_out{l}"), "Transpose", new[] { previous }, Invariant($"bn_out{l}"), Attribute.Ints("perm", shape == Shape.BatchFirst ? [0, 2, 1] : [2, 0, 1])));
                        previous = Invariant($"bn_out{l}");
                    }

                    break;

                case LayerKind.LayerNorm:
                    graph.Embedded(1, Node(Invariant($"layer_norm{l}"), "LayerNormalization", names.Prepend(previous).ToArray(), Invariant($"a{l}"), Attribute.Int("axis", -1), Attribute.Float("epsilon", layer.Epsilon)));
                    previous = Invariant($"a{l}");
                    layerNormalization = true;
                    break;

                case LayerKind.Dropout:
                    // The identity at inference, as PyTorch's exporter also leaves it out in eval mode.
                    break;

                case LayerKind.Lstm:
                case LayerKind.Gru:
                    if (shape == Shape.BatchFirst)
                    {
                        graph.Embedded(1, Node("transpose_input", "Transpose", new[] { previous }, "input_time_major", Attribute.Ints("perm", 1, 0, 2)));
                        previous = "input_time_major";
                    }

                    (string w, string r, string b) = RecurrentInitializers(graph, layer, parameters);
                    string op = layer.Kind == LayerKind.Lstm ? "LSTM" : "GRU";
                    string kind = layer.Kind == LayerKind.Lstm ? "lstm" : "gru";
                    var attributes = new List<Message> { Attribute.Int("hidden_size", layer.Units) };
                    if (layer.Kind == LayerKind.Gru)
                    {
                        attributes.Add(Attribute.Int("linear_before_reset", 1));
                    }

                    // Y is (steps, 1, batch, H), Y_h (1, batch, H): the direction axis squeezed away.
                    long axis = layer.ReturnSequences ? 1 : 0;
                    string result = layer.ReturnSequences ? Invariant($"{kind}{l}_y") : Invariant($"{kind}{l}_y_h");
                    string[] outputs = layer.ReturnSequences ? new[] { result } : new[] { string.Empty, result };
                    graph.Embedded(1, Node(Invariant($"{kind}{l}"), op, new[] { previous, w, r, b }, outputs, attributes.ToArray()));
                    squeezeAxes.Add(axis);
                    graph.Embedded(1, Node(Invariant($"squeeze{l}"), "Squeeze", new[] { result, Invariant($"axes_{axis}") }, Invariant($"h{l}"), Array.Empty<Message>()));
                    previous = Invariant($"h{l}");
                    shape = layer.ReturnSequences ? Shape.TimeMajor : Shape.Rows;
                    break;

                default:
                    throw new InvalidOperationException($"Layer kind {layer.Kind} has no ONNX export.");
            }
        }

        foreach (long axis in squeezeAxes.Order())
        {
            graph.Embedded(5, Int64Tensor(Invariant($"axes_{axis}"), [axis]));
        }

        if (shape == Shape.TimeMajor)
        {
            graph.Embedded(1, Node("transpose_output", "Transpose", new[] { previous }, OutputName, Attribute.Ints("perm", 1, 0, 2)));
        }

        graph.String(2, architecture.Name);
        graph.String(10, $"NnGen network {architecture.Name}: {architecture.Describe()}");
        bool steps = architecture.IsRecurrent, stepsOut = steps && shape != Shape.Rows;
        graph.Embedded(11, ValueInfo(InputName, steps, architecture.InputShape));
        graph.Embedded(12, ValueInfo(OutputName, stepsOut, [architecture.OutputSize]));

        var model = new Message();
        model.Int64(1, layerNormalization ? LayerNormalizationIrVersion : IrVersion);
        model.String(2, "NnGen");
        model.String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0.0.0");
        model.String(4, "nngen");
        model.Int64(5, 1);
        model.String(6, $"{architecture.Name}: {architecture.Describe()}");
        model.Embedded(7, graph);
        var opset = new Message();
        opset.String(1, string.Empty);
        opset.Int64(2, layerNormalization ? LayerNormalizationOpsetVersion : OpsetVersion);
        model.Embedded(8, opset);
        foreach (KeyValuePair<string, string> pair in WeightsFile.MetadataOf(architecture))
        {
            var entry = new Message();
            entry.String(1, pair.Key);
            entry.String(2, pair.Value);
            model.Embedded(14, entry);
        }

        return model.ToArray();
    }

    /// <summary>
    /// Where the data is between nodes: one row per example, per step batch-first (batch, steps, features) or time-major
    /// (steps, batch, features), or shaped (batch, C, H, W) or (batch, C, L).
    /// </summary>
    private enum Shape
    {
        Rows,
        BatchFirst,
        TimeMajor,
        Channels,
    }

    /// <summary>The node of an element-wise (or, on a dense output, softmax) activation from <paramref name="z"/> to <paramref name="a"/>; returns the layer's output name (<paramref name="z"/> for linear).</summary>
    private static string ActivationNode(Message graph, int l, Activation activation, string z, string a)
    {
        if (activation == Activation.Linear)
        {
            return z;
        }

        graph.Embedded(1, activation switch
        {
            Activation.Sigmoid => Node(Invariant($"sigmoid{l}"), "Sigmoid", new[] { z }, a),
            Activation.Tanh => Node(Invariant($"tanh{l}"), "Tanh", new[] { z }, a),
            Activation.ReLU => Node(Invariant($"relu{l}"), "Relu", new[] { z }, a),
            Activation.LeakyReLU => Node(Invariant($"leaky_relu{l}"), "LeakyRelu", new[] { z }, a, Attribute.Float("alpha", 0.01f)),
            Activation.Softmax => Node(Invariant($"softmax{l}"), "Softmax", new[] { z }, a, Attribute.Int("axis", -1)),
            _ => throw new InvalidOperationException($"Activation {activation} has no ONNX export."),
        });
        return a;
    }

    private static int LayerOf(NetworkArchitecture architecture, LayerTensor tensor) =>
        architecture.Layers.First(layer => layer.Tensors.Contains(tensor)).Index;

    /// <summary>
    /// The ONNX W (1, G·H, I), R (1, G·H, H) and B (1, 2·G·H) of a recurrent layer, gate blocks in ONNX's order: for an
    /// LSTM i, o, f, c from PyTorch's i, f, g, o; for a GRU z, r, h from r, z, n.
    /// </summary>
    private static (string W, string R, string B) RecurrentInitializers(Message graph, LayerDescription layer, ReadOnlySpan<float> parameters)
    {
        int[] blocks = layer.Kind == LayerKind.Lstm ? [0, 3, 1, 2] : [1, 0, 2];
        string order = layer.Kind == LayerKind.Lstm ? "iofc" : "zrh";
        int rows = blocks.Length * layer.Units;
        LayerTensor Find(TensorRole role) => layer.Tensors.First(tensor => tensor.Role == role);
        string w = Invariant($"W{layer.Index}_{order}"), r = Invariant($"R{layer.Index}_{order}"), b = Invariant($"B{layer.Index}_{order}");
        graph.Embedded(5, Tensor(w, [1, rows, layer.Inputs], Reordered(parameters, Find(TensorRole.InputWeight), layer.Units, blocks)));
        graph.Embedded(5, Tensor(r, [1, rows, layer.Units], Reordered(parameters, Find(TensorRole.RecurrentWeight), layer.Units, blocks)));
        graph.Embedded(5, Tensor(b, [1, 2 * rows], [.. Reordered(parameters, Find(TensorRole.InputBias), layer.Units, blocks), .. Reordered(parameters, Find(TensorRole.RecurrentBias), layer.Units, blocks)]));
        return (w, r, b);
    }

    /// <summary>
    /// A recurrent tensor's values in its own shape (PyTorch's (G·H, n), untransposed from the parameters where they
    /// hold it transposed) with its gate blocks (<paramref name="units"/> rows each) in the order <paramref name="blocks"/> lists them.
    /// </summary>
    private static float[] Reordered(ReadOnlySpan<float> parameters, LayerTensor tensor, int units, int[] blocks)
    {
        ReadOnlySpan<float> stored = parameters.Slice(tensor.Offset, tensor.Length);
        float[]? untransposed = null;
        if (tensor.IsStoredTransposed)
        {
            untransposed = new float[tensor.Length];
            Layout.Transpose(stored, untransposed, tensor.Shape[1], tensor.Shape[0]);
        }

        ReadOnlySpan<float> rows = untransposed ?? stored;
        int block = units * (tensor.Shape.Count == 2 ? tensor.Shape[1] : 1);
        float[] values = new float[tensor.Length];
        for (int g = 0; g < blocks.Length; g++)
        {
            rows.Slice(blocks[g] * block, block).CopyTo(values.AsSpan(g * block));
        }

        return values;
    }

    /// <summary>A 1-D INT64 tensor (Squeeze's axes and Reshape's shape, inputs since opset 13).</summary>
    private static Message Int64Tensor(string name, long[] values)
    {
        var tensor = new Message();
        tensor.PackedInt64(1, [values.Length]);
        tensor.Int64(2, 7); // TensorProto.DataType.INT64
        tensor.String(8, name);
        byte[] raw = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        tensor.Bytes(9, raw);
        return tensor;
    }

    private static Message Tensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new Message();
        tensor.PackedInt64(1, dims);
        tensor.Int64(2, 1); // TensorProto.DataType.FLOAT
        tensor.String(8, name);
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            // raw_data is little-endian whatever the machine.
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        tensor.Bytes(9, raw);
        return tensor;
    }

    private static Message Node(string name, string opType, string[] inputs, string output, params Message[] attributes) =>
        Node(name, opType, inputs, new[] { output }, attributes);

    /// <summary>A node; an empty output name leaves that optional output out (as LSTM's Y when only Y_h is wanted).</summary>
    private static Message Node(string name, string opType, string[] inputs, string[] outputs, params Message[] attributes)
    {
        var node = new Message();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, name);
        node.String(4, opType);
        foreach (Message attribute in attributes)
        {
            node.Embedded(5, attribute);
        }

        return node;
    }

    /// <summary>
    /// A float tensor of shape (batch, …<paramref name="features"/>), or (batch, steps, …<paramref name="features"/>) with
    /// <paramref name="steps"/>, the batch and steps dimensions symbolic.
    /// </summary>
    private static Message ValueInfo(string name, bool steps, IReadOnlyList<int> features)
    {
        var shape = new Message();
        foreach (string symbol in steps ? new[] { "batch", "steps" } : new[] { "batch" })
        {
            var dimension = new Message();
            dimension.String(2, symbol);
            shape.Embedded(1, dimension);
        }

        foreach (int size in features)
        {
            var width = new Message();
            width.Int64(1, size);
            shape.Embedded(1, width);
        }

        var tensorType = new Message();
        tensorType.Int64(1, 1); // elem_type FLOAT
        tensorType.Embedded(2, shape);
        var type = new Message();
        type.Embedded(1, tensorType);
        var info = new Message();
        info.String(1, name);
        info.Embedded(2, type);
        return info;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static class Attribute
    {
        public static Message Int(string name, long value)
        {
            var attribute = new Message();
            attribute.String(1, name);
            attribute.Int64(3, value);
            attribute.Int64(20, 2); // AttributeType.INT
            return attribute;
        }

        public static Message Ints(string name, params long[] values)
        {
            var attribute = new Message();
            attribute.String(1, name);
            foreach (long value in values)
            {
                attribute.Int64(8, value);
            }

            attribute.Int64(20, 7); // AttributeType.INTS
            return attribute;
        }

        public static Message Float(string name, float value)
        {
            var attribute = new Message();
            attribute.String(1, name);
            attribute.Float(2, value);
            attribute.Int64(20, 1); // AttributeType.FLOAT
            return attribute;
        }
    }

    /// <summary>
    /// A protobuf message built field by field with Google.Protobuf's wire-format writer: the handful of ONNX messages
    /// needed here, without generating (and shipping) the whole of onnx.proto. Field numbers are onnx.proto3's.
    /// </summary>
    private sealed class Message
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _output;

        public Message()
        {
            _output = new CodedOutputStream(_buffer, leaveOpen: true);
        }

        public void Int64(int field, long value)
        {
            _output.WriteTag(field, WireFormat.WireType.Varint);
            _output.WriteInt64(value);
        }

        public void Float(int field, float value)
        {
            _output.WriteTag(field, WireFormat.WireType.Fixed32);
            _output.WriteFloat(value);
        }

        public void String(int field, string value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteString(value);
        }

        public void Bytes(int field, byte[] value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteBytes(ByteString.CopyFrom(value));
        }

        public void PackedInt64(int field, long[] values)
        {
            var packed = new Message();
            foreach (long value in values)
            {
                packed._output.WriteInt64(value);
            }

            Bytes(field, packed.ToArray());
        }

        public void Embedded(int field, Message value) => Bytes(field, value.ToArray());

        public byte[] ToArray()
        {
            _output.Flush();
            return _buffer.ToArray();
        }
    }
}
