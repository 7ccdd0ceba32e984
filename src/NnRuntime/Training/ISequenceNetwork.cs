using System;

namespace NnGen;

/// <summary>
/// A generated network with recurrent layers, as the sequence trainer sees it: m sequences of T steps each, batch-first
/// (one sequence per row), every sequence from the zero state. Its <see cref="ITrainableNetwork"/> members read an
/// example as a sequence of one step.
/// </summary>
public interface ISequenceNetwork : ISerializableNetwork
{
    /// <summary>The floats of one stream's state (h, and c for LSTM, of every recurrent layer), as the generated <c>State</c> holds them.</summary>
    int StateFloats { get; }

    /// <summary>Whether the network answers at every step (labels per step) or once per sequence, after its last step.</summary>
    bool OutputsEveryStep { get; }

    /// <summary>
    /// One training pass over m sequences: forward through time, the cost over the counted steps, and backpropagation
    /// through time. The gradient is the mean over the counted steps (or the sequences).
    /// </summary>
    /// <param name="inputs">(m, T, n[0]) row-major.</param>
    /// <param name="steps">T, at least 1.</param>
    /// <param name="labels">(m, T, n[L]) when <see cref="OutputsEveryStep"/>, else (m, n[L]).</param>
    /// <param name="gradients">Receives dJ/dθ, <see cref="ITrainableNetwork.ParameterCount"/> floats.</param>
    /// <param name="workspace">Scratch kept across calls; <see langword="null"/> makes a new one.</param>
    /// <param name="warmUp">Steps at the start of every sequence left out of the cost (0 for one answer per sequence).</param>
    /// <param name="states">Empty for zero starting states; otherwise m × <see cref="StateFloats"/>, the starting states in and the states after the last step out.</param>
    /// <returns>J.</returns>
    float ComputeGradients(ReadOnlySpan<float> inputs, int steps, ReadOnlySpan<float> labels, Span<float> gradients, Workspace? workspace, int warmUp, Span<float> states);

    /// <summary>The outputs of m sequences of T steps, from zero states or the given ones.</summary>
    /// <param name="inputs">(m, T, n[0]) row-major.</param>
    /// <param name="steps">T, at least 1.</param>
    /// <param name="outputs">(m, T, n[L]) when <see cref="OutputsEveryStep"/>, else (m, n[L]).</param>
    /// <param name="states">Empty for zero starting states; otherwise m × <see cref="StateFloats"/>, the starting states in and the states after the last step out.</param>
    void PredictSequences(ReadOnlySpan<float> inputs, int steps, Span<float> outputs, Span<float> states);
}
