using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Text;

namespace NnGen.Benchmarks;

/// <summary>
/// Writes a dense network as an ONNX model (protobuf bytes) for ONNX Runtime to run: input <c>X</c> [N, n[0]], one
/// <c>Gemm</c> per layer (transB = 1, so W keeps NnGen's (n[l], n[l-1]) row-major layout, as PyTorch exports
/// <c>nn.Linear</c>), then the layer's activation node; output <c>Y</c> [N, n[L]]. Opset 17, IR version 8.
/// </summary>
/// <remarks>
/// Hand-encoded protobuf: the handful of ONNX fields a dense MLP needs, each written with its field number from
/// onnx.proto3. NnGen.Onnx's exporter writes the same graph (Gemm with transB = 1 and the activation node) but takes an
/// <c>ISerializableNetwork</c>; this writer takes any parameter buffer with a <see cref="PeerNetwork"/>'s shape, so the
/// peer rows depend only on the harness's description of the network.
/// </remarks>
public static class OnnxModelWriter
{
    /// <summary>The graph's input name.</summary>
    public const string InputName = "X";

    /// <summary>The graph's output name.</summary>
    public const string OutputName = "Y";

    private const int IrVersion = 8;
    private const int Opset = 17;
    private const int FloatType = 1; // TensorProto.DataType.FLOAT
    private const int IntAttribute = 2; // AttributeProto.AttributeType.INT

    /// <summary>The model bytes for <paramref name="network"/> with <paramref name="parameters"/> laid out as NnGen's (W1, b1, …).</summary>
    public static byte[] Write(PeerNetwork network, ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != network.ParameterCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{network.Name}: {parameters.Length} parameters given, the network has {network.ParameterCount}."),
                nameof(parameters));
        }

        var graph = new ProtoWriter();
        string current = InputName;
        int offset = 0;
        int layers = network.Sizes.Length - 1;
        for (int l = 1; l <= layers; l++)
        {
            int units = network.Sizes[l], inputs = network.Sizes[l - 1];
            string w = $"W{l}", b = $"b{l}", z = $"Z{l}";
            graph.Message(5, Tensor(w, [units, inputs], parameters.Slice(offset, units * inputs)));
            graph.Message(5, Tensor(b, [units], parameters.Slice(offset + (units * inputs), units)));
            offset += (units * inputs) + units;

            Activation activation = network.Activations[l - 1];
            string output = l == layers && activation == Activation.Linear ? OutputName : z;
            graph.Message(1, Node($"Gemm{l}", "Gemm", [current, w, b], output, ("transB", 1)));
            current = output;
            if (activation != Activation.Linear)
            {
                string a = l == layers ? OutputName : $"A{l}";
                graph.Message(1, activation == Activation.Softmax
                    ? Node($"Softmax{l}", "Softmax", [current], a, ("axis", -1))
                    : Node($"{OperatorName(activation)}{l}", OperatorName(activation), [current], a));
                current = a;
            }
        }

        graph.String(2, network.Name);
        graph.Message(11, ValueInfo(InputName, network.InputSize));
        graph.Message(12, ValueInfo(OutputName, network.OutputSize));

        var opset = new ProtoWriter();
        opset.String(1, string.Empty);
        opset.Varint(2, Opset);

        var model = new ProtoWriter();
        model.Varint(1, IrVersion);
        model.String(2, "NnGen.Benchmarks");
        model.Message(7, graph);
        model.Message(8, opset);
        return model.ToArray();
    }

    private static string OperatorName(Activation activation) => activation switch
    {
        Activation.ReLU => "Relu",
        Activation.Tanh => "Tanh",
        Activation.Sigmoid => "Sigmoid",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "The ONNX twin supports ReLU, tanh, sigmoid, softmax and linear layers."),
    };

    private static ProtoWriter Tensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new ProtoWriter();
        foreach (long dim in dims)
        {
            tensor.Varint(1, dim);
        }

        tensor.Varint(2, FloatType);
        tensor.String(8, name);
        var raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        tensor.Bytes(9, raw);
        return tensor;
    }

    private static ProtoWriter Node(string name, string op, string[] inputs, string output, params (string Name, long Value)[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, name);
        node.String(4, op);
        foreach ((string attributeName, long value) in attributes)
        {
            var attribute = new ProtoWriter();
            attribute.String(1, attributeName);
            attribute.Varint(3, value);
            attribute.Varint(20, IntAttribute);
            node.Message(5, attribute);
        }

        return node;
    }

    /// <summary>A float tensor [N, <paramref name="width"/>] with a symbolic batch dimension N.</summary>
    private static ProtoWriter ValueInfo(string name, int width)
    {
        var batch = new ProtoWriter();
        batch.String(2, "N");
        var columns = new ProtoWriter();
        columns.Varint(1, width);
        var shape = new ProtoWriter();
        shape.Message(1, batch);
        shape.Message(1, columns);

        var tensorType = new ProtoWriter();
        tensorType.Varint(1, FloatType);
        tensorType.Message(2, shape);
        var type = new ProtoWriter();
        type.Message(1, tensorType);

        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    /// <summary>The protobuf wire format: varint fields (wire type 0) and length-delimited fields (wire type 2).</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _stream = new();

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            WriteVarint((ulong)value.Length);
            _stream.Write(value);
        }

        public byte[] ToArray() => _stream.ToArray();

        private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _stream.WriteByte((byte)value);
        }
    }
}
