using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using NnGen.Onnx;

namespace NnGen.Benchmarks;

/// <summary>
/// One network in ONNX Runtime, run the fastest way its C# API documents: the input and output bound once with
/// <see cref="OrtIoBinding"/> to <see cref="OrtValue"/>s over pinned managed arrays (no copies, no per-call
/// allocation), one thread (intra-op and inter-op 1, sequential execution), every graph optimization enabled.
/// Write <see cref="Input"/>, call <see cref="Run"/>, read <see cref="Output"/>.
/// </summary>
public sealed class OnnxPeer : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly OrtIoBinding _binding;

    /// <summary>
    /// Exports <paramref name="network"/> with its current parameters (NnGen.Onnx's <see cref="OnnxExporter"/>) and
    /// binds buffers for batches of <paramref name="examples"/> rows; a network with a shaped input reads them as
    /// (examples, C, H, W) or (examples, C, L), the exported graph's input (the same floats, NCHW), and a recurrent
    /// network (every step returned) reads (examples, <paramref name="steps"/>, n[0]) and writes (examples, steps, n[L]).
    /// </summary>
    public OnnxPeer(ISerializableNetwork network, int examples, int threads = 1, int steps = 1)
    {
        NetworkArchitecture architecture = network.Architecture;
        if (architecture.Layers.Any(layer => layer.IsRecurrent && !layer.ReturnSequences))
        {
            throw new NotSupportedException($"{architecture.Name}: OnnxPeer binds one output per step; a recurrent layer that returns only its last step is not bound.");
        }

        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(OnnxExporter.ToBytes(network), _options);
        int inputSize = architecture.InputSize, outputSize = architecture.OutputSize;
        _runOptions = new RunOptions();
        Input = new float[examples * steps * inputSize];
        Output = new float[examples * steps * outputSize];
        _input = OrtValue.CreateTensorValueFromMemory(
            Input, architecture.IsRecurrent ? [examples, steps, inputSize] : [examples, .. architecture.InputShape.Select(size => (long)size)]);
        _output = OrtValue.CreateTensorValueFromMemory(Output, architecture.IsRecurrent ? [examples, steps, outputSize] : [examples, outputSize]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(OnnxExporter.InputName, _input);
        _binding.BindOutput(OnnxExporter.OutputName, _output);
    }

    /// <summary>X, examples × n[0] (examples × steps × n[0] for a recurrent network), row-major; pinned and bound.</summary>
    public float[] Input { get; }

    /// <summary>Y, examples × n[L] (examples × steps × n[L] for a recurrent network), row-major; pinned and bound, written by <see cref="Run"/>.</summary>
    public float[] Output { get; }

    /// <summary>One inference over the bound buffers.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <inheritdoc/>
    public void Dispose()
    {
        _binding.Dispose();
        _output.Dispose();
        _input.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
