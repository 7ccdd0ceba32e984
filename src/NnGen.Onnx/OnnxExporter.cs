using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;

namespace NnGen.Onnx;

/// <summary>
/// Writes a network as an ONNX model: one <c>Gemm</c> per layer (Y = X·Wᵀ + b, with W stored as the course's
/// (n[l], n[l-1]) and <c>transB = 1</c>) followed by its activation node, input <c>input</c> of shape (batch, n[0]) and
/// output <c>output</c> of shape (batch, n[L]) with the batch dimension dynamic. Opset 13, IR version 7: readable by
/// ONNX Runtime 1.6 and later and by every current ONNX tool.
/// </summary>
/// <remarks>
/// Activations: sigmoid → <c>Sigmoid</c>, tanh → <c>Tanh</c>, ReLU → <c>Relu</c>, leaky ReLU → <c>LeakyRelu</c>
/// (alpha 0.01, NnGen's slope), linear → nothing (the Gemm's output is the layer's), softmax → <c>Softmax</c> over the
/// last axis. Weights are stored as F32 initializers named <c>W1</c>, <c>b1</c>, …, as in NnGen's weight files.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graph uses.</summary>
    public const int OpsetVersion = 13;

    /// <summary>The ONNX IR version written (IR 7 is the one of opset 13).</summary>
    public const int IrVersion = 7;

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
    /// <exception cref="InvalidOperationException">A parameter is not finite.</exception>
    /// <exception cref="IOException">The file cannot be written: <paramref name="path"/> is a directory, its folder is missing or not writable, or the disk is full.</exception>
    public static void Export(ISerializableNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] model = ToBytes(network);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>Exports <paramref name="network"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter is not finite.</exception>
    public static void Export(ISerializableNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(network));
    }

    /// <summary>The serialized ModelProto of <paramref name="network"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter is not finite.</exception>
    public static byte[] ToBytes(ISerializableNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkArchitecture architecture = network.Architecture;
        ReadOnlySpan<float> parameters = network.Parameters;
        if (parameters.Length != architecture.ParameterCount)
        {
            throw new InvalidOperationException(Invariant($"{architecture.Name} has {parameters.Length} parameters but its architecture {architecture.Describe()} needs {architecture.ParameterCount}."));
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            if (!float.IsFinite(parameters[i]))
            {
                throw new InvalidOperationException(Invariant($"{architecture.Name}: parameter {i} is {parameters[i]}; a network with non-finite parameters (diverged?) is not exported."));
            }
        }

        var graph = new Message();
        string previous = InputName;
        for (int l = 1; l <= architecture.LayerCount; l++)
        {
            int units = architecture.UnitsOf(l);
            int inputs = architecture.InputsOf(l);
            string w = Invariant($"W{l}");
            string b = Invariant($"b{l}");
            graph.Embedded(5, Tensor(w, new long[] { units, inputs }, parameters.Slice(architecture.WeightOffset(l), units * inputs)));
            graph.Embedded(5, Tensor(b, new long[] { units }, parameters.Slice(architecture.BiasOffset(l), units)));

            Activation activation = architecture.Activations[l - 1];
            bool last = l == architecture.LayerCount;
            string z = last && activation == Activation.Linear ? OutputName : Invariant($"z{l}");
            graph.Embedded(1, Node(Invariant($"gemm{l}"), "Gemm", new[] { previous, w, b }, z, Attribute.Int("transB", 1)));
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
        }

        graph.String(2, architecture.Name);
        graph.String(10, $"NnGen network {architecture.Name}: {architecture.Describe()}");
        graph.Embedded(11, ValueInfo(InputName, architecture.InputSize));
        graph.Embedded(12, ValueInfo(OutputName, architecture.OutputSize));

        var model = new Message();
        model.Int64(1, IrVersion);
        model.String(2, "NnGen");
        model.String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0.0.0");
        model.String(4, "nngen");
        model.Int64(5, 1);
        model.String(6, $"{architecture.Name}: {architecture.Describe()}");
        model.Embedded(7, graph);
        var opset = new Message();
        opset.String(1, string.Empty);
        opset.Int64(2, OpsetVersion);
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
