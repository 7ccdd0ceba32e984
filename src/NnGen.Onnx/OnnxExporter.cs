using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;

namespace NnGen.Onnx;

/// <summary>
/// Writes a network as an ONNX model for inference: one <c>Gemm</c> per dense layer (Y = X·Wᵀ + b, with W stored as the
/// course's (n[l], n[l-1]) and <c>transB = 1</c>) followed by its activation node, <c>BatchNormalization</c> per batch-norm
/// layer, <c>LayerNormalization</c> per layer-norm layer, nothing for dropout (the identity at inference); input
/// <c>input</c> of shape (batch, n[0]) and output <c>output</c> of shape (batch, n[L]) with the batch dimension dynamic.
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
    /// <exception cref="InvalidOperationException">A parameter or state value is not finite, or a buffer's length does not match the architecture.</exception>
    /// <exception cref="IOException">The file cannot be written: <paramref name="path"/> is a directory, its folder is missing or not writable, or the disk is full.</exception>
    public static void Export(ISerializableNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] model = ToBytes(network);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>Exports <paramref name="network"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter or state value is not finite, or a buffer's length does not match the architecture.</exception>
    public static void Export(ISerializableNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(network));
    }

    /// <summary>The serialized ModelProto of <paramref name="network"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter or state value is not finite, or a buffer's length does not match the architecture.</exception>
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

        var graph = new Message();
        foreach (LayerTensor tensor in architecture.Tensors)
        {
            graph.Embedded(5, Tensor(tensor.Name, tensor.Shape.Select(d => (long)d).ToArray(), (tensor.IsState ? state : parameters).Slice(tensor.Offset, tensor.Length)));
        }

        string previous = InputName;
        bool layerNormalization = false;
        foreach (LayerDescription layer in architecture.Layers)
        {
            int l = layer.Index;
            bool last = l == architecture.LayerCount;
            string[] names = layer.Tensors.Select(tensor => tensor.Name).ToArray();
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    Activation activation = layer.Activation;
                    string z = last && activation == Activation.Linear ? OutputName : Invariant($"z{l}");
                    graph.Embedded(1, Node(Invariant($"gemm{l}"), "Gemm", new[] { previous, names[0], names[1] }, z, Attribute.Int("transB", 1)));
                    previous = z;
                    if (activation != Activation.Linear)
                    {
                        string a = last ? OutputName : Invariant($"a{l}");
                        Message node = activation switch
                        {
                            Activation.Sigmoid => Node(Invariant($"sigmoid{l}"), "Sigmoid", new[] { z }, a),
                            Activation.Tanh => Node(Invariant($"tanh{l}"), "Tanh", new[] { z }, a),
                            Activation.ReLU => Node(Invariant($"relu{l}"), "Relu", new[] { z }, a),
                            Activation.LeakyReLU => Node(Invariant($"leaky_relu{l}"), "LeakyRelu", new[] { z }, a, Attribute.Float("alpha", 0.01f)),
                            Activation.Softmax => Node(Invariant($"softmax{l}"), "Softmax", new[] { z }, a, Attribute.Int("axis", -1)),
                            _ => throw new InvalidOperationException($"Activation {activation} has no ONNX export."),
                        };
                        graph.Embedded(1, node);
                        previous = a;
                    }

                    break;

                case LayerKind.BatchNorm:
                    // Inputs X, scale, B, mean, var: the factory's tensor order. Inference form (no training_mode before
                    // opset 15, whose default is inference too): normalizes with the running statistics.
                    graph.Embedded(1, Node(Invariant($"batch_norm{l}"), "BatchNormalization", names.Prepend(previous).ToArray(), Invariant($"a{l}"), Attribute.Float("epsilon", layer.Epsilon)));
                    previous = Invariant($"a{l}");
                    break;

                case LayerKind.LayerNorm:
                    graph.Embedded(1, Node(Invariant($"layer_norm{l}"), "LayerNormalization", names.Prepend(previous).ToArray(), Invariant($"a{l}"), Attribute.Int("axis", -1), Attribute.Float("epsilon", layer.Epsilon)));
                    previous = Invariant($"a{l}");
                    layerNormalization = true;
                    break;

                case LayerKind.Dropout:
                    // The identity at inference, as PyTorch's exporter also leaves it out in eval mode.
                    break;

                default:
                    throw new InvalidOperationException($"Layer kind {layer.Kind} has no ONNX export.");
            }
        }

        graph.String(2, architecture.Name);
        graph.String(10, $"NnGen network {architecture.Name}: {architecture.Describe()}");
        graph.Embedded(11, ValueInfo(InputName, architecture.InputSize));
        graph.Embedded(12, ValueInfo(OutputName, architecture.OutputSize));

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

    private static Message Node(string name, string opType, string[] inputs, string output, params Message[] attributes)
    {
        var node = new Message();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, name);
        node.String(4, opType);
        foreach (Message attribute in attributes)
        {
            node.Embedded(5, attribute);
        }

        return node;
    }

    /// <summary>A float tensor of shape (batch, <paramref name="features"/>), the batch dimension symbolic.</summary>
    private static Message ValueInfo(string name, int features)
    {
        var batch = new Message();
        batch.String(2, "batch");
        var width = new Message();
        width.Int64(1, features);
        var shape = new Message();
        shape.Embedded(1, batch);
        shape.Embedded(1, width);
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
